//! `scaffold update`, `diff` and `check`: render the template twice (as the
//! project was rendered, and as it would be rendered now), read the project's
//! files, and let [`merge::plan`] decide; then apply the plan, show it as
//! unified diffs, or list what drifted.
//!
//! Which template version was used is read from the answers file: `_src_path`
//! names the template, `_commit` its version (a git tag or commit, or the
//! scaffold version for builtin templates, whose earlier releases are embedded
//! in the binary: see docs/update.md).

use crate::source::is_executable;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Error;
use crate::answers::{AnswerInput, AnswersFile, DataItem, Prompter};
use crate::generate::{self, Rendered};
use crate::merge::{self, Action, ConflictStyle, Kept, Labels, Ours, Plan, PlanInput};
use crate::render::DEFAULT_ANSWERS_FILE;
use crate::source::{self, Source, SourceError, TemplateRef};
use crate::spec::Spec;
use crate::tree::{File, PathPatterns};

/// The answers file Copier writes, read when scaffold's own is absent.
const COPIER_ANSWERS_FILE: &str = ".copier-answers.yml";

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
}

impl UpdateError {
    /// Whether the user's input or project state was at fault.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Self::NoAnswersFile { .. } | Self::NoTemplate { .. } | Self::Dirty { .. }
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
}

/// What `scaffold update` did.
#[derive(Debug)]
pub struct UpdateOutcome {
    pub prepared: Prepared,
    /// `false` for a dry run.
    pub applied: bool,
}

/// Renders both versions, reads the project and decides the plan. Writes nothing.
pub fn prepare(
    options: &UpdateOptions,
    prompter: Option<&mut dyn Prompter>,
) -> Result<Prepared, Error> {
    let project = &options.project;
    let (answers_path, recorded) = read_recorded_answers(project, options.answers_file.as_deref())?;
    let reference = match &options.template {
        Some(reference) => reference.clone(),
        None => recorded_template(project, &recorded, &answers_path)?,
    };
    let commit = recorded.meta("_commit").map(str::to_owned);
    let folder_name = generate::folder_name(project);

    let base_source = open_base(&reference, commit.as_deref())?;
    let base_spec = Spec::load(&base_source)?;
    let base_input = AnswerInput {
        folder_name: folder_name.clone(),
        answers_file: Some(recorded.clone()),
        defaults: true,
        ..AnswerInput::default()
    };
    let base = generate::render_with(base_source, base_spec, base_input, None)?;

    let theirs_source = open_theirs(&reference, options.vcs_ref.as_deref())?;
    let theirs_spec = Spec::load(&theirs_source)?;
    let theirs_input = AnswerInput {
        folder_name,
        answers_file: Some(recorded),
        data: options.data.clone(),
        defaults: options.defaults || prompter.is_none(),
        ..AnswerInput::default()
    };
    let theirs = generate::render_with(theirs_source, theirs_spec, theirs_input, prompter)?;

    let ours = read_ours(project, base.tree.paths().chain(theirs.tree.paths()))?;
    let skip = skip_if_exists(&theirs.spec.skip_if_exists)?;
    let changed_answers = changed_answers(&base, &theirs);
    let from_version = base.source.version().map(str::to_owned);
    let to_version = theirs.source.version().map(str::to_owned);
    let labels = labels(
        from_version.as_deref(),
        to_version.as_deref(),
        !changed_answers.is_empty(),
    );
    let plan = merge::plan(&PlanInput {
        base: &base.tree,
        theirs: &theirs.tree,
        ours: &ours,
        answers_file: &theirs.answers_file,
        base_answers_file: &base.answers_file,
        skip_if_exists: &skip,
        style: options.conflict,
        labels: &labels,
    });
    Ok(Prepared {
        project: project.clone(),
        template: theirs.source.reference().describe(),
        from_version,
        to_version,
        changed_answers,
        plan,
    })
}

/// `scaffold update`: refuses a dirty git work tree (unless allowed), then
/// decides the plan and, unless a dry run, applies it.
pub fn update(
    options: &UpdateOptions,
    prompter: Option<&mut dyn Prompter>,
) -> Result<UpdateOutcome, Error> {
    if !options.dry_run && !options.allow_dirty {
        refuse_dirty(&options.project)?;
    }
    let prepared = prepare(options, prompter)?;
    if !options.dry_run {
        apply(&prepared.project, &prepared.plan)?;
    }
    Ok(UpdateOutcome {
        prepared,
        applied: !options.dry_run,
    })
}

fn read_recorded_answers(
    project: &Path,
    answers_file: Option<&Path>,
) -> Result<(PathBuf, AnswersFile), Error> {
    let candidates: Vec<PathBuf> = match answers_file {
        Some(path) => vec![project.join(path)],
        None => [DEFAULT_ANSWERS_FILE, COPIER_ANSWERS_FILE]
            .iter()
            .map(|name| project.join(name))
            .collect(),
    };
    let Some(path) = candidates.iter().find(|path| path.is_file()) else {
        return Err(UpdateError::NoAnswersFile {
            project: project.to_owned(),
            tried: candidates
                .iter()
                .filter_map(|path| path.file_name())
                .map(|name| name.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(", "),
        }
        .into());
    };
    Ok((path.clone(), generate::read_answers_file(path, false)?))
}

/// The template named by `_src_path`. A relative folder is looked up from the
/// current folder, then from the project (the folder `new` ran in is unknown).
fn recorded_template(
    project: &Path,
    recorded: &AnswersFile,
    answers_path: &Path,
) -> Result<TemplateRef, Error> {
    let src_path = recorded
        .meta("_src_path")
        .ok_or_else(|| UpdateError::NoTemplate {
            path: answers_path.to_owned(),
        })?;
    Ok(match TemplateRef::parse(src_path) {
        TemplateRef::Local(path) if path.is_relative() && !path.is_dir() => {
            let beside = project.join(&path);
            TemplateRef::Local(if beside.is_dir() { beside } else { path })
        }
        other => other,
    })
}

/// The template as the project was rendered: the recorded version.
fn open_base(reference: &TemplateRef, commit: Option<&str>) -> Result<Source, SourceError> {
    match reference {
        TemplateRef::Builtin(name) => {
            Source::builtin_at(name, commit.unwrap_or(source::BUILTIN_VERSION))
        }
        TemplateRef::Local(path) if !source::is_git_repo(path) => Source::open(reference, None),
        _ => Source::open(reference, commit),
    }
}

/// The template the project moves to: `--vcs-ref`, else the newest tag of a
/// git template, a local folder as it is, or this scaffold's builtin templates.
fn open_theirs(reference: &TemplateRef, vcs_ref: Option<&str>) -> Result<Source, SourceError> {
    match (reference, vcs_ref) {
        (TemplateRef::Builtin(name), Some(version)) => Source::builtin_at(name, version),
        _ => Source::open(reference, vcs_ref),
    }
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

fn labels(from: Option<&str>, to: Option<&str>, answers_changed: bool) -> Labels {
    let name = |version: Option<&str>| {
        version.map_or_else(
            || "template".to_owned(),
            |version| format!("template {version}"),
        )
    };
    let mut theirs = name(to);
    if from == to && answers_changed {
        theirs.push_str(" with the new answers");
    }
    Labels {
        base: name(from),
        theirs,
    }
}

fn skip_if_exists(patterns: &[String]) -> Result<impl Fn(&str) -> bool, UpdateError> {
    let patterns = PathPatterns::new(patterns.iter().map(String::as_str)).map_err(|err| {
        UpdateError::Pattern {
            message: err.to_string(),
        }
    })?;
    Ok(move |path: &str| patterns.matches(path))
}

enum OnDisk {
    Missing,
    File(File),
    /// A folder, a symlink, or anything below one.
    NotAFile,
}

/// Reads the project's files at `paths`, and only there.
fn read_ours<'a>(
    project: &Path,
    paths: impl Iterator<Item = &'a String>,
) -> Result<Ours, UpdateError> {
    let mut ours = Ours::default();
    for path in paths {
        if ours.files.contains(path) || ours.not_files.contains(path) {
            continue;
        }
        match inspect(project, path)? {
            OnDisk::Missing => {}
            OnDisk::File(file) => {
                ours.files.insert(path.clone(), file);
            }
            OnDisk::NotAFile => {
                ours.not_files.insert(path.clone());
            }
        }
    }
    Ok(ours)
}

fn inspect(project: &Path, path: &str) -> Result<OnDisk, UpdateError> {
    let parts: Vec<&str> = path.split('/').collect();
    let mut current = project.to_owned();
    for (index, part) in parts.iter().enumerate() {
        current.push(part);
        let metadata = match fs::symlink_metadata(&current) {
            Ok(metadata) => metadata,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(OnDisk::Missing),
            Err(source) => {
                return Err(UpdateError::Read {
                    path: current,
                    source,
                });
            }
        };
        let last = index + 1 == parts.len();
        if metadata.file_type().is_symlink() || (!last && !metadata.is_dir()) {
            return Ok(OnDisk::NotAFile);
        }
        if last {
            if !metadata.is_file() {
                return Ok(OnDisk::NotAFile);
            }
            let contents = fs::read(&current).map_err(|source| UpdateError::Read {
                path: current.clone(),
                source,
            })?;
            return Ok(OnDisk::File(File::new(contents, is_executable(&metadata))));
        }
    }
    Ok(OnDisk::Missing)
}

/// Fails when `project` is inside a git work tree with uncommitted changes
/// below it (untracked files included). Outside git, or without git, passes.
pub fn refuse_dirty(project: &Path) -> Result<(), UpdateError> {
    let Ok(output) = Command::new("git")
        .current_dir(project)
        .args(["status", "--porcelain", "--untracked-files=all", "--", "."])
        .output()
    else {
        return Ok(());
    };
    let files = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() || files.trim().is_empty() {
        return Ok(());
    }
    Err(UpdateError::Dirty {
        project: project.to_owned(),
        files: files.trim_end().to_owned(),
    })
}

/// One file operation of an update: write `file` at `path`, or delete it.
struct Operation {
    path: String,
    file: Option<File>,
}

fn operations(plan: &Plan) -> Vec<Operation> {
    let mut operations = Vec::new();
    for entry in plan.changes() {
        let path = entry.path.clone();
        match &entry.action {
            Action::Add(file) | Action::Update(file) | Action::Merge(file) => {
                operations.push(Operation {
                    path,
                    file: Some(file.clone()),
                });
            }
            Action::Conflict(conflict) => {
                if let Some(file) = &conflict.result {
                    operations.push(Operation {
                        path: path.clone(),
                        file: Some(file.clone()),
                    });
                }
                if let Some(reject) = &conflict.reject {
                    operations.push(Operation {
                        path: reject_path(&path),
                        file: Some(File::new(reject.clone(), false)),
                    });
                }
            }
            Action::Delete => operations.push(Operation { path, file: None }),
            Action::Keep(_) => {}
        }
    }
    operations
}

/// Where the template's clashing hunks for `path` are written.
pub fn reject_path(path: &str) -> String {
    format!("{path}.rej")
}

/// What was done to one target, so it can be undone.
struct Step {
    target: PathBuf,
    backup: Option<PathBuf>,
    placed: bool,
    created_dirs: Vec<PathBuf>,
}

impl Step {
    fn undo(self) {
        if self.placed {
            let _ = fs::remove_file(&self.target);
        }
        if let Some(backup) = &self.backup {
            let _ = fs::rename(backup, &self.target);
        }
        for dir in self.created_dirs.iter().rev() {
            let _ = fs::remove_dir(dir);
        }
    }
}

/// Applies `plan` to `project`: every new file is first written to a staging
/// folder inside the project, then each is moved into place, the replaced or
/// deleted originals moved aside. Should any step fail, every earlier one is
/// undone, so the project is left as it was. The answers file goes last.
pub fn apply(project: &Path, plan: &Plan) -> Result<(), UpdateError> {
    let operations = operations(plan);
    if operations.is_empty() {
        return Ok(());
    }
    let write_error = |path: &Path| {
        let path = path.to_owned();
        move |source| UpdateError::Write { path, source }
    };
    let staging = tempfile::Builder::new()
        .prefix(".scaffold-update-")
        .tempdir_in(project)
        .map_err(write_error(project))?;
    let new_dir = staging.path().join("new");
    let old_dir = staging.path().join("old");
    fs::create_dir_all(&new_dir).map_err(write_error(&new_dir))?;
    fs::create_dir_all(&old_dir).map_err(write_error(&old_dir))?;
    for (index, operation) in operations.iter().enumerate() {
        if let Some(file) = &operation.file {
            let staged = new_dir.join(index.to_string());
            fs::write(&staged, &file.contents).map_err(write_error(&staged))?;
            crate::write::set_mode(&staged, file.mode()).map_err(|err| UpdateError::Write {
                path: staged.clone(),
                source: std::io::Error::other(err.to_string()),
            })?;
        }
    }
    let mut done: Vec<Step> = Vec::new();
    for (index, operation) in operations.iter().enumerate() {
        let staged = new_dir.join(index.to_string());
        let backup = old_dir.join(index.to_string());
        match place(project, operation, &staged, &backup) {
            Ok(step) => done.push(step),
            Err(err) => {
                for step in done.into_iter().rev() {
                    step.undo();
                }
                return Err(err);
            }
        }
    }
    for operation in operations
        .iter()
        .filter(|operation| operation.file.is_none())
    {
        remove_empty_parents(project, &operation.path);
    }
    Ok(())
}

fn place(
    project: &Path,
    operation: &Operation,
    staged: &Path,
    backup: &Path,
) -> Result<Step, UpdateError> {
    let target = project.join(&operation.path);
    let mut step = Step {
        target: target.clone(),
        backup: None,
        placed: false,
        created_dirs: Vec::new(),
    };
    if fs::symlink_metadata(&target).is_ok() {
        fs::rename(&target, backup).map_err(|source| UpdateError::Write {
            path: target.clone(),
            source,
        })?;
        step.backup = Some(backup.to_owned());
    }
    if operation.file.is_some() {
        let result = create_parents(project, &operation.path, &mut step.created_dirs)
            .and_then(|()| fs::rename(staged, &target));
        if let Err(source) = result {
            step.undo();
            return Err(UpdateError::Write {
                path: target,
                source,
            });
        }
        step.placed = true;
    }
    Ok(step)
}

/// Creates the missing folders above `path`, recording each one created.
fn create_parents(project: &Path, path: &str, created: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut current = project.to_owned();
    let parts: Vec<&str> = path.split('/').collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        current.push(part);
        if !current.is_dir() {
            fs::create_dir(&current)?;
            created.push(current.clone());
        }
    }
    Ok(())
}

/// Removes the folders above a deleted file that it left empty.
fn remove_empty_parents(project: &Path, path: &str) {
    let mut current = project.join(path);
    while current.pop() && current != project {
        if fs::remove_dir(&current).is_err() {
            break;
        }
    }
}

/// The plan as unified diffs from the project's files to what `update` would
/// write, one per changed path (and one per `.rej` file), without colour.
pub fn diffs(plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    for entry in plan.changes() {
        let ours = entry.ours.as_ref();
        let after = match &entry.action {
            Action::Add(file) | Action::Update(file) | Action::Merge(file) => Some(file),
            Action::Conflict(conflict) => conflict.result.as_ref().or(ours),
            Action::Delete | Action::Keep(_) => None,
        };
        if ours != after {
            out.push(file_diff(&entry.path, ours, after));
        }
        if let Action::Conflict(conflict) = &entry.action {
            if let Some(reject) = &conflict.reject {
                let rejected = File::new(reject.clone(), false);
                out.push(file_diff(&reject_path(&entry.path), None, Some(&rejected)));
            }
        }
    }
    out
}

fn file_diff(path: &str, before: Option<&File>, after: Option<&File>) -> String {
    let old_name = if before.is_some() {
        format!("a/{path}")
    } else {
        "/dev/null".to_owned()
    };
    let new_name = if after.is_some() {
        format!("b/{path}")
    } else {
        "/dev/null".to_owned()
    };
    let empty = File::new(Vec::new(), false);
    let (old, new) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
    let mut text = String::new();
    if before.is_some() && after.is_some() && old.executable != new.executable {
        text.push_str(&format!(
            "mode {:o} -> {:o} {path}\n",
            old.mode(),
            new.mode()
        ));
    }
    if old.contents != new.contents || before.is_none() || after.is_none() {
        match (
            std::str::from_utf8(&old.contents),
            std::str::from_utf8(&new.contents),
        ) {
            (Ok(old_text), Ok(new_text)) => {
                let diff = similar::TextDiff::from_lines(old_text, new_text);
                let unified = diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&old_name, &new_name)
                    .to_string();
                if unified.is_empty() {
                    text.push_str(&format!("--- {old_name}\n+++ {new_name}\n"));
                } else {
                    text.push_str(&unified);
                }
            }
            _ => text.push_str(&format!("Binary files {old_name} and {new_name} differ\n")),
        }
    }
    text
}

/// How a path differs from what the template renders now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftKind {
    /// The project changed it.
    Edited,
    /// The template changed it (or the answers did); the project has the old version.
    Outdated,
    /// The template renders it; the project does not have it.
    Missing,
    /// The template no longer renders it; the project still has it unchanged.
    Obsolete,
}

/// Every path where the project differs from what the template renders now,
/// in path order: the project's own edits as well as what `update` would bring.
pub fn drift(plan: &Plan) -> Vec<(String, DriftKind)> {
    plan.entries
        .iter()
        .filter_map(|entry| {
            if matches!(
                entry.action,
                Action::Keep(Kept::SkipIfExists | Kept::NotAFile)
            ) {
                return None;
            }
            let kind = match (&entry.theirs, &entry.ours) {
                (theirs, ours) if theirs == ours => return None,
                (Some(_), None) => DriftKind::Missing,
                (Some(_), Some(_)) if entry.is_answers_file || entry.ours == entry.base => {
                    DriftKind::Outdated
                }
                (Some(_), Some(_)) => DriftKind::Edited,
                (None, ours) if ours.is_some() && *ours == entry.base => DriftKind::Obsolete,
                (None, _) => return None,
            };
            Some((entry.path.clone(), kind))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge::Entry;

    fn entry(path: &str, action: Action) -> Entry {
        Entry {
            path: path.to_owned(),
            base: None,
            theirs: None,
            ours: None,
            action,
            is_answers_file: false,
        }
    }

    #[test]
    fn a_failing_step_undoes_every_earlier_one() {
        let project = tempfile::tempdir().unwrap();
        let root = project.path();
        fs::write(root.join("a.txt"), "old a\n").unwrap();
        fs::write(root.join("b.txt"), "old b\n").unwrap();
        fs::write(root.join("c"), "a file where the plan needs a folder\n").unwrap();
        let plan = Plan {
            entries: vec![
                entry("a.txt", Action::Update(File::new("new a\n", false))),
                entry("b.txt", Action::Delete),
                entry("c/x.txt", Action::Add(File::new("x\n", false))),
                entry("d/e/new.txt", Action::Add(File::new("new\n", false))),
            ],
        };
        let err = apply(root, &plan).unwrap_err();
        assert!(matches!(err, UpdateError::Write { .. }), "{err}");
        assert_eq!(fs::read_to_string(root.join("a.txt")).unwrap(), "old a\n");
        assert_eq!(fs::read_to_string(root.join("b.txt")).unwrap(), "old b\n");
        let mut left: Vec<String> = fs::read_dir(root)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            ["a.txt", "b.txt", "c"],
            "no staging folder or new file is left"
        );
    }

    #[test]
    fn a_deleted_file_takes_the_folders_it_leaves_empty_with_it() {
        let project = tempfile::tempdir().unwrap();
        let root = project.path();
        fs::create_dir_all(root.join("old/deeper")).unwrap();
        fs::write(root.join("old/deeper/gone.txt"), "x\n").unwrap();
        fs::write(root.join("keep.txt"), "k\n").unwrap();
        let plan = Plan {
            entries: vec![entry("old/deeper/gone.txt", Action::Delete)],
        };
        apply(root, &plan).unwrap();
        assert!(!root.join("old").exists());
        assert!(root.join("keep.txt").exists());
    }

    #[test]
    fn a_builtin_project_updates_from_the_embedded_release_that_rendered_it() {
        let temp = tempfile::tempdir().unwrap();
        let project = temp.path().join("svc");
        let render_builtin = |source: Source| {
            let spec = Spec::load(&source).unwrap();
            let input = AnswerInput {
                folder_name: "svc".into(),
                defaults: true,
                ..AnswerInput::default()
            };
            generate::render_with(source, spec, input, None).unwrap()
        };
        let old = render_builtin(Source::builtin_at("service", "0.0.1").unwrap());
        crate::write::write_new(&old.tree, &project, &crate::write::WriteOptions::default())
            .unwrap();
        let readme = project.join("README.md");
        let text = fs::read_to_string(&readme).unwrap();
        fs::write(
            &readme,
            text.replacen("# svc\n", "# svc, the team's service\n", 1),
        )
        .unwrap();

        let options = UpdateOptions {
            project: project.clone(),
            defaults: true,
            ..UpdateOptions::default()
        };
        let outcome = update(&options, None).unwrap();
        let action = |path: &str| {
            outcome
                .prepared
                .plan
                .entries
                .iter()
                .find(|entry| entry.path == path)
                .map(|entry| entry.action.clone())
        };
        assert_eq!(outcome.prepared.from_version.as_deref(), Some("0.0.1"));
        assert!(matches!(action("README.md"), Some(Action::Merge(_))));
        assert_eq!(action("CHANGES.md"), Some(Action::Delete));
        assert!(matches!(action("Cargo.toml"), Some(Action::Add(_))));

        let current = render_builtin(Source::builtin(source::DEFAULT_BUILTIN).unwrap());
        let expected = String::from_utf8(current.tree.get("README.md").unwrap().contents.clone())
            .unwrap()
            .replacen("# svc\n", "# svc, the team's service\n", 1);
        assert_eq!(fs::read_to_string(&readme).unwrap(), expected);
        assert!(!project.join("CHANGES.md").exists());
        let answers = fs::read_to_string(project.join(DEFAULT_ANSWERS_FILE)).unwrap();
        assert!(
            answers.contains(&format!("_commit: {}\n", source::BUILTIN_VERSION)),
            "{answers}"
        );
    }

    #[test]
    fn drift_names_edits_missing_and_outdated_files() {
        let file = |text: &str| Some(File::new(text, false));
        let mut edited = entry("edited", Action::Keep(Kept::Edited));
        (edited.base, edited.theirs, edited.ours) = (file("1"), file("1"), file("2"));
        let mut outdated = entry("outdated", Action::Update(File::new("2", false)));
        (outdated.base, outdated.theirs, outdated.ours) = (file("1"), file("2"), file("1"));
        let mut missing = entry("missing", Action::Keep(Kept::Edited));
        (missing.base, missing.theirs) = (file("1"), file("1"));
        let mut same = entry("same", Action::Keep(Kept::Unchanged));
        (same.base, same.theirs, same.ours) = (file("1"), file("1"), file("1"));
        let plan = Plan {
            entries: vec![edited, outdated, missing, same],
        };
        assert_eq!(
            drift(&plan),
            [
                ("edited".to_owned(), DriftKind::Edited),
                ("outdated".to_owned(), DriftKind::Outdated),
                ("missing".to_owned(), DriftKind::Missing),
            ]
        );
    }
}
