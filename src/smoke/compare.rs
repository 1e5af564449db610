//! Whether two renders of one combination are the same bytes and modes.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::source::is_executable;

/// The relative paths (`/`-separated) under `root` with their bytes and whether
/// they are executable.
pub(super) fn read_folder(root: &Path) -> io::Result<Folder> {
    let mut files = BTreeMap::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        for entry in fs::read_dir(root.join(&relative))? {
            let entry = entry?;
            let path = relative.join(entry.file_name());
            let kind = entry.file_type()?;
            if kind.is_dir() {
                pending.push(path);
            } else {
                let contents = fs::read(entry.path())?;
                let key = path
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                files.insert(key, (contents, is_executable(&entry.metadata()?)));
            }
        }
    }
    Ok(files)
}

/// The paths where two folders differ: present in one only, other bytes, or
/// another mode.
pub fn compare_folders(first: &Path, second: &Path) -> io::Result<Vec<String>> {
    Ok(differing_paths(&read_folder(first)?, &read_folder(second)?))
}

type Folder = BTreeMap<String, (Vec<u8>, bool)>;

pub(super) fn differing_paths(first: &Folder, second: &Folder) -> Vec<String> {
    let mut paths: Vec<String> = first
        .iter()
        .filter(|(path, file)| second.get(*path) != Some(file))
        .map(|(path, _)| path.clone())
        .collect();
    paths.extend(
        second
            .keys()
            .filter(|path| !first.contains_key(*path))
            .cloned(),
    );
    paths.sort();
    paths
}
