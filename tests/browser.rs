//! The generated browser client in a real browser. A service is rendered,
//! built (in the shared target folder of tests/rendered.rs) and started with
//! room history (`WS_HISTORY_SIZE=100`) and the demo page on; headless
//! Chromium, driven by chromedriver, opens `/demo` through a TCP proxy, joins
//! a room and receives a message. Then the proxy cuts the socket and refuses
//! connections while messages are sent through the HTTP API; once it is back,
//! the page reconnects, re-joins with `since`, and shows every message once,
//! in order.
//!
//! Without Chromium and chromedriver the test prints a skip line, unless
//! `BROWSER_TESTS_REQUIRED=1` (set by .ci/run once it installed them).

// WebDriver through fantoccini rather than CDP through chromiumoxide: Debian
// ships chromedriver with Chromium (`chromium-driver`), WebDriver is a W3C
// standard that does not move with each Chrome release, and fantoccini without
// TLS is a small build where chromiumoxide generates the whole DevTools protocol.

mod proxy;

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::support::{Sandbox, rendered_target_dir};
use proxy::Proxy;

const PROJECT: &str = "browser-demo";
const ROOM: &str = "lobby";
const CLIENT_TOKEN: &str = "browser-client-token";
const ADMIN_TOKEN: &str = "browser-admin-token";
/// Building the service for the first time is the slow part.
const BUILD_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// How long the page may take to show what it should (reconnect backoff included).
const PAGE_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the proxy refuses connections: several reconnect attempts fail.
const OUTAGE: Duration = Duration::from_secs(3);

/// Chromium's binary and chromedriver, when both are installed: Debian's
/// paths (Chromium's real binary, not its wrapper script), else on `PATH`.
fn browser() -> Option<(PathBuf, PathBuf)> {
    let find = |paths: &[&str], names: &[&str]| {
        let on_path = std::env::var_os("PATH")
            .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
            .unwrap_or_default();
        paths
            .iter()
            .map(PathBuf::from)
            .chain(
                names
                    .iter()
                    .flat_map(|name| on_path.iter().map(move |dir| dir.join(name))),
            )
            .find(|path| path.is_file())
    };
    let chromium = find(
        &["/usr/lib/chromium/chromium"],
        &["chromium", "chromium-browser", "google-chrome"],
    )?;
    let driver = find(&[], &["chromedriver"])?;
    Some((chromium, driver))
}

/// A child process (in its own process group) killed with its group on drop.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.wait();
    }
}

fn spawn(command: &mut Command) -> Process {
    Process(command.process_group(0).spawn().unwrap())
}

/// Renders the service with the WebSocket module and builds it; answers its binary.
fn build_service(sandbox: &Sandbox) -> PathBuf {
    let output = sandbox
        .scaffold(&[
            "new",
            PROJECT,
            "--defaults",
            "--data",
            "websocket_module=enabled",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let target = rendered_target_dir();
    let mut build = Command::new("cargo");
    build
        .args(["build", "--quiet", "--bin", PROJECT])
        .current_dir(sandbox.join(PROJECT))
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS");
    let started = Instant::now();
    let status = build.status().unwrap();
    assert!(
        status.success(),
        "cargo build of the rendered service failed"
    );
    assert!(started.elapsed() < BUILD_TIMEOUT);
    target.join("debug").join(PROJECT)
}

/// The running service: its address and every line it logged so far.
struct Service {
    addr: SocketAddr,
    log: Arc<Mutex<String>>,
    _process: Process,
}

fn start_service(binary: &Path) -> Service {
    let mut process = spawn(
        Command::new(binary)
            .env("HOST", "127.0.0.1")
            .env("PORT", "0")
            .env("RUST_LOG", "debug")
            .env("NO_COLOR", "1")
            .env("WS_AUTH_TOKENS", CLIENT_TOKEN)
            .env("WS_ADMIN_TOKENS", ADMIN_TOKEN)
            .env("WS_HISTORY_SIZE", "100")
            .env("WS_DEMO_PAGE", "true")
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
    );
    let stdout = process.0.stdout.take().unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let (listening, addr) = mpsc::channel();
    let lines = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some((_, addr)) = line.split_once("listening on ") {
                let _ = listening.send(addr.trim().to_owned());
            }
            let mut log = lines.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
    let addr = addr
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("no `listening on` line:\n{}", log.lock().unwrap()));
    Service {
        addr: addr.parse().unwrap(),
        log,
        _process: process,
    }
}

/// Starts chromedriver on a free port and opens a headless Chromium session.
async fn open_browser(chromium: &Path, driver: &Path, profile: &Path) -> (Client, Process) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = spawn(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return (client, driver),
            Err(error) if Instant::now() > deadline => panic!("no WebDriver session: {error}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// Runs `script` in the page until it returns something other than null or
/// false, and answers that; panics with the page's event log after `PAGE_TIMEOUT`.
async fn wait_for(page: &Client, what: &str, script: &str) -> Value {
    let deadline = Instant::now() + PAGE_TIMEOUT;
    loop {
        let value = page.execute(script, Vec::new()).await.unwrap();
        if !value.is_null() && value != Value::Bool(false) {
            return value;
        }
        if Instant::now() > deadline {
            let events = page
                .execute(
                    "return document.getElementById('events').innerText",
                    Vec::new(),
                )
                .await
                .unwrap();
            panic!(
                "the page never showed {what}; its events:\n{}",
                events.as_str().unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The messages the page shows: `[offset, data]` pairs.
const MESSAGES: &str = "return [...document.querySelectorAll('#messages li')]\
    .map(li => [Number(li.dataset.offset), JSON.parse(li.querySelector('.data').textContent)])";

/// The members the page lists, once it lists only itself.
const ONLY_ITSELF: &str = "const members = [...document.querySelectorAll('#members li')]\
    .map(li => li.textContent); return members.length === 1 && members[0].endsWith('(you)')\
    && document.getElementById('count').textContent === '(1)';";

/// The page's messages once there are `count` of them.
async fn messages_once_there_are(page: &Client, count: usize) -> Value {
    let script = format!(
        "const shown = (() => {{ {MESSAGES} }})(); return shown.length >= {count} && shown;"
    );
    wait_for(page, &format!("{count} messages"), &script).await
}

/// `POST /rooms/lobby/broadcast` of `{"n":n}` with the admin token; answers `delivered`.
async fn broadcast(service: SocketAddr, n: u64) -> u64 {
    tokio::task::spawn_blocking(move || {
        let answer = ureq::post(format!("http://{service}/rooms/{ROOM}/broadcast"))
            .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
            .content_type("application/json")
            .send(json!({ "n": n }).to_string())
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        serde_json::from_str::<Value>(&answer).unwrap()["delivered"]
            .as_u64()
            .unwrap()
    })
    .await
    .unwrap()
}

/// Members of `lobby` the service counts (0 when the room is gone).
async fn members(service: SocketAddr) -> u64 {
    tokio::task::spawn_blocking(move || {
        let answer = ureq::get(format!("http://{service}/rooms"))
            .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        let rooms: Value = serde_json::from_str(&answer).unwrap();
        rooms["rooms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|room| room["room"] == ROOM)
            .map_or(0, |room| room["members"].as_u64().unwrap())
    })
    .await
    .unwrap()
}

/// Cuts the page's connection and keeps it cut while messages 2 to 6 reach
/// the room's history (and no member), then lets the page reconnect.
async fn cut_while_messages_are_sent(page: &Client, proxy: &mut Proxy, service: SocketAddr) {
    proxy.cut().await;
    wait_for(
        page,
        "the connection lost",
        "return document.getElementById('status').dataset.state === 'waiting'",
    )
    .await;
    let deadline = Instant::now() + PAGE_TIMEOUT;
    while members(service).await > 0 {
        assert!(
            Instant::now() < deadline,
            "the service kept the cut connection in the room"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for n in 2..=6 {
        assert_eq!(
            broadcast(service, n).await,
            0,
            "message {n} reached a member"
        );
    }
    tokio::time::sleep(OUTAGE).await;
    proxy.restore();
}

/// Types into the send box: the page shows its message once the server acknowledged it.
async fn send_from_the_page(page: &Client) {
    let input = page
        .find(Locator::Css("#send input[name='text']"))
        .await
        .unwrap();
    input.send_keys("hello from Chromium").await.unwrap();
    page.find(Locator::Css("#send button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(
        page,
        "its own message acknowledged",
        "const own = document.querySelector('#messages li[data-from=\"you\"] .data');\
             return own !== null && own.textContent === '{\"text\":\"hello from Chromium\"}';",
    )
    .await;
}

/// The client's reconnect policy, run in the page: which close codes it
/// retries, and the ceiling of its backoff (full jitter, doubling, capped).
async fn check_reconnect_policy(page: &Client) {
    let script = "const done = arguments[arguments.length - 1];
        import('/client/ws-client.js').then(({ isRetryable, backoffDelay }) => done({
            retried: [1001, 1006, 1011, 1013, 4000].filter(code => isRetryable(code, '', false)),
            final: [1000, 1002, 1003, 1007, 1008, 1009].filter(code => !isRetryable(code, '', false)),
            heartbeat: isRetryable(1008, 'heartbeat_timeout', false),
            expired: [isRetryable(1008, 'token_expired', false), isRetryable(1008, 'token_expired', true)],
            ceilings: [0, 1, 2, 3, 5, 6, 40].map(attempt => backoffDelay(attempt, 500, 30000, () => 0.9999)),
            floor: backoffDelay(5, 500, 30000, () => 0),
        }));";
    let policy = page.execute_async(script, Vec::new()).await.unwrap();
    assert_eq!(
        policy,
        json!({
            "retried": [1001, 1006, 1011, 1013, 4000],
            "final": [1000, 1002, 1003, 1007, 1008, 1009],
            "heartbeat": true,
            "expired": [false, true],
            "ceilings": [499, 999, 1999, 3999, 15998, 29997, 29997],
            "floor": 0,
        })
    );
}

#[test]
fn the_demo_page_shows_every_message_once_in_order_across_a_cut_connection() {
    let Some((chromium, driver)) = browser() else {
        assert!(
            std::env::var_os("BROWSER_TESTS_REQUIRED").is_none_or(|required| required != "1"),
            "BROWSER_TESTS_REQUIRED=1 but Chromium or chromedriver is not installed"
        );
        eprintln!(
            "skipped: the browser test needs chromium and chromedriver (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let sandbox = Sandbox::new();
    let binary = build_service(&sandbox);
    let service = start_service(&binary);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut proxy = Proxy::start(service.addr);
        let (page, _driver) = open_browser(&chromium, &driver, &sandbox.join("profile")).await;
        // The token rides in the fragment, which the browser never sends.
        let url = format!(
            "http://{}/demo#room={ROOM}&token={CLIENT_TOKEN}",
            proxy.addr()
        );
        page.goto(&url).await.unwrap();

        wait_for(
            &page,
            "the room joined",
            "return document.getElementById('status').dataset.state === 'joined'",
        )
        .await;
        wait_for(&page, "itself as the one member", ONLY_ITSELF).await;
        assert_eq!(broadcast(service.addr, 1).await, 1);
        assert_eq!(
            messages_once_there_are(&page, 1).await,
            json!([[1, {"n": 1}]])
        );

        cut_while_messages_are_sent(&page, &mut proxy, service.addr).await;

        let recovered = messages_once_there_are(&page, 6).await;
        assert_eq!(
            page.execute(
                "return document.getElementById('status').dataset.recovered",
                Vec::new()
            )
            .await
            .unwrap(),
            "true",
            "the re-join did not recover the room"
        );
        // One more, live: any duplicate of the recovered ones would come before it.
        assert_eq!(broadcast(service.addr, 7).await, 1);
        let shown = messages_once_there_are(&page, 7).await;
        // Its new connection, not the cut one.
        wait_for(&page, "itself as the one member again", ONLY_ITSELF).await;
        let expected: Vec<Value> = (1..=7).map(|n| json!([n, {"n": n}])).collect();
        assert_eq!(shown, Value::Array(expected), "after recovery: {recovered}");

        send_from_the_page(&page).await;
        check_reconnect_policy(&page).await;
        page.close().await.unwrap();
    });
    let log = service.log.lock().unwrap();
    // The handshakes were logged (RUST_LOG=debug), their token redacted.
    assert!(
        log.contains("/ws?token=[redacted]"),
        "no handshake in the log:\n{log}"
    );
    assert!(
        !log.contains(CLIENT_TOKEN),
        "a token reached the log:\n{log}"
    );
}
