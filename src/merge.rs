//! The 3-way merge behind `scaffold update`, `diff` and `check`.
//!
//! Three trees meet here: `base` (the recorded template version rendered with
//! the recorded answers), `theirs` (the new template version with the new
//! answers) and `ours` (the project's files on disk, read only at the paths
//! `base` or `theirs` render). [`plan`] decides, file by file, what an update
//! does; the result is a value, so `update --dry-run`, `diff` and `check` show
//! exactly what `update` would write. Nothing here touches the disk.
//!
//! Lines are merged by diffy (a diff3 merge); only its conflict regions are
//! re-labelled here, or turned into `.rej` hunks with `--conflict rej`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::tree::{File, Tree};

/// How a clash between the project's and the template's edits is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ConflictStyle {
    /// Conflict markers (`<<<<<<<`, `|||||||`, `=======`, `>>>>>>>`) in the file.
    #[default]
    Inline,
    /// Keep the project's lines and write the template's clashing hunks to `FILE.rej`.
    Rej,
}

/// Names shown on conflict markers and `.rej` headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    /// The template as the project was rendered, e.g. `template 0.1.0`.
    pub base: String,
    /// The template the project is updated to.
    pub theirs: String,
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
    /// The template's clashing hunks, written to `FILE.rej`.
    pub reject: Option<Vec<u8>>,
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
    /// a symlink, or a path below one); scaffold never writes through it.
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
}

/// The project's side of the merge.
#[derive(Debug, Clone, Default)]
pub struct Ours {
    /// Regular files on disk at paths the template renders.
    pub files: Tree,
    /// Paths where the project has something scaffold must not write through.
    pub not_files: BTreeSet<String>,
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
    pub labels: &'a Labels,
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
    let mut entries: Vec<Entry> = paths
        .into_iter()
        .map(|path| {
            let base = input.base.get(path).cloned();
            let theirs = input.theirs.get(path).cloned();
            let ours = input.ours.files.get(path).cloned();
            let action = if input.ours.not_files.contains(path.as_str()) {
                Action::Keep(Kept::NotAFile)
            } else {
                decide(path, base.as_ref(), theirs.as_ref(), ours.as_ref(), input)
            };
            Entry {
                path: path.clone(),
                base,
                theirs,
                ours,
                action,
                is_answers_file: false,
            }
        })
        .collect();
    if let Some(theirs) = input.theirs.get(input.answers_file) {
        let ours = input.ours.files.get(input.answers_file).cloned();
        let action = if input.ours.not_files.contains(input.answers_file) {
            Action::Keep(Kept::NotAFile)
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
    let Some(ours) = ours else {
        return Action::Conflict(Conflict {
            kind: ConflictKind::DeletedInProject,
            result: None,
            reject: Some(match (text(base_file), text(theirs)) {
                (Some(base_text), Some(their_text)) => {
                    let merged = TextMerge {
                        segments: vec![Segment::Conflict {
                            ours: "",
                            base: base_text,
                            theirs: their_text,
                        }],
                    };
                    merged.reject(path, input.labels).into_bytes()
                }
                _ => theirs.contents.clone(),
            }),
            regions: 1,
        });
    };
    let executable = if theirs.executable == base_file.executable {
        ours.executable
    } else {
        theirs.executable
    };
    let (Some(base_text), Some(our_text), Some(their_text)) =
        (text(base_file), text(ours), text(theirs))
    else {
        return Action::Conflict(Conflict {
            kind: ConflictKind::Binary,
            result: None,
            reject: Some(theirs.contents.clone()),
            regions: 1,
        });
    };
    let merged = diff3(base_text, our_text, their_text);
    let merged = TextMerge::parse(&merged, our_text, base_text, their_text);
    let regions = merged.conflicts();
    if regions == 0 {
        return Action::Merge(File::new(merged.keeping_ours(), executable));
    }
    let kind = if base.is_none() {
        ConflictKind::BothAdded
    } else {
        ConflictKind::Lines
    };
    let conflict = match input.style {
        ConflictStyle::Inline => Conflict {
            kind,
            result: Some(File::new(merged.with_markers(input.labels), executable)),
            reject: None,
            regions,
        },
        ConflictStyle::Rej => {
            let kept = File::new(merged.keeping_ours(), executable);
            Conflict {
                kind,
                result: (kept != *ours).then_some(kept),
                reject: Some(merged.reject(path, input.labels).into_bytes()),
                regions,
            }
        }
    };
    Action::Conflict(conflict)
}

fn text(file: &File) -> Option<&str> {
    std::str::from_utf8(&file.contents).ok()
}

/// Marker length used between diffy and [`TextMerge::parse`]: long enough that
/// no real file line is mistaken for one.
const SENTINEL: usize = 41;

/// diffy's diff3 merge, with conflicts fenced by [`SENTINEL`]-long markers.
fn diff3(base: &str, ours: &str, theirs: &str) -> String {
    let mut options = diffy::MergeOptions::new();
    options
        .set_conflict_style(diffy::ConflictStyle::Diff3)
        .set_incomplete_hunk_style(diffy::IncompleteHunkStyle::Diff3)
        .set_conflict_marker_length(SENTINEL);
    match options.merge(base, ours, theirs) {
        Ok(merged) | Err(merged) => merged,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment<'a> {
    Clean(&'a str),
    Conflict {
        ours: &'a str,
        base: &'a str,
        theirs: &'a str,
    },
}

/// diffy's merge result as merged text and clashing regions.
#[derive(Debug)]
struct TextMerge<'a> {
    segments: Vec<Segment<'a>>,
}

impl<'a> TextMerge<'a> {
    /// Splits diffy's output at its conflict markers. Should that ever fail,
    /// the whole file is one clash, so nothing is lost.
    fn parse(merged: &'a str, ours: &'a str, base: &'a str, theirs: &'a str) -> Self {
        Self::split(merged).unwrap_or_else(|| Self {
            segments: vec![Segment::Conflict { ours, base, theirs }],
        })
    }

    fn split(merged: &'a str) -> Option<Self> {
        let open = format!("{} ours\n", "<".repeat(SENTINEL));
        let original = format!("{} original\n", "|".repeat(SENTINEL));
        let middle = format!("{}\n", "=".repeat(SENTINEL));
        let close = format!("{} theirs\n", ">".repeat(SENTINEL));
        let mut segments = Vec::new();
        let mut rest = merged;
        while let Some(start) = rest.find(&open) {
            segments.push(Segment::Clean(&rest[..start]));
            let (ours, after) = rest[start + open.len()..].split_once(&original)?;
            let (base, after) = after.split_once(&middle)?;
            let (theirs, after) = after.split_once(&close)?;
            segments.push(Segment::Conflict { ours, base, theirs });
            rest = after;
        }
        segments.push(Segment::Clean(rest));
        segments.retain(|segment| *segment != Segment::Clean(""));
        Some(Self { segments })
    }

    fn conflicts(&self) -> usize {
        self.segments
            .iter()
            .filter(|segment| matches!(segment, Segment::Conflict { .. }))
            .count()
    }

    fn keeping_ours(&self) -> String {
        self.resolve(|ours, _, _, out| out.push_str(ours))
    }

    fn with_markers(&self, labels: &Labels) -> String {
        self.resolve(|ours, base, theirs, out| {
            let _ = writeln!(out, "<<<<<<< ours (this project)");
            push_lines(out, ours);
            let _ = writeln!(out, "||||||| base ({})", labels.base);
            push_lines(out, base);
            out.push_str("=======\n");
            push_lines(out, theirs);
            let _ = writeln!(out, ">>>>>>> theirs ({})", labels.theirs);
        })
    }

    fn resolve(&self, mut conflict: impl FnMut(&str, &str, &str, &mut String)) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Clean(text) => out.push_str(text),
                Segment::Conflict { ours, base, theirs } => conflict(ours, base, theirs, &mut out),
            }
        }
        out
    }

    /// The template's side of every clash as unified-diff hunks, numbered by
    /// the lines of the file as kept (the project's side).
    fn reject(&self, path: &str, labels: &Labels) -> String {
        let mut out = format!(
            "# The template's changes to {path} that clash with this project's.\n\
             # Apply what you want by hand, then delete this file.\n\
             --- {path}\t({})\n+++ {path}\t({})\n",
            labels.base, labels.theirs
        );
        let mut line = 1;
        for segment in &self.segments {
            match segment {
                Segment::Clean(text) => line += text.lines().count(),
                Segment::Conflict { ours, base, theirs } => {
                    let _ = writeln!(
                        out,
                        "@@ -{line},{} +{line},{} @@ this project has {} other line(s) here",
                        base.lines().count(),
                        theirs.lines().count(),
                        ours.lines().count(),
                    );
                    for removed in base.lines() {
                        let _ = writeln!(out, "-{removed}");
                    }
                    for added in theirs.lines() {
                        let _ = writeln!(out, "+{added}");
                    }
                    line += ours.lines().count();
                }
            }
        }
        out
    }
}

/// Appends `text`, ending it with a newline so a marker starts its own line.
fn push_lines(out: &mut String, text: &str) {
    out.push_str(text);
    if !text.is_empty() && !text.ends_with('\n') {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Labels {
        Labels {
            base: "template 1".into(),
            theirs: "template 2".into(),
        }
    }

    fn tree(files: &[(&str, &str)]) -> Tree {
        let mut tree = Tree::new();
        for (path, contents) in files {
            tree.insert((*path).to_owned(), File::new(*contents, false));
        }
        tree
    }

    fn plan_of(base: &Tree, theirs: &Tree, ours: &Tree, style: ConflictStyle) -> Plan {
        let ours = Ours {
            files: ours.clone(),
            not_files: BTreeSet::new(),
        };
        plan(&PlanInput {
            base,
            theirs,
            ours: &ours,
            answers_file: ".answers.yml",
            base_answers_file: ".answers.yml",
            skip_if_exists: &|_| false,
            style,
            labels: &labels(),
        })
    }

    fn action(plan: &Plan, path: &str) -> Action {
        plan.entries
            .iter()
            .find(|entry| entry.path == path)
            .map_or_else(
                || panic!("no entry for {path}"),
                |entry| entry.action.clone(),
            )
    }

    #[test]
    fn each_side_alone_decides_its_files() {
        let base = tree(&[
            ("same", "1\n"),
            ("theirs", "1\n"),
            ("ours", "1\n"),
            ("gone", "x\n"),
        ]);
        let theirs = tree(&[
            ("same", "1\n"),
            ("theirs", "2\n"),
            ("ours", "1\n"),
            ("new", "n\n"),
        ]);
        let ours = tree(&[
            ("same", "1\n"),
            ("theirs", "1\n"),
            ("ours", "2\n"),
            ("gone", "x\n"),
        ]);
        let plan = plan_of(&base, &theirs, &ours, ConflictStyle::Inline);
        assert_eq!(action(&plan, "same"), Action::Keep(Kept::Unchanged));
        assert_eq!(
            action(&plan, "theirs"),
            Action::Update(File::new("2\n", false))
        );
        assert_eq!(action(&plan, "ours"), Action::Keep(Kept::Edited));
        assert_eq!(action(&plan, "gone"), Action::Delete);
        assert_eq!(action(&plan, "new"), Action::Add(File::new("n\n", false)));
    }

    #[test]
    fn edits_in_different_regions_merge() {
        let base = tree(&[("f", "a\nb\nc\nd\ne\n")]);
        let theirs = tree(&[("f", "a\nb\nc\nd\nE\n")]);
        let ours = tree(&[("f", "A\nb\nc\nd\ne\n")]);
        let plan = plan_of(&base, &theirs, &ours, ConflictStyle::Inline);
        assert_eq!(
            action(&plan, "f"),
            Action::Merge(File::new("A\nb\nc\nd\nE\n", false))
        );
    }

    #[test]
    fn clashing_edits_get_labelled_markers() {
        let base = tree(&[("f", "a\nb\nc\n")]);
        let theirs = tree(&[("f", "a\nB2\nc\n")]);
        let ours = tree(&[("f", "a\nB1\nc\n")]);
        let plan = plan_of(&base, &theirs, &ours, ConflictStyle::Inline);
        let Action::Conflict(conflict) = action(&plan, "f") else {
            panic!("expected a conflict")
        };
        assert_eq!(conflict.regions, 1);
        assert_eq!(
            String::from_utf8(conflict.result.unwrap().contents).unwrap(),
            "a\n<<<<<<< ours (this project)\nB1\n||||||| base (template 1)\nb\n=======\nB2\n>>>>>>> theirs (template 2)\nc\n"
        );
    }

    #[test]
    fn rej_keeps_ours_applies_clean_hunks_and_rejects_the_rest() {
        let base = tree(&[("f", "a\nb\nc\nd\ne\nf\n")]);
        let theirs = tree(&[("f", "a\nB2\nc\nd\ne\nF\n")]);
        let ours = tree(&[("f", "a\nB1\nc\nd\ne\nf\n")]);
        let plan = plan_of(&base, &theirs, &ours, ConflictStyle::Rej);
        let Action::Conflict(conflict) = action(&plan, "f") else {
            panic!("expected a conflict")
        };
        assert_eq!(
            String::from_utf8(conflict.result.unwrap().contents).unwrap(),
            "a\nB1\nc\nd\ne\nF\n"
        );
        let reject = String::from_utf8(conflict.reject.unwrap()).unwrap();
        assert!(reject.contains("@@ -2,1 +2,1 @@"), "{reject}");
        assert!(reject.contains("\n-b\n+B2\n"), "{reject}");
    }

    #[test]
    fn a_file_missing_its_final_newline_still_parses() {
        let base = tree(&[("f", "a\nb")]);
        let theirs = tree(&[("f", "a\nc")]);
        let ours = tree(&[("f", "a\nd")]);
        let plan = plan_of(&base, &theirs, &ours, ConflictStyle::Rej);
        let Action::Conflict(conflict) = action(&plan, "f") else {
            panic!("expected a conflict")
        };
        assert_eq!(conflict.result, None, "ours is kept as it is");
        let reject = String::from_utf8(conflict.reject.unwrap()).unwrap();
        assert!(reject.ends_with("-b\n+c\n"), "{reject}");
    }

    #[test]
    fn a_new_template_file_clashing_with_the_projects_own_is_a_conflict() {
        let base = tree(&[]);
        let theirs = tree(&[("f", "template\n")]);
        let ours = tree(&[("f", "mine\n")]);
        let plan = plan_of(&base, &theirs, &ours, ConflictStyle::Inline);
        let Action::Conflict(conflict) = action(&plan, "f") else {
            panic!("expected a conflict")
        };
        assert_eq!(conflict.kind, ConflictKind::BothAdded);
    }

    #[test]
    fn a_dropped_file_the_project_edited_stays() {
        let base = tree(&[("f", "1\n")]);
        let theirs = tree(&[]);
        let ours = tree(&[("f", "2\n")]);
        let plan = plan_of(&base, &theirs, &ours, ConflictStyle::Inline);
        assert_eq!(action(&plan, "f"), Action::Keep(Kept::DroppedButEdited));
    }

    #[test]
    fn a_file_the_project_deleted_stays_deleted_with_the_template_change_rejected() {
        let base = tree(&[("f", "1\n")]);
        let theirs = tree(&[("f", "2\n")]);
        let ours = tree(&[]);
        let plan = plan_of(&base, &theirs, &ours, ConflictStyle::Inline);
        let Action::Conflict(conflict) = action(&plan, "f") else {
            panic!("expected a conflict")
        };
        assert_eq!(conflict.kind, ConflictKind::DeletedInProject);
        assert_eq!(conflict.result, None);
    }

    #[test]
    fn the_answers_file_is_last_and_always_the_templates() {
        let base = tree(&[(".answers.yml", "a: 1\n"), ("z", "1\n")]);
        let theirs = tree(&[(".answers.yml", "a: 2\n"), ("z", "1\n")]);
        let ours = tree(&[(".answers.yml", "a: 1\n"), ("z", "1\n")]);
        let plan = plan_of(&base, &theirs, &ours, ConflictStyle::Inline);
        let last = plan.entries.last().unwrap();
        assert!(last.is_answers_file);
        assert_eq!(last.action, Action::Update(File::new("a: 2\n", false)));
    }
}
