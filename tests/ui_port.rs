//! The port between the page and its panels, from its hostile side: whatever the other side
//! sends — nothing, junk, a query that is not valid, a method that is missing or answers
//! nonsense — is read as "nothing known" or a stated failure, never a crash, and nothing
//! is sent to the server for it.
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --features ui --test ui_port`
#![cfg(all(target_arch = "wasm32", feature = "ui"))]

#[path = "ui_support/mod.rs"]
mod support;

use campaign_analytics::contract::validate_request;
use campaign_analytics::engine::{browser_env, Engine};
use campaign_analytics::ui::port::panel::PageLink;
use campaign_analytics::ui::port::{page, PageState, WindowEnd};
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
    let told = Rc::new(RefCell::new(0));
    let counter = told.clone();
    let tell = wasm_bindgen::closure::Closure::<dyn Fn(JsValue, JsValue)>::new(move |_, _| {
        *counter.borrow_mut() += 1;
    });
    for bad in &junk {
        assert!(call(&host, "windowCost", &[bad.clone(), JsValue::from(10)]).is_undefined());
        assert!(call(&host, "comparePlan", &[bad.clone()]).is_undefined());
        let list: JsValue = [bad.clone()].iter().collect::<Array>().into();
        assert!(call(&host, "comparePlan", &[list.clone()]).is_undefined());
        let end = until_done(
            &host,
            "analyze",
            &[bad.clone(), JsValue::from(3), tell.as_ref().clone()],
        )
        .await;
        let end: WindowEnd = serde_wasm_bindgen::from_value(end).unwrap();
        assert!(matches!(end, WindowEnd::Failed { page: 1, .. }), "{end:?}");
        until_done(&host, "compare", &[list, tell.as_ref().clone()]).await;
    }
    // Callbacks that are not functions are called by nobody.
    let valid = wire(CAMPAIGN, "time_frame=per_day");
    let list: JsValue = [valid.clone()].iter().collect::<Array>().into();
    until_done(&host, "compare", &[list.clone(), JsValue::from(7)]).await;
    call(&host, "compare", &[list, JsValue::NULL, JsValue::from(7)]);
    call(
        &host,
        "analyze",
        &[
            JsValue::NULL,
            JsValue::from(1),
            JsValue::NULL,
            JsValue::NULL,
        ],
    );
    // Both run to their end with no one to tell.
    let pause = Promise::new(&mut |done, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&done, 50);
    });
    JsFuture::from(pause).await.unwrap();
    assert_eq!(*told.borrow(), 0);
    assert_eq!(
        calls.borrow().len(),
        1,
        "only the valid comparison asked (and cached after)"
    );
    // Cancelling what is not running is harmless.
    call(&host, "cancelAnalysis", &[]);
    call(&host, "cancelCompare", &[]);
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
        .analyze(&q, 2, move |news| seen.borrow_mut().push(news))
        .await;
    assert_eq!(end, Some(WindowEnd::Done));
    let paths: Vec<String> = calls.borrow().iter().map(|(r, _)| r.path.clone()).collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths.iter().all(|p| p.contains("limit=100")));
    assert_ne!(paths[0], paths[1]);
    // Page 1's text reads as the answer it was.
    let text = pages
        .borrow()
        .iter()
        .find_map(|n| match n {
            campaign_analytics::ui::port::WindowNews::Page { page: 1, text } => Some(text.clone()),
            _ => None,
        })
        .expect("page 1");
    assert_eq!(
        campaign_analytics::ui::port::read_answer(&text),
        Some((*parse(PER_DAY_100)).clone())
    );
    // Now cached: free.
    assert_eq!(link.window_cost(&q, 120).map(|c| c.requests), Some(0));
}

#[wasm_bindgen_test]
async fn a_host_that_is_missing_or_talks_nonsense_reads_as_nothing_known() {
    let q = validate_request(CAMPAIGN, "time_frame=per_day")
        .into_result()
        .unwrap();
    let nonsense = Object::new();
    let answer_42 = Function::new_no_args("return 42");
    for name in [
        "subscribe",
        "windowCost",
        "analyze",
        "cancelAnalysis",
        "comparePlan",
        "compare",
        "cancelCompare",
    ] {
        Reflect::set(&nonsense, &name.into(), &answer_42).unwrap();
    }
    let throwing = Object::new();
    Reflect::set(
        &throwing,
        &"windowCost".into(),
        &Function::new_no_args("throw new Error('no')"),
    )
    .unwrap();
    for host in [
        JsValue::NULL,
        JsValue::from(1),
        Object::new().into(),
        nonsense.into(),
        throwing.into(),
    ] {
        let link = PageLink::new(host);
        link.subscribe(|_: PageState| panic!("nothing to tell"));
        assert_eq!(link.window_cost(&q, 10), None);
        assert_eq!(link.compare_plan(&[q]), None);
        assert_eq!(link.analyze(&q, 1, |_| ()).await, None);
        link.compare(&[q], |_, _| panic!("nothing to tell")).await;
        link.cancel_analysis();
        link.cancel_compare();
    }
}
