//! Changing an answer of the builtin template on a project the team edited.

use std::process::Command;

use predicates::prelude::*;

use super::{edit, snapshot};
use crate::support::{Sandbox, repo};

const VERSION_FN: &str = "
/// The crate's version, for support requests.
pub fn version() -> &'static str {
    env!(\"CARGO_PKG_VERSION\")
}

#[cfg(test)]
mod team_tests {
    #[test]
    fn version_is_the_teams() {
        assert_eq!(super::version(), \"0.2.0\");
    }
}
";

#[test]
fn enabling_the_websocket_module_on_an_edited_project_keeps_the_edits_and_builds() {
    let sandbox = Sandbox::new();
    sandbox
        .scaffold(&["new", "svc", "--defaults"])
        .assert()
        .success();
    let project = sandbox.join("svc");
    edit(
        &project,
        "Cargo.toml",
        "version = \"0.1.0\"",
        "version = \"0.2.0\"",
    );
    let lib = project.join("src/lib.rs");
    let mut text = std::fs::read_to_string(&lib).unwrap();
    text.push_str(VERSION_FN);
    std::fs::write(&lib, text).unwrap();

    sandbox
        .scaffold(&["update", "--websocket-module=enabled"])
        .current_dir(&project)
        .assert()
        .success()
        .stdout(predicate::str::contains("merged    Cargo.toml"))
        .stdout(predicate::str::contains("merged    src/lib.rs"))
        .stdout(predicate::str::contains("added     src/websocket/mod.rs"))
        .stdout(predicate::str::contains("0 in conflict"));

    let cargo_toml = std::fs::read_to_string(project.join("Cargo.toml")).unwrap();
    assert!(cargo_toml.contains("version = \"0.2.0\""), "{cargo_toml}");
    assert!(cargo_toml.contains("features = [\"ws\"]"), "{cargo_toml}");
    let lib_text = std::fs::read_to_string(&lib).unwrap();
    assert!(lib_text.contains("pub mod websocket;"), "{lib_text}");
    assert!(lib_text.contains("pub fn version()"), "{lib_text}");
    let answers = std::fs::read_to_string(project.join(".scaffold-answers.yml")).unwrap();
    assert!(answers.contains("websocket_module: enabled\n"), "{answers}");

    let output = Command::new(env!("CARGO"))
        .args(["test", "--quiet"])
        .current_dir(&project)
        .env("CARGO_TARGET_DIR", repo().join("target/rendered"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the updated project builds and passes its tests:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    let before = snapshot(&project);
    sandbox
        .scaffold(&["update"])
        .current_dir(&project)
        .assert()
        .success()
        .stdout(predicate::str::contains("Already up to date"));
    assert_eq!(snapshot(&project), before, "a second update is a no-op");
}
