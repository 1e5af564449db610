//! Choosing versions: which template the project came from (`_src_path`),
//! the version it was rendered from (`_commit`, the base) and the version it
//! moves to (`--vcs-ref`, else the newest tag; the theirs side).

use std::path::Path;

use super::UpdateError;
use crate::Error;
use crate::answers::AnswersFile;
use crate::source::{self, Source, SourceError, TemplateRef};

/// The template named by `_src_path`. A relative folder is looked up from the
/// current folder, then from the project (the folder `new` ran in is unknown).
pub fn recorded_template(
    project: &Path,
    recorded: &AnswersFile,
    answers_path: &Path,
) -> Result<TemplateRef, Error> {
    let src_path = recorded
        .meta("_src_path")
        .ok_or_else(|| UpdateError::NoTemplate {
            path: answers_path.to_owned(),
        })?;
    Ok(match TemplateRef::parse(src_path) {
        TemplateRef::Local(path) if path.is_relative() && !path.is_dir() => {
            let beside = project.join(&path);
            TemplateRef::Local(if beside.is_dir() { beside } else { path })
        }
        other => other,
    })
}

/// The template as the project was rendered: the recorded version. A
/// version recorded from a work tree with uncommitted changes (`v1-dirty`)
/// is based on the commit it started from, so those changes count as the
/// project's own and are kept.
pub fn open_base(reference: &TemplateRef, commit: Option<&str>) -> Result<Source, SourceError> {
    let commit = commit.map(|commit| commit.strip_suffix("-dirty").unwrap_or(commit));
    match reference {
        TemplateRef::Builtin(name) => {
            Source::builtin_at(name, commit.unwrap_or(source::BUILTIN_VERSION))
        }
        TemplateRef::Local(path) if !source::is_git_repo(path) => Source::open(reference, None),
        _ => Source::open(reference, commit),
    }
}

/// The template the project moves to: `--vcs-ref`, else the newest tag of a
/// git template, a local folder as it is, or this scaffold's builtin templates.
pub fn open_theirs(reference: &TemplateRef, vcs_ref: Option<&str>) -> Result<Source, SourceError> {
    match (reference, vcs_ref) {
        (TemplateRef::Builtin(name), Some(version)) => Source::builtin_at(name, version),
        _ => Source::open(reference, vcs_ref),
    }
}
