use super::*;
use crate::jinja::{EnvOps, Environment as Renderer, Options};
use crate::spec::Spec;

const SPEC: &str = r#"
name:
  type: str
  default: "{{ _folder_name }}"
  validator: "{% if not (name | regex_search('^[a-z]+$')) %}lowercase letters only{% endif %}"
kind:
  choices: [web, cli]
  default: web
port:
  type: int
  default: 8000
  when: "{{ kind == 'web' }}"
slug:
  type: str
  default: "{{ name | upper }}-{{ port }}"
  when: false
"#;

fn env() -> Renderer {
    Renderer::for_template(&EnvOps::default(), None, &Options::default()).unwrap()
}

fn resolve_spec(spec: &str, input: &AnswerInput) -> Result<Answers, AnswerError> {
    let spec = Spec::parse("copier.yml", spec).unwrap();
    resolve(&spec, &env(), input, None)
}

fn resolve_with(input: &AnswerInput) -> Result<Answers, AnswerError> {
    resolve_spec(SPEC, input)
}

fn defaults() -> AnswerInput {
    AnswerInput {
        folder_name: "demo".into(),
        defaults: true,
        src_path: "test".into(),
        answers_file_name: ".copier-answers.yml".into(),
        ..AnswerInput::default()
    }
}

fn data(items: &[&str]) -> Vec<DataItem> {
    items
        .iter()
        .map(|item| DataItem::parse(item).unwrap())
        .collect()
}

fn render(answers: &Answers, text: &str) -> String {
    env().render("t", text, &answers.context()).unwrap()
}

#[test]
fn defaults_render_over_earlier_answers() {
    let answers = resolve_with(&defaults()).unwrap();
    assert_eq!(answers.get("name"), Some(Value::from("demo")));
    assert_eq!(answers.get("slug"), Some(Value::from("DEMO-8000")));
    assert!(
        !answers.recorded().contains_key("slug"),
        "computed values are not recorded"
    );
}

#[test]
fn data_wins_over_the_answers_file_and_is_typed() {
    let mut input = defaults();
    input.answers_file =
        Some(AnswersFile::parse("a.yml", "port: 9000\nkind: web\n", true).unwrap());
    input.data = data(&["port=9100"]);
    let answers = resolve_with(&input).unwrap();
    assert_eq!(answers.get("port"), Some(Value::from(9100)));
}

#[test]
fn a_choice_outside_the_list_names_what_is_allowed() {
    let mut input = defaults();
    input.data = data(&["kind=gui"]);
    let err = resolve_with(&input).unwrap_err().to_string();
    assert_eq!(
        err,
        "invalid answer `gui` for `kind` (--data kind): expected one of: web, cli"
    );
}

#[test]
fn a_default_outside_the_choices_is_the_templates_fault() {
    let err = resolve_spec("k:\n  choices: [a, b]\n  default: c\n", &defaults()).unwrap_err();
    assert!(matches!(err, AnswerError::BadDefault { .. }), "{err}");
    assert!(
        err.to_string().contains("the template must be fixed"),
        "{err}"
    );
}

#[test]
fn validator_message_is_the_reason() {
    let mut input = defaults();
    input.data = data(&["name=Bad"]);
    let err = resolve_with(&input).unwrap_err().to_string();
    assert!(err.ends_with("lowercase letters only"), "{err}");
}

#[test]
fn wrong_type_is_refused() {
    let mut input = defaults();
    input.data = data(&["port=eighty"]);
    let err = resolve_with(&input).unwrap_err().to_string();
    assert!(err.contains("expected a whole number"), "{err}");
}

#[test]
fn nan_is_refused_for_a_float_question() {
    let mut input = defaults();
    input.data = data(&["ratio=nan"]);
    let err = resolve_spec("ratio: 1.5\n", &input)
        .unwrap_err()
        .to_string();
    assert!(err.contains("finite number"), "{err}");
}

#[test]
fn unknown_keys_are_variables_unless_strict() {
    let mut input = defaults();
    input.data = data(&["colour=red"]);
    let answers = resolve_with(&input).unwrap();
    assert_eq!(render(&answers, "{{ colour }}"), "red");
    assert!(!answers.recorded().contains_key("colour"));
    input.strict_data = true;
    let err = resolve_with(&input).unwrap_err().to_string();
    assert!(err.starts_with("unknown question `colour`"), "{err}");
}

#[test]
fn unknown_keys_are_refused_when_strict() {
    let mut input = defaults();
    input.strict_data = true;
    input.data = data(&["colour=red"]);
    let err = resolve_with(&input).unwrap_err().to_string();
    assert!(err.starts_with("unknown question `colour`"), "{err}");
}

#[test]
fn without_defaults_or_terminal_a_missing_answer_names_its_flag() {
    let mut input = defaults();
    input.defaults = false;
    let err = resolve_with(&input).unwrap_err().to_string();
    assert!(err.contains("pass --name=VALUE"), "{err}");
}

#[test]
fn a_question_without_default_is_required_under_defaults_as_in_copier() {
    let err = resolve_spec("a:\n  type: str\n", &defaults()).unwrap_err();
    assert!(matches!(err, AnswerError::Required { .. }), "{err}");
    assert!(!err.to_string().contains("--defaults to"), "{err}");
}

#[test]
fn when_false_skips_the_validator_and_leaves_no_default_undefined() {
    let spec = "\
gone:
  type: str
  when: false
kept:
  type: str
  default: BAD
  when: false
  validator: \"{% if kept == 'BAD' %}never run{% endif %}\"
";
    let answers = resolve_spec(spec, &defaults()).unwrap();
    assert_eq!(answers.get("gone"), None);
    assert_eq!(answers.get("kept"), Some(Value::from("BAD")));
    assert_eq!(
        render(
            &answers,
            "{{ gone is undefined }} {{ gone is none }} [{{ gone }}]"
        ),
        "True False []"
    );
    assert!(answers.recorded().is_empty());
}

#[test]
fn secrets_are_never_recorded() {
    let spec = "_secret_questions: [token]\ntoken: abc\npassword:\n  type: str\n  secret: true\n  default: pw\nname: x\n";
    let answers = resolve_spec(spec, &defaults()).unwrap();
    assert_eq!(answers.get("token"), Some(Value::from("abc")));
    let names: Vec<String> = answers
        .copier_answers()
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(names, ["_src_path", "name"]);
    assert!(!answers.to_answers_file().contains("abc"));
}

#[test]
fn copier_variables_are_in_the_context() {
    let mut input = defaults();
    input.commit = Some("v1".into());
    input.conf.vcs_ref = Some("v1".into());
    let answers = resolve_with(&input).unwrap();
    assert_eq!(
        render(
            &answers,
            "{{ _copier_conf.answers_file }} {{ _copier_conf.vcs_ref }} {{ _copier_conf.sep }} {{ _folder_name }} {{ _copier_phase }} [{{ _copier_operation }}] {{ _copier_answers._commit }} {{ _copier_answers.kind }}"
        ),
        ".copier-answers.yml v1 / demo prompt [] v1 web"
    );
    answers.set_phase(Phase::Render);
    assert_eq!(render(&answers, "{{ _copier_phase }}"), "render");
}

#[test]
fn unset_in_a_default_means_no_default() {
    let spec =
        "a:\n  type: str\n  default: \"{{ UNSET }}\"\n  when: false\nb: \"{{ a is defined }}\"\n";
    let answers = resolve_spec(spec, &defaults()).unwrap();
    assert_eq!(answers.get("a"), None);
    assert_eq!(answers.get("b"), Some(Value::from("False")));
}

#[test]
fn templated_types_and_choices_are_rendered() {
    let spec = "\
big: true
n:
  type: \"{{ 'int' if big else 'str' }}\"
  default: \"7\"
pick:
  type: str
  choices: \"{{ ['x', 'y'] if big else ['z'] }}\"
  default: y
label:
  type: str
  choices:
    \"{{ 'Big' if big }} one\": one
  default: one
";
    let answers = resolve_spec(spec, &defaults()).unwrap();
    assert_eq!(answers.get("n"), Some(Value::from(7)));
    assert_eq!(answers.get("pick"), Some(Value::from("y")));
    let mut input = defaults();
    input.data = data(&["pick=z"]);
    assert!(resolve_spec(spec, &input).is_err());
}

#[test]
fn many_questions_resolve_in_linear_time() {
    use std::fmt::Write as _;
    let mut spec = String::new();
    for index in 0..10_000 {
        let _ = writeln!(spec, "q{index}:\n  type: int\n  default: {index}");
    }
    let answers = resolve_spec(&spec, &defaults()).unwrap();
    assert_eq!(answers.recorded().len(), 10_000);
}

#[test]
fn integers_beyond_i64_are_kept() {
    let answers = resolve_spec("big: 12345678901234567890\n", &defaults()).unwrap();
    assert_eq!(render(&answers, "{{ big }}"), "12345678901234567890");
}

#[test]
fn truthy_reads_copiers_words() {
    assert!(truthy("True"));
    assert!(!truthy(" false "));
    assert!(!truthy(""));
    assert!(!truthy("0"));
}

#[test]
fn mappings_keep_their_order_as_in_python() {
    let spec = "config:\n  type: yaml\n  default: {zeta: 1, alpha: 2, mid: 3}\n";
    let answers = resolve_spec(spec, &defaults()).unwrap();
    assert_eq!(
        render(&answers, "{% for key in config %}{{ key }} {% endfor %}"),
        "zeta alpha mid "
    );
}

#[test]
fn a_self_referencing_default_names_its_question_when_strict() {
    let spec = Spec::parse(
        "copier.yml",
        "other: 1\nloop:\n  type: str\n  default: \"{{ loop }}x\"\n",
    )
    .unwrap();
    let strict = Options {
        strict_undefined: true,
        ..Options::default()
    };
    let env = Renderer::for_template(&EnvOps::default(), None, &strict).unwrap();
    let err = resolve(&spec, &env, &defaults(), None)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("question `loop` refers to its own answer before it is given"),
        "{err}"
    );
    let lenient = resolve_spec(
        "loop:\n  type: str\n  default: \"{{ loop }}x\"\n",
        &defaults(),
    )
    .unwrap();
    assert_eq!(
        lenient.get("loop"),
        Some(Value::from("x")),
        "Copier prints it empty"
    );
}

/// Answers every prompt with the default it is shown, and keeps what it saw.
struct TakeDefault(Vec<(Value, Vec<Value>)>);

impl Prompter for TakeDefault {
    fn ask(&mut self, request: &PromptRequest<'_>) -> Result<Value, String> {
        let choices = request
            .choices
            .iter()
            .map(|choice| choice.value.clone())
            .collect();
        self.0.push((request.default.clone(), choices));
        Ok(request.default.clone())
    }

    fn refuse(&mut self, message: &str) {
        panic!("refused: {message}");
    }
}

#[test]
fn a_prompt_shows_typed_choices_with_the_default_among_them() {
    let spec = Spec::parse(
        "copier.yml",
        "port:\n  type: int\n  choices: ['80', '8080']\n  default: 8080\n",
    )
    .unwrap();
    let mut input = defaults();
    input.defaults = false;
    let mut prompter = TakeDefault(Vec::new());
    let answers = resolve(&spec, &env(), &input, Some(&mut prompter)).unwrap();
    assert_eq!(answers.get("port"), Some(Value::from(8080)));
    let (default, choices) = &prompter.0[0];
    assert!(choices.contains(default), "{default} in {choices:?}");
}

#[test]
fn data_is_in_the_context_before_its_question_comes() {
    let mut input = defaults();
    input.data = data(&["second=given"]);
    let spec = "first:\n  type: str\n  default: \"{{ second }}-x\"\nsecond: s\n";
    let answers = resolve_spec(spec, &input).unwrap();
    assert_eq!(answers.get("first"), Some(Value::from("given-x")));
}
