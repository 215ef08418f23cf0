//! The query form and the connection panel in a real browser: inline validation with the
//! shared validator, the Run button, the key's storage, URL state and request handling.
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --features ui --test ui_form`
#![cfg(all(target_arch = "wasm32", feature = "ui"))]

#[path = "ui_support/mod.rs"]
mod support;

use std::cell::Cell;
use std::rc::Rc;
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const KEY_ITEM: &str = "campaign-analytics.secret-key";

#[wasm_bindgen_test]
async fn a_bad_campaign_id_shows_its_error_and_disables_run() {
    let (fetch, calls) = canned(|_| (0, answer(200, PER_DAY_PAGE_2)));
    let _app = mount_dashboard("", fetch);
    settle().await;

    // A first visit: no errors yet, Run waits for a key and a campaign.
    assert!(!exists("field-error-campaign_id"));
    assert!(is_disabled("run-query"));

    type_into("api-key", KEY);
    type_into("campaign-id", "not-a-uuid");
    settle().await;
    assert_eq!(
        text("field-error-campaign_id"),
        "campaign_id must be a UUID such as 123e4567-e89b-12d3-a456-426614174000 (8-4-4-4-12 hex digits)"
    );
    assert!(is_disabled("run-query"));
    assert_eq!(
        query("#campaign-id")
            .unwrap()
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );

    type_into("campaign-id", "");
    settle().await;
    assert!(text("field-error-campaign_id").starts_with("campaign_id is required"));

    type_into("campaign-id", &CAMPAIGN.to_uppercase());
    settle().await;
    assert!(!exists("field-error-campaign_id"));
    assert!(!is_disabled("run-query"));

    click("run-query");
    settle().await;
    wait_until("the cards show", || {
        text("summary-total-instances") == "120"
    })
    .await;
    let calls = calls.borrow();
    assert_eq!(calls.len(), 1);
    // The normalized query: lower-case id, defaults left out.
    assert_eq!(
        calls[0].0.path,
        format!("/api/partner/v1/campaigns/{CAMPAIGN}/analytics?time_frame=per_day")
    );
    assert_eq!(
        page_search(),
        format!("campaign_id={CAMPAIGN}&time_frame=per_day")
    );
    // The campaign is now offered among the recent ones.
    let offered = query("#recent-campaigns option").expect("a recent campaign");
    assert_eq!(offered.get_attribute("value").as_deref(), Some(CAMPAIGN));
    assert_eq!(
        query("#campaign-id")
            .unwrap()
            .get_attribute("list")
            .as_deref(),
        Some("recent-campaigns")
    );
}

#[wasm_bindgen_test]
async fn dates_show_only_for_custom_range_and_are_checked_as_typed() {
    let (fetch, calls) = canned(|_| (0, answer(200, PER_DAY_PAGE_2)));
    let _app = mount_dashboard("", fetch);
    settle().await;
    type_into("api-key", KEY);
    type_into("campaign-id", CAMPAIGN);
    settle().await;
    assert!(!is_shown("start-date"));

    choose("time-frame", "custom_range");
    settle().await;
    assert!(is_shown("start-date") && is_shown("end-date"));
    assert!(is_disabled("run-query"));

    type_into("start-date", "2026-11-10");
    type_into("end-date", "2026-11-01");
    settle().await;
    assert_eq!(
        text("field-error-end_date"),
        "end_date must be after start_date"
    );
    assert!(is_disabled("run-query"));

    type_into("end-date", "2027-11-11");
    settle().await;
    assert_eq!(
        text("field-error-end_date"),
        "end_date must be at most 365 days after start_date"
    );

    type_into("end-date", "2026-11-30");
    settle().await;
    assert!(!exists("field-error-end_date"));
    assert!(!exists("field-error-start_date"));
    choose("is-purchase", "false");
    choose("page-size", "25");
    settle().await;
    click("run-query");
    settle().await;
    wait_until("the request is sent", || calls.borrow().len() == 1).await;
    assert_eq!(
        calls.borrow()[0].0.path,
        format!(
            "/api/partner/v1/campaigns/{CAMPAIGN}/analytics?time_frame=custom_range&start_date=2026-11-10&end_date=2026-11-30&is_purchase=false&limit=25"
        )
    );

    // Back to a relative period: the dates hide, and their errors with them.
    choose("time-frame", "per_month");
    settle().await;
    assert!(!is_shown("start-date"));
    assert!(!is_disabled("run-query"));
}

#[wasm_bindgen_test]
async fn the_key_is_checked_badged_and_stored_as_chosen() {
    let (fetch, _calls) = canned(|_| (0, answer(200, PER_DAY_PAGE_2)));
    let _app = mount_dashboard("", fetch);
    settle().await;

    type_into("api-key", "sk_live_short");
    settle().await;
    assert_eq!(
        text("field-error-key"),
        "the secret key must be sk_live_ or sk_test_ followed by exactly 32 letters or digits"
    );
    assert!(!exists("key-mode"));
    assert_eq!(
        session_item(KEY_ITEM),
        None,
        "a malformed key is never stored"
    );

    let live = "sk_live_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    type_into("api-key", live);
    settle().await;
    assert!(!exists("field-error-key"));
    assert_eq!(text("key-mode"), "Live");
    assert_eq!(
        query("#api-key").unwrap().get_attribute("type").as_deref(),
        Some("password")
    );
    assert_eq!(session_item(KEY_ITEM).as_deref(), Some(live));
    assert_eq!(local_item(KEY_ITEM), None);

    // "Remember on this device" moves it, with a plain warning.
    click("remember-key");
    settle().await;
    assert_eq!(local_item(KEY_ITEM).as_deref(), Some(live));
    assert_eq!(session_item(KEY_ITEM), None);
    assert!(text("key-storage-note").contains("anyone who uses this browser profile can read it"));

    // "Forget" removes it everywhere.
    click("forget-key");
    settle().await;
    assert_eq!(local_item(KEY_ITEM), None);
    assert_eq!(session_item(KEY_ITEM), None);
    assert_eq!(value_of("api-key"), "");
    assert_eq!(focused(), "api-key");
    assert!(text("key-storage-note").starts_with("Kept for this tab only"));
}

#[wasm_bindgen_test]
async fn a_hand_edited_url_shows_inline_errors_and_sends_nothing() {
    let (fetch, calls) = canned(|_| (0, answer(200, PER_DAY_PAGE_2)));
    let _app = mount_dashboard(
        "?campaign_id=x&time_frame=per_week&limit=0&page=abc&utm_source=mail",
        fetch,
    );
    settle().await;
    assert!(text("field-error-campaign_id").starts_with("campaign_id must be a UUID"));
    assert_eq!(
        text("field-error-time_frame"),
        "time_frame must be one of per_hour, per_day, per_month, custom_range"
    );
    assert_eq!(
        text("field-error-limit"),
        "limit must be an integer from 1 to 100"
    );
    assert_eq!(
        text("field-error-page"),
        "page must be an integer from 1 to 2147483647"
    );
    assert_eq!(value_of("campaign-id"), "x");
    assert_eq!(value_of("page-size"), "0");
    assert!(query(".warnings")
        .unwrap()
        .text_content()
        .unwrap()
        .contains("utm_source"));
    assert!(!exists("error-banner"));
    assert_eq!(calls.borrow().len(), 0);

    // A key in storage does not make an invalid link send anything either.
    type_into("api-key", KEY);
    settle().await;
    assert_eq!(calls.borrow().len(), 0);
}

const LINK: &str = "?campaign_id=c0000000-0000-4000-8000-000000000001&time_frame=per_hour&is_purchase=true&page=2&limit=10";

#[wasm_bindgen_test]
async fn a_link_in_a_fresh_tab_fills_the_form_and_sends_nothing_until_run() {
    let window = web_sys::window().unwrap();
    let (fetch, calls) = canned(|_| (0, answer(200, PER_DAY_PAGE_2)));
    let parent = fresh_page(LINK);
    // A key remembered on this device, and a tab that has never run a query.
    window
        .local_storage()
        .unwrap()
        .unwrap()
        .set_item(KEY_ITEM, KEY)
        .unwrap();
    let _app = mount_on(parent, fetch);
    // The page settles in the state that sends nothing: the link is pending.
    wait_until("the link is pending", || exists("link-pending")).await;
    assert_eq!(value_of("campaign-id"), CAMPAIGN);
    assert_eq!(value_of("time-frame"), "per_hour");
    assert_eq!(value_of("is-purchase"), "true");
    assert_eq!(value_of("page-size"), "10");
    assert_eq!(text("request-cost"), "1 request");
    assert_eq!(calls.borrow().len(), 0, "a link alone spends nothing");

    // Run sends the link's own query, page included.
    click("run-query");
    wait_until("the query is sent", || calls.borrow().len() == 1).await;
    assert!(calls.borrow()[0]
        .0
        .path
        .ends_with("?time_frame=per_hour&is_purchase=true&page=2&limit=10"));
    wait_until("page 2 shows", || text("page-status") == "Page 2 of 12").await;
    assert!(!exists("link-pending"));
}

#[wasm_bindgen_test]
async fn a_reload_of_a_tab_that_ran_queries_runs_by_itself_and_back_and_forward_follow() {
    let window = web_sys::window().unwrap();
    let (fetch, calls) = canned(|_| (0, answer(200, PER_DAY_PAGE_2)));
    let parent = fresh_page(LINK);
    let session = window.session_storage().unwrap().unwrap();
    session.set_item(KEY_ITEM, KEY).unwrap();
    session
        .set_item("campaign-analytics.tab-has-run", "1")
        .unwrap();
    let _app = mount_on(parent, fetch);
    wait_until("the link runs", || calls.borrow().len() == 1).await;
    assert!(!exists("link-pending"));
    wait_until("page 2 shows", || text("page-status") == "Page 2 of 12").await;

    // Next page: a new history entry; back returns to page 2, from the cache.
    click("page-next");
    wait_until("page 3 is asked", || calls.borrow().len() == 2).await;
    assert!(page_search().ends_with("&page=3&limit=10"));
    assert!(calls.borrow()[1].0.path.contains("&page=3&"));
    wait_until("page 3 is answered", || {
        text("response-source").starts_with("Live")
    })
    .await;
    window.history().unwrap().back().unwrap();
    wait_until("back shows page 2 from the cache", || {
        page_search().contains("&page=2&") && text("response-source").starts_with("Cached")
    })
    .await;
    assert_eq!(
        calls.borrow().len(),
        2,
        "page 2 was seen a moment ago: no request"
    );
}

#[wasm_bindgen_test]
async fn a_second_run_while_the_first_is_in_flight_is_dropped() {
    // The answer is held until the test releases it: no timing involved.
    let release = Rc::new(Cell::new(false));
    let held = release.clone();
    let (transport, calls) = support::scripted(move |_| (0, Ok(answer(200, PER_DAY_PAGE_2))));
    let gate: campaign_analytics::engine::Transport = Rc::new(move |request, cancel| {
        let sent = transport(request, cancel);
        let held = held.clone();
        Box::pin(async move {
            while !held.get() {
                gloo_timers::future::TimeoutFuture::new(5).await;
            }
            sent.await
        })
    });
    let _app = mount_dashboard("", gate);
    settle().await;
    run(KEY, CAMPAIGN).await;
    wait_until("the first request is sent", || calls.borrow().len() == 1).await;
    assert_eq!(text("run-query"), "Running…");
    assert_eq!(
        by("run-query")
            .unwrap()
            .get_attribute("aria-disabled")
            .as_deref(),
        Some("true")
    );
    // Enter in the campaign field submits the form, as it does for a user: twice.
    let form: web_sys::HtmlFormElement =
        wasm_bindgen::JsCast::unchecked_into(query("form").unwrap());
    form.request_submit().unwrap();
    click("run-query");
    settle().await;
    assert_eq!(calls.borrow().len(), 1, "the double submit was dropped");
    assert!(
        !calls.borrow()[0].1.is_aborted(),
        "and did not abort the first"
    );

    release.set(true);
    wait_until("the answer shows", || {
        text("summary-total-instances") == "120"
    })
    .await;
    assert_eq!(text("run-query"), "Run query");
    let id = uuid::Uuid::parse_str(&calls.borrow()[0].0.request_id).unwrap();
    assert_eq!(id.get_version_num(), 4);
    assert_eq!(calls.borrow()[0].0.key.as_ref().unwrap().expose(), KEY);
    assert!(!calls.borrow()[0].0.url().contains("sk_test_"));

    // The same query again within five minutes: from the cache, nothing sent.
    click("run-query");
    wait_until("the cached answer shows", || {
        text("response-source").starts_with("Cached")
    })
    .await;
    assert_eq!(calls.borrow().len(), 1);
}

#[wasm_bindgen_test]
async fn a_newer_query_aborts_the_older_one_and_wins() {
    // The first campaign's answer is held until the test releases it.
    let release = Rc::new(Cell::new(false));
    let held = release.clone();
    let (fetch, calls) = canned(|request| {
        if request.path.contains(CAMPAIGN) {
            (0, answer(200, PER_DAY_PAGE_2))
        } else {
            (0, answer(200, PAST_THE_END))
        }
    });
    let arrived = Rc::new(Cell::new(false));
    let seen = arrived.clone();
    let gate: campaign_analytics::engine::Transport = Rc::new(move |request, cancel| {
        let slow = request.path.contains(CAMPAIGN);
        let sent = fetch(request, cancel);
        let held = held.clone();
        let seen = seen.clone();
        Box::pin(async move {
            while slow && !held.get() {
                gloo_timers::future::TimeoutFuture::new(5).await;
            }
            let outcome = sent.await;
            if slow {
                seen.set(true);
            }
            outcome
        })
    });
    let _app = mount_dashboard("", gate);
    settle().await;
    run(KEY, CAMPAIGN).await;
    wait_until("the first request is sent", || calls.borrow().len() == 1).await;
    type_into("campaign-id", OTHER_CAMPAIGN);
    settle().await;
    click("run-query");
    wait_until("the second request is sent", || calls.borrow().len() == 2).await;
    assert!(
        calls.borrow()[0].1.is_aborted(),
        "the old request is aborted"
    );
    assert!(!calls.borrow()[1].1.is_aborted());
    wait_until("the newer answer shows", || {
        text("page-status") == "Page 99 of 12"
    })
    .await;

    // Let the old answer arrive: it must not replace the newer one.
    release.set(true);
    wait_until("the old answer arrived", || arrived.get()).await;
    settle().await;
    assert_eq!(text("page-status"), "Page 99 of 12");
    assert_eq!(count("[data-testid=\"instance-row\"]"), 0);
    assert!(page_search().starts_with(&format!("campaign_id={OTHER_CAMPAIGN}")));
}
