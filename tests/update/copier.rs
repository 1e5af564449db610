//! Update on projects made by Copier, with the real `copier` (9.19.1, which
//! `.ci/run` installs) as the reference: a project goes `copier copy` ->
//! `scaffold update` -> `copier update` -> `scaffold update` across four
//! template versions, and after every step it is the same tree as a twin
//! project that only Copier touched, with the team's edits in both.

use std::path::Path;
use std::process::Command;

use super::git::ANSWERS_FILE_TEMPLATE;
use super::{TemplateRepo, commit_all, edit, snapshot};
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

const README: &str =
    "# {{ project_name }}\n\nIntro.\n\n## Usage\n\nRun it.\n\n## Notes\n\none\ntwo\nthree\n";
const CONFIG: &str =
    "[server]\nport = 8080\nhost = \"localhost\"\n\n[log]\nlevel = \"info\"\nformat = \"text\"\n";

fn template(sandbox: &Sandbox) -> TemplateRepo {
    let repo = TemplateRepo::new(sandbox, "template");
    repo.write(
        "copier.yml",
        "project_name:\n  type: str\n  default: demo\nport:\n  type: int\n  default: 8080\n",
    )
    .write(ANSWERS_FILE_TEMPLATE.0, ANSWERS_FILE_TEMPLATE.1)
    .write("README.md.jinja", README)
    .write("config.toml.jinja", &CONFIG.replace("8080", "{{ port }}"))
    .write("old.txt", "dropped in v3\n")
    .release("v1");
    repo.write(
        "README.md.jinja",
        &README.replace("three\n", "three\nfour (v2)\n"),
    )
    .write("added.txt", "new in v2\n")
    .release("v2");
    repo.write(
        "config.toml.jinja",
        &CONFIG
            .replace("8080", "{{ port }}")
            .replace("format = \"text\"", "format = \"json\""),
    )
    .remove("old.txt")
    .release("v3");
    repo.write(
        "README.md.jinja",
        &README
            .replace("three\n", "three\nfour (v2)\n")
            .replace("Run it.", "Run it with `cargo run`."),
    )
    .write("copier.yml", "project_name:\n  type: str\n  default: demo\nport:\n  type: int\n  default: 8080\nlicense:\n  type: str\n  default: MIT\n")
    .write("LICENSE.jinja", "{{ license }}\n")
    .release("v4");
    repo
}

fn assert_same(copier_only: &Path, mixed: &Path, step: &str) {
    let (expected, actual) = (snapshot(copier_only), snapshot(mixed));
    if expected == actual {
        return;
    }
    let mut report = String::new();
    for path in expected.keys().chain(actual.keys()) {
        let (a, b) = (expected.get(path), actual.get(path));
        if a != b {
            report.push_str(&format!(
                "--- {path} (Copier alone)\n{}\n+++ {path} (with scaffold)\n{}\n",
                a.map(|bytes| String::from_utf8_lossy(bytes).into_owned())
                    .unwrap_or_default(),
                b.map(|bytes| String::from_utf8_lossy(bytes).into_owned())
                    .unwrap_or_default(),
            ));
        }
    }
    panic!("after {step}, the trees differ:\n{report}");
}

#[test]
fn a_copier_project_updates_alternately_with_scaffold_and_copier_as_copier_alone_would() {
    let sandbox = Sandbox::new();
    let repo = template(&sandbox);
    let src = repo.dir.display().to_string();
    let (mixed, alone) = (sandbox.join("mixed"), sandbox.join("alone"));
    for project in [&mixed, &alone] {
        copier(
            sandbox.path(),
            &[
                "copy",
                "--defaults",
                "--quiet",
                "-r",
                "v1",
                &src,
                &project.display().to_string(),
            ],
        );
        edit(project, "README.md", "Intro.\n", "Intro, by the team.\n");
        edit(project, "config.toml", "port = 8080", "port = 9090");
        std::fs::write(project.join("TEAM.md"), "The team's own file.\n").unwrap();
        commit_all(project);
    }
    assert_same(&alone, &mixed, "copier copy");

    sandbox
        .scaffold(&["update", "--defaults", "--vcs-ref", "v2"])
        .current_dir(&mixed)
        .assert()
        .success();
    copier(&alone, &["update", "--defaults", "--quiet", "-r", "v2"]);
    assert_same(&alone, &mixed, "scaffold update to v2");
    assert!(!mixed.join(".scaffold-answers.yml").exists());
    for project in [&mixed, &alone] {
        commit_all(project);
    }

    for project in [&mixed, &alone] {
        copier(project, &["update", "--defaults", "--quiet", "-r", "v3"]);
        commit_all(project);
    }
    assert_same(&alone, &mixed, "copier update to v3");

    sandbox
        .scaffold(&["update", "--defaults"])
        .current_dir(&mixed)
        .assert()
        .success();
    copier(&alone, &["update", "--defaults", "--quiet"]);
    assert_same(&alone, &mixed, "scaffold update to v4");

    let readme = std::fs::read_to_string(mixed.join("README.md")).unwrap();
    assert!(readme.contains("Intro, by the team.\n"), "{readme}");
    assert!(readme.contains("Run it with `cargo run`.\n"), "{readme}");
    let config = std::fs::read_to_string(mixed.join("config.toml")).unwrap();
    assert!(
        config.contains("port = 9090") && config.contains("\"json\""),
        "{config}"
    );
    let answers = std::fs::read_to_string(mixed.join(".copier-answers.yml")).unwrap();
    assert!(answers.contains("_commit: v4\n"), "{answers}");
}

/// Both tools on a twin project whose edit clashes with the template's.
fn clash(conflict: &str) {
    let sandbox = Sandbox::new();
    let repo = template(&sandbox);
    let src = repo.dir.display().to_string();
    let (mixed, alone) = (sandbox.join("mixed"), sandbox.join("alone"));
    for project in [&mixed, &alone] {
        copier(
            sandbox.path(),
            &[
                "copy",
                "--defaults",
                "--quiet",
                "-r",
                "v1",
                &src,
                &project.display().to_string(),
            ],
        );
        edit(
            project,
            "README.md",
            "three\n",
            "three, and the team's line\n",
        );
        edit(project, "README.md", "Intro.\n", "Intro, by the team.\n");
        commit_all(project);
    }
    sandbox
        .scaffold(&["update", "-A", "-f", "-r", "v2", "-o", conflict, "-c", "3"])
        .current_dir(&mixed)
        .assert()
        .code(1);
    copier(
        &alone,
        &[
            "update",
            "--defaults",
            "--quiet",
            "-r",
            "v2",
            "--conflict",
            conflict,
        ],
    );
    assert_same(
        &alone,
        &mixed,
        &format!("an update with --conflict {conflict}"),
    );
}

#[test]
fn conflict_markers_are_copiers() {
    clash("inline");
}

#[test]
fn conflict_rej_applies_the_template_and_rejects_the_projects_hunk_as_copier() {
    clash("rej");
}
