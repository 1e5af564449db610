//! Copier templates scaffold refuses, or whose fault an error names, as
//! Copier does: a newer `_min_copier_version`, an `!include` outside the
//! template, two config files, a default outside its choices; and a smoke
//! matrix too big to expand just to show `--help`.

use predicates::prelude::*;

use super::copier_format::write;
use crate::support::Sandbox;

#[test]
fn templates_needing_a_newer_copier_or_including_outside_are_refused() {
    let sandbox = Sandbox::new();
    let root = sandbox.join("tpl");
    write(&root, "copier.yml", "_min_copier_version: 10.0.0\n");
    sandbox
        .scaffold(&["new", "out", "-t", root.to_str().unwrap(), "--defaults"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("requires Copier >= 10.0.0"));
    write(sandbox.path(), "outside.yml", "stolen: 1\n");
    write(&root, "copier.yml", "---\n!include ../outside.yml\n");
    sandbox
        .scaffold(&["new", "out", "-t", root.to_str().unwrap(), "--defaults"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("must stay inside the template"));
    assert!(!sandbox.join("out").exists());
}

#[test]
fn a_bad_default_is_the_templates_fault_and_a_bad_answer_the_users() {
    let sandbox = Sandbox::new();
    let root = sandbox.join("tpl");
    write(
        &root,
        "copier.yml",
        "kind:\n  choices: [a, b]\n  default: c\n",
    );
    let template = root.to_str().unwrap();
    sandbox
        .scaffold(&["new", "out", "-t", template, "--defaults"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the template's default `c` for `kind` is invalid",
        ));
    sandbox
        .scaffold(&["new", "out", "-t", template, "--defaults", "-d", "kind=z"])
        .assert()
        .code(2);
    sandbox
        .scaffold(&["new", "out", "-t", template, "--defaults", "-d", "kind=b"])
        .assert()
        .success();
}

#[test]
fn a_huge_smoke_matrix_is_not_expanded_to_show_help() {
    let sandbox = Sandbox::new();
    let root = sandbox.join("tpl");
    let axes = (0..8).fold(String::new(), |mut axes, axis| {
        axes.push_str(&format!("    q{axis}: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n"));
        axes
    });
    write(
        &root,
        "copier.yml",
        &format!("_smoke:\n  matrix:\n{axes}name: x\n"),
    );
    sandbox
        .scaffold(&["new", "--help", "-t", root.to_str().unwrap()])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .success()
        .stdout(predicate::str::contains("--name"));
}

#[test]
fn two_config_files_are_refused_as_by_copier() {
    let sandbox = Sandbox::new();
    let root = sandbox.join("tpl");
    write(&root, "copier.yml", "a: 1\n");
    write(&root, "copier.yaml", "b: 2\n");
    sandbox
        .scaffold(&["new", "out", "-t", root.to_str().unwrap(), "--defaults"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("both copier.yml and copier.yaml"));
}
