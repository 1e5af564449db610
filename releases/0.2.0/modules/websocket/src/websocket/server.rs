//! Serves the app over HTTP/1.1 with hyper, with the bounds a public
//! service needs: a request head must arrive within
//! `WS_HANDSHAKE_TIMEOUT_MS`, at most `WS_MAX_PENDING_CONNECTIONS` TCP
//! connections may be waiting for (or between) requests, and shutdown takes
//! at most `WS_SHUTDOWN_TIMEOUT_MS`, whatever the clients do.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::connect_info::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use super::WsState;

/// The pause after a failed `accept` (out of descriptors, say), so the loop does not spin.
const ACCEPT_RETRY_PAUSE: Duration = Duration::from_millis(50);

/// Serves `app` on `listener` until `shutdown` completes; then closes every
/// WebSocket with 1001, lets HTTP requests in flight finish, and returns
/// within `WS_SHUTDOWN_TIMEOUT_MS`, dropping whatever is still open.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    websocket: WsState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let settings = websocket.hub.settings();
    if websocket.server_api_is_open() {
        tracing::warn!(
            "the server API (GET /rooms, POST /rooms/{{room}}/broadcast) is open to anyone: \
             auth is `none` and WS_ADMIN_TOKENS is unset"
        );
    }
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(settings.handshake_timeout);
    let connections = Connections {
        http,
        app,
        pending: Arc::new(Semaphore::new(settings.max_pending_connections)),
        stopping: CancellationToken::new(),
        abandoned: CancellationToken::new(),
        tasks: TaskTracker::new(),
    };
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => connections.serve(stream, peer),
                Err(error) => {
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(ACCEPT_RETRY_PAUSE).await;
                }
            },
        }
    }
    drop(listener);
    websocket.begin_shutdown();
    connections.stopping.cancel();
    connections.tasks.close();
    let limit = settings.shutdown_timeout;
    let (http_closed, websocket_closed) = tokio::join!(
        tokio::time::timeout(limit, connections.tasks.wait()),
        websocket.shut_down()
    );
    if http_closed.is_err() {
        tracing::warn!(
            open = connections.tasks.len(),
            "HTTP connections still open after WS_SHUTDOWN_TIMEOUT_MS: dropped"
        );
        connections.abandoned.cancel();
    }
    if !websocket_closed {
        tracing::warn!(
            open = websocket.open_connections(),
            "websocket connections still open after WS_SHUTDOWN_TIMEOUT_MS"
        );
    }
    Ok(())
}

/// The HTTP connections being served.
struct Connections {
    http: http1::Builder,
    app: Router,
    /// Places for connections not upgraded to WebSocket.
    pending: Arc<Semaphore>,
    /// Asks every connection to finish its request in flight and close.
    stopping: CancellationToken,
    /// Drops every connection still open when shutdown ran out of time.
    abandoned: CancellationToken,
    tasks: TaskTracker,
}

impl Connections {
    fn serve(&self, stream: TcpStream, peer: SocketAddr) {
        let Ok(permit) = Arc::clone(&self.pending).try_acquire_owned() else {
            tracing::debug!(%peer, "too many connections not yet upgraded: closing one more");
            return;
        };
        let _ = stream.set_nodelay(true);
        let app = self.app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(request)
        });
        let connection = self
            .http
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let stopping = self.stopping.clone();
        let abandoned = self.abandoned.clone();
        self.tasks.spawn(async move {
            let _permit: OwnedSemaphorePermit = permit;
            tokio::pin!(connection);
            let served = async {
                tokio::select! {
                    result = connection.as_mut() => result,
                    () = stopping.cancelled() => {
                        connection.as_mut().graceful_shutdown();
                        connection.as_mut().await
                    }
                }
            };
            tokio::select! {
                result = served => {
                    if let Err(error) = result {
                        tracing::debug!(%error, %peer, "HTTP connection ended with an error");
                    }
                }
                () = abandoned.cancelled() => {}
            }
            // The permit goes back here: at the upgrade, or when the connection ends.
        });
    }
}
