//! Reading the project: its answers file, its files at the paths the
//! template renders, whether its git work tree is clean, and what an
//! interrupted update may have left in it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::UpdateError;
use crate::Error;
use crate::answers::AnswersFile;
use crate::generate;
use crate::merge::Ours;
use crate::render::DEFAULT_ANSWERS_FILE;
use crate::tree::File;

/// The answers file Copier writes by default.
pub const COPIER_ANSWERS_FILE: &str = ".copier-answers.yml";

/// The project's answers file: where it is (relative to the project) and
/// what it records.
pub struct Recorded {
    pub relative: String,
    pub path: PathBuf,
    pub answers: AnswersFile,
}

/// Reads `answers_file` (relative to the project) or, without one, the
/// first of `.scaffold-answers.yml`, `.copier-answers.yml` and any other
/// `*answers*.yml` at the project's top that records `_src_path` (a template
/// may name its answers file with `_answers_file`).
pub fn read_recorded_answers(
    project: &Path,
    answers_file: Option<&Path>,
) -> Result<Recorded, Error> {
    let mut candidates: Vec<String> = match answers_file {
        Some(path) => vec![path.to_string_lossy().replace('\\', "/")],
        None => vec![
            DEFAULT_ANSWERS_FILE.to_owned(),
            COPIER_ANSWERS_FILE.to_owned(),
        ],
    };
    let found = candidates
        .iter()
        .find(|relative| project.join(relative).is_file())
        .cloned()
        .or_else(|| {
            answers_file
                .is_none()
                .then(|| other_answers_file(project))
                .flatten()
        });
    let Some(relative) = found else {
        if answers_file.is_none() {
            candidates.push("*answers*.yml".to_owned());
        }
        return Err(UpdateError::NoAnswersFile {
            project: project.to_owned(),
            tried: candidates.join(", "),
        }
        .into());
    };
    let path = project.join(&relative);
    let answers = generate::read_answers_file(&path, false)?;
    Ok(Recorded {
        relative,
        path,
        answers,
    })
}

/// A `*answers*.yml` (or `.yaml`) file at the project's top recording `_src_path`.
fn other_answers_file(project: &Path) -> Option<String> {
    let mut names: Vec<String> = fs::read_dir(project)
        .ok()?
        .flatten()
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| {
            name.contains("answers")
                && Path::new(name).extension().is_some_and(|ext| {
                    ext.eq_ignore_ascii_case("yml") || ext.eq_ignore_ascii_case("yaml")
                })
        })
        .collect();
    names.sort();
    names.into_iter().find(|name| {
        fs::read_to_string(project.join(name))
            .is_ok_and(|text| text.lines().any(|line| line.starts_with("_src_path:")))
    })
}

enum OnDisk {
    Missing,
    File(File),
    /// A regular file at this ancestor of the path.
    UnderFile(String),
    /// A folder, holding these files (paths from the project's top).
    Folder(Vec<String>),
    /// A symlink, FIFO, device or socket, there or on the way.
    NotAFile,
}

/// Reads the project's files at `paths`, and only there.
pub fn read_ours<'a>(
    project: &Path,
    paths: impl Iterator<Item = &'a String>,
) -> Result<Ours, UpdateError> {
    let mut ours = Ours::default();
    for path in paths {
        if ours.files.contains(path)
            || ours.not_files.contains(path)
            || ours.under_file.contains_key(path)
            || ours.folders.contains_key(path)
        {
            continue;
        }
        match inspect(project, path)? {
            OnDisk::Missing => {}
            OnDisk::File(file) => {
                ours.files.insert(path.clone(), file);
            }
            OnDisk::UnderFile(file) => {
                ours.under_file.insert(path.clone(), file);
            }
            OnDisk::Folder(inside) => {
                ours.folders.insert(path.clone(), inside);
            }
            OnDisk::NotAFile => {
                ours.not_files.insert(path.clone());
            }
        }
    }
    Ok(ours)
}

fn read_error(path: &Path) -> impl FnOnce(std::io::Error) -> UpdateError + '_ {
    move |source| UpdateError::Read {
        path: path.to_owned(),
        source,
    }
}

fn inspect(project: &Path, path: &str) -> Result<OnDisk, UpdateError> {
    let parts: Vec<&str> = path.split('/').collect();
    let mut current = project.to_owned();
    for (index, part) in parts.iter().enumerate() {
        current.push(part);
        let metadata = match fs::symlink_metadata(&current) {
            Ok(metadata) => metadata,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(OnDisk::Missing),
            Err(source) => {
                return Err(UpdateError::Read {
                    path: current,
                    source,
                });
            }
        };
        let kind = metadata.file_type();
        let last = index + 1 == parts.len();
        if kind.is_symlink() || !(kind.is_file() || kind.is_dir()) {
            return Ok(OnDisk::NotAFile);
        }
        if !last && kind.is_file() {
            return Ok(OnDisk::UnderFile(parts[..=index].join("/")));
        }
        if last && kind.is_dir() {
            let mut inside = Vec::new();
            list_folder(&current, path, &mut inside)?;
            return Ok(OnDisk::Folder(inside));
        }
        if last {
            let contents = fs::read(&current).map_err(read_error(&current))?;
            return Ok(OnDisk::File(File::with_mode(
                contents,
                mode_bits(&metadata),
            )));
        }
    }
    Ok(OnDisk::Missing)
}

/// Every entry below `dir` that is not a folder (symlinks not followed).
fn list_folder(dir: &Path, relative: &str, out: &mut Vec<String>) -> Result<(), UpdateError> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(read_error(dir))?
        .collect::<Result<_, _>>()
        .map_err(read_error(dir))?;
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let child = format!("{relative}/{name}");
        let kind = entry.file_type().map_err(read_error(&entry.path()))?;
        if kind.is_dir() {
            list_folder(&entry.path(), &child, out)?;
        } else {
            out.push(child);
        }
    }
    Ok(())
}

/// Fails when `project` is inside a git work tree with uncommitted changes
/// below it (untracked files included), and when git cannot tell (git
/// missing, "dubious ownership", a broken repository): an update must never
/// go ahead on a tree it could not check. Outside any git work tree, passes.
pub fn refuse_dirty(project: &Path) -> Result<(), UpdateError> {
    let absolute = std::path::absolute(project).unwrap_or_else(|_| project.to_owned());
    if !absolute.ancestors().any(|dir| dir.join(".git").exists()) {
        return Ok(());
    }
    let unknown = |message: String| UpdateError::GitStatus {
        project: project.to_owned(),
        message,
    };
    let output = Command::new("git")
        .current_dir(project)
        .args(["status", "--porcelain", "--untracked-files=all", "--", "."])
        .output()
        .map_err(|err| unknown(format!("cannot run git: {err}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr
            .lines()
            .find(|line| !line.trim().is_empty())
            .unwrap_or("git status failed")
            .trim()
            .to_owned();
        return Err(unknown(first));
    }
    let files = String::from_utf8_lossy(&output.stdout);
    if files.trim().is_empty() {
        return Ok(());
    }
    Err(UpdateError::Dirty {
        project: project.to_owned(),
        files: files.trim_end().to_owned(),
    })
}

/// The file's permission bits, kept through an update.
#[cfg(unix)]
fn mode_bits(metadata: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    metadata.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_bits(_metadata: &fs::Metadata) -> u32 {
    0o644
}
