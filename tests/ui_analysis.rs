//! The whole-window analysis panel in the dashboard, against canned answers: cost first,
//! one request per page of 100, the leaderboard's top insider as the pages imply, a pause
//! at the quota's reserve (and after a 429) that counts down and resumes by itself, and a cancel that aborts
//! the request in flight.
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --features ui --test ui_analysis`
#![cfg(all(target_arch = "wasm32", feature = "ui"))]

#[path = "ui_support/mod.rs"]
mod support;

use campaign_analytics::api::reply::RawResponse;
use campaign_analytics::api::types::AnalyticsResponse;
use std::collections::BTreeMap;
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Page 1 (100 instances) and page 2 (20 more, all shared by one insider) of a 120-instance
/// window at `limit=100`.
fn pages() -> (AnalyticsResponse, AnalyticsResponse) {
    let first = (*parse(PER_DAY_100)).clone();
    let mut second = first.clone();
    let star = uuid::Uuid::parse_str("eeeeeeee-0000-4000-8000-000000000001").unwrap();
    second.data.instances = first.data.instances[..20]
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let mut i = i.clone();
            i.instance_id = uuid::Uuid::from_u128(0xdddd_0000 + n as u128);
            i.insider_id = star;
            i
        })
        .collect();
    second.pagination.page = 2;
    second.pagination.has_next = false;
    second.pagination.has_previous = true;
    (first, second)
}

/// The top insider and their revenue, summed here from the pages.
fn expected_top(a: &AnalyticsResponse, b: &AnalyticsResponse) -> (String, i64) {
    let mut per: BTreeMap<String, (i64, u64)> = BTreeMap::new();
    for i in a.data.instances.iter().chain(&b.data.instances) {
        let e = per.entry(i.insider_id.to_string()).or_default();
        e.1 += 1;
        if i.is_purchase {
            e.0 += (i.revenue * 100.0).round() as i64;
        }
    }
    let mut rows: Vec<(String, i64, u64)> = per.into_iter().map(|(k, (c, n))| (k, c, n)).collect();
    rows.sort_by(|x, y| y.1.cmp(&x.1).then(y.2.cmp(&x.2)).then(x.0.cmp(&y.0)));
    (rows[0].0.clone(), rows[0].1)
}

/// The canned API: the page's query, then the window's two pages (page 2 after
/// `page2_delay` ms); `page1` may change page 1's answer (its quota headers).
fn transport(
    page2_delay: u32,
    page1: impl Fn(&mut RawResponse) + 'static,
) -> (campaign_analytics::engine::Transport, Calls) {
    let (first, second) = pages();
    let (first, second) = (
        serde_json::to_string(&first).unwrap(),
        serde_json::to_string(&second).unwrap(),
    );
    canned(move |request| {
        if !request.path.contains("limit=100") {
            (0, answer(200, PER_DAY_PAGE_2))
        } else if request.path.contains("page=2") {
            (page2_delay, answer(200, &second))
        } else {
            let mut raw = answer(200, &first);
            page1(&mut raw);
            (0, raw)
        }
    })
}

/// Mounts the dashboard on `transport`, runs the page's query and waits until the analysis
/// states its cost.
async fn analysis_offered(transport: campaign_analytics::engine::Transport) -> impl Drop {
    let app = mount_dashboard("", transport);
    settle().await;
    run(KEY, CAMPAIGN).await;
    wait_until("the analysis is offered", || {
        text("analysis-cost").contains("requests for")
    })
    .await;
    app
}

fn window_calls(calls: &Calls) -> Vec<String> {
    calls
        .borrow()
        .iter()
        .map(|(r, _)| r.path.clone())
        .filter(|p| p.contains("limit=100"))
        .collect()
}

#[wasm_bindgen_test]
async fn the_analysis_costs_a_request_a_page_and_ranks_the_insiders() {
    let (transport, calls) = transport(0, |_| ());
    let _app = analysis_offered(transport).await;
    // The summary on screen says 120 instances: 2 pages of 100, neither cached.
    assert!(
        text("analysis-cost").starts_with("2 requests for 2 pages"),
        "{}",
        text("analysis-cost")
    );
    assert!(text("export-all-csv").contains("analyses the window first: 2 requests"));

    click("analyze-window");
    wait_until("the leaderboard", || exists("insider-row")).await;
    let asked = window_calls(&calls);
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert_ne!(asked[0], asked[1]);

    let (first, second) = pages();
    let (top, cents) = expected_top(&first, &second);
    let row = query("[data-testid=\"insider-row\"]").unwrap();
    assert_eq!(row.get_attribute("data-insider-id").unwrap(), top);
    let revenue = row
        .query_selector("[data-testid=\"insider-revenue\"]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(
        revenue,
        campaign_analytics::ui::text::format::money(cents as f64 / 100.0)
    );
    assert!(text("analysis-self-purchase").starts_with("Self-purchases:"));
    assert!(text("analysis-buyer-loop").starts_with("Buyers who later share:"));
    // Every page is cached now: a second analysis is free (the page tells its panels a
    // task after it changed).
    wait_until("the cost asked again", || {
        text("analysis-cost").starts_with("0 requests")
    })
    .await;
    assert!(!text("export-all-csv").contains("analyses"));
}

#[wasm_bindgen_test]
async fn cancel_aborts_the_request_in_flight() {
    let (transport, calls) = transport(3_000, |_| ());
    let _app = analysis_offered(transport).await;
    click("analyze-window");
    wait_until("page 2 is asked", || window_calls(&calls).len() == 2).await;
    assert!(text("analysis-progress").starts_with("1 of 2 pages fetched"));
    click("analysis-cancel");
    settle().await;
    let in_flight = calls.borrow().last().unwrap().1.clone();
    assert!(in_flight.is_aborted(), "the fetch of page 2 was aborted");
    // The canned transport notices the abort when its delay ends (a browser's fetch at once).
    wait_until("the analysis says it stopped", || {
        exists("analysis-stopped")
    })
    .await;
    assert!(
        text("analysis-stopped").starts_with("Cancelled after 1 of 2 pages"),
        "{}",
        text("analysis-stopped")
    );
    assert!(!exists("insider-row"));
    assert!(!exists("analysis-cancel"));
    assert_eq!(window_calls(&calls).len(), 2);
}

#[wasm_bindgen_test]
async fn at_the_reserve_it_pauses_with_a_countdown_and_resumes_by_itself() {
    // Page 1 leaves the quota at its reserve, which frees up at `reset` (a whole second,
    // at least two from now).
    let reset = (js_sys::Date::now() / 1000.0).floor() as i64 + 3;
    let (transport, calls) = transport(0, move |raw| {
        raw.rate_remaining = Some(campaign_analytics::engine::window::RESERVE.to_string());
        raw.rate_reset = Some(reset.to_string());
    });
    let _app = analysis_offered(transport).await;
    click("analyze-window");

    wait_until("the pause", || text("analysis-progress").contains("paused")).await;
    let progress = text("analysis-progress");
    assert!(progress.starts_with("1 of 2 pages fetched"), "{progress}");
    assert!(progress.contains("resumes by itself in"), "{progress}");
    assert_eq!(
        window_calls(&calls).len(),
        1,
        "nothing is sent while paused"
    );
    // The countdown moves.
    wait_until("the countdown to move", || {
        text("analysis-progress") != progress
    })
    .await;
    assert_eq!(
        window_calls(&calls).len(),
        1,
        "nothing is sent while paused"
    );

    wait_until("the leaderboard", || exists("insider-row")).await;
    let resumed_ms = js_sys::Date::now();
    assert_eq!(window_calls(&calls).len(), 2);
    assert!(
        resumed_ms >= (reset * 1000) as f64,
        "page 2 came {} ms before the quota's reset",
        (reset * 1000) as f64 - resumed_ms
    );
    assert!(!exists("analysis-cancel"));
}

#[wasm_bindgen_test]
async fn a_429_on_a_page_pauses_until_the_reset_and_asks_that_page_once_more() {
    // Page 2 is refused once (the quota ran out elsewhere), until `reset`; then answered.
    let reset = (js_sys::Date::now() / 1000.0).floor() as i64 + 3;
    let (first, second) = pages();
    let (first, second) = (
        serde_json::to_string(&first).unwrap(),
        serde_json::to_string(&second).unwrap(),
    );
    let refused = std::rc::Rc::new(std::cell::Cell::new(false));
    let (transport, calls) = canned(move |request| {
        if !request.path.contains("limit=100") {
            (0, answer(200, PER_DAY_PAGE_2))
        } else if request.path.contains("page=2") {
            if refused.replace(true) {
                (0, answer(200, &second))
            } else {
                let envelope = NOT_FOUND
                    .replace("Not Found", "Too Many Requests")
                    .replace("No endpoint exists at this path", "Rate limit exceeded");
                let raw = RawResponse {
                    rate_limit: Some("150".into()),
                    rate_remaining: Some("0".into()),
                    rate_reset: Some(reset.to_string()),
                    retry_after: Some("3".into()),
                    ..RawResponse::json(429, &envelope)
                };
                (0, raw)
            }
        } else {
            (0, answer(200, &first))
        }
    });
    let _app = analysis_offered(transport).await;
    click("analyze-window");

    wait_until("the pause", || text("analysis-progress").contains("paused")).await;
    assert_eq!(window_calls(&calls).len(), 2, "page 1, and page 2 refused");
    wait_until("the leaderboard", || exists("insider-row")).await;
    assert!(
        js_sys::Date::now() >= (reset * 1000) as f64,
        "page 2 was asked again before the quota's reset"
    );
    let pages_asked = window_calls(&calls);
    assert_eq!(pages_asked.len(), 3, "{pages_asked:?}");
    assert!(pages_asked[1].contains("page=2") && pages_asked[2].contains("page=2"));
    assert!(!exists("analysis-cancel"));
}
