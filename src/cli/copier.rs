//! Copier's own commands, with Copier 9's flags and meanings: `copy`,
//! `recopy` and `check-update` (`update` shares `scaffold update`, which
//! takes [`UpdateCopierArgs`] too). Scripts written for `copier` keep
//! working with `scaffold` in its place; docs/copier.md lists where
//! scaffold differs on purpose.

use std::path::PathBuf;

use clap::Args;

use super::output::{self, ExitStatus};
use super::with_prompter;
use crate::Error;
use crate::answers::DataItem;
use crate::source::TemplateRef;
use crate::update::{self, CopyOptions};

/// The flags `copy` and `recopy` share with Copier's.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Make VARIABLE available as a variable with VALUE (repeatable).
    #[arg(short, long = "data", value_name = "VARIABLE=VALUE")]
    pub data: Vec<String>,
    /// Load data from a YAML file (--data wins over it).
    #[arg(long, value_name = "PATH")]
    pub data_file: Option<PathBuf>,
    /// Where the answers are recorded, relative to the destination [default: the template's `_answers_file`, else .copier-answers.yml].
    #[arg(short, long, value_name = "PATH")]
    pub answers_file: Option<PathBuf>,
    /// Use default answers to questions, which might be null if not specified.
    #[arg(short = 'l', long)]
    pub defaults: bool,
    /// Same as `--defaults --overwrite`.
    #[arg(short, long)]
    pub force: bool,
    /// Overwrite files that already exist, without asking.
    #[arg(short = 'w', long)]
    pub overwrite: bool,
    /// A name or shell-style pattern matching files or folders not to copy (repeatable).
    #[arg(short = 'x', long, value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// Skip the files matching PATTERN that exist already (repeatable).
    #[arg(short, long = "skip", value_name = "PATTERN")]
    pub skip: Vec<String>,
    /// Run but do not make any changes.
    #[arg(long)]
    pub pretend: bool,
    /// Suppress status output.
    #[arg(short, long)]
    pub quiet: bool,
    /// Git reference to check out in the template [default: the newest PEP 440 tag; HEAD is a local repository's work tree].
    #[arg(short = 'r', long, value_name = "REF")]
    pub vcs_ref: Option<String>,
    /// Use pre-releases to find the newest version.
    #[arg(short = 'g', long)]
    pub prereleases: bool,
    /// Allow the template's tasks, migrations and Jinja extensions.
    #[arg(long, visible_alias = "UNSAFE")]
    pub trust: bool,
    /// Skip the template's tasks.
    #[arg(short = 'T', long)]
    pub skip_tasks: bool,
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The template: a folder, a git URL (gh:owner/repo, https://...), or builtin:NAME.
    pub template_src: String,
    /// Where the project goes.
    pub destination_path: PathBuf,
    #[command(flatten)]
    pub render: RenderArgs,
}

#[derive(Debug, Args)]
pub struct RecopyArgs {
    /// The project, rendered before by Copier or scaffold.
    #[arg(default_value = ".")]
    pub destination_path: PathBuf,
    #[command(flatten)]
    pub render: RenderArgs,
    /// Do not ask again the questions the answers file answers (the default here).
    #[arg(short = 'A', long)]
    pub skip_answered: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Plain,
    Json,
}

#[derive(Debug, Args)]
pub struct CheckUpdateArgs {
    /// The project.
    #[arg(default_value = ".")]
    pub destination_path: PathBuf,
    /// The answers file, relative to the project.
    #[arg(short, long, value_name = "PATH")]
    pub answers_file: Option<PathBuf>,
    /// Print nothing; only the exit status tells (1: a newer version exists).
    #[arg(short, long)]
    pub quiet: bool,
    /// Use pre-releases to find the newest version.
    #[arg(short = 'g', long)]
    pub prereleases: bool,
    #[arg(long, value_enum, default_value_t = OutputFormat::Plain)]
    pub output_format: OutputFormat,
}

/// Copier's flags of `update` that scaffold's own `update` did not have.
#[derive(Debug, Args)]
pub struct UpdateCopierArgs {
    /// Lines of context to detect conflicts with (Copier's default).
    #[arg(short = 'c', long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..))]
    pub context_lines: u16,
    /// Do not ask again the questions the answers file answers (scaffold never does).
    #[arg(short = 'A', long)]
    pub skip_answered: bool,
    /// Run but do not make any changes (same as --dry-run).
    #[arg(long)]
    pub pretend: bool,
    /// Suppress status output.
    #[arg(short, long)]
    pub quiet: bool,
    /// Use pre-releases to find the newest version.
    #[arg(short = 'g', long)]
    pub prereleases: bool,
    /// Allow the template's tasks, migrations and Jinja extensions.
    #[arg(long, visible_alias = "UNSAFE")]
    pub trust: bool,
    /// Skip the template's tasks.
    #[arg(short = 'T', long)]
    pub skip_tasks: bool,
    /// Load data from a YAML file (--data wins over it).
    #[arg(long, value_name = "PATH")]
    pub data_file: Option<PathBuf>,
    /// A name or shell-style pattern matching files or folders not to copy (repeatable).
    #[arg(short = 'x', long, value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// Skip the files matching PATTERN that exist already (repeatable).
    #[arg(short, long = "skip", value_name = "PATTERN")]
    pub skip: Vec<String>,
}

fn copy_options(render: &RenderArgs, dest: PathBuf) -> Result<CopyOptions, Error> {
    Ok(CopyOptions {
        template: None,
        dest,
        vcs_ref: render.vcs_ref.clone(),
        prereleases: render.prereleases,
        answers_file: render.answers_file.clone(),
        data: render
            .data
            .iter()
            .map(|item| DataItem::parse(item).map_err(Error::Usage))
            .collect::<Result<_, _>>()?,
        data_file: render.data_file.clone(),
        defaults: render.defaults || render.force,
        overwrite: render.overwrite || render.force,
        pretend: render.pretend,
        exclude: render.exclude.clone(),
        skip_if_exists: render.skip.clone(),
        trust: render.trust,
        skip_tasks: render.skip_tasks,
        quiet: render.quiet,
    })
}

/// Prints the error and returns its status; a failing task's own exit
/// code becomes scaffold's, as with Copier.
pub(super) fn failed(err: &Error, failure: ExitStatus) -> ExitStatus {
    let status = output::error_as(err, failure);
    match err {
        Error::Task(task) => ExitStatus::External(u8::try_from(task.code).unwrap_or(1)),
        _ => status,
    }
}

fn show(outcome: &crate::generate::NewOutcome, dest: &std::path::Path, quiet: bool) {
    for warning in &outcome.warnings {
        output::warning(warning);
    }
    if quiet {
        return;
    }
    if let Some(report) = &outcome.written {
        crate::say!(
            "Copied {} files to {}",
            report.created.len() + report.overwritten.len(),
            dest.display()
        );
    } else {
        crate::say!(
            "pretend: {} files would be written to {}; nothing was written",
            outcome.rendered.tree.len(),
            dest.display()
        );
    }
}

pub(super) fn execute_copy(args: &CopyArgs) -> Result<ExitStatus, Error> {
    let mut options = copy_options(&args.render, args.destination_path.clone())?;
    options.template = Some(TemplateRef::parse(&args.template_src));
    match with_prompter(options.defaults, |prompter| {
        update::copy(&options, prompter)
    }) {
        Ok(outcome) => {
            show(&outcome, &options.dest, args.render.quiet);
            Ok(ExitStatus::Success)
        }
        Err(err) => Ok(failed(&err, ExitStatus::Failure)),
    }
}

pub(super) fn execute_recopy(args: &RecopyArgs) -> Result<ExitStatus, Error> {
    let options = copy_options(&args.render, args.destination_path.clone())?;
    match with_prompter(options.defaults, |prompter| {
        update::recopy(&options, prompter)
    }) {
        Ok(outcome) => {
            show(&outcome, &options.dest, args.render.quiet);
            Ok(ExitStatus::Success)
        }
        Err(err) => Ok(failed(&err, ExitStatus::NotUpdated)),
    }
}

pub(super) fn execute_check_update(args: &CheckUpdateArgs) -> Result<ExitStatus, Error> {
    let check = update::check_update(
        &args.destination_path,
        args.answers_file.as_deref(),
        args.prereleases,
    )?;
    if !args.quiet {
        match args.output_format {
            OutputFormat::Json => {
                let json =
                    serde_json::to_string(&check).map_err(|err| Error::Other(err.to_string()))?;
                crate::say!("{json}");
            }
            OutputFormat::Plain if check.update_available => crate::say!(
                "New template version available.\nCurrent version is {}, latest version is {}.",
                check.current_version,
                check.latest_version
            ),
            OutputFormat::Plain => crate::say!("Project is up-to-date!"),
        }
    }
    Ok(if check.update_available {
        ExitStatus::Different
    } else {
        ExitStatus::Success
    })
}
