//! What the tool reads besides the WebSocket: a process's resident memory and
//! a socket's TCP state (procfs, so Linux only), and the service's `/metrics`
//! (hyper-util's client, prometheus-parse).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use procfs::net::TcpState;
use procfs::process::Process;

use crate::target::Outcome;

/// Resident memory (`VmRSS`) of process `pid`, in KiB.
pub fn rss_kib(pid: u32) -> Outcome<u64> {
    let unreadable = |error: &dyn std::fmt::Display| {
        format!(
            "cannot read the memory of process {pid} (is --server-pid {pid} a running process?): {error}"
        )
    };
    let pid_i32 = i32::try_from(pid).map_err(|error| unreadable(&error))?;
    let status = Process::new(pid_i32)
        .and_then(|process| process.status())
        .map_err(|error| unreadable(&error))?;
    status
        .vmrss
        .ok_or_else(|| format!("process {pid} reports no VmRSS"))
}

/// This tool's own resident memory, in KiB.
pub fn own_rss_kib() -> Option<u64> {
    Process::myself()
        .and_then(|process| process.status())
        .ok()?
        .vmrss
}

/// The state of this machine's socket from local port `local` to remote port
/// `remote` (IPv4 or IPv6); `None` when there is no such socket.
pub fn tcp_state(local: u16, remote: u16) -> Option<TcpState> {
    let ipv4 = procfs::net::tcp().unwrap_or_default();
    let ipv6 = procfs::net::tcp6().unwrap_or_default();
    ipv4.into_iter().chain(ipv6).find_map(|entry| {
        (entry.local_address.port() == local && entry.remote_address.port() == remote)
            .then_some(entry.state)
    })
}

/// `ws_connections` and `ws_connections_closed_total` (by reason) from `/metrics`.
pub struct ServerMetrics {
    pub connections: u64,
    pub closed: BTreeMap<String, u64>,
}

/// Scrapes `http://<addr>/metrics`; `None` when it does not answer 200 with
/// `ws_connections` (metrics off, another service).
pub async fn scrape_metrics(addr: SocketAddr) -> Option<ServerMetrics> {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let uri = format!("http://{addr}/metrics").parse().ok()?;
    let fetch = async {
        let response = client.get(uri).await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        Some(response.into_body().collect().await.ok()?.to_bytes())
    };
    let body = tokio::time::timeout(Duration::from_secs(5), fetch)
        .await
        .ok()??;
    parse_metrics(&String::from_utf8_lossy(&body))
}

fn parse_metrics(text: &str) -> Option<ServerMetrics> {
    let lines = text.lines().map(|line| Ok(line.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).ok()?;
    let mut connections = None;
    let mut closed = BTreeMap::new();
    for sample in scrape.samples {
        let (prometheus_parse::Value::Counter(value)
        | prometheus_parse::Value::Gauge(value)
        | prometheus_parse::Value::Untyped(value)) = sample.value
        else {
            continue;
        };
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let value = value as u64;
        match sample.metric.as_str() {
            "ws_connections" => connections = Some(value),
            "ws_connections_closed_total" => {
                let reason = sample.labels.get("reason").unwrap_or_default().to_owned();
                *closed.entry(reason).or_insert(0) += value;
            }
            _ => {}
        }
    }
    Some(ServerMetrics {
        connections: connections?,
        closed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_connection_metrics() {
        let text = "# TYPE ws_connections gauge\nws_connections 3\n# TYPE ws_connections_closed_total counter\nws_connections_closed_total{reason=\"slow_consumer\"} 2\nws_connections_closed_total{reason=\"client_closed\"} 5\n";
        let metrics = parse_metrics(text).unwrap();
        assert_eq!(metrics.connections, 3);
        assert_eq!(metrics.closed["slow_consumer"], 2);
        assert_eq!(metrics.closed["client_closed"], 5);
        assert!(parse_metrics("not found").is_none());
    }

    #[test]
    fn reads_its_own_memory_and_sockets() {
        assert!(own_rss_kib().is_some_and(|kib| kib > 0));
        let pid = std::process::id();
        assert!(rss_kib(pid).is_ok());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let (server_port, client_port) = (
            server.local_addr().unwrap().port(),
            client.local_addr().unwrap().port(),
        );
        assert_eq!(
            tcp_state(server_port, client_port),
            Some(TcpState::Established)
        );
        drop(server);
        assert_ne!(
            tcp_state(server_port, client_port),
            Some(TcpState::Established)
        );
    }
}
