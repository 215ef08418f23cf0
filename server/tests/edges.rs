//! The server's edges over real sockets (contract §6): security headers, oversized
//! heads and URIs, header and idle timeouts, the connection cap, graceful shutdown,
//! forged log lines and encoded keys, trusted proxies, metrics and `/api/demo`.
//!
//! Nothing here waits a fixed time: a test waits for a condition (an answer, a closed
//! connection, a counter) under a generous bound that only a hang reaches.

mod common;

use async_trait::async_trait;
use campaign_analytics_server::clock::LimitClock;
use campaign_analytics_server::demo;
use campaign_analytics_server::http::edge::{EdgeConfig, MAX_HEAD_BYTES, MAX_URI_BYTES};
use campaign_analytics_server::http::proxy::TrustedProxies;
use campaign_analytics_server::http::{self, ServerConfig};
use campaign_analytics_server::store::{
    CampaignInfo, KeyDigest, Store, StoreError, WindowAnswer, WindowQuery,
};
use common::*;
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{oneshot, Notify};
use uuid::Uuid;

const NOW: &str = "2024-03-01T00:30:00Z";
/// Longer than anything here should take; reached only when something hangs.
const HANG: Duration = Duration::from_secs(20);

fn data() -> Value {
    fixture(vec![instance(1, SPRING, "2024-02-29T10:00:00Z", 100)])
}

fn addr(server: &TestServer) -> SocketAddr {
    server.base.trim_start_matches("http://").parse().unwrap()
}

/// A raw HTTP/1.1 answer.
struct RawReply {
    status: u16,
    head: String,
    body: Value,
}

impl RawReply {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    }
}

/// Reads until the server closes the connection (or resets it), within [`HANG`].
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chunk = [0u8; 8192];
    tokio::time::timeout(HANG, async {
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await
    .expect("the server closes the connection");
    out
}

fn parse(bytes: &[u8]) -> RawReply {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    RawReply {
        status,
        head: head.to_owned(),
        body: serde_json::from_str(body).unwrap_or(Value::Null),
    }
}

/// Sends `request` as is (ignoring a reset once the server has answered), closes the
/// sending side, and reads the answer up to the server's close.
async fn raw(server: &TestServer, request: &[u8]) -> RawReply {
    let mut stream = TcpStream::connect(addr(server)).await.unwrap();
    let (mut reader, mut writer) = stream.split();
    let send = async {
        let _ = writer.write_all(request).await;
        let _ = writer.shutdown().await;
    };
    let receive = async {
        let mut out = Vec::new();
        let _ = tokio::time::timeout(HANG, reader.read_to_end(&mut out)).await;
        out
    };
    let ((), bytes) = tokio::join!(send, receive);
    parse(&bytes)
}

fn assert_security_headers(reply: &Reply) {
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(reply.header("referrer-policy"), Some("no-referrer"));
}

fn assert_envelope(reply: &RawReply, status: u16, error: &str) {
    assert_eq!(reply.status, status, "{}", reply.head);
    assert_eq!(reply.body["success"], false);
    assert_eq!(reply.body["error"], error);
    let id = reply.header("x-request-id").expect("a request id");
    assert_eq!(reply.body["meta"]["requestId"], id.as_str());
    assert_eq!(reply.body["meta"]["timestamp"], NOW);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(reply.header("connection").as_deref(), Some("close"));
    assert_eq!(
        reply.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(
        reply.header("referrer-policy").as_deref(),
        Some("no-referrer")
    );
    assert_eq!(reply.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(
        reply.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
}

// ---------------------------------------------------------------------------------
// Headers

#[tokio::test]
async fn api_answers_carry_the_security_headers_and_no_store() {
    let server = start(&data(), config(NOW)).await;
    for reply in [
        analytics(&server, "time_frame=per_day").await,
        get(&server, &analytics_path(SPRING, "time_frame=per_day"), None).await,
        analytics(&server, "time_frame=nope").await,
        get(&server, "/nowhere", None).await,
        get(&server, "/healthz", None).await,
        get(&server, "/api/partner/v1/openapi.json", None).await,
    ] {
        assert_security_headers(&reply);
        assert_eq!(
            reply.header("cache-control"),
            Some("no-store"),
            "{}",
            reply.status
        );
    }
}

#[tokio::test]
async fn dashboard_pages_carry_a_policy_that_allows_their_own_scripts_only() {
    let site = tempfile::tempdir().unwrap();
    let loader = "\nimport init from '/app-1.js';\nconst wasm = await init({ module_or_path: '/app-1_bg.wasm' });\n";
    std::fs::write(
        site.path().join("index.html"),
        format!("<!doctype html><html><head><link rel=\"modulepreload\" href=\"/app-1.js\"></head><body><script type=\"module\">{loader}</script></body></html>"),
    )
    .unwrap();
    std::fs::write(site.path().join("app-1.js"), "export default 1;").unwrap();
    let mut settings = config(NOW);
    settings.static_dir = Some(site.path().to_owned());
    let server = start(&data(), settings).await;

    use sha2::Digest;
    let hash = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(loader.as_bytes()))
    };
    for path in ["/", "/index.html", "/some/client/route", "/app-1.js"] {
        let reply = get(&server, path, None).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_security_headers(&reply);
        let policy = reply.header("content-security-policy").expect("a policy");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(
            policy.contains(&format!(
                "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}'"
            )),
            "{policy}"
        );
        assert!(policy.contains("object-src 'none'"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert_eq!(reply.header("x-frame-options"), Some("DENY"));
    }
    // Files keep their own caching; the page is revalidated.
    assert_eq!(
        get(&server, "/app-1.js", None)
            .await
            .header("cache-control"),
        Some("public, max-age=3600")
    );
    assert_eq!(
        get(&server, "/", None).await.header("cache-control"),
        Some("no-cache")
    );
    // A new build on disk gets its own hash at once.
    let other = "\nconsole.log('v2');\n";
    std::fs::write(
        site.path().join("index.html"),
        format!("<!doctype html><html><body><script type=\"module\">{other}</script><!-- longer --></body></html>"),
    )
    .unwrap();
    let hash = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(other.as_bytes()))
    };
    let policy = get(&server, "/", None).await;
    assert!(policy
        .header("content-security-policy")
        .unwrap()
        .contains(&hash));
}

// ---------------------------------------------------------------------------------
// Oversized heads and URIs

#[tokio::test]
async fn a_300_kb_header_is_a_431_envelope() {
    let server = start(&data(), config(NOW)).await;
    let request = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(300_000)
    );
    let reply = raw(&server, request.as_bytes()).await;
    assert_envelope(&reply, 431, "Request Header Fields Too Large");
    assert_eq!(reply.body["message"], "The request head is too large.");
    // So do 101 header fields, however small.
    let many = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\n{}\r\n",
        "A: b\r\n".repeat(100)
    );
    assert_envelope(
        &raw(&server, many.as_bytes()).await,
        431,
        "Request Header Fields Too Large",
    );
    // The server goes on.
    assert_eq!(get(&server, "/healthz", None).await.status, 200);
}

#[tokio::test]
async fn a_head_of_exactly_16_kib_is_served() {
    let server = start(&data(), config(NOW)).await;
    let start_line = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
    let pad = MAX_HEAD_BYTES - start_line.len() - "X-Pad: \r\n\r\n".len();
    let request = format!("{start_line}X-Pad: {}\r\n\r\n", "p".repeat(pad));
    assert_eq!(request.len(), MAX_HEAD_BYTES);
    assert_eq!(raw(&server, request.as_bytes()).await.status, 200);
    let over = format!("{start_line}X-Pad: {}\r\n\r\n", "p".repeat(pad + 1));
    assert_eq!(raw(&server, over.as_bytes()).await.status, 431);
}

#[tokio::test]
async fn a_uri_over_8_kib_is_a_414_envelope() {
    let server = start(&data(), config(NOW)).await;
    let path = |len: usize| format!("/api/{}", "u".repeat(len - 5));
    let request = |len: usize| {
        format!(
            "GET {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            path(len)
        )
    };
    let reply = raw(&server, request(MAX_URI_BYTES + 1).as_bytes()).await;
    assert_envelope(&reply, 414, "URI Too Long");
    assert_eq!(reply.body["message"], "The request URI is too long.");
    // One byte shorter is an ordinary request (here: the 404 of an unknown path).
    let reply = raw(&server, request(MAX_URI_BYTES).as_bytes()).await;
    assert_eq!(reply.status, 404, "{}", reply.head);
}

// ---------------------------------------------------------------------------------
// Timeouts

fn edges(header_ms: u64, idle_ms: u64) -> EdgeConfig {
    EdgeConfig {
        header_timeout: Duration::from_millis(header_ms),
        idle_timeout: Duration::from_millis(idle_ms),
        ..EdgeConfig::default()
    }
}

#[tokio::test]
async fn a_stalled_half_request_is_closed_after_the_header_timeout() {
    let mut settings = config(NOW);
    settings.edges = edges(300, 60_000);
    let server = start(&data(), settings).await;
    let mut stream = TcpStream::connect(addr(&server)).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // Closed without an answer (the bound is the test's hang guard, not a speed check).
    assert!(read_to_close(&mut stream).await.is_empty());
    // A connection that sends nothing at all is closed too.
    let mut silent = TcpStream::connect(addr(&server)).await.unwrap();
    assert!(read_to_close(&mut silent).await.is_empty());
    let metrics = get_metrics(&server).await;
    assert!(
        metrics.contains("campaign_analytics_edge_events_total{event=\"header_timeout\"} 2"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_head_dribbled_byte_by_byte_is_still_closed() {
    let mut settings = config(NOW);
    settings.edges = edges(300, 60_000);
    let server = start(&data(), settings).await;
    let mut stream = TcpStream::connect(addr(&server)).await.unwrap();
    let closed = async {
        // One byte at a time, each as soon as the previous one was sent: the head
        // never completes, and its deadline runs from its first byte.
        for byte in b"GET /healthz HTTP/1.1\r\nX: "
            .iter()
            .chain(std::iter::repeat(&b'a'))
        {
            if stream.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(HANG, closed)
        .await
        .expect("the dribbling connection is closed");
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_idle_timeout() {
    let mut settings = config(NOW);
    settings.edges = edges(60_000, 300);
    let server = start(&data(), settings).await;
    let mut stream = TcpStream::connect(addr(&server)).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let bytes = read_to_close(&mut stream).await;
    let reply = parse(&bytes);
    assert_eq!(reply.status, 200, "{}", reply.head);
    assert_ne!(reply.header("connection").as_deref(), Some("close"));
    let metrics = get_metrics(&server).await;
    assert!(
        metrics.contains("campaign_analytics_edge_events_total{event=\"idle_timeout\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn pipelined_requests_are_all_answered_in_order() {
    let server = start(&data(), config(NOW)).await;
    let mut stream = TcpStream::connect(addr(&server)).await.unwrap();
    let requests = [
        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /api/demo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ]
    .concat();
    stream.write_all(requests.as_bytes()).await.unwrap();
    let text = String::from_utf8(read_to_close(&mut stream).await).unwrap();
    let statuses: Vec<&str> = text
        .match_indices("HTTP/1.1 ")
        .map(|(at, _)| &text[at + 9..at + 12])
        .collect();
    assert_eq!(statuses, ["200", "404", "404"], "{text}");
}

#[tokio::test]
async fn a_client_that_stops_reading_its_answers_is_let_go() {
    let mut settings = config(NOW);
    settings.edges = edges(60_000, 300);
    let server = start(&data(), settings).await;
    // Many requests for a 30 KB document, sent at once and never read: the answers fill
    // the socket's buffers, and the server's writes wait.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(addr(&server)).await.unwrap();
    let request = b"GET /api/partner/v1/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n".repeat(400);
    let _ = stream.write_all(&request).await;
    let event = "campaign_analytics_edge_events_total{event=\"write_timeout\"} 1";
    tokio::time::timeout(HANG, async {
        while !server.metrics.render().contains(event) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the stalled connection is closed");
    drop(stream);
    assert_eq!(get(&server, "/healthz", None).await.status, 200);
}

// ---------------------------------------------------------------------------------
// The connection cap

#[tokio::test]
async fn connections_past_the_cap_get_a_503_envelope() {
    let mut settings = config(NOW);
    settings.edges.max_connections = 1;
    let server = start(&data(), settings).await;
    // The first connection is served and kept alive: it holds the only slot.
    let mut first = TcpStream::connect(addr(&server)).await.unwrap();
    first
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = vec![0u8; 4096];
    let n = first.read(&mut answer).await.unwrap();
    assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 200"));

    let refused = raw(&server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_envelope(&refused, 503, "Service Unavailable");
    assert_eq!(refused.header("retry-after").as_deref(), Some("1"));

    // Once the first one is gone, new connections are served again.
    drop(first);
    tokio::time::timeout(HANG, async {
        loop {
            let reply = raw(
                &server,
                b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            )
            .await;
            if reply.status == 200 {
                break;
            }
            assert_eq!(reply.status, 503);
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("a slot comes back");
}

// ---------------------------------------------------------------------------------
// Graceful shutdown

/// The real store, with a `window` that waits until released.
struct Held {
    inner: Arc<dyn Store>,
    entered: Arc<Notify>,
    release: Arc<Notify>,
}

#[async_trait]
impl Store for Held {
    async fn partner_for_key(&self, digest: &KeyDigest) -> Result<Option<Uuid>, StoreError> {
        self.inner.partner_for_key(digest).await
    }
    async fn campaign(&self, id: Uuid) -> Result<Option<CampaignInfo>, StoreError> {
        self.inner.campaign(id).await
    }
    async fn window(
        &self,
        campaign: Uuid,
        query: &WindowQuery,
    ) -> Result<WindowAnswer, StoreError> {
        self.entered.notify_one();
        self.release.notified().await;
        self.inner.window(campaign, query).await
    }
}

/// A server on a held store, with a handle to stop it and to learn it has stopped.
async fn held_server(
    settings: ServerConfig,
) -> (
    SocketAddr,
    Arc<Notify>,
    Arc<Notify>,
    oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let entered = Arc::new(Notify::new());
    let release = Arc::new(Notify::new());
    let store = Held {
        inner: Arc::new(store_with(&data())),
        entered: Arc::clone(&entered),
        release: Arc::clone(&release),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let at = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let app = http::app(Arc::new(store), settings);
    let served = tokio::spawn(async move {
        app.serve(listener, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    (at, entered, release, stop, served)
}

fn request_bytes(path: &str, key: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n\r\n").into_bytes()
}

#[tokio::test]
async fn shutdown_finishes_requests_in_flight_and_stops_accepting() {
    let mut settings = config(NOW);
    settings.edges.shutdown_grace = Duration::from_secs(60);
    let (at, entered, release, stop, served) = held_server(settings).await;
    let mut in_flight = TcpStream::connect(at).await.unwrap();
    in_flight
        .write_all(&request_bytes(
            &analytics_path(SPRING, "time_frame=per_day"),
            ACME_KEY,
        ))
        .await
        .unwrap();
    entered.notified().await;
    // A stalled half request, and a kept-alive connection between requests.
    let mut stalled = TcpStream::connect(at).await.unwrap();
    stalled
        .write_all(b"GET /healthz HTTP/1.1\r\n")
        .await
        .unwrap();
    let mut idle = TcpStream::connect(at).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = [0u8; 1024];
    assert!(idle.read(&mut answer).await.unwrap() > 0);
    stop.send(()).unwrap();
    // No new connection is served once shutdown began (the listener is closed).
    tokio::time::timeout(HANG, async {
        while let Ok(mut late) = TcpStream::connect(at).await {
            let _ = late.write_all(b"GET /healthz HTTP/1.1\r\n\r\n").await;
            let mut buf = [0u8; 64];
            if matches!(late.read(&mut buf).await, Ok(0) | Err(_)) {
                break;
            }
        }
    })
    .await
    .expect("the listener closes");
    // Neither has anything in flight: both are closed at once, while the request in
    // flight is still held (the grace is a minute).
    assert!(read_to_close(&mut stalled).await.is_empty());
    assert!(read_to_close(&mut idle).await.is_empty());
    // The request in flight is answered in full, then its connection closes.
    release.notify_one();
    let reply = parse(&read_to_close(&mut in_flight).await);
    assert_eq!(reply.status, 200, "{}", reply.head);
    assert_eq!(reply.body["data"]["summary"]["total_instances"], 1);
    assert_eq!(reply.header("connection").as_deref(), Some("close"));
    tokio::time::timeout(HANG, served)
        .await
        .expect("serve returns")
        .unwrap();
}

#[tokio::test]
async fn whatever_is_left_after_the_grace_is_closed() {
    let mut settings = config(NOW);
    settings.edges.shutdown_grace = Duration::from_millis(300);
    let (at, entered, _release, stop, served) = held_server(settings).await;
    // A request that never finishes (its store call is never released).
    let mut stuck = TcpStream::connect(at).await.unwrap();
    stuck
        .write_all(&request_bytes(
            &analytics_path(SPRING, "time_frame=per_day"),
            ACME_KEY,
        ))
        .await
        .unwrap();
    entered.notified().await;
    stop.send(()).unwrap();
    tokio::time::timeout(HANG, served)
        .await
        .expect("serve returns after the grace")
        .unwrap();
    assert!(read_to_close(&mut stuck).await.is_empty());
}

// ---------------------------------------------------------------------------------
// Logs

#[tokio::test]
async fn forged_lines_and_encoded_keys_never_reach_the_log() {
    let log = capture_log();
    let server = start(&data(), config(NOW)).await;
    let body = "0123456789abcdefABCDEF0123456789";
    let attempts = [
        "/%0A2026-01-01T00:00:00Z%20INFO%20FORGEDLINE".to_owned(),
        "/x%0D%0A2026-01-01T00:00:00Z%20INFO%20FORGEDLINE".to_owned(),
        format!("/%2573k_test_{body}"),
        format!("/%252573k%25255Ftest%255F{body}"),
        format!("/api/partner/v1/campaigns/sk_live_{body}/analytics"),
        format!("/api/%73%6b%5f%74%65%73%74%5f{body}"),
        "/%1B[2J%1B[31mred".to_owned(),
    ];
    let mut lines = Vec::new();
    for path in &attempts {
        let id = Uuid::new_v4().to_string();
        let request = reqwest::Client::new()
            .get(format!("{}{path}", server.base))
            .header("X-Request-ID", &id);
        let reply = send(request).await;
        assert!(
            [400, 401, 404].contains(&reply.status),
            "{path}: {}",
            reply.status
        );
        let mine = log.lines_with(&id);
        assert_eq!(mine.len(), 1, "one line per request: {mine:?}");
        lines.push(mine[0].clone());
    }
    let text = log.text();
    assert!(!text.contains(body), "a key in the log:\n{text}");
    assert!(
        !text.lines().any(|l| l.starts_with("2026-01-01T00:00:00Z")),
        "a forged line:\n{text}"
    );
    for line in &lines {
        assert!(line.contains(" INFO http: GET /"), "{line}");
        assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
    }
    assert!(
        lines[0].contains("/\\n2026-01-01T00:00:00Z INFO FORGEDLINE 404"),
        "{}",
        lines[0]
    );
    assert!(lines[2].contains("/sk_test_[redacted] 404"), "{}", lines[2]);
    assert!(lines[3].contains("/sk_test_[redacted] 404"), "{}", lines[3]);
}

// ---------------------------------------------------------------------------------
// Trusted proxies and failed authentication

fn failures_allowed(n: u32) -> ServerConfig {
    let mut settings = config(NOW);
    settings.auth_failure_limit = n;
    settings.limit_clock = LimitClock::manual(1_900_000_000);
    settings
}

async fn get_from(server: &TestServer, key: &str, forwarded_for: &str) -> u16 {
    let request = reqwest::Client::new()
        .get(format!(
            "{}{}",
            server.base,
            analytics_path(SPRING, "time_frame=per_day")
        ))
        .bearer_auth(key)
        .header("X-Forwarded-For", forwarded_for);
    send(request).await.status
}

#[tokio::test]
async fn behind_a_trusted_proxy_failures_count_per_forwarded_address_and_64() {
    let mut settings = failures_allowed(2);
    settings.trusted_proxies = TrustedProxies(vec!["127.0.0.0/8".parse().unwrap()]);
    let server = start(&data(), settings).await;
    assert_eq!(get_from(&server, UNKNOWN_KEY, "2001:db8:1:2::1").await, 401);
    assert_eq!(get_from(&server, UNKNOWN_KEY, "2001:db8:1:2::2").await, 401);
    // The same /64: limited.
    assert_eq!(
        get_from(&server, UNKNOWN_KEY, "2001:db8:1:2:ffff::9").await,
        429
    );
    // Another /64, and an IPv4 client: their own budgets.
    assert_eq!(get_from(&server, UNKNOWN_KEY, "2001:db8:1:3::1").await, 401);
    assert_eq!(get_from(&server, UNKNOWN_KEY, "198.51.100.7").await, 401);
    // A client's own entry left of the proxy's is not believed.
    assert_eq!(
        get_from(&server, UNKNOWN_KEY, "203.0.113.1, 2001:db8:1:2::7").await,
        429
    );
    // A valid key from the limited /64 is served.
    assert_eq!(get_from(&server, ACME_KEY, "2001:db8:1:2::1").await, 200);
}

#[tokio::test]
async fn a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored() {
    let server = start(&data(), failures_allowed(2)).await;
    // Every guess claims another address; the peer is what counts.
    assert_eq!(get_from(&server, UNKNOWN_KEY, "203.0.113.1").await, 401);
    assert_eq!(get_from(&server, UNKNOWN_KEY, "203.0.113.2").await, 401);
    assert_eq!(get_from(&server, UNKNOWN_KEY, "203.0.113.3").await, 429);
    assert_eq!(get_from(&server, ACME_KEY, "203.0.113.3").await, 200);
}

// ---------------------------------------------------------------------------------
// Metrics

async fn get_metrics(server: &TestServer) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let at = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(http::serve_metrics(
        listener,
        server.metrics.clone(),
        EdgeConfig::default(),
        async {
            let _ = stopped.await;
        },
    ));
    let response = reqwest::get(format!("http://{at}/metrics")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = response.text().await.unwrap();
    let other = reqwest::get(format!("http://{at}/healthz")).await.unwrap();
    assert_eq!(other.status(), 404);
    let _ = stop.send(());
    text
}

#[tokio::test]
async fn metrics_count_requests_rejections_store_errors_and_edges() {
    let server = start(&data(), failures_allowed(1)).await;
    assert_eq!(analytics(&server, "time_frame=per_day").await.status, 200);
    assert_eq!(analytics(&server, "time_frame=per_day").await.status, 200);
    let path = analytics_path(SPRING, "time_frame=per_day");
    assert_eq!(get(&server, &path, Some(UNKNOWN_KEY)).await.status, 401);
    assert_eq!(get(&server, &path, Some(UNKNOWN_KEY)).await.status, 429);
    let big = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "b".repeat(20_000));
    assert_eq!(raw(&server, big.as_bytes()).await.status, 431);
    // Not on the API's address.
    assert_eq!(get(&server, "/metrics", None).await.status, 404);

    let text = get_metrics(&server).await;
    let route = "route=\"/api/partner/v1/campaigns/{campaign_id}/analytics\"";
    for line in [
        format!("campaign_analytics_http_requests_total{{{route},status=\"200\"}} 2"),
        format!("campaign_analytics_http_requests_total{{{route},status=\"401\"}} 1"),
        format!("campaign_analytics_http_requests_total{{{route},status=\"429\"}} 1"),
        "campaign_analytics_http_requests_total{route=\"/\",status=\"404\"} 1".to_owned(),
        format!("campaign_analytics_http_request_duration_seconds_count{{{route}}} 4"),
        "campaign_analytics_rate_limit_rejections_total{budget=\"failed_auth\"} 1".to_owned(),
        "campaign_analytics_store_errors_total 0".to_owned(),
        "campaign_analytics_edge_events_total{event=\"head_too_large\"} 1".to_owned(),
        "campaign_analytics_log_lines_dropped_total 0".to_owned(),
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line}:\n{text}");
    }
}

// ---------------------------------------------------------------------------------
// /api/demo

#[tokio::test]
async fn the_demo_directory_is_served_in_demo_mode_only() {
    let plain = start(&data(), config(NOW)).await;
    let reply = get(&plain, "/api/demo", None).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.body["message"], "No endpoint exists at this path");
    assert_documented(&openapi(), "/api/demo", &reply);

    let now = chrono::DateTime::parse_from_rfc3339(NOW).unwrap().to_utc();
    let generated = demo::demo(demo::DEFAULT_SEED, 0, now);
    let mut settings = config(NOW);
    settings.demo = Some(Arc::new(generated.directory()));
    let server = start(&data(), settings).await;
    let reply = get(&server, "/api/demo", None).await;
    assert_eq!(reply.status, 200);
    assert_security_headers(&reply);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.body["success"], true);
    assert_documented(&openapi(), "/api/demo", &reply);
    assert_eq!(
        reply.body["meta"]["requestId"],
        reply.header("x-request-id").unwrap()
    );
    let partners = reply.body["data"]["partners"].as_array().unwrap();
    assert_eq!(partners.len(), generated.partners.len());
    for (shown, made) in partners.iter().zip(&generated.partners) {
        assert_eq!(shown["name"], made.name.as_str());
        assert_eq!(shown["key"], made.key.as_str());
        let campaigns = shown["campaigns"].as_array().unwrap();
        let expected: Vec<_> = generated
            .campaigns
            .iter()
            .filter(|c| c.partner_id == made.id)
            .collect();
        assert_eq!(campaigns.len(), expected.len());
        for (c, e) in campaigns.iter().zip(expected) {
            assert_eq!(c["id"], e.id.to_string());
            assert_eq!(c["name"], e.name.as_str());
            assert_eq!(c["status"], e.status.as_str());
        }
    }
}
