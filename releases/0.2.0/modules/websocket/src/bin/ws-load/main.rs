//! `ws-load`: load and liveness figures for this service's WebSocket endpoint.
//!
//! The tool speaks only the wire contract (docs/websocket.md and the schemas in
//! contracts/), so it measures this service, or any other that implements the
//! contract, from the outside. Start the service first (`cargo run --release`),
//! then run a mode (`cargo run --release --features load-tool --bin ws-load -- MODE`):
//!
//! - `broadcast` (`broadcast.rs`): N receivers in one room, M timestamped broadcasts;
//!   delivered, lost and duplicate messages and the p50/p95/p99/max latency.
//! - `hold` (`hold.rs`): N joined connections held for S seconds; how many stayed
//!   open and, given the server's pid, its resident memory per 1,000 connections.
//! - `dead-peer` (`dead_peer.rs`): a client that never answers a ping; seconds
//!   until the server closed it.
//! - `stalled-reader` (`stalled_reader.rs`): a client that stops reading while
//!   another floods its room; when the server gave up on it, what it then
//!   found in its socket, `/metrics` and the server's memory around it.
//!
//! The figures are printed as a table (`figures.rs`). The tool refuses any target
//! outside the loopback range (`target.rs`), bounds every phase in count and time,
//! and gives up after `--timeout` seconds in total.

mod broadcast;
mod dead_peer;
mod figures;
mod hold;
mod probe;
mod silent;
mod stalled_reader;
mod target;

use std::process::ExitCode;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use clap::{Parser, Subcommand};

use target::{Outcome, Target};

/// The service's WebSocket path, from its own source: `ws-load` aims at the
/// crate it is built with.
#[path = "../../websocket/path.rs"]
mod service_path;

/// `ws://127.0.0.1:8000` and the service's WebSocket path.
static DEFAULT_URL: LazyLock<String> =
    LazyLock::new(|| format!("ws://127.0.0.1:8000{}", service_path::PATH));

#[derive(Parser)]
#[command(
    name = "ws-load",
    version,
    about = "Broadcast latency, connection hold and dead-peer figures for a WebSocket service on this machine",
    after_help = concat!(
        "Start the service first (`cargo run --release`); `--server-pid \"$(pgrep -n ",
        env!("CARGO_PKG_NAME"),
        ")\"` lets hold and stalled-reader read its memory."
    )
)]
struct Cli {
    /// WebSocket URL of the service; repeat or comma-separate to spread clients over instances (loopback only)
    #[arg(long, global = true, value_delimiter = ',', default_value = DEFAULT_URL.as_str())]
    url: Vec<String>,
    /// Token sent as `Authorization: Bearer <token>`
    #[arg(long, global = true, env = "WS_LOAD_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Give up after this many seconds in total
    #[arg(long, global = true, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    timeout: u64,
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand)]
enum Mode {
    /// N receivers in one room, M timestamped broadcasts: delivery and latency
    Broadcast(broadcast::Args),
    /// N joined connections held for S seconds: how many stay open, server memory
    Hold(hold::Args),
    /// A client that never answers pings: seconds until the server closes it
    DeadPeer(dead_peer::Args),
    /// A client that stops reading while another floods its room: when the server drops it, and its memory
    StalledReader(stalled_reader::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("ws-load: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let total = Duration::from_secs(cli.timeout);
    let outcome = runtime.block_on(async { tokio::time::timeout(total, run(cli)).await });
    // Tasks still holding sockets are dropped with the runtime, without waiting on them.
    runtime.shutdown_background();
    match outcome {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(message)) => {
            eprintln!("ws-load: {message}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("ws-load: gave up after --timeout {} s", total.as_secs());
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> Outcome<()> {
    let target = Arc::new(Target::resolve(&cli.url, cli.token).await?);
    let connections = match &cli.mode {
        Mode::Broadcast(args) => u64::from(args.clients) + 1,
        Mode::Hold(args) => u64::from(args.connections),
        Mode::DeadPeer(_) => 1,
        Mode::StalledReader(_) => 2,
    };
    raise_open_file_limit(connections);
    match cli.mode {
        Mode::Broadcast(args) => broadcast::run(target, args).await,
        Mode::Hold(args) => {
            if args.seconds >= cli.timeout {
                return Err(format!(
                    "--seconds {} leaves no time to connect and report within --timeout {}",
                    args.seconds, cli.timeout
                ));
            }
            hold::run(target, args).await
        }
        Mode::DeadPeer(args) => dead_peer::run(&target, args).await,
        Mode::StalledReader(args) => stalled_reader::run(&target, args).await,
    }
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (each connection is a
/// descriptor) and warns when even that is short.
fn raise_open_file_limit(connections: u64) {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) if limit < connections + 64 => eprintln!(
            "ws-load: warning: the open-file limit is {limit}, fewer than the {connections} connections asked for"
        ),
        Ok(_) => {}
        Err(error) => eprintln!("ws-load: warning: cannot raise the open-file limit: {error}"),
    }
}
