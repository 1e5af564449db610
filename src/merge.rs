//! The 3-way merge behind `scaffold update`, `diff` and `check`.
//!
//! Three trees meet here: `base` (the recorded template version rendered with
//! the recorded answers), `theirs` (the new template version with the new
//! answers) and `ours` (the project's files on disk, read only at the paths
//! `base` or `theirs` render). [`plan`] decides, file by file, what an update
//! does; the result is a value, so `update --dry-run`, `diff` and `check` show
//! exactly what `update` would write. Nothing here touches the disk.
//!
//! Lines are merged in [`text`], as `git merge-file` (which Copier runs)
//! merges them; clashes get Copier's markers, or with `--conflict rej` the
//! template's lines and the project's side in `FILE.rej`, as Copier writes them.

mod text;

use std::collections::{BTreeMap, BTreeSet};

use crate::tree::{File, Tree};
use text::TextMerge;

/// How a clash between the project's and the template's edits is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ConflictStyle {
    /// Copier's conflict markers (`<<<<<<< before updating`, `=======`,
    /// `>>>>>>> after updating`) in the file.
    #[default]
    Inline,
    /// Take the template's lines and write the project's clashing hunks to
    /// `FILE.rej`, as Copier does.
    Rej,
}

/// What an update does with one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The template adds a file the project does not have.
    Add(File),
    /// The project never changed the file: take the template's new version.
    Update(File),
    /// Both changed it and the line merge found no clash.
    Merge(File),
    /// Both changed it and the changes clash.
    Conflict(Conflict),
    /// The template dropped a file the project never changed.
    Delete,
    /// Nothing is written.
    Keep(Kept),
    /// The template changes this path, but the project has something there
    /// an update must not replace: the whole update is refused.
    Refuse(Refusal),
}

/// Why the template's change at a path cannot be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A symlink, a FIFO or the like is there (or on the way there).
    NotAFile,
    /// The template now has a folder here, but the project's file `file`,
    /// which the update does not remove, is in the way.
    FileInTheWay { file: String },
    /// The template now has a file here, but the project's folder still holds
    /// files the update does not remove.
    FolderInTheWay { kept: Vec<String> },
}

impl Action {
    /// Whether an update would write or delete anything for this path.
    pub fn changes_project(&self) -> bool {
        !matches!(self, Self::Keep(_))
    }
}

/// A clash left for the user to resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub kind: ConflictKind,
    /// The file's new contents; `None` leaves the project's file as it is.
    pub result: Option<File>,
    /// The side left out of the file, written to [`Conflict::reject_path`].
    pub reject: Option<Vec<u8>>,
    /// Where `reject` goes: `FILE.rej`, or `FILE.rej.N` when the project
    /// already has a file there (never overwritten).
    pub reject_path: String,
    /// How many regions clash.
    pub regions: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictKind {
    /// Both edited the same lines.
    Lines,
    /// The template adds a file where the project already has its own.
    BothAdded,
    /// The project deleted a file the template changed; it stays deleted.
    DeletedInProject,
    /// Both changed a file that is not UTF-8 text; the project's is kept.
    Binary,
}

/// Why nothing is written for a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// Neither the template nor the project changed it.
    Unchanged,
    /// Only the project changed it: its edits stay.
    Edited,
    /// The project already has exactly the template's new version.
    InSync,
    /// The template dropped it, but the project changed it, so it stays.
    DroppedButEdited,
    /// It exists and matches `_skip_if_exists`.
    SkipIfExists,
    /// The project has something other than a regular file there (a folder,
    /// a symlink, or a path below one) and the template did not change the
    /// path; scaffold never writes through it.
    NotAFile,
}

/// One path of the plan, with the three versions it was decided from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub base: Option<File>,
    pub theirs: Option<File>,
    pub ours: Option<File>,
    pub action: Action,
    /// The answers file: always the template's new version, written last.
    pub is_answers_file: bool,
}

/// Every path the template renders (then or now), in path order, answers file last.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub entries: Vec<Entry>,
}

impl Plan {
    /// The entries an update writes or deletes, answers file last.
    pub fn changes(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(|entry| entry.action.changes_project())
    }

    pub fn conflicts(&self) -> usize {
        self.entries
            .iter()
            .filter(|entry| matches!(entry.action, Action::Conflict(_)))
            .count()
    }

    /// The paths whose change cannot be delivered, with why.
    pub fn refusals(&self) -> impl Iterator<Item = (&str, &Refusal)> {
        self.entries.iter().filter_map(|entry| match &entry.action {
            Action::Refuse(refusal) => Some((entry.path.as_str(), refusal)),
            _ => None,
        })
    }
}

/// The project's side of the merge.
#[derive(Debug, Clone, Default)]
pub struct Ours {
    /// Regular files on disk at paths the template renders.
    pub files: Tree,
    /// Paths where the project has something scaffold must not write through
    /// (a symlink, a FIFO, or such a thing on the way).
    pub not_files: BTreeSet<String>,
    /// Paths below a regular file of the project, with that file's path.
    pub under_file: BTreeMap<String, String>,
    /// Paths where the project has a folder, with every file inside it.
    pub folders: BTreeMap<String, Vec<String>>,
}

/// Everything [`plan`] decides from.
pub struct PlanInput<'a> {
    pub base: &'a Tree,
    pub theirs: &'a Tree,
    pub ours: &'a Ours,
    /// Where the answers file is in `theirs`.
    pub answers_file: &'a str,
    /// Where the answers file was in `base`; never merged.
    pub base_answers_file: &'a str,
    /// Whether a path matches the template's `_skip_if_exists`.
    pub skip_if_exists: &'a dyn Fn(&str) -> bool,
    pub style: ConflictStyle,
    /// Lines of context around a change; changes of the two sides closer
    /// than this clash (Copier's `--context-lines`, default 1).
    pub context_lines: usize,
}

/// Decides what an update does with every path `base` or `theirs` knows.
/// Paths only the project has are not looked at.
pub fn plan(input: &PlanInput<'_>) -> Plan {
    let paths: BTreeSet<&String> = input
        .base
        .paths()
        .chain(input.theirs.paths())
        .filter(|path| *path != input.answers_file && *path != input.base_answers_file)
        .collect();
    let ours = input.ours;
    let in_the_way = |path: &str| {
        ours.not_files.contains(path)
            || ours.under_file.contains_key(path)
            || ours.folders.contains_key(path)
    };
    let mut entries: Vec<Entry> = paths
        .iter()
        .map(|path| {
            let base = input.base.get(path).cloned();
            let theirs = input.theirs.get(path).cloned();
            let ours = ours.files.get(path).cloned();
            let action = if in_the_way(path) {
                Action::Keep(Kept::NotAFile)
            } else {
                decide(path, base.as_ref(), theirs.as_ref(), ours.as_ref(), input)
            };
            Entry {
                path: (*path).clone(),
                base,
                theirs,
                ours,
                action,
                is_answers_file: false,
            }
        })
        .collect();
    let deleted: BTreeSet<String> = entries
        .iter()
        .filter(|entry| entry.action == Action::Delete)
        .map(|entry| entry.path.clone())
        .collect();
    for entry in &mut entries {
        if in_the_way(&entry.path) {
            entry.action = across_a_file_or_folder(entry, &deleted, input);
        }
    }
    if input.base_answers_file != input.answers_file
        && let Some(old) = ours.files.get(input.base_answers_file)
    {
        entries.push(Entry {
            path: input.base_answers_file.to_owned(),
            base: input.base.get(input.base_answers_file).cloned(),
            theirs: None,
            ours: Some(old.clone()),
            action: Action::Delete,
            is_answers_file: true,
        });
    }
    if let Some(theirs) = input.theirs.get(input.answers_file) {
        let ours = ours.files.get(input.answers_file).cloned();
        let action = if in_the_way(input.answers_file) {
            Action::Refuse(Refusal::NotAFile)
        } else if ours.as_ref() == Some(theirs) {
            Action::Keep(Kept::InSync)
        } else if ours.is_none() {
            Action::Add(theirs.clone())
        } else {
            Action::Update(theirs.clone())
        };
        entries.push(Entry {
            path: input.answers_file.to_owned(),
            base: input.base.get(input.base_answers_file).cloned(),
            theirs: Some(theirs.clone()),
            ours,
            action,
            is_answers_file: true,
        });
    }
    Plan { entries }
}

/// A path where the project has something other than a regular file: a
/// file turned into a folder (or back) by the template is delivered when the
/// update removes what is in the way, and refused when it does not.
fn across_a_file_or_folder(
    entry: &Entry,
    deleted: &BTreeSet<String>,
    input: &PlanInput<'_>,
) -> Action {
    let ours = input.ours;
    let path = entry.path.as_str();
    let cleared = if let Some(file) = ours.under_file.get(path) {
        deleted
            .contains(file)
            .then_some(())
            .ok_or_else(|| Refusal::FileInTheWay { file: file.clone() })
    } else if let Some(inside) = ours.folders.get(path) {
        let kept: Vec<String> = inside
            .iter()
            .filter(|file| !deleted.contains(*file))
            .cloned()
            .collect();
        kept.is_empty()
            .then_some(())
            .ok_or(Refusal::FolderInTheWay { kept })
    } else {
        Err(Refusal::NotAFile)
    };
    match cleared {
        Ok(()) => decide(
            path,
            entry.base.as_ref(),
            entry.theirs.as_ref(),
            None,
            input,
        ),
        Err(_) if entry.base == entry.theirs => Action::Keep(Kept::NotAFile),
        Err(refusal) => Action::Refuse(refusal),
    }
}

fn decide(
    path: &str,
    base: Option<&File>,
    theirs: Option<&File>,
    ours: Option<&File>,
    input: &PlanInput<'_>,
) -> Action {
    if ours.is_some() && (input.skip_if_exists)(path) {
        return Action::Keep(Kept::SkipIfExists);
    }
    if base == theirs {
        return Action::Keep(if ours == theirs {
            Kept::Unchanged
        } else {
            Kept::Edited
        });
    }
    if ours == theirs {
        return Action::Keep(Kept::InSync);
    }
    if ours == base {
        return match (ours, theirs) {
            (None, Some(theirs)) => Action::Add(theirs.clone()),
            (Some(_), Some(theirs)) => Action::Update(theirs.clone()),
            (_, None) => Action::Delete,
        };
    }
    let Some(theirs) = theirs else {
        return Action::Keep(Kept::DroppedButEdited);
    };
    let empty = File::new(Vec::new(), false);
    let base_file = base.unwrap_or(&empty);
    let reject_path = format!("{path}.rej");
    let Some(ours) = ours else {
        return Action::Conflict(Conflict {
            kind: ConflictKind::DeletedInProject,
            result: None,
            reject: Some(match (text(base_file), text(theirs)) {
                (Some(base_text), Some(their_text)) => {
                    template_change(path, base_text, their_text).into_bytes()
                }
                _ => theirs.contents.clone(),
            }),
            reject_path,
            regions: 1,
        });
    };
    // The project's permission bits stay unless the template changed its own.
    let mode = if base.is_none() || theirs.mode() == base_file.mode() {
        ours.mode()
    } else {
        theirs.mode()
    };
    let (Some(base_text), Some(our_text), Some(their_text)) =
        (text(base_file), text(ours), text(theirs))
    else {
        return Action::Conflict(Conflict {
            kind: ConflictKind::Binary,
            result: None,
            reject: Some(theirs.contents.clone()),
            reject_path,
            regions: 1,
        });
    };
    let context = match input.style {
        ConflictStyle::Inline => 1,
        ConflictStyle::Rej => input.context_lines,
    };
    let merged = TextMerge::new(base_text, our_text, their_text, context);
    if merged.clashes() == 0 {
        return Action::Merge(File::with_mode(merged.keeping_ours(), mode));
    }
    let kind = if base.is_none() {
        ConflictKind::BothAdded
    } else {
        ConflictKind::Lines
    };
    let conflict = match input.style {
        ConflictStyle::Inline => {
            let (marked, regions) = merged.with_markers();
            if regions == 0 {
                return Action::Merge(File::with_mode(marked, mode));
            }
            Conflict {
                kind,
                result: Some(File::with_mode(marked, mode)),
                reject: None,
                reject_path,
                regions,
            }
        }
        ConflictStyle::Rej => Conflict {
            kind,
            result: Some(File::with_mode(merged.keeping_theirs(), mode)),
            reject: Some(
                merged
                    .rejected_hunks(path, input.context_lines)
                    .into_bytes(),
            ),
            reject_path,
            regions: merged.clashes(),
        },
    };
    Action::Conflict(conflict)
}

/// The template's change to a file the project deleted, as a unified diff.
fn template_change(path: &str, base: &str, theirs: &str) -> String {
    similar::TextDiff::from_lines(base, theirs)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

fn text(file: &File) -> Option<&str> {
    std::str::from_utf8(&file.contents).ok()
}

#[cfg(test)]
mod tests;
