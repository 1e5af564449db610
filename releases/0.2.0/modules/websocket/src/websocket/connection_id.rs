//! Connection ids: how the hub names a connection, on the wire and across instances.

use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

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

    /// The instance the connection is attached to.
    pub fn instance(self) -> u32 {
        self.instance
    }
}

impl fmt::Display for ConnectionId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:08x}-{:016x}", self.instance, self.key)
    }
}

/// Hands out this instance's connection ids.
#[derive(Debug)]
pub(super) struct Ids {
    instance: u32,
    next_sequence: AtomicU64,
    keys: RandomState,
}

impl Ids {
    pub(super) fn new() -> Self {
        // Any 32 random bits tell instances apart.
        let instance = u32::try_from(RandomState::new().hash_one(std::process::id()) >> 32)
            .unwrap_or_default();
        Self {
            instance,
            next_sequence: AtomicU64::new(1),
            keys: RandomState::new(),
        }
    }

    /// This instance's id: the first part of its connection ids.
    pub(super) fn instance(&self) -> u32 {
        self.instance
    }

    /// A new id: a keyed hash of the next sequence number.
    pub(super) fn next(&self) -> ConnectionId {
        let sequence = self.next_sequence.fetch_add(1, Ordering::Relaxed);
        ConnectionId {
            instance: self.instance,
            key: self.keys.hash_one(sequence),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
