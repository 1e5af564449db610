//! Renders the builtin service and runs what its own CI runs: `cargo fmt
//! --check`, `cargo clippy --all-targets -- -D warnings` and `cargo test`.
//! Rendered projects share one target folder (`target/rendered`, or
//! `SCAFFOLD_TARGET_DIR`) so dependencies are built once.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Sandbox, repo};

fn target_dir() -> PathBuf {
    std::env::var_os("SCAFFOLD_TARGET_DIR")
        .map_or_else(|| repo().join("target/rendered"), PathBuf::from)
}

fn run(project: &Path, args: &[&str]) {
    let output = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(project)
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "`cargo {}` failed in {}:\n{}\n{}",
        args.join(" "),
        project.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `name` must differ between tests: projects share the target folder, and
/// with it the path of their binaries.
fn render_build_and_test(name: &str, flags: &[&str]) {
    let sandbox = Sandbox::new();
    let mut args = vec!["new", name, "--defaults"];
    args.extend_from_slice(flags);
    sandbox.scaffold(&args).assert().success();
    let project = sandbox.join(name);
    run(&project, &["fmt", "--check"]);
    run(
        &project,
        &["clippy", "--all-targets", "--quiet", "--", "-D", "warnings"],
    );
    run(&project, &["test", "--quiet"]);
}

#[test]
fn the_default_service_builds_lints_and_passes_its_tests() {
    render_build_and_test("plain-service", &[]);
}

#[test]
fn the_service_with_the_websocket_module_builds_lints_and_passes_its_tests() {
    render_build_and_test("websocket-service", &["--websocket-module=enabled"]);
}
