//! `dead-peer`: a client that completes the handshake (and joins `--room`),
//! then never answers a Ping nor sends a frame. Prints the Pings it left
//! unanswered and the seconds until the server closed it.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

use crate::figures::{Table, seconds};
use crate::silent::SilentStream;
use crate::target::{Outcome, SETUP_TIMEOUT, Target, connect_tcp, join};

/// `ws-load dead-peer`.
#[derive(clap::Args)]
pub struct Args {
    /// Join this room before going silent
    #[arg(long)]
    room: Option<String>,
    /// Stop waiting for the server to close the connection after this many seconds
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    max_wait: u64,
}

/// What the silent client saw.
#[derive(Default)]
struct DeadPeerReport {
    heartbeat_interval_ms: Option<u64>,
    pings: usize,
    first_ping: Option<Duration>,
    close_frame: Option<(Duration, Option<u16>)>,
    ended: Option<(Duration, String)>,
}

/// Runs the mode and prints its figures; fails when the server kept the peer open.
pub async fn run(target: &Target, args: Args) -> Outcome<()> {
    let endpoint = target.endpoint(0);
    let setup = async {
        let (stream, silence) = SilentStream::new(connect_tcp(endpoint).await?);
        let (mut ws, welcome) = target.handshake(endpoint, stream).await?;
        if let Some(room) = &args.room {
            join(&mut ws, room).await?;
        }
        silence.start();
        Ok::<_, String>((ws, welcome))
    };
    let (ws, welcome) = tokio::time::timeout(SETUP_TIMEOUT, setup)
        .await
        .map_err(|_| format!("setup took longer than {SETUP_TIMEOUT:?}"))??;
    eprintln!(
        "ws-load: dead-peer: connected to {}, now silent",
        endpoint.url
    );
    let mut report = watch_silently(ws, Duration::from_secs(args.max_wait)).await;
    report.heartbeat_interval_ms = welcome["heartbeat_interval_ms"].as_u64();
    report.print(
        format!("ws-load dead-peer: {}", endpoint.url),
        args.max_wait,
    );
    if report.closed_after().is_none() {
        return Err(format!(
            "the server kept a silent peer open for {} s",
            args.max_wait
        ));
    }
    Ok(())
}

/// Reads what the server sends, answering nothing, until it closes the
/// connection or `max_wait` passes.
async fn watch_silently(
    mut ws: WebSocketStream<SilentStream>,
    max_wait: Duration,
) -> DeadPeerReport {
    let mut report = DeadPeerReport::default();
    let silent_since = Instant::now();
    loop {
        let Some(left) = max_wait.checked_sub(silent_since.elapsed()) else {
            return report;
        };
        // After a Close frame, wait only briefly for the socket itself to close.
        let left = if report.close_frame.is_some() {
            left.min(Duration::from_secs(5))
        } else {
            left
        };
        let Ok(message) = tokio::time::timeout(left, ws.next()).await else {
            return report;
        };
        match message {
            Some(Ok(Message::Ping(_))) => {
                report.pings += 1;
                report.first_ping.get_or_insert(silent_since.elapsed());
            }
            Some(Ok(Message::Close(frame))) if report.close_frame.is_none() => {
                let code = frame.map(|frame| u16::from(frame.code));
                report.close_frame = Some((silent_since.elapsed(), code));
            }
            Some(Ok(_)) => {}
            None => {
                let how = "the server closed the TCP connection".to_owned();
                report.ended = Some((silent_since.elapsed(), how));
                return report;
            }
            Some(Err(error)) => {
                let how = format!("the connection failed: {error}");
                report.ended = Some((silent_since.elapsed(), how));
                return report;
            }
        }
    }
}

impl DeadPeerReport {
    /// Time from going silent to the server's close frame, or else to the socket closing.
    fn closed_after(&self) -> Option<Duration> {
        self.close_frame
            .map(|(at, _)| at)
            .or_else(|| self.ended.as_ref().map(|(at, _)| *at))
    }

    fn print(&self, title: String, max_wait: u64) {
        let mut table = Table::new(title);
        table.row(
            "heartbeat interval (welcome)",
            &self
                .heartbeat_interval_ms
                .map_or_else(|| "-".to_owned(), |ms| format!("{ms} ms")),
        );
        table.row("server pings left unanswered", &self.pings);
        table.row(
            "first ping after",
            &self.first_ping.map_or_else(|| "-".to_owned(), seconds),
        );
        table.row(
            "close frame",
            &self.close_frame.map_or_else(
                || "none".to_owned(),
                |(at, code)| match code {
                    Some(code) => format!("code {code} after {}", seconds(at)),
                    None => format!("without a code after {}", seconds(at)),
                },
            ),
        );
        table.row(
            "socket closed",
            &self.ended.as_ref().map_or_else(
                || "not yet".to_owned(),
                |(at, how)| format!("after {} ({how})", seconds(*at)),
            ),
        );
        table.row(
            "seconds until the server closed it",
            &self.closed_after().map_or_else(
                || format!("not closed within --max-wait {max_wait} s"),
                |at| format!("{:.2}", at.as_secs_f64()),
            ),
        );
        table.print();
    }
}
