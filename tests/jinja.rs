//! The Jinja environment through the command line (src/jinja): Copier's
//! escaping, undefined values, loader and clock, and the limits that stop a
//! hostile template within seconds. Each template is written inline.

use std::time::{Duration, Instant};

use predicates::prelude::*;

use crate::support::Sandbox;

/// Writes `files` (path, contents) as a template folder `template/`.
fn template(sandbox: &Sandbox, files: &[(&str, &str)]) {
    for (path, contents) in files {
        let path = sandbox.join("template").join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
}

fn new(sandbox: &Sandbox, extra: &[&str]) -> assert_cmd::Command {
    let mut args = vec!["new", "out", "--defaults", "--template", "template"];
    args.extend_from_slice(extra);
    let mut command = sandbox.scaffold(&args);
    command.env("TZ", "UTC").env_remove("SOURCE_DATE_EPOCH");
    command
}

#[test]
fn nothing_is_escaped_in_contents_or_folder_names() {
    let sandbox = Sandbox::new();
    template(
        &sandbox,
        &[
            (
                "copier.yml",
                "name:\n  default: 'demo & \"friends\" <ok>'\nproject_name:\n  default: demo_cli\n",
            ),
            ("config.yml.jinja", "name: {{ name }}\n"),
            ("page.html.jinja", "<p>{{ name }}</p>\n"),
            ("data.json.jinja", "{\"name\": \"{{ project_name }}\"}\n"),
            (
                "{{ project_name }}/settings.yaml.jinja",
                "x: {{ project_name }}\n",
            ),
        ],
    );
    new(&sandbox, &[]).assert().success();
    assert_eq!(
        sandbox.read("out/config.yml"),
        "name: demo & \"friends\" <ok>\n"
    );
    assert_eq!(
        sandbox.read("out/page.html"),
        "<p>demo & \"friends\" <ok></p>\n"
    );
    assert_eq!(sandbox.read("out/data.json"), "{\"name\": \"demo_cli\"}\n");
    assert_eq!(sandbox.read("out/demo_cli/settings.yaml"), "x: demo_cli\n");
}

#[test]
fn autoescape_is_html_only_when_envops_asks() {
    let sandbox = Sandbox::new();
    template(
        &sandbox,
        &[
            (
                "copier.yml",
                "_envops:\n  autoescape: true\nname:\n  default: \"<b>'x'</b>\"\n",
            ),
            ("page.txt.jinja", "{{ name }}\n"),
        ],
    );
    new(&sandbox, &[]).assert().success();
    assert_eq!(
        sandbox.read("out/page.txt"),
        "&lt;b&gt;&#39;x&#39;&lt;/b&gt;\n"
    );
}

#[test]
fn undefined_values_are_empty_and_false_unless_strict() {
    let sandbox = Sandbox::new();
    template(
        &sandbox,
        &[
            ("copier.yml", "name:\n  default: demo\n"),
            (
                "a{{ missing }}.txt.jinja",
                "[{{ missing }}]{% if missing %}yes{% endif %}\n",
            ),
            ("{% if missing %}skipped.txt{% endif %}.jinja", "never\n"),
        ],
    );
    new(&sandbox, &[]).assert().success();
    assert_eq!(
        sandbox
            .files("out")
            .iter()
            .filter(|f| f.to_lowercase().ends_with(".txt"))
            .count(),
        1
    );
    assert_eq!(sandbox.read("out/a.txt"), "[]\n");

    let strict = Sandbox::new();
    template(
        &strict,
        &[
            ("copier.yml", "name:\n  default: demo\n"),
            ("a.txt.jinja", "{{ missing }}\n"),
        ],
    );
    new(&strict, &["--strict-undefined"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("a.txt.jinja").and(predicate::str::contains("missing")));
    assert!(!strict.join("out").exists(), "nothing is written");
}

#[test]
fn includes_imports_and_extends_load_from_the_template_root() {
    let sandbox = Sandbox::new();
    template(
        &sandbox,
        &[
            (
                "copier.yml",
                "_subdirectory: project\nname:\n  default: demo\n",
            ),
            (
                "shared/macros.jinja",
                "{% macro shout(x) %}{{ x | upper }}!{% endmacro %}",
            ),
            ("shared/base.jinja", "<{% block body %}{% endblock %}>\n"),
            ("shared/header.txt", "# header for {{ name }}\n"),
            (
                "project/a.txt.jinja",
                "{% include 'shared/header.txt' %}{% import 'shared/macros.jinja' as m %}{{ m.shout(name) }}\n",
            ),
            (
                "project/b.txt.jinja",
                "{% from 'shared/macros.jinja' import shout %}{{ shout('b') }}\n",
            ),
            (
                "project/c.txt.jinja",
                "{% extends 'shared/base.jinja' %}{% block body %}{{ name }}{% endblock %}",
            ),
        ],
    );
    new(&sandbox, &[]).assert().success();
    assert_eq!(sandbox.read("out/a.txt"), "# header for demo\nDEMO!\n");
    assert_eq!(sandbox.read("out/b.txt"), "B!\n");
    assert_eq!(sandbox.read("out/c.txt"), "<demo>\n");
}

#[test]
fn an_include_outside_the_template_is_refused() {
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.join("secret.txt"), "the user's secret\n").unwrap();
    for (name, body) in [
        ("dots.txt.jinja", "{% include '../secret.txt' %}"),
        ("absolute.txt.jinja", "{% include '/etc/passwd' %}"),
    ] {
        let case = Sandbox::new();
        std::fs::write(case.join("secret.txt"), "the user's secret\n").unwrap();
        template(
            &case,
            &[("copier.yml", "name:\n  default: demo\n"), (name, body)],
        );
        new(&case, &[])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(name).and(predicate::str::contains("outside")));
        assert!(!case.join("out").exists(), "nothing is written");
    }
    #[cfg(unix)]
    {
        // The walk refuses the link itself; src/jinja's unit tests check the
        // loader refuses it too.
        template(
            &sandbox,
            &[
                (
                    "copier.yml",
                    "_exclude: [link.txt]\nname:\n  default: demo\n",
                ),
                ("leak.txt.jinja", "{% include 'link.txt' %}"),
            ],
        );
        std::os::unix::fs::symlink(
            sandbox.join("secret.txt"),
            sandbox.join("template/link.txt"),
        )
        .unwrap();
        new(&sandbox, &[]).assert().code(1).stderr(
            predicate::str::contains("link.txt")
                .and(predicate::str::contains("the user's secret").not()),
        );
        assert!(!sandbox.join("out").exists(), "nothing is written");
    }
}

#[test]
fn source_date_epoch_fixes_the_clock() {
    let sandbox = Sandbox::new();
    template(
        &sandbox,
        &[
            (
                "copier.yml",
                "year:\n  default: \"{{ '%Y' | strftime }}\"\n",
            ),
            (
                "when.txt.jinja",
                "{{ '%Y-%m-%d %H:%M:%S' | strftime }} {{ now() }} {{ year }}\n",
            ),
        ],
    );
    new(&sandbox, &[])
        .env("SOURCE_DATE_EPOCH", "86400")
        .assert()
        .success();
    assert_eq!(
        sandbox.read("out/when.txt"),
        "1970-01-02 00:00:00 1970-01-02 00:00:00+00:00 1970\n"
    );
}

/// Runs a hostile template and checks it is refused with one line naming
/// `file` and `limit`, exit 1, nothing written, within seconds.
fn refused(files: &[(&str, &str)], file: &str, limit: &str, extra: &[&str]) {
    let sandbox = Sandbox::new();
    template(&sandbox, files);
    let started = Instant::now();
    let output = new(&sandbox, extra).output().unwrap();
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(file) && stderr.contains(limit), "{stderr}");
    assert!(!sandbox.join("out").exists(), "nothing is written");
    assert!(
        elapsed < Duration::from_secs(60),
        "refused within seconds, took {elapsed:?}"
    );
}

#[test]
fn endless_loops_and_growing_strings_stop_at_the_fuel_limit() {
    let copier = ("copier.yml", "name:\n  default: demo\n");
    refused(
        &[
            copier,
            (
                "loop.txt.jinja",
                "{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}{% endfor %}",
            ),
        ],
        "loop.txt.jinja",
        "--max-render-fuel",
        &["--max-render-fuel", "2000000"],
    );
    refused(
        &[
            copier,
            (
                "big.txt.jinja",
                "{% for i in range(100) %}{% set x = 'x' * 10**8 %}{% endfor %}",
            ),
        ],
        "big.txt.jinja",
        "--max-render-fuel",
        &[],
    );
    refused(
        &[
            copier,
            (
                "grow.txt.jinja",
                "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}",
            ),
        ],
        "grow.txt.jinja",
        "--max-render-fuel",
        &[],
    );
}

#[test]
fn output_size_is_bounded_and_the_bound_can_be_raised() {
    let files = [
        ("copier.yml", "name:\n  default: demo\n"),
        (
            "big.txt.jinja",
            "{% for i in range(3000) %}{{ 'x' * 1000 }}{% endfor %}",
        ),
    ];
    refused(
        &files,
        "big.txt.jinja",
        "--max-render-bytes",
        &["--max-render-bytes", "1000000"],
    );
    let sandbox = Sandbox::new();
    template(&sandbox, &files);
    new(&sandbox, &["--max-render-bytes", "4000000"])
        .assert()
        .success();
    assert_eq!(sandbox.read("out/big.txt").len(), 3_000_000);
}

#[test]
fn deep_nesting_is_refused_in_files_and_in_copier_yml() {
    let deep = format!("{{{{ {}true }}}}", "not ".repeat(40_000));
    refused(
        &[
            ("copier.yml", "name:\n  default: demo\n"),
            ("deep.txt.jinja", &deep),
        ],
        "deep.txt.jinja",
        "the limit is 500",
        &[],
    );
    let chained = format!("\"{{{{ 'a'{} }}}}\"", " ~ 'a'".repeat(40_000));
    refused(
        &[("copier.yml", &format!("name:\n  default: {chained}\n"))],
        "name",
        "the limit is 500",
        &[],
    );
    let filters = format!("\"{{{{ 'a'{} }}}}\"", "|lower".repeat(40_000));
    refused(
        &[("copier.yml", &format!("name:\n  default: {filters}\n"))],
        "name",
        "the limit is 500",
        &[],
    );
}

#[test]
fn deeply_nested_values_are_refused_or_rendered_not_crashed() {
    let copier = ("copier.yml", "name:\n  default: demo\n");
    let deep = "{% set ns = namespace(x=[]) %}{% for k in range(2) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}{% endfor %}{% endfor %}";
    for (printed, works) in [
        ("{{ ns.x | length }}", true),
        ("{{ ns.x ~ '' }}", false),
        ("{{ ns.x }}", false),
        ("{{ ns.x | tojson }}", false),
        ("{{ ns.x | to_nice_yaml }}", false),
    ] {
        let sandbox = Sandbox::new();
        let body = format!("{deep}{printed}");
        template(&sandbox, &[copier, ("deep.txt.jinja", &body)]);
        let output = new(&sandbox, &[]).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        if works {
            assert!(output.status.success(), "{printed}: {stderr}");
        } else {
            assert_eq!(output.status.code(), Some(1), "{printed}: {stderr}");
            assert!(
                stderr.contains("deep.txt.jinja") && stderr.contains("1000 levels"),
                "{stderr}"
            );
        }
    }
}
