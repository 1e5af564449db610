//! `scaffold smoke` on small fixture templates (tests/fixtures/smoke/): one
//! that passes, and three broken ones (a Jinja syntax error, an undefined
//! variable, a rendered Rust file that does not compile), each of which must
//! be reported with its file and line, a failing exit code and a `JUnit` report.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/smoke")
        .join(name)
}

/// A temporary folder holding the cargo target folder and the `JUnit` report.
struct Smoke {
    dir: TempDir,
}

impl Smoke {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temporary folder"),
        }
    }

    fn junit_path(&self) -> PathBuf {
        self.dir.path().join("junit.xml")
    }

    /// `scaffold smoke --template FIXTURE --trust --target-dir .. --junit .. ARGS...`
    /// (the fixtures' checks are this repository's own, so they are trusted).
    fn run(&self, template: &str, args: &[&str]) -> assert_cmd::assert::Assert {
        let mut command = Command::cargo_bin("scaffold").expect("scaffold binary");
        command
            .current_dir(self.dir.path())
            .arg("smoke")
            .arg("--template")
            .arg(fixture(template))
            .arg("--trust")
            .arg("--target-dir")
            .arg(self.dir.path().join("target"))
            .arg("--junit")
            .arg(self.junit_path())
            .args(args)
            .env("NO_COLOR", "1");
        command.assert()
    }

    fn junit(&self) -> String {
        std::fs::read_to_string(self.junit_path()).expect("the JUnit report is written")
    }
}

fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

#[test]
fn a_passing_template_runs_every_combination_and_exits_zero() {
    let smoke = Smoke::new();
    let assert = smoke
        .run("quick", &["--jobs", "2"])
        .success()
        .stderr(predicate::str::contains(
            "[2/3] greeting=hi: test -f greeting.txt ok in",
        ));
    let out = stdout(&assert);
    for row in ["1  greeting=hello", "2  greeting=hi", "3  shout=true"] {
        assert!(out.contains(row), "no row `{row}` in:\n{out}");
    }
    assert!(out.contains("test -f greeting.txt"), "{out}");
    assert!(
        out.contains("3 combinations, 6 checks run, all passed"),
        "{out}"
    );

    let junit = smoke.junit();
    assert!(junit.starts_with("<?xml"), "{junit}");
    assert!(junit.contains(r#"tests="9" failures="0""#), "{junit}");
    assert_eq!(junit.matches("<testcase ").count(), 9, "{junit}");
}

#[test]
fn render_only_renders_and_compares_but_runs_no_checks() {
    let smoke = Smoke::new();
    let assert = smoke.run("quick", &["--render-only"]).success();
    let out = stdout(&assert);
    assert!(!out.contains("test -f"), "{out}");
    assert!(
        out.contains("3 combinations, 0 checks run, all passed"),
        "{out}"
    );
}

#[test]
fn keep_leaves_the_rendered_projects_and_says_where() {
    let smoke = Smoke::new();
    let assert = smoke.run("quick", &["--render-only", "--keep"]).success();
    let out = stdout(&assert);
    let kept = out
        .lines()
        .find_map(|line| line.strip_prefix("Rendered projects kept in "))
        .and_then(|rest| rest.strip_suffix(':'))
        .unwrap_or_else(|| panic!("no kept folder in:\n{out}"));
    let kept = PathBuf::from(kept);
    let greeting = std::fs::read_to_string(kept.join("smoke-03/greeting.txt"));
    std::fs::remove_dir_all(&kept).expect("remove the kept projects");
    assert_eq!(greeting.expect("kept project"), "HELLO, smoke-03\n");
}

#[test]
fn a_jinja_syntax_error_is_reported_with_file_and_line() {
    let smoke = Smoke::new();
    let assert = smoke.run("jinja-syntax-error", &[]).code(1);
    let out = stdout(&assert);
    assert!(out.contains("1  defaults     FAILED"), "{out}");
    assert!(
        out.contains("error: README.md.jinja:3: syntax error"),
        "{out}"
    );
    assert!(
        smoke
            .junit()
            .contains(r#"<failure message="render failed">README.md.jinja:3: syntax error"#),
        "{}",
        smoke.junit()
    );
}

#[test]
fn an_undefined_variable_is_reported_with_file_and_line() {
    let smoke = Smoke::new();
    let assert = smoke.run("undefined-variable", &[]).code(1);
    let out = stdout(&assert);
    assert!(
        out.contains(
            "error: config/settings.toml.jinja:4: undefined value: `database_url` is undefined"
        ),
        "{out}"
    );
    assert!(
        smoke.junit().contains("config/settings.toml.jinja:4:"),
        "{}",
        smoke.junit()
    );
}

#[test]
fn a_rust_file_that_does_not_compile_fails_its_cargo_check_with_file_and_line() {
    let smoke = Smoke::new();
    let assert = smoke.run("rust-does-not-compile", &[]).code(1);
    let out = stdout(&assert);
    assert!(
        out.contains("`cargo check --quiet` failed (exit status 101)"),
        "{out}"
    );
    assert!(out.contains("error[E0308]: mismatched types"), "{out}");
    assert!(out.contains("--> src/lib.rs:3:5"), "{out}");
    let junit = smoke.junit();
    assert!(
        junit.contains(r#"<failure message="exit status 101">error[E0308]"#),
        "{junit}"
    );
    assert!(junit.contains("--&gt; src/lib.rs:3:5"), "{junit}");
}

#[test]
fn the_builtin_template_covers_every_websocket_option() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let assert = Command::cargo_bin("scaffold")
        .expect("scaffold binary")
        .current_dir(dir.path())
        .args(["smoke", "--render-only"])
        .env("NO_COLOR", "1")
        .assert()
        .success();
    let out = stdout(&assert);
    for label in [
        "websocket_module=disabled",
        "websocket_module=enabled websocket_auth=none",
        "websocket_module=enabled websocket_auth=token",
        "websocket_module=enabled websocket_auth=jwt",
        "websocket_module=enabled websocket_path=/live websocket_metrics=false",
        "websocket_module=enabled websocket_broker=redis",
    ] {
        assert!(out.contains(label), "no combination `{label}` in:\n{out}");
    }
}
