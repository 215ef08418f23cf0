//! Whole-window fetches against canned answers, under the pinned clock.

use super::*;
use crate::engine::requests::Requests;
use crate::engine::window::{
    cost_text, fetch_window, pages_for, window_cost, window_query, Progress, WindowEvent,
    WindowStop, PAGE_SIZE, RESERVE,
};

const RESET: i64 = T0 / 1000 + 3600;

/// Page `page` of a window of `total` matching instances, as the server answers it.
fn page_body(page: u32, total: u64) -> String {
    let first = u64::from(page - 1) * u64::from(PAGE_SIZE);
    let count = total.saturating_sub(first).min(u64::from(PAGE_SIZE));
    let instances: Vec<String> = (first..first + count)
        .map(|n| {
            format!(
                r#"{{"instance_id":"10000000-0000-4000-8000-{n:012x}","insider_id":"20000000-0000-4000-8000-{:012x}","is_purchase":true,"purchased_insider_id":"30000000-0000-4000-8000-000000000001","timestamp":"2026-11-20T11:00:00Z","revenue":1.5}}"#,
                n % 7
            )
        })
        .collect();
    let pages = total.div_ceil(100);
    format!(
        r#"{{"success":true,"message":"ok","data":{{"campaign_id":"{CAMPAIGN}","time_frame":"per_day","instances":[{}],"summary":{{"total_instances":{total},"purchase_instances":{total},"non_purchase_instances":0,"total_revenue":0,"conversion_rate":1}}}},"pagination":{{"page":{page},"limit":100,"total":{total},"totalPages":{pages},"hasNext":{},"hasPrevious":{}}},"meta":{{"timestamp":"2026-11-20T12:00:00Z","requestId":"x"}}}}"#,
        instances.join(","),
        u64::from(page) < pages,
        page > 1
    )
}

fn page_step(page: u32, total: u64, remaining: u64) -> Step {
    Step::Answer(RawResponse {
        rate_limit: Some("150".into()),
        rate_remaining: Some(remaining.to_string()),
        rate_reset: Some(RESET.to_string()),
        ..RawResponse::json(200, &page_body(page, total))
    })
}

fn first(purchases_only: bool) -> AnalyticsQuery {
    window_query(&query(1), purchases_only)
}

type Events = Rc<RefCell<Vec<WindowEvent>>>;
type Outcome = Rc<RefCell<Option<Result<Progress, WindowStop>>>>;

/// Starts `fetch_window` on a local executor.
fn start(
    engine: &Engine,
    q: AnalyticsQuery,
    expected: u32,
    cancel: &Cancel,
) -> (LocalPool, Events, Outcome) {
    let mut pool = LocalPool::new();
    let events: Events = Rc::default();
    let outcome: Outcome = Rc::default();
    let (engine, cancel, seen, out) = (
        engine.clone(),
        cancel.clone(),
        events.clone(),
        outcome.clone(),
    );
    pool.spawner()
        .spawn_local(async move {
            let mut on = |e: WindowEvent| seen.borrow_mut().push(e);
            let connection = connection(KEY);
            let r = fetch_window(&engine.on(&connection), &q, expected, &cancel, &mut on).await;
            *out.borrow_mut() = Some(r);
        })
        .unwrap();
    pool.run_until_stalled();
    (pool, events, outcome)
}

fn paths(sent: &Sent) -> Vec<String> {
    sent.borrow().iter().map(|(r, _)| r.path.clone()).collect()
}

fn pages_seen(events: &Events) -> Vec<u32> {
    events
        .borrow()
        .iter()
        .filter_map(|e| match e {
            WindowEvent::Page { page, .. } => Some(*page),
            _ => None,
        })
        .collect()
}

#[test]
fn every_page_once_with_limit_100_and_cached_pages_free() {
    let (engine, _env, sent) = engine_with(vec![
        page_step(2, 250, 149),
        page_step(1, 250, 148),
        page_step(3, 250, 147),
    ]);
    let conn = connection(KEY);
    let q = first(false);
    assert_eq!(pages_for(250), 3);
    assert_eq!(pages_for(0), 1);
    let before = window_cost(&engine.on(&conn), &q, 250);
    assert_eq!((before.pages, before.cached, before.requests), (3, 0, 3));
    // The partner looked at page 2 of this window already.
    get(
        &engine,
        conn.clone(),
        q.with_page(2).unwrap(),
        Freshness::CacheFirst,
    )
    .unwrap();
    let cost = window_cost(&engine.on(&conn), &q, 250);
    assert_eq!((cost.pages, cost.cached, cost.requests), (3, 1, 2));
    assert_eq!(cost.remaining, Some(149));
    assert!(!cost.pauses());
    assert!(cost_text(&cost).starts_with("2 requests for 3 pages (1 cached)"));

    let (mut pool, events, outcome) = start(&engine, q, cost.pages, &Cancel::new());
    pool.run_until_stalled();
    let progress = outcome.borrow_mut().take().unwrap().unwrap();
    assert_eq!(
        progress,
        Progress {
            pages_done: 3,
            pages_total: 3,
            requests: 2
        }
    );
    let sent = paths(&sent);
    assert_eq!(sent.len(), 3, "page 2 came from the cache");
    assert!(
        sent[1].ends_with("?time_frame=per_day&limit=100"),
        "{}",
        sent[1]
    );
    assert!(sent[2].ends_with("?time_frame=per_day&page=3&limit=100"));
    assert_eq!(pages_seen(&events), [1, 2, 3]);
    let sources: Vec<bool> = events
        .borrow()
        .iter()
        .filter_map(|e| match e {
            WindowEvent::Page { source, .. } => Some(matches!(source, Source::Cached { .. })),
            _ => None,
        })
        .collect();
    assert_eq!(sources, [false, true, false]);
}

#[test]
fn purchases_only_asks_for_purchases() {
    let (engine, _env, sent) = engine_with(vec![page_step(1, 120, 149), page_step(2, 120, 148)]);
    let (mut pool, _events, outcome) = start(&engine, first(true), 1, &Cancel::new());
    pool.run_until_stalled();
    // Expected one page, page 1 said two: both fetched.
    assert_eq!(
        outcome
            .borrow()
            .as_ref()
            .unwrap()
            .as_ref()
            .unwrap()
            .pages_total,
        2
    );
    for path in paths(&sent) {
        assert!(
            path.contains("is_purchase=true") && path.contains("limit=100"),
            "{path}"
        );
    }
}

#[test]
fn it_pauses_at_the_reserve_and_resumes_at_the_reset() {
    // Five pages; the quota reads 7, 6, 5 after the first three: the third leaves exactly
    // the reserve, so the fourth waits for the reset.
    let (engine, env, sent) = engine_with(vec![
        page_step(1, 500, RESERVE + 2),
        page_step(2, 500, RESERVE + 1),
        page_step(3, 500, RESERVE),
        page_step(4, 500, 149),
        page_step(5, 500, 148),
    ]);
    let (mut pool, events, outcome) = start(&engine, first(false), 5, &Cancel::new());
    pool.run_until_stalled();
    assert_eq!(sent.borrow().len(), 3);
    assert!(events
        .borrow()
        .contains(&WindowEvent::Paused { until_secs: RESET }));
    let cost = window_cost(&engine.on(&connection(KEY)), &first(false), 500);
    assert_eq!((cost.requests, cost.before_pause), (2, Some(0)));
    assert!(cost.pauses() && cost_text(&cost).contains("pauses until the quota frees up"));

    env.advance(3_600_000 - 1);
    pool.run_until_stalled();
    assert_eq!(sent.borrow().len(), 3, "not a millisecond early");
    assert!(outcome.borrow().is_none());
    env.advance(1);
    pool.run_until_stalled();
    assert!(events.borrow().contains(&WindowEvent::Resumed));
    assert_eq!(sent.borrow().len(), 5);
    assert_eq!(pages_seen(&events), [1, 2, 3, 4, 5]);
    assert_eq!(outcome.borrow_mut().take().unwrap().unwrap().requests, 5);
}

#[test]
fn a_429_pauses_and_asks_the_same_page_again() {
    let limited = RawResponse {
        rate_limit: Some("150".into()),
        rate_remaining: Some("0".into()),
        rate_reset: Some((T0 / 1000 + 600).to_string()),
        retry_after: Some("600".into()),
        ..error(429, "")
    };
    let (engine, env, sent) = engine_with(vec![
        page_step(1, 150, 100),
        Step::Answer(limited),
        page_step(2, 150, 149),
    ]);
    let (mut pool, events, outcome) = start(&engine, first(false), 2, &Cancel::new());
    pool.run_until_stalled();
    assert_eq!(sent.borrow().len(), 2);
    assert!(events.borrow().contains(&WindowEvent::Paused {
        until_secs: T0 / 1000 + 600
    }));
    env.advance(600_000);
    pool.run_until_stalled();
    let p = paths(&sent);
    assert_eq!(p.len(), 3);
    assert_eq!(p[1], p[2], "the refused page, asked again");
    assert_eq!(pages_seen(&events), [1, 2]);
    assert_eq!(outcome.borrow_mut().take().unwrap().unwrap().requests, 3);
}

#[test]
fn cancel_stops_the_request_in_flight_at_once() {
    let (engine, _env, sent) = engine_with(vec![page_step(1, 300, 140), Step::Hang]);
    let cancel = Cancel::new();
    let (mut pool, events, outcome) = start(&engine, first(false), 3, &cancel);
    assert_eq!(sent.borrow().len(), 2);
    assert!(!sent.borrow()[1].1.is_aborted());
    cancel.abort();
    assert!(sent.borrow()[1].1.is_aborted(), "its fetch was aborted");
    pool.run_until_stalled();
    match outcome.borrow_mut().take().unwrap() {
        Err(WindowStop::Cancelled(p)) => assert_eq!((p.pages_done, p.pages_total), (1, 3)),
        other => panic!("{other:?}"),
    }
    assert_eq!(sent.borrow().len(), 2, "nothing sent after the cancel");
    assert_eq!(pages_seen(&events), [1]);
}

#[test]
fn cancel_ends_a_pause() {
    let (engine, _env, sent) = engine_with(vec![page_step(1, 300, RESERVE)]);
    let cancel = Cancel::new();
    let (mut pool, _events, outcome) = start(&engine, first(false), 3, &cancel);
    assert!(outcome.borrow().is_none(), "paused");
    cancel.abort();
    pool.run_until_stalled();
    assert!(matches!(
        outcome.borrow_mut().take(),
        Some(Err(WindowStop::Cancelled(_)))
    ));
    assert_eq!(sent.borrow().len(), 1);
}

#[test]
fn a_failure_stops_the_fetch_and_says_where() {
    let (engine, _env, sent) =
        engine_with(vec![page_step(1, 300, 140), Step::Answer(error(404, ""))]);
    let (mut pool, _events, outcome) = start(&engine, first(false), 3, &Cancel::new());
    pool.run_until_stalled();
    match outcome.borrow_mut().take().unwrap() {
        Err(WindowStop::Failed {
            failure,
            page,
            progress,
        }) => {
            assert!(matches!(failure.error, ApiError::NotFound { .. }));
            assert_eq!((page, progress.pages_done, progress.requests), (2, 1, 2));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sent.borrow().len(), 2, "a 404 is not asked again");
}

#[test]
fn cached_pages_counts_this_windows_pages_on_this_connection_only() {
    let (engine, _env, _sent) = engine_with(vec![
        page_step(3, 250, 149),
        page_step(1, 250, 148),
        page_step(2, 250, 147),
        page_step(1, 250, 146),
    ]);
    let conn = connection(KEY);
    let q = first(false);
    let ask = |conn: &Connection, query: AnalyticsQuery| {
        get(&engine, conn.clone(), query, Freshness::CacheFirst).unwrap();
    };
    ask(&conn, q.with_page(3).unwrap());
    ask(&conn, q);
    // The same window at another page size, and page 2 under another key: not this window.
    ask(&conn, q.with_page(2).unwrap().with_limit(50).unwrap());
    let other = connection(OTHER_KEY);
    ask(&other, q.with_page(2).unwrap());
    let requests = engine.on(&conn);
    assert_eq!(requests.cached_pages(&q, 3), 2);
    assert_eq!(requests.cached_pages(&q, 2), 1, "page 3 is past the window");
    assert_eq!(requests.cached_pages(&q, u32::MAX), 2, "however many pages");
    assert_eq!(requests.cached_pages(&q, 0), 0);
    // The same as asking each page.
    let each = (1..=3)
        .filter(|&p| requests.is_cached(&q.with_page(p).unwrap()))
        .count();
    assert_eq!(each, 2);
}
