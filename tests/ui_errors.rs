//! Every answer the API can give, and what is not an API answer, rendered in the whole
//! dashboard from canned responses (bodies recorded from the reference server): each has
//! its own message in `error-banner`, the request id in `request-id`, and lands where it
//! belongs (a field, the key, an empty state). A few go through the real client:
//! a refused connection, a CORS refusal, a non-JSON 404, an abort.
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --features ui --test ui_errors`
#![cfg(all(target_arch = "wasm32", feature = "ui"))]

#[path = "ui_support/mod.rs"]
mod support;

use campaign_analytics::api::cancel::Cancel;
use campaign_analytics::api::client;
use campaign_analytics::api::reply::{self, ApiError, ApiRequest, NoAnswer, RawResponse};
use campaign_analytics::api::types::AnalyticsResponse;
use campaign_analytics::contract::SecretKey;
use campaign_analytics::engine::browser_transport;
use campaign_analytics::engine::Transport;
use campaign_analytics::ui::shell::Dashboard;
use std::cell::RefCell;
use std::rc::Rc;
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ID: &str = "d4f18f77-f66e-4af1-9a2f-7d9855eae6db";

fn body(error: &str, message: &str, extra: &str) -> String {
    format!(
        r#"{{"success":false,"error":"{error}","message":"{message}"{extra},"meta":{{"timestamp":"2026-11-20T12:00:00Z","requestId":"{ID}"}}}}"#
    )
}

/// One case: the answer, what the banner's title says, and a phrase of its message.
struct Case {
    name: &'static str,
    raw: RawResponse,
    title: &'static str,
    says: &'static str,
}

fn cases() -> Vec<Case> {
    let html_502 = RawResponse {
        status: 502,
        content_type: Some("text/html".into()),
        request_id: None,
        body: "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>".into(),
        ..RawResponse::default()
    };
    let limited = RawResponse {
        rate_limit: Some("2".into()),
        rate_remaining: Some("0".into()),
        // A reset already passed, so the quota is free again for the cases after this one
        // (with a reset ahead, the next Run would wait for it instead of asking).
        rate_reset: Some(format!("{}", (js_sys::Date::now() / 1000.0) as i64 - 1)),
        retry_after: Some("600".into()),
        ..RawResponse::json(
            429,
            &body(
                "Too Many Requests",
                "Rate limit exceeded. Please try again later",
                "",
            ),
        )
    };
    vec![
        Case {
            name: "403",
            raw: answer(403, &body("Forbidden", "Insufficient permissions to access this campaign.", r#","details":"The campaign belongs to another partner; a key only gives access to its own partner's campaigns.""#)),
            title: "No access to this campaign",
            says: "Details from the server: The campaign belongs to another partner",
        },
        Case {
            name: "409",
            raw: answer(409, &body("Conflict", "Request conflicts with current campaign state.", r#","details":"The campaign is a draft: it was never launched and has no analytics.""#)),
            title: "This campaign has no analytics yet",
            says: "Launch it first, or pick another campaign",
        },
        Case {
            name: "429",
            raw: limited,
            title: "Request quota used up",
            says: "Your account has used all 2 requests of this hour. Queries work again at",
        },
        Case {
            name: "500",
            raw: answer(500, &body("Internal Server Error", "An unexpected error occurred. Please try again later", "")),
            title: "The server failed",
            says: "send the request id below to support",
        },
        Case {
            name: "502",
            raw: answer(502, &body("Bad Gateway", "Upstream service unavailable.", r#","details":"analytics store unreachable""#)),
            title: "A service behind the API is unavailable",
            says: "Try again in a minute",
        },
        Case {
            name: "503",
            // Longer than the 30 s the dashboard waits by itself: shown, not retried.
            raw: answer(503, &body("Service Unavailable", "Service temporarily unavailable. Please retry later.", r#","retry_after":45"#)),
            title: "The API is temporarily unavailable",
            says: "Try again in 45 s",
        },
        Case {
            name: "504",
            raw: answer(504, &body("Gateway Timeout", "Request timeout. Please try again.", "")),
            title: "The query took too long",
            says: "a shorter period or a purchase filter",
        },
        Case {
            name: "405",
            raw: answer(405, &body("Method Not Allowed", "Method not allowed", "")),
            title: "Unexpected answer (HTTP 405)",
            says: "Check that the API base URL is right",
        },
        Case {
            name: "HTML 502 from a proxy",
            raw: html_502,
            title: "The answer did not come from the API",
            says: "answered HTTP 502 with an HTML page instead of the API's JSON",
        },
        Case {
            name: "JSON of the wrong shape",
            raw: answer(200, r#"{"ok":true,"rows":[1,2,3]}"#),
            title: "The answer could not be read",
            says: "JSON that is not in the API's documented format (unexpected fields or types: missing field success)",
        },
    ]
}

/// A fetch whose next answer the test sets.
fn scripted() -> (Transport, Rc<RefCell<RawResponse>>, Calls) {
    let next = Rc::new(RefCell::new(answer(200, PER_DAY_PAGE_2)));
    let current = next.clone();
    let (fetch, calls) = canned(move |_| (0, current.borrow().clone()));
    (fetch, next, calls)
}

/// Runs a query not asked before (a fresh campaign id each time), so the answer cannot
/// come from the cache and a request is sent.
async fn run_again(calls: &Calls) {
    thread_local!(static RUNS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) });
    let n = RUNS.with(|r| r.replace(r.get() + 1));
    type_into(
        "campaign-id",
        &format!("c0000000-0000-4000-8000-{:012}", 100 + n),
    );
    let before = calls.borrow().len();
    wait_until("Run is enabled", || !is_disabled("run-query")).await;
    click("run-query");
    wait_until("a request is sent", || calls.borrow().len() > before).await;
    settle().await;
}

#[wasm_bindgen_test]
async fn every_api_answer_has_its_own_message_and_the_request_id() {
    let (fetch, next, calls) = scripted();
    let _app = mount_dashboard("", fetch);
    settle().await;
    run(KEY, CAMPAIGN).await;
    wait_until("the data shows", || {
        text("summary-total-instances") == "120"
    })
    .await;
    assert!(!exists("error-banner"));

    let mut titles = Vec::new();
    for case in cases() {
        let sent_ok = case.raw.status;
        *next.borrow_mut() = case.raw.clone();
        run_again(&calls).await;
        wait_until(case.name, || exists("error-banner")).await;
        let banner = text("error-banner");
        assert!(banner.starts_with(case.title), "{}: {banner}", case.name);
        assert!(banner.contains(case.says), "{}: {banner}", case.name);
        assert!(
            banner.contains(&format!("HTTP {sent_ok}")),
            "{}: {banner}",
            case.name
        );
        // The request id: the body's meta.requestId, else the one the client sent.
        let expected_id = if case.raw.body.contains(ID) {
            ID.to_owned()
        } else {
            calls.borrow().last().unwrap().0.request_id.clone()
        };
        assert_eq!(text("request-id"), expected_id, "{}", case.name);
        assert!(query("[data-testid=\"error-banner\"] .copy").is_some());
        // The answer is gone from the screen, the page is alive.
        assert!(!exists("instance-row"));
        assert!(exists("run-query"));
        titles.push(case.title);

        // Back to data, so the next case starts from a normal page.
        *next.borrow_mut() = answer(200, PER_DAY_PAGE_2);
        run_again(&calls).await;
        wait_until("the banner goes", || !exists("error-banner")).await;
    }
    titles.sort_unstable();
    titles.dedup();
    assert_eq!(titles.len(), cases().len(), "each kind has its own title");
}

#[wasm_bindgen_test]
async fn a_400_lands_under_its_fields_with_a_summary() {
    let raw = answer(
        400,
        &body(
            "Bad Request",
            "Validation failed for 2 fields",
            r#","fields":[{"field":"time_frame","message":"time_frame must be one of per_hour, per_day, per_month, custom_range","code":"invalid_enum"},{"field":"limit","message":"limit must be an integer from 1 to 100","code":"out_of_range"}]"#,
        ),
    );
    let (fetch, _calls) = canned(move |_| (0, raw.clone()));
    let _app = mount_dashboard("", fetch);
    settle().await;
    run(KEY, CAMPAIGN).await;
    wait_until("the banner", || exists("error-banner")).await;
    assert!(text("error-banner").starts_with("The query was rejected"));
    assert!(text("error-banner").contains("The server rejected 2 fields: time_frame, limit"));
    assert_eq!(text("request-id"), ID);
    assert_eq!(
        text("field-error-time_frame"),
        "time_frame must be one of per_hour, per_day, per_month, custom_range"
    );
    assert_eq!(
        text("field-error-limit"),
        "limit must be an integer from 1 to 100"
    );
    // Editing a field clears the server's word on it.
    choose("page-size", "25");
    settle().await;
    assert!(!exists("field-error-limit"));
    assert!(exists("field-error-time_frame"));
}

#[wasm_bindgen_test]
async fn a_401_says_the_key_was_refused_and_focuses_it() {
    let raw = answer(
        401,
        &body("Unauthorized", "Invalid or missing secret key", ""),
    );
    let (fetch, _calls) = canned(move |_| (0, raw.clone()));
    let _app = mount_dashboard("", fetch);
    settle().await;
    let wrong = format!("sk_test_{}", "X".repeat(32));
    run(&wrong, CAMPAIGN).await;
    wait_until("the banner", || exists("error-banner")).await;
    assert!(text("error-banner").starts_with("Secret key not accepted"));
    assert!(
        !text("error-banner").contains("XXXXXXXX"),
        "the key is never shown"
    );
    assert_eq!(text("request-id"), ID);
    assert_eq!(focused(), "api-key");
    assert!(text("field-error-key").contains("did not accept this key"));
    // Typing a new key clears it.
    type_into("api-key", KEY);
    settle().await;
    assert!(!exists("field-error-key"));
}

#[wasm_bindgen_test]
async fn a_404_shows_on_the_campaign_field() {
    let raw = answer(
        404,
        &body(
            "Not Found",
            "Campaign not found with the specified campaign_id",
            "",
        ),
    );
    let (fetch, _calls) = canned(move |_| (0, raw.clone()));
    let _app = mount_dashboard("", fetch);
    settle().await;
    run(KEY, "ffffffff-0000-4000-8000-000000000000").await;
    wait_until("the banner", || exists("error-banner")).await;
    assert!(text("error-banner").starts_with("Campaign not found"));
    assert_eq!(
        text("field-error-campaign_id"),
        "No campaign with this id was found for your account: check the id."
    );
}

#[wasm_bindgen_test]
async fn a_422_shows_an_empty_state_suggesting_a_wider_period() {
    let raw = answer(
        422,
        &body(
            "Validation Error",
            "Request validation failed.",
            r#","details":"No analytics data available for the specified time period.","validation_errors":[]"#,
        ),
    );
    let (fetch, _calls) = canned(move |_| (0, raw.clone()));
    let _app = mount_dashboard("", fetch);
    settle().await;
    assert!(!is_shown("empty-period"));
    run(KEY, CAMPAIGN).await;
    wait_until("the banner", || exists("error-banner")).await;
    assert!(text("error-banner").starts_with("No activity in this period"));
    assert!(is_shown("empty-period"));
    assert!(text("empty-period").contains("Pick a wider time frame"));
}

#[wasm_bindgen_test]
async fn a_429_updates_the_quota_display() {
    let reset = (js_sys::Date::now() / 1000.0) as i64 + 300;
    let raw = RawResponse {
        rate_limit: Some("2".into()),
        rate_remaining: Some("0".into()),
        rate_reset: Some(reset.to_string()),
        retry_after: Some("300".into()),
        ..RawResponse::json(
            429,
            &body(
                "Too Many Requests",
                "Rate limit exceeded. Please try again later",
                "",
            ),
        )
    };
    let (fetch, _calls) = canned(move |_| (0, raw.clone()));
    let _app = mount_dashboard("", fetch);
    settle().await;
    run(KEY, CAMPAIGN).await;
    wait_until("the banner", || exists("error-banner")).await;
    assert!(
        text("error-banner").contains("(in 5 min)"),
        "{}",
        text("error-banner")
    );
    assert_eq!(text("rate-limit-remaining"), "0 of 2 requests left");
    assert!(text("rate-limit-reset").starts_with("resets at"));
}

#[wasm_bindgen_test]
async fn a_timeout_and_retry() {
    // The first request never answers: the engine gives up after the timeout (100 ms here)
    // and aborts it; "Try again" then gets the data.
    let (transport, calls) = support::scripted(|_| (0, Ok(answer(200, PER_DAY_PAGE_2))));
    let first = Rc::new(std::cell::Cell::new(true));
    let hanging: Transport = {
        let first = first.clone();
        Rc::new(move |request: ApiRequest, cancel: Cancel| {
            if request.path != "/api/demo" && first.replace(false) {
                Box::pin(async move {
                    cancel.aborted().await;
                    let _ = request;
                    Err(NoAnswer::Aborted)
                })
            } else {
                transport(request, cancel)
            }
        })
    };
    let _app = leptos::mount::mount_to(fresh_page(""), move || {
        leptos::view! { <Dashboard transport=hanging timeout_ms=100/> }
    });
    settle().await;
    run(KEY, CAMPAIGN).await;
    wait_until("the banner", || exists("error-banner")).await;
    assert!(text("error-banner").starts_with("The request timed out"));
    assert!(text("error-banner").contains("within 1 s"));
    assert!(text("error-banner").contains("No HTTP answer"));
    let retry = query("[data-testid=\"error-banner\"] button.secondary").expect("a retry button");
    wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlElement>(retry).click();
    wait_until("the data shows", || {
        text("summary-total-instances") == "120"
    })
    .await;
    assert_eq!(
        calls.borrow().len(),
        1,
        "one request after the one that timed out"
    );
}

fn request_to(base: &str, path: &str) -> ApiRequest {
    ApiRequest::new(base, SecretKey::parse(KEY).unwrap(), path, "sent-id".into())
}

fn origin() -> String {
    web_sys::window().unwrap().location().origin().unwrap()
}

#[wasm_bindgen_test]
async fn the_real_client_reads_failures_that_are_not_api_answers() {
    // Nothing listens on port 9: no HTTP answer at all.
    let sent = client::send(&request_to("http://127.0.0.1:9", "/api"), &Cancel::new()).await;
    assert_eq!(sent.unwrap_err(), NoAnswer::Network);

    // The test page's own server has no API: a 404 that is not the API's JSON.
    let request = request_to(&origin(), "/no-such-api/analytics");
    let raw = client::send(&request, &Cancel::new()).await.unwrap();
    let failure = reply::interpret::<AnalyticsResponse>(raw, &request.request_id).unwrap_err();
    assert!(
        matches!(failure.error, ApiError::NotJson { status: 404, .. }),
        "{:?}",
        failure.error
    );
    assert_eq!(failure.request_id, request.request_id);

    // The same server under another origin, which sends no CORS headers: refused.
    let other = origin().replace("127.0.0.1", "localhost");
    let sent = client::send(&request_to(&other, "/"), &Cancel::new()).await;
    assert_eq!(sent.unwrap_err(), NoAnswer::Network);

    // Aborted by a newer request.
    let cancel = Cancel::new();
    let request = request_to(&origin(), "/");
    let pending = client::send(&request, &cancel);
    cancel.abort();
    assert_eq!(pending.await.unwrap_err(), NoAnswer::Aborted);

    // A gloo-net response read as the client reads one.
    let response = gloo_net::http::Response::builder()
        .status(502)
        .header("content-type", "text/html")
        .header("x-request-id", "echoed-by-the-proxy")
        .body(Some("<h1>502 Bad Gateway</h1>"))
        .unwrap();
    let raw = client::read(response).await.unwrap();
    let failure = reply::interpret::<AnalyticsResponse>(raw, "sent").unwrap_err();
    assert!(matches!(
        failure.error,
        ApiError::NotJson { status: 502, .. }
    ));
    assert_eq!(failure.request_id, "echoed-by-the-proxy");
}

#[wasm_bindgen_test]
async fn network_and_cors_failures_name_the_base_url_in_the_dashboard() {
    let _app = mount_dashboard("", browser_transport());
    settle().await;
    let other = origin().replace("127.0.0.1", "localhost");
    type_into("api-base-url", &other);
    run(KEY, CAMPAIGN).await;
    wait_until("the banner", || exists("error-banner")).await;
    let banner = text("error-banner");
    assert!(banner.starts_with("Could not reach the API"), "{banner}");
    assert!(
        banner.contains(&format!("No answer from {other}")),
        "{banner}"
    );
    assert!(banner.contains("(CORS)"));
    assert!(!banner.contains("sk_test_"));
    assert_eq!(text("request-id").len(), 36);
}

#[wasm_bindgen_test]
async fn an_answer_whose_numbers_disagree_is_caught_by_the_error_boundary() {
    // Well-formed JSON, but 40 purchases + 80 non-purchases are said to make 121.
    let broken = PER_DAY_PAGE_2.replacen("\"total_instances\": 120", "\"total_instances\": 121", 1);
    assert_ne!(broken, PER_DAY_PAGE_2);
    let (fetch, next, calls) = scripted();
    *next.borrow_mut() = answer(200, &broken);
    let _app = mount_dashboard("", fetch);
    settle().await;
    run(KEY, CAMPAIGN).await;
    wait_until("the boundary's message", || exists("inconsistent-answer")).await;
    assert!(text("inconsistent-answer").starts_with("These results cannot be shown"));
    assert!(text("inconsistent-answer")
        .contains("40 purchases and 80 non-purchases, but 121 instances"));
    // Nothing misleading is drawn, and the page stays usable.
    assert!(!exists("summary-total-instances"));
    assert!(!exists("instance-row"));

    // A sound answer afterwards shows normally again.
    *next.borrow_mut() = answer(200, PER_DAY_PAGE_2);
    run_again(&calls).await;
    wait_until("the data shows", || {
        text("summary-total-instances") == "120"
    })
    .await;
    assert!(!exists("inconsistent-answer"));
    assert_eq!(count("[data-testid=\"instance-row\"]"), 10);
}

#[wasm_bindgen_test]
async fn the_real_client_aborts_its_fetch_when_a_newer_query_starts() {
    // The page's fetch holds the first query; the second is answered.
    let held = HeldFetch::install();
    let _app = mount_dashboard("", browser_transport());
    settle().await;
    run(KEY, CAMPAIGN).await;
    wait_until("the first request reaches fetch", || held.calls() == 1).await;
    assert!(!held.aborted(0));

    held.answer_next(PER_DAY_PAGE_2);
    type_into("campaign-id", OTHER_CAMPAIGN);
    settle().await;
    click("run-query");
    wait_until("the newer request reaches fetch", || held.calls() == 2).await;
    assert!(
        held.aborted(0),
        "the first request's own AbortSignal fired: the browser stops it"
    );
    assert!(!held.aborted(1));
    assert!(held.url(1).contains(OTHER_CAMPAIGN));
    wait_until("the newer answer shows", || {
        text("summary-total-instances") == "120"
    })
    .await;
    assert!(!exists("error-banner"), "an abort is not an error");
}

#[wasm_bindgen_test]
async fn the_real_client_times_out_on_a_server_that_never_answers() {
    // The real client and engine with a 150 ms timeout; the page's fetch never answers.
    let held = HeldFetch::install();
    let _app = leptos::mount::mount_to(fresh_page(""), move || {
        leptos::view! { <Dashboard transport=browser_transport() timeout_ms=150/> }
    });
    settle().await;
    run(KEY, CAMPAIGN).await;
    wait_until("the request reaches fetch", || held.calls() == 1).await;
    wait_until("the banner", || exists("error-banner")).await;
    assert!(
        text("error-banner").starts_with("The request timed out"),
        "{}",
        text("error-banner")
    );
    assert!(
        held.aborted(0),
        "the timeout aborts the fetch instead of leaving it open"
    );
    assert_eq!(held.calls(), 1, "a timeout is not retried");
    assert_eq!(text("request-id").len(), 36);
}

/// In the browser answers are read by `JSON.parse` and mapped onto the types (no JSON parser
/// in the bundle): the same answers as serde_json reads, and the same verdicts on bodies
/// that are not JSON or not the right shape.
#[wasm_bindgen_test]
fn the_browser_reads_answers_as_serde_json_does() {
    let ok = |body: &str| RawResponse {
        status: 200,
        content_type: Some("application/json".into()),
        body: body.into(),
        ..RawResponse::default()
    };
    for recorded in [PER_DAY_PAGE_2, PER_DAY_100, PAST_THE_END] {
        let read = reply::interpret::<AnalyticsResponse>(ok(recorded), "sent").unwrap();
        let expected: AnalyticsResponse = serde_json::from_str(recorded).unwrap();
        assert_eq!(read.body, expected);
    }

    // Not JSON: an HTML page, an empty body, a truncated answer.
    for body in [
        "<html>gateway</html>",
        "",
        &PER_DAY_100[..PER_DAY_100.len() / 2],
    ] {
        let failure = reply::interpret::<AnalyticsResponse>(ok(body), "sent").unwrap_err();
        assert!(
            matches!(failure.error, ApiError::NotJson { status: 200, .. }),
            "{body:.40}: {:?}",
            failure.error
        );
    }

    // JSON of the wrong shape: the missing field is named, a wrong value is never echoed.
    let missing = PER_DAY_100.replacen("\"pagination\"", "\"paginationX\"", 1);
    let failure = reply::interpret::<AnalyticsResponse>(ok(&missing), "sent").unwrap_err();
    match failure.error {
        ApiError::WrongShape {
            status: 200,
            problem,
        } => {
            assert_eq!(
                problem,
                "unexpected fields or types: missing field pagination"
            )
        }
        other => panic!("{other:?}"),
    }
    let hostile = PER_DAY_100.replacen(
        "\"success\": true",
        "\"success\": \"<img src=x onerror=alert(1)>\"",
        1,
    );
    assert_ne!(hostile, PER_DAY_100);
    let failure = reply::interpret::<AnalyticsResponse>(ok(&hostile), "sent").unwrap_err();
    match failure.error {
        ApiError::WrongShape { problem, .. } => assert!(!problem.contains("img"), "{problem}"),
        other => panic!("{other:?}"),
    }
    // A count that is not a whole number, and a negative one.
    for (from, to) in [
        ("\"page\": 1,", "\"page\": 1.5,"),
        ("\"page\": 1,", "\"page\": -1,"),
    ] {
        let bent = PER_DAY_100.replacen(from, to, 1);
        assert_ne!(bent, PER_DAY_100, "{from}");
        let failure = reply::interpret::<AnalyticsResponse>(ok(&bent), "sent").unwrap_err();
        assert!(
            matches!(failure.error, ApiError::WrongShape { .. }),
            "{to}: {:?}",
            failure.error
        );
    }

    // An error body is read the same way.
    let error = RawResponse {
        status: 404,
        content_type: Some("application/json".into()),
        body: r#"{"success":false,"error":"Not Found","message":"No such campaign.","meta":{"timestamp":"2026-11-20T12:00:00Z","requestId":"from-the-body"}}"#.into(),
        ..RawResponse::default()
    };
    let failure = reply::interpret::<AnalyticsResponse>(error, "sent").unwrap_err();
    assert!(
        matches!(failure.error, ApiError::NotFound { ref message } if message == "No such campaign."),
        "{:?}",
        failure.error
    );
    assert_eq!(failure.request_id, "from-the-body");
}
