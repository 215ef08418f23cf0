//! The engine under a pinned clock and a scripted transport, run step by step with a local
//! executor: time only moves when a test moves it, so waits are checked exactly and
//! nothing depends on the speed of the machine.
#![allow(clippy::result_large_err)]

use super::*;
use crate::api::reply::RawResponse;
use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::task::Waker;

const KEY: &str = "sk_test_AcmeE2eKey0000000000000000000000";
const OTHER_KEY: &str = "sk_test_OtherKey000000000000000000000000";
const CAMPAIGN: &str = "c0000000-0000-4000-8000-000000000001";
const T0: i64 = 1_795_000_000_000;

/// A clock that moves only when told, recording every sleep asked of it.
#[derive(Default)]
struct Clock {
    now: Cell<i64>,
    wakers: RefCell<Vec<Waker>>,
    sleeps: RefCell<Vec<u32>>,
    seed: Cell<u64>,
}

#[derive(Clone)]
struct FakeEnv(Rc<Clock>);

impl FakeEnv {
    fn new() -> FakeEnv {
        let clock = Clock::default();
        clock.now.set(T0);
        clock.seed.set(0x9E37_79B9_7F4A_7C15);
        FakeEnv(Rc::new(clock))
    }

    fn advance(&self, ms: i64) {
        self.0.now.set(self.0.now.get() + ms);
        for waker in self.0.wakers.borrow_mut().drain(..) {
            waker.wake();
        }
    }

    fn sleeps(&self) -> Vec<u32> {
        self.0.sleeps.borrow().clone()
    }
}

struct Timer {
    clock: Rc<Clock>,
    deadline: i64,
}

impl Future for Timer {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.clock.now.get() >= self.deadline {
            Poll::Ready(())
        } else {
            self.clock.wakers.borrow_mut().push(cx.waker().clone());
            Poll::Pending
        }
    }
}

impl Env for FakeEnv {
    fn now_ms(&self) -> i64 {
        self.0.now.get()
    }
    fn random_u64(&self) -> u64 {
        // xorshift64: a fixed sequence, different every call.
        let mut x = self.0.seed.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0.seed.set(x);
        x
    }
    fn sleep(&self, ms: u32) -> LocalFuture<()> {
        self.0.sleeps.borrow_mut().push(ms);
        Box::pin(Timer {
            clock: self.0.clone(),
            deadline: self.0.now.get() + i64::from(ms),
        })
    }
}

/// What the scripted server does with the next request.
#[derive(Clone)]
enum Step {
    Answer(RawResponse),
    NoAnswer(NoAnswer),
    /// Never answers; ends as aborted when the request's cancel fires.
    Hang,
}

type Sent = Rc<RefCell<Vec<(ApiRequest, Cancel)>>>;

fn scripted(steps: Vec<Step>) -> (Transport, Sent) {
    let steps = Rc::new(RefCell::new(VecDeque::from(steps)));
    let sent: Sent = Rc::default();
    let seen = sent.clone();
    let transport: Transport = Rc::new(move |request: ApiRequest, cancel: Cancel| {
        seen.borrow_mut().push((request, cancel.clone()));
        let step = steps
            .borrow_mut()
            .pop_front()
            .expect("an unscripted request was sent");
        Box::pin(async move {
            match step {
                Step::Answer(raw) => Ok(raw),
                Step::NoAnswer(why) => Err(why),
                Step::Hang => {
                    cancel.aborted().await;
                    Err(NoAnswer::Aborted)
                }
            }
        })
    });
    (transport, sent)
}

fn ok_body(page: u32) -> String {
    format!(
        r#"{{"success":true,"message":"ok","data":{{"campaign_id":"{CAMPAIGN}","time_frame":"per_day","instances":[],"summary":{{"total_instances":3,"purchase_instances":1,"non_purchase_instances":2,"total_revenue":9.5,"conversion_rate":0.3333}}}},"pagination":{{"page":{page},"limit":50,"total":3,"totalPages":1,"hasNext":false,"hasPrevious":{}}},"meta":{{"timestamp":"2026-11-20T12:00:00Z","requestId":"x"}}}}"#,
        page > 1
    )
}

fn ok(remaining: u64) -> Step {
    Step::Answer(RawResponse {
        rate_limit: Some("150".into()),
        rate_remaining: Some(remaining.to_string()),
        rate_reset: Some(((T0 / 1000) + 3600).to_string()),
        ..RawResponse::json(200, &ok_body(1))
    })
}

fn error(status: u16, extra: &str) -> RawResponse {
    RawResponse::json(
        status,
        &format!(
            r#"{{"success":false,"error":"E","message":"m"{extra},"meta":{{"timestamp":"2026-11-20T12:00:00Z","requestId":"srv"}}}}"#
        ),
    )
}

fn connection(key: &str) -> Connection {
    Connection {
        base_url: "https://api.example.com".into(),
        key: SecretKey::parse(key).unwrap(),
    }
}

fn query(page: u32) -> AnalyticsQuery {
    crate::contract::validate_request(CAMPAIGN, &format!("time_frame=per_day&page={page}"))
        .query()
        .copied()
        .unwrap()
}

/// Runs the engine's `analytics` on a local executor; the result lands in the cell.
struct Run {
    pool: LocalPool,
    result: Rc<RefCell<Option<Result<Answer, Failed>>>>,
}

impl Run {
    fn start(
        engine: &Engine,
        conn: Connection,
        q: AnalyticsQuery,
        fresh: Freshness,
        cancel: &Cancel,
    ) -> Run {
        let pool = LocalPool::new();
        let result = Rc::new(RefCell::new(None));
        let out = result.clone();
        let engine = engine.clone();
        let cancel = cancel.clone();
        pool.spawner()
            .spawn_local(async move {
                let r = engine.analytics(&conn, &q, fresh, &cancel).await;
                *out.borrow_mut() = Some(r);
            })
            .unwrap();
        let mut run = Run { pool, result };
        run.pool.run_until_stalled();
        run
    }

    fn stalled(&mut self) -> bool {
        self.pool.run_until_stalled();
        self.result.borrow().is_none()
    }

    fn done(mut self) -> Result<Answer, Failed> {
        self.pool.run_until_stalled();
        self.result.borrow_mut().take().expect("finished")
    }
}

fn engine_with(steps: Vec<Step>) -> (Engine, FakeEnv, Sent) {
    let env = FakeEnv::new();
    let (transport, sent) = scripted(steps);
    (Engine::new(transport, Rc::new(env.clone())), env, sent)
}

fn get(
    engine: &Engine,
    conn: Connection,
    q: AnalyticsQuery,
    fresh: Freshness,
) -> Result<Answer, Failed> {
    Run::start(engine, conn, q, fresh, &Cancel::new()).done()
}

#[test]
fn a_cached_answer_costs_nothing_for_five_minutes() {
    let (engine, env, sent) = engine_with(vec![ok(149), ok(148), ok(147), ok(146)]);
    let conn = connection(KEY);
    let first = get(&engine, conn.clone(), query(1), Freshness::CacheFirst).unwrap();
    assert_eq!(first.source, Source::Live { at_ms: T0 });
    assert_eq!(first.requests, 1);
    assert_eq!(sent.borrow().len(), 1);

    env.advance(4 * 60_000 + 59_999);
    let again = get(&engine, conn.clone(), query(1), Freshness::CacheFirst).unwrap();
    assert_eq!(again.source, Source::Cached { at_ms: T0 });
    assert_eq!(again.requests, 0);
    assert!(Arc::ptr_eq(&again.response, &first.response));
    assert_eq!(sent.borrow().len(), 1, "the cache answered");
    assert_eq!(engine.cost(&conn, &[query(1), query(1), query(2)]), 1);

    // Five minutes after it was fetched, it is gone.
    env.advance(1);
    assert!(!engine.is_cached(&conn, &query(1)));
    let late = get(&engine, conn.clone(), query(1), Freshness::CacheFirst).unwrap();
    assert!(matches!(late.source, Source::Live { .. }));
    assert_eq!(sent.borrow().len(), 2);

    // Another key never sees this key's answers; a refresh always asks.
    assert!(!engine.is_cached(&connection(OTHER_KEY), &query(1)));
    let refreshed = get(&engine, conn.clone(), query(1), Freshness::Refresh).unwrap();
    assert!(matches!(refreshed.source, Source::Live { .. }));
    assert_eq!(sent.borrow().len(), 3);
    let other_base = Connection {
        base_url: "https://other.example.com".into(),
        ..conn.clone()
    };
    assert!(!engine.is_cached(&other_base, &query(1)));
    assert_eq!(engine.spent(), 3);
    assert_eq!(engine.quota().unwrap().remaining, 147);
}

#[test]
fn a_503_then_a_200_is_retried_with_a_new_request_id() {
    let (engine, env, sent) = engine_with(vec![Step::Answer(error(503, "")), ok(148)]);
    let mut run = Run::start(
        &engine,
        connection(KEY),
        query(1),
        Freshness::CacheFirst,
        &Cancel::new(),
    );
    assert!(run.stalled(), "waiting out the backoff");
    assert_eq!(sent.borrow().len(), 1);
    let wait = *env.sleeps().last().unwrap();
    assert!(wait <= 500, "full jitter within the base: {wait}");
    env.advance(i64::from(wait));
    let answer = run.done().unwrap();
    assert_eq!(answer.requests, 2);
    let sent = sent.borrow();
    assert_eq!(sent.len(), 2);
    assert_ne!(sent[0].0.request_id, sent[1].0.request_id);
    for (request, _) in sent.iter() {
        let id = uuid::Uuid::parse_str(&request.request_id).unwrap();
        assert_eq!(id.get_version_num(), 4);
        assert_eq!(request.key.as_ref().unwrap().expose(), KEY);
    }
}

#[test]
fn the_server_wait_is_used_up_to_30_s_and_retries_stop_after_two() {
    // 503 with retry_after 7 in its body, then 502, then 504: three attempts, then the 504.
    let with_header = |status| RawResponse {
        retry_after: Some("2".into()),
        ..error(status, "")
    };
    let (engine, env, sent) = engine_with(vec![
        Step::Answer(error(503, r#","retry_after":7"#)),
        Step::Answer(with_header(502)),
        Step::Answer(error(504, "")),
    ]);
    let mut run = Run::start(
        &engine,
        connection(KEY),
        query(1),
        Freshness::CacheFirst,
        &Cancel::new(),
    );
    assert!(run.stalled());
    assert_eq!(env.sleeps().last(), Some(&7_000));
    env.advance(6_999);
    assert!(run.stalled());
    assert_eq!(sent.borrow().len(), 1, "not a millisecond early");
    env.advance(1);
    assert!(run.stalled());
    assert_eq!(sent.borrow().len(), 2);
    assert_eq!(env.sleeps().last(), Some(&2_000), "Retry-After of the 502");
    env.advance(2_000);
    let failed = run.done().unwrap_err();
    assert!(matches!(
        failed.failure.error,
        ApiError::GatewayTimeout { .. }
    ));
    assert_eq!(failed.requests, 3);
    assert_eq!(sent.borrow().len(), 3);

    // A wait over 30 s is not waited: the failure is shown with it.
    let (engine, _env, sent) = engine_with(vec![Step::Answer(error(503, r#","retry_after":31"#))]);
    let failed = get(&engine, connection(KEY), query(1), Freshness::CacheFirst).unwrap_err();
    assert_eq!(
        failed.failure.error,
        ApiError::Unavailable {
            retry_after_secs: Some(31),
            details: None
        }
    );
    assert_eq!(sent.borrow().len(), 1);
}

#[test]
fn a_400_a_429_and_a_redirect_are_never_retried() {
    let limited = RawResponse {
        rate_limit: Some("150".into()),
        rate_remaining: Some("0".into()),
        rate_reset: Some(((T0 / 1000) + 600).to_string()),
        retry_after: Some("600".into()),
        ..error(429, "")
    };
    for (step, kind) in [
        (Step::Answer(error(400, r#","fields":[]"#)), "400"),
        (Step::Answer(limited), "429"),
        (Step::NoAnswer(NoAnswer::Redirected), "redirect"),
        (Step::Answer(error(401, "")), "401"),
        (Step::Answer(error(500, "")), "500"),
    ] {
        let (engine, env, sent) = engine_with(vec![step]);
        let failed = get(&engine, connection(KEY), query(1), Freshness::CacheFirst).unwrap_err();
        assert_eq!(sent.borrow().len(), 1, "{kind} was retried");
        assert_eq!(failed.requests, 1);
        assert!(
            env.sleeps().iter().all(|ms| *ms == DEFAULT_TIMEOUT_MS),
            "{kind} waited"
        );
        if kind == "429" {
            assert_eq!(engine.quota().unwrap().remaining, 0);
            assert!(matches!(failed.failure.error, ApiError::RateLimited { .. }));
        }
        if kind == "redirect" {
            assert!(matches!(failed.failure.error, ApiError::Redirected { .. }));
        }
    }
}

#[test]
fn the_network_is_retried_and_a_cancel_stops_the_backoff() {
    let (engine, env, sent) = engine_with(vec![Step::NoAnswer(NoAnswer::Network)]);
    let cancel = Cancel::new();
    let mut run = Run::start(
        &engine,
        connection(KEY),
        query(1),
        Freshness::CacheFirst,
        &cancel,
    );
    assert!(run.stalled(), "in the backoff");
    cancel.abort();
    let failed = run.done().unwrap_err();
    assert_eq!(failed.failure.error, ApiError::Superseded);
    assert_eq!(sent.borrow().len(), 1, "nothing more was sent");
    let _ = env;
}

#[test]
fn a_request_that_hangs_times_out_and_its_fetch_is_aborted() {
    let (engine, env, sent) = engine_with(vec![Step::Hang]);
    engine.set_timeout_ms(2_000);
    let mut run = Run::start(
        &engine,
        connection(KEY),
        query(1),
        Freshness::CacheFirst,
        &Cancel::new(),
    );
    env.advance(1_999);
    assert!(run.stalled());
    assert!(!sent.borrow()[0].1.is_aborted());
    env.advance(1);
    let failed = run.done().unwrap_err();
    assert_eq!(
        failed.failure.error,
        ApiError::Timeout { timeout_ms: 2_000 }
    );
    assert!(
        sent.borrow()[0].1.is_aborted(),
        "the attempt's fetch was aborted"
    );
}

#[test]
fn a_newer_request_aborts_the_older_fetch() {
    let (engine, _env, sent) = engine_with(vec![Step::Hang]);
    let cancel = Cancel::new();
    let mut run = Run::start(
        &engine,
        connection(KEY),
        query(1),
        Freshness::CacheFirst,
        &cancel,
    );
    assert!(run.stalled());
    cancel.abort();
    assert!(sent.borrow()[0].1.is_aborted());
    assert_eq!(run.done().unwrap_err().failure.error, ApiError::Superseded);
}

#[test]
fn waiting_for_the_quota_reset_can_be_cancelled() {
    let (engine, env, _sent) = engine_with(vec![]);
    let run_wait = |cancel: &Cancel| {
        let pool = LocalPool::new();
        let done = Rc::new(Cell::new(None));
        let out = done.clone();
        let engine = engine.clone();
        let cancel = cancel.clone();
        pool.spawner()
            .spawn_local(
                async move { out.set(Some(engine.wait_until(T0 / 1000 + 600, &cancel).await)) },
            )
            .unwrap();
        (pool, done)
    };
    let cancel = Cancel::new();
    let (mut pool, done) = run_wait(&cancel);
    pool.run_until_stalled();
    env.advance(300_000);
    pool.run_until_stalled();
    assert_eq!(done.get(), None, "still waiting half way");
    cancel.abort();
    pool.run_until_stalled();
    assert_eq!(done.get(), Some(false), "cancelled at once");

    let (mut pool, done) = run_wait(&Cancel::new());
    pool.run_until_stalled();
    env.advance(299_999);
    pool.run_until_stalled();
    assert_eq!(done.get(), None);
    env.advance(1);
    pool.run_until_stalled();
    assert_eq!(done.get(), Some(true));
}

#[test]
fn cost_and_quota_arithmetic() {
    let (engine, env, _sent) = engine_with(vec![ok(3), ok(2)]);
    let conn = connection(KEY);
    assert_eq!(engine.quota(), None);
    assert_eq!(engine.cost(&conn, &[query(1), query(2), query(1)]), 2);
    get(&engine, conn.clone(), query(1), Freshness::CacheFirst).unwrap();
    assert_eq!(engine.cost(&conn, &[query(1), query(2), query(1)]), 1);
    get(&engine, conn.clone(), query(2), Freshness::CacheFirst).unwrap();
    assert_eq!(engine.cost(&conn, &[query(1), query(2)]), 0);
    assert_eq!(engine.spent(), 2);
    let q = engine.quota().unwrap();
    assert_eq!((q.limit, q.remaining), (150, 2));
    // The window frees up at the reset time.
    env.advance(3_600_000);
    assert_eq!(engine.quota().unwrap().remaining, 150);
}

#[test]
fn the_demo_is_asked_without_a_key() {
    let body = r#"{"success":true,"message":"ok","data":{"partners":[{"name":"Acme","key":"sk_test_AcmeE2eKey0000000000000000000000","campaigns":[{"id":"c0000000-0000-4000-8000-000000000001","name":"Spring","status":"active"}]}]},"meta":{"timestamp":"2026-11-20T12:00:00Z","requestId":"x"}}"#;
    let (engine, _env, sent) = engine_with(vec![Step::Answer(RawResponse::json(200, body))]);
    let pool_result = {
        let mut pool = LocalPool::new();
        let engine = engine.clone();
        pool.run_until(async move { engine.demo("https://api.example.com", &Cancel::new()).await })
    };
    let demo = pool_result.unwrap();
    assert_eq!(demo.data.partners[0].name, "Acme");
    assert!(sent.borrow()[0].0.key.is_none());
    assert_eq!(sent.borrow()[0].0.path, "/api/demo");
}

// Whole-window fetches, with the helpers above.
mod window;
