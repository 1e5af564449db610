use super::*;

#[test]
fn template_references_are_recognised() {
    assert_eq!(
        TemplateRef::parse("gh:org/tpl"),
        TemplateRef::Git {
            url: "https://github.com/org/tpl.git".into(),
            given: "gh:org/tpl".into(),
        }
    );
    let local_git = TemplateRef::parse("git+file:///srv/tpl");
    assert_eq!(
        local_git,
        TemplateRef::Git {
            url: "file:///srv/tpl".into(),
            given: "git+file:///srv/tpl".into(),
        }
    );
    assert_eq!(
        local_git.describe(),
        "git+file:///srv/tpl",
        "_src_path is recorded as given, as Copier records it"
    );
    assert_eq!(
        TemplateRef::parse("builtin:service"),
        TemplateRef::Builtin("service".into())
    );
    assert_eq!(
        TemplateRef::parse("./my-template"),
        TemplateRef::Local("./my-template".into())
    );
    assert!(matches!(
        TemplateRef::parse("https://example.com/t.git"),
        TemplateRef::Git { .. }
    ));
}

#[test]
fn builtin_service_template_is_embedded() {
    let source = Source::builtin(DEFAULT_BUILTIN).unwrap();
    assert!(
        source
            .read("templates/service/copier.yml")
            .unwrap()
            .is_some()
    );
    assert!(builtin_names().contains(&"service".to_owned()));
}

#[test]
fn builtin_versions_come_from_the_current_templates_or_a_frozen_release() {
    let current = Source::builtin_at(DEFAULT_BUILTIN, BUILTIN_VERSION).unwrap();
    assert_eq!(current.version(), Some(BUILTIN_VERSION));
    let old = Source::builtin_at(DEFAULT_BUILTIN, "0.0.1").unwrap();
    assert_eq!(old.version(), Some("0.0.1"));
    assert_eq!(
        old.read("templates/service/CHANGES.md").unwrap().as_deref(),
        Some(&b"Nothing yet.\n"[..])
    );
    let walked: Vec<String> = old
        .walk("templates/service")
        .unwrap()
        .into_iter()
        .map(|file| file.path)
        .collect();
    assert_eq!(walked, ["CHANGES.md", "README.md.jinja", "copier.yml"]);
    let err = Source::builtin_at(DEFAULT_BUILTIN, "0.0.0")
        .unwrap_err()
        .to_string();
    assert!(err.contains("version 0.0.0 is not embedded"), "{err}");
    assert!(err.contains("0.0.1"), "{err}");
}

#[test]
fn module_paths_cannot_leave_the_source() {
    let source = Source::builtin(DEFAULT_BUILTIN).unwrap();
    assert_eq!(
        source.resolve("../../modules/websocket").unwrap(),
        "modules/websocket"
    );
    assert!(source.resolve("../../../etc").is_err());
}

#[cfg(unix)]
mod git_commit {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn git(dir: &Path, args: &[&str]) {
        let output = std::process::Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .output()
            .expect("git runs");
        assert!(output.status.success(), "git {args:?}: {output:?}");
    }

    /// A committed template with files, an executable, and symlinks to a
    /// file, to a folder and up out of a folder.
    fn repository() -> tempfile::TempDir {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path();
        std::fs::create_dir_all(root.join("dir/deeper")).unwrap();
        std::fs::write(root.join("copier.yml"), "name: demo\n").unwrap();
        std::fs::write(root.join("target.txt"), "target\n").unwrap();
        std::fs::write(root.join("dir/deeper/inner.txt"), "inner\n").unwrap();
        std::fs::write(root.join("run.sh"), "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(root.join("run.sh"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        symlink("target.txt", root.join("link.txt")).unwrap();
        symlink("dir", root.join("dirlink")).unwrap();
        symlink("../target.txt", root.join("dir/up.txt")).unwrap();
        git(root, &["init", "--quiet"]);
        git(root, &["add", "--all"]);
        git(root, &["commit", "--quiet", "-m", "one"]);
        temp
    }

    fn listing(source: &Source, dir: &str) -> Vec<(String, Vec<u8>, bool, Option<u32>)> {
        source
            .walk(dir)
            .unwrap()
            .into_iter()
            .map(|file| {
                let mode = (!file.is_dir).then_some(file.mode);
                (file.path, file.contents, file.is_dir, mode)
            })
            .collect()
    }

    #[test]
    fn a_commit_read_in_memory_reads_as_its_checkout_does() {
        let temp = repository();
        let path = temp.path().to_owned();
        let folder = Source::open(&TemplateRef::Local(path.clone()), None).unwrap();
        let commit = Source::open(&TemplateRef::Local(path), Some("HEAD")).unwrap();
        assert_eq!(commit.local_path(), None, "no checkout is written");
        for dir in ["", "dir", "dirlink", "dirlink/deeper", "missing"] {
            assert_eq!(
                listing(&commit, dir),
                listing(&folder, dir),
                "walk of `{dir}`"
            );
        }
        for path in [
            "link.txt",
            "dirlink/up.txt",
            "dir/../target.txt",
            "run.sh",
            "nope",
        ] {
            assert_eq!(
                commit.read(path).unwrap(),
                folder.read(path).unwrap(),
                "{path}"
            );
        }
        for path in ["dir", "dirlink", "dirlink/deeper", "link.txt", "nope", ""] {
            assert_eq!(commit.is_dir(path), folder.is_dir(path), "{path}");
        }
        for path in [
            "link.txt",
            "dirlink",
            "dir/up.txt",
            "dirlink/up.txt",
            "target.txt",
        ] {
            assert_eq!(
                commit.symlink_target(path),
                folder.symlink_target(path),
                "{path}"
            );
        }
        assert!(
            commit.read("dir").is_err(),
            "a folder is not read as a file"
        );
    }

    #[test]
    fn a_committed_symlink_leading_out_or_in_a_loop_is_refused() {
        let temp = repository();
        let root = temp.path();
        symlink("../../outside.txt", root.join("dir/out.txt")).unwrap();
        symlink("/etc/hostname", root.join("absolute.txt")).unwrap();
        symlink("..", root.join("dir/deeper/loop")).unwrap();
        git(root, &["add", "--all"]);
        git(root, &["commit", "--quiet", "-m", "two"]);
        let commit = Source::open(&TemplateRef::Local(root.to_owned()), Some("HEAD")).unwrap();
        for path in ["dir/out.txt", "absolute.txt"] {
            let err = commit.read(path).unwrap_err();
            assert!(matches!(err, SourceError::SymlinkOutside { .. }), "{err}");
        }
        let err = commit.walk("").unwrap_err();
        assert!(matches!(err, SourceError::SymlinkOutside { .. }), "{err}");
        let err = commit.walk("dir/deeper").unwrap_err();
        assert!(matches!(err, SourceError::SymlinkLoop { .. }), "{err}");
    }

    #[test]
    fn a_checkout_is_written_only_when_asked_and_holds_the_commit() {
        let temp = repository();
        let commit =
            Source::open(&TemplateRef::Local(temp.path().to_owned()), Some("HEAD")).unwrap();
        let dir = commit.checkout().unwrap().unwrap();
        assert_eq!(commit.local_path().as_deref(), Some(dir.as_path()));
        assert_eq!(std::fs::read(dir.join("link.txt")).unwrap(), b"target\n");
        assert!(
            std::fs::symlink_metadata(dir.join("dirlink"))
                .unwrap()
                .is_symlink()
        );
        let mode = std::fs::metadata(dir.join("run.sh"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
        drop(commit);
        assert!(!dir.exists(), "the checkout goes with the source");
    }
}
