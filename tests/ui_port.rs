//! The port between the page and its panels, from its hostile side: whatever the other side
//! sends — nothing, junk, a query that is not valid, a method that is missing or answers
//! nonsense — is read as "nothing known" or a stated failure, never a crash, and nothing
//! is sent to the server for it.
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --features ui --test ui_port`
#![cfg(all(target_arch = "wasm32", feature = "ui"))]

#[path = "ui_support/mod.rs"]
mod support;

use campaign_analytics::contract::validate_request;
use campaign_analytics::engine::requests::{Refusal, Refused};
use campaign_analytics::engine::window::WindowEvent;
use campaign_analytics::engine::{browser_env, Engine};
use campaign_analytics::ui::port::panel::PageLink;
use campaign_analytics::ui::port::{
    page, Asked, CampaignNews, PageState, WindowEnd, LANE_ANALYSIS, LANE_COMPARE,
};
use campaign_analytics::ui::state::Dash;
use js_sys::{Array, Function, Object, Promise, Reflect};
use leptos::prelude::Set;
use std::cell::RefCell;
use std::rc::Rc;
use support::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A host over a page that has a usable key and base URL, and the requests it sends.
fn host() -> (JsValue, Calls) {
    let (transport, calls) = canned(|_| (0, answer(200, PER_DAY_100)));
    let dash = Dash::new(Engine::new(transport, browser_env()));
    dash.key.set(KEY.to_owned());
    dash.base_url.set("http://127.0.0.1:8080".to_owned());
    (page::host(dash), calls)
}

fn call(host: &JsValue, name: &str, args: &[JsValue]) -> JsValue {
    let method: Function = Reflect::get(host, &name.into())
        .unwrap()
        .dyn_into()
        .unwrap();
    method
        .apply(host, &args.iter().collect::<Array>())
        .expect("the host's methods never throw")
}

/// Calls `name` with `args` and a `done` function, and waits for it to be called: the value
/// it was called with.
async fn until_done(host: &JsValue, name: &str, args: &[JsValue]) -> JsValue {
    let ended = Promise::new(&mut |done, _| {
        let mut all = args.to_vec();
        all.push(done.into());
        assert!(call(host, name, &all).is_undefined());
    });
    JsFuture::from(ended).await.unwrap()
}

fn wire(campaign: &str, query: &str) -> JsValue {
    let o = Object::new();
    Reflect::set(&o, &"campaign".into(), &campaign.into()).unwrap();
    Reflect::set(&o, &"query".into(), &query.into()).unwrap();
    o.into()
}

/// The page's `ask`, read back.
async fn ask(host: &JsValue, query: JsValue, lane: JsValue) -> Asked {
    let asked = until_done(host, "ask", &[query, lane]).await;
    serde_wasm_bindgen::from_value(asked).expect("the host answers with an Asked")
}

fn refused_in_words(asked: &Asked) -> bool {
    matches!(
        asked,
        Err(Refused {
            refusal: Refusal::Failed(_),
            requests: 0
        })
    )
}

#[wasm_bindgen_test]
async fn junk_and_invalid_queries_get_nothing_and_send_nothing() {
    let (host, calls) = host();
    let junk = [
        JsValue::UNDEFINED,
        JsValue::from(42),
        JsValue::from_str("time_frame=per_day"),
        Object::new().into(),
        wire("not-a-uuid", "time_frame=per_day"),
        wire(CAMPAIGN, "time_frame=per_week&limit=100000"),
        wire(CAMPAIGN, &format!("time_frame={}", "x".repeat(100_000))),
    ];
    for bad in &junk {
        assert!(call(&host, "isCached", &[bad.clone()]).is_undefined());
        assert!(call(&host, "cachedPages", &[bad.clone(), JsValue::from(3)]).is_undefined());
        let asked = ask(&host, bad.clone(), JsValue::from(LANE_ANALYSIS)).await;
        assert!(refused_in_words(&asked), "{asked:?}");
    }
    // Lanes the page does not have are refused, whatever the query.
    let valid = wire(CAMPAIGN, "time_frame=per_day");
    for lane in [
        JsValue::from(7),
        JsValue::from(-1),
        JsValue::from(0.5),
        JsValue::from(f64::NAN),
        JsValue::from_str("0"),
        JsValue::NULL,
    ] {
        let asked = ask(&host, valid.clone(), lane.clone()).await;
        assert!(refused_in_words(&asked), "{asked:?}");
        call(&host, "cancel", &[lane]);
    }
    // A count of pages that is not a whole number is not a count.
    for pages in [
        JsValue::from(-1),
        JsValue::from(0.5),
        JsValue::from(f64::NAN),
        JsValue::from_str("2"),
        JsValue::UNDEFINED,
    ] {
        assert!(call(&host, "cachedPages", &[valid.clone(), pages]).is_undefined());
    }
    assert_eq!(
        call(&host, "cachedPages", &[valid.clone(), JsValue::from(1e12)]),
        JsValue::from(0),
        "a huge count is capped, and nothing is cached yet"
    );
    assert_eq!(calls.borrow().len(), 0, "nothing was sent for any of them");
    // A callback that is not a function is called by nobody; the request still counts once
    // and is cached after.
    call(
        &host,
        "ask",
        &[valid.clone(), JsValue::from(LANE_COMPARE), JsValue::from(7)],
    );
    let pause = Promise::new(&mut |done, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&done, 50);
    });
    JsFuture::from(pause).await.unwrap();
    assert_eq!(calls.borrow().len(), 1);
    assert_eq!(call(&host, "isCached", &[valid]), JsValue::TRUE);
    // Cancelling what is not running is harmless.
    call(&host, "cancel", &[JsValue::from(LANE_ANALYSIS)]);
    call(&host, "cancel", &[JsValue::from(LANE_COMPARE)]);
}

/// Starts the page's `ask` now and returns what it will end with, read.
fn ask_now(host: &JsValue, query: JsValue, lane: u32) -> impl std::future::Future<Output = Asked> {
    let ended = Promise::new(&mut |done, _| {
        assert!(call(
            host,
            "ask",
            &[query.clone(), JsValue::from(lane), done.into()]
        )
        .is_undefined());
    });
    async move {
        let asked = JsFuture::from(ended).await.unwrap();
        serde_wasm_bindgen::from_value(asked).expect("the host answers with an Asked")
    }
}

#[wasm_bindgen_test]
async fn a_newer_ask_or_a_cancel_stops_the_request_in_flight_in_its_lane_only() {
    // Every answer takes a while: long enough to be replaced or cancelled first.
    let (transport, calls) = canned(|_| (200, answer(200, PER_DAY_100)));
    let dash = Dash::new(Engine::new(transport, browser_env()));
    dash.key.set(KEY.to_owned());
    dash.base_url.set("http://127.0.0.1:8080".to_owned());
    let host = page::host(dash);
    let superseded = |asked: &Asked| {
        matches!(
            asked,
            Err(Refused {
                refusal: Refusal::Superseded,
                ..
            })
        )
    };
    let first = ask_now(&host, wire(CAMPAIGN, "time_frame=per_day"), LANE_ANALYSIS);
    let other_lane = ask_now(&host, wire(CAMPAIGN, "time_frame=per_month"), LANE_COMPARE);
    let newer = ask_now(&host, wire(CAMPAIGN, "time_frame=per_hour"), LANE_ANALYSIS);
    let first = first.await;
    assert!(superseded(&first), "{first:?}");
    assert!(other_lane.await.is_ok(), "the other lane is not touched");
    assert!(newer.await.is_ok());
    assert_eq!(calls.borrow().len(), 3);
    assert!(calls.borrow()[0].1.is_aborted());
    assert!(!calls.borrow()[1].1.is_aborted());

    let cancelled = ask_now(
        &host,
        wire(OTHER_CAMPAIGN, "time_frame=per_day"),
        LANE_COMPARE,
    );
    call(&host, "cancel", &[JsValue::from(LANE_COMPARE)]);
    let cancelled = cancelled.await;
    assert!(superseded(&cancelled), "{cancelled:?}");
    assert!(calls.borrow()[3].1.is_aborted());
}

#[wasm_bindgen_test]
async fn a_valid_query_crosses_and_each_page_is_asked_once() {
    let (host, calls) = host();
    let q = validate_request(CAMPAIGN, "time_frame=per_day&limit=100")
        .into_result()
        .unwrap();
    let link = PageLink::new(host);
    // The recorded page says the window has 120 instances: two pages of 100.
    let cost = link.window_cost(&q, 120).expect("a cost");
    assert_eq!((cost.pages, cost.requests), (2, 2));
    let pages = Rc::new(RefCell::new(Vec::new()));
    let seen = pages.clone();
    let end = link
        .analyze(&q, 2, move |event| seen.borrow_mut().push(event))
        .await;
    assert_eq!(end, WindowEnd::Done);
    let paths: Vec<String> = calls.borrow().iter().map(|(r, _)| r.path.clone()).collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths.iter().all(|p| p.contains("limit=100")));
    assert_ne!(paths[0], paths[1]);
    // Page 1 reads as the answer it was.
    let page1 = pages
        .borrow()
        .iter()
        .find_map(|event| match event {
            WindowEvent::Page {
                page: 1, response, ..
            } => Some(response.clone()),
            _ => None,
        })
        .expect("page 1");
    assert_eq!(page1, parse(PER_DAY_100));
    // Now cached: free, and the same analysis again asks nothing.
    assert_eq!(link.window_cost(&q, 120).map(|c| c.requests), Some(0));
    // A window of 10,000 pages: its cost counts the two cached ones (asked in one call).
    let huge = link.window_cost(&q, 1_000_000).expect("a cost");
    assert_eq!((huge.pages, huge.cached, huge.requests), (10_000, 2, 9_998));
    assert_eq!(link.analyze(&q, 2, |_| ()).await, WindowEnd::Done);
    assert_eq!(calls.borrow().len(), 2);
}

#[wasm_bindgen_test]
async fn a_host_that_is_missing_or_talks_nonsense_reads_as_nothing_known() {
    let q = validate_request(CAMPAIGN, "time_frame=per_day")
        .into_result()
        .unwrap();
    let nonsense = Object::new();
    let answer_42 = Function::new_no_args("return 42");
    for name in ["subscribe", "isCached", "quota", "ask", "cancel"] {
        Reflect::set(&nonsense, &name.into(), &answer_42).unwrap();
    }
    // Methods that call back with junk, or throw.
    let junk = Object::new();
    Reflect::set(
        &junk,
        &"ask".into(),
        &Function::new_with_args("q, lane, done", "done({ Ok: { text: 'not json' } })"),
    )
    .unwrap();
    Reflect::set(
        &junk,
        &"isCached".into(),
        &Function::new_no_args("return true"),
    )
    .unwrap();
    Reflect::set(
        &junk,
        &"quota".into(),
        &Function::new_no_args("return { remaining: -1 }"),
    )
    .unwrap();
    let throwing = Object::new();
    for name in ["isCached", "quota", "ask", "cancel"] {
        Reflect::set(
            &throwing,
            &name.into(),
            &Function::new_no_args("throw new Error('no')"),
        )
        .unwrap();
    }
    for host in [
        JsValue::NULL,
        JsValue::from(1),
        Object::new().into(),
        nonsense.into(),
        junk.into(),
        throwing.into(),
    ] {
        let link = PageLink::new(host);
        link.subscribe(|_: PageState| panic!("nothing to tell"));
        let end = link.analyze(&q, 1, |_| ()).await;
        assert!(matches!(end, WindowEnd::Failed { page: 1, .. }), "{end:?}");
        let told = Rc::new(RefCell::new(Vec::new()));
        let into = told.clone();
        link.compare(&[q, q], move |i, news| into.borrow_mut().push((i, news)))
            .await;
        let told = told.borrow();
        assert_eq!(told.len(), 2, "each campaign is told it failed");
        assert!(told
            .iter()
            .all(|(_, news)| matches!(news, CampaignNews::Failed { .. })));
        link.cancel_analysis();
        link.cancel_compare();
    }
    for host in [JsValue::NULL, Object::new().into()] {
        let link = PageLink::new(host);
        assert_eq!(link.window_cost(&q, 10), None);
        assert_eq!(link.compare_plan(&[q]), None);
        assert_eq!(link.compare_plan(&[]), None);
    }
}

#[wasm_bindgen_test]
async fn the_panels_hear_of_the_page_state_once_and_again_only_when_it_differs() {
    // The page tells its state whenever a signal it reads is set, even to the same value;
    // the panels' side passes on only a state that differs from the last.
    // (The page's effects run on Leptos's executor, which mounting a view starts.)
    let _mounted = leptos::mount::mount_to(fresh_page(""), || ());
    let (transport, _calls) = canned(|_| (0, answer(200, PER_DAY_100)));
    let dash = Dash::new(Engine::new(transport, browser_env()));
    dash.key.set(KEY.to_owned());
    dash.base_url.set("http://127.0.0.1:8080".to_owned());
    let link = PageLink::new(page::host(dash));
    let heard = Rc::new(RefCell::new(Vec::<bool>::new()));
    let into = heard.clone();
    link.subscribe(move |state| into.borrow_mut().push(state.connected));
    wait_until("the state now", || heard.borrow().len() == 1).await;
    assert_eq!(*heard.borrow(), [true]);
    // Set again to what it is: told again by the page, not passed on.
    dash.base_url.set("http://127.0.0.1:8080".to_owned());
    settle().await;
    settle().await;
    assert_eq!(*heard.borrow(), [true]);
    dash.key.set(String::new());
    wait_until("the change", || heard.borrow().len() == 2).await;
    assert_eq!(*heard.borrow(), [true, false]);
}
