//! The writer half of a connection: it owns the socket's sink, pings on the
//! (jittered) heartbeat interval before anything else, drains the
//! connection's queue in batches, and closes the socket as the close reason
//! requires.

use std::hash::{BuildHasher, RandomState};
use std::pin::Pin;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::time::{Sleep, sleep_until, timeout};

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
    let mut next_ping = Instant::now() + jittered(settings.heartbeat_interval);
    // One timer wakes the writer for the ping, the heartbeat timeout and the
    // credential's expiry, and bounds each write: a timer of its own for each
    // would make every connection's task a few hundred bytes larger.
    let timer = sleep_until(next_wake(next_ping, activity, settings).into());
    let closing = outbox.close_requested();
    tokio::pin!(timer, closing);
    loop {
        // Pings come before the queue: a connection whose queue never empties
        // still gets them, and a live peer is not taken for a silent one.
        tokio::select! {
            biased;
            reason = &mut closing => return reason,
            () = &mut timer => {
                let now = Instant::now();
                // A `refresh` may have extended the credential meanwhile.
                if activity.expires_at().is_some_and(|expires_at| expires_at <= now) {
                    return CloseReason::TokenExpired;
                }
                if activity.last_frame() + settings.heartbeat_timeout <= now {
                    return CloseReason::HeartbeatTimeout;
                }
                if next_ping <= now {
                    next_ping = now + jittered(settings.heartbeat_interval);
                    let ping = sink.send(Message::Ping(Bytes::new()));
                    if let Err(reason) = within(timer.as_mut(), send_timeout, ping).await {
                        return reason;
                    }
                }
                timer.as_mut().reset(next_wake(next_ping, activity, settings).into());
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
                    written = within(timer.as_mut(), send_timeout, write) => {
                        if let Err(reason) = written {
                            return reason;
                        }
                    }
                }
                timer.as_mut().reset(next_wake(next_ping, activity, settings).into());
            }
        }
    }
}

/// Runs `write` with `timer` as its deadline, `limit` from now; the caller
/// sets the timer back to its next wake afterwards.
async fn within(
    mut timer: Pin<&mut Sleep>,
    limit: Duration,
    write: impl Future<Output = Result<(), axum::Error>>,
) -> Result<(), CloseReason> {
    timer.as_mut().reset(tokio::time::Instant::now() + limit);
    tokio::select! {
        biased;
        written = write => written.map_err(|_| CloseReason::ConnectionLost),
        () = timer => Err(CloseReason::SendTimeout),
    }
}

/// The earliest of the next ping, the heartbeat timeout and the credential's
/// expiry. The last two only ever move later (a frame arrives, a `refresh`
/// extends the credential), so waking at an earlier one is only a check.
fn next_wake(next_ping: Instant, activity: &Activity, settings: &super::WsSettings) -> Instant {
    let silent_at = activity.last_frame() + settings.heartbeat_timeout;
    let wake = next_ping.min(silent_at);
    activity
        .expires_at()
        .map_or(wake, |expires_at| wake.min(expires_at))
}

/// A heartbeat interval between 80% and 100% of the configured one, so the
/// pings of connections opened together spread out, and none comes late.
fn jittered(interval: Duration) -> Duration {
    // Each `RandomState` has fresh keys: its hash of anything is a new random number.
    let fraction = u32::try_from(RandomState::new().hash_one(0_u8) % 1000).unwrap_or(0);
    interval.mul_f64(0.8) + interval.mul_f64(0.2) * fraction / 1000
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
