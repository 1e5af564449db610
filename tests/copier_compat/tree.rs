//! A rendered folder as data (files with bytes and modes, folders, symlinks)
//! and the difference of two of them as unified diffs.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use similar::TextDiff;

#[derive(Debug, PartialEq, Eq)]
pub enum Entry {
    Dir { mode: u32 },
    File { mode: u32, bytes: Vec<u8> },
    Symlink { target: String },
}

impl Entry {
    fn kind(&self) -> &'static str {
        match self {
            Entry::Dir { .. } => "folder",
            Entry::File { .. } => "file",
            Entry::Symlink { .. } => "symlink",
        }
    }
}

/// Every entry below `root` by relative path; a missing root is empty.
pub fn snapshot(root: &Path) -> BTreeMap<String, Entry> {
    let mut entries = BTreeMap::new();
    if root.is_dir() {
        walk(root, root, &mut entries);
    }
    entries
}

fn walk(root: &Path, dir: &Path, entries: &mut BTreeMap<String, Entry>) {
    for item in std::fs::read_dir(dir).unwrap().flatten() {
        let path = item.path();
        let relative = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let entry = if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path).unwrap();
            Entry::Symlink {
                target: target.to_string_lossy().into_owned(),
            }
        } else if meta.is_dir() {
            walk(root, &path, entries);
            Entry::Dir { mode: mode(&meta) }
        } else {
            Entry::File {
                mode: mode(&meta),
                bytes: std::fs::read(&path).unwrap(),
            }
        };
        entries.insert(relative, entry);
    }
}

/// Leaves out `path` and everything below it.
pub fn without(tree: &mut BTreeMap<String, Entry>, path: &str) {
    let below = format!("{path}/");
    tree.retain(|entry, _| entry != path && !entry.starts_with(&below));
}

/// `None` when both trees are the same, else what differs, as unified diffs
/// (Copier's side first) and one line per other difference.
pub fn difference(
    copier: &BTreeMap<String, Entry>,
    scaffold: &BTreeMap<String, Entry>,
) -> Option<String> {
    let mut report = String::new();
    let paths: std::collections::BTreeSet<&String> = copier.keys().chain(scaffold.keys()).collect();
    for path in paths {
        match (copier.get(path), scaffold.get(path)) {
            (Some(a), Some(b)) if a == b => {}
            (
                Some(Entry::File { mode: ma, bytes: a }),
                Some(Entry::File { mode: mb, bytes: b }),
            ) => {
                if a != b {
                    report.push_str(&content_diff(path, a, b));
                }
                if ma != mb {
                    let _ = writeln!(report, "mode of {path}: Copier {ma:o}, scaffold {mb:o}");
                }
            }
            (Some(Entry::Dir { mode: ma }), Some(Entry::Dir { mode: mb })) => {
                let _ = writeln!(
                    report,
                    "mode of folder {path}: Copier {ma:o}, scaffold {mb:o}"
                );
            }
            (Some(Entry::Symlink { target: a }), Some(Entry::Symlink { target: b })) => {
                let _ = writeln!(report, "symlink {path}: Copier -> {a}, scaffold -> {b}");
            }
            (Some(a), Some(b)) => {
                let _ = writeln!(
                    report,
                    "{path}: a {} from Copier, a {} from scaffold",
                    a.kind(),
                    b.kind()
                );
            }
            (Some(a), None) => {
                let _ = writeln!(report, "only Copier writes the {} {path}", a.kind());
                if let Entry::File { bytes, .. } = a {
                    report.push_str(&content_diff(path, bytes, b""));
                }
            }
            (None, Some(b)) => {
                let _ = writeln!(report, "only scaffold writes the {} {path}", b.kind());
                if let Entry::File { bytes, .. } = b {
                    report.push_str(&content_diff(path, b"", bytes));
                }
            }
            (None, None) => unreachable!("the path came from one of the trees"),
        }
    }
    (!report.is_empty()).then_some(report)
}

fn content_diff(path: &str, copier: &[u8], scaffold: &[u8]) -> String {
    match (std::str::from_utf8(copier), std::str::from_utf8(scaffold)) {
        (Ok(a), Ok(b)) => {
            let diff = TextDiff::from_lines(a, b);
            let mut text = diff
                .unified_diff()
                .context_radius(3)
                .missing_newline_hint(true)
                .header(&format!("copier/{path}"), &format!("scaffold/{path}"))
                .to_string();
            if a.contains('\r') != b.contains('\r') {
                text.push_str("(line endings differ: one side has CR characters)\n");
            }
            text
        }
        _ => format!(
            "binary file {path} differs: Copier {} bytes, scaffold {} bytes\n",
            copier.len(),
            scaffold.len()
        ),
    }
}

#[cfg(unix)]
fn mode(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode(_meta: &std::fs::Metadata) -> u32 {
    0
}
