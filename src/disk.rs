//! Every write to a user's folder goes through here, all or nothing.
//!
//! A write is planned first: each target is inspected ([`inspect`], the one
//! symlink check), and a symlink, a file where a folder is needed or a folder
//! where a file goes refuses the whole write before anything is touched. Then
//! every file is written aside into a staging folder, and only then moved into
//! place by a [`Transaction`], which moves replaced files aside and puts them
//! back should any later move fail. Nothing is ever written outside the
//! destination, and an interrupt (see [`crate::interrupt`]) waits for the
//! moves to finish or roll back.

use std::fs;
use std::path::{Path, PathBuf};

mod check;
mod journal;

pub use check::{Destination, Found, check_destination, inspect};
pub use journal::{STAGING_PREFIX, recover, unfinished};

use crate::interrupt;
use crate::tree::{File, PathPatterns, Tree};

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(
        "destination `{}` is not empty; choose a new folder, or pass --force to overwrite the template's files in it",
        path.display()
    )]
    NotEmpty { path: PathBuf },
    #[error("destination `{}` exists and is not a folder", path.display())]
    NotAFolder { path: PathBuf },
    #[error("destination `{}` cannot be created: `{}` is a file, not a folder", path.display(), file.display())]
    UnderAFile { path: PathBuf, file: PathBuf },
    #[error("`{}` in the destination is a symlink; refusing to write through it", path.display())]
    Symlink { path: PathBuf },
    #[error("cannot write `{path}`: {reason}; nothing was written")]
    Clash { path: String, reason: String },
    #[error("invalid `_skip_if_exists` pattern `{pattern}`: {message}")]
    Pattern { pattern: String, message: String },
    #[error("cannot write `{}`: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("interrupted; every file moved so far was put back")]
    Interrupted,
    #[error("cannot write `{}`: {source}; every file written before it was put back", path.display())]
    RolledBack {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_owned(),
        source,
    }
}

/// What happened to each file of the tree.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    pub created: Vec<String>,
    pub overwritten: Vec<String>,
    /// Kept because they exist and match `_skip_if_exists`.
    pub skipped: Vec<String>,
}

/// Options of [`write_new`].
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Write into a non-empty destination, overwriting the template's own files.
    pub force: bool,
    /// Patterns of files kept when they already exist (`_skip_if_exists`).
    pub skip_if_exists: Vec<String>,
}

/// Writes `tree` to `dest` (new or empty, or any folder with `force`): plans
/// every file, refusing before anything is written, then writes all or nothing.
pub fn write_new(
    tree: &Tree,
    dest: &Path,
    options: &WriteOptions,
) -> Result<WriteReport, WriteError> {
    let state = check_destination(dest, options.force)?;
    let skip =
        PathPatterns::new(options.skip_if_exists.iter().map(String::as_str)).map_err(|err| {
            WriteError::Pattern {
                pattern: err.pattern,
                message: err.message,
            }
        })?;
    let mut report = WriteReport::default();
    for (path, _) in tree {
        let found = if state == Destination::Missing {
            Found::Nothing
        } else {
            inspect(dest, path)?
        };
        match found {
            Found::Nothing => report.created.push(path.clone()),
            Found::File if skip.matches(path) => report.skipped.push(path.clone()),
            Found::File => report.overwritten.push(path.clone()),
            Found::Folder => {
                return Err(WriteError::Clash {
                    path: path.clone(),
                    reason: "the template writes a file where the destination has a folder"
                        .to_owned(),
                });
            }
            Found::Special => {
                return Err(WriteError::Clash {
                    path: path.clone(),
                    reason: "the destination has something there that is not a regular file"
                        .to_owned(),
                });
            }
        }
    }
    for (path, _) in tree {
        if let Some(parent) = path.rsplit_once('/').map(|(parent, _)| parent)
            && tree.contains(parent)
        {
            return Err(WriteError::Clash {
                path: path.clone(),
                reason: format!("the template also writes `{parent}` as a file"),
            });
        }
    }
    if state == Destination::Missing {
        write_fresh(tree, dest)?;
    } else {
        let mut transaction = Transaction::new(dest)?;
        for path in report.created.iter().chain(&report.overwritten) {
            if let Some(file) = tree.get(path) {
                transaction.write(path, file)?;
            }
        }
        transaction.commit()?;
        // Empty folders and symlinks of the template: added after the files,
        // never over something already there.
        for dir in tree.dirs() {
            let target = dest.join(dir);
            if fs::symlink_metadata(&target).is_err() {
                fs::create_dir_all(&target).map_err(io(&target))?;
            }
        }
        #[cfg(unix)]
        for (path, link) in tree.symlinks() {
            let target = dest.join(path);
            if fs::symlink_metadata(&target).is_err() {
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent).map_err(io(parent))?;
                }
                std::os::unix::fs::symlink(link, &target).map_err(io(&target))?;
            }
        }
    }
    Ok(report)
}

/// Writes `tree` into a staging folder beside `dest` and renames it into place.
fn write_fresh(tree: &Tree, dest: &Path) -> Result<(), WriteError> {
    let parent = match dest.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    let created = create_parents(&parent)?;
    let result = (|| {
        let staging = tempfile::Builder::new()
            .prefix(".scaffold-staging-")
            .tempdir_in(&parent)
            .map_err(io(&parent))?;
        let registered = interrupt::register(staging.path());
        let mut folders = std::collections::HashSet::new();
        for (path, file) in tree {
            if let Some((folder, _)) = path.rsplit_once('/')
                && folders.insert(folder)
            {
                let staged = staging.path().join(folder);
                fs::create_dir_all(&staged).map_err(io(&staged))?;
            }
            stage(&staging.path().join(path), file)?;
        }
        for dir in tree.dirs() {
            let staged = staging.path().join(dir);
            fs::create_dir_all(&staged).map_err(io(&staged))?;
        }
        for (path, target) in tree.symlinks() {
            let staged = staging.path().join(path);
            if let Some(dir) = staged.parent() {
                fs::create_dir_all(dir).map_err(io(dir))?;
            }
            #[cfg(unix)]
            std::os::unix::fs::symlink(target, &staged).map_err(io(&staged))?;
            #[cfg(not(unix))]
            let _ = target;
        }
        set_mode(staging.path(), 0o755)?;
        let _critical = interrupt::critical();
        fs::rename(staging.path(), dest).map_err(io(dest))?;
        drop(registered);
        // Renamed away, so the TempDir's removal finds nothing to remove.
        drop(staging);
        Ok(())
    })();
    if result.is_err() {
        for dir in created.iter().rev() {
            let _ = fs::remove_dir(dir);
        }
    }
    result
}

/// Creates `dir` and its missing parents, returning those it created, outermost first.
fn create_parents(dir: &Path) -> Result<Vec<PathBuf>, WriteError> {
    let missing: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|ancestor| !ancestor.as_os_str().is_empty() && !ancestor.exists())
        .map(Path::to_owned)
        .collect();
    let mut created = Vec::new();
    for ancestor in missing.into_iter().rev() {
        if let Err(source) = fs::create_dir(&ancestor) {
            for dir in created.iter().rev() {
                let _ = fs::remove_dir(dir);
            }
            return Err(WriteError::Io {
                path: ancestor,
                source,
            });
        }
        created.push(ancestor);
    }
    Ok(created)
}

/// Writes `file` at `staged` (in a folder that exists) with its mode.
fn stage(staged: &Path, file: &File) -> Result<(), WriteError> {
    use std::io::Write as _;
    let mut written = fs::File::create(staged).map_err(io(staged))?;
    written.write_all(&file.contents).map_err(io(staged))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        written
            .set_permissions(fs::Permissions::from_mode(file.mode()))
            .map_err(io(staged))?;
    }
    Ok(())
}

/// One change a [`Transaction`] makes.
#[derive(Debug)]
struct Change {
    path: String,
    /// The staged new contents; `None` removes the file.
    staged: Option<PathBuf>,
}

/// What was done for one change, so it can be undone.
#[derive(Debug)]
struct Done {
    target: PathBuf,
    backup: Option<PathBuf>,
    placed: bool,
    created_dirs: Vec<PathBuf>,
}

impl Done {
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

/// Changes to files below an existing folder, applied all or nothing: new
/// contents are staged in a hidden folder inside it, then [`Transaction::commit`]
/// moves each into place, moving what it replaces aside, and on any failure
/// puts everything back. The staging folder is removed in every case.
#[derive(Debug)]
pub struct Transaction {
    root: PathBuf,
    staging: tempfile::TempDir,
    _registered: interrupt::Registered,
    changes: Vec<Change>,
}

impl Transaction {
    pub fn new(root: &Path) -> Result<Self, WriteError> {
        let staging = tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempdir_in(root)
            .map_err(io(root))?;
        let registered = interrupt::register(staging.path());
        for side in ["new", "old"] {
            let dir = staging.path().join(side);
            fs::create_dir(&dir).map_err(io(&dir))?;
        }
        Ok(Self {
            root: root.to_owned(),
            staging,
            _registered: registered,
            changes: Vec::new(),
        })
    }

    /// Stages `file` to be written at `path` (relative to the root).
    pub fn write(&mut self, path: &str, file: &File) -> Result<(), WriteError> {
        let staged = self
            .staging
            .path()
            .join("new")
            .join(self.changes.len().to_string());
        stage(&staged, file)?;
        self.changes.push(Change {
            path: path.to_owned(),
            staged: Some(staged),
        });
        Ok(())
    }

    /// Stages the removal of the file at `path` (relative to the root).
    pub fn remove(&mut self, path: &str) {
        self.changes.push(Change {
            path: path.to_owned(),
            staged: None,
        });
    }

    /// Moves every staged change into place, or none of them. An interrupt
    /// (Ctrl-C, SIGTERM) during the moves rolls them back; a kill leaves a
    /// journal from which [`recover`] puts the destination back.
    pub fn commit(self) -> Result<(), WriteError> {
        let _critical = interrupt::critical();
        let mut journal = journal::start(
            self.staging.path(),
            self.changes
                .iter()
                .map(|change| (change.path.as_str(), change.staged.is_some())),
        )?;
        let mut done: Vec<Done> = Vec::new();
        for (index, change) in self.changes.iter().enumerate() {
            if interrupt::requested() {
                for step in done.into_iter().rev() {
                    step.undo();
                }
                return Err(WriteError::Interrupted);
            }
            let backup = self.staging.path().join("old").join(index.to_string());
            let mut step = Done {
                target: self.root.join(&change.path),
                backup: None,
                placed: false,
                created_dirs: Vec::new(),
            };
            let applied = self.apply(change, &backup, &mut step);
            for dir in &step.created_dirs {
                journal::created_dir(&mut journal, dir.strip_prefix(&self.root).unwrap_or(dir));
            }
            done.push(step);
            if let Err(err) = applied {
                for step in done.into_iter().rev() {
                    step.undo();
                }
                return Err(match err {
                    WriteError::Io { path, source } => WriteError::RolledBack { path, source },
                    other => other,
                });
            }
        }
        journal::finish(self.staging.path())
    }

    /// Makes one change, recording in `step` what to undo.
    fn apply(&self, change: &Change, backup: &Path, step: &mut Done) -> Result<(), WriteError> {
        let target = &step.target;
        match inspect(&self.root, &change.path)? {
            Found::Nothing => {}
            Found::File => {
                fs::rename(target, backup).map_err(io(target))?;
                step.backup = Some(backup.to_owned());
            }
            // A folder the earlier removals emptied becomes the new file.
            Found::Folder if change.staged.is_some() && holds_no_file(target) => {
                fs::rename(target, backup).map_err(io(target))?;
                step.backup = Some(backup.to_owned());
            }
            Found::Folder | Found::Special => {
                return Err(WriteError::Clash {
                    path: change.path.clone(),
                    reason: "it is no longer a regular file in the destination".to_owned(),
                });
            }
        }
        if let Some(staged) = &change.staged {
            if let Some(dir) = target.parent() {
                step.created_dirs = create_parents(dir)?;
            }
            fs::rename(staged, target).map_err(io(target))?;
            step.placed = true;
        }
        Ok(())
    }
}

/// Whether `dir` holds nothing but (possibly nested) empty folders.
fn holds_no_file(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().all(|entry| {
            entry.file_type().is_ok_and(|kind| kind.is_dir()) && holds_no_file(&entry.path())
        })
    })
}

#[cfg(unix)]
pub(crate) fn set_mode(path: &Path, mode: u32) -> Result<(), WriteError> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(io(path))
}

#[cfg(not(unix))]
pub(crate) fn set_mode(_path: &Path, _mode: u32) -> Result<(), WriteError> {
    Ok(())
}

#[cfg(test)]
mod tests;
