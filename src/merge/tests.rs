use super::*;

fn tree(files: &[(&str, &str)]) -> Tree {
    let mut tree = Tree::new();
    for (path, contents) in files {
        tree.insert((*path).to_owned(), File::new(*contents, false));
    }
    tree
}

fn plan_of(base: &Tree, theirs: &Tree, ours: &Tree, style: ConflictStyle) -> Plan {
    let ours = Ours {
        files: ours.clone(),
        ..Ours::default()
    };
    plan(&PlanInput {
        base,
        theirs,
        ours: &ours,
        answers_file: ".answers.yml",
        base_answers_file: ".answers.yml",
        skip_if_exists: &|_| false,
        style,
        context_lines: 1,
    })
}

fn action(plan: &Plan, path: &str) -> Action {
    plan.entries
        .iter()
        .find(|entry| entry.path == path)
        .map_or_else(
            || panic!("no entry for {path}"),
            |entry| entry.action.clone(),
        )
}

#[test]
fn each_side_alone_decides_its_files() {
    let base = tree(&[
        ("same", "1\n"),
        ("theirs", "1\n"),
        ("ours", "1\n"),
        ("gone", "x\n"),
    ]);
    let theirs = tree(&[
        ("same", "1\n"),
        ("theirs", "2\n"),
        ("ours", "1\n"),
        ("new", "n\n"),
    ]);
    let ours = tree(&[
        ("same", "1\n"),
        ("theirs", "1\n"),
        ("ours", "2\n"),
        ("gone", "x\n"),
    ]);
    let plan = plan_of(&base, &theirs, &ours, ConflictStyle::Inline);
    assert_eq!(action(&plan, "same"), Action::Keep(Kept::Unchanged));
    assert_eq!(
        action(&plan, "theirs"),
        Action::Update(File::new("2\n", false))
    );
    assert_eq!(action(&plan, "ours"), Action::Keep(Kept::Edited));
    assert_eq!(action(&plan, "gone"), Action::Delete);
    assert_eq!(action(&plan, "new"), Action::Add(File::new("n\n", false)));
}

#[test]
fn edits_in_different_regions_merge() {
    let base = tree(&[("f", "a\nb\nc\nd\ne\n")]);
    let theirs = tree(&[("f", "a\nb\nc\nd\nE\n")]);
    let ours = tree(&[("f", "A\nb\nc\nd\ne\n")]);
    let plan = plan_of(&base, &theirs, &ours, ConflictStyle::Inline);
    assert_eq!(
        action(&plan, "f"),
        Action::Merge(File::new("A\nb\nc\nd\nE\n", false))
    );
}

#[test]
fn clashing_edits_get_labelled_markers() {
    let base = tree(&[("f", "a\nb\nc\n")]);
    let theirs = tree(&[("f", "a\nB2\nc\n")]);
    let ours = tree(&[("f", "a\nB1\nc\n")]);
    let plan = plan_of(&base, &theirs, &ours, ConflictStyle::Inline);
    let Action::Conflict(conflict) = action(&plan, "f") else {
        panic!("expected a conflict")
    };
    assert_eq!(conflict.regions, 1);
    assert_eq!(
        String::from_utf8(conflict.result.unwrap().contents).unwrap(),
        "a\n<<<<<<< before updating\nB1\n=======\nB2\n>>>>>>> after updating\nc\n"
    );
}

#[test]
fn rej_takes_the_templates_lines_and_rejects_the_projects_hunks() {
    let base = tree(&[("f", "a\nb\nc\nd\ne\nf\n")]);
    let theirs = tree(&[("f", "a\nB2\nc\nd\ne\nf\n")]);
    let ours = tree(&[("f", "a\nB1\nc\nd\ne\nF\n")]);
    let plan = plan_of(&base, &theirs, &ours, ConflictStyle::Rej);
    let Action::Conflict(conflict) = action(&plan, "f") else {
        panic!("expected a conflict")
    };
    assert_eq!(
        String::from_utf8(conflict.result.unwrap().contents).unwrap(),
        "a\nB2\nc\nd\ne\nF\n",
        "the template's line and the project's clean change"
    );
    let reject = String::from_utf8(conflict.reject.unwrap()).unwrap();
    assert_eq!(
        reject,
        "diff a/f b/f\t(rejected hunks)\n@@ -1,3 +1,3 @@\n a\n-b\n+B1\n c\n"
    );
    assert_eq!(conflict.reject_path, "f.rej");
}

#[test]
fn a_file_missing_its_final_newline_still_merges() {
    let base = tree(&[("f", "a\nb")]);
    let theirs = tree(&[("f", "a\nc")]);
    let ours = tree(&[("f", "a\nd")]);
    let plan = plan_of(&base, &theirs, &ours, ConflictStyle::Rej);
    let Action::Conflict(conflict) = action(&plan, "f") else {
        panic!("expected a conflict")
    };
    assert_eq!(conflict.result, Some(File::new("a\nc", false)));
    let reject = String::from_utf8(conflict.reject.unwrap()).unwrap();
    assert!(
        reject.ends_with("-b\n\\ No newline at end of file\n+d\n\\ No newline at end of file\n"),
        "{reject}"
    );
}

#[test]
fn a_new_template_file_clashing_with_the_projects_own_is_a_conflict() {
    let base = tree(&[]);
    let theirs = tree(&[("f", "template\n")]);
    let ours = tree(&[("f", "mine\n")]);
    let plan = plan_of(&base, &theirs, &ours, ConflictStyle::Inline);
    let Action::Conflict(conflict) = action(&plan, "f") else {
        panic!("expected a conflict")
    };
    assert_eq!(conflict.kind, ConflictKind::BothAdded);
}

#[test]
fn a_dropped_file_the_project_edited_stays() {
    let base = tree(&[("f", "1\n")]);
    let theirs = tree(&[]);
    let ours = tree(&[("f", "2\n")]);
    let plan = plan_of(&base, &theirs, &ours, ConflictStyle::Inline);
    assert_eq!(action(&plan, "f"), Action::Keep(Kept::DroppedButEdited));
}

#[test]
fn a_file_the_project_deleted_stays_deleted_with_the_template_change_rejected() {
    let base = tree(&[("f", "1\n")]);
    let theirs = tree(&[("f", "2\n")]);
    let ours = tree(&[]);
    let plan = plan_of(&base, &theirs, &ours, ConflictStyle::Inline);
    let Action::Conflict(conflict) = action(&plan, "f") else {
        panic!("expected a conflict")
    };
    assert_eq!(conflict.kind, ConflictKind::DeletedInProject);
    assert_eq!(conflict.result, None);
}

#[test]
fn the_answers_file_is_last_and_always_the_templates() {
    let base = tree(&[(".answers.yml", "a: 1\n"), ("z", "1\n")]);
    let theirs = tree(&[(".answers.yml", "a: 2\n"), ("z", "1\n")]);
    let ours = tree(&[(".answers.yml", "a: 1\n"), ("z", "1\n")]);
    let plan = plan_of(&base, &theirs, &ours, ConflictStyle::Inline);
    let last = plan.entries.last().unwrap();
    assert!(last.is_answers_file);
    assert_eq!(last.action, Action::Update(File::new("a: 2\n", false)));
}
