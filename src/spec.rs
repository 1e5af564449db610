//! The template's specification: `copier.yml` in Copier's format.
//!
//! Top-level keys starting with `_` are settings; every other key is a question,
//! kept in file order because later defaults may refer to earlier answers.
//! Modules (a scaffold extension, `_modules`) add their own questions after the
//! base template's.

use serde_json::Value;
use serde_norway::Value as Yaml;

pub use crate::jinja::EnvOps;
use crate::jinja::{self, TemplateError};
use crate::source::{Source, SourceError};

/// Files Copier never copies from a template, whatever `_exclude` says.
pub const DEFAULT_EXCLUDE: &[&str] = &[
    "copier.yml",
    "copier.yaml",
    "~*",
    "*.py[co]",
    "__pycache__",
    ".git",
    ".DS_Store",
    ".svn",
];

/// Settings Copier knows that scaffold reads but does not act on.
const IGNORED_SETTINGS: &[&str] = &[
    "_min_copier_version",
    "_jinja_extensions",
    "_tasks",
    "_migrations",
    "_preserve_symlinks",
    "_message_before_copy",
    "_message_before_update",
    "_message_after_update",
    "_external_data",
    "_secret_questions",
    "_skip_tasks",
    "_clean_on_error",
    "_overwrite",
    "_unsafe",
];

#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct SpecError {
    pub file: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Spec(#[from] SpecError),
}

/// The type an answer is cast to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerType {
    Str,
    Int,
    Float,
    Bool,
    Yaml,
    Json,
}

impl AnswerType {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "str" => Self::Str,
            "int" => Self::Int,
            "float" => Self::Float,
            "bool" => Self::Bool,
            "yaml" => Self::Yaml,
            "json" => Self::Json,
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
        }
    }
}

/// A `when:` condition: a constant or a Jinja template rendered to a boolean.
#[derive(Debug, Clone, PartialEq)]
pub enum When {
    Always,
    Never,
    Template(String),
}

impl When {
    /// Whether the condition holds; `name` names it in errors.
    pub fn holds(
        &self,
        env: &jinja::Environment,
        name: &str,
        context: &minijinja::Value,
    ) -> Result<bool, TemplateError> {
        match self {
            Self::Always => Ok(true),
            Self::Never => Ok(false),
            Self::Template(source) => env.condition(name, source, context),
        }
    }
}

/// One of a question's `choices`.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub label: String,
    pub value: Value,
    /// A Jinja template; when it renders non-empty the choice is disabled.
    pub validator: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub name: String,
    pub kind: AnswerType,
    pub help: Option<String>,
    pub default: Option<Value>,
    pub choices: Vec<Choice>,
    pub multiselect: bool,
    pub validator: Option<String>,
    pub when: When,
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
}

/// A module layered onto the template when `when` holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    pub name: String,
    /// Folder of the module, relative to the source's root.
    pub dir: String,
    pub when: When,
}

/// How `scaffold smoke` varies the answers (`_smoke`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SmokeSpec {
    /// Each combination is a map of answers laid over the defaults.
    pub combinations: Vec<serde_json::Map<String, Value>>,
    /// Shell commands run in each rendered project.
    pub checks: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub questions: Vec<Question>,
    pub modules: Vec<Module>,
    pub subdirectory: Option<String>,
    pub exclude: Vec<String>,
    pub skip_if_exists: Vec<String>,
    pub templates_suffix: String,
    pub answers_file: Option<String>,
    pub message_after_copy: Option<String>,
    pub envops: EnvOps,
    pub smoke: Option<SmokeSpec>,
    /// Settings present in the file that scaffold does not act on.
    pub ignored_settings: Vec<String>,
}

impl Spec {
    pub fn question(&self, name: &str) -> Option<&Question> {
        self.questions.iter().find(|question| question.name == name)
    }

    /// Loads the template's `copier.yml` (or `copier.yaml`) and its modules'.
    pub fn load(source: &Source) -> Result<Self, LoadError> {
        let dir = source.template_dir().to_owned();
        let (file, text) = read_spec_file(source, &dir)?.ok_or_else(|| SpecError {
            file: join(&dir, "copier.yml"),
            message: "the template has no copier.yml".into(),
        })?;
        let mut spec = Self::parse(&file, &text)?;
        for module in &mut spec.modules {
            module.dir = source.resolve(&module.dir)?;
        }
        for module in spec.modules.clone() {
            let (file, text) = read_spec_file(source, &module.dir)?.ok_or_else(|| SpecError {
                file: join(&module.dir, "copier.yml"),
                message: format!("module `{}` has no copier.yml", module.name),
            })?;
            let module_spec = parse_document(&file, &text, Some(&module.name))?;
            if let Some(setting) = module_spec.settings.first() {
                return Err(SpecError {
                    file,
                    message: format!(
                        "a module has questions only; move `{setting}` to the template's copier.yml"
                    ),
                }
                .into());
            }
            for question in module_spec.questions {
                if spec.question(&question.name).is_some() {
                    return Err(SpecError {
                        file,
                        message: format!(
                            "question `{}` is already asked by the template",
                            question.name
                        ),
                    }
                    .into());
                }
                spec.questions.push(question);
            }
        }
        Ok(spec)
    }

    /// Parses one `copier.yml` text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, SpecError> {
        let document = parse_document(file, text, None)?;
        let mut spec = Spec {
            questions: document.questions,
            modules: Vec::new(),
            subdirectory: None,
            exclude: Vec::new(),
            skip_if_exists: Vec::new(),
            templates_suffix: ".jinja".into(),
            answers_file: None,
            message_after_copy: None,
            envops: EnvOps::default(),
            smoke: None,
            ignored_settings: Vec::new(),
        };
        let error = |message: String| SpecError {
            file: file.to_owned(),
            message,
        };
        for (key, value) in document.raw_settings {
            match key.as_str() {
                "_subdirectory" => spec.subdirectory = Some(string(&key, &value).map_err(error)?),
                "_exclude" => spec.exclude = strings(&key, &value).map_err(error)?,
                "_skip_if_exists" => spec.skip_if_exists = strings(&key, &value).map_err(error)?,
                "_templates_suffix" => {
                    spec.templates_suffix = string(&key, &value).map_err(error)?;
                }
                "_answers_file" => spec.answers_file = Some(string(&key, &value).map_err(error)?),
                "_message_after_copy" => {
                    spec.message_after_copy = Some(string(&key, &value).map_err(error)?);
                }
                "_envops" => spec.envops = EnvOps::from_yaml(&value).map_err(error)?,
                "_modules" => spec.modules = modules(&value).map_err(error)?,
                "_smoke" => spec.smoke = Some(smoke(&value).map_err(error)?),
                other if IGNORED_SETTINGS.contains(&other) => spec.ignored_settings.push(key),
                other => return Err(error(format!("unknown setting `{other}`"))),
            }
        }
        Ok(spec)
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

fn read_spec_file(source: &Source, dir: &str) -> Result<Option<(String, String)>, LoadError> {
    for name in ["copier.yml", "copier.yaml"] {
        let path = join(dir, name);
        if let Some(bytes) = source.read(&path)? {
            let text = String::from_utf8(bytes).map_err(|_| SpecError {
                file: path.clone(),
                message: "is not UTF-8 text".into(),
            })?;
            return Ok(Some((path, text)));
        }
    }
    Ok(None)
}

struct Document {
    questions: Vec<Question>,
    settings: Vec<String>,
    raw_settings: Vec<(String, Yaml)>,
}

fn parse_document(file: &str, text: &str, module: Option<&str>) -> Result<Document, SpecError> {
    let error = |message: String| SpecError {
        file: file.to_owned(),
        message,
    };
    let yaml: Yaml = if text.trim().is_empty() {
        Yaml::Mapping(serde_norway::Mapping::new())
    } else {
        serde_norway::from_str(text).map_err(|err| error(format!("invalid YAML: {err}")))?
    };
    let Yaml::Mapping(mapping) = yaml else {
        return Err(error(
            "expected a mapping of questions and settings at the top level".into(),
        ));
    };
    let mut document = Document {
        questions: Vec::new(),
        settings: Vec::new(),
        raw_settings: Vec::new(),
    };
    for (key, value) in mapping {
        let Yaml::String(key) = key else {
            return Err(error(format!("keys must be strings, found {key:?}")));
        };
        if key.starts_with('_') {
            document.settings.push(key.clone());
            document.raw_settings.push((key, value));
        } else {
            let question = question(&key, value, module)
                .map_err(|message| error(format!("question `{key}`: {message}")))?;
            document.questions.push(question);
        }
    }
    Ok(document)
}

fn to_json(value: &Yaml) -> Result<Value, String> {
    serde_json::to_value(value).map_err(|err| format!("unsupported value: {err}"))
}

fn string(key: &str, value: &Yaml) -> Result<String, String> {
    match value {
        Yaml::String(text) => Ok(text.clone()),
        Yaml::Null => Ok(String::new()),
        _ => Err(format!("`{key}` must be a string")),
    }
}

fn strings(key: &str, value: &Yaml) -> Result<Vec<String>, String> {
    match value {
        Yaml::Sequence(items) => items.iter().map(|item| string(key, item)).collect(),
        Yaml::Null => Ok(Vec::new()),
        _ => Err(format!("`{key}` must be a list of strings")),
    }
}

fn when(value: &Yaml) -> Result<When, String> {
    match value {
        Yaml::Bool(true) => Ok(When::Always),
        Yaml::Bool(false) => Ok(When::Never),
        Yaml::String(text) => Ok(When::Template(text.clone())),
        _ => Err("`when` must be a boolean or a Jinja expression".into()),
    }
}

fn question(name: &str, value: Yaml, module: Option<&str>) -> Result<Question, String> {
    let mut question = Question {
        name: name.to_owned(),
        kind: AnswerType::Yaml,
        help: None,
        default: None,
        choices: Vec::new(),
        multiselect: false,
        validator: None,
        when: When::Always,
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
                        kind = Some(AnswerType::parse(&name).ok_or_else(|| {
                            format!(
                                "unknown type `{name}`; use str, int, float, bool, yaml or json"
                            )
                        })?);
                    }
                    "help" => question.help = Some(string("help", &value)?),
                    "default" => question.default = Some(to_json(&value)?),
                    "choices" => question.choices = choices(&value)?,
                    "multiselect" => {
                        question.multiselect =
                            value.as_bool().ok_or("`multiselect` must be a boolean")?;
                    }
                    "validator" => question.validator = Some(string("validator", &value)?),
                    "when" => question.when = when(&value)?,
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
    if question.secret && question.default.is_none() {
        return Err("a secret question needs a default".into());
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
        if let Some(inner) = fields.get("value") {
            let validator = fields
                .get("validator")
                .map(|validator| string("validator", validator))
                .transpose()?;
            return Ok((to_json(inner)?, validator));
        }
    }
    Ok((to_json(value)?, None))
}

fn choices(value: &Yaml) -> Result<Vec<Choice>, String> {
    match value {
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
            .collect(),
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
            .collect(),
        _ => Err("`choices` must be a list or a mapping".into()),
    }
}

fn modules(value: &Yaml) -> Result<Vec<Module>, String> {
    let Yaml::Sequence(items) = value else {
        return Err("`_modules` must be a list of {path, when}".into());
    };
    items
        .iter()
        .map(|item| {
            let path = item
                .get("path")
                .and_then(Yaml::as_str)
                .ok_or("each of `_modules` needs a `path`")?;
            let name = path
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(path);
            Ok(Module {
                name: name.to_owned(),
                dir: path.to_owned(),
                when: item.get("when").map_or(Ok(When::Always), when)?,
            })
        })
        .collect()
}

fn smoke(value: &Yaml) -> Result<SmokeSpec, String> {
    let mut spec = SmokeSpec::default();
    let Yaml::Mapping(fields) = value else {
        return Err("`_smoke` must be a mapping with `matrix` and `checks`".into());
    };
    for (key, value) in fields {
        match key.as_str() {
            Some("combinations") => {
                let Value::Array(items) = to_json(value)? else {
                    return Err("`_smoke.combinations` must be a list of answer maps".into());
                };
                for item in items {
                    let Value::Object(map) = item else {
                        return Err("each of `_smoke.combinations` must be a map of answers".into());
                    };
                    spec.combinations.push(map);
                }
            }
            Some("matrix") => {
                let Value::Object(axes) = to_json(value)? else {
                    return Err("`_smoke.matrix` must map question names to lists of values".into());
                };
                spec.combinations.extend(product(&axes)?);
            }
            Some("checks") => spec.checks = strings("_smoke.checks", value)?,
            _ => return Err(format!("unknown `_smoke` field {key:?}")),
        }
    }
    Ok(spec)
}

/// Every combination of the matrix's values, in the matrix's order.
fn product(
    axes: &serde_json::Map<String, Value>,
) -> Result<Vec<serde_json::Map<String, Value>>, String> {
    let mut combinations = vec![serde_json::Map::new()];
    for (name, values) in axes {
        let Value::Array(values) = values else {
            return Err(format!("`_smoke.matrix.{name}` must be a list"));
        };
        combinations = combinations
            .into_iter()
            .flat_map(|combination| {
                values.iter().map(move |value| {
                    let mut next = combination.clone();
                    next.insert(name.clone(), value.clone());
                    next
                })
            })
            .collect();
    }
    Ok(combinations)
}

#[cfg(test)]
mod tests {
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
            spec.questions[2].choices[1].value,
            Value::from("Apache-2.0")
        );
        assert!(spec.questions[3].multiselect);
        assert!(spec.questions[4].secret);
        assert_eq!(spec.templates_suffix, ".tmpl");
        assert!(spec.envops.trim_blocks);
        assert!(spec.envops.keep_trailing_newline);
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
    fn unknown_setting_is_an_error() {
        let err = Spec::parse("copier.yml", "_bogus: 1\n").unwrap_err();
        assert!(
            err.to_string().contains("unknown setting `_bogus`"),
            "{err}"
        );
    }

    #[test]
    fn smoke_matrix_expands_to_every_combination() {
        let spec = Spec::parse(
            "copier.yml",
            "_smoke:\n  matrix:\n    a: [1, 2]\n    b: [x, y]\n  combinations:\n    - {a: 3}\n",
        )
        .unwrap();
        assert_eq!(spec.smoke.unwrap().combinations.len(), 5);
    }
}
