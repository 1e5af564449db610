//! A template's commands: `_tasks` (after rendering) and `_migrations`
//! (before and after an update), run as Copier runs them. They run on the
//! user's machine, so a template that has them, or loads
//! `_jinja_extensions`, needs `--trust`; without it the command is refused
//! before anything is written, naming what would run.
//!
//! A task is a string (run by the shell) or a list (run as it is), or a
//! mapping with `command`, `when` and `working_directory`; each part is
//! rendered with the answers plus `_stage` (`task`, `before`, `after`),
//! `_copier_operation` and, for migrations, `_version_from`, `_version_to`,
//! `_version_pep440_from`, `_version_pep440_to` (and `_version_current`),
//! which also reach the command as `STAGE`, `VERSION_FROM`, ... variables.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::Error;
use crate::generate::Rendered;
use crate::jinja::Options;
use crate::render::Renderer;
use crate::spec::Spec;

/// A task that failed: the command's own exit code becomes scaffold's.
#[derive(Debug, thiserror::Error)]
#[error(
    "task {number} of {total} (`{command}`) failed with exit code {code}; the files rendered before it stay in `{}`", dest.display()
)]
pub struct TaskError {
    pub number: usize,
    pub total: usize,
    pub command: String,
    pub code: i32,
    pub dest: PathBuf,
}

/// Refuses a template with tasks, migrations or Jinja extensions unless
/// trusted. `update` also counts migrations.
pub fn check_trust(spec: &Spec, trust: bool, skip_tasks: bool) -> Result<Vec<String>, Error> {
    check(spec, trust, skip_tasks, false)
}

/// [`check_trust`] for `update`, where `_migrations` run too.
pub fn check_trust_for_update(spec: &Spec, trust: bool, skip_tasks: bool) -> Result<(), Error> {
    check(spec, trust, skip_tasks, true).map(|_| ())
}

fn check(spec: &Spec, trust: bool, skip_tasks: bool, update: bool) -> Result<Vec<String>, Error> {
    let mut wants = Vec::new();
    if !spec.tasks.is_empty() && !skip_tasks {
        wants.push(format!("`_tasks` ({})", describe(&spec.tasks)));
    }
    if update && !spec.migrations.is_empty() {
        wants.push(format!("`_migrations` ({})", describe(&spec.migrations)));
    }
    if !spec.jinja_extensions.is_empty() {
        wants.push(format!(
            "`_jinja_extensions` ({})",
            spec.jinja_extensions.join(", ")
        ));
    }
    if wants.is_empty() || trust {
        return Ok(Vec::new());
    }
    Err(Error::Usage(format!(
        "the template has {}, which run on your machine: pass --trust to accept the template{}; nothing was written",
        wants.join(" and "),
        if spec.tasks.is_empty() || skip_tasks {
            ""
        } else {
            " (or -T/--skip-tasks to leave its tasks out)"
        }
    )))
}

/// The commands of `items`, as one short line.
fn describe(items: &[Value]) -> String {
    let commands: Vec<String> = items
        .iter()
        .map(|item| match item {
            Value::Object(map) => map.get("command").map_or_else(String::new, shown),
            other => shown(other),
        })
        .collect();
    let line = commands.join("; ");
    if line.chars().count() > 120 {
        format!("{}...", line.chars().take(117).collect::<String>())
    } else {
        line
    }
}

fn shown(command: &Value) -> String {
    match command {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts
            .iter()
            .map(|part| match part {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

/// One command to run, and what it is rendered with.
#[derive(Debug, Clone)]
pub struct Task {
    command: Value,
    when: Value,
    working_directory: String,
    /// `_stage`, `_version_from`, ...: names without the leading `_`.
    vars: Vec<(String, String)>,
}

/// The template's `_tasks`.
pub fn tasks(spec: &Spec) -> Vec<Task> {
    spec.tasks
        .iter()
        .map(|item| {
            task(
                item,
                Value::Bool(true),
                vec![("stage".into(), "task".into())],
            )
        })
        .collect()
}

fn task(item: &Value, default_when: Value, vars: Vec<(String, String)>) -> Task {
    match item {
        Value::Object(map) => Task {
            command: map.get("command").cloned().unwrap_or(Value::Null),
            when: map.get("when").cloned().unwrap_or(default_when),
            working_directory: map
                .get("working_directory")
                .and_then(Value::as_str)
                .unwrap_or(".")
                .to_owned(),
            vars,
        },
        other => Task {
            command: other.clone(),
            when: default_when,
            working_directory: ".".into(),
            vars,
        },
    }
}

/// The `_migrations` for `stage` (`before` or `after`) of an update from
/// `from` to `to` (recorded `_commit`s), as Copier selects them: both must
/// read as PEP 440 versions, and a migration with `version` runs only when
/// `from < version <= to`.
pub fn migrations(spec: &Spec, stage: &str, from: &str, to: &str) -> Vec<Task> {
    let version = crate::update::versions::pep440;
    let (Some(from_version), Some(to_version)) = (version(from), version(to)) else {
        return Vec::new();
    };
    let vars = vec![
        ("stage".to_owned(), stage.to_owned()),
        ("version_from".to_owned(), from.to_owned()),
        ("version_to".to_owned(), to.to_owned()),
        ("version_pep440_from".to_owned(), from_version.to_string()),
        ("version_pep440_to".to_owned(), to_version.to_string()),
    ];
    let after_only = Value::String(r#"{{ _stage == "after" }}"#.into());
    let mut out = Vec::new();
    for item in &spec.migrations {
        let mut vars = vars.clone();
        if item.get("before").is_some() || item.get("after").is_some() {
            // Copier's older format: `version` with `before` and `after` lists.
            let Some(current) = item.get("version").and_then(Value::as_str) else {
                continue;
            };
            let Some(current_version) = version(current) else {
                continue;
            };
            if !(to_version >= current_version && current_version > from_version) {
                continue;
            }
            vars.push(("version_current".into(), current.to_owned()));
            vars.push(("version_pep440_current".into(), current_version.to_string()));
            let commands = item
                .get(stage)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            out.extend(commands.iter().map(|command| Task {
                command: command.clone(),
                when: Value::Bool(true),
                working_directory: ".".into(),
                vars: vars.clone(),
            }));
            continue;
        }
        if let Some(current) = item.get("version").and_then(Value::as_str) {
            let Some(current_version) = version(current) else {
                continue;
            };
            if !(to_version >= current_version && current_version > from_version) {
                continue;
            }
            vars.push(("version_current".into(), current.to_owned()));
            vars.push(("version_pep440_current".into(), current_version.to_string()));
        }
        out.push(task(item, after_only.clone(), vars));
    }
    out
}

/// Where and how tasks run.
pub struct Runner<'a> {
    pub rendered: &'a Rendered,
    /// The project's folder; `working_directory` is relative to it.
    pub dest: &'a Path,
    /// `copy` or `update` (`_copier_operation`).
    pub operation: &'a str,
    pub quiet: bool,
    /// `--pretend`: announce, run nothing.
    pub pretend: bool,
}

impl Runner<'_> {
    /// Runs `tasks` in order, stopping at the first that fails.
    pub fn run(&self, tasks: &[Task]) -> Result<(), Error> {
        let renderer = Renderer::for_template(
            &self.rendered.spec.envops,
            Some(self.rendered.source.reader()),
            &Options::default(),
        )?;
        for (index, task) in tasks.iter().enumerate() {
            let mut extra: Vec<(String, minijinja::Value)> = task
                .vars
                .iter()
                .map(|(name, value)| (format!("_{name}"), minijinja::Value::from(value.clone())))
                .collect();
            extra.push((
                "_copier_operation".into(),
                minijinja::Value::from(self.operation),
            ));
            let context = self.rendered.answers.context_with(extra);
            let render = |text: &str| renderer.render("task", text, &context);
            let when = match &task.when {
                Value::String(text) => crate::jinja::truthy(&render(text)?),
                Value::Bool(flag) => *flag,
                Value::Null => false,
                other => crate::jinja::truthy(&other.to_string()),
            };
            if !when {
                continue;
            }
            let (mut command, shown) = match &task.command {
                Value::Array(parts) => {
                    let argv = parts
                        .iter()
                        .map(|part| match part {
                            Value::String(text) => render(text),
                            other => Ok(other.to_string()),
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    let Some((program, args)) = argv.split_first() else {
                        continue;
                    };
                    let mut command = Command::new(program);
                    command.args(args);
                    (command, format!("{argv:?}"))
                }
                other => {
                    let text = match other {
                        Value::String(text) => render(text)?,
                        other => other.to_string(),
                    };
                    let mut command = Command::new("sh");
                    command.arg("-c").arg(&text);
                    (command, text)
                }
            };
            if !self.quiet {
                eprintln!(" > Running task {} of {}: {shown}", index + 1, tasks.len());
            }
            if self.pretend {
                continue;
            }
            let directory = self.dest.join(render(&task.working_directory)?);
            command.current_dir(&directory);
            for (name, value) in &task.vars {
                command.env(name.to_ascii_uppercase(), value);
            }
            command.env("COPIER_OPERATION", self.operation);
            let _ = std::io::Write::flush(&mut crate::cli::output::Stdout);
            let status = command.status().map_err(|err| {
                Error::Usage(format!(
                    "task {} of {} (`{shown}`) cannot start in `{}`: {err}",
                    index + 1,
                    tasks.len(),
                    directory.display()
                ))
            })?;
            if !status.success() {
                return Err(TaskError {
                    number: index + 1,
                    total: tasks.len(),
                    command: shown,
                    code: status.code().unwrap_or(1),
                    dest: self.dest.to_owned(),
                }
                .into());
            }
        }
        Ok(())
    }
}

/// Prints a `_message_*` text to stderr, as Copier does (unless quiet):
/// rendered with the answers when `answered`, else before any are known
/// (`_message_before_copy`, `_message_before_update`), where Copier's
/// answer variables are still empty.
pub fn print_message(
    rendered: &Rendered,
    message: Option<&str>,
    answered: bool,
    quiet: bool,
) -> Result<(), Error> {
    let Some(message) = message.filter(|message| !message.is_empty()) else {
        return Ok(());
    };
    if quiet {
        return Ok(());
    }
    let renderer = Renderer::for_template(
        &rendered.spec.envops,
        Some(rendered.source.reader()),
        &Options::default(),
    )?;
    let context = if answered {
        rendered.answers.context()
    } else {
        minijinja::Value::from(())
    };
    let text = renderer.render("_message", message, &context)?;
    eprintln!("{text}");
    Ok(())
}
