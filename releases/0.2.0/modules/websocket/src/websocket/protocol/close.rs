//! How a connection ends: the close codes the server sends (RFC 6455 section
//! 7.4.1) and the reasons behind them, each with its metrics label.

/// Close codes the server uses (RFC 6455 section 7.4.1).
pub mod close_code {
    /// The connection did what it was for.
    pub const NORMAL: u16 = 1000;
    /// The server is shutting down.
    pub const GOING_AWAY: u16 = 1001;
    /// An unmasked client frame, a bad opcode or bad fragmentation.
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// A text frame that is not UTF-8.
    pub const INVALID_DATA: u16 = 1007;
    /// Auth expired, a client kept flooding, or stopped answering pings.
    pub const POLICY: u16 = 1008;
    /// A message larger than `WS_MAX_MESSAGE_BYTES`.
    pub const TOO_BIG: u16 = 1009;
    /// The server failed.
    pub const INTERNAL: u16 = 1011;
    /// The send queue overflowed or a send timed out: a slow consumer.
    pub const TRY_AGAIN_LATER: u16 = 1013;
}

/// Why a connection ended; each reason maps to a close code and a metrics label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum CloseReason {
    /// The client sent a Close frame.
    ClientClosed = 1,
    /// The TCP connection ended without a Close frame.
    ConnectionLost,
    /// The server is shutting down (1001).
    Shutdown,
    /// No frame arrived within `WS_HEARTBEAT_TIMEOUT_MS` (1008).
    HeartbeatTimeout,
    /// The send queue overflowed (1013).
    SlowConsumer,
    /// A write stalled longer than `WS_SEND_TIMEOUT_MS` (1013).
    SendTimeout,
    /// A message exceeded `WS_MAX_MESSAGE_BYTES` (1009).
    MessageTooBig,
    /// The client kept sending over the rate limit (1008).
    RateLimited,
    /// The JWT expired during the session (1008).
    TokenExpired,
    /// The client broke the WebSocket protocol (1002).
    ProtocolError,
    /// A text frame was not UTF-8 (1007).
    InvalidUtf8,
    /// The server failed (1011).
    InternalError,
}

impl CloseReason {
    /// Every reason, in declaration order.
    pub const ALL: [Self; 12] = [
        Self::ClientClosed,
        Self::ConnectionLost,
        Self::Shutdown,
        Self::HeartbeatTimeout,
        Self::SlowConsumer,
        Self::SendTimeout,
        Self::MessageTooBig,
        Self::RateLimited,
        Self::TokenExpired,
        Self::ProtocolError,
        Self::InvalidUtf8,
        Self::InternalError,
    ];

    /// The label of `ws_connections_closed_total`.
    pub fn label(self) -> &'static str {
        match self {
            Self::ClientClosed => "client_closed",
            Self::ConnectionLost => "connection_lost",
            Self::Shutdown => "shutdown",
            Self::HeartbeatTimeout => "heartbeat_timeout",
            Self::SlowConsumer => "slow_consumer",
            Self::SendTimeout => "send_timeout",
            Self::MessageTooBig => "message_too_big",
            Self::RateLimited => "rate_limited",
            Self::TokenExpired => "token_expired",
            Self::ProtocolError => "protocol_error",
            Self::InvalidUtf8 => "invalid_utf8",
            Self::InternalError => "internal_error",
        }
    }

    /// The close code the server sends, or `None` when the client closed or vanished.
    pub fn close_code(self) -> Option<u16> {
        match self {
            Self::ClientClosed | Self::ConnectionLost => None,
            Self::Shutdown => Some(close_code::GOING_AWAY),
            Self::HeartbeatTimeout | Self::RateLimited | Self::TokenExpired => {
                Some(close_code::POLICY)
            }
            Self::ProtocolError => Some(close_code::PROTOCOL_ERROR),
            Self::InvalidUtf8 => Some(close_code::INVALID_DATA),
            Self::SlowConsumer | Self::SendTimeout => Some(close_code::TRY_AGAIN_LATER),
            Self::MessageTooBig => Some(close_code::TOO_BIG),
            Self::InternalError => Some(close_code::INTERNAL),
        }
    }

    pub(in crate::websocket) fn from_u8(value: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| *reason as u8 == value)
    }
}
