//! `scaffold copy` against `copier copy`, and `scaffold update` against
//! `copier update`, in one run, on the same template in a local git
//! repository with two tags. Prints the fastest of five runs of each and the
//! ratio; asserts nothing.
//!
//!     cargo build --release && cargo run --release --example commands_bench
//!
//! `SCAFFOLD_BIN` picks the scaffold binary (default: target/release/scaffold,
//! else target/debug/scaffold); `copier` must be on PATH.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 5;
const FILES: usize = 40;

fn run(dir: &Path, program: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    let output = Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|err| panic!("{}: {err}", program.display()));
    let took = started.elapsed();
    assert!(
        output.status.success(),
        "{} {args:?}: {}",
        program.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    took
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=bench",
            "-c",
            "user.email=bench@example.invalid",
        ])
        .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
        .args(args)
        .output()
        .expect("git runs")
        .status;
    assert!(status.success(), "git {args:?}");
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A template of FILES files with two questions, tagged v1 and v2.
fn template(root: &Path) -> PathBuf {
    let dir = root.join("template");
    write(
        &dir.join("copier.yml"),
        "name:\n  type: str\n  default: demo\nport:\n  type: int\n  default: 8080\n",
    );
    write(
        &dir.join("{{ _copier_conf.answers_file }}.jinja"),
        "# Changes here will be overwritten by Copier\n{{ _copier_answers|to_nice_yaml -}}\n",
    );
    for index in 0..FILES {
        write(
            &dir.join(format!("src/file{index:02}.txt.jinja")),
            &format!("{{{{ name }}}} file {index}\nport {{{{ port }}}}\nline\nline\nline\n"),
        );
    }
    git(&dir, &["init", "--quiet"]);
    git(&dir, &["add", "--all"]);
    git(&dir, &["commit", "--quiet", "-m", "v1"]);
    git(&dir, &["tag", "v1"]);
    for index in (0..FILES).step_by(3) {
        write(
            &dir.join(format!("src/file{index:02}.txt.jinja")),
            &format!("{{{{ name }}}} file {index}, v2\nport {{{{ port }}}}\nline\nline\nline\n"),
        );
    }
    git(&dir, &["commit", "--quiet", "--all", "-m", "v2"]);
    git(&dir, &["tag", "v2"]);
    dir
}

fn fastest(times: &[Duration]) -> Duration {
    times.iter().copied().min().unwrap_or_default()
}

fn main() {
    let scaffold = std::env::var_os("SCAFFOLD_BIN").map_or_else(
        || {
            let release = PathBuf::from("target/release/scaffold");
            if release.is_file() {
                release
            } else {
                PathBuf::from("target/debug/scaffold")
            }
        },
        PathBuf::from,
    );
    let scaffold = std::path::absolute(&scaffold).unwrap();
    let copier = PathBuf::from("copier");
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    let src = template(root).display().to_string();

    let (mut copy_copier, mut copy_scaffold) = (Vec::new(), Vec::new());
    let (mut update_copier, mut update_scaffold) = (Vec::new(), Vec::new());
    for round in 0..RUNS {
        let by_copier = format!("copy-copier-{round}");
        let by_scaffold = format!("copy-scaffold-{round}");
        copy_copier.push(run(
            root,
            &copier,
            &["copy", "--quiet", "--defaults", &src, &by_copier],
        ));
        copy_scaffold.push(run(
            root,
            &scaffold,
            &["copy", "--quiet", "--defaults", &src, &by_scaffold],
        ));

        let mut projects = Vec::new();
        for tool in ["copier", "scaffold"] {
            let project = root.join(format!("update-{tool}-{round}"));
            let name = project.display().to_string();
            run(
                root,
                &copier,
                &["copy", "--quiet", "--defaults", "-r", "v1", &src, &name],
            );
            git(&project, &["init", "--quiet"]);
            git(&project, &["add", "--all"]);
            git(&project, &["commit", "--quiet", "-m", "v1"]);
            projects.push(project);
        }
        update_copier.push(run(
            &projects[0],
            &copier,
            &["update", "--quiet", "--defaults"],
        ));
        update_scaffold.push(run(
            &projects[1],
            &scaffold,
            &["update", "--quiet", "--defaults"],
        ));
    }
    println!("scaffold: {}", scaffold.display());
    println!("{FILES} files, local git template with tags v1 and v2, fastest of {RUNS} runs");
    for (name, copier, scaffold) in [
        (
            "copy (newest tag)",
            fastest(&copy_copier),
            fastest(&copy_scaffold),
        ),
        (
            "update v1 -> v2",
            fastest(&update_copier),
            fastest(&update_scaffold),
        ),
    ] {
        println!(
            "{name:<18} copier {:>8.1} ms   scaffold {:>7.1} ms   {:>6.1}x",
            copier.as_secs_f64() * 1000.0,
            scaffold.as_secs_f64() * 1000.0,
            copier.as_secs_f64() / scaffold.as_secs_f64()
        );
    }
}
