//! A small builder for running the scaffold binary in a temporary folder.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

/// The repository's root (where Cargo.toml is).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture template under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// A temporary working folder and a way to run `scaffold` in it.
pub struct Sandbox {
    pub dir: TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temporary folder"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// `scaffold ARGS...` run in the sandbox, with no terminal attached.
    pub fn scaffold(&self, args: &[&str]) -> Command {
        let mut command = Command::cargo_bin("scaffold").expect("scaffold binary");
        command
            .current_dir(self.path())
            .args(args)
            .env("NO_COLOR", "1");
        command
    }

    /// `scaffold new project --defaults --template TEMPLATE`, which must
    /// succeed; the project's path.
    pub fn new_project(&self, template: &str) -> PathBuf {
        self.scaffold(&["new", "project", "--defaults", "--template", template])
            .assert()
            .success();
        self.join("project")
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.join(relative))
            .unwrap_or_else(|err| panic!("read {relative}: {err}"))
    }

    /// Every file below `relative`, as sorted relative paths.
    pub fn files(&self, relative: &str) -> Vec<String> {
        let root = self.join(relative);
        let mut found = Vec::new();
        collect(&root, &root, &mut found);
        found.sort();
        found
    }
}

/// The text of `relative` below `dir`; a file that cannot be read fails the
/// test, naming it.
pub fn read(dir: &Path, relative: &str) -> String {
    std::fs::read_to_string(dir.join(relative))
        .unwrap_or_else(|err| panic!("read {relative}: {err}"))
}

fn collect(root: &Path, dir: &Path, found: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, found);
        } else {
            found.push(
                path.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
}

/// The one cargo target folder rendered projects build into (`SCAFFOLD_TARGET_DIR`).
pub fn rendered_target_dir() -> PathBuf {
    std::env::var_os("SCAFFOLD_TARGET_DIR")
        .map_or_else(|| repo().join("target/rendered"), PathBuf::from)
}
