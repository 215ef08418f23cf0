//! The server's edges (contract §6): its own accept loop on hyper's HTTP/1 connections,
//! so that what axum's `serve` leaves open is decided here.
//!
//! - **Request heads.** Every connection's reads pass through [`Guarded`], which scans
//!   each request head as it arrives (a byte loop; no copy): a URI over
//!   [`MAX_URI_BYTES`] is refused with 414, a head over [`MAX_HEAD_BYTES`] (or with more
//!   than [`MAX_HEADER_FIELDS`] fields) with 431 — both the JSON error envelope, written
//!   straight to the socket, after which the rest of the head is read and discarded for
//!   a moment (so the client sees the answer rather than a reset) and the connection is
//!   closed. hyper never sees an oversized head.
//! - **Timeouts.** A request head must be complete within `header_timeout` of its first
//!   byte (of the connection's opening, for the first request); a kept-alive connection
//!   may sit idle for `idle_timeout`; an answer whose client stops reading it is given
//!   `idle_timeout` without progress (a handler at work is bounded by the query
//!   deadline, not by these). One timer per connection, re-armed only when it fires.
//! - **Connection cap.** At most `max_connections` at once; a connection past the cap
//!   gets a 503 envelope with `Retry-After: 1` and is closed.
//! - **Shutdown.** When the shutdown future completes, the listener is closed,
//!   connections with nothing in flight (idle, or part-way through sending a head) are
//!   closed, requests in flight are finished (their connections close after the
//!   answer), and whatever is still open after `shutdown_grace` is dropped, whatever
//!   the clients do.
//!
//! Pipelined requests: the head scan starts again when a response has been sent; bytes
//! of a next request that hyper read ahead while answering the previous one are not
//! scanned, so such a head can pass the limits by what was read ahead (hyper's own
//! buffer limit, 64 KiB, still holds).

use super::envelope::Failure;
use super::observe::fresh_request_id;
use crate::clock::Clock;
use crate::metrics::{EdgeEvent, Metrics};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

/// The largest request head accepted (request line, header fields, blank line).
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// The largest request URI accepted (the request line's target).
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// The most header fields a request head may have.
pub const MAX_HEADER_FIELDS: usize = 100;
/// How long a refused connection is read and discarded after its answer at most.
const LINGER: Duration = Duration::from_secs(2);
/// How much of a refused request is read and discarded at most.
const LINGER_BYTES: usize = 1 << 20;
/// Connections answered 503 at the cap at once; past it they are closed unanswered.
const MAX_REFUSING: usize = 64;

/// Limits of connections (the `serve` flags of contract §6).
#[derive(Clone, Copy, Debug)]
pub struct EdgeConfig {
    /// A whole request head must arrive within this time of its first byte.
    pub header_timeout: Duration,
    /// A kept-alive connection is closed after sitting idle this long.
    pub idle_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// After shutdown begins, how long requests in flight may take.
    pub shutdown_grace: Duration,
}

impl Default for EdgeConfig {
    fn default() -> EdgeConfig {
        EdgeConfig {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// What every connection of one listener shares.
pub struct Edges {
    pub config: EdgeConfig,
    pub clock: Clock,
    pub metrics: Arc<Metrics>,
    /// Set when shutdown begins: connections with no request in flight close.
    pub draining: AtomicBool,
}

impl Edges {
    /// A whole HTTP/1.1 response carrying `failure`'s envelope, with the headers every
    /// response has, and `Connection: close`.
    fn refusal(&self, failure: Failure) -> Vec<u8> {
        let id = fresh_request_id();
        let status = failure.status();
        let extra = match &failure {
            Failure::Busy => "retry-after: 1\r\n",
            _ => "",
        };
        let body = serde_json::to_vec(&failure.body(super::observe::meta_at(&self.clock, &id)))
            .unwrap_or_else(|_| b"{}".to_vec());
        tracing::info!(
            target: "http",
            "- - {} 0us request_id={} ({})",
            status.as_u16(),
            id.0,
            status.canonical_reason().unwrap_or("refused")
        );
        let mut out = format!(
            "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             connection: close\r\n{extra}x-request-id: {}\r\n\
             access-control-allow-origin: *\r\n\
             access-control-expose-headers: x-request-id,retry-after\r\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or(""),
            body.len(),
            id.0,
        )
        .into_bytes();
        for (name, value) in super::SECURITY_HEADERS
            .iter()
            .chain(std::iter::once(&super::NO_STORE))
        {
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&body);
        out
    }
}

/// The state of the whole server's connections, as connections see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    Running,
    /// Shutdown began: finish what is in flight, keep nothing alive.
    Draining,
    /// The grace period is over: close now.
    Now,
}

/// Serves `router` on `listener` until `shutdown` completes, then shuts down as the
/// module documentation says.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    edges: Arc<Edges>,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let max = edges
        .config
        .max_connections
        .clamp(1, Semaphore::MAX_PERMITS);
    let permits = Arc::new(Semaphore::new(max));
    let refusing = Arc::new(Semaphore::new(MAX_REFUSING));
    let (stop, stopped) = watch::channel(Stop::Running);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            // A client that gave up before it was accepted: nothing to do.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionAborted
                        | io::ErrorKind::ConnectionReset
                        | io::ErrorKind::Interrupted
                ) =>
            {
                continue;
            }
            Err(e) => {
                // Out of file descriptors or the like: pause instead of spinning.
                tracing::error!("cannot accept a connection: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        match Arc::clone(&permits).try_acquire_owned() {
            Ok(permit) => {
                let connection = connection(
                    stream,
                    peer,
                    router.clone(),
                    Arc::clone(&edges),
                    stopped.clone(),
                );
                tokio::spawn(async move {
                    connection.await;
                    drop(permit);
                });
            }
            Err(_) => {
                edges.metrics.record_edge(EdgeEvent::ConnectionRefused);
                if let Ok(permit) = Arc::clone(&refusing).try_acquire_owned() {
                    let answer = edges.refusal(Failure::Busy);
                    tokio::spawn(async move {
                        refuse(stream, answer).await;
                        drop(permit);
                    });
                }
            }
        }
    }
    drop(listener);
    tracing::info!("shutting down: finishing requests in flight");
    edges.draining.store(true, Ordering::Release);
    let _ = stop.send(Stop::Draining);
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    let drained = tokio::time::timeout(edges.config.shutdown_grace, permits.acquire_many(all));
    if drained.await.is_err() {
        let _ = stop.send(Stop::Now);
        // Connections drop at once when told; give their tasks a moment to finish.
        let _ = tokio::time::timeout(Duration::from_secs(1), permits.acquire_many(all)).await;
    }
    Ok(())
}

/// Writes a refusal to a connection that will not be served, lets the client read it,
/// and closes.
async fn refuse(mut stream: TcpStream, answer: Vec<u8>) {
    let _ = tokio::time::timeout(LINGER, async {
        stream.write_all(&answer).await?;
        stream.shutdown().await?;
        let mut scratch = [0u8; 4096];
        let mut discarded = 0;
        while discarded < LINGER_BYTES {
            match stream.read(&mut scratch).await? {
                0 => break,
                n => discarded += n,
            }
        }
        Ok::<(), io::Error>(())
    })
    .await;
}

/// One connection, from accept to close.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    edges: Arc<Edges>,
    mut stop: watch::Receiver<Stop>,
) {
    let _ = stream.set_nodelay(true);
    edges.metrics.connection_delta(1);
    let progress = Arc::new(Progress::default());
    let io = Guarded::new(stream, Arc::clone(&edges), Arc::clone(&progress));
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let router = router.clone();
        let progress = Arc::clone(&progress);
        progress.dispatched.fetch_add(1, Ordering::AcqRel);
        async move {
            let response = match router.oneshot(request.map(Body::new)).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            Ok::<_, Infallible>(response.map(|body| Signalled {
                body,
                progress: Some(progress),
            }))
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .keep_alive(true)
        .header_read_timeout(None)
        .max_buf_size(64 * 1024);
    let connection = builder.serve_connection(TokioIo::new(io), service);
    let mut connection = std::pin::pin!(connection);
    let mut draining = false;
    loop {
        if !draining && *stop.borrow() == Stop::Draining {
            connection.as_mut().graceful_shutdown();
            draining = true;
        }
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!("connection from {peer} ended: {e}");
                }
                break;
            }
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() == Stop::Now {
                    edges.metrics.record_edge(EdgeEvent::ClosedAtShutdown);
                    break;
                }
            }
        }
    }
    edges.metrics.connection_delta(-1);
}

/// How many requests of a connection hyper has handed to the service, and how many of
/// their answers it is done with (sent or abandoned).
#[derive(Default)]
struct Progress {
    dispatched: AtomicU64,
    answered: AtomicU64,
}

/// A response body that counts itself answered when hyper is done with it.
struct Signalled {
    body: Body,
    progress: Option<Arc<Progress>>,
}

impl Drop for Signalled {
    fn drop(&mut self) {
        if let Some(progress) = self.progress.take() {
            progress.answered.fetch_add(1, Ordering::AcqRel);
        }
    }
}

impl HttpBody for Signalled {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Where a connection is between requests.
#[derive(Clone, Copy, Debug)]
enum Phase {
    /// Receiving a request head that began (or a connection that opened) at `since`.
    Head { since: Instant },
    /// The head is complete; the request is being answered.
    Busy,
    /// The last response was sent; no byte of a next request yet.
    Idle { since: Instant },
}

/// What the head scan says after some bytes.
#[derive(Debug, PartialEq)]
enum Scan {
    More,
    Complete,
    Refuse(Failure),
}

/// A request head as it streams in: its size, its URI's size, its field count.
#[derive(Debug, Default)]
struct HeadScan {
    bytes: usize,
    /// Past the empty lines a client may send before a request line.
    started: bool,
    lines: usize,
    /// Bytes of the current line other than CR.
    line_bytes: usize,
    /// Spaces seen on the request line (the URI is what follows the first).
    spaces: u8,
    uri_bytes: usize,
}

impl HeadScan {
    /// Scans `data`; on `Complete`, the bytes after the head's end are not looked at.
    fn feed(&mut self, data: &[u8]) -> Scan {
        for &byte in data {
            self.bytes += 1;
            if self.bytes > MAX_HEAD_BYTES {
                return Scan::Refuse(Failure::HeadTooLarge);
            }
            if !self.started {
                if byte == b'\r' || byte == b'\n' {
                    continue;
                }
                self.started = true;
            }
            match byte {
                b'\n' => {
                    if self.lines > 0 && self.line_bytes == 0 {
                        return Scan::Complete;
                    }
                    self.lines += 1;
                    self.line_bytes = 0;
                    if self.lines > MAX_HEADER_FIELDS + 1 {
                        return Scan::Refuse(Failure::HeadTooLarge);
                    }
                }
                b'\r' => {}
                _ => {
                    self.line_bytes += 1;
                    if self.lines == 0 {
                        if byte == b' ' {
                            self.spaces = self.spaces.saturating_add(1);
                        } else if self.spaces == 1 {
                            self.uri_bytes += 1;
                            if self.uri_bytes > MAX_URI_BYTES {
                                return Scan::Refuse(Failure::UriTooLong);
                            }
                        }
                    }
                }
            }
        }
        Scan::More
    }
}

/// A refusal being written, then the rest of the request read and discarded.
struct Refusing {
    answer: Vec<u8>,
    written: usize,
    shut: bool,
    discarded: usize,
}

/// A TCP stream as hyper sees it, with the head scan and the timeouts of this module.
struct Guarded {
    stream: TcpStream,
    edges: Arc<Edges>,
    /// Requests handed to the service and answers sent; shared with [`Signalled`].
    progress: Arc<Progress>,
    /// Requests that will have been handed over once the last head scanned is.
    expected: u64,
    phase: Phase,
    scan: HeadScan,
    /// Armed no later than the current phase's deadline: at most `min(timeouts)` ahead,
    /// so that no change of phase can bring a deadline before it. When it fires, the
    /// deadline is checked and the timer re-armed.
    timer: Pin<Box<Sleep>>,
    /// Since when the answer in flight has been waiting for the client to read it.
    write_stalled_since: Option<Instant>,
    refusing: Option<Refusing>,
}

impl Guarded {
    fn new(stream: TcpStream, edges: Arc<Edges>, progress: Arc<Progress>) -> Guarded {
        let now = Instant::now();
        let step = edges.config.header_timeout.min(edges.config.idle_timeout);
        let timer = Box::pin(tokio::time::sleep_until(now + step));
        Guarded {
            stream,
            edges,
            progress,
            expected: 0,
            phase: Phase::Head { since: now },
            scan: HeadScan::default(),
            timer,
            write_stalled_since: None,
            refusing: None,
        }
    }

    /// Keeps the phase in step with the requests hyper has handed over: `Idle` once
    /// every one has been answered, `Busy` again when hyper takes a pipelined request
    /// from its buffer (without a read, so without a head scan).
    fn note_answered(&mut self, now: Instant) {
        let dispatched = self.progress.dispatched.load(Ordering::Acquire);
        let answered = self.progress.answered.load(Ordering::Acquire);
        let in_flight = answered < dispatched.max(self.expected);
        match self.phase {
            Phase::Busy if !in_flight => {
                self.phase = Phase::Idle { since: now };
                self.scan = HeadScan::default();
            }
            Phase::Idle { .. } if in_flight => self.phase = Phase::Busy,
            _ => {}
        }
    }

    /// Called when an I/O call would wait: is the connection past its deadline?
    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        let config = self.edges.config;
        loop {
            if self.timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            let now = Instant::now();
            self.note_answered(now);
            let step = config.header_timeout.min(config.idle_timeout);
            let (deadline, event) = match (self.write_stalled_since, self.phase) {
                // An answer the client does not read.
                (Some(since), _) => (since + config.idle_timeout, EdgeEvent::WriteTimeout),
                (None, Phase::Head { since }) => {
                    (since + config.header_timeout, EdgeEvent::HeaderTimeout)
                }
                (None, Phase::Idle { since }) => {
                    (since + config.idle_timeout, EdgeEvent::IdleTimeout)
                }
                // The handler is working: its own deadline bounds it, not this one.
                (None, Phase::Busy) => {
                    self.timer.as_mut().reset(now + step);
                    continue;
                }
            };
            if now >= deadline {
                self.edges.metrics.record_edge(event);
                return Poll::Ready(io::Error::new(
                    io::ErrorKind::TimedOut,
                    match event {
                        EdgeEvent::HeaderTimeout => "no whole request head in time",
                        _ => "idle for too long",
                    },
                ));
            }
            self.timer.as_mut().reset(deadline.min(now + step));
        }
    }

    /// A write would wait: the client is not reading. Past the idle timeout without
    /// progress, the connection is given up.
    fn poll_write_stalled(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        if self.write_stalled_since.is_none() {
            self.write_stalled_since = Some(Instant::now());
        }
        self.poll_deadline(cx).map(Err)
    }

    /// Starts answering `failure` on this connection instead of passing the request on.
    fn refuse(&mut self, failure: Failure) {
        self.edges.metrics.record_edge(match failure {
            Failure::UriTooLong => EdgeEvent::UriTooLong,
            _ => EdgeEvent::HeadTooLarge,
        });
        self.refusing = Some(Refusing {
            answer: self.edges.refusal(failure),
            written: 0,
            shut: false,
            discarded: 0,
        });
        self.timer.as_mut().reset(Instant::now() + LINGER);
    }

    /// Drives a refusal: write it, close our side, discard what the client still sends
    /// (for [`LINGER`] at most), then end the connection with an error for hyper.
    fn poll_refusing(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let done = || {
            Poll::Ready(Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "request refused at the edge",
            )))
        };
        let Some(refusing) = self.refusing.as_mut() else {
            return done();
        };
        if self.timer.as_mut().poll(cx).is_ready() {
            return done();
        }
        while refusing.written < refusing.answer.len() {
            match Pin::new(&mut self.stream).poll_write(cx, &refusing.answer[refusing.written..]) {
                Poll::Ready(Ok(0)) | Poll::Ready(Err(_)) => return done(),
                Poll::Ready(Ok(n)) => refusing.written += n,
                Poll::Pending => return Poll::Pending,
            }
        }
        if !refusing.shut {
            match Pin::new(&mut self.stream).poll_shutdown(cx) {
                Poll::Ready(_) => refusing.shut = true,
                Poll::Pending => return Poll::Pending,
            }
        }
        let mut scratch = [0u8; 4096];
        while refusing.discarded < LINGER_BYTES {
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut self.stream).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if !buf.filled().is_empty() => {
                    refusing.discarded += buf.filled().len();
                }
                Poll::Ready(_) => return done(),
                Poll::Pending => return Poll::Pending,
            }
        }
        done()
    }
}

impl AsyncRead for Guarded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.refusing.is_some() {
            return this.poll_refusing(cx);
        }
        // Shutting down: a connection between requests, or in the middle of sending a
        // head, has nothing in flight to finish.
        if this.edges.draining.load(Ordering::Acquire) {
            this.note_answered(Instant::now());
            if !matches!(this.phase, Phase::Busy) {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "shutting down",
                )));
            }
        }
        let before = buf.filled().len();
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let now = Instant::now();
                this.note_answered(now);
                let fresh = &buf.filled()[before..];
                if fresh.is_empty() {
                    return Poll::Ready(Ok(()));
                }
                if let Phase::Idle { .. } = this.phase {
                    this.phase = Phase::Head { since: now };
                }
                if let Phase::Head { .. } = this.phase {
                    match this.scan.feed(fresh) {
                        Scan::More => {}
                        Scan::Complete => {
                            this.phase = Phase::Busy;
                            this.expected = this.progress.dispatched.load(Ordering::Acquire) + 1;
                        }
                        Scan::Refuse(failure) => {
                            buf.set_filled(before);
                            this.refuse(failure);
                            return this.poll_refusing(cx);
                        }
                    }
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => this.poll_deadline(cx).map(Err),
        }
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_write(cx, data) {
            Poll::Ready(result) => {
                this.write_stalled_since = None;
                Poll::Ready(result)
            }
            Poll::Pending => this.poll_write_stalled(cx),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_write_vectored(cx, bufs) {
            Poll::Ready(result) => {
                this.write_stalled_since = None;
                Poll::Ready(result)
            }
            Poll::Pending => this.poll_write_stalled(cx),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(chunks: &[&[u8]]) -> (Scan, HeadScan) {
        let mut head = HeadScan::default();
        for chunk in chunks {
            let result = head.feed(chunk);
            if result != Scan::More {
                return (result, head);
            }
        }
        (Scan::More, head)
    }

    #[test]
    fn heads_end_at_the_blank_line_in_any_chunking() {
        let head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nbody";
        for split in 0..head.len() {
            let (result, scanned) = scan(&[&head[..split], &head[split..]]);
            assert_eq!(result, Scan::Complete, "split at {split}");
            assert_eq!(scanned.uri_bytes, "/healthz".len());
        }
        assert_eq!(scan(&[b"GET / HTTP/1.0\n\n"]).0, Scan::Complete);
        assert_eq!(scan(&[b"\r\n\r\nGET / HTTP/1.1\r\n"]).0, Scan::More);
        assert_eq!(scan(&[b"GET / HTTP/1.1\r\nA: b\r\n"]).0, Scan::More);
    }

    #[test]
    fn limits_of_uri_head_and_fields() {
        let uri = |n: usize| format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(n - 1));
        assert_eq!(scan(&[uri(MAX_URI_BYTES).as_bytes()]).0, Scan::Complete);
        assert_eq!(
            scan(&[uri(MAX_URI_BYTES + 1).as_bytes()]).0,
            Scan::Refuse(Failure::UriTooLong)
        );
        // A head of exactly the limit passes; one byte more does not.
        let line = "GET / HTTP/1.1\r\n";
        let filler = |n: usize| format!("{line}X: {}\r\n\r\n", "b".repeat(n - line.len() - 7));
        assert_eq!(filler(MAX_HEAD_BYTES).len(), MAX_HEAD_BYTES);
        assert_eq!(scan(&[filler(MAX_HEAD_BYTES).as_bytes()]).0, Scan::Complete);
        assert_eq!(
            scan(&[filler(MAX_HEAD_BYTES + 1).as_bytes()]).0,
            Scan::Refuse(Failure::HeadTooLarge)
        );
        let fields = |n: usize| format!("{line}{}\r\n", "A: b\r\n".repeat(n));
        assert_eq!(
            scan(&[fields(MAX_HEADER_FIELDS).as_bytes()]).0,
            Scan::Complete
        );
        assert_eq!(
            scan(&[fields(MAX_HEADER_FIELDS + 1).as_bytes()]).0,
            Scan::Refuse(Failure::HeadTooLarge)
        );
        // A 300 KB header is refused after 16 KiB, streaming.
        let big = "c".repeat(300_000);
        let (result, scanned) = scan(&[line.as_bytes(), b"X: ", big.as_bytes()]);
        assert_eq!(result, Scan::Refuse(Failure::HeadTooLarge));
        assert_eq!(scanned.bytes, MAX_HEAD_BYTES + 1);
    }
}
