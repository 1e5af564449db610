//! `scaffold update`, `diff` and `check` on the command line: typed arguments
//! become [`UpdateOptions`], and the engine's plan becomes a summary, coloured
//! diffs or a drift list, with the exit code each deserves.

use std::io::Write;

use clap::ArgMatches;
use console::{StyledObject, style};

use super::args::{ChangeArgs, CheckArgs, ConflictArg, DiffArgs, ProjectArgs, UpdateArgs};
use super::output::ExitStatus;
use super::{answers_given, output, with_prompter};
use crate::Error;
use crate::merge::{Action, ConflictKind, ConflictStyle, Entry, Kept};
use crate::source::TemplateRef;
use crate::update::{self, DriftKind, Prepared, UpdateOptions};

fn options(
    project: &ProjectArgs,
    change: Option<(&ChangeArgs, &ArgMatches, &[crate::spec::Question])>,
) -> Result<UpdateOptions, Error> {
    check_project_folder(&project.dir)?;
    let mut options = UpdateOptions {
        project: project.dir.clone(),
        template: project.template.as_deref().map(TemplateRef::parse),
        vcs_ref: project.vcs_ref.clone(),
        answers_file: project.answers_file.clone(),
        ..UpdateOptions::default()
    };
    if let Some((change, matches, questions)) = change {
        options.data = answers_given(&change.data, matches, questions)?;
        options.defaults = change.defaults;
        options.conflict = match change.conflict {
            ConflictArg::Inline => ConflictStyle::Inline,
            ConflictArg::Rej => ConflictStyle::Rej,
        };
    } else {
        options.defaults = true;
    }
    Ok(options)
}

/// Refuses a project DIR that is missing or not a folder, naming which.
fn check_project_folder(dir: &std::path::Path) -> Result<(), Error> {
    match std::fs::metadata(dir) {
        Ok(metadata) if metadata.is_dir() => Ok(()),
        Ok(_) => Err(Error::Usage(format!(
            "project `{}` is a file; update, diff and check take the project's folder",
            dir.display()
        ))),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Err(Error::Usage(format!(
            "project folder `{}` does not exist",
            dir.display()
        ))),
        Err(err) => Err(Error::Usage(format!(
            "project folder `{}` cannot be read: {err}",
            dir.display()
        ))),
    }
}

pub(super) fn execute_update(
    args: &UpdateArgs,
    matches: &ArgMatches,
    questions: &[crate::spec::Question],
) -> Result<ExitStatus, Error> {
    let mut options = options(&args.project, Some((&args.change, matches, questions)))?;
    options.dry_run = args.dry_run || args.copier.pretend;
    options.allow_dirty = args.allow_dirty;
    options.context_lines = usize::from(args.copier.context_lines);
    options.prereleases = args.copier.prereleases;
    options.trust = args.copier.trust;
    options.skip_tasks = args.copier.skip_tasks;
    options.quiet = args.copier.quiet;
    options.exclude.clone_from(&args.copier.exclude);
    options.skip_if_exists.clone_from(&args.copier.skip);
    if let Some(path) = &args.copier.data_file {
        let text = std::fs::read_to_string(path)
            .map_err(|err| Error::Usage(format!("--data-file `{}`: {err}", path.display())))?;
        let mut data = crate::answers::DataItem::from_file(&path.display().to_string(), &text)?;
        data.append(&mut options.data);
        options.data = data;
    }
    let outcome = match with_prompter(options.defaults, |prompter| {
        update::update(&options, prompter)
    }) {
        Ok(outcome) => outcome,
        Err(err) => return Ok(super::copier::failed(&err, ExitStatus::NotUpdated)),
    };
    if let Some(restored) = &outcome.recovered {
        output::warning(&format!(
            "an interrupted update was rolled back first ({} file{} put back)",
            restored.len(),
            if restored.len() == 1 { "" } else { "s" }
        ));
    }
    if !options.quiet {
        print_summary(&outcome.prepared, outcome.applied);
    }
    Ok(if outcome.prepared.plan.conflicts() > 0 {
        ExitStatus::Different
    } else {
        ExitStatus::Success
    })
}

pub(super) fn execute_diff(
    args: &DiffArgs,
    matches: &ArgMatches,
    questions: &[crate::spec::Question],
) -> Result<ExitStatus, Error> {
    let options = options(&args.project, Some((&args.change, matches, questions)))?;
    let prepared = with_prompter(options.defaults, |prompter| {
        update::prepare(&options, prompter)
    })?;
    let mut stdout = output::Stdout;
    for diff in update::diffs(&prepared.plan) {
        if print_diff(&mut stdout, &diff).is_err() {
            break;
        }
    }
    Ok(ExitStatus::Success)
}

pub(super) fn execute_check(args: &CheckArgs) -> Result<ExitStatus, Error> {
    let options = options(&args.project, None)?;
    let prepared = update::prepare(&options, None)?;
    let drift = update::drift(&prepared.plan);
    let template = describe_version(&prepared.template, prepared.to_version.as_deref());
    if drift.is_empty() {
        crate::say!("in sync with {template}");
        return Ok(ExitStatus::Success);
    }
    for (path, kind) in &drift {
        let (label, why) = match kind {
            DriftKind::Edited => ("edited", "changed in the project"),
            DriftKind::Outdated => ("outdated", "the template changed it; `scaffold update`"),
            DriftKind::Missing => ("missing", "the template renders it"),
            DriftKind::Obsolete => ("obsolete", "the template no longer renders it"),
        };
        crate::say!("{:<9} {path}  ({why})", style(label).yellow());
    }
    crate::say!(
        "{} path{} drifted from {template}",
        drift.len(),
        if drift.len() == 1 { "" } else { "s" }
    );
    Ok(ExitStatus::Different)
}

fn describe_version(template: &str, version: Option<&str>) -> String {
    match version {
        Some(version) => format!("{template} {version}"),
        None => template.to_owned(),
    }
}

/// Writes one file's diff; fails when stdout closed (e.g. piped into `head`).
fn print_diff(out: &mut impl Write, diff: &str) -> std::io::Result<()> {
    for line in diff.lines() {
        let styled = if line.starts_with("+++") || line.starts_with("---") {
            style(line).bold()
        } else if line.starts_with("@@") {
            style(line).cyan()
        } else if line.starts_with('+') {
            style(line).green()
        } else if line.starts_with('-') {
            style(line).red()
        } else {
            style(line)
        };
        writeln!(out, "{styled}")?;
    }
    Ok(())
}

fn print_summary(prepared: &Prepared, applied: bool) {
    let from = prepared
        .from_version
        .as_deref()
        .unwrap_or("unknown version");
    let to = prepared
        .to_version
        .as_deref()
        .unwrap_or("its current state");
    let mut heading = format!(
        "{}: {} {from} -> {to}",
        crate::generate::folder_name(&prepared.project),
        prepared.template
    );
    if !prepared.changed_answers.is_empty() {
        heading.push_str(&format!(
            "; answers changed: {}",
            prepared.changed_answers.join(", ")
        ));
    }
    crate::say!("{heading}");
    let mut counts = [0usize; 5];
    for entry in &prepared.plan.entries {
        if let Some(slot) = count_slot(&entry.action) {
            counts[slot] += 1;
        }
        let Some((label, note)) = entry_line(entry) else {
            continue;
        };
        if note.is_empty() {
            crate::say!("  {label:<9} {}", entry.path);
        } else {
            crate::say!("  {label:<9} {}  ({note})", entry.path);
        }
    }
    let any_rej = prepared.plan.entries.iter().any(
        |entry| matches!(&entry.action, Action::Conflict(conflict) if conflict.reject.is_some()),
    );
    let [added, updated, merged, conflicts, deleted] = counts;
    if added + updated + merged + conflicts + deleted == 0 {
        crate::say!(
            "Already up to date with {}",
            describe_version(&prepared.template, prepared.to_version.as_deref())
        );
        return;
    }
    crate::say!(
        "{added} added, {updated} updated, {merged} merged, {conflicts} in conflict, {deleted} deleted"
    );
    if !applied {
        crate::say!("dry run: nothing was written");
        return;
    }
    if conflicts > 0 {
        let how = if any_rej {
            "your clashing lines are in each FILE.rej: apply what you want by hand and delete it"
        } else {
            "edit the lines between <<<<<<< and >>>>>>> in each file"
        };
        output::warning(&format!(
            "{conflicts} file{} in conflict: {how}, then commit (docs/update.md)",
            if conflicts == 1 { "" } else { "s" }
        ));
    }
}

/// Which summary count an action adds to: added, updated, merged, in conflict, deleted.
fn count_slot(action: &Action) -> Option<usize> {
    match action {
        Action::Add(_) => Some(0),
        Action::Update(_) => Some(1),
        Action::Merge(_) => Some(2),
        Action::Conflict(_) => Some(3),
        Action::Delete => Some(4),
        Action::Keep(_) | Action::Refuse(_) => None,
    }
}

/// The summary line's label and note for one path; `None` when nothing happens to it.
fn entry_line(entry: &Entry) -> Option<(StyledObject<&'static str>, String)> {
    Some(match &entry.action {
        Action::Add(_) => (style("added").green(), String::new()),
        Action::Update(_) => (style("updated").green(), String::new()),
        Action::Merge(_) => (style("merged").cyan(), String::new()),
        Action::Conflict(conflict) => {
            let rej = &conflict.reject_path;
            let note = match conflict.kind {
                ConflictKind::DeletedInProject => {
                    format!("deleted here, changed by the template: see {rej}")
                }
                ConflictKind::Binary => format!("not text; yours kept, the template's is {rej}"),
                _ if conflict.reject.is_some() => format!(
                    "{} clash(es): the template's lines taken, yours in {rej}",
                    conflict.regions
                ),
                ConflictKind::BothAdded => {
                    "the template adds a file this project already has: conflict markers".to_owned()
                }
                ConflictKind::Lines => format!("{} clash(es): conflict markers", conflict.regions),
            };
            (style("conflict").red().bold(), note)
        }
        Action::Delete => (style("deleted").yellow(), String::new()),
        Action::Keep(Kept::DroppedButEdited) => (
            style("kept"),
            "the template dropped it, but it was edited here".to_owned(),
        ),
        Action::Keep(Kept::NotAFile) => (
            style("skipped"),
            "not a regular file here; left alone".to_owned(),
        ),
        Action::Refuse(_) => (
            style("refused").red().bold(),
            "the template changes it, but something else is here".to_owned(),
        ),
        Action::Keep(_) => return None,
    })
}
