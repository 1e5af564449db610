//! Everything the command line prints besides clap's own help: errors, the
//! summary of a render, colours and exit codes.

use std::io::IsTerminal;
use std::process::ExitCode;

use console::style;

use crate::Error;
use crate::generate::NewOutcome;

/// Exit code for a failure of the template, the disk or the network.
pub const FAILURE: u8 = 1;
/// Exit code for bad input: flags, answers, destination.
pub const USAGE: u8 = 2;

fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Prints `error: ...` on stderr and returns the exit code it deserves.
pub fn error(err: &Error) -> ExitCode {
    let label = if stderr_is_terminal() {
        style("error:").red().bold().to_string()
    } else {
        "error:".to_owned()
    };
    eprintln!("{label} {err}");
    ExitCode::from(if err.is_usage() { USAGE } else { FAILURE })
}

/// Prints a warning on stderr.
pub fn warning(message: &str) {
    let label = if stderr_is_terminal() {
        style("warning:").yellow().bold().to_string()
    } else {
        "warning:".to_owned()
    };
    eprintln!("{label} {message}");
}

/// Prints what `scaffold new` wrote (or would write) and the next steps.
pub fn new_outcome(outcome: &NewOutcome, dest: &str) {
    let tree = &outcome.rendered.tree;
    if !outcome.rendered.spec.ignored_settings.is_empty() {
        warning(&format!(
            "the template's {} not supported by scaffold and were ignored",
            outcome.rendered.spec.ignored_settings.join(", ") + " settings are"
        ));
    }
    match &outcome.written {
        None => {
            for (path, file) in tree {
                println!(
                    "{:o} {:>8}  {dest}/{path}",
                    file.mode(),
                    file.contents.len()
                );
            }
            println!(
                "dry run: {} files would be written to {dest}; nothing was written",
                tree.len()
            );
        }
        Some(report) => {
            for path in &report.skipped {
                println!("  skipped {path} (exists, listed in _skip_if_exists)");
            }
            for path in &report.overwritten {
                println!("  overwrote {path}");
            }
            println!(
                "Created {} files in {dest}{}",
                report.created.len() + report.overwritten.len(),
                if report.overwritten.is_empty() {
                    String::new()
                } else {
                    format!(" ({} overwritten)", report.overwritten.len())
                }
            );
            match &outcome.rendered.message_after_copy {
                Some(message) => println!("\n{}", message.trim_end()),
                None => println!("\nNext: cd {dest}"),
            }
        }
    }
}
