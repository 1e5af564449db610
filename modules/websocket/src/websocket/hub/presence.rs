//! Presence: who is in a room (the `presence` request) and, with
//! `WS_PRESENCE_EVENTS`, `member_joined` / `member_left` to the other members
//! when someone joins or leaves. The hub keeps each connection's `user`; a
//! broker that links instances also lists their members and carries the events.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::ws::Utf8Bytes;
use serde::Serialize;
use serde_json::value::RawValue;

use super::{ConnectionId, Hub, not_member};
use crate::websocket::outbox::Outbox;
use crate::websocket::protocol::{Rejection, validate_room_name};

/// The most members a `presence` answer lists; `count` still counts them all.
pub const MAX_LISTED_MEMBERS: usize = 1000;

/// A member of a room, on this instance or another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The member's connection id.
    pub connection_id: String,
    /// Its identity (the JWT `sub`, a named static token's name), if any.
    pub user: Option<Arc<str>>,
}

/// The `presence` answer.
#[derive(Serialize)]
struct PresenceFrame<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    room: &'a str,
    count: usize,
    members: Vec<Listed<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a RawValue>,
}

#[derive(Serialize)]
struct Listed<'a> {
    connection_id: &'a str,
    user: Option<&'a str>,
}

/// `member_joined` or `member_left`.
#[derive(Serialize)]
struct MemberEvent<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    room: &'a str,
    connection_id: &'a str,
    user: Option<&'a str>,
}

fn json_len(value: &impl Serialize) -> usize {
    serde_json::to_string(value).map_or(usize::MAX, |text| text.len())
}

/// The `member_joined` frame for connection `connection_id`, which a broker
/// announces again (the other instances had forgotten its instance).
pub fn member_joined_frame(room: &str, connection_id: &str, user: Option<&str>) -> Utf8Bytes {
    member_event("member_joined", room, connection_id, user)
}

/// The `member_left` frame for connection `connection_id` of another
/// instance, which a broker found gone (its instance died).
pub fn member_left_frame(room: &str, connection_id: &str, user: Option<&str>) -> Utf8Bytes {
    member_event("member_left", room, connection_id, user)
}

fn member_event(
    kind: &'static str,
    room: &str,
    connection_id: &str,
    user: Option<&str>,
) -> Utf8Bytes {
    let event = MemberEvent {
        kind,
        room,
        connection_id,
        user,
    };
    Utf8Bytes::from(serde_json::to_string(&event).unwrap_or_default())
}

impl Hub {
    /// Answers connection `id`'s `presence` request for `room` (echoing
    /// `request_id`): every member on every instance the broker knows of,
    /// sorted by connection id, at most [`MAX_LISTED_MEMBERS`] of them listed,
    /// and only as many as fit in `WS_MAX_MESSAGE_BYTES` (`count` counts all).
    /// `not_member` unless `id` is a member itself.
    pub async fn presence(
        &self,
        id: ConnectionId,
        room: &str,
        request_id: Option<&RawValue>,
    ) -> Result<String, Rejection> {
        validate_room_name(room)?;
        let mut members = self.local_members(id, room)?;
        if let Some(remote) = self.broker.remote_members(room).await {
            let own_instance = format!("{:08x}-", self.instance());
            members.extend(
                remote
                    .into_iter()
                    .filter(|member| !member.connection_id.starts_with(&own_instance)),
            );
        }
        let count = members.len();
        if count > MAX_LISTED_MEMBERS {
            members.select_nth_unstable_by(MAX_LISTED_MEMBERS, |a, b| {
                a.connection_id.cmp(&b.connection_id)
            });
            members.truncate(MAX_LISTED_MEMBERS);
        }
        members.sort_unstable_by(|a, b| a.connection_id.cmp(&b.connection_id));
        let mut frame = PresenceFrame {
            kind: "presence",
            room,
            count,
            members: Vec::with_capacity(members.len()),
            id: request_id,
        };
        // The server never sends a frame over the limit it enforces.
        let max = self.settings.max_message_bytes;
        let mut size = json_len(&frame);
        for member in &members {
            let listed = Listed {
                connection_id: &member.connection_id,
                user: member.user.as_deref(),
            };
            // With the comma before it.
            size = size.saturating_add(json_len(&listed).saturating_add(1));
            if size > max {
                break;
            }
            frame.members.push(listed);
        }
        Ok(serde_json::to_string(&frame).unwrap_or_default())
    }

    /// Every connection of this instance in a room, with its room: what a
    /// broker writes again after it lost its store (e.g. Redis restarted).
    pub fn local_memberships(&self) -> Vec<(Arc<str>, ConnectionId, Option<Arc<str>>)> {
        let registry = self.read();
        let mut memberships = Vec::new();
        for (room, members) in &registry.rooms {
            for id in members.keys() {
                let user = registry
                    .connections
                    .get(id)
                    .and_then(|entry| entry.user.clone());
                memberships.push((Arc::clone(room), *id, user));
            }
        }
        memberships
    }

    /// This instance's members of `room`, which `id` must be one of.
    fn local_members(&self, id: ConnectionId, room: &str) -> Result<Vec<Member>, Rejection> {
        let registry = self.read();
        let members = registry
            .rooms
            .get(room)
            .filter(|members| members.contains_key(&id))
            .ok_or_else(|| not_member(room))?;
        Ok(members
            .keys()
            .map(|member| Member {
                connection_id: member.to_string(),
                user: registry
                    .connections
                    .get(member)
                    .and_then(|entry| entry.user.clone()),
            })
            .collect())
    }

    /// `id` joined `room`, whose members (`id` included) are `members`: tells
    /// the broker and, with presence events on, the other members.
    #[inline]
    pub(super) fn member_joined(
        &self,
        members: &HashMap<ConnectionId, Arc<Outbox>>,
        room: &str,
        id: ConnectionId,
        user: Option<&str>,
    ) {
        if !self.tracks_presence {
            return;
        }
        let event = self.presence_event("member_joined", members, room, id, user);
        self.broker.member_joined(room, id, user, event.as_ref());
    }

    /// `id` left `room`, whose remaining members are `members`.
    #[inline]
    pub(super) fn member_left(
        &self,
        members: &HashMap<ConnectionId, Arc<Outbox>>,
        room: &str,
        id: ConnectionId,
        user: Option<&str>,
    ) {
        if !self.tracks_presence {
            return;
        }
        let event = self.presence_event("member_left", members, room, id, user);
        self.broker.member_left(room, id, event.as_ref());
    }

    /// With presence events on, queues the `kind` event about `id` to every
    /// other member of `room` here, and answers it for the other instances.
    fn presence_event(
        &self,
        kind: &'static str,
        members: &HashMap<ConnectionId, Arc<Outbox>>,
        room: &str,
        id: ConnectionId,
        user: Option<&str>,
    ) -> Option<Utf8Bytes> {
        if !self.settings.presence.events {
            return None;
        }
        let frame = member_event(kind, room, &id.to_string(), user);
        if frame.len() > self.settings.max_message_bytes {
            // Only a user name of kilobytes gets here: a frame over the limit
            // the server enforces is not sent.
            return None;
        }
        let others = members
            .iter()
            .filter(|(member, _)| **member != id)
            .map(|(_, outbox)| outbox);
        self.deliver(others, &frame);
        Some(frame)
    }
}
