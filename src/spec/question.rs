//! One question of `copier.yml`, as Copier reads it.

use serde_json::Value;
use serde_norway::Value as Yaml;

use super::{string, to_json, when};

/// The type an answer is cast to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerType {
    Str,
    Int,
    Float,
    Bool,
    Yaml,
    Json,
    /// A string Copier asks with a path completer.
    Path,
}

impl AnswerType {
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "str" => Self::Str,
            "int" => Self::Int,
            "float" => Self::Float,
            "bool" => Self::Bool,
            "yaml" => Self::Yaml,
            "json" => Self::Json,
            "path" => Self::Path,
            _ => return None,
        })
    }

    /// Copier's rule for a question without `type`: the default's type, else yaml.
    fn infer(default: Option<&Value>) -> Self {
        match default {
            Some(Value::String(_)) => Self::Str,
            Some(Value::Bool(_)) => Self::Bool,
            Some(Value::Number(number)) if number.is_i64() || number.is_u64() => Self::Int,
            Some(Value::Number(_)) => Self::Float,
            _ => Self::Yaml,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Str => "str",
            Self::Int => "int",
            Self::Float => "float",
            Self::Bool => "bool",
            Self::Yaml => "yaml",
            Self::Json => "json",
            Self::Path => "path",
        }
    }
}

/// A `when:` (or `ask:`) condition: a constant or a Jinja template rendered to a boolean.
#[derive(Debug, Clone, PartialEq)]
pub enum When {
    Always,
    Never,
    Template(String),
}

/// One of a question's `choices`, as written: label and value may be templates.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub label: String,
    pub value: Value,
    /// A Jinja template; when it renders non-empty the choice is disabled.
    pub validator: Option<String>,
}

/// A question's `choices`: a list, or a template rendered to a YAML list or mapping.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Choices {
    #[default]
    None,
    List(Vec<Choice>),
    Template(String),
}

impl Choices {
    pub fn is_empty(&self) -> bool {
        match self {
            Self::None => true,
            Self::List(choices) => choices.is_empty(),
            Self::Template(_) => false,
        }
    }

    /// The choices as written, none for a templated list.
    pub fn listed(&self) -> &[Choice] {
        match self {
            Self::List(choices) => choices,
            Self::None | Self::Template(_) => &[],
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub name: String,
    /// The type, or the type inferred from the default when `type` is a template.
    pub kind: AnswerType,
    /// `type:` when it is a Jinja template, rendered each time it is needed.
    pub kind_template: Option<String>,
    pub help: Option<String>,
    pub default: Option<Value>,
    pub choices: Choices,
    pub multiselect: bool,
    pub multiline: When,
    pub validator: Option<String>,
    pub when: When,
    pub ask: When,
    pub secret: bool,
    pub placeholder: Option<String>,
    /// The module that asks the question, `None` for the base template.
    pub module: Option<String>,
}

impl Question {
    /// The command-line flag that answers this question.
    pub fn flag(&self) -> String {
        format!("--{}", self.name.replace('_', "-"))
    }

    /// Whether the name can be a command-line flag: letters, digits and `_`,
    /// starting with a letter. Others are answered with `--data NAME=VALUE`.
    pub fn has_flag_name(&self) -> bool {
        let mut chars = self.name.chars();
        chars
            .next()
            .is_some_and(|first| first.is_ascii_alphabetic())
            && chars.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
    }
}

/// Names Copier refuses for questions: they are its own context variables.
const COPIER_NAMES: &[&str] = &["now", "make_secret"];

pub(super) fn parse(name: &str, value: Yaml, module: Option<&str>) -> Result<Question, String> {
    if COPIER_NAMES.contains(&name) {
        return Err("this name is taken by Copier's own `now` and `make_secret`; rename it".into());
    }
    let mut question = Question {
        name: name.to_owned(),
        kind: AnswerType::Yaml,
        kind_template: None,
        help: None,
        default: None,
        choices: Choices::None,
        multiselect: false,
        multiline: When::Never,
        validator: None,
        when: When::Always,
        ask: When::Always,
        secret: false,
        placeholder: None,
        module: module.map(str::to_owned),
    };
    let mut kind = None;
    match value {
        Yaml::Mapping(fields) => {
            for (field, value) in fields {
                let Yaml::String(field) = field else {
                    return Err("field names must be strings".into());
                };
                match field.as_str() {
                    "type" => {
                        let name = string("type", &value)?;
                        match AnswerType::parse(&name) {
                            Some(parsed) => kind = Some(parsed),
                            None if name.contains("{{") || name.contains("{%") => {
                                question.kind_template = Some(name);
                            }
                            None => {
                                return Err(format!(
                                    "unknown type `{name}`; use str, int, float, bool, yaml, json or path"
                                ));
                            }
                        }
                    }
                    "help" => question.help = Some(string("help", &value)?),
                    "default" => question.default = Some(to_json(&value)?),
                    "choices" => question.choices = choices(&value)?,
                    "multiselect" => {
                        question.multiselect =
                            value.as_bool().ok_or("`multiselect` must be a boolean")?;
                    }
                    "multiline" => question.multiline = when("multiline", &value)?,
                    "validator" => question.validator = Some(string("validator", &value)?),
                    "when" => question.when = when("when", &value)?,
                    "ask" => question.ask = when("ask", &value)?,
                    "secret" => {
                        question.secret = value.as_bool().ok_or("`secret` must be a boolean")?;
                    }
                    "placeholder" => question.placeholder = Some(string("placeholder", &value)?),
                    "qmark" => {}
                    other => return Err(format!("unknown field `{other}`")),
                }
            }
        }
        // `name: value` is a question whose default is the value.
        other => question.default = Some(to_json(&other)?),
    }
    question.kind = kind.unwrap_or_else(|| AnswerType::infer(question.default.as_ref()));
    if question.multiselect && question.choices.is_empty() {
        return Err("`multiselect` needs `choices`".into());
    }
    Ok(question)
}

fn label_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn choice_value(value: &Yaml) -> Result<(Value, Option<String>), String> {
    if let Yaml::Mapping(fields) = value {
        let Some(inner) = fields.get("value") else {
            return Err("a choice written as a mapping needs `value`".into());
        };
        let validator = fields
            .get("validator")
            .map(|validator| string("validator", validator))
            .transpose()?;
        return Ok((to_json(inner)?, validator));
    }
    Ok((to_json(value)?, None))
}

/// Reads `choices`: a list (of values or `[label, value]` pairs), a mapping
/// of labels to values, or a template string.
pub fn choices(value: &Yaml) -> Result<Choices, String> {
    let list = match value {
        Yaml::String(template) => return Ok(Choices::Template(template.clone())),
        Yaml::Sequence(items) => items
            .iter()
            .map(|item| match item {
                Yaml::Sequence(pair) if pair.len() == 2 => {
                    let (value, validator) = choice_value(&pair[1])?;
                    Ok(Choice {
                        label: label_of(&to_json(&pair[0])?),
                        value,
                        validator,
                    })
                }
                other => {
                    let value = to_json(other)?;
                    Ok(Choice {
                        label: label_of(&value),
                        value,
                        validator: None,
                    })
                }
            })
            .collect::<Result<_, String>>()?,
        Yaml::Mapping(entries) => entries
            .iter()
            .map(|(label, value)| {
                let (value, validator) = choice_value(value)?;
                Ok(Choice {
                    label: label_of(&to_json(label)?),
                    value,
                    validator,
                })
            })
            .collect::<Result<_, String>>()?,
        _ => return Err("`choices` must be a list, a mapping or a template".into()),
    };
    Ok(Choices::List(list))
}
