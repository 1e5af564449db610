//! Every released version of the builtin template updates to the current one:
//! a project rendered by an earlier scaffold, then edited as a team would,
//! keeps its edits through `scaffold update` and still builds.

use std::process::Command;

use predicates::prelude::*;

use super::{commit_all, edit};
use crate::support::{Sandbox, repo};

/// The versions frozen in releases/, each a folder named by its version.
fn released_versions() -> Vec<String> {
    let mut versions: Vec<String> = std::fs::read_dir(repo().join("releases"))
        .unwrap()
        .flatten()
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    versions.sort();
    versions
}

const TEAM_FUNCTION: &str = "
/// The crate's version, for support requests.
pub fn team_version() -> &'static str {
    env!(\"CARGO_PKG_VERSION\")
}
";

#[test]
fn a_project_from_every_released_version_updates_keeps_its_edits_and_builds() {
    let versions = released_versions();
    assert!(
        versions.iter().any(|version| version == "0.1.0"),
        "releases/ holds 0.1.0: {versions:?}"
    );
    for version in versions {
        let sandbox = Sandbox::new();
        sandbox
            .scaffold(&[
                "new",
                "svc",
                "--defaults",
                "--websocket-module=enabled",
                "--vcs-ref",
                &version,
            ])
            .assert()
            .success();
        let project = sandbox.join("svc");
        let answers = sandbox.read("svc/.scaffold-answers.yml");
        assert!(
            answers.contains(&format!("_commit: {version}\n")),
            "{answers}"
        );

        edit(
            &project,
            "Cargo.toml",
            "version = \"0.1.0\"",
            "version = \"3.4.5\"",
        );
        let lib = project.join("src/lib.rs");
        let mut text = std::fs::read_to_string(&lib).unwrap();
        text.push_str(TEAM_FUNCTION);
        std::fs::write(&lib, text).unwrap();
        std::fs::write(project.join("NOTES.md"), "The team's own notes.\n").unwrap();
        commit_all(&project);

        sandbox
            .scaffold(&["update"])
            .current_dir(&project)
            .assert()
            .success()
            .stdout(
                predicate::str::contains("0 in conflict")
                    .or(predicate::str::contains("Already up to date")),
            );

        let answers = std::fs::read_to_string(project.join(".scaffold-answers.yml")).unwrap();
        assert!(
            answers.contains(&format!("_commit: {}\n", env!("CARGO_PKG_VERSION"))),
            "{version}: the answers record the new version:\n{answers}"
        );
        let cargo_toml = std::fs::read_to_string(project.join("Cargo.toml")).unwrap();
        assert!(
            cargo_toml.contains("version = \"3.4.5\""),
            "{version}: {cargo_toml}"
        );
        let lib_text = std::fs::read_to_string(&lib).unwrap();
        assert!(
            lib_text.contains("pub fn team_version()"),
            "{version}: {lib_text}"
        );
        assert_eq!(
            std::fs::read_to_string(project.join("NOTES.md")).unwrap(),
            "The team's own notes.\n"
        );

        let output = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--all-targets"])
            .current_dir(&project)
            .env(
                "CARGO_TARGET_DIR",
                std::env::var_os("SCAFFOLD_TARGET_DIR")
                    .map_or_else(|| repo().join("target/rendered"), Into::into),
            )
            .output()
            .expect("cargo runs");
        assert!(
            output.status.success(),
            "{version}: the updated project builds:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
