//! `scaffold check-update`: whether the template has a newer version than
//! the one the project records, compared by PEP 440 as Copier compares them.

use std::path::Path;

use super::{UpdateError, project, versions};
use crate::Error;
use crate::source::{self, TemplateRef};

/// The project's version and the template's newest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UpdateCheck {
    pub update_available: bool,
    pub current_version: String,
    pub latest_version: String,
}

/// Reads the project's answers file and the template's tags (no clone).
pub fn check_update(
    project: &Path,
    answers_file: Option<&Path>,
    prereleases: bool,
) -> Result<UpdateCheck, Error> {
    let recorded = project::read_recorded_answers(project, answers_file)?;
    let reference = versions::recorded_template(project, &recorded.answers, &recorded.path)?;
    let current = recorded
        .answers
        .meta("_commit")
        .ok_or_else(|| UpdateError::NoVersion {
            path: recorded.path.clone(),
        })?
        .to_owned();
    let latest = match &reference {
        TemplateRef::Builtin(_) => Some(source::BUILTIN_VERSION.to_owned()),
        TemplateRef::Local(path) if source::is_git_repo(path) => {
            let absolute = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            versions::newest_tag(&absolute.display().to_string(), prereleases)?
        }
        TemplateRef::Git { url, .. } => versions::newest_tag(url, prereleases)?,
        TemplateRef::Local(_) => None,
    };
    let latest = latest.ok_or_else(|| UpdateError::NoTemplateVersion {
        template: reference.describe(),
    })?;
    let (Some(current_version), Some(latest_version)) =
        (versions::pep440(&current), versions::pep440(&latest))
    else {
        return Err(UpdateError::NoVersion {
            path: recorded.path,
        }
        .into());
    };
    Ok(UpdateCheck {
        update_available: latest_version > current_version,
        current_version: current_version.to_string(),
        latest_version: latest_version.to_string(),
    })
}
