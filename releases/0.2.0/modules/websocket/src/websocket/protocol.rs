//! The wire contract in types: what clients send, what the server answers, and
//! the close codes, so every other module speaks in these names, never in raw JSON.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

mod close;

pub use close::{CloseReason, close_code};

/// The `code` of an `error` frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not JSON, unknown type, missing or wrong field.
    BadRequest,
    /// `leave` or `broadcast` for a room the connection has not joined.
    NotMember,
    /// `direct` to a connection id that is not connected.
    UnknownConnection,
    /// Refused by a limit or by `Hooks::authorize_join`.
    Forbidden,
    /// Over the per-connection message rate.
    RateLimited,
    /// The frame the server would deliver exceeds `WS_MAX_MESSAGE_BYTES`.
    TooLarge,
}

/// A refused client frame: answered with an `error` frame, the connection stays open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The machine-readable code.
    pub code: ErrorCode,
    /// The human-readable explanation.
    pub message: String,
}

impl Rejection {
    /// A rejection with `code` and a human-readable `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// `bad_request` with `message`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for Rejection {}

/// A client frame as parsed: every field the contract knows, all optional,
/// borrowed from the received text so nothing is copied until needed.
#[derive(Debug, Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
    #[serde(default, borrow)]
    id: Option<&'a RawValue>,
    #[serde(default, borrow)]
    room: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, borrow)]
    to: Option<std::borrow::Cow<'a, str>>,
    /// `Some` whenever the field is present, `null` included: `data` may be any JSON.
    #[serde(default, borrow, deserialize_with = "present")]
    data: Option<&'a RawValue>,
    #[serde(default, borrow)]
    token: Option<std::borrow::Cow<'a, str>>,
}

fn present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(deserializer).map(Some)
}

/// Only the `id` of a frame, to echo it when the rest does not parse.
#[derive(Deserialize)]
struct IdOnly<'a> {
    #[serde(default, borrow)]
    id: Option<&'a RawValue>,
}

/// A client frame, validated against the contract.
#[derive(Debug)]
pub enum ClientFrame<'a> {
    /// Join a room.
    Join { room: String },
    /// Leave a room.
    Leave { room: String },
    /// Deliver `data` to every other member of `room`.
    Broadcast { room: String, data: &'a RawValue },
    /// Deliver `data` to one connection.
    Direct { to: String, data: &'a RawValue },
    /// Application-level liveness.
    Ping,
    /// A new credential for this connection, before the old one expires.
    Refresh { token: String },
    /// A type the contract does not know: handed to `Hooks::on_message`.
    Other { kind: String },
}

/// A parsed client frame with its optional correlation `id`.
#[derive(Debug)]
pub struct Request<'a> {
    /// The client's `id` (a JSON string or number), echoed verbatim in the answer.
    pub id: Option<&'a RawValue>,
    /// What the client asked for.
    pub frame: ClientFrame<'a>,
}

/// A frame that could not be parsed: the `id` is kept when it could be read.
#[derive(Debug)]
pub struct ParseError<'a> {
    /// The client's `id`, if the frame had a valid one.
    pub id: Option<&'a RawValue>,
    /// Why the frame was refused (always `bad_request`).
    pub rejection: Rejection,
}

/// The valid `id` of a frame, without parsing the rest (for a frame refused unread).
pub fn frame_id(text: &str) -> Option<&RawValue> {
    serde_json::from_str::<IdOnly<'_>>(text)
        .ok()
        .and_then(|frame| frame.id)
        .filter(|id| is_valid_id(id))
}

/// Parses one text frame from a client.
pub fn parse_client_frame(text: &str) -> Result<Request<'_>, ParseError<'_>> {
    let envelope: Envelope<'_> = serde_json::from_str(text).map_err(|error| ParseError {
        id: serde_json::from_str::<IdOnly<'_>>(text)
            .ok()
            .and_then(|frame| frame.id)
            .filter(|id| is_valid_id(id)),
        rejection: Rejection::bad_request(describe_json_error(&error)),
    })?;
    let id = envelope.id;
    let fail = |message: &str| ParseError {
        id: id.filter(|id| is_valid_id(id)),
        rejection: Rejection::bad_request(message),
    };
    if id.is_some_and(|id| !is_valid_id(id)) {
        return Err(fail(
            "`id` must be a string of at most 128 bytes or a number",
        ));
    }
    let room = || {
        envelope
            .room
            .as_deref()
            .map(str::to_owned)
            .ok_or_else(|| fail("missing field `room`"))
    };
    let data = || envelope.data.ok_or_else(|| fail("missing field `data`"));
    let frame = match envelope.kind.as_ref() {
        "join" => ClientFrame::Join { room: room()? },
        "leave" => ClientFrame::Leave { room: room()? },
        "broadcast" => ClientFrame::Broadcast {
            room: room()?,
            data: data()?,
        },
        "direct" => ClientFrame::Direct {
            to: envelope
                .to
                .as_deref()
                .map(str::to_owned)
                .ok_or_else(|| fail("missing field `to`"))?,
            data: data()?,
        },
        "ping" => ClientFrame::Ping,
        "refresh" => ClientFrame::Refresh {
            token: envelope
                .token
                .as_deref()
                .map(str::to_owned)
                .ok_or_else(|| fail("missing field `token`"))?,
        },
        other => ClientFrame::Other {
            kind: other.to_owned(),
        },
    };
    Ok(Request { id, frame })
}

/// The longest `id`, in bytes of its JSON text (quotes aside).
pub const MAX_ID_BYTES: usize = 128;

/// The most bytes of an error message, which may quote the client's input.
pub const MAX_ERROR_MESSAGE_BYTES: usize = 256;

fn is_valid_id(id: &RawValue) -> bool {
    let text = id.get();
    text.len() <= MAX_ID_BYTES + 2
        && text.starts_with(|first: char| first == '"' || first == '-' || first.is_ascii_digit())
}

fn describe_json_error(error: &serde_json::Error) -> String {
    if error.is_syntax() || error.is_eof() {
        "not a JSON object".to_owned()
    } else {
        // A data error names the field and what was expected; its line and
        // column add nothing for a single-line frame.
        let text = error.to_string();
        match text.rfind(" at line ") {
            Some(end) => text[..end].to_owned(),
            None => text,
        }
    }
}

/// Longest room name, in bytes.
pub const MAX_ROOM_NAME_BYTES: usize = 64;

/// Room names: 1 to 64 bytes of ASCII letters, digits and `-_.:@`.
pub fn validate_room_name(room: &str) -> Result<(), Rejection> {
    let valid_char = |c: char| c.is_ascii_alphanumeric() || "-_.:@".contains(c);
    if room.is_empty() || room.len() > MAX_ROOM_NAME_BYTES || !room.chars().all(valid_char) {
        return Err(Rejection::bad_request(format!(
            "room names are 1 to {MAX_ROOM_NAME_BYTES} ASCII letters, digits or -_.:@"
        )));
    }
    Ok(())
}

/// A frame the server sends.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame<'a> {
    /// First frame on every connection.
    Welcome {
        connection_id: &'a str,
        heartbeat_interval_ms: u64,
    },
    /// Answer to `join`.
    Joined {
        room: &'a str,
        members: usize,
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<&'a RawValue>,
    },
    /// Answer to `leave`.
    Left {
        room: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<&'a RawValue>,
    },
    /// Answer to `refresh`: the connection now lives by the new credential.
    Refreshed {
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<&'a RawValue>,
    },
    /// Answer to `ping`.
    Pong {
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<&'a RawValue>,
    },
    /// Answer to a `broadcast` or `direct` that carried an `id`.
    Ack { id: &'a RawValue, delivered: usize },
    /// A delivery: `room` is absent for `direct`, `from` is `"server"` for HTTP-originated ones.
    Message {
        #[serde(skip_serializing_if = "Option::is_none")]
        room: Option<&'a str>,
        from: &'a str,
        data: &'a RawValue,
    },
    /// A refused frame; the connection stays open.
    Error {
        code: ErrorCode,
        message: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<&'a RawValue>,
    },
}

impl ServerFrame<'_> {
    /// The frame as JSON text.
    pub fn to_json(&self) -> String {
        // Serialising these borrowed strings, numbers and already-valid raw
        // JSON cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The `error` frame for `rejection`, echoing `id`. The message, which may
/// quote the client's input, is cut to [`MAX_ERROR_MESSAGE_BYTES`].
pub fn error_frame(rejection: &Rejection, id: Option<&RawValue>) -> String {
    ServerFrame::Error {
        code: rejection.code,
        message: truncate(&rejection.message, MAX_ERROR_MESSAGE_BYTES),
        id,
    }
    .to_json()
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
pub fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_contract_type_with_its_id() {
        let request = parse_client_frame(r#"{"type":"join","room":"lobby","id":7}"#).unwrap();
        assert_eq!(request.id.unwrap().get(), "7");
        assert!(matches!(request.frame, ClientFrame::Join { room } if room == "lobby"));
        let request =
            parse_client_frame(r#"{"type":"broadcast","room":"r","data":{"t": 1.50}}"#).unwrap();
        let ClientFrame::Broadcast { data, .. } = request.frame else {
            panic!("not a broadcast")
        };
        assert_eq!(data.get(), r#"{"t": 1.50}"#, "data passes verbatim");
        assert!(matches!(
            parse_client_frame(r#"{"type":"ping"}"#).unwrap().frame,
            ClientFrame::Ping
        ));
        assert!(matches!(
            parse_client_frame(r#"{"type":"typing","room":"r"}"#).unwrap().frame,
            ClientFrame::Other { kind } if kind == "typing"
        ));
    }

    #[test]
    fn refuses_malformed_frames_and_keeps_a_valid_id() {
        for text in [
            "not json",
            "[]",
            "{}",
            r#"{"type":5}"#,
            r#"{"type":"join"}"#,
            r#"{"type":"join","room":5}"#,
            r#"{"type":"direct","data":1}"#,
            r#"{"type":"broadcast","room":"r"}"#,
            r#"{"type":"ping","id":{"a":1}}"#,
        ] {
            let error = parse_client_frame(text).unwrap_err();
            assert_eq!(error.rejection.code, ErrorCode::BadRequest, "{text}");
        }
        let error = parse_client_frame(r#"{"type":"join","room":5,"id":"x"}"#).unwrap_err();
        assert_eq!(error.id.unwrap().get(), r#""x""#);
        let long_id = format!(
            r#"{{"type":"ping","id":"{}"}}"#,
            "i".repeat(MAX_ID_BYTES + 1)
        );
        let error = parse_client_frame(&long_id).unwrap_err();
        assert!(error.id.is_none(), "an id over 128 bytes is not echoed");
        let id = format!(r#"{{"type":"ping","id":"{}"}}"#, "i".repeat(MAX_ID_BYTES));
        assert!(parse_client_frame(&id).is_ok());
    }

    #[test]
    fn data_may_be_null_but_not_missing() {
        let request = parse_client_frame(r#"{"type":"direct","to":"x","data":null}"#).unwrap();
        assert!(matches!(request.frame, ClientFrame::Direct { data, .. } if data.get() == "null"));
        assert!(parse_client_frame(r#"{"type":"direct","to":"x"}"#).is_err());
    }

    #[test]
    fn error_frames_quote_at_most_256_bytes_of_input() {
        let rejection = Rejection::bad_request(format!("no room \"{}\"", "é".repeat(40_000)));
        let frame = error_frame(&rejection, None);
        let message: serde_json::Value = serde_json::from_str(&frame).unwrap();
        assert!(message["message"].as_str().unwrap().len() <= MAX_ERROR_MESSAGE_BYTES);
        assert!(frame.len() < 400);
    }

    #[test]
    fn server_frames_match_the_contract() {
        let data = RawValue::from_string("[1,2]".into()).unwrap();
        let message = ServerFrame::Message {
            room: Some("r"),
            from: "server",
            data: &data,
        };
        assert_eq!(
            message.to_json(),
            r#"{"type":"message","room":"r","from":"server","data":[1,2]}"#
        );
        assert_eq!(
            ServerFrame::Pong { id: None }.to_json(),
            r#"{"type":"pong"}"#
        );
    }
}
