//! What update, diff and check refuse, and what they never write.

use predicates::prelude::*;

use super::{commit_all, edit, snapshot};
use crate::support::Sandbox;

fn builtin_project(sandbox: &Sandbox) -> std::path::PathBuf {
    sandbox
        .scaffold(&["new", "svc", "--defaults"])
        .assert()
        .success();
    sandbox.join("svc")
}

#[test]
fn update_refuses_a_git_work_tree_with_uncommitted_changes_unless_allowed() {
    let sandbox = Sandbox::new();
    let project = builtin_project(&sandbox);
    commit_all(&project);
    edit(
        &project,
        "src/lib.rs",
        "async fn health()",
        "// ours\nasync fn health()",
    );
    let before = snapshot(&project);

    sandbox
        .scaffold(&["update", "svc", "--websocket-module=enabled"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("uncommitted changes"))
        .stderr(predicate::str::contains("src/lib.rs"));
    assert_eq!(snapshot(&project), before);

    sandbox
        .scaffold(&[
            "update",
            "svc",
            "--websocket-module=enabled",
            "--allow-dirty",
        ])
        .assert()
        .success();
    assert!(project.join("src/websocket/mod.rs").is_file());
    assert!(
        std::fs::read_to_string(project.join("src/lib.rs"))
            .unwrap()
            .contains("// ours")
    );
}

#[test]
fn an_untracked_file_makes_the_work_tree_dirty_too() {
    let sandbox = Sandbox::new();
    let project = builtin_project(&sandbox);
    commit_all(&project);
    std::fs::write(project.join("scratch.txt"), "wip\n").unwrap();
    sandbox
        .scaffold(&["update", "svc", "--websocket-module=enabled"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("scratch.txt"));
}

#[test]
fn dry_run_lists_the_plan_and_writes_nothing() {
    let sandbox = Sandbox::new();
    let project = builtin_project(&sandbox);
    edit(
        &project,
        "src/lib.rs",
        "async fn health()",
        "// ours\nasync fn health()",
    );
    let before = snapshot(&project);

    sandbox
        .scaffold(&["update", "svc", "--websocket-module=enabled", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("added     src/websocket/mod.rs"))
        .stdout(predicate::str::contains("merged    src/lib.rs"))
        .stdout(predicate::str::contains("dry run: nothing was written"));
    assert_eq!(snapshot(&project), before);
}

#[test]
fn check_is_clean_on_a_fresh_render_and_lists_an_edited_file() {
    let sandbox = Sandbox::new();
    let project = builtin_project(&sandbox);
    sandbox
        .scaffold(&["check", "svc"])
        .assert()
        .success()
        .stdout(predicate::str::contains("in sync with builtin:service"));

    edit(&project, "README.md", "# svc", "# svc, our service");
    std::fs::remove_file(project.join("tests/health.rs")).unwrap();
    let before = snapshot(&project);
    sandbox
        .scaffold(&["check", "svc"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("edited    README.md"))
        .stdout(predicate::str::contains("missing   tests/health.rs"))
        .stdout(predicate::str::contains("2 paths drifted"));
    assert_eq!(snapshot(&project), before, "check never writes");
}

#[test]
fn a_project_without_an_answers_file_is_refused_with_a_reason() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.join("plain")).unwrap();
    sandbox
        .scaffold(&["update", "plain"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "has no answers file (.scaffold-answers.yml, .copier-answers.yml, *answers*.yml)",
        ));
}

#[test]
fn a_builtin_version_this_scaffold_does_not_carry_is_named_in_the_error() {
    let sandbox = Sandbox::new();
    let project = builtin_project(&sandbox);
    edit(
        &project,
        ".scaffold-answers.yml",
        &format!("_commit: {}", env!("CARGO_PKG_VERSION")),
        "_commit: 0.0.1",
    );
    let before = snapshot(&project);
    sandbox
        .scaffold(&["update", "svc"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "version 0.0.1 is not embedded in this scaffold",
        ));
    assert_eq!(snapshot(&project), before);
}
