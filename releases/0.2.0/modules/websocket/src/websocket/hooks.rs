//! Where a service plugs its own behaviour into the WebSocket layer without
//! touching the hub: connect, messages of types the contract does not know,
//! and disconnect.

use std::sync::Arc;

use axum::extract::ws::Utf8Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::auth::Identity;
use super::hub::{ConnectionId, Hub};
use super::outbox::Outbox;
use super::protocol::{CloseReason, Rejection};

/// A connection as the hooks see it.
#[derive(Debug, Clone)]
pub struct ConnectionInfo {
    /// The connection's id, as clients address it in `direct`.
    pub id: ConnectionId,
    /// Who the handshake authenticated.
    pub identity: Identity,
}

/// A client frame whose `type` the contract does not know.
pub struct AppMessage<'a> {
    connection: &'a ConnectionInfo,
    kind: &'a str,
    text: &'a str,
    id: Option<&'a RawValue>,
    hub: &'a Arc<Hub>,
    outbox: &'a Outbox,
}

impl std::fmt::Debug for AppMessage<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("AppMessage")
            .field("connection", &self.connection.id)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl<'a> AppMessage<'a> {
    pub(super) fn new(
        connection: &'a ConnectionInfo,
        kind: &'a str,
        text: &'a str,
        id: Option<&'a RawValue>,
        hub: &'a Arc<Hub>,
        outbox: &'a Outbox,
    ) -> Self {
        Self {
            connection,
            kind,
            text,
            id,
            hub,
            outbox,
        }
    }

    /// The connection that sent it.
    pub fn connection(&self) -> &ConnectionInfo {
        self.connection
    }

    /// Its `type`.
    pub fn kind(&self) -> &str {
        self.kind
    }

    /// Its `id`, as raw JSON (a string or a number), to echo in an answer.
    pub fn id(&self) -> Option<&RawValue> {
        self.id
    }

    /// The whole frame as received.
    pub fn text(&self) -> &str {
        self.text
    }

    /// The frame parsed as `T`; a mismatch is a `bad_request` to return.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, Rejection> {
        serde_json::from_str(self.text).map_err(|error| Rejection::bad_request(error.to_string()))
    }

    /// Queues `frame` (serialised to JSON) to the sending connection.
    pub fn reply(&self, frame: &impl Serialize) {
        if let Ok(text) = serde_json::to_string(frame) {
            self.hub.reply(self.outbox, Utf8Bytes::from(text));
        }
    }

    /// The hub, to broadcast or send to other connections.
    pub fn hub(&self) -> &Arc<Hub> {
        self.hub
    }
}

/// Lifecycle hooks a service implements. Every method has a default, so an
/// implementation overrides only what it needs. They run on the connection's
/// task: keep them quick, and spawn a task for slow work (the hub is `Arc`, so
/// a spawned task can keep it).
pub trait Hooks: Send + Sync + 'static {
    /// A connection was accepted and registered.
    fn on_connect(&self, connection: &ConnectionInfo) {
        tracing::info!(connection = %connection.id, subject = %connection.identity.subject, "websocket connected");
    }

    /// May `connection` join `room`? A `Err` is sent to the client (use
    /// `ErrorCode::Forbidden`). The default lets everyone in.
    fn authorize_join(&self, connection: &ConnectionInfo, room: &str) -> Result<(), Rejection> {
        let _ = (connection, room);
        Ok(())
    }

    /// A frame whose `type` the contract does not know. Returning `Err` sends
    /// an `error` frame with the frame's `id`; the connection stays open. The
    /// default refuses it as `bad_request`.
    fn on_message(&self, message: &AppMessage<'_>) -> Result<(), Rejection> {
        tracing::debug!(connection = %message.connection().id, kind = message.kind(), "unknown message type");
        Err(Rejection::bad_request(format!(
            "unknown type {:?}",
            message.kind()
        )))
    }

    /// The connection ended and has left all its rooms.
    fn on_disconnect(&self, connection: &ConnectionInfo, reason: CloseReason) {
        tracing::info!(connection = %connection.id, reason = reason.label(), "websocket disconnected");
    }
}

/// The default hooks: log, and refuse unknown message types.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoggingHooks;

impl Hooks for LoggingHooks {}
