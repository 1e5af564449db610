//! Unit tests of the environment, and the cross-check of
//! tests/fixtures/jinja/cases.yml against Jinja2 as Copier sets it up.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::*;

/// The time both sides read in the cross-check (2023-11-14T22:13:20Z).
const EPOCH: i64 = 1_700_000_000;

fn env_with(envops: &EnvOps, options: &Options) -> Environment {
    Environment::for_template(envops, None, options).unwrap()
}

fn options() -> Options {
    Options {
        fixed_time: Some(EPOCH),
        ..Options::default()
    }
}

fn render(source: &str) -> Result<String, TemplateError> {
    env_with(&EnvOps::default(), &options()).render("t", source, &Value::from(()))
}

#[test]
fn hostile_nesting_is_refused_quickly() {
    for source in [
        format!("{{{{ {}1 }}}}", "not ".repeat(40_000)),
        format!("{{{{ 1{} }}}}", " ~ 1".repeat(40_000)),
        format!("{{{{ 1{} }}}}", "|string".repeat(40_000)),
        format!("{{{{ {}1 }}}}", "-".repeat(40_000)),
        format!("{{{{ {}1{} }}}}", "(".repeat(40_000), ")".repeat(40_000)),
        format!("{{% if {}1 %}}{{% endif %}}", "not ".repeat(40_000)),
    ] {
        let err = render(&source).unwrap_err();
        assert!(err.message.contains("the limit is 500"), "{err}");
    }
    // Text in a raw block is not an expression.
    let raw = format!(
        "{{% raw %}}{{{{ {}1 }}}}{{% endraw %}}",
        "not ".repeat(2_000)
    );
    assert_eq!(
        render(&raw).unwrap().len(),
        raw.len() - "{% raw %}{% endraw %}".len()
    );
    // A long but shallow template is fine.
    let wide = format!(
        "{{{{ [{}] | length }}}} {}",
        "1 ~ 1, ".repeat(5_000),
        "-".repeat(10_000)
    );
    assert!(render(&wide).unwrap().starts_with("5000 "));
}

#[test]
fn endless_loops_and_huge_strings_run_out_of_fuel() {
    for source in [
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "{% for i in range(100) %}{% set x = 'x' * 10**8 %}{% endfor %}",
        "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    ] {
        let err = render(source).unwrap_err();
        assert!(
            err.message.contains("--max-render-fuel") || err.message.contains("too large"),
            "{source}: {err}"
        );
    }
}

#[test]
fn output_is_bounded_and_the_bound_can_be_raised() {
    let source = "{% for i in range(2000) %}{{ 'x' * 1000 }}{% endfor %}";
    let small = Options {
        limits: Limits {
            max_output_bytes: 1_000_000,
            ..Limits::default()
        },
        ..options()
    };
    let err = env_with(&EnvOps::default(), &small)
        .render("big.txt", source, &Value::from(()))
        .unwrap_err();
    assert_eq!(err.file, "big.txt");
    assert!(err.message.contains("--max-render-bytes"), "{err}");
    assert_eq!(render(source).unwrap().len(), 2_000_000);
}

#[test]
fn strict_undefined_is_an_option() {
    let strict = Options {
        strict_undefined: true,
        ..options()
    };
    let env = env_with(&EnvOps::default(), &strict);
    assert!(env.render("t", "{{ missing }}", &Value::from(())).is_err());
    assert_eq!(render("[{{ missing }}]").unwrap(), "[]");
}

#[test]
fn source_date_epoch_fixes_the_clock() {
    assert_eq!(
        render("{{ '%Y-%m-%dT%H:%M:%S' | strftime }}").unwrap(),
        clock::format_local("%Y-%m-%dT%H:%M:%S", EPOCH).unwrap()
    );
}

/// One case of cases.yml.
#[derive(serde::Deserialize, serde::Serialize)]
struct Case {
    name: String,
    template: String,
    #[serde(default)]
    context: Option<serde_json::Value>,
    #[serde(default)]
    envops: Option<serde_json::Value>,
    #[serde(default, skip_serializing)]
    differs: Option<String>,
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jinja")
}

fn render_case(case: &Case) -> Result<String, String> {
    let envops = match &case.envops {
        Some(value) => {
            let yaml = serde_norway::to_value(value).map_err(|err| err.to_string())?;
            EnvOps::from_yaml(&yaml)?
        }
        None => EnvOps::default(),
    };
    let env = Environment::for_template(&envops, None, &options()).map_err(|e| e.to_string())?;
    let context = Value::from(minijinja::value::Serde(
        case.context.clone().unwrap_or_default(),
    ));
    env.render(&case.name, &case.template, &context)
        .map_err(|err| err.to_string())
}

#[test]
fn cases_render_as_jinja2_renders_them_for_copier() {
    let text = std::fs::read_to_string(fixtures().join("cases.yml")).unwrap();
    let cases: Vec<Case> = serde_norway::from_str(&text).unwrap();
    let available = Command::new("python3")
        .args(["-c", "import copier, jinja2_ansible_filters"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !available {
        assert!(
            std::env::var_os("CI").is_none(),
            "copier is not installed; .ci/run installs copier==9.19.1"
        );
        eprintln!("skipped: copier is not installed (pip install copier==9.19.1)");
        return;
    }
    let mut child = Command::new("python3")
        .arg(fixtures().join("reference.py"))
        .env("SOURCE_DATE_EPOCH", EPOCH.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    serde_json::to_writer(child.stdin.take().unwrap(), &cases).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "reference.py failed");
    let expected: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_slice(&output.stdout).unwrap();
    let mut failures = Vec::new();
    for (case, reference) in cases.iter().zip(&expected) {
        let ours = render_case(case);
        let same = match (&ours, reference.get("output")) {
            (Ok(ours), Some(theirs)) => theirs.as_str() == Some(ours.as_str()),
            (Err(_), None) => true,
            _ => false,
        };
        if same == case.differs.is_none() {
            continue;
        }
        failures.push(format!(
            "{}:\n  scaffold: {:?}\n  jinja2:   {:?}{}",
            case.name,
            ours,
            reference.get("output").or(reference.get("error")).unwrap(),
            case.differs.as_ref().map_or(String::new(), |why| format!(
                "\n  (marked as differing: {why}; it no longer does)"
            )),
        ));
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Jinja2:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[cfg(unix)]
#[test]
fn the_loader_reads_through_the_source_and_refuses_what_leaves_it() {
    use crate::source::{Source, TemplateRef};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("template");
    std::fs::create_dir_all(root.join("shared")).unwrap();
    std::fs::write(root.join("copier.yml"), "name:\n  default: demo\n").unwrap();
    std::fs::write(root.join("shared/part.txt"), "part\r\n").unwrap();
    std::fs::write(dir.path().join("secret.txt"), "the user's secret").unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("link.txt")).unwrap();
    let source = Source::open(&TemplateRef::Local(root), None).unwrap();
    let env =
        Environment::for_template(&EnvOps::default(), Some(source.reader()), &options()).unwrap();
    let render = |text: &str| env.render("t.jinja", text, &Value::from(()));
    assert_eq!(render("{% include 'shared/part.txt' %}").unwrap(), "part\n");
    assert_eq!(
        render("{% include './shared//part.txt' %}").unwrap(),
        "part\n"
    );
    for escape in [
        "{% include 'link.txt' %}",
        "{% include '../secret.txt' %}",
        "{% include '/etc/hostname' %}",
    ] {
        let err = render(escape).unwrap_err();
        assert!(!err.to_string().contains("the user's secret"), "{err}");
        assert_eq!(err.file, "t.jinja");
    }
    assert!(
        render("{% include 'missing.txt' %}")
            .unwrap_err()
            .message
            .contains("not found")
    );
}

#[test]
fn jinja2_time_now_tags_read_the_clock() {
    let env = Environment::for_template(&EnvOps::default(), None, &options()).unwrap();
    let render = |text: &str| env.render("t", text, &Value::from(())).unwrap();
    assert_eq!(render("{% now 'utc' %}"), "2023-11-14");
    assert_eq!(render("({%- now 'utc', '%Y %H' -%})"), "(2023 22)");
    assert_eq!(
        render("{% now 'utc' + 'hours=3,minutes=1', '%d %H:%M' %}"),
        "15 01:14"
    );
    assert_eq!(render("{% now 'utc' - 'days=14' %}"), "2023-10-31");
    assert_eq!(render("{% now 'Europe/Berlin', '%H %Z' %}"), "23 CET");
}

#[test]
fn an_unknown_filter_names_the_python_extensions_it_may_come_from() {
    let with_extensions = Options {
        jinja_extensions: vec![
            "jinja2.ext.do".into(),
            "copier_templates_extensions.TemplateExtensionLoader".into(),
        ],
        ..options()
    };
    let env = Environment::for_template(&EnvOps::default(), None, &with_extensions).unwrap();
    let err = env
        .render("name.txt", "{{ 'A b' | slugify }}", &Value::from(()))
        .unwrap_err();
    assert!(
        err.message
            .contains("copier_templates_extensions.TemplateExtensionLoader"),
        "{err}"
    );
    assert!(!err.message.contains("jinja2.ext.do"), "{err}");
    assert!(
        !render("{{ 'A b' | slugify }}")
            .unwrap_err()
            .message
            .contains("extensions")
    );
}

#[cfg(unix)]
#[test]
fn an_include_without_context_sees_only_the_globals() {
    use crate::source::{Source, TemplateRef};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("copier.yml"), "style:\n  default: plain\n").unwrap();
    std::fs::write(dir.path().join("part.txt"), "[{{ style }}]{{ now().year }}").unwrap();
    let source = Source::open(&TemplateRef::Local(dir.path().to_owned()), None).unwrap();
    let env =
        Environment::for_template(&EnvOps::default(), Some(source.reader()), &options()).unwrap();
    let context = Value::from_pairs([("style", "plain")]);
    let render = |text: &str| env.render("t", text, &context).unwrap();
    assert_eq!(render("{% include 'part.txt' %}"), "[plain]2023");
    assert_eq!(render("{% include 'part.txt' without context %}"), "[]2023");
    assert_eq!(
        render("a {%- include ['no.txt', 'part.txt'] without context -%} b"),
        "a[]2023b"
    );
    assert_eq!(
        render("({% include 'no.txt' ignore missing without context %})"),
        "()"
    );
}

/// Templates pieced together from fragments that stress the rewriting,
/// the nesting check and the tokenizer: every one renders or fails with an
/// error, none panics.
#[test]
fn generated_templates_never_panic() {
    const FRAGMENTS: &[&str] = &[
        "{{",
        "}}",
        "{%",
        "%}",
        "{#",
        "#}",
        "'",
        "\"",
        "%",
        "% (",
        ")",
        "(",
        "[",
        "]",
        "{",
        "}",
        "é",
        "✓",
        "\r\n",
        "\n",
        " ",
        "-",
        "+",
        "~",
        "|upper",
        ".append(",
        ".update(",
        "now",
        "include",
        "without context",
        "set x = ",
        "do ",
        "x",
        "1",
        "'%s'",
        "'%(a)s' % {'a': 1}",
        "{% now 'utc' %}",
        "{% set xs = [] %}",
        "{% do xs.append(1) %}",
        "{{ xs }}",
        "##",
        "not ",
        "yield",
        "endyield",
        "if",
        "endif",
        "for",
        "in",
        "endfor",
        "{{ '%5.2f' % 3.14159 }}",
    ];
    let env = env_with(
        &EnvOps {
            line_comment_prefix: Some("##".into()),
            ..EnvOps::default()
        },
        &options(),
    );
    let mut state = 0x9876_5432_u64;
    for _ in 0..5000 {
        let mut source = String::new();
        state = filters::next_random(state);
        for _ in 0..(state % 64) {
            state = filters::next_random(state);
            source.push_str(FRAGMENTS[usize::try_from(state % FRAGMENTS.len() as u64).unwrap()]);
        }
        let _ = env.render("fuzz", &source, &Value::from_pairs([("a", 1)]));
    }
}

#[test]
fn random_mac_completes_a_prefix_reproducibly() {
    let mac = render("{{ '52:54:00' | random_mac }}").unwrap();
    assert_eq!(mac.len(), 17, "{mac}");
    assert!(mac.starts_with("52:54:00:"), "{mac}");
    assert_eq!(mac, render("{{ '52:54:00' | random_mac }}").unwrap());
    assert!(render("{{ 'zz:00' | random_mac }}").is_err());
}

#[test]
fn the_loader_reads_builtin_templates_too() {
    use crate::source::Source;
    let source = Source::builtin("service").unwrap();
    let env =
        Environment::for_template(&EnvOps::default(), Some(source.reader()), &options()).unwrap();
    let ignored = env
        .render("t", "{% include '.gitignore' %}", &Value::from(()))
        .unwrap();
    let expected = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/service/.gitignore"),
    )
    .unwrap();
    assert_eq!(ignored, expected);
}

#[cfg(unix)]
#[test]
fn an_imported_template_prints_as_its_text() {
    use crate::source::{Source, TemplateRef};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("copier.yml"), "a: 1\n").unwrap();
    std::fs::write(
        dir.path().join("data.yaml"),
        "{% set private = 1 %}versions: [3005, 3006]\npython: '3.7'\n",
    )
    .unwrap();
    let source = Source::open(&TemplateRef::Local(dir.path().to_owned()), None).unwrap();
    let env =
        Environment::for_template(&EnvOps::default(), Some(source.reader()), &options()).unwrap();
    let text = "{% import 'data.yaml' as d %}{% set v = d | string | from_yaml %}{{ v.versions }} {{ v.python }}|{{ d }}";
    assert_eq!(
        env.render("t", text, &Value::from(())).unwrap(),
        "[3005, 3006] 3.7|versions: [3005, 3006]\npython: '3.7'\n"
    );
}
