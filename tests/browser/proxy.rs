//! A TCP proxy between the browser and the service that can cut the line:
//! `cut` drops every connection through it and closes its port (new
//! connections are refused), `restore` opens the same port again.

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub struct Proxy {
    addr: SocketAddr,
    upstream: SocketAddr,
    /// Bumped by every cut; each relayed connection ends when it changes.
    cuts: watch::Sender<u64>,
    accepting: Option<JoinHandle<()>>,
}

impl Proxy {
    /// A proxy on a free loopback port, relaying to `upstream`.
    pub fn start(upstream: SocketAddr) -> Self {
        let listener = listen("127.0.0.1:0".parse().unwrap());
        let addr = listener.local_addr().unwrap();
        let (cuts, _) = watch::channel(0);
        let accepting = Some(tokio::spawn(relay(listener, upstream, cuts.clone())));
        Self {
            addr,
            upstream,
            cuts,
            accepting,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Drops every relayed connection and closes the port.
    pub async fn cut(&mut self) {
        if let Some(accepting) = self.accepting.take() {
            accepting.abort();
            let _ = accepting.await;
        }
        self.cuts.send_modify(|cuts| *cuts += 1);
    }

    /// Listens on the same port again.
    pub fn restore(&mut self) {
        assert!(self.accepting.is_none(), "the proxy is not cut");
        let listener = listen(self.addr);
        self.accepting = Some(tokio::spawn(relay(
            listener,
            self.upstream,
            self.cuts.clone(),
        )));
    }
}

/// A listener on `addr`; `SO_REUSEADDR`, so a cut port can be bound again at once.
fn listen(addr: SocketAddr) -> TcpListener {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_reuseaddr(true).unwrap();
    socket
        .bind(addr)
        .unwrap_or_else(|error| panic!("bind {addr}: {error}"));
    socket.listen(64).unwrap()
}

async fn relay(listener: TcpListener, upstream: SocketAddr, cuts: watch::Sender<u64>) {
    while let Ok((mut client, _)) = listener.accept().await {
        let mut cut = cuts.subscribe();
        tokio::spawn(async move {
            let Ok(mut server) = TcpStream::connect(upstream).await else {
                return;
            };
            tokio::select! {
                _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                _ = cut.changed() => {}
            }
        });
    }
}
