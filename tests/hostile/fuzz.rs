//! Generated copier.yml files, answers files, template files and template
//! names thrown at spec loading, answers and rendering: every one ends in a
//! result or an error, never a panic. A fixed number of cases keeps it to
//! seconds in CI; `PROPTEST_CASES` runs more.

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use scaffold::answers::{AnswersFile, DataItem};
use scaffold::generate::{NewOptions, new_project};
use scaffold::source::{Source, TemplateRef};
use scaffold::spec::Spec;

const CASES: u32 = 128;

fn config() -> Config {
    Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|cases| cases.parse().ok())
            .unwrap_or(CASES),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

/// Question names, mostly plain, some awkward.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => "[a-z][a-z0-9_]{0,6}",
        1 => Just("dry-run".to_owned()),
        1 => Just("a b".to_owned()),
        1 => Just("-x".to_owned()),
        1 => Just(String::new()),
        1 => Just("1st".to_owned()),
        1 => Just("ünï".to_owned()),
    ]
}

/// Scalars and Jinja fragments a default, a choice or an answer may hold:
/// mostly values a template really has, some that are hostile.
fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => plain_scalar(),
        1 => odd_scalar(),
    ]
}

fn plain_scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i32>().prop_map(|number| number.to_string()),
        any::<bool>().prop_map(|flag| flag.to_string()),
        "[a-z ]{0,10}".prop_map(|text| format!("{text:?}")),
        Just("'{{ q0 }}'".to_owned()),
        Just("'{{ q0 ~ q1 }}'".to_owned()),
        Just("'{{ q1 | default(\"x\") | upper }}'".to_owned()),
        Just("'{% if q0 %}yes{% else %}no{% endif %}'".to_owned()),
        Just("[1, 2]".to_owned()),
    ]
}

fn odd_scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("nan".to_owned()),
        Just("-.inf".to_owned()),
        Just("~".to_owned()),
        Just("''".to_owned()),
        Just("'{{ q0 }}'".to_owned()),
        Just("'{{ q0 ~ q1 }}'".to_owned()),
        Just("'{{ missing.attr }}'".to_owned()),
        Just("'{% if %}'".to_owned()),
        Just("'{{'".to_owned()),
        Just("'{{ 1 / 0 }}'".to_owned()),
        Just("[1, [2, {a: b}]]".to_owned()),
        Just("{k: v}".to_owned()),
        Just("&a x".to_owned()),
        Just("*a".to_owned()),
        Just("!!binary aGk=".to_owned()),
        any::<i64>().prop_map(|number| number.to_string()),
        any::<f64>().prop_map(|number| number.to_string()),
        "[ -~]{0,12}".prop_map(|text| format!("{text:?}")),
    ]
}

/// One question of a copier.yml: its name and its text.
fn question() -> impl Strategy<Value = (String, String)> {
    (
        name(),
        prop::option::of(prop_oneof![
            Just("str"),
            Just("int"),
            Just("float"),
            Just("bool"),
            Just("yaml"),
            Just("json"),
            Just("path"),
            Just("nonsense")
        ]),
        prop::option::of(scalar()),
        prop::option::of(prop::collection::vec(scalar(), 0..4)),
        prop::option::of(scalar()),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(name, kind, default, choices, when, multiselect)| {
            let mut text = String::new();
            if let Some(kind) = kind {
                text.push_str(&format!("  type: {kind}\n"));
            }
            if let Some(default) = default {
                text.push_str(&format!("  default: {default}\n"));
            }
            if let Some(choices) = choices {
                text.push_str(&format!("  choices: [{}]\n", choices.join(", ")));
            }
            if let Some(when) = when {
                text.push_str(&format!("  when: {when}\n"));
            }
            if multiselect {
                text.push_str("  multiselect: true\n");
            }
            (name, text)
        })
}

/// A whole copier.yml: a few questions (named q0.. as well, so fragments
/// refer to them), settings, or text that is barely YAML.
fn copier_yml() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (
            prop::collection::vec(question(), 0..5),
            prop::collection::vec(scalar(), 1..4),
            prop::option::weighted(0.3, prop_oneof![
                Just("_subdirectory: sub\n".to_owned()),
                Just("_subdirectory: ../..\n".to_owned()),
                Just("_templates_suffix: ''\n".to_owned()),
                Just("_exclude: ['[', '**']\n".to_owned()),
                Just("_envops: {autoescape: true}\n".to_owned()),
                Just("_modules: [{path: ../x}]\n".to_owned()),
                Just("_smoke: {matrix: {q0: [1, 2]}, checks: [x]}\n".to_owned()),
                Just("_answers_file: ../../escape.yml\n".to_owned()),
            ]),
        )
            .prop_map(|(questions, plain, setting)| {
                let mut text = setting.unwrap_or_default();
                let mut seen = std::collections::BTreeSet::new();
                for (index, default) in plain.iter().enumerate() {
                    text.push_str(&format!("q{index}: {default}\n"));
                    seen.insert(format!("q{index}"));
                }
                for (index, (name, body)) in questions.into_iter().enumerate() {
                    // A repeated key is only a YAML error; keep names unique.
                    let name = if seen.insert(name.clone()) {
                        name
                    } else {
                        format!("{name}_{index}")
                    };
                    text.push_str(&format!("{name:?}:\n{body}"));
                }
                text
            }),
        1 => "[ -~\n]{0,120}",
    ]
}

/// A key of an answers file: mostly questions the template has, some it has
/// not, and the meta keys.
fn answer_key() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "q[0-3]",
        1 => name(),
        1 => Just("_src_path".to_owned()),
        1 => Just("_commit".to_owned()),
    ]
}

/// An answers file: meta keys and answers, or text that is barely YAML.
fn answers_file() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec((answer_key(), scalar()), 0..5).prop_map(|pairs| {
            pairs.iter().fold(String::new(), |mut text, (key, value)| {
                text.push_str(&format!("{key:?}: {value}\n"));
                text
            })
        }),
        1 => "[ -~\n]{0,80}",
    ]
}

/// A template file's name and contents, Jinja in both.
fn template_file() -> impl Strategy<Value = (String, String)> {
    let names = prop_oneof![
        Just("a.txt".to_owned()),
        Just("{{ q0 }}.txt.jinja".to_owned()),
        Just("{{ q0 }}".to_owned()),
        Just("{% if q1 %}b{% endif %}.txt".to_owned()),
        Just("c.jinja".to_owned()),
    ];
    let contents = prop_oneof![
        Just("{{ q0 }} {{ q1 | default('x') }}\n".to_owned()),
        Just("{% for i in range(3) %}{{ i }}{% endfor %}".to_owned()),
        Just("{% include 'a.txt' %}".to_owned()),
        Just("{% include '/etc/passwd' %}".to_owned()),
        Just("{{ _copier_conf | tojson }}".to_owned()),
        "[ -~\n]{0,60}",
    ];
    (names, contents)
}

/// Loads and renders (dry run: nothing is written) whatever was generated.
fn render(dir: &Path, spec: &str, answers: Option<&str>, files: &[(String, String)]) {
    let template = dir.join("tpl");
    std::fs::create_dir_all(&template).unwrap();
    std::fs::write(template.join("copier.yml"), spec).unwrap();
    for (name, contents) in files {
        let _ = std::fs::write(template.join(name), contents);
    }
    let answers_file = answers.map(|text| {
        let path = dir.join("answers.yml");
        std::fs::write(&path, text).unwrap();
        path
    });
    let options = NewOptions {
        template: TemplateRef::Local(template),
        vcs_ref: None,
        dest: dir.join("out"),
        answers_file,
        data: Vec::new(),
        defaults: true,
        force: false,
        dry_run: true,
        data_file: None,
        trust: false,
        skip_tasks: false,
        strict_undefined: false,
    };
    let _ = new_project(&options, None);
    assert!(!dir.join("out").exists(), "a dry run writes nothing");
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn generated_templates_and_answers_never_panic(
        spec in copier_yml(),
        answers in prop::option::of(answers_file()),
        files in prop::collection::vec(template_file(), 0..4),
    ) {
        let dir = tempfile::tempdir().unwrap();
        render(dir.path(), &spec, answers.as_deref(), &files);
    }

    #[test]
    fn generated_template_names_never_panic(name in prop_oneof![
        "[ -~]{0,40}",
        "builtin:[ -~]{0,12}",
        "(gh|gl):[ -~]{0,12}",
        "git\\+[ -~]{0,12}",
    ]) {
        let reference = TemplateRef::parse(&name);
        // Only what needs no network is opened.
        if matches!(reference, TemplateRef::Builtin(_) | TemplateRef::Local(_)) {
            if let Ok(source) = Source::open(&reference, None) {
                let _ = Spec::load(&source);
            }
        }
    }

    #[test]
    fn generated_answers_and_data_items_never_panic(
        text in answers_file(),
        item in "[ -~]{0,30}",
        strict in any::<bool>(),
    ) {
        let _ = AnswersFile::parse("answers.yml", &text, strict);
        let _ = DataItem::parse(&item);
    }
}
