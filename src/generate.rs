//! `scaffold new`: source -> spec -> answers -> render -> tree -> write.

use std::path::{Path, PathBuf};

use crate::Error;
use crate::answers::{self, AnswerInput, Answers, AnswersFile, ConfInput, DataItem, Prompter};
use crate::jinja::Options;
use crate::render::{
    self, AnswersFileSpec, COPIER_ANSWERS_FILE, DEFAULT_ANSWERS_FILE, RenderError, Renderer,
};
use crate::source::{Source, TemplateRef};
use crate::spec::Spec;
use crate::tree::{Tree, safe_relpath};
use crate::write::{self, WriteOptions, WriteReport};

/// What `scaffold new` was asked to do, independent of the command line.
#[derive(Debug, Clone)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "one field per command-line flag"
)]
pub struct NewOptions {
    pub template: TemplateRef,
    pub vcs_ref: Option<String>,
    pub dest: PathBuf,
    pub answers_file: Option<PathBuf>,
    pub data: Vec<DataItem>,
    pub defaults: bool,
    pub force: bool,
    pub dry_run: bool,
    /// `--data-file`: answers from a YAML file, below `data`.
    pub data_file: Option<PathBuf>,
    /// `--trust`: the template may declare `_tasks`.
    pub trust: bool,
    /// `--skip-tasks`.
    pub skip_tasks: bool,
    pub strict_undefined: bool,
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
    /// `_skip_if_exists`, rendered.
    pub skip_if_exists: Vec<String>,
    pub message_after_copy: Option<String>,
}

/// What `scaffold new` did.
#[derive(Debug)]
pub struct NewOutcome {
    pub rendered: Rendered,
    /// Lines to show the user besides the summary.
    pub warnings: Vec<String>,
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
    let renderer = environment(&source, &spec, &input)?;
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
        skip_if_exists: output.skip_if_exists,
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
    let renderer = environment(source, spec, &input)?;
    let (answers, output) = resolve_and_render(source, spec, &renderer, input, prompter)?;
    Ok((answers, output.tree))
}

/// The Jinja environment of a template, lenient unless `input` asks for strict.
fn environment(source: &Source, spec: &Spec, input: &AnswerInput) -> Result<Renderer, Error> {
    let options = Options {
        strict_undefined: input.strict_undefined,
        jinja_extensions: spec.jinja_extensions.clone(),
        ..Options::default()
    };
    Ok(Renderer::for_template(
        &spec.envops,
        Some(source.reader()),
        &options,
    )?)
}

/// Where the answers file goes: `_answers_file` (rendered), else
/// `.scaffold-answers.yml` for builtin templates and `.copier-answers.yml` for
/// others. Builtin templates get scaffold's own file; any other template
/// writes it by rendering its own `{{ _copier_conf.answers_file }}.jinja`, as
/// with Copier, and gets none without one.
fn answers_file_spec(
    source: &Source,
    spec: &Spec,
    renderer: &Renderer,
    input: &AnswerInput,
) -> Result<AnswersFileSpec, Error> {
    let builtin = matches!(source.reference(), TemplateRef::Builtin(_));
    let path = if !input.answers_file_name.is_empty() {
        input.answers_file_name.clone()
    } else if let Some(template) = &spec.answers_file {
        // A first guess, before the answers: rendered again once they are known.
        let context =
            minijinja::context! { _copier_conf => minijinja::context! { answers_file => "" } };
        renderer
            .render("_answers_file", template, &context)
            .ok()
            .map(|path| path.trim().to_owned())
            .filter(|path| !path.is_empty())
            .unwrap_or_else(|| COPIER_ANSWERS_FILE.to_owned())
    } else if builtin {
        DEFAULT_ANSWERS_FILE.to_owned()
    } else {
        COPIER_ANSWERS_FILE.to_owned()
    };
    let path = safe_relpath(&path).map_err(|source| RenderError::UnsafePath {
        file: "_answers_file".into(),
        source,
    })?;
    Ok(AnswersFileSpec {
        path,
        write_own: builtin,
    })
}

/// `git rev-parse HEAD` of the template's checkout, Copier's `vcs_ref_hash`.
fn commit_hash(source: &Source) -> Option<String> {
    if let Some(hash) = source.commit_hash() {
        return Some(hash.to_owned());
    }
    let dir = source.local_path()?;
    if !crate::source::is_git_repo(&dir) {
        return None;
    }
    let output = std::process::Command::new("git")
        .current_dir(&dir)
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()?;
    let hash = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    (output.status.success() && !hash.is_empty()).then_some(hash)
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
    let templated = input.answers_file_name.is_empty()
        && spec.answers_file.as_deref().is_some_and(|template| {
            template.contains(&spec.envops.variable_start)
                || template.contains(&spec.envops.block_start)
        });
    let mut answers_file = answers_file_spec(source, spec, renderer, &input)?;
    input.answers_file_name.clone_from(&answers_file.path);
    if input.conf.src_path.is_empty() {
        // Tasks and migrations may run files from the template's folder, so a
        // git commit is written out for them; a render alone reads it in memory.
        let folder = if spec.tasks.is_empty() && spec.migrations.is_empty() {
            source.local_path()
        } else {
            source.checkout()?
        };
        input.conf.src_path =
            folder.map_or_else(|| input.src_path.clone(), |path| path.display().to_string());
    }
    if input.conf.vcs_ref_hash.is_none() {
        input.conf.vcs_ref_hash = commit_hash(source);
    }
    let answers = answers::resolve(spec, renderer, &input, prompter)?;
    if let (true, Some(template)) = (templated, &spec.answers_file) {
        // Copier renders `_answers_file` with the answers (and an empty
        // `_copier_conf.answers_file`).
        answers.set_answers_file("");
        let rendered = renderer.render("_answers_file", template, &answers.context())?;
        answers_file.path =
            safe_relpath(rendered.trim()).map_err(|source| RenderError::UnsafePath {
                file: "_answers_file".into(),
                source,
            })?;
        answers.set_answers_file(&answers_file.path);
    }
    let output = render::render(source, spec, renderer, &answers, &answers_file)?;
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
    new_project_from(options, None, prompter)
}

/// [`new_project`] with the template already opened and its spec loaded
/// (the command line loads it once to make the question flags).
pub fn new_project_from(
    options: &NewOptions,
    loaded: Option<(Source, Spec)>,
    prompter: Option<&mut dyn Prompter>,
) -> Result<NewOutcome, Error> {
    if !options.force && !options.dry_run {
        check_destination(&options.dest)?;
    }
    // Copier renders a git template at its newest tag unless told otherwise;
    // a local repository too (a remote one is cloned at it by the source).
    let local_repo =
        matches!(&options.template, TemplateRef::Local(path) if crate::source::is_git_repo(path));
    let vcs_ref = if local_repo {
        crate::update::versions::resolve_ref(&options.template, options.vcs_ref.as_deref(), false)?
    } else {
        options.vcs_ref.clone()
    };
    let (source, spec) = if let Some(loaded) = loaded.filter(|_| !local_repo) {
        loaded
    } else {
        let source = Source::open(&options.template, vcs_ref.as_deref())?;
        let spec = Spec::load(&source)?;
        (source, spec)
    };
    // Tasks and Jinja extensions run on the user's machine: refused unless trusted.
    let warnings = crate::tasks::check_trust(&spec, options.trust, options.skip_tasks)?;
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
        folder_name: folder_name(&options.dest),
        answers_file: options
            .answers_file
            .as_deref()
            .map(|path| read_answers_file(path, true))
            .transpose()?,
        data,
        defaults: options.defaults,
        conf: ConfInput {
            dst_path: options.dest.display().to_string(),
            vcs_ref: options.vcs_ref.clone(),
            skip_tasks: options.skip_tasks,
            trust: options.trust,
            pretend: options.dry_run,
            ..ConfInput::default()
        },
        strict_undefined: options.strict_undefined,
        strict_data: matches!(source.reference(), TemplateRef::Builtin(_)),
        ..AnswerInput::default()
    };
    let rendered = render_with(source, spec, input, prompter)?;
    if options.dry_run {
        return Ok(NewOutcome {
            rendered,
            warnings,
            written: None,
        });
    }
    let write_options = WriteOptions {
        force: options.force,
        skip_if_exists: rendered.skip_if_exists.clone(),
    };
    let report = write::write_new(&rendered.tree, &options.dest, &write_options)?;
    if !options.skip_tasks {
        let runner = crate::tasks::Runner {
            rendered: &rendered,
            dest: &options.dest,
            operation: "copy",
            quiet: false,
            pretend: false,
        };
        runner.run(&crate::tasks::tasks(&rendered.spec))?;
    }
    Ok(NewOutcome {
        rendered,
        warnings,
        written: Some(report),
    })
}

/// Fails early, before any question is asked, when the destination is unusable.
fn check_destination(dest: &Path) -> Result<(), Error> {
    write::check_destination(dest, false)?;
    Ok(())
}
