//! `scaffold new` as a user runs it.

use predicates::prelude::*;

use crate::support::{Sandbox, fixture};

#[test]
fn defaults_render_the_builtin_service_without_asking() {
    let sandbox = Sandbox::new();
    sandbox
        .scaffold(&["new", "demo", "--defaults"])
        .assert()
        .success()
        .stdout(predicate::str::contains("cd demo && cargo run"));
    let files = sandbox.files("demo");
    for expected in [
        ".scaffold-answers.yml",
        "Cargo.toml",
        "README.md",
        "src/main.rs",
        "src/lib.rs",
        "src/config.rs",
        "tests/health.rs",
        ".github/workflows/ci.yml",
    ] {
        assert!(
            files.contains(&expected.to_owned()),
            "{expected} missing from {files:?}"
        );
    }
    assert!(
        !files.iter().any(|file| file.starts_with("src/websocket")),
        "the module is off by default"
    );
    assert!(sandbox.read("demo/Cargo.toml").contains("name = \"demo\""));
}

#[test]
fn data_and_question_flags_answer_questions() {
    let sandbox = Sandbox::new();
    sandbox
        .scaffold(&[
            "new",
            "demo",
            "--defaults",
            "--data",
            "project_description=Chat backend",
            "--websocket-module=disabled",
        ])
        .assert()
        .success();
    assert!(sandbox.read("demo/README.md").contains("Chat backend"));
    let answers = sandbox.read("demo/.scaffold-answers.yml");
    assert!(
        answers.contains("project_description: Chat backend\n"),
        "{answers}"
    );
    assert!(
        answers.contains("_src_path: builtin:service\n"),
        "{answers}"
    );
    assert!(
        answers.contains(&format!("_commit: {}\n", env!("CARGO_PKG_VERSION"))),
        "{answers}"
    );
}

#[test]
fn the_websocket_flag_layers_the_module_onto_the_base() {
    let sandbox = Sandbox::new();
    sandbox
        .scaffold(&["new", "chat", "--defaults", "--websocket-module=enabled"])
        .assert()
        .success();
    assert!(sandbox.join("chat/src/websocket/mod.rs").is_file());
    assert!(
        sandbox
            .read("chat/src/lib.rs")
            .contains("pub mod websocket;")
    );
    assert!(
        sandbox
            .read("chat/.scaffold-answers.yml")
            .contains("websocket_module: enabled\n")
    );
}

#[test]
fn answers_file_answers_and_flags_override_it() {
    let sandbox = Sandbox::new();
    std::fs::write(
        sandbox.join("answers.yml"),
        "_src_path: ignored\nproject_name: from-file\nproject_description: From the file\nwebsocket_module: enabled\n",
    )
    .unwrap();
    sandbox
        .scaffold(&[
            "new",
            "demo",
            "--answers-file",
            "answers.yml",
            "--defaults",
            "--websocket-module",
            "disabled",
        ])
        .assert()
        .success();
    let answers = sandbox.read("demo/.scaffold-answers.yml");
    assert!(answers.contains("project_name: from-file\n"), "{answers}");
    assert!(
        answers.contains("project_description: From the file\n"),
        "{answers}"
    );
    assert!(
        answers.contains("websocket_module: disabled\n"),
        "{answers}"
    );
}

#[test]
fn a_complete_answers_file_needs_no_defaults_and_no_terminal() {
    let sandbox = Sandbox::new();
    std::fs::write(
        sandbox.join("answers.yml"),
        "project_name: demo\nproject_description: Demo\nwebsocket_module: disabled\n",
    )
    .unwrap();
    sandbox
        .scaffold(&["new", "demo", "--answers-file", "answers.yml"])
        .assert()
        .success();
}

#[test]
fn dry_run_lists_files_and_writes_nothing() {
    let sandbox = Sandbox::new();
    sandbox
        .scaffold(&["new", "demo", "--defaults", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("demo/Cargo.toml"))
        .stdout(predicate::str::contains("nothing was written"));
    assert!(!sandbox.join("demo").exists());
    assert_eq!(sandbox.files("").len(), 0, "no staging folder either");
}

#[test]
fn copier_settings_are_honoured() {
    let sandbox = Sandbox::new();
    let template = fixture("copier-basic");
    sandbox
        .scaffold(&[
            "new",
            "proj",
            "--defaults",
            "--template",
            template.to_str().unwrap(),
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Rendered proj with docs=False"));
    assert_eq!(
        sandbox.files("proj"),
        ["keep.txt", "logo.png", "proj.txt", "run.sh", "src/lib.rs"],
        "_subdirectory, _exclude and conditional folder names apply"
    );
    assert_eq!(
        sandbox.read("proj/proj.txt"),
        "name=proj license=MIT port=8001 tags=web\ndebug=False token-length=6 upper=PROJ\n"
    );
    assert_eq!(
        sandbox.read("proj/src/lib.rs"),
        "pub const NAME: &str = \"proj\";\n"
    );
    assert_eq!(
        sandbox.read("proj/run.sh"),
        "#!/bin/sh\necho {{ not rendered }}\n"
    );
    assert_eq!(
        std::fs::read(sandbox.join("proj/logo.png")).unwrap(),
        std::fs::read(template.join("template/logo.png")).unwrap(),
        "binary files are copied byte for byte"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(sandbox.join("proj/run.sh"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755, "executable bits are kept");
    }
    assert!(
        !sandbox.join("proj/.scaffold-answers.yml").exists()
            && !sandbox.join("proj/.copier-answers.yml").exists(),
        "a Copier template without an answers-file template gets none, as with Copier"
    );
}

#[test]
fn conditional_folders_appear_when_their_name_renders() {
    let sandbox = Sandbox::new();
    let template = fixture("copier-basic");
    sandbox
        .scaffold(&[
            "new",
            "proj",
            "--defaults",
            "--template",
            template.to_str().unwrap(),
            "--use-docs",
            "--tags=cli,lib",
            "--data",
            "license=Apache-2.0",
        ])
        .assert()
        .success();
    assert_eq!(sandbox.read("proj/docs/index.md"), "# Docs\n");
    assert!(
        sandbox
            .read("proj/proj.txt")
            .starts_with("name=proj license=Apache-2.0 port=8001 tags=cli,lib\n")
    );
}

#[test]
fn force_overwrites_only_the_templates_own_files() {
    let sandbox = Sandbox::new();
    let template = fixture("copier-basic");
    let template = template.to_str().unwrap();
    std::fs::create_dir(sandbox.join("proj")).unwrap();
    std::fs::write(sandbox.join("proj/mine.txt"), "mine").unwrap();
    std::fs::write(sandbox.join("proj/keep.txt"), "my keep").unwrap();
    std::fs::write(sandbox.join("proj/proj.txt"), "old").unwrap();
    sandbox
        .scaffold(&[
            "new",
            "proj",
            "--defaults",
            "--force",
            "--template",
            template,
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("skipped keep.txt"))
        .stdout(predicate::str::contains("overwrote proj.txt"));
    assert_eq!(sandbox.read("proj/mine.txt"), "mine");
    assert_eq!(
        sandbox.read("proj/keep.txt"),
        "my keep",
        "_skip_if_exists keeps existing files"
    );
    assert!(sandbox.read("proj/proj.txt").starts_with("name=proj"));
}

#[test]
fn rendering_is_deterministic_across_folders() {
    let sandbox = Sandbox::new();
    for dest in ["one/demo", "two/demo"] {
        sandbox
            .scaffold(&[
                "new",
                dest,
                "--defaults",
                "--websocket-module=enabled",
                "--project-name=demo",
            ])
            .assert()
            .success();
    }
    let one = sandbox.files("one/demo");
    assert_eq!(one, sandbox.files("two/demo"));
    for file in &one {
        let a = std::fs::read(sandbox.join(&format!("one/demo/{file}"))).unwrap();
        let b = std::fs::read(sandbox.join(&format!("two/demo/{file}"))).unwrap();
        assert_eq!(a, b, "{file} differs between renders");
    }
}

#[test]
fn completions_are_printed_for_a_shell() {
    Sandbox::new()
        .scaffold(&["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--websocket-module"));
}

#[test]
fn help_shows_examples_and_question_flags() {
    Sandbox::new()
        .scaffold(&["new", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"))
        .stdout(predicate::str::contains("--websocket-module <STR>"))
        .stdout(predicate::str::contains("--project-description <STR>"));
}
