//! The seam between this instance's hub and other instances: the hub hands
//! every room and direct message to a [`Broker`] after delivering it locally.
//! The memory broker (one instance) has nobody to hand them to; a Redis
//! broker publishes them so other instances deliver to their own members.

mod memory;

pub use memory::MemoryBroker;

use axum::extract::ws::Utf8Bytes;

use super::hub::ConnectionId;

/// Fan-out between instances. Calls come from the hub's hot path, so an
/// implementation must not block: queue the work and return.
pub trait Broker: Send + Sync + 'static {
    /// `frame` was delivered to this instance's members of `room` (all but
    /// `sender`); deliver it to the members on other instances.
    fn publish_room(&self, room: &str, frame: &Utf8Bytes, sender: Option<ConnectionId>);

    /// `to` is connected to another instance: deliver `frame` there. Answers
    /// `false` when no other instance can be reached (the sender then gets
    /// `unknown_connection`).
    fn publish_direct(&self, to: ConnectionId, frame: &Utf8Bytes) -> bool;

    /// This instance gained its first member of `room` (e.g. subscribe to it).
    fn room_opened(&self, room: &str) {
        let _ = room;
    }

    /// This instance lost its last member of `room` (e.g. unsubscribe).
    fn room_closed(&self, room: &str) {
        let _ = room;
    }
}
