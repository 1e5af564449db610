//! Answers: where they come from, how they are typed and validated, and how
//! they are recorded.
//!
//! Precedence, lowest first: the template's defaults, an answers file,
//! `--data-file`, `--data` and question flags, then prompts on a terminal for
//! whatever is still open. Every answer is cast to its question's type and
//! checked against its choices and validator as Copier 9 does.

mod cast;
mod context;
mod input;
mod question;

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::jinja::{Environment as Renderer, TemplateError};
use crate::spec::{AnswerType, Question, Spec};

pub use context::{Fixed, Phase};
pub use input::{AnswersFile, DataItem, DataOrigin, parse_mapping};
pub use question::ResolvedChoice;

use context::{Scope, Store};
use question::{Bound, Refusal};

pub use crate::jinja::truthy;

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
        "the template's default {value} for `{question}` is invalid: {reason}; the template must be fixed (or pass --data {question}=VALUE)"
    )]
    BadDefault {
        question: String,
        value: String,
        reason: String,
    },
    #[error("question `{question}`: {message}")]
    BadTemplate { question: String, message: String },
    #[error("question `{question}` refers to its own answer before it is given: {source}")]
    SelfReference {
        question: String,
        source: TemplateError,
    },
    #[error(
        "no answer for `{question}` and no terminal to ask on: pass {flag}=VALUE (or --data {question}=VALUE), or --defaults to take the template's defaults"
    )]
    Missing { question: String, flag: String },
    #[error(
        "question `{question}` has no default, so --defaults cannot answer it: pass {flag}=VALUE"
    )]
    Required { question: String, flag: String },
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
    pub kind: AnswerType,
    pub help: Option<String>,
    /// The default, typed; `Null` when there is none.
    pub default: Value,
    pub choices: Vec<ResolvedChoice>,
    pub placeholder: Option<String>,
    pub multiline: bool,
}

/// Copier's `_copier_conf` values that come from how scaffold was called.
#[derive(Debug, Clone, Default)]
pub struct ConfInput {
    /// The template's folder on disk (`_copier_conf.src_path`).
    pub src_path: String,
    /// The destination as given (`_copier_conf.dst_path`).
    pub dst_path: String,
    pub vcs_ref: Option<String>,
    pub vcs_ref_hash: Option<String>,
    pub skip_tasks: bool,
    pub trust: bool,
    pub pretend: bool,
}

/// Everything answers are resolved from.
#[derive(Debug, Clone, Default)]
pub struct AnswerInput {
    /// The destination folder's name (`_folder_name`).
    pub folder_name: String,
    pub answers_file: Option<AnswersFile>,
    /// `--data-file` entries, then `--data` and question flags (later wins).
    pub data: Vec<DataItem>,
    /// Take defaults for everything not given; never prompt.
    pub defaults: bool,
    /// `_src_path` and `_commit` to record.
    pub src_path: String,
    pub commit: Option<String>,
    /// The answers file's name inside the project (`_copier_conf.answers_file`).
    pub answers_file_name: String,
    pub conf: ConfInput,
    /// `_copier_operation`: `copy` (the default) or `update`.
    pub operation: Option<String>,
    /// `_external_data`, loaded.
    pub external: Map<String, Value>,
    /// Undefined variables are errors (`scaffold smoke`), not Copier's empty values.
    pub strict_undefined: bool,
}

/// The resolved answers and the context they make.
#[derive(Debug, Clone)]
pub struct Answers {
    store: Arc<Store>,
}

impl Answers {
    pub fn get(&self, name: &str) -> Option<Value> {
        self.store
            .read()
            .map
            .get(name)
            .map(|(value, _)| value.clone())
    }

    /// The answers written to the answers file: asked questions, no secrets.
    pub fn recorded(&self) -> std::collections::BTreeMap<String, Value> {
        let values = self.store.read();
        values
            .recorded
            .iter()
            .filter_map(|name| Some((name.clone(), values.map.get(name)?.0.clone())))
            .collect()
    }

    /// Copier's `_copier_answers`: `_commit`, `_src_path`, then the recorded answers.
    pub fn copier_answers(&self) -> Vec<(String, Value)> {
        self.store.copier_answers()
    }

    /// The answers file scaffold writes for its builtin templates.
    pub fn to_answers_file(&self) -> String {
        let all: std::collections::BTreeMap<String, Value> =
            self.copier_answers().into_iter().collect();
        let body = serde_norway::to_string(&all).unwrap_or_default();
        format!(
            "# Changes here will be overwritten by `scaffold update`; do not edit by hand.\n{body}"
        )
    }

    /// The Jinja context: every answer plus Copier's own variables.
    pub fn context(&self) -> minijinja::Value {
        Scope::value(&self.store, Vec::new())
    }

    /// The context with `extra` names laid over it.
    pub fn context_with(&self, extra: Vec<(String, minijinja::Value)>) -> minijinja::Value {
        Scope::value(&self.store, extra)
    }

    /// `_copier_operation`: `copy` or `update`.
    pub fn operation(&self) -> &str {
        &self.store.fixed.operation
    }

    /// Sets `_copier_phase`.
    pub fn set_phase(&self, phase: Phase) {
        self.store.set_phase(phase);
    }
}

/// A JSON value as a Jinja value.
pub fn to_jinja<T: serde::Serialize>(value: T) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(value))
}

fn display_value(value: &Value) -> String {
    match value {
        Value::String(text) => format!("`{text}`"),
        other => format!("`{other}`"),
    }
}

fn conf(input: &AnswerInput) -> minijinja::Value {
    let data: Map<String, Value> = input
        .data
        .iter()
        .map(|item| (item.key.clone(), item.value.clone()))
        .collect();
    let conf = &input.conf;
    to_jinja(serde_json::json!({
        "src_path": conf.src_path,
        "dst_path": conf.dst_path,
        "answers_file": input.answers_file_name,
        "vcs_ref": conf.vcs_ref,
        "vcs_ref_hash": conf.vcs_ref_hash,
        "data": data,
        "exclude": [],
        "use_prereleases": false,
        "skip_if_exists": [],
        "cleanup_on_error": true,
        "defaults": input.defaults,
        "user_defaults": {},
        "overwrite": false,
        "pretend": conf.pretend,
        "quiet": false,
        "conflict": "inline",
        "context_lines": 3,
        "unsafe": conf.trust,
        "skip_answered": false,
        "skip_tasks": conf.skip_tasks,
        "sep": std::path::MAIN_SEPARATOR_STR,
        "os": std::env::consts::OS,
    }))
}

/// Resolves every question of `spec`, asking `prompter` where allowed.
pub fn resolve(
    spec: &Spec,
    env: &Renderer,
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
    let mut given: HashMap<&str, &DataItem> = HashMap::new();
    for item in &input.data {
        if spec.question(&item.key).is_none() && !matches!(item.origin, DataOrigin::File(_)) {
            return Err(AnswerError::Unknown {
                key: item.key.clone(),
                origin: format!("--data {}", item.key),
                known: known(),
            });
        }
        given.insert(&item.key, item);
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

    let store = Store::new(Fixed {
        folder_name: input.folder_name.clone(),
        src_path: input.src_path.clone(),
        commit: input.commit.clone(),
        conf: conf(input),
        operation: input.operation.clone().unwrap_or_else(|| "copy".into()),
        external: crate::answers::to_jinja(&input.external),
    });
    let answers = Answers {
        store: Arc::clone(&store),
    };
    for question in &spec.questions {
        let bound = Bound {
            env,
            store: &store,
            question,
        };
        let context = answers.context();
        let asked = question
            .when
            .holds(env, &format!("{}.when", question.name), &context)?;
        let given = given.get(question.name.as_str()).copied();
        if !asked && question.default.is_none() && given.is_none() {
            // Copier leaves such a question undefined.
            continue;
        }
        let Some(value) = answer(
            &bound,
            input,
            given,
            asked,
            &context,
            prompter.as_deref_mut(),
        )?
        else {
            continue;
        };
        let mut values = store.write();
        let jinja = crate::answers::to_jinja(&value);
        if values
            .map
            .insert(question.name.clone(), (value, jinja))
            .is_none()
        {
            values.order.push(question.name.clone());
        }
        if asked && !question.secret {
            values.recorded.push(question.name.clone());
        }
    }
    add_unasked_data(&store, spec, input);
    order_recorded(&store, input);
    Ok(answers)
}

/// The answer to one question, or `None` when it stays undefined.
fn answer<'p>(
    bound: &Bound<'_>,
    input: &AnswerInput,
    given: Option<&DataItem>,
    asked: bool,
    context: &minijinja::Value,
    prompter: Option<&mut (dyn Prompter + 'p)>,
) -> Result<Option<Value>, AnswerError> {
    let question = bound.question;
    let env = bound.env;
    let kind = bound.kind()?;
    let choices = bound.choices(kind)?;
    let recorded = input
        .answers_file
        .as_ref()
        .filter(|_| asked)
        .and_then(|file| file.values.get(&question.name).map(|value| (file, value)));
    let value = if let Some(item) = given {
        let origin = item.describe(question);
        accept(bound, kind, &choices, &item.value, &origin)?
    } else if let Some((file, value)) = recorded
        .filter(|(file, value)| file.strict || accept(bound, kind, &choices, value, "").is_ok())
    {
        let origin = format!("answers file `{}`", file.path);
        accept(bound, kind, &choices, value, &origin)?
    } else if !asked
        || input.defaults
        || !question
            .ask
            .holds(env, &format!("{}.ask", question.name), context)?
    {
        match bound.default()? {
            Some(default) => {
                let checked = asked && !question.secret;
                template_default(bound, kind, &choices, &default, checked)?
            }
            None if asked && input.defaults => {
                return Err(AnswerError::Required {
                    question: question.name.clone(),
                    flag: flag_of(question),
                });
            }
            None => return Ok(None),
        }
    } else if let Some(prompter) = prompter {
        ask(bound, kind, choices, prompter)?
    } else {
        return Err(AnswerError::Missing {
            question: question.name.clone(),
            flag: flag_of(question),
        });
    };
    Ok(Some(value))
}

fn flag_of(question: &Question) -> String {
    if question.has_flag_name() {
        question.flag()
    } else {
        format!("--data {}", question.name)
    }
}

/// `--data-file` entries that answer no question are still variables, as in Copier.
fn add_unasked_data(store: &Arc<Store>, spec: &Spec, input: &AnswerInput) {
    let mut values = store.write();
    for item in &input.data {
        if spec.question(&item.key).is_none() && !values.map.contains_key(&item.key) {
            let jinja = crate::answers::to_jinja(&item.value);
            values
                .map
                .insert(item.key.clone(), (item.value.clone(), jinja));
            values.order.push(item.key.clone());
        }
    }
}

/// Copier lists recorded answers as its answer maps merge: those of the
/// answers file first, then those given as data, then the rest as asked.
fn order_recorded(store: &Arc<Store>, input: &AnswerInput) {
    let file_rank: HashMap<&str, usize> = input
        .answers_file
        .iter()
        .flat_map(|file| file.values.keys())
        .enumerate()
        .map(|(rank, key)| (key.as_str(), rank))
        .collect();
    let data_rank: HashMap<&str, usize> = input
        .data
        .iter()
        .enumerate()
        .map(|(rank, item)| (item.key.as_str(), rank))
        .collect();
    let mut values = store.write();
    let mut recorded: Vec<(usize, usize, String)> = values
        .recorded
        .drain(..)
        .enumerate()
        .map(
            |(asked, name)| match (file_rank.get(name.as_str()), data_rank.get(name.as_str())) {
                (Some(&rank), _) => (0, rank, name),
                (None, Some(&rank)) => (1, rank, name),
                (None, None) => (2, asked, name),
            },
        )
        .collect();
    recorded.sort();
    values.recorded = recorded.into_iter().map(|(_, _, name)| name).collect();
}

/// Casts, checks choices and runs the validator on an answer the user gave.
fn accept(
    bound: &Bound<'_>,
    kind: AnswerType,
    choices: &[ResolvedChoice],
    value: &Value,
    origin: &str,
) -> Result<Value, AnswerError> {
    let invalid = |reason: String| AnswerError::Invalid {
        question: bound.question.name.clone(),
        value: display_value(value),
        origin: origin.to_owned(),
        reason,
    };
    let parsed = match bound.parse(kind, choices, value) {
        Ok(parsed) => parsed,
        Err(Refusal::Invalid(reason)) => return Err(invalid(reason)),
        Err(Refusal::Failed(err)) => return Err(err),
    };
    match bound.validate(&parsed) {
        Ok(()) => Ok(parsed),
        Err(Refusal::Invalid(reason)) => Err(invalid(reason)),
        Err(Refusal::Failed(err)) => Err(err),
    }
}

/// The template's own default: a bad one is the template's fault. Computed
/// values (`when: false`) and secrets are not validated, as in Copier.
fn template_default(
    bound: &Bound<'_>,
    kind: AnswerType,
    choices: &[ResolvedChoice],
    value: &Value,
    validate: bool,
) -> Result<Value, AnswerError> {
    let bad = |reason: String| AnswerError::BadDefault {
        question: bound.question.name.clone(),
        value: display_value(value),
        reason,
    };
    let parsed = match bound.parse(kind, choices, value) {
        Ok(parsed) => parsed,
        Err(Refusal::Invalid(reason)) => return Err(bad(reason)),
        Err(Refusal::Failed(err)) => return Err(err),
    };
    if validate {
        match bound.validate(&parsed) {
            Ok(()) => {}
            Err(Refusal::Invalid(reason)) => return Err(bad(reason)),
            Err(Refusal::Failed(err)) => return Err(err),
        }
    }
    Ok(parsed)
}

fn ask(
    bound: &Bound<'_>,
    kind: AnswerType,
    choices: Vec<ResolvedChoice>,
    prompter: &mut dyn Prompter,
) -> Result<Value, AnswerError> {
    let question = bound.question;
    let context = Scope::value(bound.store, Vec::new());
    let render_opt = |field: &str, text: &Option<String>| -> Result<Option<String>, AnswerError> {
        text.as_ref()
            .map(|text| {
                bound
                    .env
                    .render(&format!("{}.{field}", question.name), text, &context)
            })
            .transpose()
            .map_err(AnswerError::from)
    };
    let default = match bound.default()? {
        Some(default) => bound.parse(kind, &choices, &default).unwrap_or(default),
        None => Value::Null,
    };
    let request = PromptRequest {
        question,
        kind,
        help: render_opt("help", &question.help)?,
        default,
        choices: choices
            .into_iter()
            .filter(|choice| choice.disabled.is_none())
            .collect(),
        placeholder: render_opt("placeholder", &question.placeholder)?,
        multiline: question.multiline.holds(
            bound.env,
            &format!("{}.multiline", question.name),
            &context,
        )?,
    };
    let all_choices = bound.choices(kind)?;
    loop {
        let value = prompter
            .ask(&request)
            .map_err(|message| AnswerError::Prompt {
                question: question.name.clone(),
                message,
            })?;
        let checked = bound
            .parse(kind, &all_choices, &value)
            .and_then(|parsed| bound.validate(&parsed).map(|()| parsed));
        match checked {
            Ok(parsed) => return Ok(parsed),
            Err(Refusal::Invalid(reason)) => prompter.refuse(&reason),
            Err(Refusal::Failed(err)) => return Err(err),
        }
    }
}

/// Casts text typed at a prompt to the question's type.
pub fn cast(kind: AnswerType, question: &Question, raw: &str) -> Result<Value, String> {
    if question.multiselect {
        return cast::list_items(&Value::from(raw))?
            .iter()
            .map(|item| cast::cast_scalar(kind, item))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    cast::cast_scalar(kind, &Value::from(raw))
}

#[cfg(test)]
mod tests;
