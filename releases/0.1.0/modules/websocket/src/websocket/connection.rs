//! One task per connection. Inside it, two futures run side by side: the
//! reader parses client frames and answers through the connection's queue (it
//! never waits on the socket's writer), and the writer owns the socket's sink:
//! it drains the queue, pings on the heartbeat interval, and closes the socket
//! when the peer falls silent, stalls, the token expires or the hub asks.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::value::RawValue;
use tokio::time::{sleep, sleep_until, timeout};
use tokio_util::task::task_tracker::TaskTrackerToken;

use super::WsState;
use super::auth::Identity;
use super::hooks::{AppMessage, ConnectionInfo};
use super::hub::{CloseReason, ConnectionId, Hub, Registration, Slot};
use super::outbox::Outbox;
use super::protocol::{
    ClientFrame, ErrorCode, Rejection, ServerFrame, error_frame, parse_client_frame,
};

/// How long the server waits for the client's answer to its Close frame.
const CLOSE_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(1);

/// Frames the writer sends in one go before flushing.
const WRITE_BATCH: usize = 32;

/// Runs one upgraded connection to its end. `slot` holds its place under the
/// connection cap and `tracked` keeps shutdown waiting until then.
///
/// The socket is split before the task's future is built, so the future
/// (allocated once per connection) does not also keep room for the whole socket.
pub(super) fn run(
    socket: WebSocket,
    state: WsState,
    identity: Identity,
    slot: Slot,
    tracked: TaskTrackerToken,
) -> impl Future<Output = ()> + Send {
    let (sink, stream) = socket.split();
    async move {
        serve(sink, stream, &state, identity).await;
        drop((slot, tracked));
    }
}

async fn serve(
    mut sink: SplitSink<WebSocket, Message>,
    mut stream: SplitStream<WebSocket>,
    state: &WsState,
    identity: Identity,
) {
    let settings = state.hub.settings();
    let heartbeat_interval_ms =
        u64::try_from(settings.heartbeat_interval.as_millis()).unwrap_or(u64::MAX);
    let Registration { id, outbox } = state.hub.register(|id| {
        let welcome = ServerFrame::Welcome {
            connection_id: &id.to_string(),
            heartbeat_interval_ms,
        };
        Utf8Bytes::from(welcome.to_json())
    });
    // Should a hook panic, the connection still leaves the registry and its rooms.
    let _registered = Registered {
        hub: &state.hub,
        id,
    };
    let connection = ConnectionInfo { id, identity };
    let id_text = id.to_string();
    state.hooks.on_connect(&connection);

    let activity = Activity::new();
    let reason = {
        let session = Session {
            state,
            connection: &connection,
            id_text: &id_text,
            outbox: &outbox,
        };
        let expires_at = connection.identity.expires_at;
        tokio::select! {
            reason = read_frames(&mut stream, &session, &activity) => reason,
            reason = write_frames(&mut sink, &outbox, &activity, settings, expires_at) => reason,
        }
    };
    // Leave the rooms first so nothing more is queued while the socket closes.
    state.hub.unregister(id, reason);
    finish(
        &mut sink,
        &mut stream,
        &outbox,
        reason,
        settings.send_timeout,
    )
    .await;
    state.hooks.on_disconnect(&connection, reason);
}

/// Unregisters a connection when dropped: the last resort when its task
/// unwinds (the normal path unregisters before closing the socket).
struct Registered<'a> {
    hub: &'a Hub,
    id: ConnectionId,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.hub.unregister(self.id, CloseReason::InternalError);
    }
}

/// When a frame last arrived, shared by the reader (which records it) and the
/// writer (which enforces the heartbeat timeout).
struct Activity {
    started: Instant,
    last_frame_millis: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Self {
            started: Instant::now(),
            last_frame_millis: AtomicU64::new(0),
        }
    }

    fn touch(&self) {
        let elapsed = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_frame_millis.store(elapsed, Ordering::Relaxed);
    }

    fn last_frame(&self) -> Instant {
        self.started + Duration::from_millis(self.last_frame_millis.load(Ordering::Relaxed))
    }
}

/// What the reader needs to answer a frame.
struct Session<'a> {
    state: &'a WsState,
    connection: &'a ConnectionInfo,
    id_text: &'a str,
    outbox: &'a Outbox,
}

async fn read_frames(
    stream: &mut SplitStream<WebSocket>,
    session: &Session<'_>,
    activity: &Activity,
) -> CloseReason {
    let settings = session.state.hub.settings();
    let mut limiter = RateLimiter::new(
        settings.rate_limit_per_second,
        settings.rate_limit_burst,
        settings.rate_limit_strikes,
    );
    loop {
        let Some(received) = stream.next().await else {
            return CloseReason::ConnectionLost;
        };
        activity.touch();
        let message = match received {
            Ok(message) => message,
            Err(error) => return classify_read_error(&error),
        };
        let text = match message {
            Message::Text(text) => Some(text),
            Message::Binary(_) => None,
            // tungstenite answers Pings itself while the stream is polled.
            Message::Ping(_) | Message::Pong(_) => continue,
            Message::Close(_) => return CloseReason::ClientClosed,
        };
        session
            .state
            .hub
            .stats()
            .messages_received
            .fetch_add(1, Ordering::Relaxed);
        match limiter.check(Instant::now()) {
            Verdict::Allowed => {}
            Verdict::Limited => {
                session.reject(&Rejection::new(ErrorCode::RateLimited, "slow down"), None);
                continue;
            }
            Verdict::Exceeded => return CloseReason::RateLimited,
        }
        match text {
            Some(text) => session.handle(&text),
            None => session.reject(
                &Rejection::bad_request("binary frames are not supported: send JSON text"),
                None,
            ),
        }
    }
}

/// Maps a read error to a close reason. axum wraps tungstenite's error
/// without exposing its type, so its message tells the cases apart; the
/// size-limit case is covered by a test.
fn classify_read_error(error: &axum::Error) -> CloseReason {
    let message = error.to_string();
    if message.contains("Space limit exceeded") {
        CloseReason::MessageTooBig
    } else if message.starts_with("IO error") || message.contains("without closing handshake") {
        CloseReason::ConnectionLost
    } else {
        CloseReason::ProtocolError
    }
}

impl Session<'_> {
    fn handle(&self, text: &str) {
        let request = match parse_client_frame(text) {
            Ok(request) => request,
            Err(error) => return self.reject(&error.rejection, error.id),
        };
        let id = request.id;
        let hub = &self.state.hub;
        let outcome = match request.frame {
            ClientFrame::Join { room } => self
                .state
                .hooks
                .authorize_join(self.connection, &room)
                .and_then(|()| hub.join(self.connection.id, &room))
                .map(|members| {
                    self.answer(&ServerFrame::Joined {
                        room: &room,
                        members,
                        id,
                    });
                }),
            ClientFrame::Leave { room } => hub.leave(self.connection.id, &room).map(|()| {
                self.answer(&ServerFrame::Left { room: &room, id });
            }),
            ClientFrame::Broadcast { room, data } => self
                .message_frame(Some(&room), data)
                .and_then(|frame| hub.broadcast_from(self.connection.id, &room, &frame))
                .map(|delivered| self.acknowledge(id, delivered)),
            ClientFrame::Direct { to, data } => self
                .message_frame(None, data)
                .and_then(|frame| hub.send_direct(&to, &frame))
                .map(|delivered| self.acknowledge(id, delivered)),
            ClientFrame::Ping => {
                self.answer(&ServerFrame::Pong { id });
                Ok(())
            }
            ClientFrame::Other { kind } => self.state.hooks.on_message(&AppMessage::new(
                self.connection,
                &kind,
                text,
                id,
                hub,
                self.outbox,
            )),
        };
        if let Err(rejection) = outcome {
            self.reject(&rejection, id);
        }
    }

    /// The delivery frame, serialised once for all its recipients.
    fn message_frame(&self, room: Option<&str>, data: &RawValue) -> Result<Utf8Bytes, Rejection> {
        let frame = ServerFrame::Message {
            room,
            from: self.id_text,
            data,
        }
        .to_json();
        let max = self.state.hub.settings().max_message_bytes;
        if frame.len() > max {
            return Err(Rejection::new(
                ErrorCode::TooLarge,
                format!("the delivered message would exceed {max} bytes"),
            ));
        }
        Ok(Utf8Bytes::from(frame))
    }

    fn acknowledge(&self, id: Option<&RawValue>, delivered: usize) {
        if let Some(id) = id {
            self.answer(&ServerFrame::Ack { id, delivered });
        }
    }

    fn answer(&self, frame: &ServerFrame<'_>) {
        self.send(frame.to_json());
    }

    fn reject(&self, rejection: &Rejection, id: Option<&RawValue>) {
        self.send(error_frame(rejection, id));
    }

    fn send(&self, text: String) {
        self.state.hub.reply(self.outbox, Utf8Bytes::from(text));
    }
}

async fn write_frames(
    sink: &mut SplitSink<WebSocket, Message>,
    outbox: &Outbox,
    activity: &Activity,
    settings: &super::WsSettings,
    expires_at: Option<Instant>,
) -> CloseReason {
    let send_timeout = settings.send_timeout;
    let mut ping = tokio::time::interval_at(
        tokio::time::Instant::now() + settings.heartbeat_interval,
        settings.heartbeat_interval,
    );
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let silence = sleep(settings.heartbeat_timeout);
    let expiry = sleep_until(expires_at.map_or_else(far_future, tokio::time::Instant::from_std));
    let closing = outbox.close_requested();
    tokio::pin!(silence, expiry, closing);
    loop {
        tokio::select! {
            biased;
            reason = &mut closing => return reason,
            () = &mut expiry, if expires_at.is_some() => return CloseReason::TokenExpired,
            () = &mut silence => {
                let deadline = activity.last_frame() + settings.heartbeat_timeout;
                if deadline <= Instant::now() {
                    return CloseReason::HeartbeatTimeout;
                }
                silence.as_mut().reset(tokio::time::Instant::from_std(deadline));
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
            _ = ping.tick() => {
                if let Err(reason) = with_timeout(send_timeout, sink.send(Message::Ping(Bytes::new()))).await {
                    return reason;
                }
            }
        }
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
async fn finish(
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

/// Whether a client frame may be handled now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Allowed,
    /// Over the rate: answer `rate_limited`.
    Limited,
    /// Still flooding after `WS_RATE_LIMIT_STRIKES` refusals: close with 1008.
    Exceeded,
}

/// A token bucket: `burst` frames at once, refilled at `per_second`. Strikes
/// (refused frames) are forgiven once the bucket is full again.
#[derive(Debug)]
struct RateLimiter {
    tokens: f64,
    burst: f64,
    per_second: f64,
    refilled_at: Option<Instant>,
    strikes: u32,
    max_strikes: u32,
}

impl RateLimiter {
    fn new(per_second: u32, burst: u32, max_strikes: u32) -> Self {
        Self {
            tokens: f64::from(burst),
            burst: f64::from(burst),
            per_second: f64::from(per_second),
            refilled_at: None,
            strikes: 0,
            max_strikes,
        }
    }

    fn check(&mut self, now: Instant) -> Verdict {
        if let Some(then) = self.refilled_at {
            let earned = now.saturating_duration_since(then).as_secs_f64() * self.per_second;
            self.tokens = (self.tokens + earned).min(self.burst);
        }
        self.refilled_at = Some(now);
        if self.tokens >= self.burst {
            self.strikes = 0;
        }
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Verdict::Allowed;
        }
        self.strikes += 1;
        if self.strikes > self.max_strikes {
            Verdict::Exceeded
        } else {
            Verdict::Limited
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_limiter_allows_a_burst_then_refuses_then_closes() {
        let start = Instant::now();
        let mut limiter = RateLimiter::new(10, 3, 2);
        for _ in 0..3 {
            assert_eq!(limiter.check(start), Verdict::Allowed);
        }
        assert_eq!(limiter.check(start), Verdict::Limited);
        assert_eq!(limiter.check(start), Verdict::Limited);
        assert_eq!(limiter.check(start), Verdict::Exceeded);
        let later = start + Duration::from_millis(150);
        assert_eq!(limiter.check(later), Verdict::Allowed);
    }

    #[test]
    fn a_full_bucket_forgives_strikes() {
        let start = Instant::now();
        let mut limiter = RateLimiter::new(10, 1, 1);
        assert_eq!(limiter.check(start), Verdict::Allowed);
        assert_eq!(limiter.check(start), Verdict::Limited);
        assert_eq!(
            limiter.check(start + Duration::from_secs(1)),
            Verdict::Allowed
        );
        assert_eq!(
            limiter.check(start + Duration::from_secs(1)),
            Verdict::Limited
        );
    }
}
