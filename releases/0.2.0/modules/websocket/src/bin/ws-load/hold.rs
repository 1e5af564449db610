//! `hold`: N connections, each joined to a room, held open for S seconds.
//! Prints how many stayed open and, given the server's pid, its resident
//! memory per 1,000 connections (and the tool's own).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use crate::figures::{Table, describe_counts, format_kib, per_thousand};
use crate::probe;
use crate::target::{
    Outcome, TEARDOWN_TIMEOUT, Target, await_setup, close_politely, describe_close,
};

/// `ws-load hold`.
#[derive(clap::Args)]
pub struct Args {
    /// Connections to open and hold
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub connections: u32,
    /// Seconds to hold them once all are open
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub seconds: u64,
    /// Members per room: connection i joins room `<room-prefix>-<i / room-size>`
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    room_size: u32,
    /// Prefix of the rooms' names
    #[arg(long, default_value = "hold")]
    room_prefix: String,
    /// Connections set up at the same time
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    concurrency: u32,
    /// Pid of the server, to read its resident memory (`VmRSS`)
    #[arg(long)]
    server_pid: Option<u32>,
}

/// How one connection of the run ended.
enum HoldOutcome {
    NotConnected,
    Held,
    ClosedEarly(String),
}

/// Runs the mode and prints its figures.
pub async fn run(target: Arc<Target>, args: Args) -> Outcome<()> {
    let connections = args.connections as usize;
    let mut figures = HoldFigures {
        server_pid: args.server_pid,
        server_rss_before: args.server_pid.map(probe::rss_kib).transpose()?,
        client_rss_before: probe::own_rss_kib(),
        ..HoldFigures::default()
    };
    // Dropping `stop` (at the end or on an early return) stops every connection task.
    let (stop, stop_rx) = watch::channel(());
    let (ready_tx, mut ready_rx) = mpsc::channel(connections);
    let gate = Arc::new(Semaphore::new(args.concurrency as usize));
    let open = Arc::new(AtomicUsize::new(0));

    let setup_started = Instant::now();
    let tasks: Vec<JoinHandle<HoldOutcome>> = (0..connections)
        .map(|index| {
            let room = format!("{}-{}", args.room_prefix, index / args.room_size as usize);
            let connection = HeldConnection {
                target: Arc::clone(&target),
                gate: Arc::clone(&gate),
                open: Arc::clone(&open),
                ready: ready_tx.clone(),
            };
            tokio::spawn(connection.run(index, room, stop_rx.clone()))
        })
        .collect();
    drop(ready_tx);
    (figures.connected, figures.failures) = await_setup(&mut ready_rx, connections, "hold").await;
    figures.setup_time = setup_started.elapsed();
    eprintln!(
        "ws-load: hold: {} connections open after {:.1} s; holding {} s",
        figures.connected,
        figures.setup_time.as_secs_f64(),
        args.seconds
    );

    // Let the server settle before sampling its memory with everyone connected.
    tokio::time::sleep(Duration::from_secs(2)).await;
    figures.server_rss_connected = args.server_pid.map(probe::rss_kib).transpose()?;
    let hold_until = Instant::now() + Duration::from_secs(args.seconds);
    while let Some(left) = hold_until.checked_duration_since(Instant::now()) {
        if left.is_zero() {
            break;
        }
        tokio::time::sleep(left.min(Duration::from_secs(10))).await;
        eprintln!("ws-load: hold: {} open", open.load(Ordering::Relaxed));
    }
    figures.still_open = open.load(Ordering::Relaxed);
    figures.server_rss_end = args.server_pid.map(probe::rss_kib).transpose()?;
    figures.client_rss_end = probe::own_rss_kib();
    drop(stop);

    for task in tasks {
        match tokio::time::timeout(TEARDOWN_TIMEOUT, task).await {
            Ok(Ok(HoldOutcome::ClosedEarly(reason))) => {
                *figures.closed_early.entry(reason).or_insert(0) += 1;
            }
            Ok(Ok(HoldOutcome::Held | HoldOutcome::NotConnected)) => {}
            Ok(Err(error)) => return Err(format!("a connection task failed: {error}")),
            Err(_) => break,
        }
    }
    figures.print(
        format!(
            "ws-load hold: {connections} connections, {} per room, held {} s",
            args.room_size, args.seconds
        ),
        &target,
    );
    Ok(())
}

/// What one held connection shares with the run.
struct HeldConnection {
    target: Arc<Target>,
    gate: Arc<Semaphore>,
    open: Arc<AtomicUsize>,
    ready: mpsc::Sender<Outcome<()>>,
}

impl HeldConnection {
    async fn run(self, index: usize, room: String, mut stop: watch::Receiver<()>) -> HoldOutcome {
        let joined = {
            let _permit = self.gate.acquire().await;
            self.target.connect_and_join(index, &room).await
        };
        let mut ws = match joined {
            Ok(ws) => ws,
            Err(reason) => {
                let _ = self.ready.send(Err(reason)).await;
                return HoldOutcome::NotConnected;
            }
        };
        self.open.fetch_add(1, Ordering::Relaxed);
        let _ = self.ready.send(Ok(())).await;
        // Keep reading so tungstenite answers the server's pings.
        let closed = loop {
            tokio::select! {
                _ = stop.changed() => break None,
                frame = ws.next() => match frame {
                    Some(Ok(Message::Close(frame))) => break Some(describe_close(frame.as_ref())),
                    Some(Ok(_)) => {}
                    Some(Err(error)) => break Some(error.to_string()),
                    None => break Some("connection ended".to_owned()),
                },
            }
        };
        self.open.fetch_sub(1, Ordering::Relaxed);
        if let Some(reason) = closed {
            return HoldOutcome::ClosedEarly(reason);
        }
        close_politely(ws).await;
        HoldOutcome::Held
    }
}

/// What a hold run measured.
#[derive(Default)]
struct HoldFigures {
    connected: usize,
    failures: BTreeMap<String, usize>,
    setup_time: Duration,
    still_open: usize,
    closed_early: BTreeMap<String, usize>,
    server_pid: Option<u32>,
    server_rss_before: Option<u64>,
    server_rss_connected: Option<u64>,
    server_rss_end: Option<u64>,
    client_rss_before: Option<u64>,
    client_rss_end: Option<u64>,
}

impl HoldFigures {
    fn print(&self, title: String, target: &Target) {
        let mut table = Table::new(title);
        table.row("instances", &target.describe());
        table.row("connected", &self.connected);
        table.row("failed to connect", &describe_counts(&self.failures));
        table.row(
            "set-up time",
            &format!("{:.2} s", self.setup_time.as_secs_f64()),
        );
        table.row("open at the end", &self.still_open);
        table.row("closed early", &describe_counts(&self.closed_early));
        if let (Some(pid), Some(before), Some(connected), Some(end)) = (
            self.server_pid,
            self.server_rss_before,
            self.server_rss_connected,
            self.server_rss_end,
        ) {
            table.row(format!("server {pid} RSS before"), &format_kib(before));
            table.row("server RSS all connected", &format_kib(connected));
            table.row("server RSS at the end", &format_kib(end));
            table.row(
                "server RSS per 1,000 conns",
                &per_thousand(end.saturating_sub(before), self.connected),
            );
        }
        if let (Some(before), Some(end)) = (self.client_rss_before, self.client_rss_end) {
            table.row(
                "ws-load RSS per 1,000 conns",
                &per_thousand(end.saturating_sub(before), self.connected),
            );
        }
        table.print();
    }
}
