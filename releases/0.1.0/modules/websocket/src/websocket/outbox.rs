//! What the hub hands to one connection: a bounded queue of frames for its
//! writer and a signal to close. Lighter than a tokio channel, which
//! allocates 32 slots up front: an idle connection's queue holds no buffer.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, PoisonError};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::hub::CloseReason;

/// Slots a drained queue keeps; a burst's larger buffer is given back.
const IDLE_SLOTS: usize = 4;

/// The queue was full: the frame was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

/// One connection's bounded send queue and close signal.
#[derive(Debug)]
pub struct Outbox {
    frames: Mutex<VecDeque<Utf8Bytes>>,
    capacity: usize,
    queued: Notify,
    close: CancellationToken,
    close_reason: AtomicU8,
}

impl Outbox {
    /// An empty outbox of `capacity` frames; cancelling `shutdown` asks it to close.
    pub fn new(capacity: usize, shutdown: &CancellationToken) -> Self {
        Self {
            frames: Mutex::new(VecDeque::new()),
            capacity,
            queued: Notify::new(),
            close: shutdown.child_token(),
            close_reason: AtomicU8::new(0),
        }
    }

    /// Queues `frame` without waiting; `Err(Full)` when `capacity` frames wait.
    pub fn push(&self, frame: Utf8Bytes) -> Result<(), Full> {
        let mut frames = self.frames.lock().unwrap_or_else(PoisonError::into_inner);
        if frames.len() >= self.capacity {
            return Err(Full);
        }
        frames.push_back(frame);
        drop(frames);
        self.queued.notify_one();
        Ok(())
    }

    /// The oldest queued frame.
    pub fn pop(&self) -> Option<Utf8Bytes> {
        let mut frames = self.frames.lock().unwrap_or_else(PoisonError::into_inner);
        let frame = frames.pop_front();
        if frames.is_empty() && frames.capacity() > IDLE_SLOTS {
            frames.shrink_to(IDLE_SLOTS);
        }
        frame
    }

    /// Completes when a frame may be waiting (check with [`Outbox::pop`]).
    pub async fn queued(&self) {
        let is_empty = self
            .frames
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty();
        if is_empty {
            // A push after the check leaves a permit, so no frame is missed.
            self.queued.notified().await;
        }
    }

    /// Asks the connection to close with `reason`; the first reason given wins.
    pub fn close(&self, reason: CloseReason) {
        let _ = self.close_reason.compare_exchange(
            0,
            reason as u8,
            Ordering::AcqRel,
            Ordering::Acquire,
        );
        self.close.cancel();
    }

    /// Completes once the connection was asked to close, with the reason.
    pub async fn close_requested(&self) -> CloseReason {
        self.close.cancelled().await;
        self.close_reason()
    }

    /// The reason given, [`CloseReason::Shutdown`] when the server is stopping.
    pub fn close_reason(&self) -> CloseReason {
        CloseReason::from_u8(self.close_reason.load(Ordering::Acquire))
            .unwrap_or(CloseReason::Shutdown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_outbox_refuses_and_a_drained_one_gives_back_its_buffer() {
        let outbox = Outbox::new(8, &CancellationToken::new());
        for _ in 0..8 {
            assert_eq!(outbox.push(Utf8Bytes::from("x")), Ok(()));
        }
        assert_eq!(outbox.push(Utf8Bytes::from("x")), Err(Full));
        while outbox.pop().is_some() {}
        assert!(outbox.frames.lock().unwrap().capacity() <= IDLE_SLOTS);
    }

    #[test]
    fn the_first_close_reason_wins_and_shutdown_is_the_default() {
        let shutdown = CancellationToken::new();
        let outbox = Outbox::new(1, &shutdown);
        shutdown.cancel();
        assert_eq!(outbox.close_reason(), CloseReason::Shutdown);
        outbox.close(CloseReason::SlowConsumer);
        outbox.close(CloseReason::RateLimited);
        assert_eq!(outbox.close_reason(), CloseReason::SlowConsumer);
    }
}
