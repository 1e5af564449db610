//! Updating across two real versions of a template kept in git: the base is
//! the recorded tag rendered with the recorded answers.

use std::path::Path;

use assert_cmd::assert::Assert;
use predicates::prelude::*;

use super::{TemplateRepo, edit, snapshot};
use crate::support::{Sandbox, read};

const NOTES: &str =
    "Notes for {{ name }}\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n";

/// The answers file as Copier's documentation has templates write it.
pub const ANSWERS_FILE_TEMPLATE: (&str, &str) = (
    "{{ _copier_conf.answers_file }}.jinja",
    "# Changes here will be overwritten by Copier\n{{ _copier_answers|to_nice_yaml -}}\n",
);

fn template_v1(sandbox: &Sandbox) -> TemplateRepo {
    let repo = TemplateRepo::new(sandbox, "template");
    repo.write("copier.yml", "name:\n  type: str\n  default: demo\n")
        .write(ANSWERS_FILE_TEMPLATE.0, ANSWERS_FILE_TEMPLATE.1)
        .write("notes.txt.jinja", NOTES)
        .write("dropped.txt", "the template drops this in v2\n")
        .write("edited-dropped.txt", "the template drops this in v2 too\n")
        .write("stable.txt", "never changes\n")
        .release("v1");
    repo
}

fn release_v2(repo: &TemplateRepo) {
    repo.write(
        "notes.txt.jinja",
        &NOTES.replace("nine\n", "nine, as of v2\n"),
    )
    .remove("dropped.txt")
    .remove("edited-dropped.txt")
    .write("added.txt", "new in v2\n")
    .release("v2");
}

fn scaffold_in(sandbox: &Sandbox, project: &Path, args: &[&str]) -> Assert {
    sandbox.scaffold(args).current_dir(project).assert()
}

#[test]
fn the_answers_file_records_the_git_tag_rendered() {
    let sandbox = Sandbox::new();
    let repo = template_v1(&sandbox);
    let project = sandbox.new_project(&repo.url());
    let answers = read(&project, ".copier-answers.yml");
    assert!(answers.contains("_commit: v1\n"), "{answers}");
    assert!(answers.contains("_src_path: git+file://"), "{answers}");
}

#[test]
fn a_git_plus_url_is_recorded_as_given_as_copier_records_it() {
    let sandbox = Sandbox::new();
    let repo = template_v1(&sandbox);
    let url = repo.url();
    assert!(url.starts_with("git+file://"), "{url}");
    let project = sandbox.new_project(&url);
    let answers = read(&project, ".copier-answers.yml");
    assert!(
        answers.contains(&format!("_src_path: {url}\n")),
        "{answers}"
    );
    let output = std::process::Command::new("copier")
        .args(["copy", "--defaults", "--quiet", &url, "by-copier"])
        .current_dir(sandbox.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("copier runs (pip install copier==9.19.1)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        answers,
        read(&sandbox.join("by-copier"), ".copier-answers.yml")
    );
}

#[test]
fn an_edit_where_the_template_did_not_change_merges_with_the_templates_change() {
    let sandbox = Sandbox::new();
    let repo = template_v1(&sandbox);
    let project = sandbox.new_project(&repo.url());
    edit(&project, "notes.txt", "two\n", "two, edited by the team\n");
    release_v2(&repo);

    scaffold_in(&sandbox, &project, &["update"])
        .success()
        .stdout(predicate::str::contains("v1 -> v2"))
        .stdout(predicate::str::contains("merged    notes.txt"));
    let notes = read(&project, "notes.txt");
    assert!(notes.contains("two, edited by the team\n"), "{notes}");
    assert!(notes.contains("nine, as of v2\n"), "{notes}");
    assert!(!notes.contains("<<<<<<<"), "{notes}");
    assert!(read(&project, ".copier-answers.yml").contains("_commit: v2\n"));
}

#[test]
fn an_edit_clashing_with_the_templates_change_gets_conflict_markers_and_exit_1() {
    let sandbox = Sandbox::new();
    let repo = template_v1(&sandbox);
    let project = sandbox.new_project(&repo.url());
    edit(
        &project,
        "notes.txt",
        "nine\n",
        "nine, edited by the team\n",
    );
    release_v2(&repo);

    scaffold_in(&sandbox, &project, &["update"])
        .code(1)
        .stdout(predicate::str::contains("conflict  notes.txt"))
        .stderr(predicate::str::contains("1 file in conflict"));
    let notes = read(&project, "notes.txt");
    assert!(
        notes.contains(
            "eight\n<<<<<<< before updating\nnine, edited by the team\n=======\nnine, as of v2\n>>>>>>> after updating\nten\n"
        ),
        "{notes}"
    );
    assert!(!project.join("notes.txt.rej").exists());
    assert!(
        read(&project, ".copier-answers.yml").contains("_commit: v2\n"),
        "the answers file moves on, so resolving the markers finishes the update"
    );
}

#[test]
fn conflict_rej_takes_the_templates_lines_and_writes_the_projects_hunk_beside_them() {
    let sandbox = Sandbox::new();
    let repo = template_v1(&sandbox);
    let project = sandbox.new_project(&repo.url());
    edit(
        &project,
        "notes.txt",
        "nine\n",
        "nine, edited by the team\n",
    );
    release_v2(&repo);

    scaffold_in(&sandbox, &project, &["update", "--conflict", "rej"])
        .code(1)
        .stdout(predicate::str::contains("notes.txt.rej"));
    let notes = read(&project, "notes.txt");
    assert!(notes.contains("nine, as of v2\n"), "{notes}");
    assert!(
        !notes.contains("<<<<<<<") && !notes.contains("edited by the team"),
        "{notes}"
    );
    assert_eq!(
        read(&project, "notes.txt.rej"),
        "diff a/notes.txt b/notes.txt\t(rejected hunks)\n@@ -7,5 +7,5 @@ five\n six\n seven\n eight\n-nine\n+nine, edited by the team\n ten\n"
    );
}

#[test]
fn a_rej_file_never_overwrites_one_the_project_has() {
    let sandbox = Sandbox::new();
    let repo = template_v1(&sandbox);
    let project = sandbox.new_project(&repo.url());
    edit(
        &project,
        "notes.txt",
        "nine\n",
        "nine, edited by the team\n",
    );
    std::fs::write(project.join("notes.txt.rej"), "the team's own file\n").unwrap();
    std::fs::write(project.join("notes.txt.rej.1"), "and another\n").unwrap();
    release_v2(&repo);

    scaffold_in(&sandbox, &project, &["update", "--conflict", "rej"])
        .code(1)
        .stdout(predicate::str::contains("notes.txt.rej.2"));
    assert_eq!(read(&project, "notes.txt.rej"), "the team's own file\n");
    assert_eq!(read(&project, "notes.txt.rej.1"), "and another\n");
    assert!(read(&project, "notes.txt.rej.2").contains("+nine, edited by the team\n"));
}

#[test]
fn a_file_the_template_drops_is_deleted_only_when_the_project_never_changed_it() {
    let sandbox = Sandbox::new();
    let repo = template_v1(&sandbox);
    let project = sandbox.new_project(&repo.url());
    edit(&project, "edited-dropped.txt", "too", "too, but we use it");
    release_v2(&repo);

    scaffold_in(&sandbox, &project, &["update"])
        .success()
        .stdout(predicate::str::contains("deleted   dropped.txt"))
        .stdout(predicate::str::contains("kept      edited-dropped.txt"));
    assert!(!project.join("dropped.txt").exists());
    assert_eq!(
        read(&project, "edited-dropped.txt"),
        "the template drops this in v2 too, but we use it\n"
    );
    assert_eq!(read(&project, "added.txt"), "new in v2\n");
}

#[test]
fn a_template_file_the_project_deleted_stays_deleted() {
    let sandbox = Sandbox::new();
    let repo = template_v1(&sandbox);
    let project = sandbox.new_project(&repo.url());
    std::fs::remove_file(project.join("stable.txt")).unwrap();
    release_v2(&repo);

    scaffold_in(&sandbox, &project, &["update"]).success();
    assert!(!project.join("stable.txt").exists());
}

#[test]
fn the_projects_own_files_are_left_alone_and_a_clash_with_a_new_template_file_is_a_conflict() {
    let sandbox = Sandbox::new();
    let repo = template_v1(&sandbox);
    let project = sandbox.new_project(&repo.url());
    std::fs::create_dir_all(project.join("docs")).unwrap();
    std::fs::write(project.join("docs/ours.md"), "our own notes\n").unwrap();
    std::fs::write(project.join("added.txt"), "our own added.txt\n").unwrap();
    release_v2(&repo);

    scaffold_in(&sandbox, &project, &["update"])
        .code(1)
        .stdout(predicate::str::contains("conflict  added.txt"));
    assert_eq!(read(&project, "docs/ours.md"), "our own notes\n");
    let added = read(&project, "added.txt");
    assert!(
        added.contains("our own added.txt\n")
            && added.contains("new in v2\n")
            && added.contains("<<<<<<<"),
        "{added}"
    );
}

#[test]
fn the_update_after_an_update_changes_nothing() {
    let sandbox = Sandbox::new();
    let repo = template_v1(&sandbox);
    let project = sandbox.new_project(&repo.url());
    edit(&project, "notes.txt", "two\n", "two, edited by the team\n");
    release_v2(&repo);
    scaffold_in(&sandbox, &project, &["update"]).success();
    let before = snapshot(&project);

    scaffold_in(&sandbox, &project, &["update"])
        .success()
        .stdout(predicate::str::contains("Already up to date"));
    assert_eq!(snapshot(&project), before);
}

#[test]
fn diff_prints_the_plan_as_plain_unified_diffs_when_not_on_a_terminal() {
    let sandbox = Sandbox::new();
    let repo = template_v1(&sandbox);
    let project = sandbox.new_project(&repo.url());
    release_v2(&repo);
    let before = snapshot(&project);

    let output = scaffold_in(&sandbox, &project, &["diff"])
        .success()
        .get_output()
        .stdout
        .clone();
    let diff = String::from_utf8(output).unwrap();
    assert!(
        diff.contains("--- a/notes.txt\n+++ b/notes.txt\n"),
        "{diff}"
    );
    assert!(diff.contains("\n-nine\n+nine, as of v2\n"), "{diff}");
    assert!(diff.contains("--- /dev/null\n+++ b/added.txt\n"), "{diff}");
    assert!(
        diff.contains("--- a/dropped.txt\n+++ /dev/null\n"),
        "{diff}"
    );
    assert!(
        !diff.contains('\u{1b}'),
        "no colour codes off a terminal: {diff:?}"
    );
    assert_eq!(snapshot(&project), before, "diff writes nothing");
}

#[test]
fn a_local_template_folder_in_git_updates_from_its_recorded_commit() {
    let sandbox = Sandbox::new();
    let repo = template_v1(&sandbox);
    let template = repo.dir.display().to_string();
    let project = sandbox.new_project(&template);
    edit(&project, "notes.txt", "two\n", "two, edited by the team\n");
    release_v2(&repo);

    scaffold_in(&sandbox, &project, &["update"]).success();
    let notes = read(&project, "notes.txt");
    assert!(
        notes.contains("two, edited by the team\n") && notes.contains("nine, as of v2\n"),
        "{notes}"
    );
}

#[test]
fn vcs_ref_picks_the_version_to_update_to() {
    let sandbox = Sandbox::new();
    let repo = template_v1(&sandbox);
    let project = sandbox.new_project(&repo.url());
    release_v2(&repo);
    repo.write("stable.txt", "changed in v3\n").release("v3");

    scaffold_in(&sandbox, &project, &["update", "--vcs-ref", "v2"]).success();
    assert_eq!(read(&project, "stable.txt"), "never changes\n");
    assert!(read(&project, ".copier-answers.yml").contains("_commit: v2\n"));
    scaffold_in(&sandbox, &project, &["update"]).success();
    assert_eq!(read(&project, "stable.txt"), "changed in v3\n");
}
