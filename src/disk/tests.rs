use super::*;

fn tree() -> Tree {
    let mut tree = Tree::new();
    tree.insert("a.txt".into(), File::new("a", false));
    tree.insert("bin/run".into(), File::new("#!/bin/sh\n", true));
    tree
}

#[test]
fn writes_a_new_folder_with_modes() {
    let temp = tempfile::tempdir().unwrap();
    let dest = temp.path().join("out");
    let report = write_new(&tree(), &dest, &WriteOptions::default()).unwrap();
    assert_eq!(report.created, ["a.txt", "bin/run"]);
    assert_eq!(fs::read_to_string(dest.join("a.txt")).unwrap(), "a");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(dest.join("bin/run"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
    }
    let leftovers: Vec<_> = fs::read_dir(temp.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no staging folder is left behind");
}

#[test]
fn refuses_a_non_empty_destination_without_force() {
    let temp = tempfile::tempdir().unwrap();
    fs::write(temp.path().join("mine.txt"), "mine").unwrap();
    let err = write_new(&tree(), temp.path(), &WriteOptions::default()).unwrap_err();
    assert!(matches!(err, WriteError::NotEmpty { .. }));
}

#[test]
fn force_overwrites_only_template_files_and_honours_skip_if_exists() {
    let temp = tempfile::tempdir().unwrap();
    fs::write(temp.path().join("mine.txt"), "mine").unwrap();
    fs::write(temp.path().join("a.txt"), "old").unwrap();
    let options = WriteOptions {
        force: true,
        skip_if_exists: vec!["a.txt".into()],
    };
    let report = write_new(&tree(), temp.path(), &options).unwrap();
    assert_eq!(report.skipped, ["a.txt"]);
    assert_eq!(
        fs::read_to_string(temp.path().join("a.txt")).unwrap(),
        "old"
    );
    assert_eq!(
        fs::read_to_string(temp.path().join("mine.txt")).unwrap(),
        "mine"
    );
    assert!(temp.path().join("bin/run").exists());
}

#[cfg(unix)]
#[test]
fn refuses_to_write_through_a_symlink_leading_out() {
    let temp = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let dest = temp.path().join("dest");
    fs::create_dir(&dest).unwrap();
    std::os::unix::fs::symlink(outside.path(), dest.join("bin")).unwrap();
    let options = WriteOptions {
        force: true,
        ..WriteOptions::default()
    };
    let err = write_new(&tree(), &dest, &options).unwrap_err();
    assert!(matches!(err, WriteError::Symlink { .. }), "{err}");
    assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0);
    assert!(
        !dest.join("a.txt").exists(),
        "nothing is written when one file is refused"
    );
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn an_empty_existing_folder_is_filled_in_place_without_leftovers() {
    let temp = tempfile::tempdir().unwrap();
    let report = write_new(&tree(), temp.path(), &WriteOptions::default()).unwrap();
    assert_eq!(report.created, ["a.txt", "bin/run"]);
    assert_eq!(entries(temp.path()), ["a.txt", "bin"]);
}

#[test]
fn a_template_file_meeting_a_user_folder_refuses_before_writing() {
    let temp = tempfile::tempdir().unwrap();
    fs::write(temp.path().join("a.txt"), "mine").unwrap();
    fs::create_dir_all(temp.path().join("z/inner")).unwrap();
    let mut tree = tree();
    tree.insert("z".into(), File::new("theirs", false));
    let options = WriteOptions {
        force: true,
        ..WriteOptions::default()
    };
    let err = write_new(&tree, temp.path(), &options).unwrap_err();
    assert!(
        matches!(err, WriteError::Clash { ref path, .. } if path == "z"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(temp.path().join("a.txt")).unwrap(),
        "mine"
    );
    assert_eq!(entries(temp.path()), ["a.txt", "z"]);
}

#[test]
fn a_template_folder_meeting_a_user_file_refuses_before_writing() {
    let temp = tempfile::tempdir().unwrap();
    fs::write(temp.path().join("a.txt"), "mine").unwrap();
    fs::write(temp.path().join("bin"), "a file of mine").unwrap();
    let options = WriteOptions {
        force: true,
        ..WriteOptions::default()
    };
    let err = write_new(&tree(), temp.path(), &options).unwrap_err();
    assert!(
        err.to_string()
            .contains("`bin` in the destination is a file"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(temp.path().join("a.txt")).unwrap(),
        "mine"
    );
    assert_eq!(entries(temp.path()), ["a.txt", "bin"]);
}

#[test]
fn a_destination_below_a_file_is_named() {
    let temp = tempfile::tempdir().unwrap();
    fs::write(temp.path().join("file"), "x").unwrap();
    let err = write_new(
        &tree(),
        &temp.path().join("file/sub/dest"),
        &WriteOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, WriteError::UnderAFile { .. }), "{err}");
    assert!(err.to_string().contains("is a file, not a folder"), "{err}");
}

#[test]
fn missing_parents_are_created_and_removed_again_on_failure() {
    let temp = tempfile::tempdir().unwrap();
    let dest = temp.path().join("x/y/dest");
    write_new(&tree(), &dest, &WriteOptions::default()).unwrap();
    assert_eq!(entries(&dest), ["a.txt", "bin"]);
    let mut bad = Tree::new();
    bad.insert("n".repeat(300), File::new("too long a name", false));
    let err = write_new(
        &bad,
        &temp.path().join("p/q/dest"),
        &WriteOptions::default(),
    );
    assert!(err.is_err());
    assert_eq!(
        entries(temp.path()),
        ["x"],
        "created parents are removed again"
    );
}

#[cfg(unix)]
#[test]
fn a_failure_while_moving_into_place_puts_every_earlier_file_back() {
    let temp = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    fs::write(temp.path().join("a.txt"), "mine").unwrap();
    let mut transaction = Transaction::new(temp.path()).unwrap();
    transaction
        .write("a.txt", &File::new("theirs", false))
        .unwrap();
    transaction
        .write("new/b.txt", &File::new("b", false))
        .unwrap();
    transaction
        .write("z/c.txt", &File::new("c", false))
        .unwrap();
    // Planned while safe; a symlink appears before the moves reach it.
    std::os::unix::fs::symlink(outside.path(), temp.path().join("z")).unwrap();
    let err = transaction.commit().unwrap_err();
    assert!(matches!(err, WriteError::Symlink { .. }), "{err}");
    assert_eq!(
        fs::read_to_string(temp.path().join("a.txt")).unwrap(),
        "mine"
    );
    assert_eq!(entries(temp.path()), ["a.txt", "z"]);
    assert!(entries(outside.path()).is_empty());
}

#[test]
fn a_transaction_removes_files_and_leaves_no_staging_folder() {
    let temp = tempfile::tempdir().unwrap();
    fs::write(temp.path().join("old.txt"), "old").unwrap();
    let mut transaction = Transaction::new(temp.path()).unwrap();
    transaction.remove("old.txt");
    transaction
        .write("new.txt", &File::new("new", false))
        .unwrap();
    transaction.commit().unwrap();
    assert_eq!(entries(temp.path()), ["new.txt"]);
}
