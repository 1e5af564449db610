//! Bad input: one line naming what was wrong and what is allowed, exit 2, nothing written.

use predicates::prelude::*;

use crate::support::{Sandbox, fixture};

/// Runs `scaffold ARGS`, expects exit `code` with exactly `message` on stderr
/// and checks that no file was written.
fn refused(args: &[&str], code: i32, message: &str) {
    let sandbox = Sandbox::new();
    sandbox
        .scaffold(args)
        .assert()
        .code(code)
        .stderr(format!("error: {message}\n"));
    assert!(
        sandbox.files("").is_empty(),
        "nothing may be written: {:?}",
        sandbox.files("")
    );
}

#[test]
fn a_choice_outside_the_list_names_the_allowed_values() {
    refused(
        &["new", "demo", "--defaults", "--websocket-module=maybe"],
        2,
        "invalid answer `maybe` for `websocket_module` (--websocket-module): expected one of: disabled, enabled",
    );
}

#[test]
fn a_value_of_the_wrong_type_is_refused() {
    refused(
        &[
            "new",
            "demo",
            "--defaults",
            "--websocket-module=enabled",
            "--websocket-metrics=perhaps",
        ],
        2,
        "invalid answer `perhaps` for `websocket_metrics` (--websocket-metrics): expected true or false",
    );
}

#[test]
fn a_validator_message_is_shown() {
    refused(
        &[
            "new",
            "demo",
            "--defaults",
            "--data",
            "project_name=Bad Name",
        ],
        2,
        "invalid answer `Bad Name` for `project_name` (--data project_name): must be a crate name: a lowercase letter, then lowercase letters, digits, - or _",
    );
}

#[test]
fn an_unknown_data_key_lists_the_questions() {
    refused(
        &["new", "demo", "--defaults", "--data", "colour=blue"],
        2,
        "unknown question `colour` in --data colour; the template asks: project_name, project_description, crate_name, websocket_module, websocket_auth, websocket_broker, websocket_path, websocket_metrics",
    );
}

#[test]
fn data_without_an_equals_sign_is_refused() {
    refused(
        &["new", "demo", "--defaults", "--data", "colour"],
        2,
        "`--data colour` must be KEY=VALUE",
    );
}

#[test]
fn without_a_terminal_a_missing_answer_names_its_flag() {
    refused(
        &["new", "demo"],
        2,
        "no answer for `project_name` and no terminal to ask on: pass --project-name=VALUE (or --data project_name=VALUE), or --defaults to take the template's defaults",
    );
}

#[test]
fn an_unknown_key_in_the_answers_file_is_refused() {
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.join("answers.yml"), "project_nme: typo\n").unwrap();
    sandbox
        .scaffold(&["new", "demo", "--defaults", "--answers-file", "answers.yml"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: unknown question `project_nme` in answers file `answers.yml`",
        ));
    assert!(!sandbox.join("demo").exists());
}

#[test]
fn an_answers_file_that_is_not_yaml_is_refused() {
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.join("answers.yml"), "project_name: [unclosed\n").unwrap();
    sandbox
        .scaffold(&["new", "demo", "--defaults", "--answers-file", "answers.yml"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: answers file `answers.yml`: invalid YAML",
        ));
}

#[test]
fn a_missing_answers_file_is_refused() {
    refused(
        &["new", "demo", "--defaults", "--answers-file", "nope.yml"],
        2,
        "answers file `nope.yml`: No such file or directory (os error 2)",
    );
}

#[test]
fn a_non_empty_destination_is_refused_without_force() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.join("demo")).unwrap();
    std::fs::write(sandbox.join("demo/notes.txt"), "mine").unwrap();
    sandbox
        .scaffold(&["new", "demo", "--defaults"])
        .assert()
        .code(2)
        .stderr(
            "error: destination `demo` is not empty; choose a new folder, or pass --force to overwrite the template's files in it\n",
        );
    assert_eq!(sandbox.files("demo"), ["notes.txt"]);
}

#[test]
fn a_missing_template_folder_is_reported() {
    refused(
        &[
            "new",
            "demo",
            "--defaults",
            "--template",
            "./no-such-template",
        ],
        2,
        "template folder `./no-such-template` does not exist",
    );
}

#[test]
fn a_folder_without_copier_yml_is_not_a_template() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.join("empty")).unwrap();
    sandbox
        .scaffold(&["new", "demo", "--defaults", "--template", "empty"])
        .assert()
        .code(2)
        .stderr("error: `empty` is not a template: it has no copier.yml or copier.yaml\n");
}

#[test]
fn an_unknown_builtin_template_lists_the_builtins() {
    refused(
        &["new", "demo", "--defaults", "--template", "builtin:nope"],
        2,
        "no builtin template named `nope`; builtin templates: service",
    );
}

#[test]
fn an_unknown_type_in_copier_yml_names_the_file_and_question() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.join("tpl")).unwrap();
    std::fs::write(sandbox.join("tpl/copier.yml"), "name:\n  type: text\n").unwrap();
    sandbox
        .scaffold(&["new", "demo", "--defaults", "--template", "tpl"])
        .assert()
        .code(1)
        .stderr("error: copier.yml: question `name`: unknown type `text`; use str, int, float, bool, yaml, json or path\n");
}

#[test]
fn an_undefined_variable_names_the_file_and_line() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.join("tpl")).unwrap();
    std::fs::write(sandbox.join("tpl/copier.yml"), "name: demo\n").unwrap();
    std::fs::write(
        sandbox.join("tpl/README.md.jinja"),
        "# {{ name }}\n\n{{ nmae }}\n",
    )
    .unwrap();
    sandbox
        .scaffold(&[
            "new",
            "demo",
            "--defaults",
            "--strict-undefined",
            "--template",
            "tpl",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "error: README.md.jinja:3: undefined value",
        ));
    assert!(!sandbox.join("demo").exists());
}

#[test]
fn the_copier_basic_fixture_refuses_a_bad_multiselect_choice() {
    let sandbox = Sandbox::new();
    let template = fixture("copier-basic");
    sandbox
        .scaffold(&["new", "proj", "--defaults", "--template", template.to_str().unwrap(), "--tags=web,gui"])
        .assert()
        .code(2)
        .stderr("error: invalid answer `web,gui` for `tags` (--tags): `gui` is not a choice; expected one of: web, cli, lib\n");
}
