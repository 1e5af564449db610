//! The builtin templates embedded in the binary: the current `templates/` and
//! `modules/`, and every frozen release under `releases/`.

use include_dir::{Dir, DirEntry, include_dir};

use super::SourceFile;

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");
static MODULES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/modules");

/// The embedded source's root: `templates/` and `modules/` of this repository.
static EMBEDDED: [(&str, &Dir<'static>); 2] = [("templates", &TEMPLATES), ("modules", &MODULES)];

/// Earlier released versions of the builtin templates, each a folder
/// `VERSION/` holding its own `templates/` and `modules/` (see releases/README.md).
static RELEASES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/releases");

/// A made-up earlier release, so unit tests can update from a builtin version
/// other than the current one.
#[cfg(test)]
static TEST_RELEASES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/tests/fixtures/releases");

fn release_roots() -> Vec<&'static Dir<'static>> {
    #[cfg(test)]
    return vec![&RELEASES, &TEST_RELEASES];
    #[cfg(not(test))]
    vec![&RELEASES]
}

/// Splits an embedded path into the `Dir` it was embedded with and its path
/// inside that `Dir` (`include_dir` names entries from the embedded root).
pub(super) fn embedded(
    release: Option<&str>,
    path: &str,
) -> Option<(&'static Dir<'static>, String)> {
    if let Some(version) = release {
        let inside = [version, path]
            .iter()
            .filter(|part| !part.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("/");
        let root = release_roots()
            .into_iter()
            .find(|root| root.get_dir(version).is_some())
            .unwrap_or(&RELEASES);
        return Some((root, inside));
    }
    let (top, rest) = path.split_once('/').unwrap_or((path, ""));
    EMBEDDED
        .iter()
        .find(|(name, _)| *name == top)
        .map(|(_, dir)| (*dir, rest.to_owned()))
}

pub(super) fn embedded_dir(release: Option<&str>, path: &str) -> Option<&'static Dir<'static>> {
    let (dir, rest) = embedded(release, path)?;
    if rest.is_empty() {
        Some(dir)
    } else {
        dir.get_dir(rest)
    }
}

/// Names of the builtin templates.
pub fn builtin_names() -> Vec<String> {
    TEMPLATES
        .dirs()
        .filter_map(|dir| dir.path().file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .collect()
}

/// Versions of the builtin templates frozen in `releases/`, oldest first.
pub fn builtin_releases() -> Vec<String> {
    let mut versions: Vec<String> = release_roots()
        .into_iter()
        .flat_map(Dir::dirs)
        .filter_map(|dir| dir.path().file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .collect();
    versions.sort_by_key(|version| version_key(version));
    versions
}

/// Orders `1.10.0` after `1.9.0`.
fn version_key(version: &str) -> Vec<(u64, String)> {
    version
        .split(['.', '-', '+'])
        .map(|part| (part.parse().unwrap_or(u64::MAX), part.to_owned()))
        .collect()
}

pub(super) fn walk_embedded(dir: &Dir<'static>, base: &str, files: &mut Vec<SourceFile>) {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(sub) => {
                let full = sub.path().to_string_lossy().replace('\\', "/");
                let relative = full
                    .strip_prefix(base)
                    .unwrap_or(&full)
                    .trim_start_matches('/');
                files.push(SourceFile {
                    path: relative.to_owned(),
                    contents: Vec::new(),
                    executable: true,
                    mode: 0o755,
                    is_dir: true,
                });
                walk_embedded(sub, base, files);
            }
            DirEntry::File(file) => {
                let full = file.path().to_string_lossy().replace('\\', "/");
                let relative = full
                    .strip_prefix(base)
                    .unwrap_or(&full)
                    .trim_start_matches('/')
                    .to_owned();
                files.push(SourceFile {
                    path: relative,
                    contents: file.contents().to_vec(),
                    executable: false,
                    mode: 0o644,
                    is_dir: false,
                });
            }
        }
    }
}
