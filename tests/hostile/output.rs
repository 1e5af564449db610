//! A closed or full standard output ends scaffold quietly, never with a panic.

use std::process::{Command, Stdio};

use super::copy_fixture;
use crate::support::Sandbox;

fn scaffold(sandbox: &Sandbox, args: &[&str]) -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("scaffold"));
    command
        .current_dir(sandbox.path())
        .args(args)
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped());
    command
}

/// Runs with stdout a pipe whose reader has gone (as `| head -0` leaves it).
fn with_closed_stdout(sandbox: &Sandbox, args: &[&str]) -> (Option<i32>, String) {
    let mut child = scaffold(sandbox, args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A project whose `check` and `diff` print something (one file edited
/// here, one changed by the template).
fn drifted_project(sandbox: &Sandbox) {
    copy_fixture("plain", &sandbox.join("tpl"));
    let status = scaffold(sandbox, &["new", "demo", "--defaults", "--template", "tpl"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::write(sandbox.join("demo/hello.txt"), "edited\n").unwrap();
    std::fs::write(
        sandbox.join("tpl/top.txt"),
        "top, changed by the template\n",
    )
    .unwrap();
}

#[test]
fn a_closed_stdout_ends_every_printing_command_without_a_panic() {
    let sandbox = Sandbox::new();
    drifted_project(&sandbox);
    for (args, expected) in [
        (&["new", "out", "--defaults", "--dry-run"][..], 0),
        (&["check", "demo"][..], 1),
        (&["diff", "demo", "-d", "name=other"][..], 0),
        (&["completions", "bash"][..], 0),
    ] {
        let (code, stderr) = with_closed_stdout(&sandbox, args);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(code, Some(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn a_full_stdout_is_one_error_line_and_exit_1() {
    let sandbox = Sandbox::new();
    drifted_project(&sandbox);
    for args in [
        &["new", "out", "--defaults", "--dry-run"][..],
        &["check", "demo"][..],
        &["diff", "demo", "-d", "name=other"][..],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let output = scaffold(&sandbox, args)
            .stdout(Stdio::from(full))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write to standard output"),
            "{args:?}: {stderr}"
        );
    }
    assert!(!sandbox.join("out").exists());
}
