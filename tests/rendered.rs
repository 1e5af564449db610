//! The builtin template as its CI sees it: `scaffold smoke` renders every
//! combination of its `_smoke` matrix twice, compares the renders, and runs
//! `cargo fmt --check`, `cargo clippy --all-targets --all-features -- -D warnings` and
//! `cargo test --all-features` in each rendered service. The projects share one target folder
//! (`target/rendered`, or `SCAFFOLD_TARGET_DIR`) so dependencies build once.

use std::path::PathBuf;
use std::time::Duration;

use crate::support::{Sandbox, repo};

fn target_dir() -> PathBuf {
    std::env::var_os("SCAFFOLD_TARGET_DIR")
        .map_or_else(|| repo().join("target/rendered"), PathBuf::from)
}

#[test]
fn every_builtin_combination_renders_builds_lints_and_passes_its_tests() {
    let sandbox = Sandbox::new();
    let target = target_dir();
    let junit = sandbox.join("smoke-junit.xml");
    sandbox
        .scaffold(&[
            "smoke",
            "--target-dir",
            target.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
        ])
        .env_remove("RUSTFLAGS")
        .timeout(Duration::from_secs(60 * 60))
        .assert()
        .success();
    let report = std::fs::read_to_string(&junit).unwrap();
    assert!(report.contains("failures=\"0\""), "{report}");
}
