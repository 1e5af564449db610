//! Room history with a broker that keeps it (Redis): the fabric numbers the
//! messages and delivers them back to every instance in offset order; this
//! instance holds live messages back from a member whose replay is being
//! fetched, then queues the replay, what was held, and lets live ones through.

use std::sync::Arc;

use axum::extract::ws::Utf8Bytes;

use super::{History, Joined, is_member, replay_fits};
use crate::websocket::hub::{ConnectionId, Hub};
use crate::websocket::protocol::{Rejection, Since};

/// A member whose replay is being fetched from the fabric.
#[derive(Debug)]
pub(super) struct Recovering {
    id: ConnectionId,
    /// Live messages up to this offset are covered by its replay (`u64::MAX`:
    /// the replay is not in yet, so live messages are held instead).
    until: u64,
    /// The live messages held meanwhile; `None` once more than the history size came.
    held: Option<Vec<(u64, Utf8Bytes)>>,
}

impl Hub {
    /// Delivers `frame`, numbered `offset` by the fabric, to this instance's
    /// members of `room` but `sender` and those whose replay covers it.
    /// Answers how many members it was queued to.
    pub fn relay_numbered(
        &self,
        room: &str,
        offset: u64,
        frame: &Utf8Bytes,
        sender: Option<ConnectionId>,
    ) -> usize {
        let Some(history) = &self.history else {
            return self.relay_to_room(room, frame);
        };
        let registry = self.read();
        let Some(members) = registry.rooms.get(room) else {
            return 0;
        };
        let mut logs = history.lock();
        let log = history.log(&mut logs, room, self.instance());
        log.last = offset;
        if log.recovering.is_empty() {
            let recipients = members.iter().filter(|(id, _)| Some(**id) != sender);
            return self.deliver(recipients.map(|(_, outbox)| outbox), frame);
        }
        for member in log
            .recovering
            .iter_mut()
            .filter(|member| member.until == u64::MAX)
        {
            let full =
                (member.held.as_ref()).is_some_and(|held| held.len() >= history.settings.size);
            if full {
                member.held = None;
            } else if let Some(held) = &mut member.held {
                held.push((offset, frame.clone()));
            }
        }
        let recovering = &log.recovering;
        let covered = |id: &ConnectionId| {
            recovering
                .iter()
                .any(|member| member.id == *id && member.until >= offset)
        };
        let delivered = self.deliver(
            members
                .iter()
                .filter(|(id, _)| Some(**id) != sender && !covered(id))
                .map(|(_, outbox)| outbox),
            frame,
        );
        log.recovering.retain(|member| member.until > offset);
        delivered
    }

    /// Joins `room` of a fabric that keeps history: live messages are held
    /// back from the new member until its replay, fetched from the fabric
    /// once this instance is subscribed, is queued.
    pub(super) async fn join_fabric_room(
        &self,
        history: &History,
        id: ConnectionId,
        room: &str,
        since: Option<&Since>,
    ) -> Result<Joined, Rejection> {
        let (members, already) = {
            let mut registry = self.write();
            let already = is_member(&registry, room, id);
            let members = self.join_locked(&mut registry, id, room)?;
            if !already {
                let mut logs = history.lock();
                let log = history.log(&mut logs, room, self.instance());
                log.recovering.push(Recovering {
                    id,
                    until: u64::MAX,
                    held: Some(Vec::new()),
                });
            }
            (members, already)
        };
        self.broker.room_ready(room).await;
        // A member receives every message already: nothing to replay.
        let after = since.filter(|_| !already).map(|since| since.offset);
        let fetched = self.broker.room_history(room, after).await;
        let registry = self.write();
        let outbox = registry
            .connections
            .get(&id)
            .map(|entry| Arc::clone(&entry.outbox));
        let mut logs = history.lock();
        let log = history.log(&mut logs, room, self.instance());
        let delivered = log.last;
        let held = log
            .recovering
            .iter()
            .position(|member| member.id == id)
            .and_then(|position| log.recovering.swap_remove(position).held);
        let (epoch, last, missed) = match fetched {
            Some(fetched) => (Arc::from(fetched.epoch), fetched.last, fetched.missed),
            None => (Arc::clone(&log.epoch), delivered, None),
        };
        log.epoch = Arc::clone(&epoch);
        // What came here after the fetch was held for this member: it follows the replay.
        let later = held
            .map(|held| held.into_iter().filter(|(offset, _)| *offset > last))
            .map(|later| later.map(|(_, frame)| frame).collect::<Vec<_>>())
            .filter(|later| {
                u64::try_from(later.len()).ok() == Some(delivered.saturating_sub(last))
            });
        let replay = missed
            .zip(later)
            .map(|(missed, later)| missed.into_iter().chain(later).collect::<Vec<_>>())
            .filter(|replay| {
                let bytes = replay.iter().map(|frame| frame.len()).sum();
                let fits = |outbox| replay_fits(self, outbox, replay.len(), bytes);
                outbox.as_deref().is_some_and(fits)
            });
        let recovered = since.map(|since| {
            let current = *epoch == since.epoch && since.offset <= last;
            // A member got every message live.
            current && (already || replay.is_some())
        });
        if let (Some(true), Some(replay), Some(outbox)) = (recovered, replay, &outbox) {
            for frame in replay {
                self.reply(outbox, frame);
            }
        }
        // Messages up to `last` still on their way here were in the replay.
        if !already && last > delivered {
            log.recovering.push(Recovering {
                id,
                until: last,
                held: None,
            });
        }
        let last = last.max(delivered);
        Ok(Joined {
            members,
            epoch: Some(epoch),
            offset: Some(last),
            recovered,
        })
    }
}
