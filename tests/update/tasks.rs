//! `_tasks`, `_migrations` and `_message_*`, run as Copier runs them (the
//! real `copier` 9.19.1 is the reference) and only with `--trust`.

use std::path::Path;
use std::process::Command;

use predicates::prelude::*;

use super::git::ANSWERS_FILE_TEMPLATE;
use super::{TemplateRepo, commit_all, snapshot};
use crate::support::Sandbox;

fn copier(dir: &Path, args: &[&str]) {
    let output = Command::new("copier")
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("copier runs (pip install copier==9.19.1)");
    assert!(
        output.status.success(),
        "copier {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

const TASKS: &str = r#"
_message_before_copy: "Copying the template"
_message_after_copy: "Copied {{ name }}"
_message_before_update: "Updating {{ name }}"
_message_after_update: "Updated {{ name }}"
_tasks:
  - "echo \"$STAGE $COPIER_OPERATION {{ name }}\" >> tasks.log"
  - [touch, "{{ name }}.touched"]
  - command: "ls > listing.txt"
    working_directory: sub
  - command: "echo never > never.txt"
    when: "{{ name == 'other' }}"
_migrations:
  - version: v2
    command: "echo \"$STAGE $VERSION_FROM $VERSION_TO $VERSION_PEP440_FROM $VERSION_PEP440_TO $VERSION_CURRENT\" >> migrations.log"
    when: "{{ true }}"
  - "echo \"$STAGE plain\" >> migrations.log"
name:
  type: str
  default: demo
"#;

fn template(sandbox: &Sandbox) -> TemplateRepo {
    let repo = TemplateRepo::new(sandbox, "template");
    repo.write("copier.yml", TASKS)
        .write(ANSWERS_FILE_TEMPLATE.0, ANSWERS_FILE_TEMPLATE.1)
        .write("sub/inside.txt", "v1\n")
        .release("v1");
    repo.write("sub/inside.txt", "v2\n").release("v2");
    repo
}

#[test]
fn without_trust_a_template_with_tasks_is_refused_before_anything_is_written() {
    let sandbox = Sandbox::new();
    let repo = template(&sandbox);
    let src = repo.dir.display().to_string();
    sandbox
        .scaffold(&["copy", "--defaults", &src, "project"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass --trust"))
        .stderr(predicate::str::contains("echo \"$STAGE $COPIER_OPERATION"));
    assert!(!sandbox.join("project").exists());
    sandbox
        .scaffold(&["copy", "--defaults", "-T", &src, "project"])
        .assert()
        .success();
    assert!(
        !sandbox.join("project/tasks.log").exists(),
        "-T skips the tasks"
    );
}

#[test]
fn tasks_and_messages_run_as_copiers_on_copy() {
    let sandbox = Sandbox::new();
    let repo = template(&sandbox);
    let src = repo.dir.display().to_string();
    copier(
        sandbox.path(),
        &[
            "copy",
            "--defaults",
            "--trust",
            "-r",
            "v1",
            &src,
            "by-copier",
        ],
    );
    sandbox
        .scaffold(&[
            "copy",
            "--defaults",
            "--trust",
            "-r",
            "v1",
            &src,
            "by-scaffold",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("Copying the template"))
        .stderr(predicate::str::contains("Copied demo"));
    assert_eq!(
        snapshot(&sandbox.join("by-copier")),
        snapshot(&sandbox.join("by-scaffold"))
    );
    assert_eq!(sandbox.read("by-scaffold/tasks.log"), "task copy demo\n");
    assert!(sandbox.join("by-scaffold/demo.touched").exists());
    assert_eq!(
        sandbox.read("by-scaffold/sub/listing.txt"),
        "inside.txt\nlisting.txt\n"
    );
}

#[test]
fn migrations_run_before_and_after_an_update_as_copiers() {
    let sandbox = Sandbox::new();
    let repo = template(&sandbox);
    let src = repo.dir.display().to_string();
    for project in ["by-copier", "by-scaffold"] {
        copier(
            sandbox.path(),
            &["copy", "--defaults", "--trust", "-r", "v1", &src, project],
        );
        commit_all(&sandbox.join(project));
    }
    let before = snapshot(&sandbox.join("by-scaffold"));
    sandbox
        .scaffold(&["update", "--defaults"])
        .current_dir(sandbox.join("by-scaffold"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`_migrations`"));
    assert_eq!(snapshot(&sandbox.join("by-scaffold")), before);

    copier(
        &sandbox.join("by-copier"),
        &["update", "--defaults", "--trust"],
    );
    sandbox
        .scaffold(&["update", "--defaults", "--trust"])
        .current_dir(sandbox.join("by-scaffold"))
        .assert()
        .success()
        .stderr(predicate::str::contains("Updating \n"))
        .stderr(predicate::str::contains("Updated demo"));
    // Copier runs the tasks on the new render, then re-applies the project's
    // own diff over it, which puts tasks.log back as the project had it.
    let without_log = |project: &str| {
        let mut files = snapshot(&sandbox.join(project));
        files.remove("tasks.log");
        files
    };
    assert_eq!(without_log("by-copier"), without_log("by-scaffold"));
    assert_eq!(
        sandbox.read("by-scaffold/tasks.log"),
        "task copy demo\ntask update demo\n"
    );
    assert_eq!(
        sandbox.read("by-scaffold/migrations.log"),
        "before v1 v2 1 2 v2\nafter v1 v2 1 2 v2\nafter plain\n"
    );
}

#[test]
fn a_failing_task_stops_with_its_exit_code_and_the_rendered_files_stay() {
    let sandbox = Sandbox::new();
    let repo = TemplateRepo::new(&sandbox, "template");
    repo.write(
        "copier.yml",
        "_tasks:\n  - \"echo first > first.txt\"\n  - \"echo failing >&2; exit 7\"\n  - \"echo never > never.txt\"\n",
    )
    .write("kept.txt", "rendered\n")
    .release("v1");
    let src = repo.dir.display().to_string();
    sandbox
        .scaffold(&["copy", "--defaults", "--trust", &src, "project"])
        .assert()
        .code(7)
        .stderr(predicate::str::contains("failing"))
        .stderr(predicate::str::contains("task 2 of 3"))
        .stderr(predicate::str::contains("stay in"));
    assert_eq!(sandbox.read("project/kept.txt"), "rendered\n");
    assert_eq!(sandbox.read("project/first.txt"), "first\n");
    assert!(!sandbox.join("project/never.txt").exists());
}
