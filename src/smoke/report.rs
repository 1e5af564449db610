//! What `scaffold smoke` reports: progress events while it runs, the
//! outcome of each combination, and that outcome as `JUnit` XML.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use super::Combination;

/// A step of one combination, as reported while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// Render twice and compare.
    Render,
    /// Run one of the template's checks.
    Check(&'a str),
}

/// Something that happened while smoke ran.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    Started {
        combination: &'a Combination,
        step: Step<'a>,
    },
    Finished {
        combination: &'a Combination,
        step: Step<'a>,
        elapsed: Duration,
        passed: bool,
    },
}

/// Receives events as they happen, from any of the worker threads.
pub trait Progress: Sync {
    fn event(&self, event: &Event<'_>);
}

/// Reports nothing.
impl Progress for () {
    fn event(&self, _event: &Event<'_>) {}
}

/// How rendering a combination went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderOutcome {
    /// Both renders wrote the same files with the same bytes and modes.
    Identical { files: usize },
    /// The two renders differ at these paths.
    Differs { paths: Vec<String> },
    /// The template could not be rendered with these answers.
    Failed { message: String },
}

#[derive(Debug, Clone)]
pub struct RenderReport {
    pub outcome: RenderOutcome,
    /// Time of the first render (answers, render, write).
    pub elapsed: Duration,
}

impl RenderReport {
    pub fn passed(&self) -> bool {
        matches!(self.outcome, RenderOutcome::Identical { .. })
    }
}

/// How a check went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckOutcome {
    Passed,
    /// Exited unsuccessfully: `code` is `None` when it was killed by a signal.
    Failed {
        code: Option<i32>,
    },
    /// Could not be started at all.
    NotStarted {
        message: String,
    },
    /// Not run because the combination did not render.
    Skipped,
}

#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The check as the template declares it.
    pub command: String,
    /// The command that ran: `command` rendered with the combination's answers.
    pub rendered: String,
    pub outcome: CheckOutcome,
    pub elapsed: Duration,
    /// Standard output and standard error, interleaved as written.
    pub output: String,
}

impl CheckReport {
    pub fn failed(&self) -> bool {
        matches!(
            self.outcome,
            CheckOutcome::Failed { .. } | CheckOutcome::NotStarted { .. }
        )
    }
}

#[derive(Debug, Clone)]
pub struct CombinationReport {
    pub combination: Combination,
    pub render: RenderReport,
    pub checks: Vec<CheckReport>,
    /// The rendered project the checks ran in (only still there with `keep`).
    pub project: PathBuf,
}

impl CombinationReport {
    pub fn passed(&self) -> bool {
        self.render.passed() && !self.checks.iter().any(CheckReport::failed)
    }
}

#[derive(Debug, Clone)]
pub struct SmokeReport {
    /// The template, as recorded in `_src_path`.
    pub template: String,
    /// The checks that ran (none with `render_only`).
    pub checks: Vec<String>,
    pub combinations: Vec<CombinationReport>,
    pub target_dir: PathBuf,
    /// Where the rendered projects were kept, with `keep`.
    pub kept: Option<PathBuf>,
    pub elapsed: Duration,
}

impl SmokeReport {
    pub fn passed(&self) -> bool {
        self.combinations.iter().all(CombinationReport::passed)
    }

    /// The report as `JUnit` XML: a test suite per combination, with a test case
    /// for the render and one for each check.
    pub fn junit(&self) -> String {
        let mut tests = 0;
        let mut failures = 0;
        let mut suites = String::new();
        for report in &self.combinations {
            let suite = junit_suite(report);
            tests += suite.tests;
            failures += suite.failures;
            suites.push_str(&suite.xml);
        }
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <testsuites name=\"scaffold smoke {}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"{:.3}\">\n\
             {suites}</testsuites>\n",
            xml_escape(&self.template),
            self.elapsed.as_secs_f64(),
        )
    }
}

struct Suite {
    xml: String,
    tests: usize,
    failures: usize,
}

fn junit_suite(report: &CombinationReport) -> Suite {
    let label = report.combination.label();
    let classname = xml_escape(label);
    let mut cases = String::new();
    let mut failures = 0;
    let mut skipped = 0;
    let mut time = report.render.elapsed;

    let render_failure = match &report.render.outcome {
        RenderOutcome::Identical { .. } => None,
        RenderOutcome::Differs { paths } => Some((
            "the two renders differ".to_owned(),
            format!("paths that differ:\n{}", paths.join("\n")),
        )),
        RenderOutcome::Failed { message } => Some(("render failed".to_owned(), message.clone())),
    };
    let _ = write!(
        cases,
        "    <testcase classname=\"{classname}\" name=\"render twice, compare\" time=\"{:.3}\"",
        report.render.elapsed.as_secs_f64()
    );
    match render_failure {
        None => cases.push_str("/>\n"),
        Some((message, text)) => {
            failures += 1;
            let _ = write!(
                cases,
                ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                xml_escape(&message),
                xml_escape(&text)
            );
        }
    }
    for check in &report.checks {
        time += check.elapsed;
        let _ = write!(
            cases,
            "    <testcase classname=\"{classname}\" name=\"{}\" time=\"{:.3}\"",
            xml_escape(&check.command),
            check.elapsed.as_secs_f64()
        );
        match &check.outcome {
            CheckOutcome::Passed => cases.push_str("/>\n"),
            CheckOutcome::Skipped => {
                skipped += 1;
                cases.push_str(
                    ">\n      <skipped message=\"the combination did not render\"/>\n    </testcase>\n",
                );
            }
            CheckOutcome::Failed { .. } | CheckOutcome::NotStarted { .. } => {
                failures += 1;
                let _ = write!(
                    cases,
                    ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                    xml_escape(&check_status(&check.outcome)),
                    xml_escape(&check.output)
                );
            }
        }
    }
    let tests = 1 + report.checks.len();
    let xml = format!(
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{:.3}\">\n{cases}  </testsuite>\n",
        classname,
        time.as_secs_f64()
    );
    Suite {
        xml,
        tests,
        failures,
    }
}

/// A check's outcome in words: `passed`, `exit status 101`, ...
pub fn check_status(outcome: &CheckOutcome) -> String {
    match outcome {
        CheckOutcome::Passed => "passed".to_owned(),
        CheckOutcome::Failed { code: Some(code) } => format!("exit status {code}"),
        CheckOutcome::Failed { code: None } => "killed by a signal".to_owned(),
        CheckOutcome::NotStarted { message } => format!("could not start: {message}"),
        CheckOutcome::Skipped => "skipped".to_owned(),
    }
}

/// Escapes text for XML content and attributes; characters XML 1.0 cannot
/// hold at all (most control characters, such as a terminal's escape) are
/// written as `\u{..}` text.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(ch));
            }
            _ => out.push(ch),
        }
    }
    out
}
