//! What the hub hands to one connection: a queue of frames for its writer,
//! bounded in frames and in bytes, and a signal to close. Lighter than a tokio channel, which
//! allocates 32 slots up front: an idle connection's queue holds no buffer.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, PoisonError};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::protocol::CloseReason;

/// Slots a drained queue keeps; a burst's larger buffer is given back.
const IDLE_SLOTS: usize = 4;

/// The queue was full: the frame was not queued, the queue was emptied and
/// the connection asked to close as a slow consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

/// One connection's bounded send queue and close signal.
#[derive(Debug)]
pub struct Outbox {
    frames: Mutex<Queue>,
    capacity: usize,
    max_bytes: usize,
    queued: Notify,
    close: CancellationToken,
    close_reason: AtomicU8,
}

#[derive(Debug, Default)]
struct Queue {
    frames: VecDeque<Utf8Bytes>,
    bytes: usize,
    /// Set on overflow: nothing is queued any more.
    overflowed: bool,
}

impl Outbox {
    /// An empty outbox of at most `capacity` frames and `max_bytes` bytes;
    /// cancelling `shutdown` asks it to close.
    pub fn new(capacity: usize, max_bytes: usize, shutdown: &CancellationToken) -> Self {
        Self {
            frames: Mutex::new(Queue::default()),
            capacity,
            max_bytes,
            queued: Notify::new(),
            close: shutdown.child_token(),
            close_reason: AtomicU8::new(0),
        }
    }

    /// Queues `frame` without waiting. Over `capacity` frames or `max_bytes`
    /// bytes, the queue is emptied at once, the connection asked to close
    /// with 1013, and this and every later frame refused with `Err(Full)`.
    pub fn push(&self, frame: Utf8Bytes) -> Result<(), Full> {
        let mut queue = self.lock();
        if queue.overflowed {
            return Err(Full);
        }
        if queue.frames.len() >= self.capacity || queue.bytes + frame.len() > self.max_bytes {
            // Freed now, not when the writer gets to it: a peer that stopped
            // reading must not keep the memory while its close is sent.
            *queue = Queue {
                overflowed: true,
                ..Queue::default()
            };
            drop(queue);
            self.close(CloseReason::SlowConsumer);
            return Err(Full);
        }
        queue.bytes += frame.len();
        queue.frames.push_back(frame);
        drop(queue);
        self.queued.notify_one();
        Ok(())
    }

    /// The oldest queued frame.
    pub fn pop(&self) -> Option<Utf8Bytes> {
        let mut queue = self.lock();
        let frame = queue.frames.pop_front();
        if let Some(frame) = &frame {
            queue.bytes -= frame.len();
        }
        if queue.frames.is_empty() && queue.frames.capacity() > IDLE_SLOTS {
            queue.frames.shrink_to(IDLE_SLOTS);
        }
        frame
    }

    /// Bytes queued.
    pub fn queued_bytes(&self) -> usize {
        self.lock().bytes
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.frames.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Completes when a frame may be waiting (check with [`Outbox::pop`]).
    pub async fn queued(&self) {
        let is_empty = self.lock().frames.is_empty();
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
    fn a_drained_outbox_gives_back_its_buffer() {
        let outbox = Outbox::new(64, 1 << 20, &CancellationToken::new());
        for _ in 0..64 {
            assert_eq!(outbox.push(Utf8Bytes::from("x")), Ok(()));
        }
        while outbox.pop().is_some() {}
        assert!(outbox.lock().frames.capacity() <= IDLE_SLOTS);
    }

    #[test]
    fn overflowing_frames_or_bytes_frees_the_queue_and_closes_as_a_slow_consumer() {
        let outbox = Outbox::new(8, 1 << 20, &CancellationToken::new());
        for _ in 0..8 {
            assert_eq!(outbox.push(Utf8Bytes::from("x")), Ok(()));
        }
        assert_eq!(outbox.push(Utf8Bytes::from("x")), Err(Full));
        assert_eq!(outbox.pop(), None, "the queue was freed at once");
        assert_eq!(
            outbox.push(Utf8Bytes::from("x")),
            Err(Full),
            "and stays closed"
        );
        assert_eq!(outbox.close_reason(), CloseReason::SlowConsumer);

        let outbox = Outbox::new(100, 10, &CancellationToken::new());
        assert_eq!(outbox.push(Utf8Bytes::from("12345")), Ok(()));
        assert_eq!(outbox.push(Utf8Bytes::from("12345")), Ok(()));
        assert_eq!(outbox.queued_bytes(), 10);
        assert_eq!(outbox.push(Utf8Bytes::from("1")), Err(Full));
        assert_eq!(outbox.queued_bytes(), 0);
        assert_eq!(outbox.close_reason(), CloseReason::SlowConsumer);
    }

    #[test]
    fn the_first_close_reason_wins_and_shutdown_is_the_default() {
        let shutdown = CancellationToken::new();
        let outbox = Outbox::new(1, 1024, &shutdown);
        shutdown.cancel();
        assert_eq!(outbox.close_reason(), CloseReason::Shutdown);
        outbox.close(CloseReason::SlowConsumer);
        outbox.close(CloseReason::RateLimited);
        assert_eq!(outbox.close_reason(), CloseReason::SlowConsumer);
    }
}
