//! What `scaffold smoke` prints: progress while it runs (on stderr, with a
//! live status line on a terminal), then the summary table and the output of
//! whatever failed (on stdout), and the `JUnit` file when asked for.

use std::io::{IsTerminal, Write as _};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use console::{Term, style};

use super::args::SmokeArgs;
use super::output::ExitStatus;
use crate::Error;
use crate::smoke::{
    self, CheckOutcome, CombinationReport, Event, Progress, RenderOutcome, SmokeOptions,
    SmokeReport, Step,
};
use crate::source::{DEFAULT_BUILTIN, TemplateRef};

/// Lines of a failing check's output shown; the `JUnit` file has all of it.
const SHOWN_OUTPUT_LINES: usize = 400;

pub fn execute(args: SmokeArgs) -> Result<ExitStatus, Error> {
    let options = SmokeOptions {
        template: args.template.as_deref().map_or_else(
            || TemplateRef::Builtin(DEFAULT_BUILTIN.into()),
            TemplateRef::parse,
        ),
        vcs_ref: args.vcs_ref,
        render_only: args.render_only,
        jobs: usize::from(args.jobs),
        keep: args.keep,
        target_dir: args.target_dir.unwrap_or_else(smoke::default_target_dir),
        trust: args.trust,
    };
    let printer = Printer::new();
    let report = std::thread::scope(|scope| {
        if printer.terminal.is_some() {
            scope.spawn(|| printer.tick_until_done());
        }
        let report = smoke::run(&options, &printer);
        printer.finish();
        report
    })?;
    print_summary(&report);
    if let Some(path) = &args.junit {
        std::fs::write(path, report.junit()).map_err(|err| {
            Error::Other(format!(
                "cannot write the JUnit report `{}`: {err}",
                path.display()
            ))
        })?;
    }
    Ok(if report.passed() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

fn step_name<'a>(step: &Step<'a>) -> &'a str {
    match step {
        Step::Render => "render twice, compare",
        Step::Check(command) => command,
    }
}

/// Prints progress lines; on a terminal also a status line of what is running.
struct Printer {
    terminal: Option<Term>,
    started: Instant,
    running: Mutex<Vec<(usize, String, Instant)>>,
    done: AtomicBool,
}

impl Printer {
    fn new() -> Self {
        Self {
            terminal: std::io::stderr().is_terminal().then(Term::stderr),
            started: Instant::now(),
            running: Mutex::new(Vec::new()),
            done: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(usize, String, Instant)>> {
        self.running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Redraws the status line every second until [`Printer::finish`].
    fn tick_until_done(&self) {
        let mut last = Instant::now();
        while !self.done.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(100));
            if last.elapsed() >= Duration::from_secs(1) {
                let running = self.lock();
                self.draw_status(&running);
                last = Instant::now();
            }
        }
    }

    fn finish(&self) {
        self.done.store(true, Ordering::SeqCst);
        if let Some(term) = &self.terminal {
            let _running = self.lock();
            let _ = term.clear_line();
        }
    }

    fn draw_status(&self, running: &[(usize, String, Instant)]) {
        let Some(term) = &self.terminal else {
            return;
        };
        if self.done.load(Ordering::SeqCst) || running.is_empty() {
            return;
        }
        let steps: Vec<String> = running
            .iter()
            .map(|(number, step, since)| format!("#{number} {step} {}", elapsed(since.elapsed())))
            .collect();
        let line = format!(
            "  {} {}: {}",
            style("running").cyan(),
            elapsed(self.started.elapsed()),
            steps.join(" | ")
        );
        let width = usize::from(term.size().1).saturating_sub(1);
        let _ = term.clear_line();
        let _ = term.write_str(&console::truncate_str(&line, width, "…"));
    }
}

impl Progress for Printer {
    fn event(&self, event: &Event<'_>) {
        let mut running = self.lock();
        if let Some(term) = &self.terminal {
            let _ = term.clear_line();
        }
        match event {
            Event::Started { combination, step } => {
                let name = step_name(step);
                running.push((combination.number, name.to_owned(), Instant::now()));
                if self.terminal.is_none() {
                    let _ = writeln!(
                        std::io::stderr(),
                        "[{}/{}] {}: {name} ...",
                        combination.number,
                        combination.total,
                        combination.label()
                    );
                }
            }
            Event::Finished {
                combination,
                step,
                elapsed: took,
                passed,
            } => {
                let name = step_name(step);
                running
                    .retain(|(number, step, _)| !(*number == combination.number && step == name));
                let verdict = match (passed, self.terminal.is_some()) {
                    (true, true) => style("ok").green().to_string(),
                    (false, true) => style("FAILED").red().bold().to_string(),
                    (true, false) => "ok".to_owned(),
                    (false, false) => "FAILED".to_owned(),
                };
                let _ = writeln!(
                    std::io::stderr(),
                    "[{}/{}] {}: {name} {verdict} in {}",
                    combination.number,
                    combination.total,
                    combination.label(),
                    elapsed(*took)
                );
            }
        }
        self.draw_status(&running);
    }
}

/// `1 check`, `3 checks`.
fn count(number: usize, noun: &str) -> String {
    if number == 1 {
        format!("1 {noun}")
    } else {
        format!("{number} {noun}s")
    }
}

/// `850 ms`, `12.3s`, `4m05s`.
fn elapsed(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis < 1000 {
        format!("{millis} ms")
    } else if millis < 60_000 {
        format!("{:.1}s", duration.as_secs_f64())
    } else {
        let seconds = duration.as_secs();
        format!("{}m{:02}s", seconds / 60, seconds % 60)
    }
}

/// A check's column header: the command, shortened when long.
fn header(command: &str) -> String {
    const WIDTH: usize = 24;
    if command.chars().count() <= WIDTH {
        command.to_owned()
    } else {
        let short: String = command.chars().take(WIDTH - 1).collect();
        format!("{short}…")
    }
}

/// One table cell: its text, and whether it reports a failure (coloured red).
type Cell = (String, Option<bool>);

fn render_cell(report: &CombinationReport) -> Cell {
    let took = elapsed(report.render.elapsed);
    match &report.render.outcome {
        RenderOutcome::Identical { .. } => (format!("ok {took}"), Some(true)),
        RenderOutcome::Differs { .. } => (format!("DIFFERS {took}"), Some(false)),
        RenderOutcome::Failed { .. } => ("FAILED".to_owned(), Some(false)),
    }
}

fn check_cell(outcome: &CheckOutcome, took: Duration) -> Cell {
    match outcome {
        CheckOutcome::Passed => (format!("ok {}", elapsed(took)), Some(true)),
        CheckOutcome::Failed { .. } | CheckOutcome::NotStarted { .. } => {
            (format!("FAILED {}", elapsed(took)), Some(false))
        }
        CheckOutcome::Skipped => ("skipped".to_owned(), None),
    }
}

fn print_summary(report: &SmokeReport) {
    let colour = std::io::stdout().is_terminal();
    let mut rows: Vec<Vec<Cell>> = vec![
        ["#", "combination", "render"]
            .into_iter()
            .map(str::to_owned)
            .chain(report.checks.iter().map(|command| header(command)))
            .map(|text| (text, None))
            .collect(),
    ];
    for combination in &report.combinations {
        let mut row = vec![
            (combination.combination.number.to_string(), None),
            (combination.combination.label().to_owned(), None),
            render_cell(combination),
        ];
        row.extend(
            combination
                .checks
                .iter()
                .map(|check| check_cell(&check.outcome, check.elapsed)),
        );
        rows.push(row);
    }
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|column| {
            rows.iter()
                .filter_map(|row| row.get(column))
                .map(|(text, _)| text.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    crate::say!();
    for (index, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|((text, passed), width)| {
                let padded = format!("{text:<width$}");
                match (colour, index, passed) {
                    (true, 0, _) => style(padded).bold().to_string(),
                    (true, _, Some(true)) => style(padded).green().to_string(),
                    (true, _, Some(false)) => style(padded).red().bold().to_string(),
                    _ => padded,
                }
            })
            .collect();
        crate::say!("{}", cells.join("  ").trim_end());
    }

    for combination in &report.combinations {
        print_failures(combination, report.kept.is_some());
    }

    let checks_run: usize = report
        .combinations
        .iter()
        .map(|combination| {
            combination
                .checks
                .iter()
                .filter(|check| check.outcome != CheckOutcome::Skipped)
                .count()
        })
        .sum();
    crate::say!();
    if let Some(kept) = &report.kept {
        crate::say!("Rendered projects kept in {}:", kept.display());
        for combination in &report.combinations {
            crate::say!(
                "  {}  {}",
                combination.project.display(),
                combination.combination.label()
            );
        }
    }
    if checks_run > 0 {
        crate::say!("Cargo target folder: {}", report.target_dir.display());
    }
    let failed = report
        .combinations
        .iter()
        .filter(|combination| !combination.passed())
        .count();
    let verdict = if failed == 0 {
        "all passed".to_owned()
    } else {
        format!("{failed} failed")
    };
    crate::say!(
        "smoke {}: {}, {}, {verdict} in {}",
        report.template,
        count(report.combinations.len(), "combination"),
        count(checks_run, "check") + " run",
        elapsed(report.elapsed)
    );
}

fn print_failures(report: &CombinationReport, kept: bool) {
    let title = format!(
        "[{}/{}] {}",
        report.combination.number,
        report.combination.total,
        report.combination.label()
    );
    match &report.render.outcome {
        RenderOutcome::Identical { .. } => {}
        RenderOutcome::Failed { message } => {
            crate::say!("\n--- {title}: render failed ---\nerror: {message}");
        }
        RenderOutcome::Differs { paths } => {
            crate::say!(
                "\n--- {title}: two renders of the same answers differ ---\n{}",
                paths.join("\n")
            );
        }
    }
    for check in report.checks.iter().filter(|check| check.failed()) {
        let place = if kept {
            format!("in {}", report.project.display())
        } else {
            "(--keep keeps the project)".to_owned()
        };
        crate::say!(
            "\n--- {title}: `{}` failed ({}) {place} ---",
            check.rendered,
            smoke::check_status(&check.outcome),
        );
        if check.output.trim().is_empty() {
            crate::say!("(no output)");
            continue;
        }
        let lines: Vec<&str> = check.output.lines().collect();
        let hidden = lines.len().saturating_sub(SHOWN_OUTPUT_LINES);
        if hidden > 0 {
            crate::say!("[{hidden} earlier lines not shown; the JUnit report has them all]");
        }
        for line in &lines[hidden..] {
            crate::say!("{line}");
        }
    }
}
