//! The connection registry and rooms: who is connected, who is in which room,
//! and the broadcast hot path. It never awaits a connection: every delivery is
//! a `try_send` into that connection's bounded queue.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use axum::extract::ws::Utf8Bytes;
use tokio_util::sync::CancellationToken;

use super::broker::Broker;
use super::outbox::{Full, Outbox};
use super::protocol::{ErrorCode, Rejection};
use super::settings::WsSettings;

/// Longest room name, in bytes.
pub const MAX_ROOM_NAME_BYTES: usize = 64;

/// A connection's id, unique across instances: `<instance>-<key>` in hex.
/// The key is a keyed hash of a sequence number, so ids cannot be guessed
/// (a `direct` needs an id its sender was given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnectionId {
    instance: u32,
    key: u64,
}

impl ConnectionId {
    /// Parses the wire form; `None` when `text` is not a connection id.
    pub fn parse(text: &str) -> Option<Self> {
        let (instance, key) = text.split_once('-')?;
        if instance.len() != 8 || key.len() != 16 {
            return None;
        }
        Some(Self {
            instance: u32::from_str_radix(instance, 16).ok()?,
            key: u64::from_str_radix(key, 16).ok()?,
        })
    }
}

impl fmt::Display for ConnectionId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:08x}-{:016x}", self.instance, self.key)
    }
}

/// Why a connection ended; each reason maps to a close code and a metrics label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum CloseReason {
    /// The client sent a Close frame.
    ClientClosed = 1,
    /// The TCP connection ended without a Close frame.
    ConnectionLost,
    /// The server is shutting down (1001).
    Shutdown,
    /// No frame arrived within `WS_HEARTBEAT_TIMEOUT_MS` (1008).
    HeartbeatTimeout,
    /// The send queue overflowed (1013).
    SlowConsumer,
    /// A write stalled longer than `WS_SEND_TIMEOUT_MS` (1013).
    SendTimeout,
    /// A message exceeded `WS_MAX_MESSAGE_BYTES` (1009).
    MessageTooBig,
    /// The client kept sending over the rate limit (1008).
    RateLimited,
    /// The JWT expired during the session (1008).
    TokenExpired,
    /// The client broke the WebSocket protocol (1008).
    ProtocolError,
    /// The server failed (1011).
    InternalError,
}

impl CloseReason {
    /// Every reason, in declaration order.
    pub const ALL: [Self; 11] = [
        Self::ClientClosed,
        Self::ConnectionLost,
        Self::Shutdown,
        Self::HeartbeatTimeout,
        Self::SlowConsumer,
        Self::SendTimeout,
        Self::MessageTooBig,
        Self::RateLimited,
        Self::TokenExpired,
        Self::ProtocolError,
        Self::InternalError,
    ];

    /// The label of `ws_connections_closed_total`.
    pub fn label(self) -> &'static str {
        match self {
            Self::ClientClosed => "client_closed",
            Self::ConnectionLost => "connection_lost",
            Self::Shutdown => "shutdown",
            Self::HeartbeatTimeout => "heartbeat_timeout",
            Self::SlowConsumer => "slow_consumer",
            Self::SendTimeout => "send_timeout",
            Self::MessageTooBig => "message_too_big",
            Self::RateLimited => "rate_limited",
            Self::TokenExpired => "token_expired",
            Self::ProtocolError => "protocol_error",
            Self::InternalError => "internal_error",
        }
    }

    /// The close code the server sends, or `None` when the client closed or vanished.
    pub fn close_code(self) -> Option<u16> {
        use super::protocol::close_code;
        match self {
            Self::ClientClosed | Self::ConnectionLost => None,
            Self::Shutdown => Some(close_code::GOING_AWAY),
            Self::HeartbeatTimeout
            | Self::RateLimited
            | Self::TokenExpired
            | Self::ProtocolError => Some(close_code::POLICY),
            Self::SlowConsumer | Self::SendTimeout => Some(close_code::TRY_AGAIN_LATER),
            Self::MessageTooBig => Some(close_code::TOO_BIG),
            Self::InternalError => Some(close_code::INTERNAL),
        }
    }

    pub(super) fn from_u8(value: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| *reason as u8 == value)
    }
}

/// Counters behind the `/metrics` endpoint, kept as plain atomics so the hot
/// path pays one relaxed add and no label lookup.
#[derive(Debug, Default)]
pub struct Stats {
    /// Text frames received from clients.
    pub messages_received: AtomicU64,
    /// Frames queued to connections.
    pub messages_sent: AtomicU64,
    /// Frames refused by a full queue.
    pub messages_dropped: AtomicU64,
    /// Handshakes refused before the upgrade (401, 403, 503).
    pub handshakes_rejected: AtomicU64,
    closed: [AtomicU64; CloseReason::ALL.len()],
}

impl Stats {
    /// Connections closed for `reason` so far.
    pub fn closed(&self, reason: CloseReason) -> u64 {
        self.closed[reason as usize - 1].load(Ordering::Relaxed)
    }

    /// Counts a handshake refused before the upgrade.
    pub fn count_rejected(&self) {
        self.handshakes_rejected.fetch_add(1, Ordering::Relaxed);
    }

    fn count_closed(&self, reason: CloseReason) {
        self.closed[reason as usize - 1].fetch_add(1, Ordering::Relaxed);
    }
}

#[derive(Debug)]
struct Entry {
    outbox: Arc<Outbox>,
    rooms: Vec<Arc<str>>,
}

/// Rooms as a two-way index: connection -> rooms and room -> members, so a
/// closing connection leaves all its rooms with one lookup.
#[derive(Debug, Default)]
struct Registry {
    connections: HashMap<ConnectionId, Entry>,
    rooms: HashMap<Arc<str>, HashMap<ConnectionId, Arc<Outbox>>>,
}

/// The registry of connections and rooms of this instance.
pub struct Hub {
    registry: RwLock<Registry>,
    settings: Arc<WsSettings>,
    broker: Arc<dyn Broker>,
    instance: u32,
    next_sequence: AtomicU64,
    id_keys: RandomState,
    reserved: AtomicUsize,
    shutdown: CancellationToken,
    stats: Stats,
}

impl fmt::Debug for Hub {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Hub")
            .field("instance", &format_args!("{:08x}", self.instance))
            .field("connections", &self.connection_count())
            .field("rooms", &self.room_count())
            .finish_non_exhaustive()
    }
}

/// A place under the connection cap, held from before the upgrade until the
/// connection ends.
#[derive(Debug)]
pub struct Slot {
    hub: Arc<Hub>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.hub.reserved.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A registered connection: its id and its outbox.
#[derive(Debug)]
pub struct Registration {
    /// The connection's id.
    pub id: ConnectionId,
    /// Frames for the connection's writer, and its close signal.
    pub outbox: Arc<Outbox>,
}

impl Hub {
    /// An empty hub; `shutdown` closes every connection when cancelled.
    pub fn new(
        settings: Arc<WsSettings>,
        broker: Arc<dyn Broker>,
        shutdown: CancellationToken,
    ) -> Self {
        // Any 32 random bits tell instances apart.
        let instance = u32::try_from(RandomState::new().hash_one(std::process::id()) >> 32)
            .unwrap_or_default();
        Self {
            registry: RwLock::default(),
            settings,
            broker,
            instance,
            next_sequence: AtomicU64::new(1),
            id_keys: RandomState::new(),
            reserved: AtomicUsize::new(0),
            shutdown,
            stats: Stats::default(),
        }
    }

    /// The settings the hub enforces.
    pub fn settings(&self) -> &WsSettings {
        &self.settings
    }

    /// The hub's counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Takes a place under `WS_MAX_CONNECTIONS`, or `None` when all are taken.
    pub fn try_reserve(self: &Arc<Self>) -> Option<Slot> {
        let max = self.settings.max_connections;
        self.reserved
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |taken| {
                (taken < max).then_some(taken + 1)
            })
            .ok()
            .map(|_| Slot {
                hub: Arc::clone(self),
            })
    }

    /// Registers a new connection: gives it an id and an outbox whose first
    /// frame is `welcome(id)`, queued before anyone can address the connection.
    pub fn register(&self, welcome: impl FnOnce(ConnectionId) -> Utf8Bytes) -> Registration {
        let outbox = Arc::new(Outbox::new(
            self.settings.send_queue_capacity,
            &self.shutdown,
        ));
        let mut registry = self.write();
        let id = loop {
            let sequence = self.next_sequence.fetch_add(1, Ordering::Relaxed);
            let id = ConnectionId {
                instance: self.instance,
                key: self.id_keys.hash_one(sequence),
            };
            if !registry.connections.contains_key(&id) {
                break id;
            }
        };
        self.reply(&outbox, welcome(id));
        registry.connections.insert(
            id,
            Entry {
                outbox: Arc::clone(&outbox),
                rooms: Vec::new(),
            },
        );
        drop(registry);
        Registration { id, outbox }
    }

    /// Removes a connection from the registry and from all its rooms; empty
    /// rooms disappear. Counts the close under `reason`, once: removing a
    /// connection that is gone does nothing.
    pub fn unregister(&self, id: ConnectionId, reason: CloseReason) {
        let mut registry = self.write();
        let Some(entry) = registry.connections.remove(&id) else {
            return;
        };
        for room in entry.rooms {
            self.remove_member(&mut registry, &room, id);
        }
        drop(registry);
        self.stats.count_closed(reason);
    }

    /// Adds `id` to `room`; answers the member count.
    pub fn join(&self, id: ConnectionId, room: &str) -> Result<usize, Rejection> {
        validate_room_name(room)?;
        let mut registry = self.write();
        let registry = &mut *registry;
        let Some(entry) = registry.connections.get_mut(&id) else {
            return Err(Rejection::new(
                ErrorCode::UnknownConnection,
                "connection is closing",
            ));
        };
        if let Some(members) = registry.rooms.get(room) {
            if members.contains_key(&id) {
                return Ok(members.len());
            }
            if members.len() >= self.settings.max_members_per_room {
                return Err(Rejection::new(ErrorCode::Forbidden, "the room is full"));
            }
        }
        if entry.rooms.len() >= self.settings.max_rooms_per_connection {
            return Err(Rejection::new(
                ErrorCode::Forbidden,
                "this connection has joined the most rooms it may",
            ));
        }
        let name: Arc<str> = if let Some((name, _)) = registry.rooms.get_key_value(room) {
            Arc::clone(name)
        } else {
            self.broker.room_opened(room);
            Arc::from(room)
        };
        entry.rooms.push(Arc::clone(&name));
        let members = registry.rooms.entry(name).or_default();
        members.insert(id, Arc::clone(&entry.outbox));
        Ok(members.len())
    }

    /// Removes `id` from `room`.
    pub fn leave(&self, id: ConnectionId, room: &str) -> Result<(), Rejection> {
        let mut registry = self.write();
        let entry = registry.connections.get_mut(&id);
        let Some(position) = entry
            .as_ref()
            .and_then(|entry| entry.rooms.iter().position(|name| &**name == room))
        else {
            return Err(not_member(room));
        };
        if let Some(entry) = entry {
            entry.rooms.swap_remove(position);
        }
        self.remove_member(&mut registry, room, id);
        Ok(())
    }

    /// Queues `frame` to every member of `room` but `sender`, which must be a
    /// member. Answers how many members it was queued to.
    pub fn broadcast_from(
        &self,
        sender: ConnectionId,
        room: &str,
        frame: &Utf8Bytes,
    ) -> Result<usize, Rejection> {
        let delivered = {
            let registry = self.read();
            let members = registry
                .rooms
                .get(room)
                .filter(|members| members.contains_key(&sender))
                .ok_or_else(|| not_member(room))?;
            self.deliver(
                members
                    .iter()
                    .filter(|(id, _)| **id != sender)
                    .map(|(_, handle)| handle),
                frame,
            )
        };
        self.broker.publish_room(room, frame, Some(sender));
        Ok(delivered)
    }

    /// Queues `frame` to every member of `room` (an HTTP broadcast). Answers
    /// how many members it was queued to; 0 for a room that does not exist.
    pub fn broadcast(&self, room: &str, frame: &Utf8Bytes) -> usize {
        let delivered = {
            let registry = self.read();
            registry
                .rooms
                .get(room)
                .map_or(0, |members| self.deliver(members.values(), frame))
        };
        self.broker.publish_room(room, frame, None);
        delivered
    }

    /// Queues `frame` to one connection.
    pub fn send_direct(&self, to: &str, frame: &Utf8Bytes) -> Result<usize, Rejection> {
        let unknown = || {
            Rejection::new(
                ErrorCode::UnknownConnection,
                format!("no connection {to:?}"),
            )
        };
        let id = ConnectionId::parse(to).ok_or_else(unknown)?;
        if id.instance != self.instance {
            return if self.broker.publish_direct(id, frame) {
                Ok(1)
            } else {
                Err(unknown())
            };
        }
        let outbox = self
            .read()
            .connections
            .get(&id)
            .map(|entry| Arc::clone(&entry.outbox))
            .ok_or_else(unknown)?;
        Ok(self.deliver(std::iter::once(&outbox), frame))
    }

    /// Queues `frame` to one connection's own outbox (its answers). Closes it
    /// as a slow consumer when the outbox is full.
    pub fn reply(&self, outbox: &Outbox, frame: Utf8Bytes) {
        if outbox.push(frame) == Err(Full) {
            self.stats.messages_dropped.fetch_add(1, Ordering::Relaxed);
            outbox.close(CloseReason::SlowConsumer);
        } else {
            self.stats.messages_sent.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Rooms and their member counts, sorted by name.
    pub fn rooms(&self) -> Vec<(String, usize)> {
        let mut rooms: Vec<_> = self
            .read()
            .rooms
            .iter()
            .map(|(name, members)| (name.to_string(), members.len()))
            .collect();
        rooms.sort_unstable();
        rooms
    }

    /// Open connections.
    pub fn connection_count(&self) -> usize {
        self.read().connections.len()
    }

    /// Rooms with at least one member.
    pub fn room_count(&self) -> usize {
        self.read().rooms.len()
    }

    /// Members of `room`, 0 when it does not exist.
    pub fn member_count(&self, room: &str) -> usize {
        self.read().rooms.get(room).map_or(0, HashMap::len)
    }

    /// The hot path: one `try_send` per member, never an await. A member whose
    /// queue is full is a slow consumer: it is told to close with 1013.
    fn deliver<'a>(
        &self,
        members: impl Iterator<Item = &'a Arc<Outbox>>,
        frame: &Utf8Bytes,
    ) -> usize {
        let mut delivered = 0;
        let mut dropped = 0;
        for outbox in members {
            if outbox.push(frame.clone()) == Err(Full) {
                dropped += 1;
                outbox.close(CloseReason::SlowConsumer);
            } else {
                delivered += 1;
            }
        }
        self.stats
            .messages_sent
            .fetch_add(delivered, Ordering::Relaxed);
        if dropped > 0 {
            self.stats
                .messages_dropped
                .fetch_add(dropped, Ordering::Relaxed);
        }
        usize::try_from(delivered).unwrap_or(usize::MAX)
    }

    fn remove_member(&self, registry: &mut Registry, room: &str, id: ConnectionId) {
        if let Some(members) = registry.rooms.get_mut(room) {
            members.remove(&id);
            if members.is_empty() {
                registry.rooms.remove(room);
                self.broker.room_closed(room);
            }
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Registry> {
        self.registry.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Registry> {
        self.registry
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

fn not_member(room: &str) -> Rejection {
    Rejection::new(
        ErrorCode::NotMember,
        format!("not a member of room {room:?}"),
    )
}

/// Room names: 1 to 64 bytes of ASCII letters, digits and `-_.:@`.
pub fn validate_room_name(room: &str) -> Result<(), Rejection> {
    let valid_char = |c: char| c.is_ascii_alphanumeric() || "-_.:@".contains(c);
    if room.is_empty() || room.len() > MAX_ROOM_NAME_BYTES || !room.chars().all(valid_char) {
        return Err(Rejection::bad_request(format!(
            "room names are 1 to {MAX_ROOM_NAME_BYTES} ASCII letters, digits or -_.:@"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::websocket::broker::MemoryBroker;
    use crate::websocket::testing::test_settings;

    fn hub(configure: impl FnOnce(&mut WsSettings)) -> Hub {
        let mut settings = test_settings();
        configure(&mut settings);
        Hub::new(
            Arc::new(settings),
            Arc::new(MemoryBroker),
            CancellationToken::new(),
        )
    }

    #[test]
    fn connection_ids_round_trip_through_their_wire_form() {
        let id = ConnectionId {
            instance: 0xab,
            key: 42,
        };
        assert_eq!(id.to_string(), "000000ab-000000000000002a");
        assert_eq!(ConnectionId::parse("000000ab-000000000000002a"), Some(id));
        assert_eq!(ConnectionId::parse("ab-42"), None);
        assert_eq!(ConnectionId::parse("000000ab-42"), None);
        assert_eq!(ConnectionId::parse("server"), None);
    }

    #[test]
    fn closing_a_connection_leaves_its_rooms_and_empty_rooms_disappear() {
        let hub = hub(|_| {});
        let first = hub.register(|_| Utf8Bytes::from_static("welcome"));
        let second = hub.register(|_| Utf8Bytes::from_static("welcome"));
        assert_eq!(hub.join(first.id, "a"), Ok(1));
        assert_eq!(hub.join(first.id, "b"), Ok(1));
        assert_eq!(hub.join(second.id, "a"), Ok(2));
        hub.unregister(first.id, CloseReason::ClientClosed);
        assert_eq!(hub.rooms(), vec![("a".to_owned(), 1)]);
        assert_eq!(hub.stats().closed(CloseReason::ClientClosed), 1);
    }

    #[test]
    fn a_full_queue_marks_a_slow_consumer_and_others_still_receive() {
        let hub = hub(|settings| settings.send_queue_capacity = 1);
        let sender = hub.register(|_| Utf8Bytes::from_static("welcome"));
        let slow = hub.register(|_| Utf8Bytes::from_static("welcome"));
        let fast = hub.register(|_| Utf8Bytes::from_static("welcome"));
        for registration in [&sender, &slow, &fast] {
            hub.join(registration.id, "r").unwrap();
            assert_eq!(registration.outbox.pop().as_deref(), Some("welcome"));
        }
        let frame = Utf8Bytes::from("x");
        assert_eq!(hub.broadcast_from(sender.id, "r", &frame), Ok(2));
        assert!(fast.outbox.pop().is_some());
        assert_eq!(hub.broadcast_from(sender.id, "r", &frame), Ok(1));
        assert_eq!(slow.outbox.close_reason(), CloseReason::SlowConsumer);
        assert!(fast.outbox.pop().is_some());
        assert_eq!(hub.stats().messages_dropped.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn limits_and_membership_are_enforced() {
        let hub = hub(|settings| {
            settings.max_rooms_per_connection = 1;
            settings.max_members_per_room = 1;
        });
        let first = hub.register(|_| Utf8Bytes::from_static("welcome"));
        let second = hub.register(|_| Utf8Bytes::from_static("welcome"));
        hub.join(first.id, "a").unwrap();
        assert_eq!(
            hub.join(first.id, "b").unwrap_err().code,
            ErrorCode::Forbidden
        );
        assert_eq!(
            hub.join(second.id, "a").unwrap_err().code,
            ErrorCode::Forbidden
        );
        assert_eq!(
            hub.leave(second.id, "a").unwrap_err().code,
            ErrorCode::NotMember
        );
        let frame = Utf8Bytes::from("x");
        assert_eq!(
            hub.broadcast_from(second.id, "a", &frame).unwrap_err().code,
            ErrorCode::NotMember
        );
        assert_eq!(
            hub.join(first.id, "bad room").unwrap_err().code,
            ErrorCode::BadRequest
        );
        assert_eq!(
            hub.send_direct("nobody", &frame).unwrap_err().code,
            ErrorCode::UnknownConnection
        );
    }
}
