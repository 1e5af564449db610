//! Reading a template folder from disk as untrusted input: only regular files
//! and folders are read, symlinks are followed only while they stay inside the
//! template's root (and never in a loop), and the whole read is bounded in
//! files and bytes.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::{SourceError, SourceFile, is_executable};
use crate::tree::safe_relpath;

/// The most files and folders read from one template.
pub const MAX_FILES: usize = 100_000;
/// The most bytes read from one template, all files together.
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// What the walk of one template may still read.
#[derive(Debug)]
pub(super) struct Budget {
    pub(super) files: usize,
    pub(super) bytes: u64,
}

impl Budget {
    pub(super) fn full() -> Self {
        Self {
            files: MAX_FILES,
            bytes: MAX_BYTES,
        }
    }

    /// Counts one more file or folder (`relative`), refused past the limit.
    pub(super) fn take_file(&mut self, relative: &str) -> Result<(), SourceError> {
        if self.files == 0 {
            return Err(SourceError::TooMany {
                path: relative.to_owned(),
                limit: MAX_FILES,
            });
        }
        self.files -= 1;
        Ok(())
    }
}

/// Where `relative` (below `root`) really is, refused when a symlink leads out of `root`.
/// `None` when nothing is there.
pub(super) fn resolve_inside(root: &Path, relative: &str) -> Result<Option<PathBuf>, SourceError> {
    let full = root.join(relative);
    match full.canonicalize() {
        Ok(real) if real.starts_with(root) => Ok(Some(real)),
        Ok(real) => Err(SourceError::SymlinkOutside {
            path: relative.to_owned(),
            target: real.display().to_string(),
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(SourceError::Io { path: full, source }),
    }
}

/// Reads the regular file at `real` (a resolved path), at most `limit` bytes.
pub(super) fn read_regular(shown: &str, real: &Path, limit: u64) -> Result<Vec<u8>, SourceError> {
    let io_error = |source| SourceError::Io {
        path: real.to_owned(),
        source,
    };
    let metadata = fs::metadata(real).map_err(io_error)?;
    if !metadata.is_file() {
        return Err(SourceError::NotRegular {
            path: shown.to_owned(),
        });
    }
    let mut contents = Vec::new();
    fs::File::open(real)
        .map_err(io_error)?
        .take(limit.saturating_add(1))
        .read_to_end(&mut contents)
        .map_err(io_error)?;
    if contents.len() as u64 > limit {
        return Err(SourceError::TooLarge {
            path: shown.to_owned(),
            limit: format!("{} MiB", MAX_BYTES / (1024 * 1024)),
        });
    }
    Ok(contents)
}

/// Every file below `dir` (relative to `root`, the canonical root of the
/// source), with paths relative to `dir`. The folder the walk starts from is
/// checked like every other: it must not lead out of `root`.
pub(super) fn walk(root: &Path, dir: &str) -> Result<Vec<SourceFile>, SourceError> {
    walk_within(root, dir, Budget::full())
}

fn walk_within(root: &Path, dir: &str, mut budget: Budget) -> Result<Vec<SourceFile>, SourceError> {
    let mut files = Vec::new();
    let Some(start) = resolve_inside(root, dir)? else {
        return Ok(files);
    };
    if !start.is_dir() {
        return Ok(files);
    }
    let mut ancestors = vec![start.clone()];
    walk_folder(root, &start, "", &mut ancestors, &mut budget, &mut files)?;
    Ok(files)
}

fn walk_folder(
    root: &Path,
    dir: &Path,
    prefix: &str,
    ancestors: &mut Vec<PathBuf>,
    budget: &mut Budget,
    files: &mut Vec<SourceFile>,
) -> Result<(), SourceError> {
    let io_error = |path: &Path| {
        let path = path.to_owned();
        move |source| SourceError::Io { path, source }
    };
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(io_error(dir))?
        .collect::<Result<_, _>>()
        .map_err(io_error(dir))?;
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        if entry.file_name() == ".git" {
            continue;
        }
        let relative = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let path = entry.path();
        let file_type = entry.file_type().map_err(io_error(&path))?;
        let real = if file_type.is_symlink() {
            let target = path.canonicalize().map_err(io_error(&path))?;
            if !target.starts_with(root) {
                return Err(SourceError::SymlinkOutside {
                    path: relative,
                    target: fs::read_link(&path)
                        .map(|link| link.display().to_string())
                        .unwrap_or_default(),
                });
            }
            target
        } else {
            path
        };
        let metadata = fs::metadata(&real).map_err(io_error(&real))?;
        budget.take_file(&relative)?;
        if metadata.is_dir() {
            if ancestors.contains(&real) {
                return Err(SourceError::SymlinkLoop { path: relative });
            }
            ancestors.push(real.clone());
            files.push(SourceFile {
                path: relative.clone(),
                contents: Vec::new(),
                executable: true,
                mode: super::permissions(&metadata),
                is_dir: true,
            });
            walk_folder(
                root,
                &real,
                &format!("{relative}/"),
                ancestors,
                budget,
                files,
            )?;
            ancestors.pop();
            continue;
        }
        let contents = read_regular(&relative, &real, budget.bytes)?;
        budget.bytes -= contents.len() as u64;
        files.push(SourceFile {
            path: safe_relpath(&relative).unwrap_or(relative),
            contents,
            executable: is_executable(&metadata),
            mode: super::permissions(&metadata),
            is_dir: false,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        (dir, root)
    }

    fn small(files: usize, bytes: u64) -> Budget {
        Budget { files, bytes }
    }

    #[test]
    fn a_walk_stops_at_its_file_limit() {
        let (_dir, root) = template();
        for index in 0..5 {
            fs::write(root.join(format!("f{index}")), "x").unwrap();
        }
        assert_eq!(walk_within(&root, "", small(5, 100)).unwrap().len(), 5);
        let err = walk_within(&root, "", small(4, 100)).unwrap_err();
        assert!(matches!(err, SourceError::TooMany { .. }), "{err}");
    }

    #[test]
    fn a_walk_stops_at_its_byte_limit() {
        let (_dir, root) = template();
        fs::write(root.join("a"), "0123456789").unwrap();
        fs::write(root.join("b"), "0123456789").unwrap();
        walk_within(&root, "", small(10, 20)).unwrap();
        let err = walk_within(&root, "", small(10, 19)).unwrap_err();
        assert!(
            matches!(err, SourceError::TooLarge { ref path, .. } if path == "b"),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_that_multiply_a_folder_count_against_the_limit() {
        // d1 holds two links to d0, d2 two links to d1, ...: 2^n paths from n folders.
        let (_dir, root) = template();
        fs::create_dir(root.join("d0")).unwrap();
        fs::write(root.join("d0/file"), "x").unwrap();
        for level in 1..=20 {
            let dir = root.join(format!("d{level}"));
            fs::create_dir(&dir).unwrap();
            for link in ["a", "b"] {
                std::os::unix::fs::symlink(root.join(format!("d{}", level - 1)), dir.join(link))
                    .unwrap();
            }
        }
        let err = walk_within(&root, "d20", small(10_000, u64::MAX)).unwrap_err();
        assert!(matches!(err, SourceError::TooMany { .. }), "{err}");
    }
}
