//! Rendering: `(template, answers) -> Tree`, a pure function of its inputs.
//!
//! File and folder names are rendered, contents of files ending in the
//! templates suffix are rendered, every other file is copied byte for byte.
//! Undefined variables are errors (minijinja's strict mode), never holes.

use std::collections::BTreeSet;

use minijinja::Value;

use crate::answers::Answers;
pub use crate::jinja::Environment as Renderer;
use crate::jinja::TemplateError;
use crate::source::{Source, SourceError};
use crate::spec::{DEFAULT_EXCLUDE, Spec};
use crate::tree::{File, PathPatterns, Tree, UnsafePath, safe_relpath};

/// The answers file written when the template does not name one.
pub const DEFAULT_ANSWERS_FILE: &str = ".scaffold-answers.yml";

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("template file `{file}` renders to an unsafe path: {source}")]
    UnsafePath { file: String, source: UnsafePath },
    #[error(
        "`{path}` is rendered by both the template and module `{module}`; a module may only add files"
    )]
    Collision { path: String, module: String },
    #[error("{file}: template files ending in the templates suffix must be UTF-8 text")]
    NotText { file: String },
    #[error("invalid `{setting}` pattern `{pattern}`: {message}")]
    Pattern {
        setting: &'static str,
        pattern: String,
        message: String,
    },
    #[error(transparent)]
    Source(#[from] SourceError),
}

impl From<TemplateError> for crate::Error {
    fn from(err: TemplateError) -> Self {
        Self::Render(err.into())
    }
}

fn patterns<'a>(
    setting: &'static str,
    patterns: impl IntoIterator<Item = &'a str>,
) -> Result<PathPatterns, RenderError> {
    PathPatterns::new(patterns).map_err(|err| RenderError::Pattern {
        setting,
        pattern: err.pattern,
        message: err.message,
    })
}

/// A rendered tree and the path of the answers file in it.
#[derive(Debug)]
pub struct Output {
    pub tree: Tree,
    pub answers_file: String,
}

/// Renders the template and its enabled modules with `answers` into a tree.
pub fn render(
    source: &Source,
    spec: &Spec,
    renderer: &Renderer,
    answers: &Answers,
) -> Result<Output, RenderError> {
    let context = answers.context();
    let mut tree = Tree::new();

    let mut root = source.template_dir().to_owned();
    if let Some(subdirectory) = &spec.subdirectory {
        let rendered = renderer.render("_subdirectory", subdirectory, &context)?;
        let rendered = rendered.trim();
        if !rendered.is_empty() {
            let relative = safe_relpath(rendered).map_err(|source| RenderError::UnsafePath {
                file: "_subdirectory".into(),
                source,
            })?;
            root = if root.is_empty() {
                relative
            } else {
                format!("{root}/{relative}")
            };
        }
    }

    let rendered_excludes = spec
        .exclude
        .iter()
        .map(|pattern| renderer.render("_exclude", pattern, &context))
        .collect::<Result<Vec<_>, _>>()?;
    let exclude = patterns(
        "_exclude",
        DEFAULT_EXCLUDE
            .iter()
            .copied()
            .chain(rendered_excludes.iter().map(String::as_str)),
    )?;
    let module_exclude = patterns("_exclude", DEFAULT_EXCLUDE.iter().copied())?;

    render_folder(
        source,
        &root,
        &spec.templates_suffix,
        renderer,
        &context,
        &exclude,
        &mut tree,
        None,
    )?;
    for module in &spec.modules {
        let enabled = module.when.holds(
            renderer,
            &format!("_modules.{}.when", module.name),
            &context,
        )?;
        if enabled {
            render_folder(
                source,
                &module.dir,
                &spec.templates_suffix,
                renderer,
                &context,
                &module_exclude,
                &mut tree,
                Some(&module.name),
            )?;
        }
    }

    let answers_file = answers_file_path(spec, renderer, &context)?;
    tree.insert(
        answers_file.clone(),
        File::new(answers.to_answers_file(), false),
    );
    Ok(Output { tree, answers_file })
}

/// Where the answers file goes, rendered from `_answers_file`.
fn answers_file_path(
    spec: &Spec,
    renderer: &Renderer,
    context: &Value,
) -> Result<String, RenderError> {
    let Some(template) = &spec.answers_file else {
        return Ok(DEFAULT_ANSWERS_FILE.to_owned());
    };
    let rendered = renderer.render("_answers_file", template, context)?;
    safe_relpath(rendered.trim()).map_err(|source| RenderError::UnsafePath {
        file: "_answers_file".into(),
        source,
    })
}

#[allow(clippy::too_many_arguments)]
fn render_folder(
    source: &Source,
    dir: &str,
    suffix: &str,
    renderer: &Renderer,
    context: &Value,
    exclude: &PathPatterns,
    tree: &mut Tree,
    module: Option<&str>,
) -> Result<(), RenderError> {
    let files = source.walk(dir)?;
    let present: BTreeSet<&str> = files.iter().map(|file| file.path.as_str()).collect();
    for file in &files {
        let display = if dir.is_empty() {
            file.path.clone()
        } else {
            format!("{dir}/{}", file.path)
        };
        let is_template = suffix.is_empty() || file.path.ends_with(suffix);
        // Copier: a plain file with a templated sibling (`x` beside `x.jinja`) is not copied.
        if !suffix.is_empty()
            && !is_template
            && present.contains(format!("{}{suffix}", file.path).as_str())
        {
            continue;
        }
        if exclude.matches(&file.path) {
            continue;
        }
        let name = if is_template && !suffix.is_empty() {
            &file.path[..file.path.len() - suffix.len()]
        } else {
            file.path.as_str()
        };
        let Some(path) = render_path(renderer, &display, name, context)? else {
            continue;
        };
        if exclude.matches(&path) {
            continue;
        }
        let contents = if is_template {
            let text = std::str::from_utf8(&file.contents).map_err(|_| RenderError::NotText {
                file: display.clone(),
            })?;
            renderer.render(&display, text, context)?.into_bytes()
        } else {
            file.contents.clone()
        };
        let previous = tree.insert(path.clone(), File::new(contents, file.executable));
        if let (Some(_), Some(module)) = (previous, module) {
            return Err(RenderError::Collision {
                path,
                module: module.to_owned(),
            });
        }
    }
    Ok(())
}

/// Renders each component of a relative path; `None` when one renders empty.
fn render_path(
    renderer: &Renderer,
    display: &str,
    path: &str,
    context: &Value,
) -> Result<Option<String>, RenderError> {
    let mut parts = Vec::new();
    for part in path.split('/') {
        let rendered = renderer.render(display, part, context)?;
        if rendered.is_empty() {
            return Ok(None);
        }
        parts.push(rendered);
    }
    let joined = parts.join("/");
    safe_relpath(&joined)
        .map(Some)
        .map_err(|source| RenderError::UnsafePath {
            file: display.to_owned(),
            source,
        })
}
