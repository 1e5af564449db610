//! What can go wrong in finding and reading a template.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("no builtin template named `{name}`; builtin templates: {available}")]
    UnknownBuiltin { name: String, available: String },
    #[error(
        "builtin template `{name}` version {version} is not embedded in this scaffold ({current}); it carries: {available}"
    )]
    UnknownBuiltinVersion {
        name: String,
        version: String,
        current: &'static str,
        available: String,
    },
    #[error("template folder `{}` does not exist", path.display())]
    MissingFolder { path: PathBuf },
    #[error("template `{}` is a file; --template takes a folder holding copier.yml, a git URL or builtin:NAME", path.display())]
    IsAFile { path: PathBuf },
    #[error("--vcs-ref was given, but template `{}` is not a git repository; drop --vcs-ref or point --template at a repository", path.display())]
    VcsRefNotGit { path: PathBuf },
    #[error(
        "template `{url}` has no tag, branch or commit `{reference}`; pick one it has (`git tag` lists its versions)"
    )]
    UnknownRef { url: String, reference: String },
    #[error(
        "template file `{path}` is not a regular file or folder (a FIFO, socket or device); scaffold reads only files and folders"
    )]
    NotRegular { path: String },
    #[error("template folder `{path}` is a symlink back into a folder that holds it (a loop)")]
    SymlinkLoop { path: String },
    #[error(
        "template holds more than {limit} files and folders (stopped at `{path}`); scaffold reads no more from one template"
    )]
    TooMany { path: String, limit: usize },
    #[error(
        "template is larger than {limit} (stopped at `{path}`); scaffold reads no more from one template"
    )]
    TooLarge { path: String, limit: String },
    #[error(
        "git {what} `{value}` is refused: it is empty or starts with `-`, so git would read it as an option"
    )]
    BadGitArgument { what: &'static str, value: String },
    #[error(
        "git {action} of `{url}` took longer than {seconds} s and was stopped; set SCAFFOLD_GIT_TIMEOUT (seconds) to allow more"
    )]
    GitTimeout {
        action: &'static str,
        url: String,
        seconds: f64,
    },
    #[error("{name}={value:?} is not {expected}")]
    BadSetting {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("`{}` is not a template: it has no copier.yml or copier.yaml", path.display())]
    NoSpec { path: PathBuf },
    #[error("cannot read `{}`: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("template file `{path}` is a symlink leading out of the template (to `{target}`)")]
    SymlinkOutside { path: String, target: String },
    #[error("module path `{path}` leaves the template's repository")]
    ModuleOutside { path: String },
    #[error("git {action} failed for `{url}`: {message}")]
    Git {
        action: &'static str,
        url: String,
        message: String,
    },
}

impl SourceError {
    /// Whether the user's input was at fault (a `--template` or `--vcs-ref`
    /// that names nothing usable), as opposed to the template's contents,
    /// the disk or the network.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Self::UnknownBuiltin { .. }
                | Self::MissingFolder { .. }
                | Self::IsAFile { .. }
                | Self::NoSpec { .. }
                | Self::VcsRefNotGit { .. }
                | Self::UnknownRef { .. }
                | Self::BadGitArgument { .. }
                | Self::BadSetting { .. }
        )
    }
}
