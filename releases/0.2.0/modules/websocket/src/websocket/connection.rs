//! One task per connection. Inside it, two futures run side by side: the
//! reader (here) parses client frames and answers through the connection's
//! queue, never waiting on the socket's writer, and the writer (`writer.rs`)
//! owns the socket's sink: it pings, drains the queue, and closes the socket
//! when the peer falls silent, stalls, the token expires or the hub asks.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::ws::{Message, Utf8Bytes, WebSocket};
use futures_util::StreamExt;
use futures_util::stream::{SplitSink, SplitStream};
use serde_json::value::RawValue;
use tokio_util::task::task_tracker::TaskTrackerToken;

use super::WsState;
use super::auth::Identity;
use super::hooks::{AppMessage, ConnectionInfo};
use super::hub::{ConnectionId, Hub, Registration, Slot};
use super::outbox::Outbox;
use super::per_ip::IpSlot;
use super::protocol::{
    ClientFrame, CloseReason, ErrorCode, Rejection, ServerFrame, error_frame, frame_id,
    parse_client_frame,
};
use super::rate_limit::{RateLimiter, Verdict};
use super::writer::{finish, write_frames};

/// A connection's places under `WS_MAX_CONNECTIONS` and
/// `WS_MAX_CONNECTIONS_PER_IP`, held from before the upgrade until it ends.
#[derive(Debug)]
pub(super) struct Admission {
    pub(super) slot: Slot,
    pub(super) per_ip: Option<IpSlot>,
}

/// Runs one upgraded connection to its end. `admission` holds its places
/// under the connection caps and `tracked` keeps shutdown waiting until then.
///
/// The socket is split before the task's future is built, so the future
/// (allocated once per connection) does not also keep room for the whole socket.
pub(super) fn run(
    socket: WebSocket,
    state: WsState,
    identity: Identity,
    admission: Admission,
    tracked: TaskTrackerToken,
) -> impl Future<Output = ()> + Send {
    let (sink, stream) = socket.split();
    async move {
        serve(sink, stream, &state, identity).await;
        let Admission { slot, per_ip } = admission;
        drop((slot, per_ip, tracked));
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
    activity.extend_expiry(connection.identity.expires_at);
    let reason = {
        let session = Session {
            state,
            connection: &connection,
            id_text: &id_text,
            outbox: &outbox,
            activity: &activity,
        };
        tokio::select! {
            reason = read_frames(&mut stream, &session, &activity) => reason,
            reason = write_frames(&mut sink, &outbox, &activity, settings) => reason,
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

/// When a frame last arrived and when the credential expires, shared by the
/// reader (which records them) and the writer (which enforces them). Two
/// atomics: lighter per connection than a channel.
pub(super) struct Activity {
    started: Instant,
    last_frame_millis: AtomicU64,
    /// Milliseconds after `started`; `u64::MAX` for a credential that never expires.
    expires_millis: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Self {
            started: Instant::now(),
            last_frame_millis: AtomicU64::new(0),
            expires_millis: AtomicU64::new(u64::MAX),
        }
    }

    /// Sets the expiry to `expires_at`, or keeps the later one already set
    /// (a `refresh` only ever extends a connection's life).
    fn extend_expiry(&self, expires_at: Option<Instant>) {
        let Some(expires_at) = expires_at else { return };
        let millis = expires_at
            .saturating_duration_since(self.started)
            .as_millis();
        let millis = u64::try_from(millis).unwrap_or(u64::MAX - 1);
        if self.expires_millis.load(Ordering::Relaxed) == u64::MAX {
            self.expires_millis.store(millis, Ordering::Relaxed);
        } else {
            self.expires_millis.fetch_max(millis, Ordering::Relaxed);
        }
    }

    /// When the credential expires, `None` when it never does.
    pub(super) fn expires_at(&self) -> Option<Instant> {
        match self.expires_millis.load(Ordering::Relaxed) {
            u64::MAX => None,
            millis => Some(self.started + Duration::from_millis(millis)),
        }
    }

    fn touch(&self) {
        let elapsed = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_frame_millis.store(elapsed, Ordering::Relaxed);
    }

    pub(super) fn last_frame(&self) -> Instant {
        self.started + Duration::from_millis(self.last_frame_millis.load(Ordering::Relaxed))
    }
}

/// What the reader needs to answer a frame.
struct Session<'a> {
    state: &'a WsState,
    connection: &'a ConnectionInfo,
    id_text: &'a str,
    outbox: &'a Outbox,
    activity: &'a Activity,
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
                // The frame's `id`, so the client knows which one was refused.
                let id = text.as_deref().and_then(frame_id);
                session.reject(&Rejection::new(ErrorCode::RateLimited, "slow down"), id);
                continue;
            }
            Verdict::Exceeded => return CloseReason::RateLimited,
        }
        match text {
            // Boxed: its state would otherwise make every idle connection's task larger.
            Some(text) => Box::pin(session.handle(&text)).await,
            None => session.reject(
                &Rejection::bad_request("binary frames are not supported: send JSON text"),
                None,
            ),
        }
    }
}

/// Maps a read error to a close reason. axum wraps tungstenite's error
/// without exposing its type, so its message tells the cases apart; each
/// case is covered by a test (1009, 1007, 1002).
fn classify_read_error(error: &axum::Error) -> CloseReason {
    let message = error.to_string();
    if message.contains("Space limit exceeded") {
        CloseReason::MessageTooBig
    } else if message.starts_with("UTF-8 encoding error") {
        CloseReason::InvalidUtf8
    } else if message.starts_with("IO error") || message.contains("without closing handshake") {
        CloseReason::ConnectionLost
    } else {
        CloseReason::ProtocolError
    }
}

impl Session<'_> {
    async fn handle(&self, text: &str) {
        let request = match parse_client_frame(text) {
            Ok(request) => request,
            Err(error) => return self.reject(&error.rejection, error.id),
        };
        let id = request.id;
        let hub = &self.state.hub;
        let outcome = match request.frame {
            ClientFrame::Join { room } => self.join(&room).await.map(|members| {
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
            ClientFrame::Direct { to, data } => match self.message_frame(None, data) {
                Ok(frame) => self
                    .direct(&to, &frame)
                    .await
                    .map(|delivered| self.acknowledge(id, delivered)),
                Err(rejection) => Err(rejection),
            },
            ClientFrame::Ping => {
                self.answer(&ServerFrame::Pong { id });
                Ok(())
            }
            ClientFrame::Refresh { token } => self.refresh(&token).await.map(|()| {
                self.answer(&ServerFrame::Refreshed { id });
            }),
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

    /// Joins `room` once the hooks allow it, answering only once messages
    /// from other instances reach it too.
    async fn join(&self, room: &str) -> Result<usize, Rejection> {
        let hub = &self.state.hub;
        self.state.hooks.authorize_join(self.connection, room)?;
        let members = hub.join(self.connection.id, room)?;
        hub.broker().room_ready(room).await;
        Ok(members)
    }

    /// Delivers `frame` to connection `to`, here or on another instance.
    async fn direct(&self, to: &str, frame: &Utf8Bytes) -> Result<usize, Rejection> {
        let hub = &self.state.hub;
        match ConnectionId::parse(to) {
            Some(id) if id.instance() != hub.instance() => {
                if hub.broker().deliver_direct(id, frame).await {
                    Ok(1)
                } else {
                    Err(Rejection::new(
                        ErrorCode::UnknownConnection,
                        format!("no connection \"{to}\""),
                    ))
                }
            }
            _ => hub.send_direct(to, frame),
        }
    }

    /// Moves the connection's expiry to that of `token`, which must prove the same subject.
    async fn refresh(&self, token: &str) -> Result<(), Rejection> {
        let refused = || {
            Rejection::new(
                ErrorCode::Forbidden,
                "the token is not valid for this connection",
            )
        };
        let identity = self
            .state
            .authenticator
            .verify(token)
            .await
            .map_err(|_| refused())?;
        if identity.subject != self.connection.identity.subject {
            return Err(refused());
        }
        self.activity.extend_expiry(identity.expires_at);
        Ok(())
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
