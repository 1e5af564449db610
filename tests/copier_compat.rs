//! Renders every template of the corpus (tests/fixtures/copier/<case>/) with
//! the real Copier and with scaffold, into the same destination path, and
//! requires byte-identical trees: contents, modes, empty folders, symlinks,
//! the answers file. A difference prints its unified diff.
//!
//! Without Copier the test says so and passes, except in CI (`CI=true`) where
//! it fails; `.ci/run` installs the pinned Copier. `COPIER_COMPAT_CASE=word`
//! runs only the cases whose name contains the word; `COPIER_COMPAT_VERBOSE=1`
//! prints the whole diff of pending cases too. scaffold is run as `scaffold
//! copy` with Copier's own arguments where that command exists
//! (`COPIER_COMPAT_SCAFFOLD=new` runs `scaffold new` instead).

mod corpus;
mod tree;

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use corpus::{Case, Run, Tool, Tools};

use crate::support::fixture;

/// The Copier release the corpus is checked against (`.ci/run` pins it).
const COPIER_VERSION: &str = "9.19.1";

/// Where scaffold differs on purpose: (case, path, why). What Copier writes
/// at the path (and below it) is left out, and scaffold must write nothing
/// there; an empty path means scaffold refuses the whole template (an error,
/// nothing written) where Copier renders it. docs/copier.md explains each.
#[rustfmt::skip]
const DELIBERATE: &[(&str, &str, &str)] = &[
    ("exclude-without-git", ".git", "Copier copies its clone's .git when the template's _exclude leaves it out; scaffold never writes a template's .git"),
    ("no-config", "", "Copier copies a folder without copier.yml as a template with no questions; scaffold refuses it, so a mistyped --template folder is never copied into a project"),
];

/// Cases that still differ because the engine lacks the feature named; each
/// run prints them. Remove a line when its case matches.
#[rustfmt::skip]
const PENDING: &[(&str, &str)] = &[];

const JOBS: usize = 3;

/// Writes a line to the process's stderr past the test harness's capture, so
/// that skips and pending cases show on every run, not only on failure.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

enum Verdict {
    Same,
    Differs(String),
    /// The corpus itself is wrong: Copier did not do what the case expects.
    CorpusError(String),
}

#[test]
fn scaffold_renders_the_corpus_as_copier_does() {
    let Some(tools) = Tools::find(env!("CARGO_BIN_EXE_scaffold").into()) else {
        let message = "`copier` is not installed (.ci/run installs copier==9.19.1), \
                       so there is nothing to compare scaffold's renders with";
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{message}; CI must have it"
        );
        say!("skipped: {message}");
        return;
    };
    if !tools.copier_version.ends_with(COPIER_VERSION) {
        say!(
            "warning: {} found; the corpus is checked against copier {COPIER_VERSION}",
            tools.copier_version
        );
    }
    let only = std::env::var("COPIER_COMPAT_CASE").unwrap_or_default();
    let cases: Vec<Case> = Case::all(&fixture("copier"))
        .into_iter()
        .filter(|case| case.name.contains(&only))
        .collect();
    for (name, _) in PENDING {
        assert!(
            cases.iter().any(|case| case.name == *name) || !only.is_empty(),
            "PENDING names {name}, which is not a case"
        );
    }

    let times = Mutex::new((Duration::ZERO, Duration::ZERO));
    let verdicts = compare_all(&tools, &cases, &times);
    let verbose = std::env::var_os("COPIER_COMPAT_VERBOSE").is_some();
    let mut failures = Vec::new();
    let mut pending_still = Vec::new();
    let (mut same, mut runs) = (0, 0);
    for (name, index, verdict) in &verdicts {
        runs += 1;
        let pending = PENDING.iter().find(|(case, _)| case == name);
        let about = cases
            .iter()
            .find(|case| &case.name == name)
            .map_or("", |case| case.file.about.as_str());
        let label = format!("{name} (run {}: {about})", index + 1);
        match (verdict, pending) {
            (Verdict::Same, _) => same += 1,
            (Verdict::CorpusError(report), _) => failures.push(format!("{label}: {report}")),
            (Verdict::Differs(report), Some((_, feature))) => {
                pending_still.push(name.as_str());
                let shown = if verbose {
                    report.as_str()
                } else {
                    let cut = report
                        .match_indices('\n')
                        .nth(11)
                        .map_or(report.len(), |(at, _)| at);
                    &report[..cut]
                };
                say!("PENDING {label}, waiting for: {feature}\n{shown}");
            }
            (Verdict::Differs(report), None) => {
                failures.push(format!("{label} differs from Copier:\n{report}"));
            }
        }
    }
    for (name, feature) in PENDING {
        if cases.iter().any(|case| case.name == *name) && !pending_still.contains(name) {
            say!("PENDING {name} ({feature}) now matches Copier: remove it from PENDING");
        }
    }
    say!(
        "{same} of {runs} renders identical to {} (scaffold {}); {} pending, {} failing",
        tools.copier_version,
        if tools.scaffold_copy { "copy" } else { "new" },
        pending_still.len(),
        failures.len()
    );
    let (copier_time, scaffold_time) = times.into_inner().unwrap();
    say!(
        "wall time: Copier {:.1} s, scaffold {:.2} s (this build of scaffold)",
        copier_time.as_secs_f64(),
        scaffold_time.as_secs_f64()
    );
    for (case, path, why) in DELIBERATE {
        say!("deliberate difference, {case}/{path}: {why}");
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Every run of every case, compared on a few threads, sorted by case and run.
fn compare_all(
    tools: &Tools,
    cases: &[Case],
    times: &Mutex<(Duration, Duration)>,
) -> Vec<(String, usize, Verdict)> {
    let next = AtomicUsize::new(0);
    let verdicts = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..JOBS {
            scope.spawn(|| {
                while let Some(case) = cases.get(next.fetch_add(1, Ordering::Relaxed)) {
                    for (index, run) in case.runs().iter().enumerate() {
                        let verdict = compare(tools, case, run, times);
                        let mut verdicts = verdicts.lock().unwrap();
                        verdicts.push((case.name.clone(), index, verdict));
                    }
                }
            });
        }
    });
    let mut verdicts = verdicts.into_inner().unwrap();
    verdicts.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    verdicts
}

/// Renders one run with both tools into the same destination path.
fn compare(tools: &Tools, case: &Case, run: &Run, times: &Mutex<(Duration, Duration)>) -> Verdict {
    let scratch = tempfile::tempdir().expect("scratch folder");
    let template = case.prepare(scratch.path());
    let dest = scratch.path().join("out/project");
    let by_copier = scratch.path().join("by-copier");
    let by_scaffold = scratch.path().join("by-scaffold");

    let copier = tools.render(Tool::Copier, &case.file, run, &template, &dest);
    if copier.success == case.file.expect_failure {
        return Verdict::CorpusError(format!(
            "Copier {} (expected the opposite):\n{}",
            outcome(copier.success),
            copier.stderr
        ));
    }
    move_out(&dest, &by_copier);

    if run.data_file.is_some() && !tools.scaffold_takes_data_file() {
        return Verdict::Differs("scaffold new has no --data-file flag".into());
    }
    let scaffold = tools.render(Tool::Scaffold, &case.file, run, &template, &dest);
    {
        let mut times = times.lock().unwrap();
        times.0 += copier.elapsed;
        times.1 += scaffold.elapsed;
    }
    let refused_on_purpose = DELIBERATE
        .iter()
        .any(|(name, path, _)| *name == case.name && path.is_empty());
    if refused_on_purpose {
        return if scaffold.success || dest.exists() {
            Verdict::Differs(
                "scaffold must refuse this template (DELIBERATE) and write nothing".into(),
            )
        } else {
            Verdict::Same
        };
    }
    if scaffold.success == case.file.expect_failure {
        return Verdict::Differs(format!(
            "scaffold {} where Copier {}:\n{}",
            outcome(scaffold.success),
            outcome(copier.success),
            scaffold.stderr.trim_end()
        ));
    }
    move_out(&dest, &by_scaffold);

    let mut copier_tree = tree::snapshot(&by_copier);
    for (_, path, _) in DELIBERATE.iter().filter(|(name, ..)| *name == case.name) {
        tree::without(&mut copier_tree, path);
    }
    match tree::difference(&copier_tree, &tree::snapshot(&by_scaffold)) {
        None => Verdict::Same,
        Some(report) => Verdict::Differs(report),
    }
}

fn outcome(success: bool) -> &'static str {
    if success { "succeeded" } else { "failed" }
}

/// Moves a render aside so the other tool renders into the same path.
fn move_out(dest: &Path, to: &Path) {
    if dest.exists() {
        std::fs::rename(dest, to).expect("move the render aside");
    }
}
