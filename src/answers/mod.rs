//! Answers: where they come from, how they are typed and validated, and how
//! they are recorded.
//!
//! Precedence, lowest first: the template's defaults, an answers file,
//! `--data-file`, `--data` and question flags, then prompts on a terminal for
//! whatever is still open. Every answer is cast to its question's type and
//! checked against its choices and validator as Copier 9 does.

mod cast;
mod context;
mod external;
mod input;
mod question;
mod resolve;

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::jinja::TemplateError;
use crate::spec::{AnswerType, Question};

pub use context::{Fixed, Phase};
pub use input::{AnswersFile, DataItem, DataOrigin, parse_mapping};
pub use question::ResolvedChoice;

use context::{Scope, Store};
pub use resolve::resolve;

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
    #[error("_external_data.{name}: {message}")]
    External { name: String, message: String },
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
    /// Refuse `--data` keys that answer no question (scaffold's builtin
    /// templates); Copier, and scaffold for other templates, takes them as
    /// variables that are not recorded.
    pub strict_data: bool,
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

    /// Sets `_copier_conf.answers_file` (Copier renders `_answers_file` with the answers).
    pub fn set_answers_file(&self, path: &str) {
        self.store.set_answers_file(path);
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

fn conf(input: &AnswerInput) -> Value {
    let data: Map<String, Value> = input
        .data
        .iter()
        .map(|item| (item.key.clone(), item.value.clone()))
        .collect();
    let conf = &input.conf;
    serde_json::json!({
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
    })
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
