//! Hostile templates and inputs (issue 10): each is refused with one line
//! naming the file or the limit, the exit status the README gives, nothing
//! written, within seconds.

mod fuzz;
#[cfg(unix)]
mod git;
mod messages;
#[cfg(unix)]
mod output;
#[cfg(unix)]
mod reads;
mod smoke;
mod writes;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Sandbox, fixture};

/// Copies the hostile fixture `name` into `dest` (a new folder).
pub fn copy_fixture(name: &str, dest: &Path) {
    copy_dir(&fixture("hostile").join(name), dest);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A folder outside every template, holding a secret a template must not read.
pub fn outside(sandbox: &Sandbox) -> PathBuf {
    let outside = sandbox.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.txt"), "the user's secret\n").unwrap();
    std::fs::write(outside.join("copier.yml"), "secret:\n  default: leaked\n").unwrap();
    outside
}

/// Runs git in `dir`, panicking with its output when it fails.
pub fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(["-c", "init.defaultBranch=main", "-c", "core.symlinks=true"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Makes `dir` a git repository holding everything in it, committed.
pub fn commit_all(dir: &Path) {
    git(dir, &["init", "--quiet"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "--quiet", "-m", "template"]);
}

/// Asserts the error is one line (besides clap's usage text, which is not used here).
pub fn one_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr).into_owned();
    assert_eq!(text.trim_end().lines().count(), 1, "one line: {text}");
    assert!(!text.contains("panicked"), "{text}");
    text
}
