//! `scaffold smoke`: proves in CI that a template still renders, renders the
//! same bytes every time, and that every project it renders passes its checks.
//!
//! Each answer combination of the template's `_smoke` setting (the defaults
//! when it has none) is rendered twice into separate folders and the two are
//! compared byte for byte; then, unless only rendering was asked for, the
//! template's checks (shell commands such as `cargo test`) run in the first
//! copy. One cargo target folder is shared by every combination, so
//! dependencies are compiled once. The outcome is a [`SmokeReport`], a value:
//! the command line prints it, [`SmokeReport::junit`] turns it into `JUnit` XML.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::Error;
use crate::answers::{AnswerInput, Answers, AnswersFile};
use crate::generate;
use crate::render::Renderer;
use crate::source::{Source, TemplateRef};
use crate::spec::Spec;
use crate::write::{self, WriteOptions};

/// What `scaffold smoke` was asked to do, independent of the command line.
#[derive(Debug, Clone)]
pub struct SmokeOptions {
    pub template: TemplateRef,
    pub vcs_ref: Option<String>,
    /// Render and compare only; run none of the checks.
    pub render_only: bool,
    /// How many combinations run at the same time (at least 1).
    pub jobs: usize,
    /// Keep the rendered projects instead of removing them at the end.
    pub keep: bool,
    /// The cargo target folder every check shares (`CARGO_TARGET_DIR`).
    pub target_dir: PathBuf,
    /// Run `_smoke.checks` of a template that is not builtin: they are shell
    /// commands the template's author wrote, run with the user's rights.
    pub trust: bool,
}

/// The most combinations one smoke run takes on.
pub const MAX_COMBINATIONS: usize = 10_000;

/// The target folder used when none is given: `$CARGO_TARGET_DIR` when set,
/// else `scaffold-smoke-target` in the system's temporary folder. It outlives
/// the run, so a second run finds the dependencies already built.
pub fn default_target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .filter(|dir| !dir.is_empty())
        .map_or_else(
            || std::env::temp_dir().join("scaffold-smoke-target"),
            PathBuf::from,
        )
}

/// One set of answers laid over the template's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Combination {
    /// 1-based position in the template's list.
    pub number: usize,
    pub total: usize,
    pub answers: Map<String, Value>,
    label: String,
}

impl Combination {
    pub fn new(number: usize, total: usize, answers: Map<String, Value>, spec: &Spec) -> Self {
        let position = |key: &str| {
            spec.questions
                .iter()
                .position(|question| question.name == key)
                .unwrap_or(usize::MAX)
        };
        let mut keys: Vec<&String> = answers.keys().collect();
        keys.sort_by_key(|key| position(key));
        let label = if keys.is_empty() {
            "defaults".to_owned()
        } else {
            keys.iter()
                .map(|key| match &answers[key.as_str()] {
                    Value::String(text) => format!("{key}={text}"),
                    other => format!("{key}={other}"),
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        Self {
            number,
            total,
            answers,
            label,
        }
    }

    /// `key=value ...` in the order of the questions, or `defaults`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The folder the combination is rendered into, also its `_folder_name`.
    pub fn folder_name(&self) -> String {
        format!("smoke-{:02}", self.number)
    }
}

mod compare;
mod report;
#[cfg(test)]
mod tests;

pub use compare::compare_folders;
use compare::{differing_paths, read_folder};
pub use report::*;

/// The combinations a template declares, or the defaults alone, each built
/// only when it is taken (a matrix of many axes is never expanded up front).
#[derive(Debug, Clone, Copy)]
pub struct Combinations<'a> {
    spec: &'a Spec,
    /// How many the template declares; `usize::MAX` when more than that.
    declared: usize,
}

impl<'a> Combinations<'a> {
    pub fn new(spec: &'a Spec) -> Self {
        let declared = spec
            .smoke
            .as_ref()
            .map_or(Some(0), crate::spec::SmokeSpec::len)
            .unwrap_or(usize::MAX);
        Self { spec, declared }
    }

    /// How many there are: at least one, the defaults.
    pub fn len(&self) -> usize {
        self.declared.max(1)
    }

    /// Never empty: a template without combinations runs its defaults once.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The combination at `index` (0-based), built now.
    pub fn get(&self, index: usize) -> Option<Combination> {
        if index >= self.len() {
            return None;
        }
        let answers = match &self.spec.smoke {
            Some(smoke) if self.declared > 0 => smoke.get(index)?,
            _ => Map::new(),
        };
        Some(Combination::new(index + 1, self.len(), answers, self.spec))
    }
}

/// The combinations of `spec`, refused when there are more than [`MAX_COMBINATIONS`].
pub fn combinations(spec: &Spec) -> Result<Combinations<'_>, Error> {
    let combinations = Combinations::new(spec);
    if combinations.len() > MAX_COMBINATIONS {
        return Err(Error::Other(format!(
            "`_smoke` declares {} combinations; scaffold smoke runs at most {MAX_COMBINATIONS}: give the matrix fewer values, or list combinations one by one",
            if combinations.len() == usize::MAX {
                "more than 2^64".to_owned()
            } else {
                combinations.len().to_string()
            }
        )));
    }
    Ok(combinations)
}

/// Runs smoke for the template of `options`, reporting steps to `progress`.
///
/// Errors are the ones that stop everything (the template cannot be opened or
/// its spec is invalid, no temporary folder); a combination that fails to
/// render or a failing check is part of the report.
///
/// # Panics
///
/// When the operating system cannot start a worker thread.
pub fn run(options: &SmokeOptions, progress: &dyn Progress) -> Result<SmokeReport, Error> {
    let started = Instant::now();
    // Both renders of a combination read the same "now" (SOURCE_DATE_EPOCH or this second).
    crate::jinja::freeze_clock();
    let source = Source::open(&options.template, options.vcs_ref.as_deref())?;
    let spec = Spec::load(&source)?;
    let checks = if options.render_only {
        Vec::new()
    } else {
        spec.smoke
            .as_ref()
            .map(|smoke| smoke.checks.clone())
            .unwrap_or_default()
    };
    let builtin = matches!(source.reference(), TemplateRef::Builtin(_));
    if !checks.is_empty() && !builtin && !options.trust {
        return Err(Error::Usage(format!(
            "template `{}` has `_smoke.checks`: shell commands its author wrote, which scaffold runs only with --trust; read them in its copier.yml, then pass --trust, or pass --render-only",
            source.reference().describe()
        )));
    }
    let combinations = combinations(&spec)?;
    // Checks run inside each project, so a relative folder would mean another one each time.
    let target_dir = std::path::absolute(&options.target_dir).map_err(|err| {
        Error::Other(format!(
            "target folder `{}`: {err}",
            options.target_dir.display()
        ))
    })?;
    let work = tempfile::Builder::new()
        .prefix("scaffold-smoke-")
        .tempdir()
        .map_err(|err| Error::Other(format!("cannot create a temporary folder: {err}")))?;
    let registered = crate::interrupt::register(work.path());

    let runner = Runner {
        source: &source,
        spec: &spec,
        checks: &checks,
        work: work.path(),
        target_dir: &target_dir,
        progress,
    };
    let next = AtomicUsize::new(0);
    let reports = Mutex::new(BTreeMap::new());
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.clamp(1, combinations.len()) {
            // Renders need the render stack (see jinja::RENDER_STACK_BYTES).
            std::thread::Builder::new()
                .stack_size(crate::jinja::RENDER_STACK_BYTES)
                .spawn_scoped(scope, || {
                    while let Some(combination) =
                        combinations.get(next.fetch_add(1, Ordering::SeqCst))
                    {
                        let report = runner.combination(&combination);
                        reports
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .insert(combination.number, report);
                    }
                })
                .expect("the operating system starts a smoke worker");
        }
    });
    let combinations = reports
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .into_values()
        .collect();

    drop(registered);
    let kept = options.keep.then(|| work.keep());
    Ok(SmokeReport {
        template: source.reference().describe(),
        checks,
        combinations,
        target_dir,
        kept,
        elapsed: started.elapsed(),
    })
}

struct Runner<'a> {
    source: &'a Source,
    spec: &'a Spec,
    checks: &'a [String],
    work: &'a Path,
    target_dir: &'a Path,
    progress: &'a dyn Progress,
}

impl Runner<'_> {
    fn combination(&self, combination: &Combination) -> CombinationReport {
        let project = self.work.join(combination.folder_name());
        self.progress.event(&Event::Started {
            combination,
            step: Step::Render,
        });
        let (render, answers) = self.render_twice(combination, &project);
        self.progress.event(&Event::Finished {
            combination,
            step: Step::Render,
            elapsed: render.elapsed,
            passed: render.passed(),
        });
        let checks = self
            .checks
            .iter()
            .map(|command| {
                let Some(answers) = &answers else {
                    return CheckReport {
                        command: command.clone(),
                        rendered: command.clone(),
                        outcome: CheckOutcome::Skipped,
                        elapsed: Duration::ZERO,
                        output: String::new(),
                    };
                };
                let step = Step::Check(command);
                self.progress.event(&Event::Started { combination, step });
                let report = self.check(command, answers, &project);
                self.progress.event(&Event::Finished {
                    combination,
                    step,
                    elapsed: report.elapsed,
                    passed: !report.failed(),
                });
                report
            })
            .collect();
        CombinationReport {
            combination: combination.clone(),
            render,
            checks,
            project,
        }
    }

    /// Renders `command` with the combination's answers and runs it in `project`.
    fn check(&self, command: &str, answers: &Answers, project: &Path) -> CheckReport {
        let rendered = Renderer::new(&self.spec.envops)
            .and_then(|renderer| renderer.render("_smoke.checks", command, &answers.context()));
        match rendered {
            Ok(rendered) => run_check(command, rendered, project, self.target_dir),
            Err(err) => CheckReport {
                command: command.to_owned(),
                rendered: command.to_owned(),
                outcome: CheckOutcome::NotStarted {
                    message: err.to_string(),
                },
                elapsed: Duration::ZERO,
                output: String::new(),
            },
        }
    }

    /// Renders into `project`, again into a sibling folder, and compares.
    /// The answers are there when the first render succeeded.
    fn render_twice(
        &self,
        combination: &Combination,
        project: &Path,
    ) -> (RenderReport, Option<Answers>) {
        let started = Instant::now();
        let answers = match self.render_into(combination, project) {
            Ok(answers) => answers,
            Err(err) => {
                let report = RenderReport {
                    outcome: RenderOutcome::Failed {
                        message: err.to_string(),
                    },
                    elapsed: started.elapsed(),
                };
                return (report, None);
            }
        };
        let elapsed = started.elapsed();
        let again = self
            .work
            .join(".again")
            .join(combination.number.to_string())
            .join(combination.folder_name());
        let both = self.render_into(combination, &again).and_then(|_| {
            let read =
                |folder: &Path| read_folder(folder).map_err(|err| Error::Other(err.to_string()));
            Ok((read(project)?, read(&again)?))
        });
        let outcome = match both {
            Ok((first, second)) => {
                let paths = differing_paths(&first, &second);
                if paths.is_empty() {
                    RenderOutcome::Identical { files: first.len() }
                } else {
                    RenderOutcome::Differs { paths }
                }
            }
            Err(err) => RenderOutcome::Failed {
                message: format!("second render: {err}"),
            },
        };
        if let Some(parent) = again.parent() {
            let _ = fs::remove_dir_all(parent);
        }
        (RenderReport { outcome, elapsed }, Some(answers))
    }

    fn render_into(&self, combination: &Combination, dest: &Path) -> Result<Answers, Error> {
        let input = AnswerInput {
            folder_name: combination.folder_name(),
            answers_file: Some(AnswersFile {
                path: format!("_smoke combination {}", combination.number),
                values: combination.answers.clone(),
                strict: true,
            }),
            defaults: true,
            // Smoke is the template's CI: an undefined variable is an error, not "".
            strict_undefined: true,
            ..AnswerInput::default()
        };
        let (answers, tree) = generate::render_answers(self.source, self.spec, input, None)?;
        write::write_new(&tree, dest, &WriteOptions::default())?;
        Ok(answers)
    }
}

/// Runs `rendered` (the check `command` rendered) with the platform's shell
/// in `dir`, capturing its output.
fn run_check(command: &str, rendered: String, dir: &Path, target_dir: &Path) -> CheckReport {
    let started = Instant::now();
    let mut process = shell(&rendered);
    process
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .stdin(Stdio::null());
    let (outcome, output) = match process.output() {
        Ok(output) => {
            let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
            text.push_str(&String::from_utf8_lossy(&output.stderr));
            let outcome = if output.status.success() {
                CheckOutcome::Passed
            } else {
                CheckOutcome::Failed {
                    code: output.status.code(),
                }
            };
            (outcome, text)
        }
        Err(err) => (
            CheckOutcome::NotStarted {
                message: err.to_string(),
            },
            String::new(),
        ),
    };
    CheckReport {
        command: command.to_owned(),
        rendered,
        outcome,
        elapsed: started.elapsed(),
        output,
    }
}

/// `sh -c`, with standard error sent to standard output so the captured text
/// keeps the order in which it was written.
#[cfg(unix)]
fn shell(command: &str) -> Command {
    let mut process = Command::new("sh");
    process.arg("-c").arg(format!("exec 2>&1\n{command}"));
    process
}

#[cfg(not(unix))]
fn shell(command: &str) -> Command {
    let mut process = Command::new("cmd");
    process.arg("/C").arg(command);
    process
}
