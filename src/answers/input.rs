//! Where answers come from besides prompts: an answers file, `--data-file`
//! and `--data KEY=VALUE`.

use serde_json::{Map, Value};

use super::AnswerError;
use crate::spec::Question;

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
        let values = parse_mapping(path, text)?;
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

/// A YAML mapping of names to values (an answers file or a `--data-file`).
pub fn parse_mapping(path: &str, text: &str) -> Result<Map<String, Value>, AnswerError> {
    let error = |message: String| AnswerError::AnswersFile {
        path: path.to_owned(),
        message,
    };
    let values: Value = if text.trim().is_empty() {
        Value::Object(Map::new())
    } else {
        serde_norway::from_str(text).map_err(|err| error(format!("invalid YAML: {err}")))?
    };
    match values {
        Value::Object(values) => Ok(values),
        Value::Null => Ok(Map::new()),
        _ => Err(error(
            "expected a mapping of question names to answers".into(),
        )),
    }
}

/// Where an answer given on the command line came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataOrigin {
    Data,
    Flag,
    /// `--data-file PATH`.
    File(String),
}

/// One `--data KEY=VALUE`, question flag or `--data-file` entry, not yet typed.
#[derive(Debug, Clone, PartialEq)]
pub struct DataItem {
    pub key: String,
    /// The value: a string from the command line, any YAML value from a data file.
    pub value: Value,
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
            value: Value::from(raw),
            origin: DataOrigin::Data,
        })
    }

    /// The entries of a `--data-file` (a YAML mapping), in file order.
    pub fn from_file(path: &str, text: &str) -> Result<Vec<Self>, AnswerError> {
        Ok(parse_mapping(path, text)?
            .into_iter()
            .map(|(key, value)| Self {
                key,
                value,
                origin: DataOrigin::File(path.to_owned()),
            })
            .collect())
    }

    pub(super) fn describe(&self, question: &Question) -> String {
        match &self.origin {
            DataOrigin::Data => format!("--data {}", self.key),
            DataOrigin::Flag => question.flag(),
            DataOrigin::File(path) => format!("--data-file {path}"),
        }
    }
}
