//! Renders each template of the Copier corpus (tests/fixtures/copier) with
//! Copier and with scaffold, from a local folder, and prints the wall time of
//! each, their ratio per template and the median ratio.
//!
//!     cargo build --release && cargo run --release --example copier_bench
//!
//! SCAFFOLD=PATH picks the scaffold binary (default target/release/scaffold),
//! `COPIER_RUNS` and `SCAFFOLD_RUNS` how many renders each time is the median of
//! (default 1 and 5). Cases that expect a refusal are left out.

#[allow(dead_code)]
#[path = "../tests/copier_compat/corpus.rs"]
mod corpus;

use std::path::PathBuf;
use std::time::Duration;

use corpus::{Case, Tool, Tools};

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let scaffold = std::env::var_os("SCAFFOLD")
        .map_or_else(|| root.join("target/release/scaffold"), PathBuf::from);
    if !scaffold.is_file() {
        eprintln!(
            "{} not found: run `cargo build --release` first (or set SCAFFOLD=PATH)",
            scaffold.display()
        );
        std::process::exit(2);
    }
    let Some(tools) = Tools::find(scaffold) else {
        eprintln!("copier not found: pip install copier==9.19.1");
        std::process::exit(2);
    };
    let copier_runs = runs("COPIER_RUNS", 1);
    let scaffold_runs = runs("SCAFFOLD_RUNS", 5);
    println!(
        "{}; scaffold {}; median of {copier_runs} Copier and {scaffold_runs} scaffold renders per template",
        tools.copier_version,
        tools.scaffold.display()
    );
    println!(
        "{:<32} {:>10} {:>10} {:>8}",
        "template", "Copier", "scaffold", "ratio"
    );

    let mut ratios = Vec::new();
    let (mut copier_times, mut scaffold_times) = (Vec::new(), Vec::new());
    for case in Case::all(&root.join("tests/fixtures/copier")) {
        if case.file.expect_failure {
            continue;
        }
        let run = &case.runs()[0];
        if run.data_file.is_some() && !tools.scaffold_takes_data_file() {
            println!("{:<32} skipped: scaffold new has no --data-file", case.name);
            continue;
        }
        let scratch = tempfile::tempdir().expect("scratch folder");
        let template = case.prepare(scratch.path());
        let time = |tool: Tool, count: usize| -> Option<Duration> {
            let mut times = Vec::new();
            for index in 0..count {
                let dest = scratch
                    .path()
                    .join(format!("{}-{index}/project", tool.name()));
                let rendered = tools.render(tool, &case.file, run, &template, &dest);
                if !rendered.success {
                    let reason = rendered.stderr.lines().next().unwrap_or("").to_owned();
                    println!("{:<32} {} failed: {reason}", case.name, tool.name());
                    return None;
                }
                times.push(rendered.elapsed);
            }
            Some(median(&mut times))
        };
        let Some(copier) = time(Tool::Copier, copier_runs) else {
            continue;
        };
        let Some(scaffold) = time(Tool::Scaffold, scaffold_runs) else {
            continue;
        };
        let ratio = copier.as_secs_f64() / scaffold.as_secs_f64();
        println!(
            "{:<32} {:>7.0} ms {:>7.1} ms {:>7.0}x",
            case.name,
            millis(copier),
            millis(scaffold),
            ratio
        );
        ratios.push(ratio);
        copier_times.push(copier);
        scaffold_times.push(scaffold);
    }
    if ratios.is_empty() {
        println!("no template rendered with both");
        return;
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "{} templates: median Copier {:.0} ms, median scaffold {:.1} ms, median ratio {:.0}x (lowest {:.0}x, highest {:.0}x)",
        ratios.len(),
        millis(median(&mut copier_times)),
        millis(median(&mut scaffold_times)),
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1]
    );
}

fn runs(variable: &str, default: usize) -> usize {
    std::env::var(variable)
        .ok()
        .and_then(|value| value.parse().ok())
        .filter(|count| *count > 0)
        .unwrap_or(default)
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn millis(time: Duration) -> f64 {
    time.as_secs_f64() * 1000.0
}
