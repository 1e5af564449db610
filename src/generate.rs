//! `scaffold new`: source -> spec -> answers -> render -> tree -> write.

use std::path::{Path, PathBuf};

use crate::Error;
use crate::answers::{self, AnswerInput, Answers, AnswersFile, DataItem, Prompter};
use crate::render::{self, DEFAULT_ANSWERS_FILE, Renderer};
use crate::source::{Source, TemplateRef};
use crate::spec::Spec;
use crate::tree::Tree;
use crate::write::{self, WriteOptions, WriteReport};

/// What `scaffold new` was asked to do, independent of the command line.
#[derive(Debug, Clone)]
pub struct NewOptions {
    pub template: TemplateRef,
    pub vcs_ref: Option<String>,
    pub dest: PathBuf,
    pub answers_file: Option<PathBuf>,
    pub data: Vec<DataItem>,
    pub defaults: bool,
    pub force: bool,
    pub dry_run: bool,
}

/// A template rendered with its answers, not yet written anywhere.
#[derive(Debug)]
pub struct Rendered {
    pub source: Source,
    pub spec: Spec,
    pub answers: Answers,
    pub tree: Tree,
    /// Where the answers file is in `tree`.
    pub answers_file: String,
    pub message_after_copy: Option<String>,
}

/// What `scaffold new` did.
#[derive(Debug)]
pub struct NewOutcome {
    pub rendered: Rendered,
    /// `None` for a dry run.
    pub written: Option<WriteReport>,
}

/// The name Copier exposes as `_folder_name`: the destination's last component.
pub fn folder_name(dest: &Path) -> String {
    let absolute = std::path::absolute(dest).unwrap_or_else(|_| dest.to_owned());
    absolute
        .components()
        .filter_map(|part| match part {
            std::path::Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
            _ => None,
        })
        .next_back()
        .unwrap_or_default()
}

/// Resolves answers for `spec` and renders the tree: the pure heart of every command.
pub fn render_with(
    source: Source,
    spec: Spec,
    input: AnswerInput,
    prompter: Option<&mut dyn Prompter>,
) -> Result<Rendered, Error> {
    let renderer = Renderer::new(&spec.envops)?;
    let (answers, output) = resolve_and_render(&source, &spec, &renderer, input, prompter)?;
    let message_after_copy = spec
        .message_after_copy
        .as_ref()
        .map(|message| renderer.render("_message_after_copy", message, &answers.context()))
        .transpose()?;
    Ok(Rendered {
        source,
        spec,
        answers,
        tree: output.tree,
        answers_file: output.answers_file,
        message_after_copy,
    })
}

/// [`render_with`] without taking ownership: resolves the answers and renders the tree.
pub fn render_answers(
    source: &Source,
    spec: &Spec,
    input: AnswerInput,
    prompter: Option<&mut dyn Prompter>,
) -> Result<(Answers, Tree), Error> {
    let renderer = Renderer::new(&spec.envops)?;
    let (answers, output) = resolve_and_render(source, spec, &renderer, input, prompter)?;
    Ok((answers, output.tree))
}

fn resolve_and_render(
    source: &Source,
    spec: &Spec,
    renderer: &Renderer,
    mut input: AnswerInput,
    prompter: Option<&mut dyn Prompter>,
) -> Result<(Answers, render::Output), Error> {
    input.src_path = source.reference().describe();
    input.commit = source.version().map(str::to_owned);
    if input.answers_file_name.is_empty() {
        input.answers_file_name = spec
            .answers_file
            .clone()
            .unwrap_or_else(|| DEFAULT_ANSWERS_FILE.to_owned());
    }
    let answers = answers::resolve(spec, renderer, &input, prompter)?;
    let output = render::render(source, spec, renderer, &answers)?;
    Ok((answers, output))
}

/// Reads an answers file given with `--answers-file`.
pub fn read_answers_file(path: &Path, strict: bool) -> Result<AnswersFile, Error> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        Error::Answer(answers::AnswerError::AnswersFile {
            path: path.display().to_string(),
            message: err.to_string(),
        })
    })?;
    Ok(AnswersFile::parse(
        &path.display().to_string(),
        &text,
        strict,
    )?)
}

/// Renders a new project and writes it to `options.dest` (unless a dry run).
pub fn new_project(
    options: &NewOptions,
    prompter: Option<&mut dyn Prompter>,
) -> Result<NewOutcome, Error> {
    if !options.force && !options.dry_run {
        check_destination(&options.dest)?;
    }
    let source = Source::open(&options.template, options.vcs_ref.as_deref())?;
    let spec = Spec::load(&source)?;
    let input = AnswerInput {
        folder_name: folder_name(&options.dest),
        answers_file: options
            .answers_file
            .as_deref()
            .map(|path| read_answers_file(path, true))
            .transpose()?,
        data: options.data.clone(),
        defaults: options.defaults,
        ..AnswerInput::default()
    };
    let rendered = render_with(source, spec, input, prompter)?;
    if options.dry_run {
        return Ok(NewOutcome {
            rendered,
            written: None,
        });
    }
    let write_options = WriteOptions {
        force: options.force,
        skip_if_exists: rendered.spec.skip_if_exists.clone(),
    };
    let report = write::write_new(&rendered.tree, &options.dest, &write_options)?;
    Ok(NewOutcome {
        rendered,
        written: Some(report),
    })
}

/// Fails early, before any question is asked, when the destination is unusable.
fn check_destination(dest: &Path) -> Result<(), Error> {
    match std::fs::read_dir(dest).map(|mut entries| entries.next().is_some()) {
        Ok(true) => Err(write::WriteError::NotEmpty {
            path: dest.to_owned(),
        }
        .into()),
        Err(err) if err.kind() == std::io::ErrorKind::NotADirectory => {
            Err(write::WriteError::NotAFolder {
                path: dest.to_owned(),
            }
            .into())
        }
        _ => Ok(()),
    }
}
