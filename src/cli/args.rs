//! What can be typed: clap's derive structs, plus one flag per template question.

use std::path::PathBuf;

use clap::{Arg, ArgAction, Args, Parser, Subcommand};

use crate::spec::{AnswerType, Question, When};

const EXAMPLES: &str = "\
Examples:
  scaffold new my-service --defaults                       render the builtin service, no questions
  scaffold new my-service --websocket-module=enabled       answer one question by flag, ask the rest
  scaffold new my-service --defaults --data project_description=\"Chat backend\"
  scaffold new my-service --answers-file answers.yml       take answers from a YAML file
  scaffold new my-service --defaults --dry-run             list what would be written
  scaffold new my-service --template ./my-template         render a template from a folder
  scaffold completions bash > /etc/bash_completion.d/scaffold";

/// Render production-ready Rust services from Copier-format templates.
#[derive(Debug, Parser)]
#[command(name = "scaffold", version, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Most work one template render may do (minijinja fuel) [default: 5000000].
    #[arg(long, global = true, value_name = "FUEL")]
    pub max_render_fuel: Option<u64>,
    /// Largest output of one template render, in bytes [default: 268435456].
    #[arg(long, global = true, value_name = "BYTES")]
    pub max_render_bytes: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render a template into a new project folder.
    #[command(after_help = EXAMPLES)]
    New(NewArgs),
    /// Render every answer combination of a template twice, compare, and run its checks (CI).
    #[command(after_help = SMOKE_EXAMPLES)]
    Smoke(SmokeArgs),
    /// Bring a project up to date with its template (or new answers), keeping its edits: a 3-way merge.
    #[command(after_help = UPDATE_EXAMPLES)]
    Update(UpdateArgs),
    /// Show what `scaffold update` would change, as unified diffs (coloured on a terminal).
    #[command(after_help = UPDATE_EXAMPLES)]
    Diff(DiffArgs),
    /// List the paths where a project drifted from what its template renders; exit 1 if any (CI).
    #[command(after_help = UPDATE_EXAMPLES)]
    Check(CheckArgs),
    /// Copier's `copy`: render the template SRC into DST, with Copier's flags.
    Copy(super::copier::CopyArgs),
    /// Copier's `recopy`: render a project's template from scratch with its recorded answers.
    Recopy(super::copier::RecopyArgs),
    /// Copier's `check-update`: exit 1 and print the newer version when the template has one.
    CheckUpdate(super::copier::CheckUpdateArgs),
    /// Print shell completions for SHELL to stdout.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "one field per command-line flag"
)]
pub struct NewArgs {
    /// Folder to create (must be new or empty unless --force).
    pub dest: PathBuf,
    /// Template: a folder, a git URL (https://, git@, gh:owner/repo), or builtin:NAME [default: builtin:service].
    #[arg(short, long, value_name = "PATH|GIT-URL")]
    pub template: Option<String>,
    /// Git tag, branch or commit of a git template [default: the newest tag, else HEAD].
    #[arg(long, value_name = "REF")]
    pub vcs_ref: Option<String>,
    /// Answer a question: KEY=VALUE (repeatable).
    #[arg(short, long = "data", value_name = "KEY=VALUE")]
    pub data: Vec<String>,
    /// Read answers from a YAML file (lower precedence than --data and flags).
    #[arg(short, long, value_name = "FILE")]
    pub answers_file: Option<PathBuf>,
    /// Take the default of every question not answered otherwise; never prompt.
    #[arg(short = 'l', long)]
    pub defaults: bool,
    /// Write into a non-empty folder, overwriting only the template's own files.
    #[arg(short, long)]
    pub force: bool,
    /// List the files that would be written and write nothing.
    #[arg(short = 'n', long)]
    pub dry_run: bool,
    /// Read answers from a YAML file of NAME: VALUE (--data wins over it), as Copier's --data-file.
    #[arg(long, value_name = "FILE")]
    pub data_file: Option<PathBuf>,
    /// Trust the template: run its `_tasks` (and accept `_jinja_extensions`), as Copier's --trust.
    #[arg(long, visible_alias = "UNSAFE")]
    pub trust: bool,
    /// Do not run the template's `_tasks`.
    #[arg(short = 'T', long)]
    pub skip_tasks: bool,
    /// Undefined variables are errors instead of Copier's empty values.
    #[arg(long)]
    pub strict_undefined: bool,
}

const UPDATE_EXAMPLES: &str = "\
Examples:
  scaffold update                               newest template, recorded answers
  scaffold update --websocket-module=enabled    change an answer; its files and seams arrive
  scaffold update --data project_description=\"...\" --dry-run
  scaffold update --conflict rej                keep your lines, clashing hunks to FILE.rej
  scaffold diff                                 what update would change, as unified diffs
  scaffold check                                exit 1 where the project drifted (CI)

See docs/update.md for the merge, the answers file and resolving conflicts.";

/// The project and the template version that update, diff and check compare.
#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// The project's folder.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Template to use instead of the answers file's `_src_path` (when it moved).
    #[arg(short, long, value_name = "PATH|GIT-URL")]
    pub template: Option<String>,
    /// Version to move to: a git tag, branch or commit, or a builtin release [default: the newest PEP 440 tag, else HEAD (a local repository's work tree); this scaffold's builtin templates].
    #[arg(short = 'r', long, value_name = "REF")]
    pub vcs_ref: Option<String>,
    /// The project's answers file, relative to DIR [default: .scaffold-answers.yml, else .copier-answers.yml].
    #[arg(short, long, value_name = "FILE")]
    pub answers_file: Option<PathBuf>,
}

/// How update and diff change answers and write clashes.
#[derive(Debug, Args)]
pub struct ChangeArgs {
    /// Change an answer: KEY=VALUE (repeatable); the others keep their recorded values.
    #[arg(short, long = "data", value_name = "KEY=VALUE")]
    pub data: Vec<String>,
    /// Take the default of every question the answers file does not answer; never prompt.
    #[arg(short = 'l', long, short_alias = 'f')]
    pub defaults: bool,
    /// How edits that clash are written: Copier's conflict markers in the file, or the template's lines with yours in FILE.rej.
    #[arg(short = 'o', long, value_enum, default_value_t = ConflictArg::Inline)]
    pub conflict: ConflictArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConflictArg {
    /// `<<<<<<<` / `|||||||` / `=======` / `>>>>>>>` markers in the file.
    Inline,
    /// Keep the project's lines; write the template's clashing hunks to FILE.rej.
    Rej,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    #[command(flatten)]
    pub change: ChangeArgs,
    /// List what would change and write nothing.
    #[arg(short = 'n', long)]
    pub dry_run: bool,
    /// Update even when the project's git work tree has uncommitted changes.
    #[arg(long)]
    pub allow_dirty: bool,
    #[command(flatten)]
    pub copier: super::copier::UpdateCopierArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    #[command(flatten)]
    pub change: ChangeArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
}

const SMOKE_EXAMPLES: &str = "\
Examples:
  scaffold smoke                            every combination of the builtin template
  scaffold smoke --template ./my-template --render-only
  scaffold smoke --jobs 2 --keep            keep the rendered projects for inspection
  scaffold smoke --junit smoke.xml          also write a JUnit XML report for CI

A template declares its combinations and checks in copier.yml (docs/smoke.md):
  _smoke:
    matrix: {auth: [none, token]}       every combination of these values
    combinations: [{metrics: false}]    and these ones
    checks: [cargo fmt --check]         shell commands run in each project";

#[derive(Debug, Args)]
pub struct SmokeArgs {
    /// Template: a folder, a git URL (https://, git@, gh:owner/repo), or builtin:NAME [default: builtin:service].
    #[arg(short, long, value_name = "PATH|GIT-URL")]
    pub template: Option<String>,
    /// Git tag, branch or commit of a git template [default: the newest tag, else HEAD].
    #[arg(long, value_name = "REF")]
    pub vcs_ref: Option<String>,
    /// Render each combination twice and compare; run none of the checks.
    #[arg(long)]
    pub render_only: bool,
    /// Run the template's `_smoke.checks` (shell commands from its copier.yml);
    /// needed for any template that is not builtin.
    #[arg(long)]
    pub trust: bool,
    /// Combinations run at the same time.
    #[arg(short, long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,
    /// Keep the rendered projects and print where they are.
    #[arg(long)]
    pub keep: bool,
    #[arg(
        long,
        value_name = "DIR",
        help = "Cargo target folder shared by every combination [default: $CARGO_TARGET_DIR, else scaffold-smoke-target in the temporary folder]"
    )]
    pub target_dir: Option<PathBuf>,
    #[arg(
        long,
        value_name = "FILE",
        help = "Also write a JUnit XML report to FILE"
    )]
    pub junit: Option<PathBuf>,
}

/// Names already taken by scaffold's own flags; such questions use `--data`.
const RESERVED: &[&str] = &[
    "template",
    "vcs_ref",
    "data",
    "answers_file",
    "defaults",
    "force",
    "dry_run",
    "help",
    "version",
    "dest",
    "dir",
    "conflict",
    "allow_dirty",
    "context_lines",
    "skip_answered",
    "pretend",
    "quiet",
    "prereleases",
    "exclude",
    "skip",
    "overwrite",
    "data_file",
    "trust",
    "unsafe",
    "skip_tasks",
    "strict_undefined",
    "max_render_fuel",
    "max_render_bytes",
];

/// Adds `--question-name VALUE` for every question to the commands that take answers.
pub fn with_question_flags(command: clap::Command, questions: &[Question]) -> clap::Command {
    ["new", "update", "diff"]
        .into_iter()
        .fold(command, |command, name| {
            command.mut_subcommand(name, |sub| {
                questions
                    .iter()
                    .filter(|question| has_flag(question))
                    .fold(sub, |sub, question| sub.arg(question_arg(question)))
            })
        })
}

/// Whether a question gets its own flag: its name must make a plain flag
/// (`a b`, `-x`, `dry-run` do not) that scaffold does not already use.
/// Other questions are answered with `--data NAME=VALUE`.
pub(super) fn has_flag(question: &Question) -> bool {
    question.has_flag_name()
        && !RESERVED.contains(&question.name.as_str())
        && !RESERVED.contains(&question.name.to_ascii_lowercase().as_str())
}

fn question_arg(question: &Question) -> Arg {
    let mut help = question
        .help
        .as_deref()
        .unwrap_or(&question.name)
        .trim()
        .to_owned();
    if !question.choices.is_empty() {
        let choices: Vec<String> = question
            .choices
            .listed()
            .iter()
            .map(|choice| match &choice.value {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect();
        help.push_str(&format!(" [choices: {}]", choices.join(", ")));
    }
    if let Some(default) = question
        .default
        .as_ref()
        .filter(|_| question.when != When::Never)
    {
        let shown = match default {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        help.push_str(&format!(" [default: {shown}]"));
    }
    let mut arg = Arg::new(question.name.clone())
        .long(question.name.replace('_', "-"))
        .value_name(question.kind.name().to_uppercase())
        .help(help)
        .help_heading("Template questions (builtin template, or the local --template)")
        .action(ArgAction::Set)
        .hide(question.when == When::Never);
    if question.kind == AnswerType::Bool && !question.multiselect {
        arg = arg
            .num_args(0..=1)
            .default_missing_value("true")
            .require_equals(false);
    }
    arg
}
