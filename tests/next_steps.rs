//! The next steps `scaffold new` prints, run as printed for every combination
//! of the builtin template's `_smoke` matrix: render, run the printed
//! `cd ... && cargo run` line, wait for the service's `listening` log line,
//! call `GET /health` with a real HTTP client, stop it with SIGTERM. The
//! services share one target folder (as in tests/rendered.rs), and bind a
//! free port (`PORT=0`) so a service already on 8000 cannot get in the way.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::{Sandbox, repo};

/// Building a combination's service for the first time is the slow part.
const START_TIMEOUT: Duration = Duration::from_secs(15 * 60);

fn target_dir() -> PathBuf {
    std::env::var_os("SCAFFOLD_TARGET_DIR")
        .map_or_else(|| repo().join("target/rendered"), PathBuf::from)
}

/// The `_smoke` combinations of the builtin template, as `--data` answers.
fn combinations() -> Vec<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct Smoke {
        combinations: Vec<BTreeMap<String, serde_norway::Value>>,
    }
    #[derive(serde::Deserialize)]
    struct Spec {
        #[serde(rename = "_smoke")]
        smoke: Smoke,
    }
    let text = std::fs::read_to_string(repo().join("templates/service/copier.yml")).unwrap();
    let spec: Spec = serde_norway::from_str(&text).unwrap();
    spec.smoke
        .combinations
        .into_iter()
        .map(|answers| {
            answers
                .into_iter()
                .map(|(key, value)| match value {
                    serde_norway::Value::String(text) => format!("{key}={text}"),
                    serde_norway::Value::Bool(flag) => format!("{key}={flag}"),
                    other => panic!("{key}: unexpected answer {other:?}"),
                })
                .collect()
        })
        .collect()
}

/// The line of the printed message that starts the service.
fn run_command(message: &str) -> &str {
    let line = message
        .lines()
        .find(|line| line.contains("cargo run"))
        .unwrap_or_else(|| panic!("no `cargo run` in the next steps:\n{message}"));
    assert!(
        message.contains("curl localhost:8000/health"),
        "the next steps name no health check:\n{message}"
    );
    line.trim()
}

/// Runs `command` through `sh` in `dir`, in its own process group.
fn start(dir: &Path, command: &str) -> Child {
    Command::new("sh")
        .args(["-c", command])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("PORT", "0")
        .env("NO_COLOR", "1")
        .env_remove("RUSTFLAGS")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap()
}

/// The address of the service's `listening on ADDR` line, and every line up to it.
fn listening_address(child: &mut Child) -> Result<String, String> {
    let stdout = child.stdout.take().unwrap();
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut log = String::new();
    loop {
        let line = received
            .recv_timeout(START_TIMEOUT)
            .map_err(|_| format!("no `listening on` line; the log so far:\n{log}"))?;
        log.push_str(&line);
        log.push('\n');
        if let Some((_, addr)) = line.split_once("listening on ") {
            return Ok(addr.trim().to_owned());
        }
    }
}

/// SIGTERM to the whole group (`sh`, `cargo`, the service), then waits.
fn stop(mut child: Child) {
    let group = format!("-{}", child.id());
    Command::new("kill")
        .args(["-TERM", "--", &group])
        .status()
        .unwrap();
    child.wait().unwrap();
}

/// `GET http://ADDR/health`: the body of a 200 answer.
fn get_health(addr: &str) -> Result<String, ureq::Error> {
    ureq::get(format!("http://{addr}/health"))
        .call()?
        .body_mut()
        .read_to_string()
}

#[test]
fn the_printed_next_steps_start_a_service_that_answers_health_for_every_combination() {
    for answers in combinations() {
        let sandbox = Sandbox::new();
        let mut args = vec!["new", "chat", "--defaults"];
        for answer in &answers {
            args.extend(["--data", answer]);
        }
        let output = sandbox.scaffold(&args).output().unwrap();
        assert!(output.status.success(), "{answers:?}: {output:?}");
        let message = String::from_utf8(output.stdout).unwrap();
        let command = run_command(&message);

        let mut service = start(sandbox.path(), command);
        let addr = listening_address(&mut service);
        let health = addr.as_deref().ok().map(get_health);
        stop(service);

        let addr = addr.unwrap_or_else(|log| panic!("{answers:?}: `{command}`: {log}"));
        let body = health
            .expect("a listening service was called")
            .unwrap_or_else(|error| panic!("{answers:?}: GET http://{addr}/health: {error}"));
        assert_eq!(body, r#"{"status":"ok"}"#, "{answers:?}");
    }
}
