//! Rendering: `(template, answers) -> Tree`, a pure function of its inputs,
//! walking the template as Copier 9 does: every folder is created (empty
//! ones too), names are rendered part by part (a part that renders empty
//! drops the entry), `_exclude` is matched against the rendered path, files
//! ending in the templates suffix are rendered (all files with an empty
//! suffix, binary ones copied), and each file keeps its permission bits.

mod paths;

use std::collections::BTreeSet;

use minijinja::Value;

use crate::answers::{Answers, Phase};
pub use crate::jinja::Environment as Renderer;
use crate::jinja::TemplateError;
use crate::source::{Source, SourceError, SourceFile};
use crate::spec::{DEFAULT_EXCLUDE, Spec};
use crate::tree::{File, PathPatterns, Tree, UnsafePath, safe_relpath};

/// The answers file of scaffold's builtin templates.
pub const DEFAULT_ANSWERS_FILE: &str = ".scaffold-answers.yml";

/// The answers file of any other template, as in Copier.
pub const COPIER_ANSWERS_FILE: &str = ".copier-answers.yml";

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
    #[error("{file}: {message}")]
    Yield { file: String, message: String },
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

/// Renders each of `templates` (`_exclude`, `_skip_if_exists`), one pattern a line.
pub fn render_patterns(
    renderer: &Renderer,
    setting: &str,
    templates: &[String],
    context: &Value,
) -> Result<Vec<String>, TemplateError> {
    let mut rendered = Vec::new();
    for template in templates {
        let text = renderer.render(setting, template, context)?;
        rendered.extend(
            text.split(['\r', '\n'])
                .filter(|line| !line.is_empty())
                .map(str::to_owned),
        );
    }
    Ok(rendered)
}

/// A rendered tree and the path of the answers file in it.
#[derive(Debug)]
pub struct Output {
    pub tree: Tree,
    pub answers_file: String,
    /// `_skip_if_exists`, rendered.
    pub skip_if_exists: Vec<String>,
}

/// How the answers file is written.
#[derive(Debug, Clone)]
pub struct AnswersFileSpec {
    /// Its path in the project.
    pub path: String,
    /// Write scaffold's own when the template does not render one (builtin templates).
    pub write_own: bool,
}

/// Renders the template and its enabled modules with `answers` into a tree.
pub fn render(
    source: &Source,
    spec: &Spec,
    renderer: &Renderer,
    answers: &Answers,
    answers_file: &AnswersFileSpec,
) -> Result<Output, RenderError> {
    answers.set_phase(Phase::Render);
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

    let operation = answers.context_with(vec![(
        "_copier_operation".to_owned(),
        Value::from(answers.operation()),
    )]);
    let rendered_exclude;
    let exclude = if let Some(compiled) = spec.exclude_compiled.get() {
        compiled
    } else {
        let excluded = render_patterns(renderer, "_exclude", &spec.exclude_patterns(), &operation)?;
        rendered_exclude = patterns("_exclude", excluded.iter().map(String::as_str))?;
        &rendered_exclude
    };
    let skip_if_exists =
        render_patterns(renderer, "_skip_if_exists", &spec.skip_if_exists, &context)?;
    patterns("_skip_if_exists", skip_if_exists.iter().map(String::as_str))?;
    let module_exclude = patterns("_exclude", DEFAULT_EXCLUDE.iter().copied())?;

    let walk = Walk {
        source,
        suffix: &spec.templates_suffix,
        renderer,
        paths: paths::Paths::new(renderer, answers, &answers_file.path, &spec.envops),
        preserve_symlinks: spec.preserve_symlinks,
    };
    walk.folder(&root, exclude, &mut tree, None)?;
    for module in &spec.modules {
        let enabled = module.when.holds(
            renderer,
            &format!("_modules.{}.when", module.name),
            &context,
        )?;
        if enabled {
            walk.folder(&module.dir, &module_exclude, &mut tree, Some(&module.name))?;
        }
    }

    if answers_file.write_own && !tree.contains(&answers_file.path) {
        tree.insert(
            answers_file.path.clone(),
            File::new(answers.to_answers_file(), false),
        );
    }
    Ok(Output {
        tree,
        answers_file: answers_file.path.clone(),
        skip_if_exists,
    })
}

struct Walk<'a> {
    source: &'a Source,
    suffix: &'a str,
    renderer: &'a Renderer,
    paths: paths::Paths<'a>,
    /// `_preserve_symlinks`: symlinks are written as symlinks, not followed.
    preserve_symlinks: bool,
}

impl Walk<'_> {
    fn folder(
        &self,
        dir: &str,
        exclude: &PathPatterns,
        tree: &mut Tree,
        module: Option<&str>,
    ) -> Result<(), RenderError> {
        let entries = self.source.walk(dir)?;
        let present: BTreeSet<&str> = entries.iter().map(|entry| entry.path.as_str()).collect();
        let mut linked_dirs: Vec<String> = Vec::new();
        for entry in &entries {
            if linked_dirs
                .iter()
                .any(|linked| entry.path.starts_with(linked.as_str()))
            {
                continue;
            }
            let display = if dir.is_empty() {
                entry.path.clone()
            } else {
                format!("{dir}/{}", entry.path)
            };
            let link = if self.preserve_symlinks {
                self.source.symlink_target(&display)
            } else {
                None
            };
            if link.is_some() && entry.is_dir {
                linked_dirs.push(format!("{}/", entry.path));
            }
            let suffix = self.suffix;
            // Copier: `x` beside `x.jinja` is not copied; the template wins.
            if !suffix.is_empty() && present.contains(format!("{}{suffix}", entry.path).as_str()) {
                continue;
            }
            let is_template = entry.path.ends_with(suffix);
            let name = if is_template {
                &entry.path[..entry.path.len() - suffix.len()]
            } else {
                entry.path.as_str()
            };
            for (path, extra) in self.paths.render(&display, name)? {
                if exclude.matches(&path) {
                    continue;
                }
                let context = self.paths.context(&extra);
                if let Some(target) = &link {
                    let target = if is_template {
                        self.renderer.render(&display, target, &context)?
                    } else {
                        target.clone()
                    };
                    check_link(&display, &path, &target)?;
                    tree.insert_symlink(path, target);
                    continue;
                }
                if entry.is_dir {
                    tree.insert_dir(path);
                    continue;
                }
                let file = self.file(entry, &display, is_template, &context)?;
                let previous = tree.insert(path.clone(), file);
                if let (Some(_), Some(module)) = (previous, module) {
                    return Err(RenderError::Collision {
                        path,
                        module: module.to_owned(),
                    });
                }
            }
        }
        Ok(())
    }

    fn file(
        &self,
        entry: &SourceFile,
        display: &str,
        is_template: bool,
        context: &Value,
    ) -> Result<File, RenderError> {
        if !is_template {
            return Ok(File::with_mode(entry.contents.clone(), entry.mode));
        }
        let Ok(text) = std::str::from_utf8(&entry.contents) else {
            // With an empty suffix every file is a template; binary ones are copied.
            if self.suffix.is_empty() {
                return Ok(File::with_mode(entry.contents.clone(), entry.mode));
            }
            return Err(RenderError::NotText {
                file: display.to_owned(),
            });
        };
        let rendered = self.renderer.render(display, text, context)?;
        Ok(File::with_mode(rendered.into_bytes(), entry.mode))
    }
}

/// A preserved symlink must point inside the project: relative, and not
/// climbing above the project's root from the folder it sits in.
fn check_link(display: &str, path: &str, target: &str) -> Result<(), RenderError> {
    let folder = path.rsplit_once('/').map_or("", |(folder, _)| folder);
    let joined = if folder.is_empty() {
        target.to_owned()
    } else {
        format!("{folder}/{target}")
    };
    let mut depth = 0usize;
    let absolute = target.starts_with('/') || target.starts_with('\\');
    for part in joined.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." if depth == 0 => {
                return Err(RenderError::UnsafePath {
                    file: display.to_owned(),
                    source: UnsafePath {
                        path: target.to_owned(),
                        reason: "is a symlink target leaving the project",
                    },
                });
            }
            ".." => depth -= 1,
            _ => depth += 1,
        }
    }
    if absolute {
        return Err(RenderError::UnsafePath {
            file: display.to_owned(),
            source: UnsafePath {
                path: target.to_owned(),
                reason: "is an absolute symlink target",
            },
        });
    }
    Ok(())
}
