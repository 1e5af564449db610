//! Remote templates are fetched once into a cache and reused:
//! `$XDG_CACHE_HOME/scaffold/git/KEY` (else `~/.cache/...`), a `git clone
//! --mirror` keyed by a hash of the URL, brought up to date with `git fetch`
//! on each use (kept as it is when the fetch fails, so an offline machine
//! still renders what it fetched before). Versions are then read from it in
//! process, like a local repository.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::source::{self, Checkout, SourceError};

/// A mirror of a remote repository: in the cache, or in a temporary folder
/// when the cache cannot be written.
pub enum Mirror {
    Cached(PathBuf),
    Temporary(Checkout, PathBuf),
}

impl Mirror {
    pub fn path(&self) -> &Path {
        match self {
            Self::Cached(path) | Self::Temporary(_, path) => path,
        }
    }
}

/// Where the cache lives: `$XDG_CACHE_HOME/scaffold`, else `~/.cache/scaffold`.
pub fn root() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .map(|dir| dir.join("scaffold"))
}

fn key(url: &str) -> String {
    use std::fmt::Write as _;
    let digest = Sha256::digest(url.as_bytes());
    let mut key = String::new();
    for byte in digest.iter().take(12) {
        let _ = write!(key, "{byte:02x}");
    }
    key
}

/// The up-to-date mirror of `url`, cloned on first use.
pub fn mirror(url: &str) -> Result<Mirror, SourceError> {
    let cached = root().map(|root| root.join("git").join(key(url)));
    if let Some(dir) = &cached
        && dir.join("HEAD").is_file()
    {
        // An unreachable remote leaves the versions fetched before.
        let _ = source::fetch(url, dir);
        return Ok(Mirror::Cached(dir.clone()));
    }
    // Cloned aside (removed on failure or Ctrl-C), then moved into the cache.
    let temporary = Checkout::new()?;
    let cloned = temporary.path().join("mirror");
    source::mirror(url, &cloned)?;
    if let Some(dir) = cached
        && dir
            .parent()
            .is_some_and(|parent| std::fs::create_dir_all(parent).is_ok())
        && (std::fs::rename(&cloned, &dir).is_ok() || dir.join("HEAD").is_file())
    {
        return Ok(Mirror::Cached(dir));
    }
    Ok(Mirror::Temporary(temporary, cloned))
}
