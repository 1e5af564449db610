//! What can be typed: clap's derive structs, plus one flag per template question.

use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Args, Parser, Subcommand};

use crate::spec::{AnswerType, Question};

const EXAMPLES: &str = "\
Examples:
  scaffold new my-service --defaults                       render the builtin service, no questions
  scaffold new my-service --websocket-module=enabled       answer one question by flag, ask the rest
  scaffold new my-service --defaults --data project_description=\"Chat backend\"
  scaffold new my-service --answers-file answers.yml       take answers from a YAML file
  scaffold new my-service --defaults --dry-run             list what would be written
  scaffold new my-service --template ./my-template         render a Copier-format template from a folder
  scaffold completions bash > /etc/bash_completion.d/scaffold";

/// Render production-ready Rust services from Copier-format templates.
#[derive(Debug, Parser)]
#[command(name = "scaffold", version, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render a template into a new project folder.
    #[command(after_help = EXAMPLES)]
    New(NewArgs),
    /// Print shell completions for SHELL to stdout.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
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
];

/// Adds `--question-name VALUE` for every question to the commands that take answers.
pub fn with_question_flags(command: clap::Command, questions: &[Question]) -> clap::Command {
    command.mut_subcommand("new", |sub| {
        questions
            .iter()
            .filter(|question| !RESERVED.contains(&question.name.as_str()))
            .fold(sub, |sub, question| sub.arg(question_arg(question)))
    })
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
            .iter()
            .map(|choice| match &choice.value {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect();
        help.push_str(&format!(" [choices: {}]", choices.join(", ")));
    }
    if let Some(default) = &question.default {
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
        .action(ArgAction::Set);
    if question.kind == AnswerType::Bool && !question.multiselect {
        arg = arg
            .num_args(0..=1)
            .default_missing_value("true")
            .require_equals(false);
    }
    arg
}

/// Whether `id` is one of the question flags of `matches`.
pub fn is_flag_id(matches: &ArgMatches, id: &str) -> bool {
    matches.ids().any(|known| known.as_str() == id) && !RESERVED.contains(&id)
}
