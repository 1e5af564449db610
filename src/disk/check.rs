//! The checks made before anything is written: what is at each target
//! (the one symlink check) and whether a destination can receive a project.

use std::fs;
use std::path::Path;

use super::{WriteError, io};

/// What is at a path below a root, found without following any symlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    Nothing,
    File,
    Folder,
    /// A FIFO, socket or device.
    Special,
}

/// The one symlink check: what is at `relative` below `root`, refusing when
/// any existing part of the path is a symlink, or a parent is not a folder.
pub fn inspect(root: &Path, relative: &str) -> Result<Found, WriteError> {
    let mut current = root.to_owned();
    let parts: Vec<&str> = relative
        .split('/')
        .filter(|part| !part.is_empty())
        .collect();
    for (index, part) in parts.iter().enumerate() {
        current.push(part);
        let metadata = match fs::symlink_metadata(&current) {
            Ok(metadata) => metadata,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Nothing),
            Err(source) => {
                return Err(WriteError::Io {
                    path: current,
                    source,
                });
            }
        };
        let kind = metadata.file_type();
        if kind.is_symlink() {
            return Err(WriteError::Symlink { path: current });
        }
        let last = index + 1 == parts.len();
        if last {
            return Ok(if kind.is_dir() {
                Found::Folder
            } else if kind.is_file() {
                Found::File
            } else {
                Found::Special
            });
        }
        if !kind.is_dir() {
            return Err(WriteError::Clash {
                path: relative.to_owned(),
                reason: format!(
                    "`{}` in the destination is a file, not a folder",
                    parts[..=index].join("/")
                ),
            });
        }
    }
    Ok(Found::Folder)
}

/// The state of a destination folder before anything is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    Missing,
    Empty,
    NotEmpty,
}

/// Checks that `dest` can receive a project: a folder (or nothing yet, below
/// folders only) that is not a symlink, and empty unless `force`.
pub fn check_destination(dest: &Path, force: bool) -> Result<Destination, WriteError> {
    let state = match fs::symlink_metadata(dest) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            return Err(WriteError::Symlink {
                path: dest.to_owned(),
            });
        }
        Ok(_) if !dest.is_dir() => {
            return Err(WriteError::NotAFolder {
                path: dest.to_owned(),
            });
        }
        Ok(_) => {
            if fs::read_dir(dest).map_err(io(dest))?.next().is_some() {
                Destination::NotEmpty
            } else {
                Destination::Empty
            }
        }
        Err(err)
            if matches!(
                err.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            if let Some(file) = dest.ancestors().skip(1).find(|parent| parent.is_file()) {
                return Err(WriteError::UnderAFile {
                    path: dest.to_owned(),
                    file: file.to_owned(),
                });
            }
            Destination::Missing
        }
        Err(source) => {
            return Err(WriteError::Io {
                path: dest.to_owned(),
                source,
            });
        }
    };
    if state == Destination::NotEmpty && !force {
        return Err(WriteError::NotEmpty {
            path: dest.to_owned(),
        });
    }
    Ok(state)
}
