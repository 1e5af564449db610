//! The history settings: how many messages of each room are kept for
//! recovery after a reconnect, and for how long.

use std::time::Duration;

use super::{Reader, SettingsError};

/// The longest `WS_HISTORY_TTL_S`: 30 days.
const MAX_TTL_SECONDS: u64 = 30 * 24 * 3600;

/// How rooms keep their recent messages (docs/websocket.md, "History and recovery").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistorySettings {
    /// `WS_HISTORY_SIZE` (default 0: off): the last messages of each room kept
    /// for a `join` with `since`. Off, messages carry no `offset` and `joined`
    /// no `epoch`.
    pub size: usize,
    /// `WS_HISTORY_TTL_S` (default 300): a message leaves history this long
    /// after it was published.
    pub ttl: Duration,
    /// `WS_HISTORY_MAX_BYTES` (default 67108864): the most bytes the history of
    /// all rooms takes in one instance (memory broker); over it, the oldest
    /// messages of any room go first. With Redis, history lives in Redis.
    pub max_bytes: usize,
}

impl HistorySettings {
    /// Whether rooms keep a history (`WS_HISTORY_SIZE` > 0).
    pub fn is_on(&self) -> bool {
        self.size > 0
    }

    pub(super) fn read(read: &Reader<'_>) -> Self {
        Self {
            size: read.number("WS_HISTORY_SIZE", 0),
            ttl: Duration::from_secs(read.number("WS_HISTORY_TTL_S", 300)),
            max_bytes: read.number("WS_HISTORY_MAX_BYTES", 64 * 1024 * 1024),
        }
    }

    /// Checks the settings against each other and against the send queue,
    /// which must hold a whole recovery.
    pub(super) fn validate(
        &self,
        send_queue_capacity: usize,
        max_message_bytes: usize,
    ) -> Result<(), SettingsError> {
        let problem = |variable, problem: String| Err(SettingsError { variable, problem });
        let ttl = self.ttl.as_secs();
        if ttl == 0 || ttl > MAX_TTL_SECONDS {
            return problem(
                "WS_HISTORY_TTL_S",
                format!("must be between 1 and {MAX_TTL_SECONDS} seconds, got {ttl}"),
            );
        }
        if !self.is_on() {
            return Ok(());
        }
        // A full replay, its `joined` and one live message must fit in the queue.
        let most = send_queue_capacity.saturating_sub(2);
        if self.size > most {
            return problem(
                "WS_HISTORY_SIZE",
                format!(
                    "must be at most {most} (WS_SEND_QUEUE_CAPACITY less 2) so that a \
                     recovery fits in a connection's send queue, got {}",
                    self.size
                ),
            );
        }
        if self.max_bytes < max_message_bytes {
            return problem(
                "WS_HISTORY_MAX_BYTES",
                format!(
                    "must be at least WS_MAX_MESSAGE_BYTES ({max_message_bytes}), got {}",
                    self.max_bytes
                ),
            );
        }
        Ok(())
    }
}
