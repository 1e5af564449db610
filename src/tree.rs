//! The rendered project as a value: a sorted map from relative path to file.
//!
//! Every command renders into a `Tree` first and only then decides what to do
//! with it (write, list, merge, diff), so rendering never touches the disk and
//! determinism is a property of one function.

use std::collections::BTreeMap;
use std::fmt;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// One rendered file: its bytes and permission bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub contents: Vec<u8>,
    /// Whether any execute bit is set in `mode`.
    pub executable: bool,
    mode: u32,
}

impl File {
    /// A file with mode 0o755 when `executable`, else 0o644.
    pub fn new(contents: impl Into<Vec<u8>>, executable: bool) -> Self {
        Self::with_mode(contents, if executable { 0o755 } else { 0o644 })
    }

    /// A file with the template's own permission bits, as Copier copies them.
    pub fn with_mode(contents: impl Into<Vec<u8>>, mode: u32) -> Self {
        Self {
            contents: contents.into(),
            executable: mode & 0o111 != 0,
            mode: mode & 0o7777,
        }
    }

    /// The Unix permission bits the file is written with.
    pub fn mode(&self) -> u32 {
        self.mode
    }
}

/// A relative path refused because it would leave the destination.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("path `{path}` {reason}")]
pub struct UnsafePath {
    pub path: String,
    pub reason: &'static str,
}

/// Checks that `path` is a plain relative path made of normal components and
/// returns it normalised to `/` separators without empty segments.
pub fn safe_relpath(path: &str) -> Result<String, UnsafePath> {
    let refuse = |reason| {
        Err(UnsafePath {
            path: path.to_owned(),
            reason,
        })
    };
    if path.starts_with('/') || path.starts_with('\\') || is_windows_drive(path) {
        return refuse("is absolute, so it would leave the destination");
    }
    if path.contains('\0') {
        return refuse("contains a NUL byte");
    }
    let mut parts = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return refuse("climbs out with `..`, so it would leave the destination"),
            _ => parts.push(part),
        }
    }
    if parts.is_empty() {
        return refuse("is empty");
    }
    Ok(parts.join("/"))
}

fn is_windows_drive(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

/// A pattern of `_exclude` or `_skip_if_exists` that is not valid gitignore syntax.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{pattern}`: {message}")]
pub struct PatternError {
    pub pattern: String,
    pub message: String,
}

/// Gitignore-style patterns matched against relative paths, as Copier matches
/// `_exclude` and `_skip_if_exists`.
#[derive(Debug)]
pub struct PathPatterns(Gitignore);

impl PathPatterns {
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Result<Self, PatternError> {
        let mut builder = GitignoreBuilder::new("");
        let mut all = Vec::new();
        for pattern in patterns {
            builder
                .add_line(None, pattern)
                .map_err(|err| PatternError {
                    pattern: pattern.to_owned(),
                    message: err.to_string(),
                })?;
            all.push(pattern);
        }
        builder.build().map(Self).map_err(|err| PatternError {
            pattern: all.join(", "),
            message: err.to_string(),
        })
    }

    /// Whether `path` itself (not a folder above it) matches.
    pub fn matches_exactly(&self, path: &str) -> bool {
        self.0
            .matched(std::path::Path::new(path), false)
            .is_ignore()
    }

    /// Whether `path` (relative, `/`-separated) or a folder above it matches.
    pub fn matches(&self, path: &str) -> bool {
        self.0
            .matched_path_or_any_parents(std::path::Path::new(path), false)
            .is_ignore()
    }
}

/// The rendered project: relative paths (always `/`-separated) to files, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    files: BTreeMap<String, File>,
    /// Folders the template has, created even when empty (as Copier does).
    dirs: std::collections::BTreeSet<String>,
    /// Symlinks kept as symlinks (`_preserve_symlinks`): path to target.
    symlinks: BTreeMap<String, String>,
}

impl Tree {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file; returns the previous one at that path, if any.
    pub fn insert(&mut self, path: String, file: File) -> Option<File> {
        self.files.insert(path, file)
    }

    /// Records a folder to create even if no file lands in it.
    pub fn insert_dir(&mut self, path: String) {
        self.dirs.insert(path);
    }

    /// Records a symlink to create at `path`, pointing to `target`.
    pub fn insert_symlink(&mut self, path: String, target: String) {
        self.symlinks.insert(path, target);
    }

    /// Every symlink to create: path and target.
    pub fn symlinks(&self) -> impl Iterator<Item = (&String, &String)> {
        self.symlinks.iter()
    }

    /// Every folder the template has, including empty ones, sorted.
    pub fn dirs(&self) -> impl Iterator<Item = &String> {
        self.dirs.iter()
    }

    pub fn get(&self, path: &str) -> Option<&File> {
        self.files.get(path)
    }

    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    pub fn remove(&mut self, path: &str) -> Option<File> {
        self.files.remove(path)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &File)> {
        self.files.iter()
    }

    pub fn paths(&self) -> impl Iterator<Item = &String> {
        self.files.keys()
    }

    /// A readable dump of every path, mode and content, used by snapshot tests.
    pub fn dump(&self) -> String {
        use fmt::Write as _;
        let mut out = String::new();
        for (path, file) in &self.files {
            let _ = writeln!(out, "=== {path} (mode {:o}) ===", file.mode());
            match std::str::from_utf8(&file.contents) {
                Ok(text) => {
                    out.push_str(text);
                    if !text.is_empty() && !text.ends_with('\n') {
                        out.push_str("\n[no newline at end of file]\n");
                    }
                }
                Err(_) => {
                    let _ = writeln!(out, "[binary, {} bytes]", file.contents.len());
                }
            }
        }
        out
    }
}

impl<'a> IntoIterator for &'a Tree {
    type Item = (&'a String, &'a File);
    type IntoIter = std::collections::btree_map::Iter<'a, String, File>;

    fn into_iter(self) -> Self::IntoIter {
        self.files.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_relpath_normalises_plain_paths() {
        assert_eq!(safe_relpath("src//main.rs").unwrap(), "src/main.rs");
        assert_eq!(safe_relpath("./a/./b").unwrap(), "a/b");
    }

    #[test]
    fn safe_relpath_refuses_paths_that_leave_the_destination() {
        assert!(safe_relpath("../evil").is_err());
        assert!(safe_relpath("a/../../evil").is_err());
        assert!(safe_relpath("/etc/passwd").is_err());
        assert!(safe_relpath("C:/x").is_err());
        assert!(safe_relpath("").is_err());
    }

    #[test]
    fn tree_iterates_in_sorted_order() {
        let mut tree = Tree::new();
        tree.insert("b".into(), File::new("2", false));
        tree.insert("a/z".into(), File::new("1", true));
        let paths: Vec<_> = tree.paths().cloned().collect();
        assert_eq!(paths, ["a/z", "b"]);
        assert!(tree.dump().contains("=== a/z (mode 755) ==="));
    }
}
