//! Nothing is ever written outside the destination.

use predicates::prelude::*;

use crate::support::{Sandbox, fixture};

#[test]
fn a_rendered_path_climbing_out_with_dotdot_is_refused() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.join("work")).unwrap();
    let template = fixture("escape-dotdot");
    sandbox
        .scaffold(&[
            "new",
            "work/demo",
            "--defaults",
            "--template",
            template.to_str().unwrap(),
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("climbs out with `..`"));
    assert_eq!(sandbox.files(""), Vec::<String>::new());
}

#[test]
fn an_absolute_rendered_path_is_refused() {
    let sandbox = Sandbox::new();
    let template = fixture("escape-absolute");
    sandbox
        .scaffold(&[
            "new",
            "demo",
            "--defaults",
            "--template",
            template.to_str().unwrap(),
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "is absolute, so it would leave the destination",
        ));
    assert!(!std::path::Path::new("/tmp/scaffold-escape").exists());
}

#[cfg(unix)]
#[test]
fn a_template_symlink_leading_out_is_refused() {
    let sandbox = Sandbox::new();
    let outside = Sandbox::new();
    std::fs::write(outside.join("secret.txt"), "secret").unwrap();
    std::fs::create_dir(sandbox.join("tpl")).unwrap();
    std::fs::write(sandbox.join("tpl/copier.yml"), "name: demo\n").unwrap();
    std::os::unix::fs::symlink(outside.join("secret.txt"), sandbox.join("tpl/leak.txt")).unwrap();
    sandbox
        .scaffold(&["new", "demo", "--defaults", "--template", "tpl"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "template file `leak.txt` is a symlink leading out of the template",
        ));
    assert!(!sandbox.join("demo").exists());
}

#[cfg(unix)]
#[test]
fn force_refuses_to_write_through_a_destination_symlink_leading_out() {
    let sandbox = Sandbox::new();
    let outside = Sandbox::new();
    std::fs::create_dir(sandbox.join("demo")).unwrap();
    std::os::unix::fs::symlink(outside.path(), sandbox.join("demo/src")).unwrap();
    sandbox
        .scaffold(&["new", "demo", "--defaults", "--force"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "is a symlink; refusing to write through it",
        ));
    assert!(
        outside.files("").is_empty(),
        "nothing written through the link"
    );
    assert_eq!(
        sandbox.files("demo"),
        Vec::<String>::new(),
        "nothing written at all"
    );
}
