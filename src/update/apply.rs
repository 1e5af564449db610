//! Applying a plan: every removal and write of an update goes through one
//! [`Transaction`], so the project ends up fully updated or as it was.

use std::collections::BTreeSet;
use std::path::Path;

use crate::disk::{Transaction, WriteError};
use crate::merge::{Action, Plan};
use crate::tree::File;

/// Picks where each conflict's `.rej` goes: `FILE.rej`, or the first of
/// `FILE.rej.1`, `FILE.rej.2`, ... that neither the project nor the plan
/// already has, so an update never overwrites a file with a rejection.
pub fn choose_reject_paths(project: &Path, plan: &mut Plan) {
    let mut taken: BTreeSet<String> = plan
        .entries
        .iter()
        .map(|entry| entry.path.clone())
        .collect();
    for entry in &mut plan.entries {
        let Action::Conflict(conflict) = &mut entry.action else {
            continue;
        };
        if conflict.reject.is_none() {
            continue;
        }
        let first = format!("{}.rej", entry.path);
        let free = |candidate: &String| {
            !taken.contains(candidate)
                && std::fs::symlink_metadata(project.join(candidate)).is_err()
        };
        let chosen = std::iter::once(first.clone())
            .chain((1..=taken.len() + 1).map(|n| format!("{first}.{n}")))
            .find(free)
            .unwrap_or(first);
        taken.insert(chosen.clone());
        conflict.reject_path = chosen;
    }
}

/// Applies `plan` to `project`: removals first (so a file can become a
/// folder, or a folder a file), then every write, the answers file last; on
/// any failure everything is put back.
pub fn apply(project: &Path, plan: &Plan) -> Result<(), WriteError> {
    let mut removals: Vec<&str> = Vec::new();
    let mut writes: Vec<(&str, File)> = Vec::new();
    for entry in plan.changes() {
        match &entry.action {
            Action::Add(file) | Action::Update(file) | Action::Merge(file) => {
                writes.push((&entry.path, file.clone()));
            }
            Action::Conflict(conflict) => {
                if let Some(file) = &conflict.result {
                    writes.push((&entry.path, file.clone()));
                }
                if let Some(reject) = &conflict.reject {
                    writes.push((&conflict.reject_path, File::new(reject.clone(), false)));
                }
            }
            Action::Delete => removals.push(&entry.path),
            Action::Keep(_) | Action::Refuse(_) => {}
        }
    }
    if removals.is_empty() && writes.is_empty() {
        return Ok(());
    }
    let answers_last = |(path, _): &(&str, File)| {
        plan.entries
            .iter()
            .any(|entry| entry.is_answers_file && entry.path == *path)
    };
    writes.sort_by_key(answers_last);
    let mut transaction = Transaction::new(project)?;
    for path in &removals {
        transaction.remove(path);
    }
    for (path, file) in &writes {
        transaction.write(path, file)?;
    }
    transaction.commit()?;
    for path in &removals {
        remove_empty_parents(project, path);
    }
    Ok(())
}

/// Removes the folders above a deleted file that it left empty.
fn remove_empty_parents(project: &Path, path: &str) {
    let mut current = project.join(path);
    while current.pop() && current != project {
        if std::fs::remove_dir(&current).is_err() {
            break;
        }
    }
}
