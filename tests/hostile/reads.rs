//! A template reads nothing outside itself, and only regular files and folders.

use std::os::unix::fs::symlink;

use super::{commit_all, copy_fixture, one_line, outside};
use crate::support::Sandbox;

/// `scaffold new demo --defaults --template TEMPLATE`, expecting a refusal.
fn refused(sandbox: &Sandbox, template: &str, expect: &str) {
    let assert = sandbox
        .scaffold(&["new", "demo", "--defaults", "--template", template])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1);
    let stderr = one_line(&assert.get_output().stderr);
    assert!(stderr.contains(expect), "{stderr}");
    assert!(!stderr.contains("the user's secret"), "{stderr}");
    assert!(!sandbox.join("demo").exists(), "nothing is written");
}

#[test]
fn a_subdirectory_that_is_a_symlink_to_an_outside_folder_is_refused() {
    let sandbox = Sandbox::new();
    let outside = outside(&sandbox);
    copy_fixture("subdirectory-link", &sandbox.join("tpl"));
    symlink(&outside, sandbox.join("tpl/template")).unwrap();
    refused(
        &sandbox,
        "tpl",
        "`template` is a symlink leading out of the template",
    );
}

#[test]
fn a_subdirectory_symlink_in_a_git_template_is_refused() {
    let sandbox = Sandbox::new();
    let outside = outside(&sandbox);
    copy_fixture("subdirectory-link", &sandbox.join("tpl"));
    symlink(&outside, sandbox.join("tpl/template")).unwrap();
    commit_all(&sandbox.join("tpl"));
    let url = format!("git+file://{}", sandbox.join("tpl").display());
    refused(
        &sandbox,
        &url,
        "`template` is a symlink leading out of the template",
    );
}

#[test]
fn a_module_folder_that_is_a_symlink_to_an_outside_folder_is_refused() {
    let sandbox = Sandbox::new();
    let outside = outside(&sandbox);
    copy_fixture("module-link", &sandbox.join("tpl"));
    symlink(&outside, sandbox.join("tpl/extra")).unwrap();
    refused(&sandbox, "tpl", "is a symlink leading out of the template");
}

#[test]
fn a_copier_yml_symlink_to_an_outside_file_is_refused_before_it_is_read() {
    let sandbox = Sandbox::new();
    let outside = outside(&sandbox);
    std::fs::create_dir(sandbox.join("tpl")).unwrap();
    // A FIFO outside: were it opened, the run would block for ever.
    let fifo = outside.join("pipe.yml");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    symlink(&fifo, sandbox.join("tpl/copier.yml")).unwrap();
    refused(
        &sandbox,
        "tpl",
        "`copier.yml` is a symlink leading out of the template",
    );
}

#[test]
fn a_fifo_in_the_template_is_refused_without_blocking() {
    let sandbox = Sandbox::new();
    copy_fixture("plain", &sandbox.join("tpl"));
    assert!(
        std::process::Command::new("mkfifo")
            .arg(sandbox.join("tpl/b/pipe"))
            .status()
            .unwrap()
            .success()
    );
    refused(
        &sandbox,
        "tpl",
        "template file `b/pipe` is not a regular file or folder",
    );
}

#[test]
fn a_symlink_loop_inside_the_template_is_refused() {
    let sandbox = Sandbox::new();
    copy_fixture("plain", &sandbox.join("tpl"));
    symlink("..", sandbox.join("tpl/b/up")).unwrap();
    refused(
        &sandbox,
        "tpl",
        "`b/up` is a symlink back into a folder that holds it",
    );
}

#[test]
fn symlinks_that_stay_inside_the_template_are_followed() {
    let sandbox = Sandbox::new();
    copy_fixture("plain", &sandbox.join("tpl"));
    symlink("b", sandbox.join("tpl/same-b")).unwrap();
    sandbox
        .scaffold(&["new", "demo", "--defaults", "--template", "tpl"])
        .assert()
        .success();
    assert_eq!(sandbox.read("demo/same-b/inner.txt"), "inner\n");
}

#[test]
fn a_copier_yml_that_is_a_fifo_is_refused_without_blocking() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.join("tpl")).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(sandbox.join("tpl/copier.yml"))
            .status()
            .unwrap()
            .success()
    );
    refused(
        &sandbox,
        "tpl",
        "template file `copier.yml` is not a regular file or folder",
    );
    // `--help` reads the template's questions too, and must not block either.
    sandbox
        .scaffold(&["new", "--help", "--template", "tpl"])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success();
}

#[test]
fn a_module_folder_symlink_in_a_git_template_is_refused() {
    let sandbox = Sandbox::new();
    let outside = outside(&sandbox);
    copy_fixture("module-link", &sandbox.join("tpl"));
    symlink(&outside, sandbox.join("tpl/extra")).unwrap();
    commit_all(&sandbox.join("tpl"));
    let url = format!("git+file://{}", sandbox.join("tpl").display());
    refused(&sandbox, &url, "is a symlink leading out of the template");
}
