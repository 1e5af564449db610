//! Renders fixture templates with the real Copier and with scaffold and
//! compares the trees file by file (answers files aside: their names differ by
//! design). Skipped, with a message, where `copier` is not installed; `.ci/run`
//! installs it.

use std::path::Path;
use std::process::Command;

use crate::support::{Sandbox, fixture};

const CASES: &[(&str, &[&str])] = &[
    ("copier-basic", &[]),
    (
        "copier-basic",
        &[
            "use_docs=true",
            "license=Apache-2.0",
            "tags=[cli, lib]",
            "port=9000",
        ],
    ),
    ("copier-real", &[]),
    ("copier-real", &["use_ci=false"]),
    (
        "copier-real",
        &[
            "ci_provider=gitlab",
            "project_name=Other_Thing 2nd",
            "python_versions=[3.10]",
            "ratio=1.25",
        ],
    ),
];

/// `copier`, or `python3 -m copier` where pip put it off the PATH.
fn copier() -> Option<Command> {
    let works = |mut command: Command| {
        command
            .arg("--version")
            .output()
            .is_ok_and(|output| output.status.success())
    };
    if works(Command::new("copier")) {
        return Some(Command::new("copier"));
    }
    let module = || {
        let mut command = Command::new("python3");
        command.args(["-m", "copier"]);
        command
    };
    works(module()).then(module)
}

fn is_answers_file(path: &str) -> bool {
    path == ".copier-answers.yml" || path == ".scaffold-answers.yml"
}

#[test]
fn scaffold_renders_copier_templates_as_copier_does() {
    let Some(_) = copier() else {
        eprintln!(
            "skipped: `copier` is not installed (pip install copier) so there is nothing to compare with"
        );
        return;
    };
    for (template, data) in CASES {
        let sandbox = Sandbox::new();
        let source = fixture(template);
        let mut copier = copier().expect("copier was found above");
        copier.args(["copy", "--quiet", "--defaults", "--trust"]);
        for item in *data {
            copier.args(["--data", item]);
        }
        let output = copier
            .arg(&source)
            .arg(sandbox.join("copier/proj"))
            .output()
            .expect("copier runs");
        assert!(
            output.status.success(),
            "copier failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );

        let mut args = vec![
            "new",
            "scaffold/proj",
            "--defaults",
            "--template",
            source.to_str().unwrap(),
        ];
        for item in *data {
            args.extend(["--data", item]);
        }
        sandbox.scaffold(&args).assert().success();

        let by_copier: Vec<String> = sandbox
            .files("copier/proj")
            .into_iter()
            .filter(|path| !is_answers_file(path))
            .collect();
        let by_scaffold: Vec<String> = sandbox
            .files("scaffold/proj")
            .into_iter()
            .filter(|path| !is_answers_file(path))
            .collect();
        assert_eq!(
            by_copier, by_scaffold,
            "{template} {data:?}: the same files"
        );
        for path in &by_copier {
            let read = |root: &str| std::fs::read(sandbox.join(root).join(path)).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&read("copier/proj")),
                String::from_utf8_lossy(&read("scaffold/proj")),
                "{template} {data:?}: {path} differs"
            );
            assert_eq!(
                mode(&sandbox.join("copier/proj").join(path)),
                mode(&sandbox.join("scaffold/proj").join(path)),
                "{path} mode"
            );
        }
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(not(unix))]
fn mode(_path: &Path) -> u32 {
    0
}
