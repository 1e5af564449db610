//! Reading a template from git: `git clone --mirror` and `git fetch` of a
//! remote (the rest is read in process, [`crate::git`]) run as child
//! processes, bounded in time, with every URL and ref checked so that nothing
//! from a command line or an answers file reaches git as an option.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::SourceError;

/// The environment variable holding the wall-clock limit of one git command, in seconds.
pub const TIMEOUT_VAR: &str = "SCAFFOLD_GIT_TIMEOUT";
/// The default wall-clock limit of one git command.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
/// A transfer slower than this many bytes a second for [`LOW_SPEED_SECONDS`] is abandoned.
const LOW_SPEED_LIMIT: &str = "1000";
const LOW_SPEED_SECONDS: &str = "60";

/// The limit of one git command: `SCAFFOLD_GIT_TIMEOUT` seconds, else [`DEFAULT_TIMEOUT`].
pub fn timeout() -> Result<Duration, SourceError> {
    match std::env::var(TIMEOUT_VAR) {
        Err(_) => Ok(DEFAULT_TIMEOUT),
        Ok(value) => value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
            .map(Duration::from_secs_f64)
            .ok_or(SourceError::BadSetting {
                name: TIMEOUT_VAR,
                value,
                expected: "a number of seconds above 0",
            }),
    }
}

/// A temporary folder holding a clone, removed when dropped or on Ctrl-C.
#[derive(Debug)]
pub struct Checkout {
    dir: tempfile::TempDir,
    _registered: crate::interrupt::Registered,
}

impl Checkout {
    pub fn new() -> Result<Self, SourceError> {
        let dir = tempfile::Builder::new()
            .prefix("scaffold-template-")
            .tempdir()
            .map_err(|source| SourceError::Io {
                path: std::env::temp_dir(),
                source,
            })?;
        let registered = crate::interrupt::register(dir.path());
        Ok(Self {
            dir,
            _registered: registered,
        })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Refuses a URL or ref that git would read as an option.
pub fn check_argument(what: &'static str, value: &str) -> Result<(), SourceError> {
    if value.starts_with('-') || value.is_empty() || value.contains('\0') {
        return Err(SourceError::BadGitArgument {
            what,
            value: value.to_owned(),
        });
    }
    Ok(())
}

/// `git` with prompts off and slow transfers abandoned, so it never waits on a
/// terminal or a stalled server.
fn git() -> Command {
    let mut command = Command::new("git");
    command
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
        .env("GIT_HTTP_LOW_SPEED_LIMIT", LOW_SPEED_LIMIT)
        .env("GIT_HTTP_LOW_SPEED_TIME", LOW_SPEED_SECONDS)
        // Transports that run commands named in the URL are never allowed.
        .args(["-c", "protocol.ext.allow=never"])
        .stdin(Stdio::null());
    command
}

/// `git clone --mirror` of `url` into `dir` (which must not exist yet),
/// checked and bounded in time like a clone.
pub fn mirror(url: &str, dir: &Path) -> Result<(), SourceError> {
    check_argument("URL", url)?;
    run(
        "clone",
        url,
        git()
            .args(["clone", "--quiet", "--mirror", "--"])
            .arg(url)
            .arg(dir),
        timeout()?,
    )?;
    Ok(())
}

/// Brings a mirror made by [`mirror`] up to date with `url`.
pub fn fetch(url: &str, dir: &Path) -> Result<(), SourceError> {
    run(
        "fetch",
        url,
        git()
            .current_dir(dir)
            .args(["fetch", "--quiet", "--prune", "origin"]),
        timeout()?,
    )?;
    Ok(())
}

/// Runs `command`, killing it once `limit` has passed.
fn run(
    action: &'static str,
    url: &str,
    command: &mut Command,
    limit: Duration,
) -> Result<String, SourceError> {
    let failed = |message: String| SourceError::Git {
        action,
        url: url.to_owned(),
        message,
    };
    let _waiting = crate::interrupt::waiting();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| failed(format!("cannot run git: {err}")))?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait(&mut child, limit).map_err(|err| failed(err.to_string()))?;
    let Some(status) = status else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(SourceError::GitTimeout {
            action,
            url: url.to_owned(),
            seconds: limit.as_secs_f64(),
        });
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    if !status.success() {
        return Err(failed(stderr.trim().to_owned()));
    }
    Ok(stdout.trim().to_owned())
}

/// Reads a child's pipe to its end on a thread, so a full pipe never blocks it.
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Waits for `child` until `limit`; `None` when it is still running then.
fn wait(child: &mut Child, limit: Duration) -> std::io::Result<Option<std::process::ExitStatus>> {
    let deadline = Instant::now() + limit;
    let mut pause = Duration::from_millis(5);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if crate::interrupt::requested() {
            let _ = child.kill();
            let _ = child.wait();
            crate::interrupt::exit_now();
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(None);
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

/// `git describe --tags --always` of a work tree, if it is one.
pub fn describe(dir: &Path) -> Option<String> {
    let output = git()
        .current_dir(dir)
        .args(["describe", "--tags", "--always"])
        .output()
        .ok()?;
    let described = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    (output.status.success() && !described.is_empty()).then_some(described)
}

/// [`describe`] of a template's own work tree, ending in `-dirty` when it has
/// uncommitted changes: a render that includes them is never recorded as
/// the tag it started from (Copier records a draft commit instead).
pub fn describe_work_tree(dir: &Path) -> Option<String> {
    let described = describe(dir)?;
    // Untracked files count, as Copier counts them (`git status --porcelain`).
    let dirty = git()
        .current_dir(dir)
        .args(["status", "--porcelain"])
        .output()
        .is_ok_and(|output| !output.stdout.is_empty());
    Some(if dirty {
        format!("{described}-dirty")
    } else {
        described
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_refs_that_look_like_options_are_refused() {
        for bad in ["--upload-pack=touch /tmp/x", "-u", ""] {
            let err = check_argument("URL", bad).unwrap_err().to_string();
            assert!(err.contains("URL"), "{err}");
        }
        check_argument("URL", "https://example.com/t.git").unwrap();
        check_argument("ref", "v1.0").unwrap();
    }

    #[test]
    fn a_command_running_past_its_limit_is_killed() {
        let started = Instant::now();
        let err = run(
            "clone",
            "x",
            Command::new("sleep").arg("30"),
            Duration::from_millis(200),
        )
        .unwrap_err();
        assert!(matches!(err, SourceError::GitTimeout { .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}
