//! No update ever loses an edit: the cases where one could be lost (a moved
//! answers file, `--answers-file`, an interrupted or killed update, a failing
//! `git status`, a file turned into a folder, a dirty template) each hold.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use predicates::prelude::*;

use super::git::ANSWERS_FILE_TEMPLATE;
use super::{TemplateRepo, commit_all, edit, git, snapshot};
use crate::support::{Sandbox, read};

const NOTES: &str = "Notes for {{ name }}\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n";

fn template(sandbox: &Sandbox, copier_yml: &str) -> TemplateRepo {
    let repo = TemplateRepo::new(sandbox, "template");
    repo.write("copier.yml", copier_yml)
        .write(ANSWERS_FILE_TEMPLATE.0, ANSWERS_FILE_TEMPLATE.1)
        .write("notes.txt.jinja", NOTES)
        .write("stable.txt", "stable\n");
    repo
}

const QUESTIONS: &str = "name:\n  type: str\n  default: demo\n";

/// The template released as v1 and a project made from it.
fn project_at_v1(sandbox: &Sandbox) -> (TemplateRepo, PathBuf) {
    let repo = template(sandbox, QUESTIONS);
    repo.release("v1");
    let project = sandbox.new_project(&repo.url());
    (repo, project)
}

fn update(sandbox: &Sandbox, project: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    sandbox
        .scaffold(&[&["update"], args].concat())
        .current_dir(project)
        .assert()
}

#[test]
fn a_template_that_moves_its_answers_file_deletes_the_old_one_and_the_next_update_reads_the_new_one()
 {
    let sandbox = Sandbox::new();
    let (repo, project) = project_at_v1(&sandbox);
    repo.write(
        "copier.yml",
        &format!("_answers_file: .project-answers.yml\n{QUESTIONS}"),
    )
    .write(
        "notes.txt.jinja",
        &NOTES.replace("nine\n", "nine, as of v2\n"),
    )
    .release("v2");
    update(&sandbox, &project, &[]).success();
    assert!(!project.join(".copier-answers.yml").exists());
    assert!(read(&project, ".project-answers.yml").contains("_commit: v2\n"));

    // The team deliberately goes back to v1's line; v3 changes another file.
    edit(&project, "notes.txt", "nine, as of v2\n", "nine\n");
    repo.write("stable.txt", "stable, v3\n").release("v3");
    update(&sandbox, &project, &[])
        .success()
        .stdout(predicate::str::contains("v2 -> v3"));
    assert_eq!(read(&project, "stable.txt"), "stable, v3\n");
    assert!(
        read(&project, "notes.txt").ends_with("eight\nnine\n"),
        "the team's change stays: the base is v2, not v1"
    );
    assert!(read(&project, ".project-answers.yml").contains("_commit: v3\n"));
}

#[test]
fn answers_file_flag_reads_and_records_in_that_file() {
    let sandbox = Sandbox::new();
    let (repo, project) = project_at_v1(&sandbox);
    std::fs::create_dir(project.join("meta")).unwrap();
    std::fs::rename(
        project.join(".copier-answers.yml"),
        project.join("meta/answers.yml"),
    )
    .unwrap();
    repo.write("stable.txt", "stable, v2\n").release("v2");

    update(&sandbox, &project, &["-a", "meta/answers.yml"])
        .success()
        .stdout(predicate::str::contains("v1 -> v2"));
    assert!(read(&project, "meta/answers.yml").contains("_commit: v2\n"));
    assert!(!project.join(".copier-answers.yml").exists());
    let before = snapshot(&project);
    update(&sandbox, &project, &["-a", "meta/answers.yml"])
        .success()
        .stdout(predicate::str::contains("Already up to date"));
    assert_eq!(snapshot(&project), before);
}

/// A template of `count` files, every one of which v2 changes, so an update
/// spends long enough moving files to be stopped in the middle.
fn many_files(sandbox: &Sandbox, count: usize) -> (TemplateRepo, PathBuf) {
    let repo = template(sandbox, QUESTIONS);
    for index in 0..count {
        repo.write(&format!("many/{index:05}.txt"), "v1\n");
    }
    repo.release("v1");
    let project = sandbox.new_project(&repo.url());
    edit(&project, "notes.txt", "two\n", "two, the team's\n");
    for index in 0..count {
        repo.write(&format!("many/{index:05}.txt"), "v2\n");
    }
    repo.release("v2");
    (repo, project)
}

fn staging_folders(project: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(project)
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".scaffold-staging-")
        })
        .collect()
}

fn signal(child: &Child, name: &str) {
    let sent = std::process::Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -{name}");
}

/// Starts `scaffold update` and stops it (SIGSTOP) while it moves files into
/// place; `None` when it finished before it could be caught.
fn stopped_mid_move(project: &Path) -> Option<Child> {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("scaffold"))
        .current_dir(project)
        .arg("update")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(60);
    let has_entries =
        |dir: PathBuf| std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
    while Instant::now() < until {
        if let Some(staging) = staging_folders(project).first()
            && staging.join("journal").is_file()
        {
            signal(&child, "STOP");
            let journal = staging.join("journal").is_file();
            if journal && has_entries(staging.join("new")) && has_entries(staging.join("old")) {
                return Some(child);
            }
            signal(&child, "CONT");
            if !journal {
                break;
            }
        }
        if child.try_wait().unwrap().is_some() {
            return None;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let _ = child.wait();
    None
}

#[cfg(unix)]
#[test]
fn an_update_interrupted_while_moving_files_puts_every_file_back() {
    let sandbox = Sandbox::new();
    let (_repo, project) = many_files(&sandbox, 3000);
    let before = snapshot(&project);
    for _attempt in 0..3 {
        let Some(mut child) = stopped_mid_move(&project) else {
            continue;
        };
        signal(&child, "INT");
        signal(&child, "CONT");
        let status = child.wait().unwrap();
        assert!(!status.success(), "an interrupted update fails");
        assert_eq!(snapshot(&project), before, "every file is as it was");
        assert!(
            staging_folders(&project).is_empty(),
            "no staging folder left"
        );
        return;
    }
    panic!("the update was never caught in the middle of its moves");
}

#[cfg(unix)]
#[test]
fn a_killed_update_is_reported_then_rolled_back_by_the_next_update() {
    let sandbox = Sandbox::new();
    let (_repo, project) = many_files(&sandbox, 3000);
    let before = snapshot(&project);
    let mut caught = None;
    for _attempt in 0..3 {
        if let Some(child) = stopped_mid_move(&project) {
            caught = Some(child);
            break;
        }
        // It finished: undo it by hand and try again.
        for (path, contents) in &before {
            std::fs::write(project.join(path), contents).unwrap();
        }
    }
    let mut child = caught.expect("the update was caught in the middle of its moves");
    signal(&child, "KILL");
    let _ = child.wait();
    assert_eq!(staging_folders(&project).len(), 1);

    sandbox
        .scaffold(&["check"])
        .current_dir(&project)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("an interrupted update left"));
    update(&sandbox, &project, &[])
        .success()
        .stderr(predicate::str::contains("rolled back first"));
    assert!(staging_folders(&project).is_empty());
    for index in [0, 1500, 2999] {
        assert_eq!(read(&project, &format!("many/{index:05}.txt")), "v2\n");
    }
    assert!(read(&project, "notes.txt").contains("two, the team's\n"));
    assert!(read(&project, ".copier-answers.yml").contains("_commit: v2\n"));
}

#[test]
fn a_failing_git_status_refuses_the_update_instead_of_passing_it() {
    let sandbox = Sandbox::new();
    let (repo, project) = project_at_v1(&sandbox);
    commit_all(&project);
    repo.write("stable.txt", "stable, v2\n").release("v2");
    std::fs::write(project.join(".git/HEAD"), "not a ref\n").unwrap();
    let before = snapshot(&project);

    update(&sandbox, &project, &[])
        .code(2)
        .stderr(predicate::str::contains("cannot tell whether"))
        .stderr(predicate::str::contains("--allow-dirty"));
    assert_eq!(snapshot(&project), before);
}

#[cfg(unix)]
#[test]
fn git_refusing_a_repository_of_another_owner_refuses_the_update() {
    let sandbox = Sandbox::new();
    let (repo, project) = project_at_v1(&sandbox);
    commit_all(&project);
    repo.write("stable.txt", "stable, v2\n").release("v2");
    let chowned = std::process::Command::new("chown")
        .args(["-R", "12345:12345"])
        .arg(&project)
        .output()
        .is_ok_and(|output| output.status.success());
    if !chowned {
        eprintln!("not root: the failing git status is covered by the broken-repository test");
        return;
    }
    let before = snapshot(&project);
    update(&sandbox, &project, &[])
        .code(2)
        .stderr(predicate::str::contains("dubious ownership"));
    assert_eq!(snapshot(&project), before);
}

fn file_and_folder_template(sandbox: &Sandbox) -> (TemplateRepo, PathBuf) {
    let repo = template(sandbox, QUESTIONS);
    repo.write("docs", "docs, a file in v1\n")
        .write("tools/run.txt", "a file in the folder tools in v1\n")
        .release("v1");
    let project = sandbox.new_project(&repo.url());
    repo.remove("docs").remove("tools/run.txt");
    std::fs::remove_dir(repo.dir.join("tools")).unwrap();
    repo.write("docs/index.md", "docs became a folder in v2\n")
        .write("tools", "tools became a file in v2\n")
        .release("v2");
    (repo, project)
}

#[test]
fn a_file_turned_into_a_folder_and_a_folder_into_a_file_are_delivered() {
    let sandbox = Sandbox::new();
    let (_repo, project) = file_and_folder_template(&sandbox);
    update(&sandbox, &project, &[]).success();
    assert_eq!(
        read(&project, "docs/index.md"),
        "docs became a folder in v2\n"
    );
    assert_eq!(read(&project, "tools"), "tools became a file in v2\n");
    assert!(read(&project, ".copier-answers.yml").contains("_commit: v2\n"));
    update(&sandbox, &project, &[])
        .success()
        .stdout(predicate::str::contains("Already up to date"));
}

#[test]
fn a_file_turned_into_a_folder_over_an_edited_file_is_refused_and_not_recorded() {
    let sandbox = Sandbox::new();
    let (_repo, project) = file_and_folder_template(&sandbox);
    edit(&project, "docs", "a file", "a file the team edited");
    std::fs::write(project.join("tools/ours.txt"), "the team's own file\n").unwrap();
    let before = snapshot(&project);
    update(&sandbox, &project, &[])
        .code(2)
        .stderr(predicate::str::contains(
            "the template turns `docs` into a folder",
        ))
        .stderr(predicate::str::contains("tools/ours.txt"))
        .stderr(predicate::str::contains("nothing was written"));
    assert_eq!(snapshot(&project), before);
    assert!(read(&project, ".copier-answers.yml").contains("_commit: v1\n"));
}

#[test]
fn a_template_rendered_with_uncommitted_changes_is_not_recorded_as_its_tag() {
    let sandbox = Sandbox::new();
    let repo = template(&sandbox, QUESTIONS);
    repo.release("v1");
    repo.write("stable.txt", "stable, not committed yet\n");
    let template_dir = repo.dir.display().to_string();
    // Without --vcs-ref, Copier (and scaffold) render the newest tag, clean;
    // `--vcs-ref HEAD` renders a local repository's work tree.
    sandbox
        .scaffold(&[
            "new",
            "project",
            "--defaults",
            "--template",
            &template_dir,
            "--vcs-ref",
            "HEAD",
        ])
        .assert()
        .success();
    let project = sandbox.join("project");
    let answers = read(&project, ".copier-answers.yml");
    assert!(answers.contains("_commit: v1-dirty\n"), "{answers}");
    assert_eq!(read(&project, "stable.txt"), "stable, not committed yet\n");

    // The uncommitted change is dropped; v2 changes the notes. The project
    // keeps what it was rendered with, as if it were its own edit.
    git(&repo.dir, &["checkout", "--", "stable.txt"]);
    repo.write(
        "notes.txt.jinja",
        &NOTES.replace("nine\n", "nine, as of v2\n"),
    )
    .release("v2");
    update(&sandbox, &project, &["--vcs-ref", "v2"]).success();
    assert_eq!(read(&project, "stable.txt"), "stable, not committed yet\n");
    assert!(read(&project, "notes.txt").contains("nine, as of v2\n"));
}

#[cfg(unix)]
#[test]
fn updated_files_keep_their_permission_bits() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::new();
    let (repo, project) = project_at_v1(&sandbox);
    let notes = project.join("notes.txt");
    std::fs::set_permissions(&notes, std::fs::Permissions::from_mode(0o600)).unwrap();
    repo.write(
        "notes.txt.jinja",
        &NOTES.replace("nine\n", "nine, as of v2\n"),
    )
    .release("v2");
    update(&sandbox, &project, &[]).success();
    assert!(read(&project, "notes.txt").contains("nine, as of v2\n"));
    let mode = std::fs::metadata(&notes).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o600);
}

#[test]
fn exit_1_means_only_conflicts_an_unknown_version_is_2_and_a_failure_3() {
    let sandbox = Sandbox::new();
    let (repo, project) = project_at_v1(&sandbox);
    let before = snapshot(&project);
    update(&sandbox, &project, &["--vcs-ref", "v9"])
        .code(2)
        .stderr(predicate::str::contains("no tag, branch or commit `v9`"));
    repo.write("notes.txt.jinja", "{{ name ").release("v2");
    update(&sandbox, &project, &[]).code(3);
    assert_eq!(snapshot(&project), before, "nothing was written");
}
