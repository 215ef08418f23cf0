//! Rate limiting over HTTP: the partner budgets (both of them) and the limit on failed
//! authentications per client address. Time is a manual clock moved by the tests (no
//! sleeping); the per-second arithmetic is unit-tested in `rate_limit.rs`.

mod common;

use campaign_analytics_server::clock::LimitClock;
use campaign_analytics_server::http::rate_limit::{
    Budget, Decision, LimiterBackend, LimiterError, Subject,
};
use common::*;
use std::time::Duration;

const T0: u64 = 1_900_000_000;
const HOUR: Duration = Duration::from_secs(3600);

const NOW: &str = "2024-03-01T00:30:00Z";
const DAY: &str = "time_frame=per_day";
const RANGE: &str = "time_frame=custom_range&start_date=2024-02-01&end_date=2024-02-29";

fn data() -> serde_json::Value {
    fixture(vec![instance(1, SPRING, "2024-02-29T10:00:00Z", 100)])
}

fn num(reply: &Reply, name: &str) -> u64 {
    reply
        .header(name)
        .unwrap_or_else(|| panic!("{name} missing"))
        .parse()
        .unwrap()
}

#[tokio::test]
async fn budgets_are_spent_and_come_back() {
    let clock = LimitClock::manual(T0);
    let mut settings = config(NOW);
    settings.rate_limit = 3;
    settings.custom_range_rate_limit = 2;
    settings.limit_clock = clock.clone();
    let server = start(&data(), settings).await;

    for remaining in [2, 1, 0] {
        let r = analytics(&server, DAY).await;
        assert_eq!(r.status, 200);
        assert_eq!(
            (
                num(&r, "x-ratelimit-limit"),
                num(&r, "x-ratelimit-remaining")
            ),
            (3, remaining)
        );
    }
    let refused = analytics(&server, DAY).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.body["error"], "Too Many Requests");
    assert_eq!(
        refused.body["message"],
        "Rate limit exceeded. Please try again later"
    );
    assert_eq!(num(&refused, "x-ratelimit-remaining"), 0);
    assert_eq!(num(&refused, "retry-after"), 3600);
    assert_eq!(num(&refused, "x-ratelimit-reset"), T0 + 3600);
    assert_documented(&openapi(), ANALYTICS_OPENAPI_PATH, &refused);
    // Every other request kind draws on the same budget, 400s included.
    assert_eq!(analytics(&server, "time_frame=nope").await.status, 429);

    // custom_range has its own budget.
    for remaining in [1, 0] {
        let r = analytics(&server, RANGE).await;
        assert_eq!(r.status, 200);
        assert_eq!(
            (
                num(&r, "x-ratelimit-limit"),
                num(&r, "x-ratelimit-remaining")
            ),
            (2, remaining)
        );
    }
    assert_eq!(analytics(&server, RANGE).await.status, 429);
    // Another partner is not affected.
    let other = get(
        &server,
        &analytics_path(THEIRS, "time_frame=per_month"),
        Some(OTHER_KEY),
    )
    .await;
    assert_eq!(num(&other, "x-ratelimit-remaining"), 2);

    // One second before the window has rolled past: still refused; then both are back.
    clock.advance(HOUR - Duration::from_secs(1));
    assert_eq!(analytics(&server, DAY).await.status, 429);
    assert_eq!(analytics(&server, RANGE).await.status, 429);
    clock.advance(Duration::from_secs(1));
    let r = analytics(&server, DAY).await;
    assert_eq!((r.status, num(&r, "x-ratelimit-remaining")), (200, 2));
    let r = analytics(&server, RANGE).await;
    assert_eq!((r.status, num(&r, "x-ratelimit-remaining")), (200, 1));
}

#[tokio::test]
async fn zero_disables_the_budget() {
    let mut settings = config(NOW);
    settings.rate_limit = 0;
    let server = start(&data(), settings).await;
    for _ in 0..20 {
        let r = analytics(&server, DAY).await;
        assert_eq!(r.status, 200);
        assert!(r.header("x-ratelimit-limit").is_none());
    }
}

#[tokio::test]
async fn failed_authentications_are_limited_per_address_but_a_valid_key_is_served() {
    let clock = LimitClock::manual(T0);
    let mut settings = config(NOW);
    settings.auth_failure_limit = 3;
    settings.auth_failure_window = Duration::from_secs(600);
    settings.limit_clock = clock.clone();
    let server = start(&data(), settings).await;
    let path = analytics_path(SPRING, DAY);

    // A request without any key is not a guess: always 401, never counted.
    for _ in 0..5 {
        assert_eq!(get(&server, &path, None).await.status, 401);
    }
    assert_eq!(get(&server, &path, Some(UNKNOWN_KEY)).await.status, 401);
    assert_eq!(
        get(&server, &path, Some("sk_test_malformed")).await.status,
        401
    );
    assert_eq!(get(&server, &path, Some(UNKNOWN_KEY)).await.status, 401);
    // The address has spent its budget: a flood of guesses is shed with 429…
    for _ in 0..40 {
        let blocked = get(&server, &path, Some(UNKNOWN_KEY)).await;
        assert_eq!(blocked.status, 429);
        assert_eq!(blocked.body["error"], "Too Many Requests");
        assert_eq!(num(&blocked, "retry-after"), 600);
        assert!(blocked.header("x-ratelimit-limit").is_none());
        assert_documented(&openapi(), ANALYTICS_OPENAPI_PATH, &blocked);
    }
    assert_eq!(get(&server, &path, Some("Bearer nope")).await.status, 429);
    // …while a valid key from the same address is served, every time.
    for _ in 0..3 {
        let served = get(&server, &path, Some(ACME_KEY)).await;
        assert_eq!(served.status, 200, "{}", served.body);
    }
    assert_eq!(get(&server, &path, Some(OTHER_KEY)).await.status, 403);
    // Missing keys stay 401 even from a limited address.
    assert_eq!(get(&server, &path, None).await.status, 401);

    // Once the failures have aged out of the window, guesses get 401 again.
    clock.advance(Duration::from_secs(599));
    assert_eq!(get(&server, &path, Some(UNKNOWN_KEY)).await.status, 429);
    clock.advance(Duration::from_secs(1));
    assert_eq!(get(&server, &path, Some(UNKNOWN_KEY)).await.status, 401);
}

/// A limiter backend that never answers, or fails.
struct Broken {
    hang: bool,
}

#[async_trait::async_trait]
impl LimiterBackend for Broken {
    async fn acquire(
        &self,
        _budget: Budget,
        _subject: Subject,
        _now: u64,
    ) -> Result<Decision, LimiterError> {
        if self.hang {
            std::future::pending::<()>().await;
        }
        Err(LimiterError("the shared store is unreachable".into()))
    }
}

#[tokio::test]
async fn a_broken_limiter_backend_never_hangs_a_request_nor_locks_out_a_guess_as_500() {
    for (hang, partner_status) in [(true, 504), (false, 500)] {
        let mut settings = config(NOW);
        settings.rate_limit = 5;
        settings.auth_failure_limit = 5;
        settings.query_deadline = Duration::from_millis(200);
        settings.limiter = Some(std::sync::Arc::new(Broken { hang }));
        let server = start(&data(), settings).await;
        // The partner's budget cannot be checked: an error envelope, not a hang.
        let r = tokio::time::timeout(Duration::from_secs(20), analytics(&server, DAY))
            .await
            .expect("an answer within the deadline");
        assert_eq!(r.status, partner_status, "{}", r.body);
        assert_documented(&openapi(), ANALYTICS_OPENAPI_PATH, &r);
        // An unknown key is still a plain 401.
        let path = analytics_path(SPRING, DAY);
        assert_eq!(get(&server, &path, Some(UNKNOWN_KEY)).await.status, 401);
    }
}
