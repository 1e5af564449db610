//! `scaffold update`, `diff` and `check`: render the template twice (as the
//! project was rendered, and as it would be rendered now), read the project's
//! files, and let [`merge::plan`] decide; then apply the plan, show it as
//! unified diffs, or list what drifted.
//!
//! One step a module: [`versions`] chooses the two template versions,
//! [`project`] reads the project, [`merge::plan`] plans, [`apply`] writes,
//! [`report`] shows. Which template version was used is read from the
//! answers file: `_src_path` names the template, `_commit` its version (a git
//! tag or commit, or the scaffold version for builtin templates, whose
//! earlier releases are embedded in the binary: see docs/update.md).

mod apply;
mod check;
mod copy;
mod project;
mod report;
pub mod versions;

use std::path::PathBuf;

use crate::Error;
use crate::answers::{AnswerInput, DataItem, Prompter};
use crate::generate::{self, Rendered};
use crate::merge::{self, ConflictStyle, Plan, PlanInput, Refusal};
use crate::source::TemplateRef;
use crate::spec::Spec;
use crate::tree::PathPatterns;

pub use apply::apply;
pub use check::{UpdateCheck, check_update};
pub use copy::{CopyOptions, copy, recopy};

/// Copier's `--context-lines` default.
pub const DEFAULT_CONTEXT_LINES: usize = 3;
pub use project::{COPIER_ANSWERS_FILE, refuse_dirty};
pub use report::{DriftKind, diffs, drift};

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error(
        "`{}` has no answers file ({tried}); update, diff and check work on a project rendered by `scaffold new` (or Copier), from its folder or given as DIR",
        project.display()
    )]
    NoAnswersFile { project: PathBuf, tried: String },
    #[error("answers file `{}` does not record its template (`_src_path`); pass --template", path.display())]
    NoTemplate { path: PathBuf },
    #[error(
        "`{}` has uncommitted changes; commit or stash them first, so the update can be reviewed and undone, or pass --allow-dirty:\n{files}",
        project.display()
    )]
    Dirty { project: PathBuf, files: String },
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot update `{}`: {source}; the project was left as it was", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid `_skip_if_exists` pattern: {message}")]
    Pattern { message: String },
    #[error(
        "cannot tell whether `{}` has uncommitted changes: {message}; fix git (or pass --allow-dirty to update anyway)",
        project.display()
    )]
    GitStatus { project: PathBuf, message: String },
    #[error("cannot update: {paths}; nothing was written")]
    Refused { paths: String },
    #[error(
        "an interrupted update left `{}` in the project; run `scaffold update` to put the project back as it was first",
        staging.display()
    )]
    Unfinished { staging: PathBuf },
    #[error(
        "answers file `{}` records no version (`_commit`) that reads as a PEP 440 version; check-update compares versions",
        path.display()
    )]
    NoVersion { path: PathBuf },
    #[error("template `{template}` has no tag that is a PEP 440 version to compare with")]
    NoTemplateVersion { template: String },
}

impl UpdateError {
    /// Whether the user's input or project state was at fault.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Self::NoAnswersFile { .. }
                | Self::NoTemplate { .. }
                | Self::Dirty { .. }
                | Self::GitStatus { .. }
                | Self::Refused { .. }
                | Self::Unfinished { .. }
                | Self::NoVersion { .. }
        )
    }
}

/// What `scaffold update`, `diff` and `check` were asked to do, independent of
/// the command line.
#[derive(Debug, Clone, Default)]
pub struct UpdateOptions {
    /// The project's folder.
    pub project: PathBuf,
    /// The template, when it is no longer where `_src_path` says.
    pub template: Option<TemplateRef>,
    /// The version to update to: a git ref, or a builtin release.
    pub vcs_ref: Option<String>,
    /// The answers file, relative to the project.
    pub answers_file: Option<PathBuf>,
    /// Answers to change.
    pub data: Vec<DataItem>,
    /// Take defaults for new questions instead of prompting.
    pub defaults: bool,
    pub conflict: ConflictStyle,
    /// Lines of context around a change (`-c`); 0 takes Copier's default, 3.
    pub context_lines: usize,
    /// Let the newest version be a pre-release (`-g`).
    pub prereleases: bool,
    /// `--trust`: run the template's tasks and migrations.
    pub trust: bool,
    /// `-T`: leave the template's tasks out (migrations still run).
    pub skip_tasks: bool,
    /// `-q`: no status output (and no `_message_*`).
    pub quiet: bool,
    /// `-x`: more `_exclude` patterns, for both versions (as Copier).
    pub exclude: Vec<String>,
    /// `-s`: more `_skip_if_exists` patterns.
    pub skip_if_exists: Vec<String>,
    pub dry_run: bool,
    pub allow_dirty: bool,
}

/// The decided plan, and what it was decided from.
#[derive(Debug)]
pub struct Prepared {
    pub project: PathBuf,
    /// `_src_path` of the template, e.g. `builtin:service`.
    pub template: String,
    /// The version the project was rendered from, and the one it moves to.
    pub from_version: Option<String>,
    pub to_version: Option<String>,
    /// Recorded answers whose value changes, by name.
    pub changed_answers: Vec<String>,
    pub plan: Plan,
    /// The template as the project was rendered, and as it is rendered now.
    pub base: Rendered,
    pub theirs: Rendered,
    /// The answers file that was read, relative to the project.
    pub answers_file: String,
}

/// What `scaffold update` did.
#[derive(Debug)]
pub struct UpdateOutcome {
    pub prepared: Prepared,
    /// `false` for a dry run.
    pub applied: bool,
    /// Files put back from an update interrupted before this one, if one was.
    pub recovered: Option<Vec<String>>,
}

/// Renders both versions, reads the project and decides the plan. Writes nothing.
pub fn prepare(
    options: &UpdateOptions,
    prompter: Option<&mut dyn Prompter>,
) -> Result<Prepared, Error> {
    let project = &options.project;
    if let Some(staging) = crate::disk::unfinished(project).into_iter().next() {
        return Err(UpdateError::Unfinished { staging }.into());
    }
    let recorded = project::read_recorded_answers(project, options.answers_file.as_deref())?;
    let reference = match &options.template {
        Some(reference) => reference.clone(),
        None => versions::recorded_template(project, &recorded.answers, &recorded.path)?,
    };
    let commit = recorded.answers.meta("_commit").map(str::to_owned);
    let folder_name = generate::folder_name(project);
    // With `-a FILE`, both versions record their answers in FILE, as Copier's do.
    let answers_file_name = options
        .answers_file
        .as_ref()
        .map(|_| recorded.relative.clone())
        .unwrap_or_default();

    let base_source = versions::open_base(&reference, commit.as_deref())?;
    let base_spec = with_patterns(Spec::load(&base_source)?, options)?;
    let base_input = AnswerInput {
        folder_name: folder_name.clone(),
        answers_file: Some(recorded.answers.clone()),
        defaults: true,
        answers_file_name: answers_file_name.clone(),
        ..AnswerInput::default()
    };
    let base = generate::render_with(base_source, base_spec, base_input, None)?;

    let theirs_ref =
        versions::resolve_ref(&reference, options.vcs_ref.as_deref(), options.prereleases)?;
    let theirs_source = versions::open_theirs(&reference, theirs_ref.as_deref())?;
    let theirs_spec = with_patterns(Spec::load(&theirs_source)?, options)?;
    let theirs_input = AnswerInput {
        folder_name,
        answers_file: Some(recorded.answers),
        data: options.data.clone(),
        defaults: options.defaults || prompter.is_none(),
        answers_file_name,
        ..AnswerInput::default()
    };
    let theirs = generate::render_with(theirs_source, theirs_spec, theirs_input, prompter)?;

    let changed_answers = changed_answers(&base, &theirs);
    let mut prepared = Prepared {
        project: project.clone(),
        template: theirs.source.reference().describe(),
        from_version: base.source.version().map(str::to_owned),
        to_version: theirs.source.version().map(str::to_owned),
        changed_answers,
        plan: Plan::default(),
        base,
        theirs,
        answers_file: recorded.relative,
    };
    prepared.replan(options)?;
    Ok(prepared)
}

impl Prepared {
    /// Reads the project's files and decides the plan (again, after a
    /// migration changed the project).
    pub fn replan(&mut self, options: &UpdateOptions) -> Result<(), Error> {
        let (base, theirs) = (&self.base, &self.theirs);
        let ours = project::read_ours(
            &self.project,
            base.tree
                .paths()
                .chain(theirs.tree.paths())
                .chain(std::iter::once(&self.answers_file)),
        )?;
        let skip = skip_if_exists(&theirs.spec.skip_if_exists)?;
        self.plan = merge::plan(&PlanInput {
            base: &base.tree,
            theirs: &theirs.tree,
            ours: &ours,
            answers_file: &theirs.answers_file,
            base_answers_file: &self.answers_file,
            skip_if_exists: &skip,
            style: options.conflict,
            context_lines: if options.context_lines == 0 {
                DEFAULT_CONTEXT_LINES
            } else {
                options.context_lines
            },
        });
        apply::choose_reject_paths(&self.project, &mut self.plan);
        Ok(())
    }
}

/// `scaffold update`: refuses a dirty git work tree (unless allowed), then
/// decides the plan and, unless a dry run, applies it.
pub fn update(
    options: &UpdateOptions,
    prompter: Option<&mut dyn Prompter>,
) -> Result<UpdateOutcome, Error> {
    let interrupted = !crate::disk::unfinished(&options.project).is_empty();
    let recovered = if options.dry_run {
        None
    } else {
        let restored = crate::disk::recover(&options.project)?;
        interrupted.then_some(restored)
    };
    if !options.dry_run && !options.allow_dirty {
        refuse_dirty(&options.project)?;
    }
    let mut prepared = prepare(options, prompter)?;
    refuse_undeliverable(&prepared.plan)?;
    let spec = &prepared.theirs.spec;
    crate::tasks::check_trust_for_update(spec, options.trust, options.skip_tasks)?;
    crate::tasks::print_message(
        &prepared.theirs,
        spec.message_before_update.as_deref(),
        false,
        options.quiet,
    )?;
    let (from, to) = (
        prepared.from_version.clone().unwrap_or_default(),
        prepared.to_version.clone().unwrap_or_default(),
    );
    let before = crate::tasks::migrations(spec, "before", &from, &to);
    if !before.is_empty() {
        runner(&prepared, options).run(&before)?;
        if !options.dry_run {
            prepared.replan(options)?;
            refuse_undeliverable(&prepared.plan)?;
        }
    }
    if !options.dry_run {
        apply(&prepared.project, &prepared.plan)?;
    }
    let spec = &prepared.theirs.spec;
    if !options.skip_tasks {
        runner(&prepared, options).run(&crate::tasks::tasks(spec))?;
    }
    runner(&prepared, options).run(&crate::tasks::migrations(spec, "after", &from, &to))?;
    crate::tasks::print_message(
        &prepared.theirs,
        spec.message_after_update.as_deref(),
        true,
        options.quiet,
    )?;
    Ok(UpdateOutcome {
        prepared,
        applied: !options.dry_run,
        recovered,
    })
}

/// Runs tasks and migrations of the new version in the project.
fn runner<'a>(prepared: &'a Prepared, options: &'a UpdateOptions) -> crate::tasks::Runner<'a> {
    crate::tasks::Runner {
        rendered: &prepared.theirs,
        dest: &options.project,
        operation: "update",
        quiet: options.quiet,
        pretend: options.dry_run,
    }
}

/// Refuses the whole update when the template changes a path the project
/// has something else at, naming each and what to do.
fn refuse_undeliverable(plan: &Plan) -> Result<(), UpdateError> {
    let reasons: Vec<String> = plan
        .refusals()
        .map(|(path, refusal)| match refusal {
            Refusal::NotAFile => format!(
                "the template changes `{path}`, which is not a regular file in the project (a symlink or special file, or one is on the way); replace it with a file or remove it"
            ),
            Refusal::FileInTheWay { file } => format!(
                "the template turns `{file}` into a folder (with `{path}`), but the project's `{file}` stays (it was edited); move it aside"
            ),
            Refusal::FolderInTheWay { kept } => format!(
                "the template turns the folder `{path}` into a file, but the project keeps files in it ({}); move them aside",
                kept.join(", ")
            ),
        })
        .collect();
    if reasons.is_empty() {
        return Ok(());
    }
    Err(UpdateError::Refused {
        paths: reasons.join("; "),
    })
}

/// The spec with the `-x` and `-s` patterns of the command line added.
fn with_patterns(mut spec: Spec, options: &UpdateOptions) -> Result<Spec, Error> {
    spec.exclude_also(&options.exclude)?;
    spec.skip_if_exists
        .extend(options.skip_if_exists.iter().cloned());
    Ok(spec)
}

fn changed_answers(base: &Rendered, theirs: &Rendered) -> Vec<String> {
    let before = base.answers.recorded();
    let after = theirs.answers.recorded();
    let mut names: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|name| before.get(*name) != after.get(*name))
        .cloned()
        .collect();
    names.sort();
    names.dedup();
    names
}

fn skip_if_exists(patterns: &[String]) -> Result<impl Fn(&str) -> bool, UpdateError> {
    let patterns = PathPatterns::new(patterns.iter().map(String::as_str)).map_err(|err| {
        UpdateError::Pattern {
            message: err.to_string(),
        }
    })?;
    Ok(move |path: &str| patterns.matches(path))
}

#[cfg(test)]
mod tests;
