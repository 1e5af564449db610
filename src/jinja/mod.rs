//! The Jinja environment, set up as Copier 9 sets up Jinja2: `_envops`, no
//! auto-escaping, lenient undefined values, newlines normalised, a loader
//! rooted at the template's folder, the Ansible filters Copier loads, its
//! globals and Python's methods, and bounds on the work a render may do.
//! Both `answers` and `render` render through it.

mod builtins;
mod clock;
mod digest;
mod envops;
mod error;
mod filters;
mod format;
mod limits;
mod loader;
mod methods;
mod mutable;
mod operators;
mod paths;
mod percent;
mod regex;
mod rewrite;
mod serialize;
mod str_format;
mod text;
mod timedelta;
mod tokens;
mod yaml;
mod yaml_scalar;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, UndefinedBehavior, Value};

use crate::source::SourceReader;

pub use clock::{freeze_clock, source_date_epoch};
pub use envops::{EnvOps, Undefined};
pub use error::TemplateError;
pub use limits::Limits;

/// The stack that renders run on (address space; only the pages used take
/// memory). minijinja drops and prints values recursively, and a template
/// can nest a list a million levels deep within its fuel; 8 MiB (a main
/// thread's) overflows at about 100,000.
pub const RENDER_STACK_BYTES: usize = 1024 * 1024 * 1024;

/// Runs `work` on a thread with [`RENDER_STACK_BYTES`] of stack.
///
/// # Panics
///
/// When the operating system cannot start the thread, or `work` panics.
pub fn on_render_stack<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("render".into())
            .stack_size(RENDER_STACK_BYTES)
            .spawn_scoped(scope, work)
            .expect("the operating system starts a thread for rendering")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// How strictly a render runs; the same for every template of one render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Undefined variables are errors (for `scaffold smoke` and
    /// `--strict-undefined`) instead of Copier's empty, falsy values.
    pub strict_undefined: bool,
    pub limits: Limits,
    /// The epoch second `strftime` and `now()` read instead of the clock.
    pub fixed_time: Option<i64>,
    /// The template's `_jinja_extensions`, named in errors about filters
    /// and functions that only a Python extension could provide.
    pub jinja_extensions: Vec<String>,
}

/// Extensions whose tags, filters and globals this module provides itself.
const BUILT_IN_EXTENSIONS: &[&str] = &[
    "jinja2.ext.do",
    "jinja2.ext.loopcontrols",
    "jinja2.ext.with_",
    "jinja2.ext.autoescape",
    "jinja2_time.TimeExtension",
    "jinja2_ansible_filters.AnsibleCoreFiltersExtension",
];

impl Default for Options {
    /// Copier's behaviour: lenient, default limits, and the clock unless
    /// `SOURCE_DATE_EPOCH` fixes it.
    fn default() -> Self {
        Self {
            strict_undefined: false,
            limits: Limits::default(),
            fixed_time: clock::source_date_epoch(),
            jinja_extensions: Vec::new(),
        }
    }
}

/// A Jinja environment set up as Copier sets up Jinja.
pub struct Environment {
    env: minijinja::Environment<'static>,
    prepare: Prepare,
    limits: Limits,
    /// `_jinja_extensions` that are Python code this module cannot run.
    foreign_extensions: Vec<String>,
}

/// What every template's text goes through before minijinja parses it.
#[derive(Debug, Clone)]
pub(crate) struct Prepare {
    newline: String,
    /// Jinja2's line comments, which [`rewrite::strip_line_comments`] removes.
    line_comment: Option<String>,
    /// The (start, end) delimiters of expressions and blocks.
    tags: Vec<(String, String)>,
}

impl Prepare {
    /// Newlines as Jinja2 reads them, nesting checked, Python's `%` and
    /// in-place methods rewritten.
    pub(crate) fn source<'a>(
        &self,
        name: &str,
        source: &'a str,
    ) -> Result<Cow<'a, str>, TemplateError> {
        let mut source = normalize_newlines(source, &self.newline);
        if let Some(prefix) = &self.line_comment {
            source = Cow::Owned(rewrite::strip_line_comments(&source, prefix, &self.tags));
        }
        limits::check_nesting(name, &source, &self.tags)?;
        Ok(match rewrite::rewrite(&source, &self.tags) {
            Some(rewritten) => Cow::Owned(rewritten),
            None => source,
        })
    }
}

impl Environment {
    /// The environment for one template: `_envops`, and `files` (the template's
    /// source, if any) for `{% include %}`, `{% import %}` and `{% extends %}`.
    pub fn for_template(
        envops: &EnvOps,
        files: Option<SourceReader>,
        options: &Options,
    ) -> Result<Self, TemplateError> {
        let mut syntax = SyntaxConfig::builder();
        syntax
            .block_delimiters(envops.block_start.clone(), envops.block_end.clone())
            .variable_delimiters(envops.variable_start.clone(), envops.variable_end.clone())
            .comment_delimiters(envops.comment_start.clone(), envops.comment_end.clone())
            .keep_trailing_newline(envops.keep_trailing_newline)
            .trim_blocks(envops.trim_blocks)
            .lstrip_blocks(envops.lstrip_blocks);
        if let Some(prefix) = &envops.line_statement_prefix {
            syntax.line_statement_prefix(prefix.clone());
        }
        let syntax = syntax
            .build()
            .map_err(|err| TemplateError::from_minijinja("_envops", &err))?;
        let mut env = minijinja::Environment::new();
        env.set_syntax(syntax);
        let strict = options.strict_undefined || envops.undefined == Undefined::Strict;
        env.set_undefined_behavior(if strict {
            UndefinedBehavior::Strict
        } else {
            UndefinedBehavior::Lenient
        });
        let autoescape = envops.autoescape;
        env.set_auto_escape_callback(move |_| {
            if autoescape {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_formatter(format::python_formatter);
        env.set_unknown_method_callback(methods::python_method);
        env.set_fuel(Some(options.limits.fuel));
        filters::register(&mut env);
        clock::register(&mut env, options.fixed_time);
        env.add_function(rewrite::MUTABLE, mutable::mutable);
        operators::register(&mut env);
        env.add_function("__scaffold_include__", loader::include_without_context);
        let prepare = Prepare {
            newline: envops.newline_sequence.clone(),
            line_comment: envops.line_comment_prefix.clone().filter(|p| !p.is_empty()),
            tags: vec![
                (envops.variable_start.clone(), envops.variable_end.clone()),
                (envops.block_start.clone(), envops.block_end.clone()),
            ],
        };
        if let Some(files) = files {
            loader::install(&mut env, files, prepare.clone());
        }
        Ok(Self {
            env,
            prepare,
            limits: options.limits.clone(),
            foreign_extensions: options
                .jinja_extensions
                .iter()
                .filter(|name| !BUILT_IN_EXTENSIONS.contains(&name.as_str()))
                .cloned()
                .collect(),
        })
    }

    /// An environment with no template files to load (strict, as before).
    pub fn new(envops: &EnvOps) -> Result<Self, TemplateError> {
        Self::for_template(
            envops,
            None,
            &Options {
                strict_undefined: true,
                ..Options::default()
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
        let source = self.prepare.source(name, source)?;
        let template = self
            .env
            .template_from_named_str(name, &source)
            .map_err(|err| TemplateError::from_minijinja(name, &err))?;
        let mut out = limits::BoundedWriter::new(self.limits.max_output_bytes);
        match template.render_captured_to(context, &mut out) {
            Ok(_) => Ok(out.into_string()),
            Err(_) if out.overflowed() => Err(limits::output_too_large(name, &self.limits)),
            Err(err) => Err(self.explain(name, &err)),
        }
    }

    /// A render error, with the way out when a limit or a Python extension
    /// was the cause.
    fn explain(&self, name: &str, err: &minijinja::Error) -> TemplateError {
        let mut error = limits::explain(name, err, &self.limits);
        let unknown = matches!(
            err.kind(),
            minijinja::ErrorKind::UnknownFilter
                | minijinja::ErrorKind::UnknownFunction
                | minijinja::ErrorKind::UnknownTest
                | minijinja::ErrorKind::UnknownMethod
        );
        if unknown && !self.foreign_extensions.is_empty() {
            error.message = format!(
                "{}; it likely comes from the template's Jinja extensions ({}), which are Python code scaffold cannot run",
                error.message,
                self.foreign_extensions.join(", ")
            );
        }
        error
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

/// Jinja2's lexer turns every `\r\n`, `\r` and `\n` of a template into
/// `newline_sequence`.
pub(crate) fn normalize_newlines<'a>(source: &'a str, newline: &str) -> Cow<'a, str> {
    if !source.contains('\r') && newline == "\n" {
        return source.into();
    }
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    while let Some(character) = chars.next() {
        match character {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str(newline);
            }
            '\n' => out.push_str(newline),
            other => out.push(other),
        }
    }
    out.into()
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
