//! Everything the command line prints besides clap's own help: errors, the
//! summary of a render, colours and exit codes.
//!
//! Standard output is written through [`Stdout`] (and the [`say!`] macro),
//! never `println!`: a reader that went away (`| head -1`) ends the output
//! quietly, and a full disk (`> /dev/full`) becomes one error line and exit 1,
//! where `println!` would panic.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Mutex;

use console::style;

use crate::Error;
use crate::generate::NewOutcome;

/// How scaffold exits: one value per meaning, as uv's `ExitStatus`; the
/// numbers live here and nowhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Done (0).
    Success,
    /// The answer is "not yet" (1): an update left conflicts to resolve,
    /// `check` found drift, `check-update` found a newer version.
    Different,
    /// The template, the disk or the network failed (1).
    Failure,
    /// Bad input (2): flags, answers, destination, an unknown version.
    Usage,
    /// `update` or `recopy` could not finish and changed nothing (3), so
    /// that 1 from them means only "conflicts remain".
    NotUpdated,
    /// Ctrl-C or SIGTERM (130, as shells report 128 + SIGINT).
    Interrupted,
    /// A failing task's own exit code, passed on as Copier passes it.
    External(u8),
}

impl ExitStatus {
    pub const fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Different | Self::Failure => 1,
            Self::Usage => 2,
            Self::NotUpdated => 3,
            Self::Interrupted => 130,
            Self::External(code) => code,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status.code())
    }
}

/// The first error writing standard output met, if any.
static STDOUT_ERROR: Mutex<Option<std::io::Error>> = Mutex::new(None);

/// Standard output that never fails: after the first error it drops what it
/// is given, and [`finish`] reports that error.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stdout;

impl Write for Stdout {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut failed = STDOUT_ERROR
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if failed.is_none()
            && let Err(err) = std::io::stdout().lock().write_all(bytes)
        {
            *failed = Some(err);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let mut failed = STDOUT_ERROR
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if failed.is_none()
            && let Err(err) = std::io::stdout().lock().flush()
        {
            *failed = Some(err);
        }
        Ok(())
    }
}

/// `println!` through [`Stdout`].
#[macro_export]
macro_rules! say {
    () => {{
        use ::std::io::Write as _;
        let _ = ::std::writeln!($crate::cli::output::Stdout);
    }};
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        let _ = ::std::writeln!($crate::cli::output::Stdout, $($arg)*);
    }};
}

/// Flushes standard output and turns a failure to write it into the exit
/// code: a closed pipe keeps `status` (the reader chose to stop), any other
/// error is reported and exits 1.
pub fn finish(status: ExitStatus) -> ExitCode {
    let _ = Stdout.flush();
    let failed = STDOUT_ERROR
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take();
    match failed {
        None => status.into(),
        Some(err) if err.kind() == std::io::ErrorKind::BrokenPipe => status.into(),
        Some(err) => {
            let _ = writeln!(
                std::io::stderr(),
                "error: cannot write to standard output: {err}"
            );
            ExitStatus::Failure.into()
        }
    }
}

/// `eprintln!` that ignores a closed standard error instead of panicking.
fn complain(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Prints `error: ...` on stderr and returns the status it deserves: bad
/// input is [`ExitStatus::Usage`], an interrupt [`ExitStatus::Interrupted`],
/// anything else [`ExitStatus::Failure`].
pub fn error(err: &Error) -> ExitStatus {
    error_as(err, ExitStatus::Failure)
}

/// Prints `error: ...` like [`error`]; a failure that is not bad input or an
/// interrupt gets `failure`.
pub fn error_as(err: &Error, failure: ExitStatus) -> ExitStatus {
    let label = if stderr_is_terminal() {
        style("error:").red().bold().to_string()
    } else {
        "error:".to_owned()
    };
    complain(&format!("{label} {err}"));
    if err.is_usage() {
        ExitStatus::Usage
    } else if matches!(err, Error::Write(crate::disk::WriteError::Interrupted)) {
        ExitStatus::Interrupted
    } else {
        failure
    }
}

/// Prints a warning on stderr.
pub fn warning(message: &str) {
    let label = if stderr_is_terminal() {
        style("warning:").yellow().bold().to_string()
    } else {
        "warning:".to_owned()
    };
    complain(&format!("{label} {message}"));
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
                crate::say!(
                    "{:o} {:>8}  {dest}/{path}",
                    file.mode(),
                    file.contents.len()
                );
            }
            crate::say!(
                "dry run: {} files would be written to {dest}; nothing was written",
                tree.len()
            );
        }
        Some(report) => {
            for path in &report.skipped {
                crate::say!("  skipped {path} (exists, listed in _skip_if_exists)");
            }
            for path in &report.overwritten {
                crate::say!("  overwrote {path}");
            }
            crate::say!(
                "Created {} files in {dest}{}",
                report.created.len() + report.overwritten.len(),
                if report.overwritten.is_empty() {
                    String::new()
                } else {
                    format!(" ({} overwritten)", report.overwritten.len())
                }
            );
            if let Some(message) = &outcome.rendered.message_after_copy {
                crate::say!("\n{}", message.trim_end());
            } else {
                crate::say!("\nNext: cd {dest}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_status_has_the_documented_code() {
        let codes = [
            (ExitStatus::Success, 0),
            (ExitStatus::Different, 1),
            (ExitStatus::Failure, 1),
            (ExitStatus::Usage, 2),
            (ExitStatus::NotUpdated, 3),
            (ExitStatus::Interrupted, 130),
            (ExitStatus::External(7), 7),
        ];
        for (status, code) in codes {
            assert_eq!(status.code(), code, "{status:?}");
        }
    }

    #[test]
    fn an_error_gets_usage_interrupted_or_the_commands_failure() {
        let usage = Error::Usage("bad flag".into());
        let interrupted = Error::Write(crate::disk::WriteError::Interrupted);
        let other = Error::Other("disk".into());
        assert_eq!(error_as(&usage, ExitStatus::NotUpdated), ExitStatus::Usage);
        assert_eq!(
            error_as(&interrupted, ExitStatus::NotUpdated),
            ExitStatus::Interrupted
        );
        assert_eq!(
            error_as(&other, ExitStatus::NotUpdated),
            ExitStatus::NotUpdated
        );
        assert_eq!(error(&other), ExitStatus::Failure);
    }
}
