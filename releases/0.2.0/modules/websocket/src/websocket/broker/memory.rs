//! The single-instance broker: every member is local, so there is nothing to forward.

use axum::extract::ws::Utf8Bytes;

use super::Broker;
use crate::websocket::hub::ConnectionId;

/// The broker of a service that runs as one instance.
#[derive(Debug, Clone, Copy, Default)]
pub struct MemoryBroker;

impl Broker for MemoryBroker {
    fn publish_room(&self, _room: &str, _frame: &Utf8Bytes, _sender: Option<ConnectionId>) {}

    fn publish_direct(&self, _to: ConnectionId, _frame: &Utf8Bytes) -> bool {
        false
    }
}
