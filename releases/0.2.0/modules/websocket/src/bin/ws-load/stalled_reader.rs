//! `stalled-reader`: a client joins a room and never reads its socket again
//! (its TCP receive buffer fills), while a second client floods the room with
//! `broadcast` frames until the server stops queueing to the stalled one.
//! Prints the broadcasts sent, when the server gave up on the stalled
//! connection (its first `ack` with `delivered: 0`) and closed its socket (as
//! the kernel's TCP table shows), what the stalled client then finds in its
//! socket (a 1013 Close frame, EOF or a reset), `ws_connections` and
//! `ws_connections_closed_total` from `/metrics` before and after when the
//! service serves them, and, given its pid, the server's resident memory
//! before, at the peak and after.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use procfs::net::TcpState;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::figures::{Table, describe_counts, format_kib, seconds};
use crate::probe::{self, ServerMetrics};
use crate::target::{
    Outcome, SETUP_TIMEOUT, Target, Ws, close_politely, connect_tcp, describe_close, join,
};

/// How long the stalled client reads its socket once the run is over.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(15);

/// `ws-load stalled-reader`.
#[derive(clap::Args)]
pub struct Args {
    /// Room the stalled client and the flooding client join
    #[arg(long, default_value = "stalled")]
    room: String,
    /// Most broadcasts the flooding client sends; it stops once the server stops queueing to the stalled client
    #[arg(long, default_value_t = 3000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    messages: u32,
    /// Bytes of padding in each broadcast's `data`
    #[arg(long, default_value_t = 16_384, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    payload_bytes: u32,
    /// Pause between two broadcasts, in milliseconds (10 stays within the default rate limit of 100 frames/s)
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    interval_ms: u64,
    /// Stop waiting for the server to close the stalled connection this many seconds after the stall
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    max_wait: u64,
    /// Pid of the server, to read its resident memory (`VmRSS`)
    #[arg(long)]
    server_pid: Option<u32>,
}

/// Runs the mode and prints its figures; fails when the server kept the
/// stalled connection open.
pub async fn run(target: &Target, args: Args) -> Outcome<()> {
    let endpoint = target.endpoint(0);
    let metrics_before = probe::scrape_metrics(endpoint.addr).await;
    let rss_before = args.server_pid.map(probe::rss_kib).transpose()?;
    let (stop_sampling, sampling) = watch::channel(());
    let rss_peak = args.server_pid.map(|pid| sample_peak_rss(pid, sampling));

    let mut flooder = target.connect_and_join(0, &args.room).await?;
    let (stalled, client_port) = connect_stalled(target, &args.room).await?;
    let stalled_at = Instant::now();
    let server_end = (endpoint.addr.port(), client_port);
    let visible = probe::tcp_state(server_end.0, server_end.1) == Some(TcpState::Established);
    eprintln!(
        "ws-load: stalled-reader: a client joined {:?} on {} and stopped reading; flooding the room",
        args.room, endpoint.url
    );

    let flood = flood(&mut flooder, &args, stalled_at).await;
    let max_wait = Duration::from_secs(args.max_wait);
    let server_closed = if visible {
        wait_for_close(server_end, stalled_at, max_wait).await
    } else {
        None
    };
    let drained = drain(stalled).await;
    close_politely(flooder).await;
    // Let the server finish closing before the last samples.
    tokio::time::sleep(Duration::from_secs(1)).await;
    drop(stop_sampling);
    let figures = StallFigures {
        flood,
        visible,
        server_closed,
        drained,
        metrics: (metrics_before, probe::scrape_metrics(endpoint.addr).await),
        server_pid: args.server_pid,
        rss_before,
        rss_peak: match rss_peak {
            Some(task) => task.await.ok(),
            None => None,
        },
        rss_after: args.server_pid.map(probe::rss_kib).transpose()?,
    };
    figures.print(
        format!(
            "ws-load stalled-reader: {} (room {:?}, {} B of padding every {} ms)",
            endpoint.url, args.room, args.payload_bytes, args.interval_ms
        ),
        &args,
    );
    if visible && figures.server_closed.is_none() {
        return Err(format!(
            "the server kept the stalled connection open for {} s",
            args.max_wait
        ));
    }
    Ok(())
}

/// The client that will stop reading: connected to the first endpoint and
/// joined to `room`; also answers its local port.
async fn connect_stalled(target: &Target, room: &str) -> Outcome<(Ws, u16)> {
    let endpoint = target.endpoint(0);
    let setup = async {
        let tcp = connect_tcp(endpoint).await?;
        let port = tcp
            .local_addr()
            .map_err(|error| format!("local address: {error}"))?
            .port();
        let (mut ws, _welcome) = target.handshake(endpoint, tcp).await?;
        join(&mut ws, room).await?;
        Ok((ws, port))
    };
    tokio::time::timeout(SETUP_TIMEOUT, setup)
        .await
        .unwrap_or_else(|_| Err(format!("setup took longer than {SETUP_TIMEOUT:?}")))
}

/// Samples the server's resident memory every 50 ms until `stop` is dropped; answers the peak.
fn sample_peak_rss(pid: u32, mut stop: watch::Receiver<()>) -> JoinHandle<u64> {
    tokio::spawn(async move {
        let mut peak = 0;
        let mut tick = tokio::time::interval(Duration::from_millis(50));
        loop {
            tokio::select! {
                _ = stop.changed() => return peak,
                _ = tick.tick() => peak = peak.max(probe::rss_kib(pid).unwrap_or(0)),
            }
        }
    })
}

/// What the flooding client sent and heard back.
#[derive(Default)]
struct FloodReport {
    sent: usize,
    acks: usize,
    /// Sum of the acks' `delivered`: broadcasts the server queued to the stalled client.
    queued_to_stalled: u64,
    /// When the first ack with `delivered: 0` came: the server no longer queues to the stalled client.
    gave_up_at: Option<Duration>,
    errors: BTreeMap<String, usize>,
    closed: Option<String>,
}

impl FloodReport {
    fn answered(&self) -> usize {
        self.acks + self.errors.values().sum::<usize>()
    }

    fn record(&mut self, frame: Option<Result<Message, tungstenite::Error>>, stalled_at: Instant) {
        let text = match frame {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(frame))) => {
                self.closed = Some(describe_close(frame.as_ref()));
                return;
            }
            Some(Ok(_)) => return,
            Some(Err(error)) => {
                self.closed = Some(error.to_string());
                return;
            }
            None => {
                self.closed = Some("connection ended".to_owned());
                return;
            }
        };
        let Ok(value) = serde_json::from_str::<Value>(&text) else {
            return;
        };
        match value["type"].as_str() {
            Some("ack") => {
                let delivered = value["delivered"].as_u64().unwrap_or(0);
                self.acks += 1;
                self.queued_to_stalled += delivered;
                if delivered == 0 && self.gave_up_at.is_none() {
                    self.gave_up_at = Some(stalled_at.elapsed());
                }
            }
            Some("error") => {
                let code = value["code"].as_str().unwrap_or("?").to_owned();
                *self.errors.entry(code).or_insert(0) += 1;
            }
            _ => {}
        }
    }
}

/// Sends paced broadcasts until the server stops queueing them to the stalled
/// client or `--messages` are sent, then waits briefly for the last acks.
async fn flood(ws: &mut Ws, args: &Args, stalled_at: Instant) -> FloodReport {
    let padding = "x".repeat(args.payload_bytes as usize);
    let mut pacing = tokio::time::interval(Duration::from_millis(args.interval_ms));
    pacing.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut report = FloodReport::default();
    while report.sent < args.messages as usize
        && report.gave_up_at.is_none()
        && report.closed.is_none()
    {
        let frame = tokio::select! {
            _ = pacing.tick() => None,
            frame = ws.next() => Some(frame),
        };
        let Some(frame) = frame else {
            let broadcast = json!({
                "type": "broadcast",
                "room": args.room,
                "id": report.sent,
                "data": {"seq": report.sent, "pad": padding},
            });
            if let Err(error) = ws.send(Message::text(broadcast.to_string())).await {
                report.closed = Some(format!("send: {error}"));
            }
            report.sent += 1;
            continue;
        };
        report.record(frame, stalled_at);
    }
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while report.answered() < report.sent && report.closed.is_none() {
            let frame = ws.next().await;
            report.record(frame, stalled_at);
        }
    })
    .await;
    report
}

/// Polls the kernel's TCP table until the server's end of the stalled
/// connection leaves ESTABLISHED; answers when, and the state it went to.
async fn wait_for_close(
    (local, remote): (u16, u16),
    stalled_at: Instant,
    max_wait: Duration,
) -> Option<(Duration, String)> {
    while stalled_at.elapsed() < max_wait {
        match probe::tcp_state(local, remote) {
            Some(TcpState::Established) => tokio::time::sleep(Duration::from_millis(50)).await,
            Some(TcpState::FinWait1) => {
                return Some((
                    stalled_at.elapsed(),
                    "FIN_WAIT1: closed, unsent data left".to_owned(),
                ));
            }
            Some(state) => return Some((stalled_at.elapsed(), format!("{state:?}"))),
            None => return Some((stalled_at.elapsed(), "socket gone".to_owned())),
        }
    }
    None
}

/// What the stalled client found once it read its socket again.
#[derive(Default)]
struct Drained {
    /// Payload bytes of the messages read.
    bytes: usize,
    messages: usize,
    /// The first Close frame: its code, or that it had none.
    close: Option<String>,
    end: String,
}

/// Reads the stalled client's socket to its end (or for [`DRAIN_TIMEOUT`]).
async fn drain(mut ws: Ws) -> Drained {
    use tungstenite::error::ProtocolError::ResetWithoutClosingHandshake;
    let mut drained = Drained::default();
    let deadline = tokio::time::Instant::now() + DRAIN_TIMEOUT;
    drained.end = loop {
        let Ok(message) = tokio::time::timeout_at(deadline, ws.next()).await else {
            break format!("still open after {} s", DRAIN_TIMEOUT.as_secs());
        };
        match message {
            Some(Ok(Message::Text(text))) => {
                drained.messages += 1;
                drained.bytes += text.len();
            }
            Some(Ok(Message::Close(frame))) if drained.close.is_none() => {
                drained.close = Some(frame.map_or_else(
                    || "a Close without a code".to_owned(),
                    |frame| format!("Close {}", u16::from(frame.code)),
                ));
            }
            Some(Ok(_)) => {}
            None | Some(Err(tungstenite::Error::Protocol(ResetWithoutClosingHandshake))) => {
                break "EOF".to_owned();
            }
            Some(Err(tungstenite::Error::Io(error)))
                if error.kind() == std::io::ErrorKind::ConnectionReset =>
            {
                break "TCP reset".to_owned();
            }
            Some(Err(error)) => break format!("read failed: {error}"),
        }
    };
    drained
}

/// What a stalled-reader run measured.
struct StallFigures {
    flood: FloodReport,
    /// Whether the server's end of the stalled connection showed in the TCP table.
    visible: bool,
    server_closed: Option<(Duration, String)>,
    drained: Drained,
    metrics: (Option<ServerMetrics>, Option<ServerMetrics>),
    server_pid: Option<u32>,
    rss_before: Option<u64>,
    rss_peak: Option<u64>,
    rss_after: Option<u64>,
}

impl StallFigures {
    fn print(&self, title: String, args: &Args) {
        let flood = &self.flood;
        let mut table = Table::new(title);
        table.row(
            "broadcasts sent",
            &format!("{} (at most --messages {})", flood.sent, args.messages),
        );
        table.row(
            "acks (queued to the stalled client)",
            &format!("{} ({})", flood.acks, flood.queued_to_stalled),
        );
        table.row("flooder errors", &describe_counts(&flood.errors));
        if let Some(reason) = &flood.closed {
            table.row("flooder closed", reason);
        }
        table.row(
            "server stopped queueing to it",
            &flood.gave_up_at.map_or_else(
                || "never (no ack with delivered 0)".to_owned(),
                |at| format!("after {} (first ack with delivered 0)", seconds(at)),
            ),
        );
        let closed = match (&self.server_closed, self.visible) {
            (Some((at, how)), _) => format!("after {} ({how})", seconds(*at)),
            (None, true) => format!("not within --max-wait {} s", args.max_wait),
            (None, false) => "unknown: its socket is not in this machine's TCP table".to_owned(),
        };
        table.row("server closed the stalled socket", &closed);
        let drained = &self.drained;
        table.row(
            "the stalled client then read",
            &format!(
                "{} bytes in {} messages, {}, then {}",
                drained.bytes,
                drained.messages,
                drained.close.as_deref().unwrap_or("no Close frame"),
                drained.end
            ),
        );
        if let (Some(pid), Some(before), Some(peak), Some(after)) = (
            self.server_pid,
            self.rss_before,
            self.rss_peak,
            self.rss_after,
        ) {
            table.row(
                format!("server {pid} RSS before / peak / after"),
                &format!(
                    "{} / {} / {}",
                    format_kib(before),
                    format_kib(peak),
                    format_kib(after)
                ),
            );
        }
        match &self.metrics {
            (Some(before), Some(after)) => {
                table.row(
                    "/metrics ws_connections",
                    &format!("{} before, {} after", before.connections, after.connections),
                );
                let closed: BTreeMap<String, usize> = after
                    .closed
                    .iter()
                    .filter_map(|(reason, count)| {
                        let added = count.saturating_sub(*before.closed.get(reason).unwrap_or(&0));
                        (added > 0)
                            .then(|| (reason.clone(), usize::try_from(added).unwrap_or(usize::MAX)))
                    })
                    .collect();
                table.row(
                    "/metrics ws_connections_closed_total",
                    &format!("+{}", describe_counts(&closed)),
                );
            }
            _ => table.row("/metrics", &"not served (metrics off?)"),
        }
        table.print();
    }
}
