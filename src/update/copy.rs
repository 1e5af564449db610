//! `scaffold copy` and `scaffold recopy`, as Copier's: render a template
//! (or, for recopy, the project's own template with its recorded answers)
//! and write it over the destination, replacing files that differ only with
//! `--overwrite`.

use std::path::{Path, PathBuf};

use super::{project, versions};
use crate::Error;
use crate::answers::{AnswerInput, AnswersFile, ConfInput, DataItem, Prompter};
use crate::disk::{self, WriteOptions};
use crate::generate::{self, NewOutcome};
use crate::jinja::Options;
use crate::render::Renderer;
use crate::source::{Source, TemplateRef};
use crate::spec::Spec;
use crate::tasks;

/// What `copy` and `recopy` were asked to do, independent of the command line.
#[derive(Debug, Clone, Default)]
pub struct CopyOptions {
    /// The template (`copy`'s SRC); `recopy` reads it from the answers file.
    pub template: Option<TemplateRef>,
    pub dest: PathBuf,
    /// `-r`: a tag, branch or commit; `HEAD` is a local repository's work tree.
    pub vcs_ref: Option<String>,
    /// `-g`: the newest version may be a pre-release.
    pub prereleases: bool,
    /// `-a`: the answers file, relative to `dest` (read by recopy, written by both).
    pub answers_file: Option<PathBuf>,
    pub data: Vec<DataItem>,
    pub data_file: Option<PathBuf>,
    pub defaults: bool,
    /// `-w`: replace files that differ without asking.
    pub overwrite: bool,
    /// `--pretend`: render, write nothing.
    pub pretend: bool,
    /// `-x`: more `_exclude` patterns.
    pub exclude: Vec<String>,
    /// `-s`: more `_skip_if_exists` patterns.
    pub skip_if_exists: Vec<String>,
    pub trust: bool,
    pub skip_tasks: bool,
    /// `-q`: no status output, no `_message_*`.
    pub quiet: bool,
}

/// `scaffold copy SRC DST`.
pub fn copy(
    options: &CopyOptions,
    prompter: Option<&mut dyn Prompter>,
) -> Result<NewOutcome, Error> {
    let reference = options
        .template
        .clone()
        .ok_or_else(|| Error::Usage("copy needs a template (SRC)".into()))?;
    render_and_write(&reference, options, None, prompter)
}

/// `scaffold recopy [DST]`: the project's template from scratch, with its
/// recorded answers.
pub fn recopy(
    options: &CopyOptions,
    prompter: Option<&mut dyn Prompter>,
) -> Result<NewOutcome, Error> {
    let recorded = project::read_recorded_answers(&options.dest, options.answers_file.as_deref())?;
    let reference = match &options.template {
        Some(reference) => reference.clone(),
        None => versions::recorded_template(&options.dest, &recorded.answers, &recorded.path)?,
    };
    let mut options = options.clone();
    options.answers_file = Some(PathBuf::from(&recorded.relative));
    render_and_write(&reference, &options, Some(recorded.answers), prompter)
}

fn render_and_write(
    reference: &TemplateRef,
    options: &CopyOptions,
    recorded: Option<AnswersFile>,
    prompter: Option<&mut dyn Prompter>,
) -> Result<NewOutcome, Error> {
    let vcs_ref =
        versions::resolve_ref(reference, options.vcs_ref.as_deref(), options.prereleases)?;
    let source = Source::open(reference, vcs_ref.as_deref())?;
    let mut spec = Spec::load(&source)?;
    spec.exclude_also(&options.exclude)?;
    spec.skip_if_exists
        .extend(options.skip_if_exists.iter().cloned());
    let warnings = tasks::check_trust(&spec, options.trust, options.skip_tasks)?;
    if let Some(message) = spec
        .message_before_copy
        .as_deref()
        .filter(|_| !options.quiet)
    {
        let renderer =
            Renderer::for_template(&spec.envops, Some(source.reader()), &Options::default())?;
        eprintln!(
            "{}",
            renderer.render("_message_before_copy", message, &minijinja::Value::from(()))?
        );
    }
    let mut data = match &options.data_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|err| Error::Usage(format!("--data-file `{}`: {err}", path.display())))?;
            DataItem::from_file(&path.display().to_string(), &text)?
        }
        None => Vec::new(),
    };
    data.extend(options.data.iter().cloned());
    let input = AnswerInput {
        folder_name: generate::folder_name(&options.dest),
        answers_file: recorded,
        data,
        defaults: options.defaults || prompter.is_none(),
        answers_file_name: options
            .answers_file
            .as_ref()
            .map(|path| path.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default(),
        conf: ConfInput {
            dst_path: options.dest.display().to_string(),
            // Copier records the ref as given, not the tag it resolved to.
            vcs_ref: options.vcs_ref.clone(),
            skip_tasks: options.skip_tasks,
            trust: options.trust,
            pretend: options.pretend,
            ..ConfInput::default()
        },
        ..AnswerInput::default()
    };
    let rendered = generate::render_with(source, spec, input, prompter)?;
    if options.pretend {
        return Ok(NewOutcome {
            rendered,
            warnings,
            written: None,
        });
    }
    if !options.overwrite {
        refuse_overwriting(&options.dest, &rendered)?;
    }
    let write_options = WriteOptions {
        force: true,
        skip_if_exists: rendered.skip_if_exists.clone(),
    };
    let report = disk::write_new(&rendered.tree, &options.dest, &write_options)?;
    let runner = tasks::Runner {
        rendered: &rendered,
        dest: &options.dest,
        operation: "copy",
        quiet: options.quiet,
        pretend: false,
    };
    if !options.skip_tasks {
        runner.run(&tasks::tasks(&rendered.spec))?;
    }
    if let Some(message) = rendered
        .message_after_copy
        .as_deref()
        .filter(|_| !options.quiet)
    {
        eprintln!("{message}");
    }
    Ok(NewOutcome {
        rendered,
        warnings,
        written: Some(report),
    })
}

/// Without `--overwrite`, Copier asks before replacing a file that differs
/// (and fails without a terminal); scaffold refuses before writing anything.
fn refuse_overwriting(dest: &Path, rendered: &generate::Rendered) -> Result<(), Error> {
    let skip = crate::tree::PathPatterns::new(rendered.skip_if_exists.iter().map(String::as_str))
        .map_err(|err| Error::Usage(err.to_string()))?;
    for (path, file) in &rendered.tree {
        if *path == rendered.answers_file || skip.matches(path) {
            continue;
        }
        match std::fs::read(dest.join(path)) {
            Ok(existing) if existing != file.contents => {
                return Err(Error::Usage(format!(
                    "`{path}` already exists in `{}` and differs from the template's; pass -w/--overwrite to replace it (nothing was written)",
                    dest.display()
                )));
            }
            _ => {}
        }
    }
    Ok(())
}
