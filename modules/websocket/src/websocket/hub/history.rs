//! Room history (`WS_HISTORY_SIZE` > 0): every room message is numbered with
//! its room's next offset and, with the memory broker, kept here, bounded by
//! `WS_HISTORY_SIZE` per room, `WS_HISTORY_TTL_S` and `WS_HISTORY_MAX_BYTES`
//! for all rooms; a `join` with `since` replays what the client missed.
//!
//! With a broker that keeps history itself (Redis), the fabric numbers and
//! keeps messages and delivers them back to every instance, this one
//! included, in offset order; here only the last offset delivered to each room
//! is kept, with the members whose replay is still being fetched
//! (`history/fabric.rs`).
//!
//! Lock order: the registry first, then the history.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use axum::extract::ws::Utf8Bytes;

use super::{ConnectionId, Hub, Outbox, Registry, not_member};
use crate::websocket::protocol::{Rejection, Since, with_offset};
use crate::websocket::settings::HistorySettings;

mod fabric;

use fabric::Recovering;

/// The most bytes `"offset":N` adds to a room message.
const OFFSET_BYTES: usize = r#","offset":"#.len() + 20;

/// What one entry of the eviction queue is counted as, beside its frame: the
/// entry, the kept message and a share of its room.
const ENTRY_BYTES: usize = 160;

/// The answer to a `join`: what `joined` carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Joined {
    /// Members of the room on this instance.
    pub members: usize,
    /// The room's epoch (history on).
    pub epoch: Option<Arc<str>>,
    /// The room's last offset (history on).
    pub offset: Option<u64>,
    /// Whether what followed `since` was replayed (only for a `join` with `since`).
    pub recovered: Option<bool>,
}

/// How much the history of this instance holds (memory broker).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HistoryUsage {
    /// Rooms with an epoch and offset kept.
    pub rooms: usize,
    /// Messages kept.
    pub messages: usize,
    /// Bytes counted against `WS_HISTORY_MAX_BYTES`: frames and a fixed cost per entry.
    pub bytes: usize,
}

/// The history of this instance's rooms.
#[derive(Debug)]
pub(super) struct History {
    settings: HistorySettings,
    logs: Mutex<Logs>,
    /// Tells epochs of this process apart; the instance id tells processes apart.
    epochs: AtomicU64,
}

#[derive(Debug, Default)]
struct Logs {
    rooms: HashMap<Arc<str>, RoomLog>,
    /// Kept messages (and rooms left by their last member: offset 0) in the
    /// order they came: what TTL and `WS_HISTORY_MAX_BYTES` evict first.
    order: VecDeque<(Arc<str>, u64, Instant)>,
    bytes: usize,
    messages: usize,
}

#[derive(Debug)]
struct RoomLog {
    epoch: Arc<str>,
    /// The last offset published (memory) or delivered here (fabric).
    last: u64,
    /// The last messages, oldest first (memory broker only).
    kept: VecDeque<(u64, Instant, Utf8Bytes)>,
    /// When the room last had a message or lost its last member.
    idle_since: Instant,
    /// Members joining with history from the fabric (Redis).
    recovering: Vec<Recovering>,
}

impl Logs {
    /// Marks `room`'s log active at `now` and answers the room's shared name,
    /// or `None` when the room has no log.
    fn touch(&mut self, room: &str, now: Instant) -> Option<Arc<str>> {
        let name = Arc::clone(self.rooms.get_key_value(room)?.0);
        self.rooms.get_mut(room)?.idle_since = now;
        Some(name)
    }
}

impl History {
    pub(super) fn new(settings: &HistorySettings) -> Option<Self> {
        settings.is_on().then(|| Self {
            settings: settings.clone(),
            logs: Mutex::default(),
            epochs: AtomicU64::new(0),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Logs> {
        self.logs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The log of `room`, created with a new epoch when there is none.
    fn log<'a>(&self, logs: &'a mut Logs, room: &str, instance: u32) -> &'a mut RoomLog {
        if !logs.rooms.contains_key(room) {
            let sequence = self.epochs.fetch_add(1, Ordering::Relaxed);
            let log = RoomLog {
                epoch: Arc::from(format!("{instance:08x}{sequence:x}")),
                last: 0,
                kept: VecDeque::new(),
                idle_since: Instant::now(),
                recovering: Vec::new(),
            };
            logs.rooms.insert(Arc::from(room), log);
        }
        logs.rooms.get_mut(room).expect("inserted above")
    }

    /// Keeps `frame`, numbered `offset`, as `room`'s latest message, then
    /// evicts what is over the room's size, the TTL or the byte bound.
    fn keep(
        &self,
        logs: &mut Logs,
        registry: &Registry,
        room: &str,
        offset: u64,
        frame: Utf8Bytes,
    ) {
        let now = Instant::now();
        let Some(name) = logs.touch(room, now) else {
            return;
        };
        let log = logs.rooms.get_mut(room).expect("touched above");
        let (mut freed, mut dropped) = (0, 0);
        let added = frame.len() + ENTRY_BYTES;
        log.kept.push_back((offset, now, frame));
        while log.kept.len() > self.settings.size {
            if let Some((_, _, frame)) = log.kept.pop_front() {
                freed += frame.len();
                dropped += 1;
            }
        }
        logs.order.push_back((name, offset, now));
        logs.bytes = logs.bytes + added - freed;
        logs.messages = logs.messages + 1 - dropped;
        self.evict(logs, registry, now);
    }

    /// Pops the oldest entries while they are expired or over the byte bound;
    /// a room with no member and nothing kept goes with its last entry.
    fn evict(&self, logs: &mut Logs, registry: &Registry, now: Instant) {
        let ttl = self.settings.ttl;
        loop {
            let over = logs.bytes > self.settings.max_bytes;
            let Some((room, offset, at)) = logs.order.front() else {
                return;
            };
            let expired = now.duration_since(*at) >= ttl;
            if !over && !expired {
                return;
            }
            let (room, offset) = (Arc::clone(room), *offset);
            logs.order.pop_front();
            logs.bytes -= ENTRY_BYTES;
            let Some(log) = logs.rooms.get_mut(&room) else {
                continue;
            };
            let oldest = log
                .kept
                .front()
                .map(|(kept, _, frame)| (*kept, frame.len()));
            if let Some((_, bytes)) = oldest.filter(|(kept, _)| offset > 0 && *kept == offset) {
                log.kept.pop_front();
                logs.bytes -= bytes;
                logs.messages -= 1;
            }
            let idle = log.kept.is_empty() && !registry.rooms.contains_key(&room);
            if idle && (over || now.duration_since(log.idle_since) >= ttl) {
                logs.rooms.remove(&room);
            }
        }
    }

    /// The epoch and last offset of `room`, and whether the messages after
    /// `since` are all kept and `fit` (their count and bytes; then they are
    /// handed to `replay`, in order). A `member` already got every message live.
    fn recover(
        &self,
        logs: &mut Logs,
        room: &str,
        instance: u32,
        since: Option<&Since>,
        (member, fit): (bool, impl Fn(usize, usize) -> bool),
        replay: impl FnMut(&Utf8Bytes),
    ) -> Joined {
        let ttl = self.settings.ttl;
        let now = Instant::now();
        let log = self.log(logs, room, instance);
        let recovered = since.map(|since| {
            let current = *log.epoch == since.epoch && since.offset <= log.last;
            if member || !current {
                return current;
            }
            let missed = log
                .kept
                .iter()
                .filter(|(offset, at, _)| *offset > since.offset && now.duration_since(*at) < ttl);
            let bytes: usize = missed.clone().map(|(_, _, frame)| frame.len()).sum();
            let count = missed.clone().count();
            let reachable =
                fit(count, bytes) && u64::try_from(count).ok() == Some(log.last - since.offset);
            if reachable {
                missed.map(|(_, _, frame)| frame).for_each(replay);
            }
            reachable
        });
        Joined {
            members: 0,
            epoch: Some(Arc::clone(&log.epoch)),
            offset: Some(log.last),
            recovered,
        }
    }
}

impl Hub {
    /// Joins `room` and answers what `joined` carries: with history on, the
    /// room's epoch and last offset, after queueing the messages missed since
    /// `since` when they are all still kept.
    pub async fn join_room(
        &self,
        id: ConnectionId,
        room: &str,
        since: Option<&Since>,
    ) -> Result<Joined, Rejection> {
        let Some(history) = &self.history else {
            let members = self.join(id, room)?;
            self.broker.room_ready(room).await;
            return Ok(Joined {
                members,
                epoch: None,
                offset: None,
                recovered: since.map(|_| false),
            });
        };
        if self.broker.keeps_history() {
            return self.join_fabric_room(history, id, room, since).await;
        }
        let mut registry = self.write();
        let mut logs = history.lock();
        // A room idle for the TTL is forgotten before anyone joins it again.
        history.evict(&mut logs, &registry, Instant::now());
        let member = is_member(&registry, room, id);
        let members = self.join_locked(&mut registry, id, room)?;
        let outbox = registry
            .connections
            .get(&id)
            .map(|entry| Arc::clone(&entry.outbox));
        let instance = self.instance();
        let fit = |frames, bytes| {
            outbox
                .as_ref()
                .is_some_and(|outbox| replay_fits(self, outbox, frames, bytes))
        };
        let limits = (member, fit);
        let joined = history.recover(&mut logs, room, instance, since, limits, |frame| {
            if let Some(outbox) = &outbox {
                self.reply(outbox, frame.clone());
            }
        });
        Ok(Joined { members, ..joined })
    }

    /// A room message with history on: numbered, kept and delivered to the
    /// members but `sender` under one lock (memory broker), or handed to the
    /// broker, which numbers it and delivers it here too. Answers how many
    /// members here it was (or will be) queued to.
    pub(super) fn publish_numbered(
        &self,
        history: &History,
        sender: Option<ConnectionId>,
        room: &str,
        frame: &Utf8Bytes,
    ) -> Result<usize, Rejection> {
        let registry = self.read();
        let members = registry.rooms.get(room);
        let is_member = |id| members.is_some_and(|members| members.contains_key(&id));
        if sender.is_some_and(|sender| !is_member(sender)) {
            return Err(not_member(room));
        }
        let recipients = members
            .into_iter()
            .flatten()
            .filter(|(id, _)| Some(**id) != sender);
        if self.broker.keeps_history() {
            let count = recipients.count();
            drop(registry);
            // Not handed to the fabric, it reaches no one, here included.
            let published = self.broker.publish_sequenced(room, frame, sender);
            return Ok(if published { count } else { 0 });
        }
        let mut logs = history.lock();
        let log = history.log(&mut logs, room, self.instance());
        log.last += 1;
        let offset = log.last;
        let numbered = Utf8Bytes::from(with_offset(frame, offset));
        let delivered = self.deliver(recipients.map(|(_, outbox)| outbox), &numbered);
        history.keep(&mut logs, &registry, room, offset, numbered.clone());
        drop((logs, registry));
        // A broker that keeps no history still carries the message on.
        self.broker.publish_room(room, &numbered, sender);
        Ok(delivered)
    }

    /// The largest delivery frame, before its offset, that stays within
    /// `WS_MAX_MESSAGE_BYTES` once numbered (a room message with history on).
    pub fn delivery_limit(&self, to_room: bool) -> usize {
        let max = self.settings.max_message_bytes;
        if to_room && self.history.is_some() {
            max.saturating_sub(OFFSET_BYTES)
        } else {
            max
        }
    }

    /// The history this instance holds.
    pub fn history_usage(&self) -> HistoryUsage {
        self.history
            .as_ref()
            .map_or_else(HistoryUsage::default, |history| {
                let logs = history.lock();
                HistoryUsage {
                    rooms: logs.rooms.len(),
                    messages: logs.messages,
                    bytes: logs.bytes,
                }
            })
    }

    /// `room` lost its last member here: its history stays for the TTL
    /// (memory broker), or goes at once (the fabric keeps it).
    pub(super) fn history_room_closed(&self, registry: &Registry, room: &str) {
        let Some(history) = &self.history else { return };
        let mut logs = history.lock();
        if self.broker.keeps_history() {
            logs.rooms.remove(room);
            return;
        }
        let now = Instant::now();
        let Some(name) = logs.touch(room, now) else {
            return;
        };
        logs.order.push_back((name, 0, now));
        logs.bytes += ENTRY_BYTES;
        history.evict(&mut logs, registry, now);
    }
}

fn is_member(registry: &Registry, room: &str, id: ConnectionId) -> bool {
    registry
        .rooms
        .get(room)
        .is_some_and(|members| members.contains_key(&id))
}

/// Whether `frames` of `bytes` fit in `outbox` now with room to spare for
/// `joined` and one more message, so a recovery, or several at once, never
/// closes its connection as a slow consumer.
fn replay_fits(hub: &Hub, outbox: &Outbox, frames: usize, bytes: usize) -> bool {
    let (free_frames, free_bytes) = outbox.room_left();
    frames + 2 <= free_frames && bytes + hub.settings.max_message_bytes <= free_bytes
}
