//! One question's templated parts, rendered as Copier renders them: its type,
//! choices, default and validator, each against the answers so far.

use std::sync::Arc;

use serde_json::Value;

use super::AnswerError;
use super::cast::{cast_scalar, list_items};
use super::context::{Scope, Store};
use crate::jinja::Environment;
use crate::spec::{AnswerType, Choice, Choices, Question};

/// Printed where a default uses `UNSET`: such a default means "no default".
const UNSET_MARK: &str = "\u{0}scaffold-unset\u{0}";

/// A choice with its label and value rendered, and why it is disabled, if it is.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedChoice {
    pub label: String,
    pub value: Value,
    pub disabled: Option<String>,
}

/// Why an answer is not accepted.
pub(super) enum Refusal {
    /// The answer is wrong; the message says why.
    Invalid(String),
    /// Rendering the question's templates failed.
    Failed(AnswerError),
}

impl From<crate::jinja::TemplateError> for Refusal {
    fn from(err: crate::jinja::TemplateError) -> Self {
        Self::Failed(err.into())
    }
}

/// One question bound to the environment and the answers so far.
pub(super) struct Bound<'a> {
    pub env: &'a Environment,
    pub store: &'a Arc<Store>,
    pub question: &'a Question,
}

impl Bound<'_> {
    fn context(&self) -> minijinja::Value {
        Scope::value(self.store, Vec::new())
    }

    fn render(&self, field: &str, text: &str) -> Result<String, AnswerError> {
        let name = format!("{}.{field}", self.question.name);
        self.env
            .render(&name, text, &self.context())
            .map_err(|err| self.name_self_reference(text, err))
    }

    /// A template that reads the question's own answer before it exists
    /// gets the question's name in its message.
    fn name_self_reference(&self, text: &str, err: crate::jinja::TemplateError) -> AnswerError {
        let name = &self.question.name;
        // The name as a variable, not as an attribute (`x.name`).
        let is_word = |ch: char| ch.is_alphanumeric() || ch == '_';
        let mentions_itself = text.match_indices(name.as_str()).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + name.len()..].chars().next();
            !before.is_some_and(|ch| is_word(ch) || ch == '.') && !after.is_some_and(is_word)
        });
        if mentions_itself && err.message.contains("undefined") {
            return AnswerError::SelfReference {
                question: name.clone(),
                source: err,
            };
        }
        err.into()
    }

    /// The type, rendered when `type:` is a template.
    pub fn kind(&self) -> Result<AnswerType, AnswerError> {
        let Some(template) = &self.question.kind_template else {
            return Ok(self.question.kind);
        };
        let rendered = self.render("type", template)?;
        AnswerType::parse(rendered.trim()).ok_or_else(|| AnswerError::BadTemplate {
            question: self.question.name.clone(),
            message: format!(
                "`type` renders to `{}`; use str, int, float, bool, yaml, json or path",
                rendered.trim()
            ),
        })
    }

    /// Renders every string of a value; lists item by item, mappings as they are.
    fn render_value(&self, field: &str, value: &Value) -> Result<Value, AnswerError> {
        Ok(match value {
            Value::String(text) => Value::from(self.render(field, text)?),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.render_value(field, item))
                    .collect::<Result<_, _>>()?,
            ),
            other => other.clone(),
        })
    }

    /// The choices, rendered; disabled ones carry their validator's message.
    pub fn choices(&self, kind: AnswerType) -> Result<Vec<ResolvedChoice>, AnswerError> {
        let listed = match &self.question.choices {
            Choices::None => return Ok(Vec::new()),
            Choices::List(choices) => choices.clone(),
            Choices::Template(template) => {
                let rendered = self.render("choices", template)?;
                let yaml: serde_norway::Value =
                    serde_norway::from_str(&rendered).map_err(|err| {
                        self.bad_template(format!("`choices` renders to invalid YAML: {err}"))
                    })?;
                match crate::spec::parse_choices(&yaml)
                    .map_err(|message| self.bad_template(message))?
                {
                    Choices::List(choices) => choices,
                    _ => Vec::new(),
                }
            }
        };
        listed
            .iter()
            .map(|choice| self.resolve_choice(kind, choice))
            .collect()
    }

    fn resolve_choice(
        &self,
        kind: AnswerType,
        choice: &Choice,
    ) -> Result<ResolvedChoice, AnswerError> {
        let label = self.render("choices", &choice.label)?;
        let value = self.render_value("choices", &choice.value)?;
        cast_scalar(kind, &value).map_err(|reason| {
            self.bad_template(format!(
                "choice `{label}` does not fit type {}: {reason}",
                kind.name()
            ))
        })?;
        let disabled = match &choice.validator {
            Some(validator) => Some(self.render("choices", validator)?.trim().to_owned())
                .filter(|message| !message.is_empty()),
            None => None,
        };
        Ok(ResolvedChoice {
            label,
            value,
            disabled,
        })
    }

    fn bad_template(&self, message: String) -> AnswerError {
        AnswerError::BadTemplate {
            question: self.question.name.clone(),
            message,
        }
    }

    /// The rendered default, not yet cast; `None` when there is none (or it uses `UNSET`).
    pub fn default(&self) -> Result<Option<Value>, AnswerError> {
        let Some(default) = &self.question.default else {
            return Ok(None);
        };
        let context = Scope::value(
            self.store,
            vec![("UNSET".to_owned(), minijinja::Value::from(UNSET_MARK))],
        );
        let rendered = render_with(self, default, &context)?;
        Ok((!contains_unset(&rendered)).then_some(rendered))
    }

    /// Casts `value` to the question's type and checks it against the choices.
    pub fn parse(
        &self,
        kind: AnswerType,
        choices: &[ResolvedChoice],
        value: &Value,
    ) -> Result<Value, Refusal> {
        if !self.question.multiselect {
            return Self::parse_one(kind, choices, value);
        }
        let items = list_items(value).map_err(Refusal::Invalid)?;
        let parsed = items
            .iter()
            .map(|item| {
                Self::parse_one(kind, choices, item).map_err(|refusal| match refusal {
                    Refusal::Invalid(reason) => {
                        let shown = match item {
                            Value::String(text) => text.clone(),
                            other => other.to_string(),
                        };
                        Refusal::Invalid(format!("`{shown}` is not a choice; {reason}"))
                    }
                    failed @ Refusal::Failed(_) => failed,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Copier keeps the choices' order.
        Ok(Value::Array(
            choices
                .iter()
                .filter_map(|choice| cast_scalar(kind, &choice.value).ok())
                .filter(|choice| parsed.contains(choice))
                .collect(),
        ))
    }

    fn parse_one(
        kind: AnswerType,
        choices: &[ResolvedChoice],
        value: &Value,
    ) -> Result<Value, Refusal> {
        let answer = cast_scalar(kind, value).map_err(Refusal::Invalid)?;
        if choices.is_empty() {
            return Ok(answer);
        }
        let mut valid = Vec::new();
        for choice in choices {
            let cast = cast_scalar(kind, &choice.value).unwrap_or(Value::Null);
            if cast == answer {
                return match &choice.disabled {
                    None => Ok(answer),
                    Some(message) => Err(Refusal::Invalid(message.clone())),
                };
            }
            if choice.disabled.is_none() {
                valid.push(match cast {
                    Value::String(text) => text,
                    other => other.to_string(),
                });
            }
        }
        Err(Refusal::Invalid(format!(
            "expected one of: {}",
            valid.join(", ")
        )))
    }

    /// Runs the validator with the answer in the context; its output is the refusal.
    pub fn validate(&self, answer: &Value) -> Result<(), Refusal> {
        let Some(validator) = &self.question.validator else {
            return Ok(());
        };
        let context = Scope::value(
            self.store,
            vec![(self.question.name.clone(), crate::answers::to_jinja(answer))],
        );
        let name = format!("{}.validator", self.question.name);
        let message = self.env.render(&name, validator, &context)?;
        let message = message.trim();
        if message.is_empty() {
            Ok(())
        } else {
            Err(Refusal::Invalid(message.to_owned()))
        }
    }
}

fn render_with(
    bound: &Bound<'_>,
    value: &Value,
    context: &minijinja::Value,
) -> Result<Value, AnswerError> {
    let name = format!("{}.default", bound.question.name);
    Ok(match value {
        Value::String(text) => Value::from(
            bound
                .env
                .render(&name, text, context)
                .map_err(|err| bound.name_self_reference(text, err))?,
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| render_with(bound, item, context))
                .collect::<Result<_, _>>()?,
        ),
        other => other.clone(),
    })
}

fn contains_unset(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains(UNSET_MARK),
        Value::Array(items) => items.iter().any(contains_unset),
        _ => false,
    }
}
