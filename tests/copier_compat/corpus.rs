//! The Copier comparison corpus, tests/fixtures/copier/<case>/: a `template/`
//! folder (a Copier template) and a `case.yml` saying how to render it. This
//! file loads cases, prepares each template in a scratch folder (what git
//! cannot hold: file modes, empty folders; or a git repository with a tag) and
//! renders it with Copier and with scaffold into the same destination path.
//! Shared by `tests/copier_compat.rs` and `examples/copier_bench.rs`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_norway::{Mapping, Value};

/// tests/fixtures/copier/<name>/case.yml
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// What the case exercises, one line.
    pub about: String,
    /// The renders to compare; none means one render with defaults only.
    #[serde(default)]
    pub runs: Vec<Run>,
    /// `path: "600"`: octal modes set in the scratch copy of the template.
    #[serde(default)]
    pub modes: BTreeMap<String, String>,
    /// Folders created (empty) in the scratch copy of the template.
    #[serde(default)]
    pub empty_dirs: Vec<String>,
    /// Files already in the destination (then `--overwrite` / `--force`).
    #[serde(default)]
    pub existing: BTreeMap<String, String>,
    /// Make the template a git repository with one commit carrying this tag.
    #[serde(default)]
    pub git_tag: Option<String>,
    /// With `git_tag`: later commits, each writing its files, maybe tagged.
    #[serde(default)]
    pub later_commits: Vec<Commit>,
    /// With `git_tag`: files written after the last commit and not committed
    /// (a dirty working tree).
    #[serde(default)]
    pub uncommitted: BTreeMap<String, String>,
    /// `--vcs-ref` for both tools.
    #[serde(default)]
    pub vcs_ref: Option<String>,
    /// Extra environment for both tools (`TZ` is always UTC).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Both tools must refuse the template and write nothing.
    #[serde(default)]
    pub expect_failure: bool,
}

/// A commit on top of the template's first one.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commit {
    #[serde(default)]
    pub tag: Option<String>,
    pub files: BTreeMap<String, String>,
}

/// One render: answers as `--data KEY=VALUE` and/or a `--data-file`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Run {
    #[serde(default)]
    pub data: Mapping,
    #[serde(default)]
    pub data_file: Option<Mapping>,
}

pub struct Case {
    pub name: String,
    pub dir: PathBuf,
    pub file: CaseFile,
}

impl Case {
    /// Every case under `root`, sorted by name.
    pub fn all(root: &Path) -> Vec<Case> {
        let mut cases: Vec<Case> = std::fs::read_dir(root)
            .unwrap_or_else(|err| panic!("read {}: {err}", root.display()))
            .flatten()
            .filter(|entry| entry.path().is_dir())
            .map(|entry| Case::load(&entry.path()))
            .collect();
        cases.sort_by(|a, b| a.name.cmp(&b.name));
        cases
    }

    pub fn load(dir: &Path) -> Case {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let case_path = dir.join("case.yml");
        let text = std::fs::read_to_string(&case_path)
            .unwrap_or_else(|err| panic!("{}: {err}", case_path.display()));
        let file: CaseFile = serde_norway::from_str(&text)
            .unwrap_or_else(|err| panic!("{}: {err}", case_path.display()));
        assert!(
            dir.join("template").is_dir(),
            "{name}: a case needs a template/ folder"
        );
        Case {
            name,
            dir: dir.to_path_buf(),
            file,
        }
    }

    pub fn runs(&self) -> Vec<Run> {
        if self.file.runs.is_empty() {
            vec![Run::default()]
        } else {
            self.file.runs.clone()
        }
    }

    /// Copies the template into `scratch/template` and applies what git cannot
    /// hold; returns the template's path.
    pub fn prepare(&self, scratch: &Path) -> PathBuf {
        let template = scratch.join("template");
        copy_tree(&self.dir.join("template"), &template);
        for dir in &self.file.empty_dirs {
            std::fs::create_dir_all(template.join(dir)).unwrap();
        }
        for (path, mode) in &self.file.modes {
            let mode = u32::from_str_radix(mode, 8)
                .unwrap_or_else(|_| panic!("{}: mode {mode:?} is not octal", self.name));
            set_mode(&template.join(path), mode);
        }
        if let Some(tag) = &self.file.git_tag {
            make_git_repository(&template, tag, &self.file.later_commits);
            for (path, content) in &self.file.uncommitted {
                std::fs::write(template.join(path), content).unwrap();
            }
        }
        template
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Copier,
    Scaffold,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::Copier => "Copier",
            Tool::Scaffold => "scaffold",
        }
    }
}

/// How to start each tool, found once.
pub struct Tools {
    /// `copier` or `python3 -m copier`.
    pub copier: Vec<String>,
    pub copier_version: String,
    pub scaffold: PathBuf,
    /// `scaffold copy` (Copier's command line) when it exists, else `scaffold
    /// new`; `COPIER_COMPAT_SCAFFOLD=new` picks `new`.
    pub scaffold_copy: bool,
    scaffold_flags: String,
}

impl Tools {
    /// `None` when Copier cannot be started.
    pub fn find(scaffold: PathBuf) -> Option<Tools> {
        let candidates = [vec!["copier"], vec!["python3", "-m", "copier"]];
        let (copier, copier_version) = candidates.iter().find_map(|argv| {
            let output = Command::new(argv[0])
                .args(&argv[1..])
                .arg("--version")
                .output()
                .ok()?;
            output.status.success().then(|| {
                let argv = argv.iter().map(ToString::to_string).collect();
                (
                    argv,
                    String::from_utf8_lossy(&output.stdout).trim().to_owned(),
                )
            })
        })?;
        let help = Command::new(&scaffold)
            .args(["new", "--help"])
            .output()
            .unwrap_or_else(|err| panic!("{}: {err}", scaffold.display()));
        let scaffold_copy = has_copy_command(&scaffold)
            && std::env::var("COPIER_COMPAT_SCAFFOLD").as_deref() != Ok("new");
        Some(Tools {
            copier,
            copier_version,
            scaffold,
            scaffold_copy,
            scaffold_flags: String::from_utf8_lossy(&help.stdout).into_owned(),
        })
    }

    fn scaffold_has(&self, flag: &str) -> bool {
        self.scaffold_flags.contains(flag)
    }

    /// The command rendering `template` into `dest` with `run`'s answers.
    pub fn command(
        &self,
        tool: Tool,
        case: &CaseFile,
        run: &Run,
        template: &Path,
        dest: &Path,
    ) -> Command {
        let copier_command_line = tool == Tool::Copier || self.scaffold_copy;
        let mut command = match tool {
            Tool::Copier => {
                let mut command = Command::new(&self.copier[0]);
                command.args(&self.copier[1..]);
                command
            }
            Tool::Scaffold => Command::new(&self.scaffold),
        };
        if copier_command_line {
            command.args(["copy", "--trust", "--skip-tasks", "--defaults", "--quiet"]);
            if !case.existing.is_empty() {
                command.arg("--overwrite");
            }
        } else {
            command.arg("new").arg(dest).arg("--template").arg(template);
            command.arg("--defaults");
            for flag in ["--trust", "--skip-tasks"] {
                if self.scaffold_has(flag) {
                    command.arg(flag);
                }
            }
            if !case.existing.is_empty() {
                command.arg("--force");
            }
        }
        if let Some(vcs_ref) = &case.vcs_ref {
            command.arg("--vcs-ref").arg(vcs_ref);
        }
        if run.data_file.is_some() {
            command
                .arg("--data-file")
                .arg(dest.with_extension("data.yml"));
        }
        for (key, value) in &run.data {
            command
                .arg("--data")
                .arg(format!("{}={}", text(key), text(value)));
        }
        if copier_command_line {
            command.arg(template).arg(dest);
        }
        command.env("TZ", "UTC").env("NO_COLOR", "1");
        command.envs(&case.env);
        command
    }

    /// Renders into `dest` (created with the case's existing files first),
    /// returning whether the tool succeeded, its stderr and its wall time.
    pub fn render(
        &self,
        tool: Tool,
        case: &CaseFile,
        run: &Run,
        template: &Path,
        dest: &Path,
    ) -> Rendered {
        std::fs::create_dir_all(dest.parent().expect("dest has a parent")).unwrap();
        for (path, content) in &case.existing {
            let path = dest.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        if let Some(data) = &run.data_file {
            let file = dest.with_extension("data.yml");
            std::fs::write(file, serde_norway::to_string(data).unwrap()).unwrap();
        }
        let mut command = self.command(tool, case, run, template, dest);
        let started = Instant::now();
        let output = command
            .output()
            .unwrap_or_else(|err| panic!("start {}: {err}", tool.name()));
        Rendered {
            success: output.status.success(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            elapsed: started.elapsed(),
        }
    }

    /// Whether `scaffold new` takes `--data-file` (a run using one needs it).
    pub fn scaffold_takes_data_file(&self) -> bool {
        self.scaffold_has("--data-file")
    }
}

pub struct Rendered {
    pub success: bool,
    pub stderr: String,
    pub elapsed: Duration,
}

/// Whether `scaffold --help` lists a `copy` command.
fn has_copy_command(scaffold: &Path) -> bool {
    Command::new(scaffold)
        .arg("--help")
        .output()
        .is_ok_and(|output| {
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .any(|line| line.trim_start().starts_with("copy "))
        })
}

/// A YAML value as Copier's `--data KEY=VALUE` takes it: strings as they are,
/// anything else in flow style.
fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => serde_json::to_string(other).expect("YAML data converts to JSON"),
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let source = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            symlink(&std::fs::read_link(&source).unwrap(), &target);
        } else if kind.is_dir() {
            copy_tree(&source, &target);
        } else {
            std::fs::copy(&source, &target).unwrap();
        }
    }
}

fn make_git_repository(dir: &Path, tag: &str, later_commits: &[Commit]) {
    let git = |args: &[&str]| {
        let output = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "corpus")
            .env("GIT_AUTHOR_EMAIL", "corpus@example.invalid")
            .env("GIT_COMMITTER_NAME", "corpus")
            .env("GIT_COMMITTER_EMAIL", "corpus@example.invalid")
            .env("GIT_AUTHOR_DATE", "2020-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2020-01-01T00:00:00Z")
            .output()
            .expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    git(&["init", "--quiet", "--initial-branch=main"]);
    git(&["add", "--all"]);
    git(&["commit", "--quiet", "--no-gpg-sign", "-m", "template"]);
    git(&["tag", tag]);
    for commit in later_commits {
        for (path, content) in &commit.files {
            std::fs::write(dir.join(path), content).unwrap();
        }
        git(&["add", "--all"]);
        git(&["commit", "--quiet", "--no-gpg-sign", "-m", "later"]);
        if let Some(tag) = &commit.tag {
            git(&["tag", tag]);
        }
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) {
    let _ = (target, link);
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .unwrap_or_else(|err| panic!("chmod {}: {err}", path.display()));
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) {}
