//! `scaffold update`, `diff` and `check` on real projects on disk, with
//! template versions kept in real git repositories.

mod builtin;
mod commands;
mod copier;
mod edits;
mod git;
mod releases;
mod safety;
mod tasks;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::Sandbox;

/// Runs git in `dir` with a fixed identity and no signing, failing the test on error.
pub fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Scaffold Tests",
            "-c",
            "user.email=tests@scaffold.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Makes `dir` a git repository with everything in it committed.
pub fn commit_all(dir: &Path) {
    if !dir.join(".git").exists() {
        git(dir, &["init", "--quiet"]);
    }
    git(dir, &["add", "--all"]);
    git(
        dir,
        &["commit", "--quiet", "--allow-empty", "-m", "snapshot"],
    );
}

/// A template in a git repository, one commit and tag per version.
pub struct TemplateRepo {
    pub dir: PathBuf,
}

impl TemplateRepo {
    pub fn new(sandbox: &Sandbox, name: &str) -> Self {
        let dir = sandbox.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        git(&dir, &["init", "--quiet"]);
        Self { dir }
    }

    pub fn write(&self, path: &str, contents: &str) -> &Self {
        let full = self.dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, contents).unwrap();
        self
    }

    pub fn remove(&self, path: &str) -> &Self {
        std::fs::remove_file(self.dir.join(path)).unwrap();
        self
    }

    /// Commits everything and tags it `tag`.
    pub fn release(&self, tag: &str) -> &Self {
        commit_all(&self.dir);
        git(&self.dir, &["tag", tag]);
        self
    }

    /// The repository as a git URL, so scaffold clones it like a remote one.
    pub fn url(&self) -> String {
        format!("git+file://{}", self.dir.display())
    }
}

/// Every file below `dir` (outside `.git`) with its contents, to compare states.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if entry.file_name() == ".git" {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Replaces the first `from` in the project's file `path` with `to`.
pub fn edit(project: &Path, path: &str, from: &str, to: &str) {
    let full = project.join(path);
    let text = std::fs::read_to_string(&full).unwrap();
    assert!(text.contains(from), "{path} has no `{from}`:\n{text}");
    std::fs::write(full, text.replacen(from, to, 1)).unwrap();
}
