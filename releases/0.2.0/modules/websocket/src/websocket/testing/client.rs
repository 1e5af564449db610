//! [`TestClient`], a real WebSocket client with `expect_*` helpers that fail
//! after [`TIMEOUT`], and [`Simulator`], many of them driven together.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::{TIMEOUT, TestServer};

/// A real WebSocket client of the [`TestServer`].
#[derive(Debug)]
pub struct TestClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The `connection_id` of the server's `welcome`.
    pub connection_id: String,
    /// The `welcome` frame.
    pub welcome: Value,
}

impl TestClient {
    /// Connects to any server speaking the contract at `url` (e.g. the
    /// service's binary), presenting `credential` as a Bearer token.
    pub async fn connect(url: &str, credential: Option<&str>) -> TestClient {
        let mut request = url.into_client_request().expect("a valid WebSocket URL");
        if let Some(credential) = credential {
            let value = format!("Bearer {credential}");
            request.headers_mut().insert(
                "authorization",
                value.parse().expect("a valid header value"),
            );
        }
        let (socket, _) = tokio::time::timeout(TIMEOUT, tokio_tungstenite::connect_async(request))
            .await
            .expect("handshake timed out")
            .expect("handshake");
        Self::welcomed(socket).await
    }

    pub(super) async fn welcomed(socket: WebSocketStream<MaybeTlsStream<TcpStream>>) -> Self {
        let mut client = Self {
            socket,
            connection_id: String::new(),
            welcome: Value::Null,
        };
        client.welcome = client.expect_frame("welcome").await;
        client.connection_id = client.welcome["connection_id"]
            .as_str()
            .expect("welcome carries a connection_id")
            .to_owned();
        client
    }

    /// Sends one JSON frame.
    pub async fn send_json(&mut self, frame: Value) {
        self.send(Message::text(frame.to_string())).await;
    }

    /// Sends a text frame as is.
    pub async fn send_text(&mut self, text: &str) {
        self.send(Message::text(text)).await;
    }

    /// Sends any WebSocket message (binary, ping, close, ...).
    pub async fn send(&mut self, message: Message) {
        tokio::time::timeout(TIMEOUT, self.socket.send(message))
            .await
            .expect("send timed out")
            .expect("send failed");
    }

    /// The next text frame, parsed; Pings and Pongs are skipped (and answered).
    pub async fn next_frame(&mut self) -> Value {
        self.next_frame_within(TIMEOUT)
            .await
            .unwrap_or_else(|| panic!("no frame within {TIMEOUT:?}"))
    }

    /// The next text frame within `limit`, or `None`. Panics on a Close or a closed socket.
    pub async fn next_frame_within(&mut self, limit: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let message = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .ok()?;
            match message {
                Some(Ok(Message::Text(text))) => {
                    return Some(serde_json::from_str(&text).expect("the server sends JSON"));
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    }

    /// The next frame, which must have `type` `kind`.
    pub async fn expect_frame(&mut self, kind: &str) -> Value {
        let frame = self.next_frame().await;
        assert_eq!(frame["type"], kind, "unexpected frame {frame}");
        frame
    }

    /// The next frame, which must be an `error` with `code`.
    pub async fn expect_error(&mut self, code: &str) -> Value {
        let frame = self.expect_frame("error").await;
        assert_eq!(frame["code"], code, "unexpected error {frame}");
        frame
    }

    /// Asserts no text frame arrives within `limit` (while answering Pings).
    pub async fn expect_silence(&mut self, limit: Duration) {
        if let Some(frame) = self.next_frame_within(limit).await {
            panic!("expected no frame, got {frame}");
        }
    }

    /// Reads until the server's Close frame, skipping text frames, and
    /// answers its code; `None` when the connection ended without one.
    pub async fn expect_close(&mut self) -> Option<u16> {
        self.expect_close_within(TIMEOUT).await
    }

    /// [`TestClient::expect_close`] with its own time limit.
    pub async fn expect_close_within(&mut self, limit: Duration) -> Option<u16> {
        let reading = async {
            while let Some(message) = self.socket.next().await {
                match message {
                    Ok(Message::Close(frame)) => return frame.map(|frame| u16::from(frame.code)),
                    Ok(_) => {}
                    Err(_) => return None,
                }
            }
            None
        };
        tokio::time::timeout(limit, reading)
            .await
            .unwrap_or_else(|_| panic!("not closed within {limit:?}"))
    }

    /// Joins `room`; answers the member count.
    pub async fn join(&mut self, room: &str) -> u64 {
        self.send_json(serde_json::json!({ "type": "join", "room": room }))
            .await;
        let joined = self.expect_frame("joined").await;
        joined["members"].as_u64().expect("joined carries members")
    }

    /// Sends `frame` and answers the next frame.
    pub async fn request(&mut self, frame: Value) -> Value {
        self.send_json(frame).await;
        self.next_frame().await
    }

    /// Closes with 1000 and waits for the server's answer.
    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
        let _ = tokio::time::timeout(TIMEOUT, async {
            while self.socket.next().await.is_some() {}
        })
        .await;
    }

    /// The underlying socket, for what the helpers do not cover.
    pub fn socket(&mut self) -> &mut WebSocketStream<MaybeTlsStream<TcpStream>> {
        &mut self.socket
    }
}

/// Many clients of one server, driven together.
#[derive(Debug)]
pub struct Simulator {
    /// The clients, in connection order.
    pub clients: Vec<TestClient>,
}

impl Simulator {
    /// Connects `count` clients, 100 handshakes at a time.
    pub async fn connect(server: &TestServer, count: usize) -> Self {
        let mut clients = Vec::with_capacity(count);
        while clients.len() < count {
            let batch = (count - clients.len()).min(100);
            let connecting = (0..batch).map(|_| server.connect());
            clients.extend(futures_util::future::join_all(connecting).await);
        }
        Self { clients }
    }

    /// Every client joins `room`.
    pub async fn join_all(&mut self, room: &str) {
        let joins = self.clients.iter_mut().map(|client| client.join(room));
        futures_util::future::join_all(joins).await;
    }

    /// Each client's next `count` frames, read concurrently.
    pub async fn collect(&mut self, count: usize) -> Vec<Vec<Value>> {
        let reads = self.clients.iter_mut().map(|client| async move {
            let mut frames = Vec::with_capacity(count);
            for _ in 0..count {
                frames.push(client.next_frame().await);
            }
            frames
        });
        futures_util::future::join_all(reads).await
    }
}
