//! The writer half of a connection: it owns the socket's sink, pings on the
//! (jittered) heartbeat interval before anything else, drains the
//! connection's queue in batches, and closes the socket as the close reason
//! requires.

use std::hash::{BuildHasher, RandomState};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::time::{sleep, sleep_until, timeout};

use super::connection::Activity;
use super::outbox::Outbox;
use super::protocol::CloseReason;

/// How long the server waits for the client's answer to its Close frame.
const CLOSE_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(1);

/// Frames the writer sends in one go before flushing.
const WRITE_BATCH: usize = 32;

pub(super) async fn write_frames(
    sink: &mut SplitSink<WebSocket, Message>,
    outbox: &Outbox,
    activity: &Activity,
    settings: &super::WsSettings,
) -> CloseReason {
    let send_timeout = settings.send_timeout;
    let mut jitter = Jitter::new(settings.heartbeat_interval);
    let ping = sleep(jitter.next());
    let silence = sleep(settings.heartbeat_timeout);
    let deadline =
        |expires: Option<Instant>| expires.map_or_else(far_future, tokio::time::Instant::from_std);
    let expiry = sleep_until(deadline(activity.expires_at()));
    let closing = outbox.close_requested();
    tokio::pin!(ping, silence, expiry, closing);
    loop {
        // Pings come before the queue: a connection whose queue never empties
        // still gets them, and a live peer is not taken for a silent one.
        tokio::select! {
            biased;
            reason = &mut closing => return reason,
            // A `refresh` may have extended the credential meanwhile.
            () = &mut expiry => match activity.expires_at() {
                Some(expires_at) if expires_at <= Instant::now() => return CloseReason::TokenExpired,
                later => expiry.as_mut().reset(deadline(later)),
            },
            () = &mut silence => {
                let deadline = activity.last_frame() + settings.heartbeat_timeout;
                if deadline <= Instant::now() {
                    return CloseReason::HeartbeatTimeout;
                }
                silence.as_mut().reset(tokio::time::Instant::from_std(deadline));
            }
            () = &mut ping => {
                ping.as_mut().reset(tokio::time::Instant::now() + jitter.next());
                if let Err(reason) = with_timeout(send_timeout, sink.send(Message::Ping(Bytes::new()))).await {
                    return reason;
                }
            }
            () = outbox.queued() => {
                // Up to a batch of queued frames goes out with one flush.
                let write = async {
                    for _ in 0..WRITE_BATCH {
                        let Some(frame) = outbox.pop() else { break };
                        sink.feed(Message::Text(frame)).await?;
                    }
                    sink.flush().await
                };
                // A write stalled on a full socket must not hide a close request.
                tokio::select! {
                    biased;
                    reason = &mut closing => return reason,
                    written = with_timeout(send_timeout, write) => {
                        if let Err(reason) = written {
                            return reason;
                        }
                    }
                }
            }
        }
    }
}

/// Heartbeat intervals between 80% and 100% of the configured one, so the
/// pings of connections opened together spread out, and none comes late.
struct Jitter {
    interval: Duration,
    random: RandomState,
    count: u64,
}

impl Jitter {
    fn new(interval: Duration) -> Self {
        Self {
            interval,
            random: RandomState::new(),
            count: 0,
        }
    }

    fn next(&mut self) -> Duration {
        self.count += 1;
        let fraction = u32::try_from(self.random.hash_one(self.count) % 1000).unwrap_or(0);
        self.interval.mul_f64(0.8) + self.interval.mul_f64(0.2) * fraction / 1000
    }
}

fn far_future() -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(86_400 * 365)
}

async fn with_timeout(
    limit: Duration,
    send: impl Future<Output = Result<(), axum::Error>>,
) -> Result<(), CloseReason> {
    match timeout(limit, send).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(CloseReason::ConnectionLost),
        Err(_) => Err(CloseReason::SendTimeout),
    }
}

/// Ends the WebSocket conversation as `reason` requires.
pub(super) async fn finish(
    sink: &mut SplitSink<WebSocket, Message>,
    stream: &mut SplitStream<WebSocket>,
    outbox: &Outbox,
    reason: CloseReason,
    send_timeout: Duration,
) {
    let Some(code) = reason.close_code() else {
        if reason == CloseReason::ClientClosed {
            // Sends tungstenite's answer to the client's Close.
            let _ = timeout(CLOSE_HANDSHAKE_TIMEOUT, sink.close()).await;
        }
        return;
    };
    if reason == CloseReason::SendTimeout {
        // The peer stopped reading: nothing more can be written.
        return;
    }
    // A slow consumer's queue was freed already; its Close frame gets a short wait.
    let send_timeout = if reason == CloseReason::SlowConsumer {
        CLOSE_HANDSHAKE_TIMEOUT
    } else {
        send_timeout
    };
    if reason == CloseReason::Shutdown {
        let mut remaining = Vec::new();
        while let Some(frame) = outbox.pop() {
            remaining.push(Ok(Message::Text(frame)));
        }
        let mut remaining = futures_util::stream::iter(remaining);
        if with_timeout(send_timeout, sink.send_all(&mut remaining))
            .await
            .is_err()
        {
            return;
        }
    }
    let frame = CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason.label()),
    };
    if with_timeout(send_timeout, sink.send(Message::Close(Some(frame))))
        .await
        .is_ok()
    {
        let _ = timeout(CLOSE_HANDSHAKE_TIMEOUT, async {
            while let Some(Ok(message)) = stream.next().await {
                if matches!(message, Message::Close(_)) {
                    break;
                }
            }
        })
        .await;
    }
}
