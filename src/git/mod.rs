//! Reading a template from a local git repository in process (gix): its
//! tags, and the files of one commit written to a folder, with no `git
//! clone` and no `git` program. A clone of a local repository costs more
//! than the whole render (about 200 ms against a few).

pub mod cache;

use std::path::{Path, PathBuf};

use crate::source::SourceError;

/// The repository a template URL names on this machine: a folder holding
/// `.git`, or a `file://` URL of one. `None` for anything remote.
pub fn local_repository(url: &str) -> Option<PathBuf> {
    let path = PathBuf::from(url.strip_prefix("file://").unwrap_or(url));
    path.join(".git").exists().then_some(path)
}

fn failed(url: &Path, message: impl std::fmt::Display) -> SourceError {
    SourceError::Git {
        action: "read",
        url: url.display().to_string(),
        message: message.to_string(),
    }
}

fn open(path: &Path) -> Result<gix::Repository, SourceError> {
    gix::open_opts(path, gix::open::Options::isolated()).map_err(|err| failed(path, err))
}

/// Every tag of the repository at `path`.
pub fn tags(path: &Path) -> Result<Vec<String>, SourceError> {
    let repo = open(path)?;
    let references = repo.references().map_err(|err| failed(path, err))?;
    let tags = references.tags().map_err(|err| failed(path, err))?;
    Ok(tags
        .filter_map(Result::ok)
        .map(|tag| tag.name().shorten().to_string())
        .collect())
}

/// What [`export`] read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// `git describe --tags --always` of the commit: the `_commit` recorded.
    pub version: String,
    /// The commit's full hash (Copier's `vcs_ref_hash`).
    pub commit: String,
}

/// Writes the files of `rev` (a tag, branch or commit) of the repository at
/// `path` into the empty folder `dest`, modes and symlinks as committed.
pub fn export(path: &Path, rev: &str, dest: &Path) -> Result<Exported, SourceError> {
    let repo = open(path)?;
    let unknown = || SourceError::UnknownRef {
        url: path.display().to_string(),
        reference: rev.to_owned(),
    };
    if rev.starts_with('-') {
        return Err(unknown());
    }
    let id = repo.rev_parse_single(rev).map_err(|_| unknown())?;
    let commit = id
        .object()
        .map_err(|_| unknown())?
        .peel_to_commit()
        .map_err(|_| unknown())?;
    let tree = commit.tree().map_err(|err| failed(path, err))?;
    let entries = tree
        .traverse()
        .breadthfirst
        .files()
        .map_err(|err| failed(path, err))?;
    let io = |at: &Path| {
        let at = at.to_owned();
        move |source| SourceError::Io { path: at, source }
    };
    for entry in entries {
        let relative = entry.filepath.to_string();
        let Ok(relative) = crate::tree::safe_relpath(&relative) else {
            return Err(failed(path, format!("unsafe path `{relative}` in {rev}")));
        };
        let target = dest.join(&relative);
        if entry.mode.is_tree() {
            std::fs::create_dir_all(&target).map_err(io(&target))?;
            continue;
        }
        if entry.mode.is_commit() {
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let blob = repo
            .find_object(entry.oid)
            .map_err(|err| failed(path, err))?;
        if entry.mode.is_link() {
            write_symlink(&blob.data, &target)?;
        } else {
            std::fs::write(&target, &blob.data).map_err(io(&target))?;
            crate::disk::set_mode(
                &target,
                if entry.mode.is_executable() {
                    0o755
                } else {
                    0o644
                },
            )
            .map_err(|err| failed(path, err))?;
        }
    }
    let version = commit
        .describe()
        .names(gix::commit::describe::SelectRef::AllTags)
        .id_as_fallback(true)
        .try_format()
        .map_err(|err| failed(path, err))?
        .map_or_else(|| commit.id.to_string(), |format| format.to_string());
    Ok(Exported {
        version,
        commit: commit.id.to_string(),
    })
}

#[cfg(unix)]
fn write_symlink(target_bytes: &[u8], at: &Path) -> Result<(), SourceError> {
    use std::os::unix::ffi::OsStrExt;
    let target = std::ffi::OsStr::from_bytes(target_bytes);
    std::os::unix::fs::symlink(target, at).map_err(|source| SourceError::Io {
        path: at.to_owned(),
        source,
    })
}

#[cfg(not(unix))]
fn write_symlink(target_bytes: &[u8], at: &Path) -> Result<(), SourceError> {
    std::fs::write(at, target_bytes).map_err(|source| SourceError::Io {
        path: at.to_owned(),
        source,
    })
}
