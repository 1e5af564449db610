//! Writing a rendered tree to disk, all or nothing.
//!
//! Files are written into a temporary folder beside the destination and moved
//! into place only once every one of them was written, so a failure leaves the
//! destination as it was. Nothing is ever written outside the destination.

use std::fs;
use std::path::{Path, PathBuf};

use crate::tree::{PathPatterns, Tree};

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(
        "destination `{}` is not empty; choose a new folder, or pass --force to overwrite the template's files in it",
        path.display()
    )]
    NotEmpty { path: PathBuf },
    #[error("destination `{}` exists and is not a folder", path.display())]
    NotAFolder { path: PathBuf },
    #[error("`{}` in the destination is a symlink; refusing to write through it", path.display())]
    Symlink { path: PathBuf },
    #[error("invalid `_skip_if_exists` pattern `{pattern}`: {message}")]
    Pattern { pattern: String, message: String },
    #[error("cannot write `{}`: {source}", path.display())]
    Io {
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

/// Writes `tree` to `dest` (new or empty, or any folder with `force`).
pub fn write_new(
    tree: &Tree,
    dest: &Path,
    options: &WriteOptions,
) -> Result<WriteReport, WriteError> {
    let existing = match fs::symlink_metadata(dest) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            return Err(WriteError::Symlink {
                path: dest.to_owned(),
            });
        }
        Ok(metadata) if !metadata.is_dir() => {
            return Err(WriteError::NotAFolder {
                path: dest.to_owned(),
            });
        }
        Ok(_) => Some(fs::read_dir(dest).map_err(io(dest))?.next().is_some()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(WriteError::Io {
                path: dest.to_owned(),
                source,
            });
        }
    };
    if existing == Some(true) && !options.force {
        return Err(WriteError::NotEmpty {
            path: dest.to_owned(),
        });
    }
    let parent = match dest.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io(&parent))?;

    let staging = tempfile::Builder::new()
        .prefix(".scaffold-staging-")
        .tempdir_in(&parent)
        .map_err(io(&parent))?;
    let skip =
        PathPatterns::new(options.skip_if_exists.iter().map(String::as_str)).map_err(|err| {
            WriteError::Pattern {
                pattern: err.pattern,
                message: err.message,
            }
        })?;
    let mut report = WriteReport::default();
    for (path, file) in tree {
        let target = dest.join(path);
        if existing == Some(true) {
            refuse_symlinks(dest, path)?;
            let exists = target.exists();
            if exists && skip.matches(path) {
                report.skipped.push(path.clone());
                continue;
            }
            if exists {
                report.overwritten.push(path.clone());
            } else {
                report.created.push(path.clone());
            }
        } else {
            report.created.push(path.clone());
        }
        let staged = staging.path().join(path);
        if let Some(dir) = staged.parent() {
            fs::create_dir_all(dir).map_err(io(dir))?;
        }
        fs::write(&staged, &file.contents).map_err(io(&staged))?;
        set_mode(&staged, file.mode())?;
    }

    if existing == Some(true) {
        for path in report.created.iter().chain(&report.overwritten) {
            let target = dest.join(path);
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir).map_err(io(dir))?;
            }
            let staged = staging.path().join(path);
            fs::rename(&staged, &target).map_err(io(&target))?;
        }
    } else {
        let staged = staging.keep();
        set_mode(&staged, 0o755)?;
        if existing == Some(false) {
            fs::remove_dir(dest).map_err(io(dest))?;
        }
        if let Err(source) = fs::rename(&staged, dest) {
            let _ = fs::remove_dir_all(&staged);
            return Err(WriteError::Io {
                path: dest.to_owned(),
                source,
            });
        }
    }
    Ok(report)
}

/// Refuses to write `path` below `dest` when any existing part of it is a symlink.
fn refuse_symlinks(dest: &Path, path: &str) -> Result<(), WriteError> {
    let mut current = dest.to_owned();
    for part in path.split('/') {
        current.push(part);
        match fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                return Err(WriteError::Symlink { path: current });
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    Ok(())
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
mod tests {
    use super::*;
    use crate::tree::File;

    fn tree() -> Tree {
        let mut tree = Tree::new();
        tree.insert("a.txt".into(), File::new("a", false));
        tree.insert("bin/run".into(), File::new("#!/bin/sh\n", true));
        tree
    }

    #[test]
    fn writes_a_new_folder_with_modes() {
        let temp = tempfile::tempdir().unwrap();
        let dest = temp.path().join("out");
        let report = write_new(&tree(), &dest, &WriteOptions::default()).unwrap();
        assert_eq!(report.created, ["a.txt", "bin/run"]);
        assert_eq!(fs::read_to_string(dest.join("a.txt")).unwrap(), "a");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dest.join("bin/run"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o755);
        }
        let leftovers: Vec<_> = fs::read_dir(temp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no staging folder is left behind");
    }

    #[test]
    fn refuses_a_non_empty_destination_without_force() {
        let temp = tempfile::tempdir().unwrap();
        fs::write(temp.path().join("mine.txt"), "mine").unwrap();
        let err = write_new(&tree(), temp.path(), &WriteOptions::default()).unwrap_err();
        assert!(matches!(err, WriteError::NotEmpty { .. }));
    }

    #[test]
    fn force_overwrites_only_template_files_and_honours_skip_if_exists() {
        let temp = tempfile::tempdir().unwrap();
        fs::write(temp.path().join("mine.txt"), "mine").unwrap();
        fs::write(temp.path().join("a.txt"), "old").unwrap();
        let options = WriteOptions {
            force: true,
            skip_if_exists: vec!["a.txt".into()],
        };
        let report = write_new(&tree(), temp.path(), &options).unwrap();
        assert_eq!(report.skipped, ["a.txt"]);
        assert_eq!(
            fs::read_to_string(temp.path().join("a.txt")).unwrap(),
            "old"
        );
        assert_eq!(
            fs::read_to_string(temp.path().join("mine.txt")).unwrap(),
            "mine"
        );
        assert!(temp.path().join("bin/run").exists());
    }

    #[cfg(unix)]
    #[test]
    fn refuses_to_write_through_a_symlink_leading_out() {
        let temp = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let dest = temp.path().join("dest");
        fs::create_dir(&dest).unwrap();
        std::os::unix::fs::symlink(outside.path(), dest.join("bin")).unwrap();
        let options = WriteOptions {
            force: true,
            ..WriteOptions::default()
        };
        let err = write_new(&tree(), &dest, &options).unwrap_err();
        assert!(matches!(err, WriteError::Symlink { .. }), "{err}");
        assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0);
        assert!(
            !dest.join("a.txt").exists(),
            "nothing is written when one file is refused"
        );
    }
}
