use super::*;

const SPEC: &str = r#"
_subdirectory: template
_templates_suffix: .tmpl
_envops:
  trim_blocks: true
project_name: my-project
port:
  type: int
  default: 8000
  help: The port
license:
  choices:
    MIT license: MIT
    Apache license: Apache-2.0
features:
  type: str
  multiselect: true
  choices: [a, b]
  default: [a]
token:
  type: str
  secret: true
  default: ""
  when: "{{ port > 1000 }}"
"#;

#[test]
fn questions_keep_file_order_and_types() {
    let spec = Spec::parse("copier.yml", SPEC).unwrap();
    let names: Vec<_> = spec.questions.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(
        names,
        ["project_name", "port", "license", "features", "token"]
    );
    assert_eq!(spec.questions[0].kind, AnswerType::Str);
    assert_eq!(spec.questions[1].kind, AnswerType::Int);
    assert_eq!(
        spec.questions[2].choices.listed()[1].value,
        Value::from("Apache-2.0")
    );
    assert!(spec.questions[3].multiselect);
    assert!(spec.questions[4].secret);
    assert_eq!(spec.templates_suffix, ".tmpl");
    assert!(spec.envops.trim_blocks);
    assert!(spec.envops.keep_trailing_newline);
    assert_eq!(spec.question("port").unwrap().name, "port");
}

#[test]
fn unknown_type_is_an_error_naming_the_question() {
    let err = Spec::parse("copier.yml", "x:\n  type: text\n").unwrap_err();
    assert!(
        err.to_string()
            .contains("question `x`: unknown type `text`"),
        "{err}"
    );
}

#[test]
fn templated_and_path_types_are_read() {
    let spec = Spec::parse(
        "copier.yml",
        "a:\n  type: path\nb:\n  type: \"{{ 'int' }}\"\n  default: 3\n",
    )
    .unwrap();
    assert_eq!(spec.questions[0].kind, AnswerType::Path);
    assert_eq!(spec.questions[1].kind, AnswerType::Int);
    assert_eq!(
        spec.questions[1].kind_template.as_deref(),
        Some("{{ 'int' }}")
    );
}

#[test]
fn unknown_setting_is_an_error() {
    let err = Spec::parse("copier.yml", "_bogus: 1\n").unwrap_err();
    assert!(
        err.to_string().contains("unknown setting `_bogus`"),
        "{err}"
    );
}

#[test]
fn secret_questions_setting_marks_questions_secret() {
    let spec = Spec::parse(
        "copier.yml",
        "_secret_questions: [pw]\npw: hunter2\nname: x\n---\n_secret_questions: [name]\n",
    )
    .unwrap();
    assert!(spec.question("pw").unwrap().secret);
    assert!(spec.question("name").unwrap().secret);
    let err = Spec::parse("copier.yml", "_secret_questions: [pw]\npw:\n  type: str\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("question `pw`: a secret question needs a default"),
        "{err}"
    );
}

#[test]
fn exclude_defaults_apply_only_without_subdirectory_and_are_replaced() {
    let plain = Spec::parse("copier.yml", "a: 1\n").unwrap();
    assert_eq!(plain.exclude_patterns().len(), DEFAULT_EXCLUDE.len());
    let own = Spec::parse("copier.yml", "_exclude: [x]\n").unwrap();
    assert_eq!(own.exclude_patterns(), ["x"]);
    let sub = Spec::parse("copier.yml", "_subdirectory: t\n").unwrap();
    assert!(sub.exclude_patterns().is_empty());
}

#[test]
fn min_copier_version_above_ours_is_refused() {
    assert!(Spec::parse("copier.yml", "_min_copier_version: 9.19.1\n").is_ok());
    assert!(Spec::parse("copier.yml", "_min_copier_version: '9.0'\n").is_ok());
    assert!(Spec::parse("copier.yml", "_min_copier_version: 9.20.0a1\n").is_err());
    let err = Spec::parse("copier.yml", "_min_copier_version: 10.0.0\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("requires Copier >= 10.0.0"), "{err}");
}

#[test]
fn copier_names_cannot_be_questions() {
    let err = Spec::parse("copier.yml", "now: 1\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("question `now`"), "{err}");
}

#[test]
fn smoke_matrix_is_kept_as_axes_and_expanded_on_demand() {
    let spec = Spec::parse(
        "copier.yml",
        "_smoke:\n  matrix:\n    a: [1, 2]\n    b: [x, y]\n  combinations:\n    - {a: 3}\n",
    )
    .unwrap();
    let smoke = spec.smoke.unwrap();
    assert_eq!(smoke.len(), Some(5));
    let all: Vec<_> = smoke.iter().map(Value::Object).collect();
    assert_eq!(all[1], serde_json::json!({"a": 1, "b": "y"}));
    assert_eq!(all[4], serde_json::json!({"a": 3}));

    let axes = "    q: [0,1,2,3,4,5,6,7,8,9]\n".repeat(8);
    let axes = (0..8).fold(axes, |axes, axis| {
        axes.replacen("q:", &format!("q{axis}:"), 1)
    });
    let huge = Spec::parse("copier.yml", &format!("_smoke:\n  matrix:\n{axes}")).unwrap();
    let smoke = huge.smoke.unwrap();
    assert_eq!(smoke.len(), Some(100_000_000));
    assert_eq!(smoke.get(99_999_999).unwrap()["q0"], Value::from(9));
}

#[test]
fn plain_exclude_patterns_compile_when_the_spec_loads() {
    let plain = Spec::parse("copier.yml", "_exclude: ['*.tmp', 'docs/']\n").unwrap();
    let compiled = plain.exclude_compiled.get().unwrap();
    assert!(compiled.matches("a/b.tmp") && compiled.matches("docs/x.md"));
    assert!(!compiled.matches("src/main.rs"));
    let templated = Spec::parse("copier.yml", "_exclude: ['{{ x }}']\n").unwrap();
    assert!(templated.exclude_compiled.get().is_none());
}
