//! Where a template comes from: the builtin templates embedded in the binary,
//! a local folder, or a git repository at a ref.
//!
//! A [`Source`] is a read-only file system rooted at the template's repository
//! (so modules beside the template can be reached) plus the template's folder in
//! it, and knows how to describe itself for the answers file (`_src_path`,
//! `_commit`).

mod commit;
mod embedded;
mod error;
mod git;
mod walk;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

pub use embedded::{builtin_names, builtin_releases};
use embedded::{embedded, embedded_dir, walk_embedded};

pub use error::SourceError;
pub use git::{
    Checkout, DEFAULT_TIMEOUT as DEFAULT_GIT_TIMEOUT, TIMEOUT_VAR as GIT_TIMEOUT_VAR, fetch, mirror,
};
pub use walk::{MAX_BYTES, MAX_FILES};

/// The name of the builtin template `scaffold new` uses by default.
pub const DEFAULT_BUILTIN: &str = "service";

/// The version recorded for builtin templates: the version of scaffold itself.
pub const BUILTIN_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the user asked for with `--template` (or the default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateRef {
    Builtin(String),
    Local(PathBuf),
    /// `url` is what git is given; `given` is how the user wrote it
    /// (`gh:org/repo`, `git+file:///...`), which Copier records as `_src_path`.
    Git {
        url: String,
        given: String,
    },
}

impl TemplateRef {
    /// Reads a `--template` value: `builtin:NAME`, a git URL (`https://`, `ssh://`,
    /// `git@`, `git+...`, `gh:owner/repo`, `gl:owner/repo`, or ending in `.git`)
    /// or a local folder.
    pub fn parse(spec: &str) -> Self {
        if let Some(name) = spec.strip_prefix("builtin:") {
            return Self::Builtin(name.to_owned());
        }
        if spec == "builtin" {
            return Self::Builtin(DEFAULT_BUILTIN.to_owned());
        }
        let git = |url: String| Self::Git {
            url,
            given: spec.to_owned(),
        };
        if let Some(url) = spec.strip_prefix("git+") {
            return git(url.to_owned());
        }
        if let Some(repo) = spec.strip_prefix("gh:") {
            return git(format!(
                "https://github.com/{}.git",
                repo.trim_end_matches(".git")
            ));
        }
        if let Some(repo) = spec.strip_prefix("gl:") {
            return git(format!(
                "https://gitlab.com/{}.git",
                repo.trim_end_matches(".git")
            ));
        }
        let looks_remote = ["https://", "http://", "ssh://", "git://", "file://", "git@"]
            .iter()
            .any(|prefix| spec.starts_with(prefix));
        if looks_remote
            || (Path::new(spec).extension().is_some_and(|ext| ext == "git")
                && !Path::new(spec).is_dir())
        {
            return git(spec.to_owned());
        }
        Self::Local(PathBuf::from(spec))
    }

    /// The `_src_path` recorded in the answers file.
    pub fn describe(&self) -> String {
        match self {
            Self::Builtin(name) => format!("builtin:{name}"),
            Self::Local(path) => path.display().to_string(),
            Self::Git { given, .. } => given.clone(),
        }
    }
}

/// One entry of a template folder walk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the folder that was walked, `/`-separated.
    pub path: String,
    pub contents: Vec<u8>,
    pub executable: bool,
    /// Permission bits (0o644 for builtin templates, which do not keep them).
    pub mode: u32,
    /// A folder (listed before its files, with no contents), so empty folders are kept.
    pub is_dir: bool,
}

#[derive(Debug, Clone)]
enum Root {
    /// The builtin templates: the current ones (`None`) or a released version.
    Embedded(Option<String>),
    Folder(PathBuf),
    /// One commit of a git repository, read from its object store.
    Commit(Arc<commit::CommitFiles>),
}

/// A template ready to be read.
#[derive(Debug)]
pub struct Source {
    root: Root,
    /// The template's folder inside `root`, `/`-separated, "" for the root itself.
    template_dir: String,
    reference: TemplateRef,
    version: Option<String>,
    /// A commit's files written to a temporary folder, when something needs
    /// them on disk ([`Source::checkout`]); removed when the source is dropped.
    checkout: OnceLock<git::Checkout>,
    /// The commit read from a git repository (Copier's `vcs_ref_hash`).
    commit_hash: Option<String>,
}

impl Source {
    /// Opens a template; `vcs_ref` picks a tag, branch or commit of a git template.
    pub fn open(reference: &TemplateRef, vcs_ref: Option<&str>) -> Result<Self, SourceError> {
        match reference {
            TemplateRef::Builtin(name) => match vcs_ref {
                Some(version) => Self::builtin_at(name, version),
                None => Self::builtin(name),
            },
            TemplateRef::Local(path) => match vcs_ref {
                Some(vcs_ref) if is_git_repo(path) => {
                    Self::git(&path.display().to_string(), Some(vcs_ref))
                        .map(|source| source.with_reference(reference.clone()))
                }
                Some(_) if path.is_dir() => Err(SourceError::VcsRefNotGit { path: path.clone() }),
                _ => Self::folder(path, reference.clone()),
            },
            TemplateRef::Git { url, .. } => {
                Self::git(url, vcs_ref).map(|source| source.with_reference(reference.clone()))
            }
        }
    }

    fn with_reference(mut self, reference: TemplateRef) -> Self {
        self.reference = reference;
        self
    }

    /// Opens the builtin template `name` as scaffold `version` shipped it: the
    /// current templates for this scaffold's version, else a frozen release.
    pub fn builtin_at(name: &str, version: &str) -> Result<Self, SourceError> {
        if version == BUILTIN_VERSION {
            return Self::builtin(name);
        }
        let template_dir = format!("templates/{name}");
        if name.contains('/')
            || version.contains('/')
            || embedded_dir(Some(version), &template_dir).is_none()
        {
            return Err(SourceError::UnknownBuiltinVersion {
                name: name.to_owned(),
                version: version.to_owned(),
                current: BUILTIN_VERSION,
                available: std::iter::once(format!("{BUILTIN_VERSION} (current)"))
                    .chain(builtin_releases())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        Ok(Self {
            root: Root::Embedded(Some(version.to_owned())),
            template_dir,
            reference: TemplateRef::Builtin(name.to_owned()),
            version: Some(version.to_owned()),
            checkout: OnceLock::new(),
            commit_hash: None,
        })
    }

    pub fn builtin(name: &str) -> Result<Self, SourceError> {
        let template_dir = format!("templates/{name}");
        if name.contains('/') || embedded_dir(None, &template_dir).is_none() {
            return Err(SourceError::UnknownBuiltin {
                name: name.to_owned(),
                available: builtin_names().join(", "),
            });
        }
        Ok(Self {
            root: Root::Embedded(None),
            template_dir,
            reference: TemplateRef::Builtin(name.to_owned()),
            version: Some(BUILTIN_VERSION.to_owned()),
            checkout: OnceLock::new(),
            commit_hash: None,
        })
    }

    fn folder(path: &Path, reference: TemplateRef) -> Result<Self, SourceError> {
        if path.is_file() {
            return Err(SourceError::IsAFile {
                path: path.to_owned(),
            });
        }
        if !path.is_dir() {
            return Err(SourceError::MissingFolder {
                path: path.to_owned(),
            });
        }
        let root = path.canonicalize().map_err(|source| SourceError::Io {
            path: path.to_owned(),
            source,
        })?;
        // Present is enough here: reading it checks where it leads and what it is.
        let present = |name: &str| std::fs::symlink_metadata(root.join(name)).is_ok();
        if !present("copier.yml") && !present("copier.yaml") {
            return Err(SourceError::NoSpec {
                path: path.to_owned(),
            });
        }
        // Copier records a version only for a template at the root of a git repository.
        let version = if root.join(".git").exists() {
            git::describe_work_tree(&root)
        } else {
            None
        };
        Ok(Self {
            root: Root::Folder(root),
            template_dir: String::new(),
            reference,
            version,
            checkout: OnceLock::new(),
            commit_hash: None,
        })
    }

    fn git(url: &str, vcs_ref: Option<&str>) -> Result<Self, SourceError> {
        git::check_argument("URL", url)?;
        if let Some(reference) = vcs_ref {
            git::check_argument("ref", reference)?;
        }
        // Read in process from the repository's objects: a local repository
        // as it is, a remote one through its mirror in the cache.
        let (repository, _mirror) = if let Some(local) = crate::git::local_repository(url) {
            (local, None)
        } else {
            let mirror = crate::git::cache::mirror(url)?;
            (mirror.path().to_owned(), Some(mirror))
        };
        let rev = match vcs_ref {
            Some(rev) => rev.to_owned(),
            None => crate::update::versions::newest_version(
                crate::git::tags(&repository)?.iter().map(String::as_str),
                false,
            )
            .unwrap_or("HEAD")
            .to_owned(),
        };
        let commit = crate::git::read_commit(&repository, &rev)?;
        let version = Some(commit.version.clone());
        let commit_hash = Some(commit.hash.clone());
        let files = commit::CommitFiles::new(&repository, commit);
        if !files.contains("copier.yml") && !files.contains("copier.yaml") {
            return Err(SourceError::NoSpec {
                path: PathBuf::from(url),
            });
        }
        Ok(Self {
            root: Root::Commit(Arc::new(files)),
            template_dir: String::new(),
            reference: TemplateRef::Git {
                url: url.to_owned(),
                given: url.to_owned(),
            },
            version,
            checkout: OnceLock::new(),
            commit_hash,
        })
    }

    pub fn reference(&self) -> &TemplateRef {
        &self.reference
    }

    /// The commit a local repository's template was read from, when it was
    /// read in process (no checkout to ask).
    pub fn commit_hash(&self) -> Option<&str> {
        self.commit_hash.as_deref()
    }

    /// The `_commit` recorded in the answers file: a git tag or commit, or
    /// scaffold's version for builtin templates.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The template's folder inside the source, `/`-separated.
    pub fn template_dir(&self) -> &str {
        &self.template_dir
    }

    /// The template's folder on disk: `None` for builtin templates and for a
    /// git commit not written out ([`Source::checkout`]).
    pub fn local_path(&self) -> Option<PathBuf> {
        match &self.root {
            Root::Folder(root) if self.template_dir.is_empty() => Some(root.clone()),
            Root::Folder(root) => Some(root.join(&self.template_dir)),
            Root::Commit(_) => self.checkout.get().map(|dir| dir.path().to_owned()),
            Root::Embedded(_) => None,
        }
    }

    /// The template's folder on disk, a git commit written to a temporary
    /// folder on first call (removed with the source): for tasks and
    /// migrations, which may run files from it. `None` for builtin templates.
    pub fn checkout(&self) -> Result<Option<PathBuf>, SourceError> {
        let Root::Commit(files) = &self.root else {
            return Ok(self.local_path());
        };
        if let Some(dir) = self.checkout.get() {
            return Ok(Some(dir.path().to_owned()));
        }
        let dir = git::Checkout::new()?;
        files.write_to(dir.path())?;
        Ok(Some(self.checkout.get_or_init(|| dir).path().to_owned()))
    }

    /// Resolves `relative` (which may use `..`) against the template folder,
    /// refusing anything outside the source's root.
    pub fn resolve(&self, relative: &str) -> Result<String, SourceError> {
        let mut parts: Vec<&str> = self
            .template_dir
            .split('/')
            .filter(|part| !part.is_empty())
            .collect();
        for part in relative.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        return Err(SourceError::ModuleOutside {
                            path: relative.to_owned(),
                        });
                    }
                }
                other => parts.push(other),
            }
        }
        Ok(parts.join("/"))
    }

    /// Reads one file, if it exists. `path` is relative to the source's root.
    pub fn read(&self, path: &str) -> Result<Option<Vec<u8>>, SourceError> {
        self.reader().read(path)
    }

    /// A handle that reads this source's files (for Jinja's template loader);
    /// it reads nothing once the source is dropped.
    pub fn reader(&self) -> SourceReader {
        SourceReader {
            root: self.root.clone(),
            template_dir: self.template_dir.clone(),
        }
    }

    /// Whether `path` (relative to the source's root) is a folder.
    pub fn is_dir(&self, path: &str) -> bool {
        match &self.root {
            Root::Embedded(release) => {
                path.is_empty() || embedded_dir(release.as_deref(), path).is_some()
            }
            Root::Folder(root) => root.join(path).is_dir(),
            Root::Commit(files) => files.is_dir(path),
        }
    }

    /// Where the symlink at `path` (relative to the source's root) points, as
    /// written; `None` when it is not a symlink (builtin templates have none).
    pub fn symlink_target(&self, path: &str) -> Option<String> {
        let root = match &self.root {
            Root::Folder(root) => root,
            Root::Commit(files) => return files.symlink_target(path),
            Root::Embedded(_) => return None,
        };
        let full = root.join(path);
        let metadata = std::fs::symlink_metadata(&full).ok()?;
        if !metadata.file_type().is_symlink() {
            return None;
        }
        std::fs::read_link(&full)
            .ok()
            .map(|target| target.to_string_lossy().replace('\\', "/"))
    }

    /// Every file below `dir` (relative to the source's root), sorted by path,
    /// with paths relative to `dir`. Symlinks are followed when they stay inside
    /// the source and refused when they lead out of it.
    pub fn walk(&self, dir: &str) -> Result<Vec<SourceFile>, SourceError> {
        let mut files = Vec::new();
        match &self.root {
            Root::Embedded(release) => {
                if let Some(start) = embedded_dir(release.as_deref(), dir) {
                    let inside =
                        embedded(release.as_deref(), dir).map_or(String::new(), |(_, rest)| rest);
                    walk_embedded(start, &inside, &mut files);
                }
            }
            Root::Folder(root) => files = walk::walk(root, dir)?,
            Root::Commit(commit) => files = commit.walk(dir)?,
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }
}

/// Reads a source's files; cheap to clone, `'static`, shareable across threads.
#[derive(Debug, Clone)]
pub struct SourceReader {
    root: Root,
    template_dir: String,
}

impl SourceReader {
    /// The template's folder inside the source, `/`-separated.
    pub fn template_dir(&self) -> &str {
        &self.template_dir
    }

    /// Reads one file, if it exists. `path` is relative to the source's root.
    pub fn read(&self, path: &str) -> Result<Option<Vec<u8>>, SourceError> {
        match &self.root {
            Root::Embedded(release) => Ok(embedded(release.as_deref(), path)
                .and_then(|(dir, rest)| dir.get_file(rest))
                .map(|file| file.contents().to_vec())),
            Root::Folder(root) => match walk::resolve_inside(root, path)? {
                Some(real) => walk::read_regular(path, &real, MAX_BYTES).map(Some),
                None => Ok(None),
            },
            Root::Commit(files) => files.read(path),
        }
    }
}

/// Whether `path` is the top of a git work tree (so its history holds versions).
pub fn is_git_repo(path: &Path) -> bool {
    path.join(".git").exists()
}

/// The permission bits of a file (0o644 off Unix).
#[cfg(unix)]
pub(crate) fn permissions(metadata: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    metadata.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
pub(crate) fn permissions(_metadata: &std::fs::Metadata) -> u32 {
    0o644
}

/// Whether any execute bit is set (never, off Unix).
#[cfg(unix)]
pub(crate) fn is_executable(metadata: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    metadata.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
pub(crate) fn is_executable(_metadata: &std::fs::Metadata) -> bool {
    false
}

#[cfg(test)]
mod tests;
