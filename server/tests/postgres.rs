//! What only PostgreSQL does: replicas on one database (one budget, imports seen by
//! all), the rate limiter's conformance there, and an outage of the database mid-run.
//! The analytics suite itself runs against PostgreSQL in `api_postgres.rs`.

mod common;

use campaign_analytics_server::http::rate_limit::{
    conformance, Budget, BudgetKind, LimiterBackend, Subject,
};
use campaign_analytics_server::store::postgres::PgStore;
use campaign_analytics_server::store::Ingest;
use common::pg::{Cluster, Database};
use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_campaign-analytics-server");
const NOW: &str = "2024-03-01T00:30:00Z";

fn spring(n: u32) -> Vec<Value> {
    (1..=n)
        .map(|i| {
            let revenue = if i % 3 == 0 { 1999 } else { 0 };
            instance(
                i,
                SPRING,
                &format!("2024-02-{:02}T10:00:00Z", 1 + i % 28),
                revenue,
            )
        })
        .collect()
}

/// A fresh database (dropped with the first value) and a store on it with `pool` connections.
async fn open_store(pool: usize) -> (Database, PgStore) {
    let db = Database::create();
    let url = db.url.clone();
    let store = tokio::task::spawn_blocking(move || PgStore::open(&url, pool).unwrap())
        .await
        .unwrap();
    (db, store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_limiter_conforms_on_postgres() {
    let (_db, store) = open_store(8).await;
    conformance(&store.limiter())
        .await
        .expect("the PostgreSQL limiter passes the conformance check");
}

/// The limiter's work per event does not grow with the seconds of its window that counted
/// events (hundreds here), expired seconds leave the count exactly, and the pruning of
/// idle subjects drops them whole while a live subject keeps its budget.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_limiter_forgets_expired_seconds_exactly_and_prunes_idle_subjects() {
    let (_db, store) = open_store(4).await;
    let limiter = store.limiter();
    let t0: u64 = 1_900_000_000;
    let budget = |limit| Budget {
        kind: BudgetKind::Requests,
        limit,
        window_secs: 3600,
    };
    let (busy, idle, live) = (
        Subject::Partner(uuid::Uuid::from_u128(1)),
        Subject::Partner(uuid::Uuid::from_u128(2)),
        Subject::Partner(uuid::Uuid::from_u128(3)),
    );

    // 500 events, one per second: after the window moves 251 seconds on, 249 remain.
    for i in 0..500 {
        let d = limiter.acquire(budget(1000), busy, t0 + i).await.unwrap();
        assert!(d.allowed && d.remaining == 1000 - 1 - i as u32);
    }
    let d = limiter
        .acquire(budget(1000), busy, t0 + 3600 + 250)
        .await
        .unwrap();
    assert!(d.allowed);
    assert_eq!(
        d.remaining,
        1000 - 250,
        "249 seconds left in the window, and this one"
    );
    assert_eq!(
        d.reset_at,
        t0 + 251 + 3600,
        "the oldest second still counted resets first"
    );

    limiter.acquire(budget(2), idle, t0).await.unwrap();
    limiter.acquire(budget(2), live, t0 + 3000).await.unwrap();
    // An hour after `idle`'s only event: it is dropped, `live` (and `busy`) are kept.
    let pruned = store.prune_rate_events(t0 + 3700, 3600).await.unwrap();
    assert_eq!(pruned, 1, "only the idle subject's one counted second goes");
    let d = limiter.acquire(budget(2), live, t0 + 3700).await.unwrap();
    assert!(
        d.allowed && d.remaining == 0,
        "the live subject still counts its event"
    );
    assert!(
        !limiter
            .acquire(budget(2), live, t0 + 3701)
            .await
            .unwrap()
            .allowed
    );
    let d = limiter.acquire(budget(2), idle, t0 + 3700).await.unwrap();
    assert!(
        d.allowed && d.remaining == 1,
        "the idle subject starts afresh"
    );
}

/// Replicas' clocks differ by a few seconds: an event counted by a replica whose clock is
/// behind lands before the oldest counted second, moves the reset earlier, and leaves the
/// window exactly when its own second does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_limiter_counts_an_event_from_a_replica_whose_clock_is_behind() {
    let (_db, store) = open_store(4).await;
    let limiter = store.limiter();
    let budget = Budget {
        kind: BudgetKind::Requests,
        limit: 3,
        window_secs: 3600,
    };
    let p = Subject::Partner(uuid::Uuid::from_u128(7));
    let t0: u64 = 1_900_000_000;

    let d = limiter.acquire(budget, p, t0).await.unwrap();
    assert_eq!((d.remaining, d.reset_at), (2, t0 + 3600));
    // A replica 5 s behind: counted, and now the oldest second.
    let d = limiter.acquire(budget, p, t0 - 5).await.unwrap();
    assert!(d.allowed);
    assert_eq!((d.remaining, d.reset_at), (1, t0 - 5 + 3600));
    // When the lagging second has left the window (and t0's has not), one slot is back.
    let d = limiter.acquire(budget, p, t0 - 5 + 3600).await.unwrap();
    assert!(d.allowed);
    assert_eq!(
        (d.remaining, d.reset_at),
        (1, t0 + 3600),
        "t0 and this event remain"
    );
    let d = limiter.acquire(budget, p, t0 - 5 + 3601).await.unwrap();
    assert!(d.allowed && d.remaining == 0);
    assert!(
        !limiter.acquire(budget, p, t0 + 3599).await.unwrap().allowed,
        "three counted"
    );
}

/// A `serve` process; killed when dropped.
struct Replica {
    child: Child,
    base: String,
}

impl Replica {
    fn start(url: &str, extra: &[&str]) -> Replica {
        let mut child = Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0", "--now", NOW, "--db", url])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Replica { child, base }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn status_of(base: &str, path: &str, key: Option<&str>) -> (u16, Value) {
    let mut request = reqwest::Client::new().get(format!("{base}{path}"));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.expect("an answer");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

fn import(url: &str, dir: &std::path::Path, name: &str, fixture: &Value) {
    let path = dir.join(name);
    std::fs::write(&path, fixture.to_string()).unwrap();
    let out = Command::new(BIN)
        .args(["import", "--db", url])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_share_one_budget_and_see_each_others_imports() {
    let db = Database::create();
    let dir = tempfile::tempdir().unwrap();
    import(&db.url, dir.path(), "first.json", &fixture(spring(30)));
    let limits = ["--rate-limit", "5", "--custom-range-rate-limit", "1000"];
    let a = Replica::start(&db.url, &limits);
    let b = Replica::start(&db.url, &limits);
    let per_month = analytics_path(SPRING, "time_frame=per_month");

    // Five requests spread over both replicas are allowed, the sixth is refused, by
    // either replica.
    for i in 0..5 {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        let (status, body) = status_of(base, &per_month, Some(ACME_KEY)).await;
        assert_eq!(status, 200, "request {} of 5: {body}", i + 1);
        assert_eq!(body["data"]["summary"]["total_instances"], 30);
    }
    for base in [&a.base, &b.base] {
        let (status, body) = status_of(base, &per_month, Some(ACME_KEY)).await;
        assert_eq!(status, 429, "past the shared budget: {body}");
        assert_eq!(body["success"], false);
    }

    // An import through the command line is served by both within 10 s (custom
    // ranges have their own budget, far from spent).
    let february = analytics_path(
        SPRING,
        "time_frame=custom_range&start_date=2024-02-01&end_date=2024-02-29",
    );
    for base in [&a.base, &b.base] {
        let (status, body) = status_of(base, &february, Some(ACME_KEY)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["summary"]["total_instances"], 30);
    }
    import(&db.url, dir.path(), "second.json", &fixture(spring(60)));
    let started = Instant::now();
    let mut seen = [false, false];
    while started.elapsed() < Duration::from_secs(10) && seen != [true, true] {
        for (i, base) in [&a.base, &b.base].into_iter().enumerate() {
            let (status, body) = status_of(base, &february, Some(ACME_KEY)).await;
            assert_eq!(status, 200, "{body}");
            let total = body["data"]["summary"]["total_instances"].as_u64().unwrap();
            assert!(
                total == 30 || total == 60,
                "old or new data, nothing between: {total}"
            );
            seen[i] |= total == 60;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        seen,
        [true, true],
        "both replicas serve the import within 10 s"
    );
}

/// The failed-authentication budget of a client address is one across replicas too:
/// unknown keys spread over both get 401 until the budget is spent, then 429 from either,
/// while a valid key from the same address is still served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_share_the_failed_authentication_budget() {
    let db = Database::create();
    let dir = tempfile::tempdir().unwrap();
    import(&db.url, dir.path(), "data.json", &fixture(spring(3)));
    let limits = ["--auth-failure-limit", "3"];
    let a = Replica::start(&db.url, &limits);
    let b = Replica::start(&db.url, &limits);
    let per_month = analytics_path(SPRING, "time_frame=per_month");
    let unknown = "sk_test_UnknownKey0000000000000000000000";

    for i in 0..3 {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        let (status, body) = status_of(base, &per_month, Some(unknown)).await;
        assert_eq!(status, 401, "failure {} of 3: {body}", i + 1);
    }
    for base in [&a.base, &b.base] {
        let (status, body) = status_of(base, &per_month, Some(unknown)).await;
        assert_eq!(
            status, 429,
            "past the shared failed-authentication budget: {body}"
        );
        assert_eq!(body["success"], false);
    }
    for base in [&a.base, &b.base] {
        let (status, body) = status_of(base, &per_month, Some(ACME_KEY)).await;
        assert_eq!(status, 200, "a valid key is always served: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_gives_errors_and_unready_then_recovers() {
    // A cluster of its own: this test stops it.
    let cluster = Cluster::start();
    cluster.create_database("outage");
    let url = cluster.url("outage");
    let store = tokio::task::spawn_blocking(move || {
        let store = PgStore::open(&url, 4).unwrap();
        let batch =
            campaign_analytics_server::import::parse_fixture(&fixture(spring(10)).to_string())
                .unwrap();
        store.import(&batch).unwrap();
        store
    })
    .await
    .unwrap();
    let mut settings = config(NOW);
    settings.limiter = Some(Arc::new(store.limiter()));
    let server = start_with_store(Arc::new(store), settings).await;
    let path = analytics_path(SPRING, "time_frame=per_month");

    let ok = get(&server, &path, Some(ACME_KEY)).await;
    assert_eq!(ok.status, 200);
    assert_eq!(get(&server, "/readyz", None).await.status, 200);

    cluster.stop_server();
    let down = get(&server, &path, Some(ACME_KEY)).await;
    assert!(
        down.status == 500 || down.status == 503,
        "a store outage is a 500 or 503, got {}",
        down.status
    );
    assert_eq!(
        down.body["success"], false,
        "the error envelope: {}",
        down.body
    );
    assert!(
        !down.body.to_string().contains("database"),
        "no internals leak: {}",
        down.body
    );
    let ready = get(&server, "/readyz", None).await;
    assert_eq!(ready.status, 503, "not ready without the database");
    assert_eq!(
        get(&server, "/healthz", None).await.status,
        200,
        "still alive"
    );

    cluster.start_server();
    let started = Instant::now();
    loop {
        let again = get(&server, &path, Some(ACME_KEY)).await;
        let ready = get(&server, "/readyz", None).await;
        if again.status == 200 && ready.status == 200 {
            assert_eq!(again.body["data"]["summary"]["total_instances"], 10);
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no recovery after the database came back: {} {}",
            again.status,
            ready.status
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reimports_skip_identical_records_and_refuse_different_ones() {
    let db = Database::create();
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        let store = PgStore::open(&url, 2).unwrap();
        let parse =
            |v: &Value| campaign_analytics_server::import::parse_fixture(&v.to_string()).unwrap();
        let first = store.import(&parse(&fixture(spring(20)))).unwrap();
        assert_eq!(first.instances, 21);

        // The same file again, plus five new instances: the ids already stored are found
        // (the optimistic COPY fails and falls back to looking them up), only the new
        // ones are added.
        let again = store.import(&parse(&fixture(spring(25)))).unwrap();
        assert_eq!(again.instances, 5, "{again:?}");
        assert_eq!(again.unchanged, 2 + 3 + 21, "{again:?}");

        // A stored id with different content is refused, naming it, and nothing changes.
        let mut changed = spring(30);
        changed[7]["revenue"] = serde_json::json!(12.34);
        changed[7]["is_purchase"] = serde_json::json!(true);
        changed[7]["purchased_insider_id"] =
            serde_json::json!("30000000-0000-4000-8000-0000000000aa");
        let error = store.import(&parse(&fixture(changed))).unwrap_err();
        assert_eq!(error.location, "instances[7].instance_id", "{error}");
        assert!(error.message.contains("different instance"), "{error}");
        let counts = store.instance_counts().unwrap();
        let spring_id: uuid::Uuid = SPRING.parse().unwrap();
        assert_eq!(counts[&spring_id], 25, "the refused import changed nothing");
    })
    .await
    .unwrap();
}
