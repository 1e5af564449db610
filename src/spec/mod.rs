//! The template's specification: `copier.yml` in Copier's format.
//!
//! Top-level keys starting with `_` are settings; every other key is a question,
//! kept in file order because later defaults may refer to earlier answers.
//! The file may hold several YAML documents and `!include` others ([`yaml`]).
//! Modules (a scaffold extension, `_modules`) add their own questions after the
//! base template's.

mod patterns;
mod question;
mod settings;
pub mod yaml;

use std::collections::HashMap;

use serde_json::Value;
use serde_norway::Value as Yaml;

pub use crate::jinja::EnvOps;
use crate::jinja::{self, TemplateError};
use crate::source::{Source, SourceError};

pub use patterns::Compiled;
pub use question::{AnswerType, Choice, Choices, Question, When, choices as parse_choices};
pub use settings::{Module, SmokeSpec};

/// Files Copier leaves out of a template without `_subdirectory` when the
/// template sets no `_exclude` of its own (which replaces this list).
pub const DEFAULT_EXCLUDE: &[&str] = &[
    "copier.yaml",
    "copier.yml",
    "~*",
    "*.py[co]",
    "__pycache__",
    ".git",
    ".DS_Store",
    ".svn",
];

/// The Copier version scaffold renders as (`_min_copier_version` is checked against it).
pub const COPIER_VERSION: &str = "9.19.1";

/// Settings Copier knows that scaffold reads but does not act on.
const IGNORED_SETTINGS: &[&str] = &["_skip_tasks", "_clean_on_error", "_overwrite", "_unsafe"];

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

#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub questions: Vec<Question>,
    /// Position of each question in `questions`, by name.
    index: HashMap<String, usize>,
    pub modules: Vec<Module>,
    pub subdirectory: Option<String>,
    /// `_exclude` as written; `None` when the template sets none, so Copier's
    /// [`DEFAULT_EXCLUDE`] applies (only without `_subdirectory`).
    pub exclude: Option<Vec<String>>,
    pub skip_if_exists: Vec<String>,
    /// `_exclude` (with Copier's defaults) compiled, unless it holds templates.
    pub exclude_compiled: Compiled,
    pub templates_suffix: String,
    pub answers_file: Option<String>,
    pub message_after_copy: Option<String>,
    pub envops: EnvOps,
    pub jinja_extensions: Vec<String>,
    pub preserve_symlinks: bool,
    /// `_external_data`: variable name to a templated path of a YAML file in the project.
    pub external_data: Vec<(String, String)>,
    /// The template declares `_tasks` (commands run after rendering).
    pub has_tasks: bool,
    /// `_tasks` and `_migrations` as written, run by [`crate::tasks`].
    pub tasks: Vec<Value>,
    pub migrations: Vec<Value>,
    /// `_message_before_copy`, `_message_before_update`, `_message_after_update`.
    pub message_before_copy: Option<String>,
    pub message_before_update: Option<String>,
    pub message_after_update: Option<String>,
    pub smoke: Option<SmokeSpec>,
    /// Settings present in the file that scaffold does not act on.
    pub ignored_settings: Vec<String>,
}

impl Spec {
    /// Adds the command line's `-x/--exclude` patterns to `_exclude`, as Copier does.
    pub fn exclude_also(&mut self, patterns: &[String]) -> Result<(), LoadError> {
        if patterns.is_empty() {
            return Ok(());
        }
        let mut all = self.exclude_patterns();
        all.extend(patterns.iter().cloned());
        self.exclude_compiled =
            Compiled::new("_exclude", &all, &self.envops).map_err(|message| SpecError {
                file: "--exclude".into(),
                message,
            })?;
        self.exclude = Some(all);
        Ok(())
    }

    pub fn question(&self, name: &str) -> Option<&Question> {
        self.index.get(name).map(|&at| &self.questions[at])
    }

    /// The templates `_exclude` patterns as Copier applies them: the template's
    /// own list, else the defaults unless the template has a `_subdirectory`.
    pub fn exclude_patterns(&self) -> Vec<String> {
        match &self.exclude {
            Some(patterns) => patterns.clone(),
            None if self
                .subdirectory
                .as_deref()
                .is_some_and(|dir| !dir.trim().is_empty()) =>
            {
                Vec::new()
            }
            None => DEFAULT_EXCLUDE
                .iter()
                .map(|&pattern| pattern.to_owned())
                .collect(),
        }
    }

    /// Loads the template's `copier.yml` (or `copier.yaml`) and its modules'.
    pub fn load(source: &Source) -> Result<Self, LoadError> {
        let dir = source.template_dir().to_owned();
        let (file, text) = read_spec_file(source, &dir)?.ok_or_else(|| SpecError {
            file: join(&dir, "copier.yml"),
            message: "the template has no copier.yml".into(),
        })?;
        let entries = yaml::load(source, &dir, &file, &text)?;
        let mut spec = Self::from_entries(&file, entries)?;
        for module in &mut spec.modules {
            module.dir = source.resolve(&module.dir)?;
        }
        for module in spec.modules.clone() {
            let (file, text) = read_spec_file(source, &module.dir)?.ok_or_else(|| SpecError {
                file: join(&module.dir, "copier.yml"),
                message: format!("module `{}` has no copier.yml", module.name),
            })?;
            let entries = yaml::load(source, &module.dir, &file, &text)?;
            let error = |message: String| SpecError {
                file: file.clone(),
                message,
            };
            for (key, value) in entries {
                if key.starts_with('_') {
                    return Err(error(format!(
                        "a module has questions only; move `{key}` to the template's copier.yml"
                    ))
                    .into());
                }
                if spec.question(&key).is_some() {
                    return Err(error(format!(
                        "question `{key}` is already asked by the template"
                    ))
                    .into());
                }
                let question = question::parse(&key, value, Some(&module.name))
                    .map_err(|message| error(format!("question `{key}`: {message}")))?;
                spec.push_question(question);
            }
        }
        Ok(spec)
    }

    /// Parses one `copier.yml` text (all its documents; no `!include`); `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, SpecError> {
        Self::from_entries(file, yaml::parse(file, text)?)
    }

    fn push_question(&mut self, question: Question) {
        self.index
            .insert(question.name.clone(), self.questions.len());
        self.questions.push(question);
    }

    fn from_entries(file: &str, entries: yaml::Entries) -> Result<Self, SpecError> {
        let mut spec = Spec {
            questions: Vec::new(),
            index: HashMap::new(),
            modules: Vec::new(),
            subdirectory: None,
            exclude: None,
            skip_if_exists: Vec::new(),
            exclude_compiled: Compiled::default(),
            templates_suffix: ".jinja".into(),
            answers_file: None,
            message_after_copy: None,
            envops: EnvOps::default(),
            jinja_extensions: Vec::new(),
            preserve_symlinks: false,
            external_data: Vec::new(),
            has_tasks: false,
            tasks: Vec::new(),
            migrations: Vec::new(),
            message_before_copy: None,
            message_before_update: None,
            message_after_update: None,
            smoke: None,
            ignored_settings: Vec::new(),
        };
        let error = |message: String| SpecError {
            file: file.to_owned(),
            message,
        };
        let mut secret = Vec::new();
        for (key, value) in entries {
            if !key.starts_with('_') {
                let question = question::parse(&key, value, None)
                    .map_err(|message| error(format!("question `{key}`: {message}")))?;
                spec.push_question(question);
                continue;
            }
            match key.as_str() {
                "_subdirectory" => spec.subdirectory = Some(string(&key, &value).map_err(error)?),
                "_exclude" => spec.exclude = Some(strings(&key, &value).map_err(error)?),
                "_skip_if_exists" => spec.skip_if_exists = strings(&key, &value).map_err(error)?,
                "_templates_suffix" if value.is_null() => {}
                "_templates_suffix" => {
                    spec.templates_suffix = string(&key, &value).map_err(error)?;
                }
                "_answers_file" => spec.answers_file = Some(string(&key, &value).map_err(error)?),
                "_message_after_copy" => {
                    spec.message_after_copy = Some(string(&key, &value).map_err(error)?);
                }
                "_envops" => spec.envops = EnvOps::from_yaml(&value).map_err(error)?,
                "_jinja_extensions" => {
                    spec.jinja_extensions = strings(&key, &value).map_err(error)?;
                }
                "_preserve_symlinks" => spec.preserve_symlinks = truthy_yaml(&value),
                "_external_data" => {
                    spec.external_data = settings::external_data(&value).map_err(error)?;
                }
                "_secret_questions" => secret = strings(&key, &value).map_err(error)?,
                "_min_copier_version" => {
                    settings::check_copier_version(&value).map_err(error)?;
                }
                "_tasks" => {
                    spec.has_tasks = !matches!(&value, Yaml::Null)
                        && value.as_sequence().is_none_or(|tasks| !tasks.is_empty());
                    spec.tasks = list_of_json(&value).map_err(error)?;
                }
                "_migrations" => spec.migrations = list_of_json(&value).map_err(error)?,
                "_message_before_copy" => {
                    spec.message_before_copy = Some(string(&key, &value).map_err(error)?);
                }
                "_message_before_update" => {
                    spec.message_before_update = Some(string(&key, &value).map_err(error)?);
                }
                "_message_after_update" => {
                    spec.message_after_update = Some(string(&key, &value).map_err(error)?);
                }
                "_modules" => spec.modules = settings::modules(&value).map_err(error)?,
                "_smoke" => spec.smoke = Some(settings::smoke(&value).map_err(error)?),
                other if IGNORED_SETTINGS.contains(&other) => spec.ignored_settings.push(key),
                other => return Err(error(format!("unknown setting `{other}`"))),
            }
        }
        spec.exclude_compiled =
            Compiled::new("_exclude", &spec.exclude_patterns(), &spec.envops).map_err(error)?;
        Compiled::new("_skip_if_exists", &spec.skip_if_exists, &spec.envops).map_err(error)?;
        for name in secret {
            if let Some(&at) = spec.index.get(&name) {
                spec.questions[at].secret = true;
            }
        }
        if let Some(question) = spec
            .questions
            .iter()
            .find(|question| question.secret && question.default.is_none())
        {
            return Err(error(format!(
                "question `{}`: a secret question needs a default",
                question.name
            )));
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

/// `copier.yml` or `copier.yaml`; both at once are refused, as by Copier.
fn read_spec_file(source: &Source, dir: &str) -> Result<Option<(String, String)>, LoadError> {
    let mut found = None;
    for name in ["copier.yml", "copier.yaml"] {
        let path = join(dir, name);
        if let Some(bytes) = source.read(&path)? {
            if found.is_some() {
                return Err(SpecError {
                    file: path,
                    message: "the template has both copier.yml and copier.yaml; keep one".into(),
                }
                .into());
            }
            let text = String::from_utf8(bytes).map_err(|_| SpecError {
                file: path.clone(),
                message: "is not UTF-8 text".into(),
            })?;
            found = Some((path, text));
        }
    }
    Ok(found)
}

/// A setting that is a list (or nothing), each item as JSON.
fn list_of_json(value: &Yaml) -> Result<Vec<Value>, String> {
    match value {
        Yaml::Null => Ok(Vec::new()),
        Yaml::Sequence(items) => items.iter().map(to_json).collect(),
        other => Ok(vec![to_json(other)?]),
    }
}

fn to_json(value: &Yaml) -> Result<Value, String> {
    serde_json::to_value(value).map_err(|err| format!("unsupported value: {err}"))
}

/// Python's `bool()` of a YAML value, as Copier reads flag settings.
fn truthy_yaml(value: &Yaml) -> bool {
    match value {
        Yaml::Null => false,
        Yaml::Bool(flag) => *flag,
        Yaml::Number(number) => number.as_f64() != Some(0.0),
        Yaml::String(text) => !text.is_empty(),
        Yaml::Sequence(items) => !items.is_empty(),
        Yaml::Mapping(entries) => !entries.is_empty(),
        Yaml::Tagged(_) => true,
    }
}

fn string(key: &str, value: &Yaml) -> Result<String, String> {
    match value {
        Yaml::String(text) => Ok(text.clone()),
        Yaml::Null => Ok(String::new()),
        Yaml::Number(number) => Ok(number.to_string()),
        Yaml::Bool(flag) => Ok(if *flag { "True" } else { "False" }.to_owned()),
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

fn when(key: &str, value: &Yaml) -> Result<When, String> {
    match value {
        Yaml::String(text) => Ok(When::Template(text.clone())),
        Yaml::Bool(false) | Yaml::Null => Ok(When::Never),
        Yaml::Number(number) if number.as_f64() == Some(0.0) => Ok(When::Never),
        Yaml::Bool(true) | Yaml::Number(_) => Ok(When::Always),
        _ => Err(format!("`{key}` must be a boolean or a Jinja expression")),
    }
}

#[cfg(test)]
mod tests;
