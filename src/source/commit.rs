//! A template read from one commit of a git repository, as a read-only file
//! system held in memory (no checkout written). It keeps the rules of a
//! template folder on disk (`walk.rs`): symlinks are followed only while they
//! stay inside the commit (and never in a loop), only files and folders are
//! read, and a walk is bounded in files and bytes.

use std::collections::BTreeMap;
use std::path::Path;

use super::walk::{Budget, MAX_BYTES};
use super::{SourceError, SourceFile};
use crate::git::{Commit, Entry};

/// The most symlinks followed to resolve one path (Linux's own limit).
const MAX_LINKS: usize = 40;

#[derive(Debug)]
pub(super) struct CommitFiles {
    /// The repository, for messages.
    repository: String,
    entries: BTreeMap<String, Entry>,
    /// The names in each folder ("" for the root), sorted.
    children: BTreeMap<String, Vec<String>>,
}

fn parent_and_name(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

impl CommitFiles {
    pub(super) fn new(repository: &Path, commit: Commit) -> Self {
        let mut entries = BTreeMap::new();
        let mut children: BTreeMap<String, Vec<String>> = BTreeMap::new();
        children.insert(String::new(), Vec::new());
        for (path, entry) in commit.entries {
            // Every folder above a path is a folder, listed or not.
            let mut at = path.as_str();
            while let Some((parent, _)) = at.rsplit_once('/') {
                entries.entry(parent.to_owned()).or_insert(Entry::Dir);
                at = parent;
            }
            entries.insert(path, entry);
        }
        for (path, entry) in &entries {
            let (parent, name) = parent_and_name(path);
            children
                .entry(parent.to_owned())
                .or_default()
                .push(name.to_owned());
            if *entry == Entry::Dir {
                children.entry(path.clone()).or_default();
            }
        }
        for names in children.values_mut() {
            names.sort();
        }
        Self {
            repository: repository.display().to_string(),
            entries,
            children,
        }
    }

    fn not_found(&self, path: &str) -> SourceError {
        SourceError::Io {
            path: Path::new(&self.repository).join(path),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        }
    }

    /// Where `path` really is, every symlink on the way followed: `None`
    /// when nothing is there; refused when a symlink leads out of the commit.
    pub(super) fn resolve(&self, path: &str) -> Result<Option<String>, SourceError> {
        let mut links = 0;
        self.resolve_from("", path, path, &mut links)
    }

    fn resolve_from(
        &self,
        start: &str,
        path: &str,
        shown: &str,
        links: &mut usize,
    ) -> Result<Option<String>, SourceError> {
        if path.starts_with('/') {
            return Err(SourceError::SymlinkOutside {
                path: shown.to_owned(),
                target: path.to_owned(),
            });
        }
        let mut at = start.to_owned();
        let parts: Vec<&str> = path.split('/').collect();
        for (index, part) in parts.iter().enumerate() {
            match *part {
                "" | "." => continue,
                ".." => {
                    if at.is_empty() {
                        return Err(SourceError::SymlinkOutside {
                            path: shown.to_owned(),
                            target: path.to_owned(),
                        });
                    }
                    let parent = parent_and_name(&at).0.len();
                    at.truncate(parent);
                    continue;
                }
                _ => {}
            }
            let next = join(&at, part);
            let last = index + 1 == parts.len();
            let entry = self.entries.get(&next);
            if entry.is_none() || (!last && matches!(entry, Some(Entry::File { .. }))) {
                // Nothing there, or a file in the middle of a path.
                return Ok(None);
            }
            let Some(Entry::Link(target)) = entry else {
                at = next;
                continue;
            };
            *links += 1;
            if *links > MAX_LINKS {
                return Err(SourceError::SymlinkLoop {
                    path: shown.to_owned(),
                });
            }
            match self.resolve_from(&at, target, shown, links)? {
                Some(real) => at = real,
                None => return Ok(None),
            }
        }
        Ok(Some(at))
    }

    /// Whether anything (a symlink included) is at `path`.
    pub(super) fn contains(&self, path: &str) -> bool {
        self.entries.contains_key(path)
    }

    /// Whether `path` is (or leads to) a folder.
    pub(super) fn is_dir(&self, path: &str) -> bool {
        match self.resolve(path) {
            Ok(Some(real)) => real.is_empty() || self.entries.get(&real) == Some(&Entry::Dir),
            _ => false,
        }
    }

    /// Where the symlink at `path` points, as committed; `None` when it is not one.
    pub(super) fn symlink_target(&self, path: &str) -> Option<String> {
        let (parent, name) = parent_and_name(path);
        let parent = self.resolve(parent).ok()??;
        match self.entries.get(&join(&parent, name)) {
            Some(Entry::Link(target)) => Some(target.clone()),
            _ => None,
        }
    }

    /// Reads one file, if it exists.
    pub(super) fn read(&self, path: &str) -> Result<Option<Vec<u8>>, SourceError> {
        let Some(real) = self.resolve(path)? else {
            return Ok(None);
        };
        match self.entries.get(&real) {
            Some(Entry::File { contents, .. }) => Ok(Some(contents.clone())),
            _ => Err(SourceError::NotRegular {
                path: path.to_owned(),
            }),
        }
    }

    /// Every file and folder below `dir`, with paths relative to `dir`.
    pub(super) fn walk(&self, dir: &str) -> Result<Vec<SourceFile>, SourceError> {
        let mut files = Vec::new();
        let Some(start) = self.resolve(dir)? else {
            return Ok(files);
        };
        if !start.is_empty() && self.entries.get(&start) != Some(&Entry::Dir) {
            return Ok(files);
        }
        let mut ancestors = vec![start.clone()];
        self.walk_folder(&start, "", &mut ancestors, &mut Budget::full(), &mut files)?;
        Ok(files)
    }

    fn walk_folder(
        &self,
        dir: &str,
        prefix: &str,
        ancestors: &mut Vec<String>,
        budget: &mut Budget,
        files: &mut Vec<SourceFile>,
    ) -> Result<(), SourceError> {
        for name in self.children.get(dir).into_iter().flatten() {
            if name == ".git" {
                continue;
            }
            let relative = format!("{prefix}{name}");
            let path = join(dir, name);
            let real = match self.entries.get(&path) {
                Some(Entry::Link(target)) => {
                    let mut links = 0;
                    match self.resolve_from(dir, target, &relative, &mut links) {
                        Ok(Some(real)) => real,
                        Ok(None) => return Err(self.not_found(&path)),
                        Err(SourceError::SymlinkOutside { .. }) => {
                            return Err(SourceError::SymlinkOutside {
                                path: relative,
                                target: target.clone(),
                            });
                        }
                        Err(err) => return Err(err),
                    }
                }
                _ => path,
            };
            budget.take_file(&relative)?;
            if let Some(Entry::File { contents, mode }) = self.entries.get(&real) {
                let size = contents.len() as u64;
                if size > budget.bytes {
                    return Err(SourceError::TooLarge {
                        path: relative,
                        limit: format!("{} MiB", MAX_BYTES / (1024 * 1024)),
                    });
                }
                budget.bytes -= size;
                files.push(SourceFile {
                    path: relative,
                    contents: contents.clone(),
                    executable: mode & 0o111 != 0,
                    mode: *mode,
                    is_dir: false,
                });
            } else {
                if ancestors.contains(&real) {
                    return Err(SourceError::SymlinkLoop { path: relative });
                }
                files.push(SourceFile {
                    path: relative.clone(),
                    contents: Vec::new(),
                    executable: true,
                    mode: 0o755,
                    is_dir: true,
                });
                ancestors.push(real.clone());
                self.walk_folder(&real, &format!("{relative}/"), ancestors, budget, files)?;
                ancestors.pop();
            }
        }
        Ok(())
    }

    /// Writes every file of the commit into the empty folder `dest`, modes
    /// and symlinks as committed: a checkout, for tasks and migrations that
    /// run files from the template's folder.
    pub(super) fn write_to(&self, dest: &Path) -> Result<(), SourceError> {
        let io = |at: &Path| {
            let at = at.to_owned();
            move |source| SourceError::Io { path: at, source }
        };
        for (path, entry) in &self.entries {
            let target = dest.join(path);
            match entry {
                Entry::Dir => std::fs::create_dir_all(&target).map_err(io(&target))?,
                Entry::Link(link) => write_symlink(link, &target)?,
                Entry::File { contents, mode } => {
                    std::fs::write(&target, contents).map_err(io(&target))?;
                    crate::disk::set_mode(&target, *mode).map_err(|err| SourceError::Io {
                        path: target.clone(),
                        source: std::io::Error::other(err.to_string()),
                    })?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(unix)]
fn write_symlink(target: &str, at: &Path) -> Result<(), SourceError> {
    std::os::unix::fs::symlink(target, at).map_err(|source| SourceError::Io {
        path: at.to_owned(),
        source,
    })
}

#[cfg(not(unix))]
fn write_symlink(target: &str, at: &Path) -> Result<(), SourceError> {
    std::fs::write(at, target).map_err(|source| SourceError::Io {
        path: at.to_owned(),
        source,
    })
}
