//! Where the clients connect (loopback addresses only, resolved once) and the
//! client steps every mode shares: connect, read the `welcome`, join a room.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::http::{HeaderValue, Uri, header::AUTHORIZATION};
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message};

/// A failed step, described in one line.
pub type Outcome<T> = Result<T, String>;
/// A client connection.
pub type Ws = WebSocketStream<TcpStream>;

/// Bound on one client's connect, handshake, welcome and join.
pub const SETUP_TIMEOUT: Duration = Duration::from_secs(15);
/// Bound on closing the connections at the end of a run.
pub const TEARDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// The instances under test and the credential the clients present.
pub struct Target {
    pub endpoints: Vec<Endpoint>,
    token: Option<String>,
}

/// One instance: its URL and the loopback address it resolved to.
pub struct Endpoint {
    pub url: String,
    pub addr: SocketAddr,
}

impl Target {
    /// Resolves every URL; refuses none given or any outside loopback.
    pub async fn resolve(urls: &[String], token: Option<String>) -> Outcome<Self> {
        let mut endpoints = Vec::with_capacity(urls.len());
        for url in urls
            .iter()
            .map(|url| url.trim())
            .filter(|url| !url.is_empty())
        {
            endpoints.push(Endpoint::resolve(url).await?);
        }
        if endpoints.is_empty() {
            return Err("no --url given".to_owned());
        }
        Ok(Self { endpoints, token })
    }

    /// The i-th client's endpoint: clients are spread round-robin over the instances.
    pub fn endpoint(&self, index: usize) -> &Endpoint {
        &self.endpoints[index % self.endpoints.len()]
    }

    /// The handshake request for `endpoint`, with the token if there is one.
    pub fn request(&self, endpoint: &Endpoint) -> Outcome<Request> {
        let mut request = endpoint
            .url
            .as_str()
            .into_client_request()
            .map_err(|error| format!("{}: {error}", endpoint.url))?;
        if let Some(token) = &self.token {
            let value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| "the token is not a valid header value".to_owned())?;
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        Ok(request)
    }

    /// Completes the handshake over `stream` and reads the `welcome` frame.
    pub async fn handshake<S>(
        &self,
        endpoint: &Endpoint,
        stream: S,
    ) -> Outcome<(WebSocketStream<S>, Value)>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        // Small buffers: the frames are small and the tool may hold many thousand sockets.
        let config = WebSocketConfig::default()
            .read_buffer_size(4096)
            .write_buffer_size(0);
        let (mut ws, _response) = tokio_tungstenite::client_async_with_config(
            self.request(endpoint)?,
            stream,
            Some(config),
        )
        .await
        .map_err(|error| describe_handshake_error(&error))?;
        let welcome = next_json(&mut ws).await?;
        if welcome["type"] != "welcome" || !welcome["connection_id"].is_string() {
            return Err(format!(
                "expected a welcome frame with a connection_id first, got {welcome}"
            ));
        }
        Ok((ws, welcome))
    }

    /// Connects to the i-th endpoint and joins `room`, all within [`SETUP_TIMEOUT`].
    pub async fn connect_and_join(&self, index: usize, room: &str) -> Outcome<Ws> {
        let endpoint = self.endpoint(index);
        let setup = async {
            let tcp = connect_tcp(endpoint).await?;
            let (mut ws, _welcome) = self.handshake(endpoint, tcp).await?;
            join(&mut ws, room).await?;
            Ok(ws)
        };
        tokio::time::timeout(SETUP_TIMEOUT, setup)
            .await
            .unwrap_or_else(|_| Err(format!("setup took longer than {SETUP_TIMEOUT:?}")))
    }

    /// `N (url, url, ...)`: the instances, for the figures.
    pub fn describe(&self) -> String {
        let urls: Vec<&str> = self
            .endpoints
            .iter()
            .map(|endpoint| endpoint.url.as_str())
            .collect();
        format!("{} ({})", urls.len(), urls.join(", "))
    }
}

impl Endpoint {
    /// Accepts `ws://` URLs whose host is a loopback address or `localhost`
    /// resolving only to loopback addresses; refuses everything else.
    async fn resolve(url: &str) -> Outcome<Self> {
        let uri: Uri = url
            .parse()
            .map_err(|error| format!("{url:?} is not a URL: {error}"))?;
        match uri.scheme_str() {
            Some("ws") => {}
            Some("wss") => {
                return Err(format!(
                    "{url}: wss:// is not supported; ws-load targets this machine's loopback interface only, use ws://"
                ));
            }
            _ => return Err(format!("{url}: the URL must start with ws://")),
        }
        let host = uri
            .host()
            .ok_or_else(|| format!("{url}: the URL has no host"))?;
        let port = uri.port_u16().unwrap_or(80);
        let bare_host = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<SocketAddr> = if let Ok(ip) = bare_host.parse::<IpAddr>() {
            vec![SocketAddr::new(ip, port)]
        } else if bare_host.eq_ignore_ascii_case("localhost") {
            tokio::net::lookup_host((bare_host, port))
                .await
                .map_err(|error| format!("{url}: cannot resolve localhost: {error}"))?
                .collect()
        } else {
            Vec::new()
        };
        match addrs.first() {
            Some(&addr) if addrs.iter().all(|addr| addr.ip().is_loopback()) => Ok(Self {
                url: url.to_owned(),
                addr,
            }),
            _ => Err(format!(
                "refusing {url}: ws-load only targets this machine's loopback interface (127.0.0.0/8, ::1 or localhost)"
            )),
        }
    }
}

/// A TCP connection to `endpoint` with Nagle off, as a WebSocket client wants it.
pub async fn connect_tcp(endpoint: &Endpoint) -> Outcome<TcpStream> {
    let tcp = TcpStream::connect(endpoint.addr)
        .await
        .map_err(|error| format!("connect {}: {error}", endpoint.addr))?;
    tcp.set_nodelay(true)
        .map_err(|error| format!("set TCP_NODELAY: {error}"))?;
    Ok(tcp)
}

fn describe_handshake_error(error: &tungstenite::Error) -> String {
    match error {
        tungstenite::Error::Http(response) => {
            let body = response
                .body()
                .as_deref()
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            format!(
                "handshake refused: HTTP {} {}",
                response.status(),
                body.trim()
            )
        }
        other => format!("handshake failed: {other}"),
    }
}

/// Reads until the next text frame and parses it; pings are answered by tungstenite.
pub async fn next_json<S>(ws: &mut WebSocketStream<S>) -> Outcome<Value>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => {
                return serde_json::from_str(&text)
                    .map_err(|error| format!("the server sent invalid JSON ({error}): {text}"));
            }
            Some(Ok(Message::Close(frame))) => {
                return Err(format!(
                    "closed by the server: {}",
                    describe_close(frame.as_ref())
                ));
            }
            Some(Ok(_)) => {}
            Some(Err(error)) => return Err(format!("connection failed: {error}")),
            None => return Err("connection ended".to_owned()),
        }
    }
}

/// Joins `room` and waits for `joined`.
pub async fn join<S>(ws: &mut WebSocketStream<S>, room: &str) -> Outcome<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let frame = json!({"type": "join", "room": room, "id": "join"});
    ws.send(Message::text(frame.to_string()))
        .await
        .map_err(|error| format!("send join: {error}"))?;
    loop {
        let answer = next_json(ws).await?;
        match answer["type"].as_str() {
            Some("joined") => return Ok(()),
            Some("error") => {
                return Err(format!(
                    "join {room:?} refused: {} ({})",
                    answer["code"], answer["message"]
                ));
            }
            _ => {}
        }
    }
}

/// `close 1013 (reason)`, for the figures.
pub fn describe_close(frame: Option<&CloseFrame>) -> String {
    match frame {
        Some(frame) if frame.reason.is_empty() => format!("close {}", u16::from(frame.code)),
        Some(frame) => format!("close {} ({})", u16::from(frame.code), frame.reason),
        None => "close without a code".to_owned(),
    }
}

/// Sends a close frame and waits briefly for the server's answer.
pub async fn close_politely(mut ws: Ws) {
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        if ws.close(None).await.is_ok() {
            while let Some(Ok(_)) = ws.next().await {}
        }
    })
    .await;
}

/// Collects `count` setup results from the clients: how many connected, and
/// why the others did not.
pub async fn await_setup(
    ready: &mut mpsc::Receiver<Outcome<()>>,
    count: usize,
    what: &str,
) -> (usize, BTreeMap<String, usize>) {
    let mut connected = 0;
    let mut failures = BTreeMap::new();
    for _ in 0..count {
        match ready.recv().await {
            Some(Ok(())) => connected += 1,
            Some(Err(reason)) => *failures.entry(reason).or_insert(0) += 1,
            None => break,
        }
        let done = connected + failures.values().sum::<usize>();
        if done % 1000 == 0 && done < count {
            eprintln!("ws-load: {what}: {done}/{count} set up");
        }
    }
    (connected, failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refuses_targets_outside_loopback() {
        for url in [
            "ws://10.0.0.1:8000/ws",
            "ws://192.168.1.2/ws",
            "ws://example.com/ws",
            "ws://[::ffff:10.0.0.1]:8000/ws",
            "wss://127.0.0.1:8000/ws",
            "http://127.0.0.1:8000/ws",
        ] {
            assert!(Endpoint::resolve(url).await.is_err(), "{url} was accepted");
        }
        for url in [
            "ws://127.0.0.1:8000/ws",
            "ws://127.8.9.10/ws",
            "ws://[::1]:8000/ws",
        ] {
            assert!(Endpoint::resolve(url).await.is_ok(), "{url} was refused");
        }
    }
}
