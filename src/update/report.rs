//! Reporting a plan: unified diffs for `scaffold diff`, drift for `scaffold check`.

use crate::merge::{Action, Kept, Plan};
use crate::tree::File;

/// The plan as unified diffs from the project's files to what `update` would
/// write, one per changed path (and one per `.rej` file), without colour.
pub fn diffs(plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    for entry in plan.changes() {
        let ours = entry.ours.as_ref();
        let after = match &entry.action {
            Action::Add(file) | Action::Update(file) | Action::Merge(file) => Some(file),
            Action::Conflict(conflict) => conflict.result.as_ref().or(ours),
            Action::Delete | Action::Keep(_) | Action::Refuse(_) => None,
        };
        if ours != after {
            out.push(file_diff(&entry.path, ours, after));
        }
        if let Action::Conflict(conflict) = &entry.action
            && let Some(reject) = &conflict.reject
        {
            let rejected = File::new(reject.clone(), false);
            out.push(file_diff(&conflict.reject_path, None, Some(&rejected)));
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
                (None, ours) if ours.is_some() && entry.is_answers_file => DriftKind::Obsolete,
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
