//! The journal of a [`super::Transaction`]'s commit, so a process killed in the
//! middle of moving files (SIGKILL, a power cut) leaves a project the next
//! command can put back as it was.
//!
//! Before the first move, `journal` in the staging folder lists every change
//! (`N<TAB>write|remove<TAB>path`); each folder the commit creates is appended
//! (`dir<TAB>path`). A change's staged file is `new/N` until it is moved into
//! place, and what it replaced is `old/N`. A finished commit renames the
//! journal to `journal.done`, so only an unfinished one is ever rolled back.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{WriteError, io};

const JOURNAL: &str = "journal";
const FINISHED: &str = "journal.done";
/// The prefix of every staging folder inside a destination.
pub const STAGING_PREFIX: &str = ".scaffold-staging-";

/// Writes the journal of `changes` (path, and whether it is written).
pub fn start<'a>(
    staging: &Path,
    changes: impl Iterator<Item = (&'a str, bool)>,
) -> Result<fs::File, WriteError> {
    let path = staging.join(JOURNAL);
    let mut text = String::new();
    for (index, (target, write)) in changes.enumerate() {
        let kind = if write { "write" } else { "remove" };
        text.push_str(&format!("{index}\t{kind}\t{target}\n"));
    }
    let mut file = fs::File::create(&path).map_err(io(&path))?;
    file.write_all(text.as_bytes()).map_err(io(&path))?;
    file.sync_all().map_err(io(&path))?;
    Ok(file)
}

/// Records a folder the commit created (relative to the root).
pub fn created_dir(journal: &mut fs::File, relative: &Path) {
    let _ = writeln!(journal, "dir\t{}", relative.to_string_lossy());
}

/// Marks the commit finished: nothing is rolled back from here on.
pub fn finish(staging: &Path) -> Result<(), WriteError> {
    let path = staging.join(JOURNAL);
    fs::rename(&path, staging.join(FINISHED)).map_err(io(&path))
}

/// The staging folders below `root` that an unfinished commit left behind.
pub fn unfinished(root: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(root) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .starts_with(STAGING_PREFIX)
                && entry.file_type().is_ok_and(|kind| kind.is_dir())
                && entry.path().join(JOURNAL).is_file()
        })
        .map(|entry| entry.path())
        .collect();
    found.sort();
    found
}

/// Puts back what an unfinished commit below `root` had moved, removes every
/// staging folder left there, and returns the paths restored.
pub fn recover(root: &Path) -> Result<Vec<String>, WriteError> {
    let mut restored = Vec::new();
    for staging in unfinished(root) {
        restored.extend(roll_back(root, &staging)?);
    }
    if let Ok(entries) = fs::read_dir(root) {
        for entry in entries.flatten() {
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with(STAGING_PREFIX)
            {
                let path = entry.path();
                fs::remove_dir_all(&path).map_err(io(&path))?;
            }
        }
    }
    Ok(restored)
}

fn roll_back(root: &Path, staging: &Path) -> Result<Vec<String>, WriteError> {
    let journal = staging.join(JOURNAL);
    let text = fs::read_to_string(&journal).map_err(io(&journal))?;
    let mut changes = Vec::new();
    let mut dirs = Vec::new();
    for line in text.lines() {
        let mut fields = line.splitn(3, '\t');
        match (fields.next(), fields.next(), fields.next()) {
            (Some("dir"), Some(dir), None) => dirs.push(dir.to_owned()),
            (Some(index), Some(kind), Some(path)) => {
                if through_a_symlink(root, path) {
                    continue;
                }
                changes.push((index.to_owned(), kind == "write", path.to_owned()));
            }
            _ => {}
        }
    }
    let mut restored = Vec::new();
    for (index, write, path) in changes.into_iter().rev() {
        let target = root.join(&path);
        let placed = write && !staging.join("new").join(&index).exists();
        if placed && fs::symlink_metadata(&target).is_ok_and(|meta| meta.is_file()) {
            fs::remove_file(&target).map_err(io(&target))?;
        }
        let backup = staging.join("old").join(&index);
        if fs::symlink_metadata(&backup).is_ok() {
            if target.is_dir() {
                // A folder this commit made where the file was: empty once undone.
                let _ = fs::remove_dir(&target);
            }
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).map_err(io(parent))?;
            }
            fs::rename(&backup, &target).map_err(io(&target))?;
            restored.push(path);
        }
    }
    for dir in dirs.iter().rev() {
        let _ = fs::remove_dir(root.join(dir));
    }
    restored.sort();
    Ok(restored)
}

/// Whether any existing part of `relative` below `root` is a symlink.
fn through_a_symlink(root: &Path, relative: &str) -> bool {
    let mut current = root.to_owned();
    for part in relative.split('/') {
        current.push(part);
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}
