//! The server API beside the socket: `GET /rooms` lists rooms a page at a
//! time, `POST /rooms/{room}/broadcast` delivers a JSON body to a room's
//! members. Both take only a `WS_ADMIN_TOKENS` token (see `auth::Admin`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::ws::Utf8Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::WsState;
use super::auth::Admin;
use super::protocol::{self, ServerFrame};

/// Rooms on one page when `limit` is not given.
const DEFAULT_PAGE: usize = 100;
/// The most rooms one page lists.
const MAX_PAGE: usize = 1000;

/// `?limit=N&after=ROOM`: up to N rooms whose names sort after ROOM.
#[derive(Debug, Deserialize)]
pub(super) struct Page {
    limit: Option<usize>,
    after: Option<String>,
}

/// `GET /rooms`: `{"rooms":[{"room":R,"members":N}, ...],"next":R|null}`,
/// sorted by name; `next` is the `after` of the following page.
pub(super) async fn list_rooms(
    State(state): State<WsState>,
    _admin: Admin,
    Query(page): Query<Page>,
) -> Json<serde_json::Value> {
    let limit = page.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let after = page.after.unwrap_or_default();
    let mut rooms: Vec<_> = state
        .hub
        .rooms()
        .into_iter()
        .filter(|(room, _)| *room > after)
        .take(limit + 1)
        .collect();
    let next = (rooms.len() > limit).then(|| {
        rooms.truncate(limit);
        rooms.last().map(|(room, _)| room.clone())
    });
    let rooms: Vec<_> = rooms
        .into_iter()
        .map(|(room, members)| serde_json::json!({ "room": room, "members": members }))
        .collect();
    Json(serde_json::json!({ "rooms": rooms, "next": next.flatten() }))
}

/// `POST /rooms/{room}/broadcast`: delivers the JSON body to every member;
/// answers `{"delivered":N}`. Only `Content-Type: application/json` (415
/// otherwise, which also stops a cross-site form post); bodies over
/// `WS_MAX_MESSAGE_BYTES` get 413.
pub(super) async fn broadcast(
    State(state): State<WsState>,
    _admin: Admin,
    Path(room): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let invalid = |status: StatusCode, message: &str| {
        (status, Json(serde_json::json!({ "error": message }))).into_response()
    };
    if !is_json(&headers) {
        return invalid(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the body must be sent as Content-Type: application/json",
        );
    }
    if protocol::validate_room_name(&room).is_err() {
        return invalid(StatusCode::BAD_REQUEST, "invalid room name");
    }
    let Ok(data) = serde_json::from_slice::<&RawValue>(&body) else {
        return invalid(StatusCode::BAD_REQUEST, "the body must be JSON");
    };
    let frame = ServerFrame::Message {
        room: Some(&room),
        from: "server",
        data,
    }
    .to_json();
    if frame.len() > state.hub.settings().max_message_bytes {
        return invalid(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the message would exceed WS_MAX_MESSAGE_BYTES",
        );
    }
    let delivered = state.hub.broadcast(&room, &Utf8Bytes::from(frame));
    Json(serde_json::json!({ "delivered": delivered })).into_response()
}

/// Whether the request's media type is `application/json` (parameters such as `charset` allowed).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}
