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

/// The version to render when none was asked for, as Copier picks it: the
/// newest tag that is a PEP 440 version (pre-releases only with
/// `prereleases`), else `HEAD`. For a local repository `HEAD` is its work
/// tree, uncommitted changes included (`None` here); an explicit ref is
/// kept as it is.
pub fn resolve_ref(
    reference: &TemplateRef,
    vcs_ref: Option<&str>,
    prereleases: bool,
) -> Result<Option<String>, SourceError> {
    let local_repo = matches!(reference, TemplateRef::Local(path) if source::is_git_repo(path));
    match (reference, vcs_ref) {
        (TemplateRef::Local(_), Some("HEAD")) if local_repo => Ok(None),
        (_, Some(vcs_ref)) => Ok(Some(vcs_ref.to_owned())),
        (TemplateRef::Local(path), None) if local_repo => {
            let absolute = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            newest_tag(&absolute.display().to_string(), prereleases)
        }
        // The clone (or the local read) picks the newest release itself; a
        // pre-release needs the tags first.
        (TemplateRef::Git { url, .. }, None) if prereleases => Ok(Some(
            newest_tag(url, true)?.unwrap_or_else(|| "HEAD".to_owned()),
        )),
        _ => Ok(None),
    }
}

/// The newest tag of the repository at `url` that is a PEP 440 version.
pub fn newest_tag(url: &str, prereleases: bool) -> Result<Option<String>, SourceError> {
    Ok(newest_version(tags(url)?.iter().map(String::as_str), prereleases).map(str::to_owned))
}

/// The newest of `tags` by PEP 440 (`v1.2` reads as 1.2; other tags are
/// ignored), leaving out pre- and dev releases unless `prereleases`.
pub fn newest_version<'a>(
    tags: impl Iterator<Item = &'a str>,
    prereleases: bool,
) -> Option<&'a str> {
    tags.filter_map(|tag| pep440(tag).map(|version| (version, tag)))
        .filter(|(version, _)| prereleases || !version.any_prerelease())
        .max_by(|(a, _), (b, _)| a.cmp(b))
        .map(|(_, tag)| tag)
}

/// A tag or recorded `_commit` as a PEP 440 version, as Copier reads them:
/// `v1-3-gabc123` (a commit after a tag) is `1.post3+gabc123`.
pub fn pep440(text: &str) -> Option<pep440_rs::Version> {
    let text = text.strip_suffix("-dirty").unwrap_or(text);
    if let Ok(version) = text.parse() {
        return Some(version);
    }
    let (rest, hash) = text.rsplit_once("-g")?;
    let (base, count) = rest.rsplit_once('-')?;
    count.parse::<u64>().ok()?;
    format!("{base}.post{count}+g{hash}").parse().ok()
}

/// Every tag of the repository at `url`: read in process from a local
/// repository, else from its mirror in the cache.
fn tags(url: &str) -> Result<Vec<String>, SourceError> {
    match crate::git::local_repository(url) {
        Some(local) => crate::git::tags(&local),
        None => crate::git::tags(crate::git::cache::mirror(url)?.path()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_pep440_tag_wins_and_prereleases_only_when_asked() {
        let tags = ["v1.9", "v1.10", "2.0.0rc1", "not-a-version", "1.10.0.dev1"];
        assert_eq!(newest_version(tags.into_iter(), false), Some("v1.10"));
        assert_eq!(newest_version(tags.into_iter(), true), Some("2.0.0rc1"));
        assert_eq!(newest_version(["latest"].into_iter(), false), None);
    }

    #[test]
    fn a_commit_after_a_tag_reads_as_a_post_release() {
        let after = pep440("v1.2-3-gabc123").unwrap();
        assert!(after > pep440("v1.2").unwrap());
        assert!(after < pep440("v1.3").unwrap());
    }
}
