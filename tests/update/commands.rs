//! Copier's commands with Copier's flags: `scaffold copy`, `recopy` and
//! `check-update` give what `copier` gives (the real one, 9.19.1), and the
//! version a git template defaults to is its newest PEP 440 tag.

use std::path::Path;
use std::process::Command;

use predicates::prelude::*;

use super::git::ANSWERS_FILE_TEMPLATE;
use super::{TemplateRepo, commit_all, edit, snapshot};
use crate::support::Sandbox;

fn copier(dir: &Path, args: &[&str]) -> std::process::Output {
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
    output
}

/// Tags v1.0, v1.1 and the pre-release v2.0rc1.
fn template(sandbox: &Sandbox) -> TemplateRepo {
    let repo = TemplateRepo::new(sandbox, "template");
    repo.write(
        "copier.yml",
        "name:\n  type: str\n  default: demo\nkind:\n  type: str\n  choices: [lib, bin]\n  default: lib\n",
    )
    .write(ANSWERS_FILE_TEMPLATE.0, ANSWERS_FILE_TEMPLATE.1)
    .write("README.md.jinja", "# {{ name }}, a {{ kind }}\n")
    .write("skip-me.txt", "excluded with -x\n")
    .release("v1.0");
    repo.write("README.md.jinja", "# {{ name }}, a {{ kind }} (v1.1)\n")
        .release("v1.1");
    repo.write("README.md.jinja", "# {{ name }}, a {{ kind }} (v2.0rc1)\n")
        .release("v2.0rc1");
    repo
}

fn assert_same_tree(copier_dir: &Path, scaffold_dir: &Path) {
    assert_eq!(
        snapshot(copier_dir),
        snapshot(scaffold_dir),
        "Copier's tree (left) and scaffold's (right)"
    );
}

#[test]
fn copy_takes_copiers_flags_and_writes_copiers_tree() {
    let sandbox = Sandbox::new();
    let repo = template(&sandbox);
    let src = repo.dir.display().to_string();
    let flags: [&[&str]; 4] = [
        &["--defaults"],
        &[
            "-l",
            "-d",
            "name=svc",
            "-d",
            "kind=bin",
            "-x",
            "skip-me.txt",
        ],
        &["--defaults", "-g", "-a", ".custom-answers.yml"],
        &["-f", "-r", "v1.0", "--data", "name=old"],
    ];
    for (index, flags) in flags.iter().enumerate() {
        let (by_copier, by_scaffold) = (format!("copier-{index}"), format!("scaffold-{index}"));
        copier(
            sandbox.path(),
            &[&["copy", "--quiet"], *flags, &[&src, &by_copier]].concat(),
        );
        sandbox
            .scaffold(&[&["copy"], *flags, &[&src, &by_scaffold]].concat())
            .assert()
            .success();
        assert_same_tree(&sandbox.join(&by_copier), &sandbox.join(&by_scaffold));
    }
    let answers = sandbox.read("scaffold-0/.copier-answers.yml");
    assert!(
        answers.contains("_commit: v1.1\n"),
        "the newest release: {answers}"
    );
    assert!(
        sandbox
            .read("scaffold-2/.custom-answers.yml")
            .contains("_commit: v2.0rc1\n")
    );
}

#[test]
fn copy_head_of_a_local_repository_is_its_work_tree_and_not_recorded_as_a_tag() {
    let sandbox = Sandbox::new();
    let repo = template(&sandbox);
    repo.write("README.md.jinja", "# {{ name }}, not committed yet\n");
    let src = repo.dir.display().to_string();
    sandbox
        .scaffold(&["copy", "--defaults", "-r", "HEAD", &src, "project"])
        .assert()
        .success();
    assert_eq!(
        sandbox.read("project/README.md"),
        "# demo, not committed yet\n"
    );
    let answers = sandbox.read("project/.copier-answers.yml");
    assert!(answers.contains("_commit: v2.0rc1-dirty\n"), "{answers}");
}

#[test]
fn copy_refuses_to_replace_a_differing_file_without_overwrite() {
    let sandbox = Sandbox::new();
    let repo = template(&sandbox);
    let src = repo.dir.display().to_string();
    std::fs::create_dir(sandbox.join("project")).unwrap();
    std::fs::write(sandbox.join("project/README.md"), "ours\n").unwrap();
    sandbox
        .scaffold(&["copy", "--defaults", &src, "project"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass -w/--overwrite"));
    assert_eq!(sandbox.read("project/README.md"), "ours\n");
    sandbox
        .scaffold(&["copy", "--defaults", "-w", &src, "project"])
        .assert()
        .success();
    assert_eq!(sandbox.read("project/README.md"), "# demo, a lib (v1.1)\n");
}

#[test]
fn recopy_renders_the_newest_version_from_scratch_with_the_recorded_answers_as_copier() {
    let sandbox = Sandbox::new();
    let repo = template(&sandbox);
    let src = repo.dir.display().to_string();
    for project in ["by-copier", "by-scaffold"] {
        copier(
            sandbox.path(),
            &[
                "copy", "--quiet", "-l", "-r", "v1.0", "-d", "kind=bin", &src, project,
            ],
        );
        edit(
            &sandbox.join(project),
            "README.md",
            "a bin",
            "a bin, edited",
        );
        commit_all(&sandbox.join(project));
    }
    copier(&sandbox.join("by-copier"), &["recopy", "--quiet", "-f"]);
    sandbox
        .scaffold(&["recopy", "-f"])
        .current_dir(sandbox.join("by-scaffold"))
        .assert()
        .success();
    assert_same_tree(&sandbox.join("by-copier"), &sandbox.join("by-scaffold"));
    assert_eq!(
        sandbox.read("by-scaffold/README.md"),
        "# demo, a bin (v1.1)\n"
    );
}

#[test]
fn check_update_exits_1_and_names_the_newer_version() {
    let sandbox = Sandbox::new();
    let repo = template(&sandbox);
    let src = repo.dir.display().to_string();
    sandbox
        .scaffold(&["copy", "--defaults", "-r", "v1.0", &src, "project"])
        .assert()
        .success();
    let project = sandbox.join("project");
    let check = |args: &[&str]| {
        sandbox
            .scaffold(&[&["check-update"], args].concat())
            .current_dir(&project)
            .assert()
    };
    check(&[]).code(1).stdout(
        "New template version available.\nCurrent version is 1.0, latest version is 1.1.\n",
    );
    check(&["-g", "--output-format", "json"]).code(1).stdout(
        "{\"update_available\":true,\"current_version\":\"1.0\",\"latest_version\":\"2.0rc1\"}\n",
    );
    check(&["--quiet"]).code(1).stdout("");
    sandbox
        .scaffold(&["update", "--defaults"])
        .current_dir(&project)
        .assert()
        .success();
    check(&[]).success().stdout("Project is up-to-date!\n");
}

#[test]
fn a_local_repository_is_read_in_process_with_no_git_program() {
    let sandbox = Sandbox::new();
    let repo = template(&sandbox);
    let src = repo.dir.display().to_string();
    let no_git = sandbox.join("empty-path");
    std::fs::create_dir(&no_git).unwrap();
    sandbox
        .scaffold(&["copy", "--defaults", "-r", "v1.0", &src, "project"])
        .env("PATH", &no_git)
        .assert()
        .success();
    assert_eq!(sandbox.read("project/README.md"), "# demo, a lib\n");
    sandbox
        .scaffold(&["copy", "--defaults", &src, "newest"])
        .env("PATH", &no_git)
        .assert()
        .success();
    assert!(
        sandbox
            .read("newest/.copier-answers.yml")
            .contains("_commit: v1.1\n")
    );
}

#[test]
fn a_remote_template_is_fetched_once_into_the_cache_and_new_tags_arrive() {
    let sandbox = Sandbox::new();
    let repo = template(&sandbox);
    let bare = sandbox.join("remote.git");
    super::git(
        sandbox.path(),
        &[
            "clone",
            "--quiet",
            "--bare",
            &repo.dir.display().to_string(),
            "remote.git",
        ],
    );
    let url = format!("file://{}", bare.display());
    let cache = sandbox.join("cache");
    let copy = |dest: &str| {
        sandbox
            .scaffold(&["copy", "--defaults", &url, dest])
            .env("XDG_CACHE_HOME", &cache)
            .assert()
            .success();
    };
    copy("first");
    assert!(
        sandbox
            .read("first/.copier-answers.yml")
            .contains("_commit: v1.1\n")
    );
    let mirrors = std::fs::read_dir(cache.join("scaffold/git"))
        .unwrap()
        .count();
    assert_eq!(mirrors, 1, "one mirror for the URL");

    repo.write("README.md.jinja", "# {{ name }} (v1.2)\n")
        .release("v1.2");
    super::git(
        &repo.dir,
        &[
            "push",
            "--quiet",
            "--tags",
            &bare.display().to_string(),
            "HEAD:main",
        ],
    );
    copy("second");
    assert_eq!(sandbox.read("second/README.md"), "# demo (v1.2)\n");
    assert_eq!(
        std::fs::read_dir(cache.join("scaffold/git"))
            .unwrap()
            .count(),
        1
    );
}
