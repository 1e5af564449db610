//! The Jinja environment, set up as Copier 9 sets up Jinja2: `_envops`, a
//! loader rooted at the template's folder, Copier's filters, globals and
//! Python methods. Both `answers` and `render` render through it.

mod envops;
mod error;
pub(crate) mod filters;
mod loader;

use minijinja::syntax::SyntaxConfig;
use minijinja::{UndefinedBehavior, Value};

use crate::source::SourceReader;

pub use envops::EnvOps;
pub use error::TemplateError;

/// How strictly a render runs; the same for every template of one render.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Undefined variables are errors (for `scaffold smoke` and
    /// `--strict-undefined`) instead of Copier's empty, falsy values.
    pub strict_undefined: bool,
}

/// A Jinja environment set up as Copier sets up Jinja.
pub struct Environment {
    env: minijinja::Environment<'static>,
}

impl Environment {
    /// The environment for one template: `_envops`, and `files` (the template's
    /// source, if any) for `{% include %}`, `{% import %}` and `{% extends %}`.
    pub fn for_template(
        envops: &EnvOps,
        files: Option<SourceReader>,
        options: &Options,
    ) -> Result<Self, TemplateError> {
        let syntax = SyntaxConfig::builder()
            .block_delimiters(envops.block_start.clone(), envops.block_end.clone())
            .variable_delimiters(envops.variable_start.clone(), envops.variable_end.clone())
            .comment_delimiters(envops.comment_start.clone(), envops.comment_end.clone())
            .keep_trailing_newline(envops.keep_trailing_newline)
            .trim_blocks(envops.trim_blocks)
            .lstrip_blocks(envops.lstrip_blocks)
            .build()
            .map_err(|err| TemplateError::from_minijinja("_envops", &err))?;
        let mut env = minijinja::Environment::new();
        env.set_syntax(syntax);
        env.set_undefined_behavior(if options.strict_undefined {
            UndefinedBehavior::Strict
        } else {
            UndefinedBehavior::Lenient
        });
        env.set_unknown_method_callback(filters::python_method);
        filters::register(&mut env);
        if let Some(files) = files {
            loader::install(&mut env, files);
        }
        Ok(Self { env })
    }

    /// An environment with no template files to load (strict, as before).
    pub fn new(envops: &EnvOps) -> Result<Self, TemplateError> {
        Self::for_template(
            envops,
            None,
            &Options {
                strict_undefined: true,
            },
        )
    }

    /// Renders `source` (named `name` in errors) with `context`.
    pub fn render(
        &self,
        name: &str,
        source: &str,
        context: &Value,
    ) -> Result<String, TemplateError> {
        self.env
            .render_named_str(name, source, context)
            .map_err(|err| TemplateError::from_minijinja(name, &err))
    }

    /// Renders a condition (`when:`) and reads the result as Copier does.
    pub fn condition(
        &self,
        name: &str,
        source: &str,
        context: &Value,
    ) -> Result<bool, TemplateError> {
        Ok(truthy(&self.render(name, source, context)?))
    }
}

/// Copier's reading of a rendered condition or a bool-ish string
/// (`cast_to_bool`): YAML's booleans and nulls, numbers by value, any other
/// text is true.
pub fn truthy(text: &str) -> bool {
    let text = text.trim().to_ascii_lowercase();
    match text.as_str() {
        "y" | "yes" | "t" | "true" | "on" => true,
        "" | "n" | "no" | "f" | "false" | "off" | "~" | "null" | "none" => false,
        other => other.parse::<f64>().is_err() || other.parse::<f64>().is_ok_and(|n| n != 0.0),
    }
}
