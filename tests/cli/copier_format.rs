//! Copier templates as Copier 9.19 renders them: multi-document copier.yml
//! and `!include`, the template's own answers file, secrets, modes and empty
//! folders, `_exclude`, the empty suffix, `_tasks` and the flags around them.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use predicates::prelude::*;

use crate::support::Sandbox;

pub(super) fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A template using most of what this file tests.
fn template(sandbox: &Sandbox) -> std::path::PathBuf {
    let root = sandbox.join("tpl");
    write(
        &root,
        "copier.yml",
        "_secret_questions: [token]\nname: demo\ntoken: s3cret\nhidden:\n  type: str\n  when: false\ncomputed:\n  type: str\n  default: \"{{ name }}-x\"\n  when: false\n  validator: \"never valid\"\n---\n!include inc/*.yml\n",
    );
    write(
        &root,
        "inc/more.yml",
        "port:\n  type: int\n  default: 80\n_exclude: [skipme.txt]\n",
    );
    write(
        &root,
        "{{_copier_conf.answers_file}}.jinja",
        "# Changes here will be overwritten by Copier\n{{ _copier_answers|to_nice_yaml -}}\n",
    );
    write(
        &root,
        "out.txt.jinja",
        "n={{ name }} t={{ token }} h=[{{ hidden }}] c={{ computed }} p={{ port }}\n",
    );
    write(&root, "skipme.txt", "x\n");
    write(&root, "sub/private", "y\n");
    write(&root, "sub/run.sh", "#!/bin/sh\n");
    std::fs::create_dir_all(root.join("empty")).unwrap();
    std::fs::set_permissions(
        root.join("sub/private"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    std::fs::set_permissions(
        root.join("sub/run.sh"),
        std::fs::Permissions::from_mode(0o750),
    )
    .unwrap();
    root
}

#[test]
fn a_copier_template_renders_its_own_answers_file_modes_and_empty_folders() {
    let sandbox = Sandbox::new();
    let root = template(&sandbox);
    sandbox
        .scaffold(&["new", "out", "-t", root.to_str().unwrap(), "--defaults"])
        .assert()
        .success();
    assert_eq!(
        sandbox.read("out/out.txt"),
        "n=demo t=s3cret h=[] c=demo-x p=80\n",
        "when:false without default is undefined; with one it is not validated"
    );
    let answers = sandbox.read("out/.copier-answers.yml");
    assert_eq!(
        answers,
        format!(
            "# Changes here will be overwritten by Copier\n_src_path: {}\nname: demo\nport: 80\n",
            root.display()
        )
    );
    assert!(!sandbox.join("out/.scaffold-answers.yml").exists());
    assert!(
        !sandbox.join("out/skipme.txt").exists(),
        "_exclude from an included file"
    );
    assert!(
        sandbox.join("out/copier.yml").exists(),
        "a template's own `_exclude` replaces Copier's defaults"
    );
    assert!(
        sandbox.join("out/empty").is_dir(),
        "empty folders are created"
    );
    assert_eq!(mode(&sandbox.join("out/sub/private")), 0o600);
    assert_eq!(mode(&sandbox.join("out/sub/run.sh")), 0o750);
}

#[test]
fn a_copier_template_without_an_answers_file_template_gets_none() {
    let sandbox = Sandbox::new();
    let root = sandbox.join("tpl");
    write(&root, "copier.yml", "name: demo\n");
    write(&root, "a.txt.jinja", "{{ name }}\n");
    sandbox
        .scaffold(&["new", "out", "-t", root.to_str().unwrap(), "--defaults"])
        .assert()
        .success();
    assert_eq!(sandbox.files("out"), ["a.txt"]);
}

#[test]
fn defaults_do_not_apply_under_a_subdirectory_and_an_empty_suffix_copies_binary_files() {
    let sandbox = Sandbox::new();
    let root = sandbox.join("tpl");
    write(
        &root,
        "copier.yml",
        "_subdirectory: t\n_templates_suffix: ''\nname: demo\n",
    );
    write(&root, "t/copier.yml", "kept: {{ name }}\n");
    write(&root, "t/plain.txt", "{{ name }}\n");
    std::fs::write(root.join("t/blob.bin"), [0xff, 0xfe, 0x00, 0x7b, 0x7b]).unwrap();
    sandbox
        .scaffold(&["new", "out", "-t", root.to_str().unwrap(), "--defaults"])
        .assert()
        .success();
    assert_eq!(sandbox.read("out/copier.yml"), "kept: demo\n");
    assert_eq!(sandbox.read("out/plain.txt"), "demo\n");
    assert_eq!(
        std::fs::read(sandbox.join("out/blob.bin")).unwrap(),
        [0xff, 0xfe, 0x00, 0x7b, 0x7b]
    );
}

#[test]
fn tasks_need_trust_and_run_with_it() {
    let sandbox = Sandbox::new();
    let root = sandbox.join("tpl");
    write(&root, "copier.yml", "_tasks: [touch ran]\nname: demo\n");
    write(&root, "a.txt", "a\n");
    let template = root.to_str().unwrap();
    sandbox
        .scaffold(&["new", "out", "-t", template, "--defaults"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--trust"));
    assert!(!sandbox.join("out").exists(), "nothing written");
    sandbox
        .scaffold(&["new", "out", "-t", template, "--defaults", "--UNSAFE"])
        .assert()
        .success();
    assert!(
        sandbox.join("out/ran").exists(),
        "the task ran in the project"
    );
    sandbox
        .scaffold(&["new", "out2", "-t", template, "--defaults", "-T"])
        .assert()
        .success();
    assert!(!sandbox.join("out2/ran").exists(), "-T leaves tasks out");
}

#[test]
fn data_file_answers_and_data_wins_over_it() {
    let sandbox = Sandbox::new();
    let root = sandbox.join("tpl");
    write(&root, "copier.yml", "a: x\nb: 1\n");
    write(&root, "out.jinja", "{{ a }} {{ b + 1 }}\n");
    write(sandbox.path(), "data.yml", "a: from-file\nb: 41\n");
    sandbox
        .scaffold(&[
            "new",
            "out",
            "-t",
            root.to_str().unwrap(),
            "--defaults",
            "--data-file",
            "data.yml",
            "-d",
            "a=cli",
        ])
        .assert()
        .success();
    assert_eq!(sandbox.read("out/out"), "cli 42\n");
}

#[test]
fn question_names_that_cannot_be_flags_are_answered_with_data() {
    let sandbox = Sandbox::new();
    let root = sandbox.join("tpl");
    write(&root, "copier.yml", "dry-run: x\n'a b': y\n-x: z\n");
    write(&root, "out.jinja", "{{ _copier_answers['a b'] }}\n");
    let template = root.to_str().unwrap();
    sandbox
        .scaffold(&["new", "--help", "-t", template])
        .assert()
        .success();
    sandbox
        .scaffold(&[
            "new",
            "out",
            "-t",
            template,
            "--defaults",
            "-d",
            "a b=given",
        ])
        .assert()
        .success();
    assert_eq!(sandbox.read("out/out"), "given\n");
}

/// The same template through Copier itself, where it is installed: identical trees.
#[test]
fn the_template_renders_as_copier_renders_it() {
    let works = std::process::Command::new("copier")
        .arg("--version")
        .output();
    if !works.is_ok_and(|output| output.status.success()) {
        eprintln!("copier is not installed; skipped");
        return;
    }
    let sandbox = Sandbox::new();
    let root = template(&sandbox);
    let copier = std::process::Command::new("copier")
        .args(["copy", "--defaults", "--trust", "--quiet"])
        .arg(&root)
        .arg(sandbox.join("by-copier"))
        .output()
        .unwrap();
    assert!(
        copier.status.success(),
        "{}",
        String::from_utf8_lossy(&copier.stderr)
    );
    sandbox
        .scaffold(&[
            "new",
            "by-scaffold",
            "-t",
            root.to_str().unwrap(),
            "--defaults",
        ])
        .assert()
        .success();
    let listing = |dir: &str| {
        let output = std::process::Command::new("find")
            .arg(".")
            .args(["-printf", "%m %y %p\n"])
            .current_dir(sandbox.join(dir))
            .output()
            .unwrap();
        let mut lines: Vec<String> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_owned)
            .collect();
        lines.sort();
        lines
    };
    assert_eq!(listing("by-copier"), listing("by-scaffold"));
    for file in sandbox.files("by-copier") {
        assert_eq!(
            std::fs::read(sandbox.join("by-copier").join(&file)).unwrap(),
            std::fs::read(sandbox.join("by-scaffold").join(&file)).unwrap(),
            "{file} differs"
        );
    }
}

#[test]
fn external_data_is_read_from_the_destination() {
    let sandbox = Sandbox::new();
    let root = sandbox.join("tpl");
    write(
        &root,
        "copier.yml",
        "_external_data:\n  shared: \"{{ folder }}/settings.yml\"\n  gone: missing.yml\nfolder: shared\n",
    );
    write(
        &root,
        "out.jinja",
        "{{ _external_data.shared.region }} [{{ _external_data.gone }}]\n",
    );
    write(
        sandbox.path(),
        "out/shared/settings.yml",
        "region: eu-west\n",
    );
    sandbox
        .scaffold(&[
            "new",
            "out",
            "-t",
            root.to_str().unwrap(),
            "--defaults",
            "--force",
        ])
        .assert()
        .success();
    assert_eq!(sandbox.read("out/out"), "eu-west [{}]\n");
}

#[test]
fn preserve_symlinks_writes_symlinks_as_copier_does() {
    let sandbox = Sandbox::new();
    let root = sandbox.join("tpl");
    write(
        &root,
        "copier.yml",
        "_preserve_symlinks: true\nname: demo\n",
    );
    write(&root, "AGENTS.md", "agents\n");
    write(&root, "dir/inner.txt", "inner\n");
    std::fs::create_dir_all(root.join(".claude")).unwrap();
    std::os::unix::fs::symlink("../AGENTS.md", root.join(".claude/CLAUDE.md")).unwrap();
    std::os::unix::fs::symlink("dir", root.join("dirlink")).unwrap();
    let template = root.to_str().unwrap();
    sandbox
        .scaffold(&["new", "out", "-t", template, "--defaults"])
        .assert()
        .success();
    let link = |path: &str| std::fs::read_link(sandbox.join(path)).unwrap();
    assert_eq!(link("out/.claude/CLAUDE.md"), Path::new("../AGENTS.md"));
    assert_eq!(link("out/dirlink"), Path::new("dir"));
    assert_eq!(sandbox.read("out/dirlink/inner.txt"), "inner\n");

    std::os::unix::fs::symlink("/etc/hostname", root.join("dir/abs")).unwrap();
    sandbox
        .scaffold(&["new", "out2", "-t", template, "--defaults"])
        .assert()
        .failure();
    assert!(!sandbox.join("out2").exists());
}

#[test]
fn yield_in_a_path_makes_one_entry_per_item() {
    let sandbox = Sandbox::new();
    let root = sandbox.join("tpl");
    write(
        &root,
        "copier.yml",
        "mods:\n  type: yaml\n  default: [core, web]\n",
    );
    write(
        &root,
        "{% yield m from mods %}{{ m }}{% endyield %}/{{ m }}.txt.jinja",
        "{{ m }} of {{ mods | length }}\n",
    );
    sandbox
        .scaffold(&["new", "out", "-t", root.to_str().unwrap(), "--defaults"])
        .assert()
        .success();
    assert_eq!(sandbox.files("out"), ["core/core.txt", "web/web.txt"]);
    assert_eq!(sandbox.read("out/web/web.txt"), "web of 2\n");

    write(
        &root,
        "{% yield a from mods %}{{ a }}{% endyield %}{% yield b from mods %}{{ b }}{% endyield %}.txt",
        "x\n",
    );
    sandbox
        .scaffold(&["new", "out2", "-t", root.to_str().unwrap(), "--defaults"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("only one `yield`"));
}

#[test]
fn a_local_git_template_renders_its_newest_tag_as_copier_does() {
    let sandbox = Sandbox::new();
    let root = sandbox.join("tpl");
    write(&root, "copier.yml", "name: demo\n");
    write(&root, "version.txt", "1.0\n");
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(["-c", "user.email=t@t", "-c", "user.name=t"])
            .args(args)
            .current_dir(&root)
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "one"]);
    git(&["tag", "v1.0.0"]);
    write(&root, "version.txt", "2.0-dev\n");
    git(&["commit", "-qam", "two"]);
    let template = root.to_str().unwrap();
    sandbox
        .scaffold(&["new", "out", "-t", template, "--defaults"])
        .assert()
        .success();
    assert_eq!(sandbox.read("out/version.txt"), "1.0\n");
    sandbox
        .scaffold(&[
            "new",
            "head",
            "-t",
            template,
            "--defaults",
            "--vcs-ref",
            "HEAD",
        ])
        .assert()
        .success();
    assert_eq!(sandbox.read("head/version.txt"), "2.0-dev\n");
}

#[test]
fn a_templated_answers_file_is_rendered_with_the_answers() {
    let sandbox = Sandbox::new();
    let root = sandbox.join("tpl");
    write(
        &root,
        "copier.yml",
        "_answers_file: \".config/{{ name }}-answers.yml\"\nname: demo\n",
    );
    write(
        &root,
        "{{ _copier_conf.answers_file }}.jinja",
        "{{ _copier_answers|to_nice_yaml -}}\n",
    );
    write(
        &root,
        "where.txt.jinja",
        "{{ _copier_conf.answers_file }}\n",
    );
    sandbox
        .scaffold(&["new", "out", "-t", root.to_str().unwrap(), "--defaults"])
        .assert()
        .success();
    assert!(
        sandbox
            .read("out/.config/demo-answers.yml")
            .contains("name: demo\n")
    );
    assert_eq!(sandbox.read("out/where.txt"), ".config/demo-answers.yml\n");
}

#[test]
fn empty_folders_and_symlinks_also_arrive_with_force() {
    let sandbox = Sandbox::new();
    let root = sandbox.join("tpl");
    write(&root, "copier.yml", "_preserve_symlinks: true\nname: x\n");
    write(&root, "a.txt", "a\n");
    std::fs::create_dir_all(root.join("empty")).unwrap();
    std::os::unix::fs::symlink("a.txt", root.join("link")).unwrap();
    write(sandbox.path(), "out/mine.txt", "mine\n");
    sandbox
        .scaffold(&[
            "new",
            "out",
            "-t",
            root.to_str().unwrap(),
            "--defaults",
            "--force",
        ])
        .assert()
        .success();
    assert!(sandbox.join("out/empty").is_dir());
    assert_eq!(
        std::fs::read_link(sandbox.join("out/link")).unwrap(),
        Path::new("a.txt")
    );
    assert_eq!(sandbox.read("out/mine.txt"), "mine\n");
}
