//! The one thing a normal WebSocket client cannot be told to do: stay silent.
//! tungstenite answers every Ping it reads with a Pong, as RFC 6455 asks;
//! a dead peer must not. [`SilentStream`] is the TCP stream under the client:
//! once [`Silence::start`] is called it drops every byte the client writes
//! (Pongs, Close replies), while reads go on, so the tool still sees the
//! server's Pings and its Close frame.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// A TCP stream whose writes can be switched off.
pub struct SilentStream {
    inner: TcpStream,
    silent: Arc<AtomicBool>,
}

/// The switch of a [`SilentStream`].
pub struct Silence(Arc<AtomicBool>);

impl SilentStream {
    /// Wraps `inner`, writing through until the returned [`Silence`] is started.
    pub fn new(inner: TcpStream) -> (Self, Silence) {
        let silent = Arc::new(AtomicBool::new(false));
        let stream = Self {
            inner,
            silent: Arc::clone(&silent),
        };
        (stream, Silence(silent))
    }

    fn is_silent(&self) -> bool {
        self.silent.load(Ordering::Acquire)
    }
}

impl Silence {
    /// From now on, nothing the client writes reaches the server.
    pub fn start(&self) {
        self.0.store(true, Ordering::Release);
    }
}

impl AsyncRead for SilentStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for SilentStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.is_silent() {
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.is_silent() {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.is_silent() {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    #[tokio::test]
    async fn writes_stop_reaching_the_peer_once_silent() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        let (mut client, silence) = SilentStream::new(client);

        client.write_all(b"heard").await.unwrap();
        silence.start();
        client.write_all(b"dropped").await.unwrap();
        server.write_all(b"still read").await.unwrap();
        let mut read = [0_u8; 10];
        client.read_exact(&mut read).await.unwrap();
        assert_eq!(&read, b"still read");
        drop(client);

        let mut received = Vec::new();
        server.read_to_end(&mut received).await.unwrap();
        assert_eq!(received, b"heard");
    }
}
