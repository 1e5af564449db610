//! Reading a template from a local git repository in process (gix): its
//! tags, and the files of one commit read from the object store as they are
//! needed, with no `git clone`, no checkout and no `git` program. A clone of
//! a local repository costs more than the whole render (about 200 ms against
//! a few), and a checkout as much as the files it writes.

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
    // gix refuses to inflate an object larger than a template may be, so an
    // oversized blob is never held in memory.
    let limit = format!("gitoxide.objects.allocLimit={}", crate::source::MAX_BYTES);
    let options = gix::open::Options::isolated().config_overrides([limit]);
    gix::open_opts(path, options).map_err(|err| failed(path, err))
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

/// One entry of a commit's tree, by its path from the repository's root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Dir,
    /// A blob; `mode` is 0o755 or 0o644.
    File {
        contents: Vec<u8>,
        mode: u32,
    },
    /// A symlink and where it points, as committed.
    Link(String),
}

/// The files of one commit, read from the object store.
#[derive(Debug)]
pub struct Commit {
    /// `git describe --tags --always` of the commit: the `_commit` recorded.
    pub version: String,
    /// The commit's full hash (Copier's `vcs_ref_hash`).
    pub hash: String,
    /// Every path of the commit's tree (submodules left out).
    pub entries: Vec<(String, Entry)>,
}

/// Reads the blob `id` (at `shown`) within what `budget` still allows.
fn read_blob(
    repo: &gix::Repository,
    path: &Path,
    id: gix::ObjectId,
    shown: &str,
    budget: &mut u64,
) -> Result<Vec<u8>, SourceError> {
    let blob = repo.find_object(id).map_err(|err| failed(path, err))?;
    let size = blob.data.len() as u64;
    if size > *budget {
        return Err(SourceError::TooLarge {
            path: shown.to_owned(),
            limit: format!("{} MiB", crate::source::MAX_BYTES / (1024 * 1024)),
        });
    }
    *budget -= size;
    Ok(blob.detach().data)
}

/// Reads the files of `rev` (a tag, branch or commit) of the repository at
/// `path`, modes and symlinks as committed, bounded in files and bytes as a
/// template folder's walk is.
pub fn read_commit(path: &Path, rev: &str) -> Result<Commit, SourceError> {
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
    let listed = tree
        .traverse()
        .breadthfirst
        .files()
        .map_err(|err| failed(path, err))?;
    if listed.len() > crate::source::MAX_FILES {
        return Err(SourceError::TooMany {
            path: rev.to_owned(),
            limit: crate::source::MAX_FILES,
        });
    }
    let mut budget = crate::source::MAX_BYTES;
    let mut entries = Vec::with_capacity(listed.len());
    for entry in listed {
        let relative = entry.filepath.to_string();
        let Ok(relative) = crate::tree::safe_relpath(&relative) else {
            return Err(failed(path, format!("unsafe path `{relative}` in {rev}")));
        };
        let kind = if entry.mode.is_tree() {
            Entry::Dir
        } else if entry.mode.is_commit() {
            continue;
        } else if entry.mode.is_link() {
            let target = read_blob(&repo, path, entry.oid, &relative, &mut budget)?;
            Entry::Link(String::from_utf8_lossy(&target).into_owned())
        } else {
            let mode = if entry.mode.is_executable() {
                0o755
            } else {
                0o644
            };
            Entry::File {
                contents: read_blob(&repo, path, entry.oid, &relative, &mut budget)?,
                mode,
            }
        };
        entries.push((relative, kind));
    }
    let version = commit
        .describe()
        .names(gix::commit::describe::SelectRef::AllTags)
        .id_as_fallback(true)
        .try_format()
        .map_err(|err| failed(path, err))?
        .map_or_else(|| commit.id.to_string(), |format| format.to_string());
    Ok(Commit {
        version,
        hash: commit.id.to_string(),
        entries,
    })
}
