//! All or nothing: a write that cannot complete changes nothing.

use super::{copy_fixture, one_line};
use crate::support::Sandbox;

#[test]
fn new_dot_in_an_empty_folder_renders_into_it_and_leaves_no_staging_folder() {
    let sandbox = Sandbox::new();
    copy_fixture("plain", &sandbox.join("tpl"));
    std::fs::create_dir(sandbox.join("here")).unwrap();
    let template = sandbox.join("tpl");
    sandbox
        .scaffold(&[
            "new",
            ".",
            "--defaults",
            "--template",
            template.to_str().unwrap(),
        ])
        .current_dir(sandbox.join("here"))
        .assert()
        .success();
    let written = sandbox.files("here");
    assert!(written.contains(&"hello.txt".to_owned()), "{written:?}");
    assert!(
        written
            .iter()
            .all(|path| !path.contains(".scaffold-staging")),
        "{written:?}"
    );
    assert_eq!(sandbox.read("here/hello.txt"), "hello demo\n");
}

#[test]
fn force_where_a_template_file_meets_a_user_folder_writes_nothing() {
    let sandbox = Sandbox::new();
    copy_fixture("plain", &sandbox.join("tpl"));
    // The template has a file `top.txt`; the user has a folder there.
    std::fs::create_dir_all(sandbox.join("demo/top.txt")).unwrap();
    std::fs::write(sandbox.join("demo/hello.txt"), "the user's own\n").unwrap();
    let assert = sandbox
        .scaffold(&["new", "demo", "--defaults", "--force", "--template", "tpl"])
        .assert()
        .code(2);
    let stderr = one_line(&assert.get_output().stderr);
    assert!(stderr.contains("cannot write `top.txt`"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(sandbox.read("demo/hello.txt"), "the user's own\n");
    assert_eq!(sandbox.files("demo"), ["hello.txt"]);
}

#[test]
fn force_where_a_template_folder_meets_a_user_file_writes_nothing() {
    let sandbox = Sandbox::new();
    copy_fixture("plain", &sandbox.join("tpl"));
    // The template has a folder `b/`; the user has a file `b`.
    std::fs::create_dir(sandbox.join("demo")).unwrap();
    std::fs::write(sandbox.join("demo/b"), "the user's file\n").unwrap();
    std::fs::write(sandbox.join("demo/hello.txt"), "the user's own\n").unwrap();
    let assert = sandbox
        .scaffold(&["new", "demo", "--defaults", "--force", "--template", "tpl"])
        .assert()
        .code(2);
    let stderr = one_line(&assert.get_output().stderr);
    assert!(
        stderr.contains("`b` in the destination is a file"),
        "{stderr}"
    );
    assert_eq!(sandbox.read("demo/hello.txt"), "the user's own\n");
    assert_eq!(sandbox.read("demo/b"), "the user's file\n");
    assert_eq!(sandbox.files("demo"), ["b", "hello.txt"]);
}

#[test]
fn a_destination_below_a_file_is_named_as_such() {
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.join("notes"), "a file").unwrap();
    let assert = sandbox
        .scaffold(&["new", "notes/demo", "--defaults"])
        .assert()
        .code(2);
    let stderr = one_line(&assert.get_output().stderr);
    assert!(
        stderr.contains("`notes` is a file, not a folder"),
        "{stderr}"
    );
    assert_eq!(sandbox.files(""), ["notes"]);
}
