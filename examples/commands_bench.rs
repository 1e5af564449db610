//! `scaffold copy` against `copier copy`, and `scaffold update` against
//! `copier update`, in one run, on the same template in a local git
//! repository with two tags, with the same flags. Prints the fastest of
//! RUNS runs of each, the ratio and the load average; checks only that both
//! tools wrote the same files.
//!
//! On ext4 without a journal (this machine's disk), creating a file first
//! skips every inode of its block group freed in the last minute. Copier
//! removes its temporary clone of the template after each run, so a run
//! right after Copier's pays for it: 60% more for scaffold's 40 files, a few
//! percent for Copier's own next run. So the projects to update are made
//! first (by `copier copy`, cloning in the system's temporary folder), the
//! bench waits a minute, runs scaffold's copies and updates (spaced like
//! Copier's), then Copier's; each tool's first run starts from a scratch
//! folder where the other has freed no inode.
//!
//! Both tools work in a scratch folder under `target/commands-bench` (or
//! `COMMANDS_BENCH_DIR`), their temporary files included (`TMPDIR`, where
//! Copier clones the template): on a machine shared with test suites, `/tmp`
//! is where thousands of files are made and removed each minute, and on ext4
//! without a journal every file created there first skips each inode freed
//! in the last minute (about 50 ms of kernel time for a 40-file copy, against
//! 7 ms elsewhere on the same disk), which measures the machine rather than
//! either tool.
//!
//!     cargo build --release && cargo run --release --example commands_bench
//!
//! `SCAFFOLD_BIN` picks the scaffold binary (default: target/release/scaffold,
//! else target/debug/scaffold); `copier` must be on PATH.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 7;
const FILES: usize = 40;
/// How long ext4 counts a freed inode as recently freed, and a second more.
const SETTLE: Duration = Duration::from_secs(61);
/// The pause between two of scaffold's runs, so that they spread over about
/// as long as Copier's do.
const SPACING: Duration = Duration::from_millis(700);

/// Runs `program` in `dir`, its temporary files in `temporary`, and times it.
fn run_with(dir: &Path, temporary: &Path, program: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    let output = Command::new(program)
        .current_dir(dir)
        .env("TMPDIR", temporary)
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

/// Where the bench works: `COMMANDS_BENCH_DIR`, else `target/commands-bench`.
fn scratch() -> PathBuf {
    std::env::var_os("COMMANDS_BENCH_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/commands-bench"),
        PathBuf::from,
    )
}

/// A measured run: temporary files in the scratch folder.
fn run(dir: &Path, program: &Path, args: &[&str]) -> Duration {
    run_with(dir, &scratch(), program, args)
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

/// Every file below `dir` (`.git` left out) with its contents.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(at) = pending.pop() {
        for entry in std::fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|name| name == ".git") {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else {
                let contents = std::fs::read(&path).unwrap();
                found.push((path.strip_prefix(dir).unwrap().to_owned(), contents));
            }
        }
    }
    found.sort();
    found
}

fn assert_same(by_copier: &Path, by_scaffold: &Path) {
    assert!(
        files(by_copier) == files(by_scaffold),
        "{} and {} differ",
        by_copier.display(),
        by_scaffold.display()
    );
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".to_owned(),
        |text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        },
    )
}

fn ms(time: Duration) -> f64 {
    time.as_secs_f64() * 1000.0
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
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
    std::fs::create_dir_all(scratch()).unwrap();
    let temp = tempfile::tempdir_in(scratch()).unwrap();
    let root = temp.path();
    let src = template(root).display().to_string();

    let mut projects = Vec::new();
    for round in 0..RUNS {
        for tool in ["copier", "scaffold"] {
            let project = root.join(format!("update-{tool}-{round}"));
            let name = project.display().to_string();
            // Copier's clone for the setup goes to the system's temporary
            // folder, so removing it frees no inode where the bench measures.
            run_with(
                root,
                &std::env::temp_dir(),
                &copier,
                &["copy", "--quiet", "--defaults", "-r", "v1", &src, &name],
            );
            git(&project, &["init", "--quiet"]);
            git(&project, &["add", "--all"]);
            git(&project, &["commit", "--quiet", "-m", "v1"]);
            projects.push(project);
        }
    }
    std::thread::sleep(SETTLE);

    let load_before = load_average();
    let copy = |tool: &Path, round: usize| {
        let name = format!(
            "copy-{}-{round}",
            tool.file_name().unwrap().to_string_lossy()
        );
        let took = run(root, tool, &["copy", "--quiet", "--defaults", &src, &name]);
        (took, root.join(name))
    };
    let update =
        |tool: &Path, project: &Path| run(project, tool, &["update", "--quiet", "--defaults"]);
    let (mut copy_scaffold, mut update_scaffold, mut copied_scaffold) =
        (Vec::new(), Vec::new(), Vec::new());
    for round in 0..RUNS {
        let (took, copied) = copy(&scaffold, round);
        copy_scaffold.push(took);
        copied_scaffold.push(copied);
        std::thread::sleep(SPACING);
        update_scaffold.push(update(&scaffold, &projects[2 * round + 1]));
        std::thread::sleep(SPACING);
    }
    let (mut copy_copier, mut update_copier) = (Vec::new(), Vec::new());
    for round in 0..RUNS {
        let (took, copied) = copy(&copier, round);
        copy_copier.push(took);
        assert_same(&copied, &copied_scaffold[round]);
        update_copier.push(update(&copier, &projects[2 * round]));
        assert_same(&projects[2 * round], &projects[2 * round + 1]);
    }
    println!("scaffold: {}", scaffold.display());
    println!("{FILES} files, local git template with tags v1 and v2, fastest of {RUNS} runs");
    println!(
        "load average before {load_before}, after {}",
        load_average()
    );
    for (name, copier, scaffold) in [
        ("copy (newest tag)", &copy_copier, &copy_scaffold),
        ("update v1 -> v2", &update_copier, &update_scaffold),
    ] {
        let (fast_copier, fast_scaffold) = (fastest(copier), fastest(scaffold));
        println!(
            "{name:<18} copier {:>8.1} ms   scaffold {:>7.1} ms   {:>6.1}x   (medians {:.1} ms, {:.1} ms)",
            ms(fast_copier),
            ms(fast_scaffold),
            fast_copier.as_secs_f64() / fast_scaffold.as_secs_f64(),
            ms(median(copier)),
            ms(median(scaffold)),
        );
    }
}
