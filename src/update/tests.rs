use std::fs;

use super::*;
use crate::merge::{Action, Entry};
use crate::render::DEFAULT_ANSWERS_FILE;
use crate::source::{self, Source};
use crate::tree::File;

fn entry(path: &str, action: Action) -> Entry {
    Entry {
        path: path.to_owned(),
        base: None,
        theirs: None,
        ours: None,
        action,
        is_answers_file: false,
    }
}

#[test]
fn a_failing_step_undoes_every_earlier_one() {
    let project = tempfile::tempdir().unwrap();
    let root = project.path();
    fs::write(root.join("a.txt"), "old a\n").unwrap();
    fs::write(root.join("b.txt"), "old b\n").unwrap();
    fs::write(root.join("c"), "a file where the plan needs a folder\n").unwrap();
    let plan = Plan {
        entries: vec![
            entry("a.txt", Action::Update(File::new("new a\n", false))),
            entry("b.txt", Action::Delete),
            entry("c/x.txt", Action::Add(File::new("x\n", false))),
            entry("d/e/new.txt", Action::Add(File::new("new\n", false))),
        ],
    };
    apply(root, &plan).unwrap_err();
    assert_eq!(fs::read_to_string(root.join("a.txt")).unwrap(), "old a\n");
    assert_eq!(fs::read_to_string(root.join("b.txt")).unwrap(), "old b\n");
    let mut left: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["a.txt", "b.txt", "c"],
        "no staging folder or new file is left"
    );
}

#[test]
fn a_deleted_file_takes_the_folders_it_leaves_empty_with_it() {
    let project = tempfile::tempdir().unwrap();
    let root = project.path();
    fs::create_dir_all(root.join("old/deeper")).unwrap();
    fs::write(root.join("old/deeper/gone.txt"), "x\n").unwrap();
    fs::write(root.join("keep.txt"), "k\n").unwrap();
    let plan = Plan {
        entries: vec![entry("old/deeper/gone.txt", Action::Delete)],
    };
    apply(root, &plan).unwrap();
    assert!(!root.join("old").exists());
    assert!(root.join("keep.txt").exists());
}

#[test]
fn a_builtin_project_updates_from_the_embedded_release_that_rendered_it() {
    let temp = tempfile::tempdir().unwrap();
    let project = temp.path().join("svc");
    let render_builtin = |source: Source| {
        let spec = Spec::load(&source).unwrap();
        let input = AnswerInput {
            folder_name: "svc".into(),
            defaults: true,
            ..AnswerInput::default()
        };
        generate::render_with(source, spec, input, None).unwrap()
    };
    let old = render_builtin(Source::builtin_at("service", "0.0.1").unwrap());
    crate::disk::write_new(&old.tree, &project, &crate::disk::WriteOptions::default()).unwrap();
    let readme = project.join("README.md");
    let text = fs::read_to_string(&readme).unwrap();
    fs::write(
        &readme,
        text.replacen("# svc\n", "# svc, the team's service\n", 1),
    )
    .unwrap();

    let options = UpdateOptions {
        project: project.clone(),
        defaults: true,
        ..UpdateOptions::default()
    };
    let outcome = update(&options, None).unwrap();
    let action = |path: &str| {
        outcome
            .prepared
            .plan
            .entries
            .iter()
            .find(|entry| entry.path == path)
            .map(|entry| entry.action.clone())
    };
    assert_eq!(outcome.prepared.from_version.as_deref(), Some("0.0.1"));
    assert!(matches!(action("README.md"), Some(Action::Merge(_))));
    assert_eq!(action("CHANGES.md"), Some(Action::Delete));
    assert!(matches!(action("Cargo.toml"), Some(Action::Add(_))));

    let current = render_builtin(Source::builtin(source::DEFAULT_BUILTIN).unwrap());
    let expected = String::from_utf8(current.tree.get("README.md").unwrap().contents.clone())
        .unwrap()
        .replacen("# svc\n", "# svc, the team's service\n", 1);
    assert_eq!(fs::read_to_string(&readme).unwrap(), expected);
    assert!(!project.join("CHANGES.md").exists());
    let answers = fs::read_to_string(project.join(DEFAULT_ANSWERS_FILE)).unwrap();
    assert!(
        answers.contains(&format!("_commit: {}\n", source::BUILTIN_VERSION)),
        "{answers}"
    );
}
