//! Failures: a store slower than the deadline is a 504, a failing store a 500, and a
//! panic a 500 — always the JSON envelope with the request id, never a stack trace; and
//! the log says what happened under that request id without showing a key.

mod common;

use async_trait::async_trait;
use campaign_analytics_server::log::log_panic;
use campaign_analytics_server::store::{
    CampaignInfo, KeyDigest, Store, StoreError, WindowAnswer, WindowQuery,
};
use common::*;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

#[derive(Clone, Copy)]
enum Fault {
    Slow,
    Fail,
    Panic,
}

/// The real store, with a fault in `window`.
struct Faulty {
    inner: Arc<dyn Store>,
    fault: Fault,
}

/// The real store behind a long computation (until released, or for at most 3 s) on the
/// blocking pool, saying when it has ended: what a store that waits on a database or a
/// disk looks like to the HTTP layer.
struct Computing {
    inner: Arc<dyn Store>,
    release: Arc<std::sync::Mutex<std::sync::mpsc::Receiver<()>>>,
    ended: Arc<std::sync::atomic::AtomicBool>,
}

#[async_trait]
impl Store for Computing {
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
        let release = Arc::clone(&self.release);
        let ended = Arc::clone(&self.ended);
        // Bounded, so that a broken deadline fails the test instead of hanging it.
        tokio::task::spawn_blocking(move || {
            let _ = release.lock().unwrap().recv_timeout(Duration::from_secs(3));
            ended.store(true, std::sync::atomic::Ordering::SeqCst);
        })
        .await
        .map_err(|e| StoreError(e.to_string()))?;
        self.inner.window(campaign, query).await
    }
}

/// A computation in progress is cut off by the deadline: the 504 is sent while it runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deadline_cuts_off_a_computation_in_progress() {
    let data = fixture(vec![instance(1, SPRING, "2024-02-29T10:00:00Z", 100)]);
    let (release, held) = std::sync::mpsc::channel();
    let store = Computing {
        inner: Arc::new(store_with(&data)),
        release: Arc::new(std::sync::Mutex::new(held)),
        ended: Arc::default(),
    };
    let ended = Arc::clone(&store.ended);
    let mut settings = config("2024-03-01T00:30:00Z");
    settings.query_deadline = Duration::from_millis(200);
    let server = start_with_store(Arc::new(store), settings).await;
    let answered = tokio::time::timeout(
        Duration::from_secs(20),
        analytics(&server, "time_frame=per_day"),
    )
    .await;
    let ended_first = ended.load(std::sync::atomic::Ordering::SeqCst);
    let _ = release.send(());
    let r = answered.expect("an answer");
    assert!(
        !ended_first,
        "the answer came only once the computation had ended"
    );
    assert_eq!(r.status, 504, "{}", r.body);
}

#[async_trait]
impl Store for Faulty {
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
        match self.fault {
            Fault::Slow => {
                tokio::time::sleep(Duration::from_secs(5)).await;
                self.inner.window(campaign, query).await
            }
            Fault::Fail => Err(StoreError(
                "disk on fire (sk_test_SECRETSECRETSECRETSECRETSECRET12)\nFORGED line".into(),
            )),
            Fault::Panic => panic!("a bug near %2573k_live_SECRETSECRETSECRETSECRETSECRET34"),
        }
    }
}

async fn server_with(fault: Fault) -> TestServer {
    let data = fixture(vec![instance(1, SPRING, "2024-02-29T10:00:00Z", 100)]);
    let store = Faulty {
        inner: Arc::new(store_with(&data)),
        fault,
    };
    let mut settings = config("2024-03-01T00:30:00Z");
    settings.query_deadline = Duration::from_millis(200);
    start_with_store(Arc::new(store), settings).await
}

#[tokio::test]
async fn a_slow_query_is_a_504() {
    let server = server_with(Fault::Slow).await;
    let r = analytics(&server, "time_frame=per_day").await;
    assert_eq!(r.status, 504);
    assert_eq!(r.body["error"], "Gateway Timeout");
    assert_eq!(r.body["message"], "Request timeout. Please try again.");
    assert!(r.body["details"].as_str().unwrap().contains("200 ms"));
    assert!(r.header("x-ratelimit-remaining").is_some());
    assert_documented(&openapi(), ANALYTICS_OPENAPI_PATH, &r);
}

#[tokio::test]
async fn failures_and_panics_are_500_envelopes() {
    // The server's hook (panics logged through the sanitizing log), and the default
    // one after it so that this binary's own failures still print.
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        log_panic(info);
        default(info);
    }));
    for (fault, logged) in [
        (
            Fault::Fail,
            "store failure: disk on fire (sk_test_[redacted])\\nFORGED line",
        ),
        (Fault::Panic, "a bug near sk_live_[redacted]"),
    ] {
        let log = capture_log();
        let server = server_with(fault).await;
        let r = analytics(&server, "time_frame=per_day").await;
        assert_eq!(r.status, 500);
        assert_eq!(r.body["error"], "Internal Server Error");
        assert_eq!(
            r.body["message"],
            "An unexpected error occurred. Please try again later"
        );
        assert_eq!(
            r.body["meta"]["requestId"],
            r.header("x-request-id").unwrap()
        );
        let text = r.body.to_string();
        assert!(
            !text.contains("fire") && !text.contains("a bug") && !text.contains("SECRET"),
            "{text}"
        );
        assert_documented(&openapi(), ANALYTICS_OPENAPI_PATH, &r);
        // The log tells what happened, under the request id, with the key masked and
        // the line break escaped (no forged line).
        let id = r.header("x-request-id").unwrap();
        let text = log.text();
        assert!(text.contains(logged), "{text}");
        let mine = log.lines_with(id);
        assert!(mine.iter().any(|l| l.contains(" 500 ")), "{text}");
        assert!(!text.contains("SECRET"), "a key in the log: {text}");
        assert!(!text.lines().any(|l| l.starts_with("FORGED")), "{text}");
        // The server goes on.
        assert_eq!(get(&server, "/healthz", None).await.status, 200);
    }
}
