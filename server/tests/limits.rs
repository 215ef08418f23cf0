//! Rate limiting over HTTP: the partner budgets (both of them) and the limit on failed
//! authentications per client address. The window is shortened to 4 seconds here; the
//! hour-long arithmetic is unit-tested in `rate_limit.rs` with an injected clock.

mod common;

use common::*;
use std::time::Duration;

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
    let mut settings = config(NOW);
    settings.rate_limit = 3;
    settings.custom_range_rate_limit = 2;
    settings.rate_limit_window = Duration::from_secs(4);
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
    let retry = num(&refused, "retry-after");
    assert!((1..=4).contains(&retry), "{retry}");
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

    // Once the window has rolled past, both budgets are back.
    tokio::time::sleep(Duration::from_millis(5100)).await;
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
async fn failed_authentications_are_limited_per_address() {
    let mut settings = config(NOW);
    settings.auth_failure_limit = 3;
    settings.auth_failure_window = Duration::from_secs(4);
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
    // The address is now blocked: guesses are refused unchecked, a right key as well.
    let blocked = get(&server, &path, Some(UNKNOWN_KEY)).await;
    assert_eq!(blocked.status, 429);
    assert!(blocked.header("retry-after").is_some());
    assert!(blocked.header("x-ratelimit-limit").is_none());
    assert_eq!(get(&server, &path, Some(ACME_KEY)).await.status, 429);

    tokio::time::sleep(Duration::from_millis(5100)).await;
    assert_eq!(get(&server, &path, Some(ACME_KEY)).await.status, 200);
}
