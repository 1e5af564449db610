//! Answers: where they come from, how they are typed and validated, and how
//! they are recorded.
//!
//! Precedence, lowest first: the template's defaults, an answers file, `--data`
//! and question flags, then prompts on a terminal for whatever is still open.
//! Every answer is cast to its question's type and validated (choices,
//! validator) before anything is rendered.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::jinja::{Environment as Renderer, TemplateError};
use crate::spec::{AnswerType, Choice, Question, Spec};

#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    #[error("unknown question `{key}` in {origin}; the template asks: {known}")]
    Unknown {
        key: String,
        origin: String,
        known: String,
    },
    #[error("invalid answer {value} for `{question}` ({origin}): {reason}")]
    Invalid {
        question: String,
        value: String,
        origin: String,
        reason: String,
    },
    #[error(
        "no answer for `{question}` and no terminal to ask on: pass {flag}=VALUE (or --data {question}=VALUE), or --defaults to take the template's defaults"
    )]
    Missing { question: String, flag: String },
    #[error("answers file `{path}`: {message}")]
    AnswersFile { path: String, message: String },
    #[error("prompt for `{question}` failed: {message}")]
    Prompt { question: String, message: String },
    #[error(transparent)]
    Render(#[from] TemplateError),
}

/// Asks a question on a terminal.
pub trait Prompter {
    /// Returns the raw typed answer; the caller validates it and asks again on error.
    fn ask(&mut self, question: &PromptRequest<'_>) -> Result<Value, String>;
    /// Shows why the last answer was refused.
    fn refuse(&mut self, message: &str);
}

/// Everything a prompt shows, rendered.
pub struct PromptRequest<'a> {
    pub question: &'a Question,
    pub help: Option<String>,
    pub default: Value,
    pub choices: Vec<Choice>,
    pub placeholder: Option<String>,
}

/// An answers file's values: from `--answers-file` (strict about unknown keys)
/// or recorded in a project (where questions the template dropped are ignored).
#[derive(Debug, Clone, Default)]
pub struct AnswersFile {
    pub path: String,
    pub values: Map<String, Value>,
    pub strict: bool,
}

impl AnswersFile {
    pub fn parse(path: &str, text: &str, strict: bool) -> Result<Self, AnswerError> {
        let error = |message: String| AnswerError::AnswersFile {
            path: path.to_owned(),
            message,
        };
        let values: Value = if text.trim().is_empty() {
            Value::Object(Map::new())
        } else {
            serde_norway::from_str(text).map_err(|err| error(format!("invalid YAML: {err}")))?
        };
        let Value::Object(values) = values else {
            return Err(error(
                "expected a mapping of question names to answers".into(),
            ));
        };
        Ok(Self {
            path: path.to_owned(),
            values,
            strict,
        })
    }

    /// A recorded metadata value such as `_src_path` or `_commit`.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.values.get(key).and_then(Value::as_str)
    }
}

/// Where an answer given on the command line came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataOrigin {
    Data,
    Flag,
}

/// One `--data KEY=VALUE` or `--question-flag VALUE`, not yet typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataItem {
    pub key: String,
    pub raw: String,
    pub origin: DataOrigin,
}

impl DataItem {
    /// Parses `KEY=VALUE`.
    pub fn parse(item: &str) -> Result<Self, String> {
        let (key, raw) = item
            .split_once('=')
            .ok_or_else(|| format!("`--data {item}` must be KEY=VALUE"))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(format!("`--data {item}` has an empty KEY"));
        }
        Ok(Self {
            key: key.to_owned(),
            raw: raw.to_owned(),
            origin: DataOrigin::Data,
        })
    }

    fn describe(&self, question: &Question) -> String {
        match self.origin {
            DataOrigin::Data => format!("--data {}", self.key),
            DataOrigin::Flag => question.flag(),
        }
    }
}

/// Everything answers are resolved from.
#[derive(Debug, Clone, Default)]
pub struct AnswerInput {
    /// The destination folder's name (`_folder_name`).
    pub folder_name: String,
    pub answers_file: Option<AnswersFile>,
    pub data: Vec<DataItem>,
    /// Take defaults for everything not given; never prompt.
    pub defaults: bool,
    /// `_src_path` and `_commit` to record.
    pub src_path: String,
    pub commit: Option<String>,
    /// The answers file's name inside the project (`_copier_conf.answers_file`).
    pub answers_file_name: String,
}

/// The resolved answers, in question order.
#[derive(Debug, Clone, PartialEq)]
pub struct Answers {
    values: Vec<(String, Value)>,
    recorded: BTreeSet<String>,
    folder_name: String,
    src_path: String,
    commit: Option<String>,
    answers_file_name: String,
}

impl Answers {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// The answers written to the answers file: asked questions, no secrets.
    pub fn recorded(&self) -> BTreeMap<String, Value> {
        self.values
            .iter()
            .filter(|(name, _)| self.recorded.contains(name))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect()
    }

    fn metadata(&self) -> BTreeMap<String, Value> {
        let mut all = self.recorded();
        if let Some(commit) = &self.commit {
            all.insert("_commit".into(), Value::from(commit.clone()));
        }
        all.insert("_src_path".into(), Value::from(self.src_path.clone()));
        all
    }

    /// The answers file's text, in the shape of Copier's.
    pub fn to_answers_file(&self) -> String {
        let body = serde_norway::to_string(&self.metadata()).unwrap_or_default();
        format!(
            "# Changes here will be overwritten by `scaffold update`; do not edit by hand.\n{body}"
        )
    }

    /// The Jinja context: every answer plus Copier's `_folder_name`,
    /// `_copier_answers` and `_copier_conf`.
    pub fn context(&self) -> minijinja::Value {
        let mut map = self.variables();
        map.insert(
            "_copier_answers".into(),
            serde_json::to_value(self.metadata()).unwrap_or_default(),
        );
        jinja_value(&map)
    }

    /// The answers so far plus Copier's `_folder_name` and `_copier_conf`.
    fn variables(&self) -> Map<String, Value> {
        let mut map: Map<String, Value> = self.values.iter().cloned().collect();
        map.insert("_folder_name".into(), Value::from(self.folder_name.clone()));
        map.insert(
            "_copier_conf".into(),
            serde_json::json!({
                "answers_file": self.answers_file_name,
                "src_path": self.src_path,
                "dst_path": ".",
                "sep": "/",
                "os": "linux",
            }),
        );
        map
    }
}

fn jinja_value(map: &Map<String, Value>) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(map))
}

pub use crate::jinja::truthy;

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" | "t" | "true" | "on" | "1" => Some(true),
        "n" | "no" | "f" | "false" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// Casts a string typed on the command line or at a prompt to the question's type.
pub fn cast(question: &Question, raw: &str) -> Result<Value, String> {
    if question.multiselect {
        let trimmed = raw.trim();
        if trimmed.starts_with('[') {
            return serde_norway::from_str(trimmed)
                .map_err(|err| format!("expected a YAML list: {err}"));
        }
        return trimmed
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| cast_scalar(question.kind, item))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    cast_scalar(question.kind, raw)
}

fn cast_scalar(kind: AnswerType, raw: &str) -> Result<Value, String> {
    match kind {
        AnswerType::Str => Ok(Value::from(raw)),
        AnswerType::Int => raw
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| "expected a whole number".into()),
        AnswerType::Float => raw
            .trim()
            .parse::<f64>()
            .map(Value::from)
            .map_err(|_| "expected a number".into()),
        AnswerType::Bool => parse_bool(raw)
            .map(Value::from)
            .ok_or_else(|| "expected true or false".into()),
        AnswerType::Yaml => {
            if raw.trim().is_empty() {
                Ok(Value::Null)
            } else {
                serde_norway::from_str(raw).map_err(|err| format!("expected YAML: {err}"))
            }
        }
        AnswerType::Json => {
            serde_json::from_str(raw).map_err(|err| format!("expected JSON: {err}"))
        }
    }
}

/// Brings an already typed value (from YAML or a default) to the question's type.
fn coerce(question: &Question, value: Value) -> Result<Value, String> {
    if question.multiselect {
        return match value {
            Value::Array(items) => items
                .into_iter()
                .map(|item| coerce_scalar(question.kind, item))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Value::Null => Ok(Value::Array(Vec::new())),
            Value::String(text) => cast(question, &text),
            _ => Err("expected a list of choices".into()),
        };
    }
    coerce_scalar(question.kind, value)
}

fn coerce_scalar(kind: AnswerType, value: Value) -> Result<Value, String> {
    match (kind, value) {
        (_, Value::Null) => Ok(Value::Null),
        // Copier parses strings given to yaml and json questions (choices included).
        (AnswerType::Yaml | AnswerType::Json, Value::String(text)) => cast_scalar(kind, &text),
        (AnswerType::Yaml | AnswerType::Json, value) => Ok(value),
        (_, Value::String(text)) => cast_scalar(kind, &text),
        (AnswerType::Str, Value::Number(number)) => Ok(Value::from(number.to_string())),
        (AnswerType::Str, Value::Bool(flag)) => Ok(Value::from(flag.to_string())),
        (AnswerType::Int, Value::Number(number)) if number.is_i64() || number.is_u64() => {
            Ok(Value::Number(number))
        }
        (AnswerType::Float, Value::Number(number)) => {
            Ok(Value::from(number.as_f64().unwrap_or_default()))
        }
        (AnswerType::Bool, Value::Bool(flag)) => Ok(Value::Bool(flag)),
        (kind, other) => Err(format!(
            "expected a value of type {}, got {other}",
            kind.name()
        )),
    }
}

fn display_value(value: &Value) -> String {
    match value {
        Value::String(text) => format!("`{text}`"),
        other => format!("`{other}`"),
    }
}

/// Resolves every question of `spec`, asking `prompter` where allowed.
pub fn resolve(
    spec: &Spec,
    renderer: &Renderer,
    input: &AnswerInput,
    mut prompter: Option<&mut dyn Prompter>,
) -> Result<Answers, AnswerError> {
    let known = || {
        spec.questions
            .iter()
            .map(|question| question.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for item in &input.data {
        if spec.question(&item.key).is_none() {
            return Err(AnswerError::Unknown {
                key: item.key.clone(),
                origin: format!("--data {}", item.key),
                known: known(),
            });
        }
    }
    if let Some(file) = input.answers_file.as_ref().filter(|file| file.strict) {
        if let Some(key) = file
            .values
            .keys()
            .find(|key| !key.starts_with('_') && spec.question(key).is_none())
        {
            return Err(AnswerError::Unknown {
                key: key.clone(),
                origin: format!("answers file `{}`", file.path),
                known: known(),
            });
        }
    }

    let mut answers = Answers {
        values: Vec::new(),
        recorded: BTreeSet::new(),
        folder_name: input.folder_name.clone(),
        src_path: input.src_path.clone(),
        commit: input.commit.clone(),
        answers_file_name: input.answers_file_name.clone(),
    };
    for question in &spec.questions {
        let context = partial_context(&answers);
        let asked = question
            .when
            .holds(renderer, &format!("{}.when", question.name), &context)?;
        let given = input
            .data
            .iter()
            .rev()
            .find(|item| item.key == question.name);
        let value = if let Some(item) = given {
            let origin = item.describe(question);
            let value = cast(question, &item.raw).map_err(|reason| AnswerError::Invalid {
                question: question.name.clone(),
                value: format!("`{}`", item.raw),
                origin: origin.clone(),
                reason,
            })?;
            validate(renderer, &answers, question, value, &origin)?
        } else if let Some((file, value)) = input
            .answers_file
            .as_ref()
            .and_then(|file| file.values.get(&question.name).map(|value| (file, value)))
        {
            let origin = format!("answers file `{}`", file.path);
            let value = coerce(question, value.clone()).map_err(|reason| AnswerError::Invalid {
                question: question.name.clone(),
                value: display_value(value),
                origin: origin.clone(),
                reason,
            })?;
            validate(renderer, &answers, question, value, &origin)?
        } else if !asked || input.defaults {
            let value = default_value(renderer, &context, question)?;
            validate(
                renderer,
                &answers,
                question,
                value,
                "the template's default",
            )?
        } else if let Some(prompter) = prompter.as_deref_mut() {
            ask(renderer, &answers, &context, question, prompter)?
        } else {
            return Err(AnswerError::Missing {
                question: question.name.clone(),
                flag: question.flag(),
            });
        };
        if asked && !question.secret {
            answers.recorded.insert(question.name.clone());
        }
        answers.values.push((question.name.clone(), value));
    }
    Ok(answers)
}

fn partial_context(answers: &Answers) -> minijinja::Value {
    jinja_value(&answers.variables())
}

/// Renders every string inside a default, then brings it to the question's type.
fn default_value(
    renderer: &Renderer,
    context: &minijinja::Value,
    question: &Question,
) -> Result<Value, AnswerError> {
    let Some(default) = &question.default else {
        return Ok(if question.multiselect {
            Value::Array(Vec::new())
        } else {
            Value::Null
        });
    };
    let name = format!("{}.default", question.name);
    let rendered = render_value(renderer, &name, context, default)?;
    let value = match (&rendered, default) {
        (Value::String(text), Value::String(_)) => cast(question, text),
        _ => coerce(question, rendered.clone()),
    };
    value.map_err(|reason| AnswerError::Invalid {
        question: question.name.clone(),
        value: display_value(&rendered),
        origin: "the template's default".into(),
        reason,
    })
}

fn render_value(
    renderer: &Renderer,
    name: &str,
    context: &minijinja::Value,
    value: &Value,
) -> Result<Value, AnswerError> {
    Ok(match value {
        Value::String(text) => Value::from(renderer.render(name, text, context)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| render_value(renderer, name, context, item))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(key, item)| Ok((key.clone(), render_value(renderer, name, context, item)?)))
                .collect::<Result<_, AnswerError>>()?,
        ),
        other => other.clone(),
    })
}

/// The choices not disabled by their validator.
fn enabled_choices(
    renderer: &Renderer,
    context: &minijinja::Value,
    question: &Question,
) -> Result<Vec<Choice>, AnswerError> {
    let mut enabled = Vec::new();
    for choice in &question.choices {
        let disabled = match &choice.validator {
            Some(validator) => !renderer
                .render(&format!("{}.choices", question.name), validator, context)?
                .trim()
                .is_empty(),
            None => false,
        };
        if !disabled {
            enabled.push(choice.clone());
        }
    }
    Ok(enabled)
}

fn choice_list(choices: &[Choice]) -> String {
    choices
        .iter()
        .map(|choice| match &choice.value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks choices and the validator; returns the value when it passes.
fn validate(
    renderer: &Renderer,
    answers: &Answers,
    question: &Question,
    value: Value,
    origin: &str,
) -> Result<Value, AnswerError> {
    check(renderer, answers, question, &value).map_err(|reason| match reason {
        Check::Refused(reason) => AnswerError::Invalid {
            question: question.name.clone(),
            value: display_value(&value),
            origin: origin.to_owned(),
            reason,
        },
        Check::Failed(err) => err,
    })?;
    Ok(value)
}

enum Check {
    Refused(String),
    Failed(AnswerError),
}

impl From<AnswerError> for Check {
    fn from(err: AnswerError) -> Self {
        Self::Failed(err)
    }
}

impl From<TemplateError> for Check {
    fn from(err: TemplateError) -> Self {
        Self::Failed(err.into())
    }
}

fn check(
    renderer: &Renderer,
    answers: &Answers,
    question: &Question,
    value: &Value,
) -> Result<(), Check> {
    let mut variables = answers.variables();
    variables.insert(question.name.clone(), value.clone());
    let context = jinja_value(&variables);
    if !question.choices.is_empty() {
        let choices = enabled_choices(renderer, &context, question)?;
        let allowed = |item: &Value| {
            choices.iter().any(|choice| {
                coerce_scalar(question.kind, choice.value.clone()).is_ok_and(|typed| typed == *item)
                    || choice.value == *item
            })
        };
        let items: Vec<&Value> = match value {
            Value::Array(items) if question.multiselect => items.iter().collect(),
            other => vec![other],
        };
        if let Some(bad) = items.into_iter().find(|item| !allowed(item)) {
            let prefix = if question.multiselect {
                format!("{} is not a choice; ", display_value(bad))
            } else {
                String::new()
            };
            return Err(Check::Refused(format!(
                "{prefix}expected one of: {}",
                choice_list(&choices)
            )));
        }
    }
    if let Some(validator) = &question.validator {
        let message =
            renderer.render(&format!("{}.validator", question.name), validator, &context)?;
        let message = message.trim();
        if !message.is_empty() {
            return Err(Check::Refused(message.to_owned()));
        }
    }
    Ok(())
}

fn ask(
    renderer: &Renderer,
    answers: &Answers,
    context: &minijinja::Value,
    question: &Question,
    prompter: &mut dyn Prompter,
) -> Result<Value, AnswerError> {
    let render_opt = |field: &str, text: &Option<String>| -> Result<Option<String>, AnswerError> {
        text.as_ref()
            .map(|text| renderer.render(&format!("{}.{field}", question.name), text, context))
            .transpose()
            .map_err(AnswerError::from)
    };
    let request = PromptRequest {
        question,
        help: render_opt("help", &question.help)?,
        default: default_value(renderer, context, question)?,
        choices: enabled_choices(renderer, context, question)?,
        placeholder: render_opt("placeholder", &question.placeholder)?,
    };
    loop {
        let value = prompter
            .ask(&request)
            .map_err(|message| AnswerError::Prompt {
                question: question.name.clone(),
                message,
            })?;
        match check(renderer, answers, question, &value) {
            Ok(()) => return Ok(value),
            Err(Check::Refused(reason)) => prompter.refuse(&reason),
            Err(Check::Failed(err)) => return Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::EnvOps;

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

    fn resolve_with(input: &AnswerInput) -> Result<Answers, AnswerError> {
        let spec = Spec::parse("copier.yml", SPEC).unwrap();
        let renderer = Renderer::new(&EnvOps::default()).unwrap();
        resolve(&spec, &renderer, input, None)
    }

    fn defaults() -> AnswerInput {
        AnswerInput {
            folder_name: "demo".into(),
            defaults: true,
            src_path: "test".into(),
            answers_file_name: ".scaffold-answers.yml".into(),
            ..AnswerInput::default()
        }
    }

    #[test]
    fn defaults_render_over_earlier_answers() {
        let answers = resolve_with(&defaults()).unwrap();
        assert_eq!(answers.get("name"), Some(&Value::from("demo")));
        assert_eq!(answers.get("slug"), Some(&Value::from("DEMO-8000")));
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
        input.data = vec![DataItem::parse("port=9100").unwrap()];
        let answers = resolve_with(&input).unwrap();
        assert_eq!(answers.get("port"), Some(&Value::from(9100)));
    }

    #[test]
    fn a_choice_outside_the_list_names_what_is_allowed() {
        let mut input = defaults();
        input.data = vec![DataItem::parse("kind=gui").unwrap()];
        let err = resolve_with(&input).unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid answer `gui` for `kind` (--data kind): expected one of: web, cli"
        );
    }

    #[test]
    fn validator_message_is_the_reason() {
        let mut input = defaults();
        input.data = vec![DataItem::parse("name=Bad").unwrap()];
        let err = resolve_with(&input).unwrap_err().to_string();
        assert!(err.ends_with("lowercase letters only"), "{err}");
    }

    #[test]
    fn wrong_type_is_refused() {
        let mut input = defaults();
        input.data = vec![DataItem::parse("port=eighty").unwrap()];
        let err = resolve_with(&input).unwrap_err().to_string();
        assert!(err.contains("expected a whole number"), "{err}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let mut input = defaults();
        input.data = vec![DataItem::parse("colour=red").unwrap()];
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
    fn answers_file_records_metadata_and_asked_questions() {
        let mut input = defaults();
        input.commit = Some("1.2.3".into());
        let text = resolve_with(&input).unwrap().to_answers_file();
        assert!(
            text.contains("_commit: 1.2.3\n_src_path: test\nkind: web\nname: demo\nport: 8000\n"),
            "{text}"
        );
    }

    #[test]
    fn truthy_reads_copiers_words() {
        assert!(truthy("True"));
        assert!(!truthy(" false "));
        assert!(!truthy(""));
        assert!(!truthy("0"));
    }
}
