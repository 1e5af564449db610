//! Bad `--template`, `--vcs-ref` and project folders: one line saying what is
//! wrong, exit 2 (bad input).

use super::{copy_fixture, one_line};
use crate::support::Sandbox;

fn bad_input(sandbox: &Sandbox, args: &[&str], expect: &str) {
    let assert = sandbox.scaffold(args).assert().code(2);
    let stderr = one_line(&assert.get_output().stderr);
    assert!(stderr.contains(expect), "{stderr}");
    assert!(!sandbox.join("demo").exists(), "nothing is written");
}

#[test]
fn a_file_given_as_template_is_called_a_file() {
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.join("copier.yml"), "name: demo\n").unwrap();
    bad_input(
        &sandbox,
        &["new", "demo", "--defaults", "--template", "copier.yml"],
        "template `copier.yml` is a file",
    );
}

#[test]
fn a_missing_template_folder_is_bad_input() {
    let sandbox = Sandbox::new();
    bad_input(
        &sandbox,
        &["new", "demo", "--defaults", "--template", "nowhere"],
        "template folder `nowhere` does not exist",
    );
    bad_input(
        &sandbox,
        &["new", "demo", "--defaults", "--template", "builtin:nothing"],
        "no builtin template named `nothing`",
    );
}

#[test]
fn vcs_ref_for_a_local_folder_that_is_not_a_repository_is_an_error() {
    let sandbox = Sandbox::new();
    copy_fixture("plain", &sandbox.join("tpl"));
    bad_input(
        &sandbox,
        &[
            "new",
            "demo",
            "--defaults",
            "--template",
            "tpl",
            "--vcs-ref",
            "v1",
        ],
        "is not a git repository",
    );
}

#[test]
fn a_missing_or_non_folder_project_is_named_for_update_diff_and_check() {
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.join("file"), "x").unwrap();
    for command in ["update", "diff", "check"] {
        let missing = one_line(
            &sandbox
                .scaffold(&[command, "nowhere"])
                .assert()
                .code(2)
                .get_output()
                .stderr,
        );
        assert!(
            missing.contains("project folder `nowhere` does not exist"),
            "{command}: {missing}"
        );
        let file = one_line(
            &sandbox
                .scaffold(&[command, "file"])
                .assert()
                .code(2)
                .get_output()
                .stderr,
        );
        assert!(
            file.contains("project `file` is a file"),
            "{command}: {file}"
        );
    }
}
