//! The command line: parses arguments into the engine's options, runs the
//! command, and leaves all printing to [`output`].

mod args;
mod copier;
pub mod output;
mod smoke;
mod update;

use std::ffi::OsString;
use std::io::IsTerminal;

use clap::{ArgMatches, CommandFactory, FromArgMatches};

pub use args::{Cli, Command};
use output::ExitStatus;

use crate::Error;
use crate::answers::{DataItem, DataOrigin, Prompter};
use crate::generate::{self, NewOptions};
use crate::prompt::TerminalPrompter;
use crate::source::{Source, TemplateRef};
use crate::spec::{Question, Spec};

/// Runs scaffold with `args` (the program name first) and returns how it ends.
pub fn run<I, T>(args: I) -> ExitStatus
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let loaded = load_template(&args);
    let questions = loaded
        .as_ref()
        .map(|loaded| loaded.spec.questions.clone())
        .unwrap_or_default();
    let command = args::with_question_flags(Cli::command(), &questions);
    let matches = match command.try_get_matches_from(&args) {
        Ok(matches) => matches,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitStatus::Usage
            } else {
                ExitStatus::Success
            };
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitStatus::Usage;
        }
    };
    crate::jinja::Limits::configure(cli.max_render_fuel, cli.max_render_bytes);
    match execute(cli, &matches, &questions, loaded) {
        Ok(status) => status,
        Err(err) => output::error(&err),
    }
}

fn execute(
    cli: Cli,
    matches: &ArgMatches,
    questions: &[Question],
    loaded: Option<Loaded>,
) -> Result<ExitStatus, Error> {
    match cli.command {
        Command::New(new) => {
            let sub = matches.subcommand_matches("new").unwrap_or(matches);
            let data = answers_given(&new.data, sub, questions)?;
            let options = NewOptions {
                template: new.template.as_deref().map_or_else(
                    || TemplateRef::Builtin(crate::source::DEFAULT_BUILTIN.into()),
                    TemplateRef::parse,
                ),
                vcs_ref: new.vcs_ref,
                dest: new.dest.clone(),
                answers_file: new.answers_file,
                data,
                defaults: new.defaults,
                force: new.force,
                dry_run: new.dry_run,
                data_file: new.data_file,
                trust: new.trust,
                skip_tasks: new.skip_tasks,
                strict_undefined: new.strict_undefined,
            };
            let loaded = loaded
                .filter(|loaded| loaded.reference == options.template && options.vcs_ref.is_none())
                .map(|loaded| (loaded.source, loaded.spec));
            let outcome = with_prompter(options.defaults, |prompter| {
                generate::new_project_from(&options, loaded, prompter)
            })?;
            for warning in &outcome.warnings {
                eprintln!("warning: {warning}");
            }
            output::new_outcome(&outcome, &new.dest.display().to_string());
            Ok(ExitStatus::Success)
        }
        Command::Smoke(smoke) => smoke::execute(smoke),
        Command::Update(args) => {
            let sub = matches.subcommand_matches("update").unwrap_or(matches);
            update::execute_update(&args, sub, questions)
        }
        Command::Diff(args) => {
            let sub = matches.subcommand_matches("diff").unwrap_or(matches);
            update::execute_diff(&args, sub, questions)
        }
        Command::Check(args) => update::execute_check(&args),
        Command::Copy(args) => copier::execute_copy(&args),
        Command::Recopy(args) => copier::execute_recopy(&args),
        Command::CheckUpdate(args) => copier::execute_check_update(&args),
        Command::Completions { shell } => {
            let mut command = args::with_question_flags(Cli::command(), questions);
            clap_complete::generate(shell, &mut command, "scaffold", &mut output::Stdout);
            Ok(ExitStatus::Success)
        }
    }
}

/// A template opened to make its question flags, kept so `new` reads its
/// copier.yml once.
struct Loaded {
    reference: TemplateRef,
    source: Source,
    spec: Spec,
}

/// The template whose questions become flags: the one named by `--template`
/// when it is a local folder, else the builtin template.
fn load_template(args: &[OsString]) -> Option<Loaded> {
    if !takes_question_flags(args) {
        return None;
    }
    let mut template = None;
    let mut iter = args.iter().map(|arg| arg.to_string_lossy());
    while let Some(arg) = iter.next() {
        if arg == "--template" || arg == "-t" {
            template = iter.next().map(std::borrow::Cow::into_owned);
        } else if let Some(value) = arg.strip_prefix("--template=") {
            template = Some(value.to_owned());
        }
    }
    let reference = match template.as_deref().map(TemplateRef::parse) {
        None => TemplateRef::Builtin(crate::source::DEFAULT_BUILTIN.into()),
        Some(TemplateRef::Git { .. }) => return None,
        Some(other) => other,
    };
    let source = Source::open(&reference, None).ok()?;
    let spec = Spec::load(&source).ok()?;
    Some(Loaded {
        reference,
        source,
        spec,
    })
}

/// Whether the command line names a command that takes question flags (or
/// its help, or completions that list them). Other commands skip loading the
/// template here: that costs more than the rest of `scaffold --version` or a
/// small `scaffold copy`.
fn takes_question_flags(args: &[OsString]) -> bool {
    let mut words = args.iter().skip(1).map(|arg| arg.to_string_lossy());
    while let Some(word) = words.next() {
        if word == "--max-render-fuel" || word == "--max-render-bytes" {
            words.next();
        } else if !word.starts_with('-') {
            return matches!(&*word, "new" | "update" | "diff" | "completions" | "help");
        }
    }
    false
}

/// `--data KEY=VALUE` items and question flags, in that order (flags win).
fn answers_given(
    data: &[String],
    matches: &ArgMatches,
    questions: &[Question],
) -> Result<Vec<DataItem>, Error> {
    let mut given = data
        .iter()
        .map(|item| DataItem::parse(item).map_err(Error::Usage))
        .collect::<Result<Vec<_>, _>>()?;
    given.extend(question_flag_values(matches, questions));
    Ok(given)
}

/// Runs `run` with a terminal prompter, or none when `defaults` is set or
/// there is no terminal to ask on.
fn with_prompter<T>(defaults: bool, run: impl FnOnce(Option<&mut dyn Prompter>) -> T) -> T {
    let mut prompter = TerminalPrompter::default();
    let interactive =
        !defaults && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    run(if interactive {
        Some(&mut prompter)
    } else {
        None
    })
}

fn question_flag_values(matches: &ArgMatches, questions: &[Question]) -> Vec<DataItem> {
    // Only the flags given are looked up: clap's lookups are linear, and a
    // template may have thousands of questions.
    let flags: std::collections::HashMap<&str, usize> = questions
        .iter()
        .enumerate()
        .filter(|(_, question)| args::has_flag(question))
        .map(|(index, question)| (question.name.as_str(), index))
        .collect();
    let mut given: Vec<(usize, DataItem)> = matches
        .ids()
        .filter_map(|id| flags.get(id.as_str()).map(|&index| (index, id.as_str())))
        .filter_map(|(index, name)| {
            matches.get_one::<String>(name).map(|raw| {
                (
                    index,
                    DataItem {
                        key: name.to_owned(),
                        value: serde_json::Value::from(raw.clone()),
                        origin: DataOrigin::Flag,
                    },
                )
            })
        })
        .collect();
    given.sort_by_key(|(index, _)| *index);
    given.into_iter().map(|(_, item)| item).collect()
}

#[cfg(test)]
mod tests {
    use super::takes_question_flags;

    fn takes(line: &str) -> bool {
        let args: Vec<std::ffi::OsString> = line.split(' ').map(Into::into).collect();
        takes_question_flags(&args)
    }

    #[test]
    fn only_commands_with_question_flags_load_the_template_first() {
        assert!(takes("scaffold new x --defaults"));
        assert!(takes("scaffold --max-render-fuel 10 new x"));
        assert!(takes("scaffold update --conflict inline"));
        assert!(takes("scaffold help new"));
        assert!(takes("scaffold completions bash"));
        assert!(!takes("scaffold --version"));
        assert!(!takes("scaffold copy src dst --defaults"));
        assert!(!takes("scaffold --max-render-bytes 9 copy new dst"));
        assert!(!takes("scaffold check-update"));
    }
}
