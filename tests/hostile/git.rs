//! git: bounded in time, nothing left behind, and nothing from a URL or an
//! answers file reaches git as an option.

use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use super::{copy_fixture, one_line};
use crate::support::Sandbox;

/// A loopback server that accepts connections and never answers, for `seconds`.
fn silent_server(seconds: u64) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let address = listener.local_addr().unwrap();
    let handle = std::thread::spawn(move || {
        let until = Instant::now() + Duration::from_secs(seconds);
        let mut held = Vec::new();
        while Instant::now() < until {
            if let Ok((stream, _)) = listener.accept() {
                held.push(stream);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    (format!("http://{address}/template.git"), handle)
}

fn leftovers(tmp: &Path) -> Vec<String> {
    std::fs::read_dir(tmp)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_clone_from_a_server_that_never_answers_times_out_and_leaves_nothing() {
    let sandbox = Sandbox::new();
    let tmp = sandbox.join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let (url, server) = silent_server(20);
    let started = Instant::now();
    let assert = sandbox
        .scaffold(&["new", "demo", "--defaults", "--template", &url])
        .env("SCAFFOLD_GIT_TIMEOUT", "1")
        .env("TMPDIR", &tmp)
        .timeout(Duration::from_secs(30))
        .assert()
        .code(1);
    let stderr = one_line(&assert.get_output().stderr);
    assert!(stderr.contains("took longer than 1 s"), "{stderr}");
    assert!(stderr.contains("SCAFFOLD_GIT_TIMEOUT"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(leftovers(&tmp), Vec::<String>::new());
    assert!(!sandbox.join("demo").exists());
    drop(server);
}

#[test]
fn ctrl_c_during_a_clone_removes_the_clone_folder() {
    let sandbox = Sandbox::new();
    let tmp = sandbox.join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let (url, _server) = silent_server(20);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("scaffold"))
        .current_dir(sandbox.path())
        .args(["new", "demo", "--defaults", "--template", &url])
        .env("TMPDIR", &tmp)
        .env("SCAFFOLD_GIT_TIMEOUT", "15")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    while leftovers(&tmp).is_empty() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!leftovers(&tmp).is_empty(), "the clone folder appears");
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_eq!(leftovers(&tmp), Vec::<String>::new());
}

#[test]
fn a_url_that_looks_like_an_option_never_reaches_git() {
    let sandbox = Sandbox::new();
    let marker = sandbox.join("pwned");
    let template = format!("git+--upload-pack=touch {}", marker.display());
    let assert = sandbox
        .scaffold(&["new", "demo", "--defaults", "--template", &template])
        .assert()
        .code(2);
    let stderr = one_line(&assert.get_output().stderr);
    assert!(stderr.contains("starts with `-`"), "{stderr}");
    assert!(!marker.exists());
}

#[test]
fn an_answers_file_src_path_that_looks_like_an_option_never_reaches_git() {
    let sandbox = Sandbox::new();
    copy_fixture("plain", &sandbox.join("tpl"));
    sandbox
        .scaffold(&["new", "demo", "--defaults", "--template", "tpl"])
        .assert()
        .success();
    let marker = sandbox.join("pwned");
    let answers = format!(
        "_src_path: 'git+--upload-pack=touch {}'\n_commit: v1\nname: demo\n",
        marker.display()
    );
    for name in [".scaffold-answers.yml", ".copier-answers.yml"] {
        std::fs::write(sandbox.join("demo").join(name), &answers).unwrap();
    }
    let assert = sandbox.scaffold(&["check", "demo"]).assert().failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        !marker.exists(),
        "git ran the answers file's option: {stderr}"
    );
}
