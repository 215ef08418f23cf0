//! Helpers shared by the browser component tests (`tests/ui_*.rs`): recorded answers of the
//! reference server, a canned `Transport`, and small DOM drivers that act like a user (events
//! bubble, as Leptos's delegated handlers need).
#![allow(dead_code)]

use campaign_analytics::api::cancel::Cancel;
use campaign_analytics::api::reply::{ApiRequest, NoAnswer, RawResponse};
use campaign_analytics::api::types::AnalyticsResponse;
use campaign_analytics::engine::Transport;
use campaign_analytics::ui::shell::Dashboard;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

/// The fixture's test key and campaign (tests/e2e/fixture.json).
pub const KEY: &str = "sk_test_AcmeE2eKey0000000000000000000000";
pub const CAMPAIGN: &str = "c0000000-0000-4000-8000-000000000001";
pub const OTHER_CAMPAIGN: &str = "c0000000-0000-4000-8000-000000000004";

/// Recorded from the reference server with the e2e fixture, clock pinned at 2026-11-20T12:00Z.
pub const PER_DAY_PAGE_2: &str = include_str!("per_day_page2.json");
pub const PER_DAY_100: &str = include_str!("per_day_100.json");
pub const PAST_THE_END: &str = include_str!("past_the_end.json");

pub fn parse(body: &str) -> Arc<AnalyticsResponse> {
    Arc::new(serde_json::from_str(body).expect("a recorded answer"))
}

/// A JSON answer with the quota headers an authenticated answer carries.
pub fn answer(status: u16, body: &str) -> RawResponse {
    RawResponse {
        rate_limit: Some("150".into()),
        rate_remaining: Some("149".into()),
        rate_reset: Some("1795000000".into()),
        ..RawResponse::json(status, body)
    }
}

/// The reference server's 404 envelope.
pub const NOT_FOUND: &str = r#"{"success":false,"error":"Not Found","message":"No endpoint exists at this path","meta":{"timestamp":"2026-11-20T12:00:00Z","requestId":"00000000-0000-4000-8000-000000000000"}}"#;

/// Every analytics request the dashboard sent, with its cancel handle (the demo probe,
/// which carries no key, is answered 404 and not listed).
pub type Calls = Rc<RefCell<Vec<(ApiRequest, Cancel)>>>;

/// A `Transport` that answers each request with `respond(request)` after `delay` ms. The
/// dashboard's engine reads the answer exactly as it reads a server's.
pub fn canned(respond: impl Fn(&ApiRequest) -> (u32, RawResponse) + 'static) -> (Transport, Calls) {
    scripted(move |request| {
        let (delay, raw) = respond(request);
        (delay, Ok(raw))
    })
}

/// Like [`canned`], but an answer may also be no answer at all (a network failure).
pub fn scripted(
    respond: impl Fn(&ApiRequest) -> (u32, Result<RawResponse, NoAnswer>) + 'static,
) -> (Transport, Calls) {
    let calls: Calls = Rc::default();
    let seen = calls.clone();
    let respond = Rc::new(respond);
    let transport: Transport = Rc::new(move |request: ApiRequest, cancel: Cancel| {
        if request.path == "/api/demo" {
            // Not a demo server: the 404 envelope, as the reference server without --demo.
            return Box::pin(async { Ok(RawResponse::json(404, NOT_FOUND)) });
        }
        seen.borrow_mut().push((request.clone(), cancel.clone()));
        let respond = respond.clone();
        Box::pin(async move {
            let (delay, outcome) = respond(&request);
            if delay > 0 {
                gloo_timers::future::TimeoutFuture::new(delay).await;
            }
            if cancel.is_aborted() {
                return Err(NoAnswer::Aborted);
            }
            outcome
        })
    });
    (transport, calls)
}

/// Empties the query string and both storages, and returns a fresh container on the page.
pub fn fresh_page(search: &str) -> HtmlElement {
    let window = web_sys::window().unwrap();
    let path = window.location().pathname().unwrap();
    window
        .history()
        .unwrap()
        .replace_state_with_url(&JsValue::NULL, "", Some(&format!("{path}{search}")))
        .unwrap();
    for storage in [window.session_storage(), window.local_storage()] {
        if let Ok(Some(s)) = storage {
            s.clear().unwrap();
        }
    }
    let document = window.document().unwrap();
    // Earlier tests' views go (the runner's own output elements stay).
    let old = document.query_selector_all(".test-root").unwrap();
    for i in 0..old.length() {
        if let Some(node) = old.item(i) {
            node.unchecked_into::<Element>().remove();
        }
    }
    let div = document.create_element("div").unwrap();
    div.set_class_name("test-root");
    document.body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

/// Mounts the whole dashboard with `transport` on a fresh page whose query string is `search`.
pub fn mount_dashboard(search: &str, transport: Transport) -> impl Drop {
    mount_on(fresh_page(search), transport)
}

/// Mounts the whole dashboard with `transport` in `parent`.
pub fn mount_on(parent: HtmlElement, transport: Transport) -> impl Drop {
    leptos::mount::mount_to(parent, move || view! { <Dashboard transport=transport/> })
}

/// Lets effects, renders and short timers run.
pub async fn settle() {
    for _ in 0..3 {
        leptos::task::tick().await;
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
}

/// Waits (up to 5 s) until `done()` holds.
pub async fn wait_until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    panic!("timed out waiting until {what}");
}

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

pub fn query(selector: &str) -> Option<Element> {
    document().query_selector(selector).unwrap()
}

pub fn count(selector: &str) -> u32 {
    document().query_selector_all(selector).unwrap().length()
}

pub fn by(testid: &str) -> Option<Element> {
    query(&format!("[data-testid=\"{testid}\"]"))
}

/// The text of the element with this `data-testid` ("" when there is none).
pub fn text(testid: &str) -> String {
    by(testid)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
        .trim()
        .to_owned()
}

pub fn exists(testid: &str) -> bool {
    by(testid).is_some()
}

pub fn is_disabled(testid: &str) -> bool {
    by(testid)
        .unwrap_or_else(|| panic!("no {testid}"))
        .has_attribute("disabled")
}

/// Whether the element is rendered (not inside a `hidden` ancestor).
pub fn is_shown(testid: &str) -> bool {
    by(testid).is_some_and(|e| e.closest("[hidden]").unwrap().is_none())
}

fn bubbling(name: &str) -> web_sys::Event {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    web_sys::Event::new_with_event_init_dict(name, &init).unwrap()
}

/// Types `value` into an input as a user would (value, then a bubbling `input` event).
pub fn type_into(testid: &str, value: &str) {
    let input: HtmlInputElement = by(testid)
        .unwrap_or_else(|| panic!("no {testid}"))
        .unchecked_into();
    input.set_value(value);
    input.dispatch_event(&bubbling("input")).unwrap();
}

/// Picks `value` in a select (value, then a bubbling `change` event).
pub fn choose(testid: &str, value: &str) {
    let select: HtmlSelectElement = by(testid)
        .unwrap_or_else(|| panic!("no {testid}"))
        .unchecked_into();
    select.set_value(value);
    select.dispatch_event(&bubbling("change")).unwrap();
}

pub fn value_of(testid: &str) -> String {
    let el = by(testid).unwrap_or_else(|| panic!("no {testid}"));
    match el.dyn_ref::<HtmlSelectElement>() {
        Some(select) => select.value(),
        None => el.unchecked_into::<HtmlInputElement>().value(),
    }
}

pub fn click(testid: &str) {
    by(testid)
        .unwrap_or_else(|| panic!("no {testid}"))
        .unchecked_into::<HtmlElement>()
        .click();
}

/// Presses a key with the focus on the page body.
pub fn press(key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    document().body().unwrap().dispatch_event(&event).unwrap();
}

/// The `data-testid` of the focused element.
pub fn focused() -> String {
    document()
        .active_element()
        .and_then(|e| e.get_attribute("data-testid"))
        .unwrap_or_default()
}

pub fn session_item(name: &str) -> Option<String> {
    web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
        .get_item(name)
        .unwrap()
}

pub fn local_item(name: &str) -> Option<String> {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item(name)
        .unwrap()
}

/// The page's query string, without `?`.
pub fn page_search() -> String {
    web_sys::window()
        .unwrap()
        .location()
        .search()
        .unwrap()
        .trim_start_matches('?')
        .to_owned()
}

/// Fills the key and campaign and presses Run.
pub async fn run(key: &str, campaign: &str) {
    type_into("api-key", key);
    type_into("campaign-id", campaign);
    settle().await;
    click("run-query");
    settle().await;
}

/// The value at `path` of properties below `value` (`["signal", "aborted"]`).
fn follow(value: &JsValue, path: &[&str]) -> JsValue {
    path.iter().fold(value.clone(), |v, name| {
        js_sys::Reflect::get(&v, &JsValue::from_str(name)).unwrap()
    })
}

/// The page's own `fetch`, replaced while this value lives, so the real client
/// (`api::client::send`) runs against a server that holds its answers: every analytics
/// request is recorded and held until an answer is queued with [`HeldFetch::answer_next`]
/// (a request held before that never answers), and a held request ends only when its own
/// `AbortSignal` fires, with the `AbortError` a browser gives. Other requests (the demo
/// probe) go to the real `fetch`.
pub struct HeldFetch {
    record: JsValue,
}

impl HeldFetch {
    pub fn install() -> HeldFetch {
        let install = js_sys::Function::new_no_args(
            r#"
            const original = globalThis.fetch;
            const record = { calls: [], answers: [] };
            record.restore = () => { globalThis.fetch = original; };
            globalThis.fetch = (request, init) => {
              if (!String(request.url || request).includes("/analytics")) return original(request, init);
              record.calls.push(request);
              const answer = record.answers.shift();
              if (answer !== undefined) {
                return Promise.resolve(new Response(answer, { status: 200, headers: {
                  "content-type": "application/json", "x-ratelimit-limit": "150",
                  "x-ratelimit-remaining": "149", "x-ratelimit-reset": "1795000000" } }));
              }
              return new Promise((_, reject) => {
                const fail = () => reject(new DOMException("The operation was aborted.", "AbortError"));
                if (request.signal.aborted) fail();
                request.signal.addEventListener("abort", fail);
              });
            };
            return record;
            "#,
        );
        HeldFetch {
            record: install.call0(&JsValue::NULL).unwrap(),
        }
    }

    fn get(&self, path: &[&str]) -> JsValue {
        follow(&self.record, path)
    }

    /// The requests the page's `fetch` received, in order.
    fn requests(&self) -> js_sys::Array {
        self.get(&["calls"]).unchecked_into()
    }

    /// The analytics requests the page's `fetch` received.
    pub fn calls(&self) -> u32 {
        self.requests().length()
    }

    /// Whether the `AbortSignal` of the `n`th request has fired.
    pub fn aborted(&self, n: u32) -> bool {
        follow(&self.requests().get(n), &["signal", "aborted"]).is_truthy()
    }

    /// The URL of the `n`th request.
    pub fn url(&self, n: u32) -> String {
        follow(&self.requests().get(n), &["url"])
            .as_string()
            .unwrap_or_default()
    }

    /// Answers the next analytics request at once with `body` (200, JSON, quota headers).
    pub fn answer_next(&self, body: &str) {
        self.get(&["answers"])
            .unchecked_into::<js_sys::Array>()
            .push(&JsValue::from_str(body));
    }
}

impl Drop for HeldFetch {
    fn drop(&mut self) {
        let restore: js_sys::Function = self.get(&["restore"]).unchecked_into();
        let _ = restore.call0(&JsValue::NULL);
    }
}

/// Waits up to two seconds for the crash notice; whether it appeared.
pub async fn crash_notice_appears() -> bool {
    for _ in 0..200 {
        if exists("crash-notice") {
            return true;
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    false
}

/// What is wrong with the crash notice on the page, if anything: it must be there, be an
/// alert, and say what happened (the panic hook and the trap listener put up the same one).
pub fn crash_notice_problem() -> Option<String> {
    let Some(notice) = by("crash-notice") else {
        return Some("no crash notice".into());
    };
    if notice.get_attribute("role").as_deref() != Some("alert") {
        return Some("the crash notice is not an alert".into());
    }
    let said = text("crash-notice");
    if !said.starts_with("The dashboard hit an internal error and stopped") {
        return Some(format!("the crash notice says {said:?}"));
    }
    None
}
