//! The page's side of the port: the host object its panels call. Every method asks the
//! page's request engine and keeps the page's quota, spend and cache revision current.
//!
//! | method | arguments | returns |
//! |---|---|---|
//! | `subscribe` | a function, called with the [`PageState`] now and whenever a part of it may have changed | — |
//! | `isCached` | a [`QueryWire`] | whether the page's cache answers it now; `undefined` when it is not a valid query or no key is set |
//! | `cachedPages` | a [`QueryWire`] (page 1 of a window), a number of pages | how many of those pages the cache answers now; `undefined` as for `isCached` |
//! | `quota` | — | the [`Quota`](crate::api::reply::Quota) now, or `undefined` |
//! | `ask` | a [`QueryWire`], a lane ([`LANE_ANALYSIS`] or [`LANE_COMPARE`]), a function called once with the [`Asked`] | — |
//! | `cancel` | a lane | — |
//!
//! An ask is cache first, with the engine's retries; a newer ask in the same lane replaces
//! the one in flight there. Ends are told by a callback, not a promise: the page's module
//! then carries no future-to-promise adapter (the panels' side makes the promise, see
//! [`super::panel`]).

use super::{AnswerWire, Asked, Lanes, PageState, QueryWire, ShownWire, Words};
use crate::api::cancel::Cancel;
use crate::contract::AnalyticsQuery;
use crate::engine::requests::{Refusal, Refused, Requests};
use crate::engine::Engine;
use crate::ui::state::{Dash, Phase};
use crate::ui::text::messages;
use js_sys::{Function, Object, Reflect};
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The host object for `dash`'s panels. It lives as long as the page (its functions are
/// never released); the state it reads belongs to `dash`'s owner.
pub fn host(dash: Dash) -> JsValue {
    let host = Object::new();
    let owner = Owner::current();
    let lanes = Lanes::default();

    put(
        &host,
        "subscribe",
        Closure::<dyn Fn(Function)>::new(move |tell: Function| {
            let watch = move || {
                // Told whenever a signal it reads changes (the panels' side keeps only
                // what differs, see `PageLink::subscribe`), and a task later: the page's
                // own rendering of an answer comes first, then the panels catch up.
                Effect::new(move |_| {
                    let state = to_js(&page_state(dash));
                    let tell = tell.clone();
                    gloo_timers::callback::Timeout::new(0, move || {
                        let _ = tell.call1(&JsValue::NULL, &state);
                    })
                    .forget();
                });
            };
            match &owner {
                Some(owner) => owner.with(watch),
                None => watch(),
            }
        }),
    );

    put(
        &host,
        "isCached",
        Closure::<dyn Fn(JsValue) -> JsValue>::new(move |query: JsValue| {
            match (read_query(query), dash.connection()) {
                (Some(query), Some(connection)) => {
                    dash.engine().is_cached(&connection, &query).into()
                }
                _ => JsValue::UNDEFINED,
            }
        }),
    );

    put(
        &host,
        "cachedPages",
        Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(
            move |first: JsValue, pages: JsValue| {
                // A whole number of pages; anything else is not a count.
                let pages = pages.as_f64().filter(|p| p.fract() == 0.0 && *p >= 0.0);
                match (read_query(first), dash.connection(), pages) {
                    (Some(first), Some(connection), Some(pages)) => {
                        let pages = pages.min(f64::from(u32::MAX)) as u32;
                        JsValue::from(dash.engine().on(&connection).cached_pages(&first, pages))
                    }
                    _ => JsValue::UNDEFINED,
                }
            },
        ),
    );

    put(
        &host,
        "quota",
        Closure::<dyn Fn() -> JsValue>::new(move || to_js(&dash.engine().quota())),
    );

    let running = lanes.clone();
    put(
        &host,
        "ask",
        Closure::<dyn Fn(JsValue, JsValue, Function)>::new(
            move |query: JsValue, lane: JsValue, done: Function| {
                let Some(cancel) = lane_of(&lane).and_then(|lane| running.replace(lane)) else {
                    let _ = done.call1(&JsValue::NULL, &to_js(&refused(NO_LANE)));
                    return;
                };
                let query = read_query(query);
                wasm_bindgen_futures::spawn_local(async move {
                    let asked = ask(dash, query, &cancel).await;
                    let _ = done.call1(&JsValue::NULL, &to_js(&asked));
                });
            },
        ),
    );
    put(
        &host,
        "cancel",
        Closure::<dyn Fn(JsValue)>::new(move |lane: JsValue| {
            if let Some(lane) = lane_of(&lane) {
                lanes.abort(lane);
            }
        }),
    );

    host.into()
}

/// What the panels are told, read from the page's signals (tracked).
fn page_state(dash: Dash) -> PageState {
    let shown = dash.phase.with(Phase::shown).map(|s| {
        let summary = &s.response.data.summary;
        ShownWire {
            query: QueryWire::of(&s.query),
            total_instances: summary.total_instances,
            purchase_instances: summary.purchase_instances,
        }
    });
    PageState {
        shown,
        connected: dash.connection().is_some(),
        quota: dash.quota.get(),
        now_secs: dash.now_secs.get(),
        recent: dash.recent.get(),
        revision: dash.revision.get(),
    }
}

const NOT_VALID: (&str, &str) = (
    "The query to ask is not valid",
    "Run the query again, then try again.",
);
const NO_KEY: (&str, &str) = (
    "No secret key to ask with",
    "Enter your secret key, run the query, then try again.",
);
const NO_LANE: (&str, &str) = (
    "The panels asked in a way this page does not know",
    "Reload the page and try again.",
);

fn refused((title, message): (&str, &str)) -> Asked {
    Err(Refused {
        refusal: Refusal::Failed(Words {
            title: title.to_owned(),
            message: message.to_owned(),
        }),
        requests: 0,
    })
}

/// One ask through the page's engine; afterwards the page shows the quota and spend as
/// the engine has them, and every cost on the page is asked again.
async fn ask(dash: Dash, query: Option<AnalyticsQuery>, cancel: &Cancel) -> Asked {
    let Some(query) = query else {
        return refused(NOT_VALID);
    };
    let Some(connection) = dash.connection() else {
        return refused(NO_KEY);
    };
    let engine: Engine = dash.engine();
    let asked = engine.on(&connection).ask(&query, cancel).await;
    dash.after_request();
    let now = engine.now_ms().div_euclid(1000);
    match asked {
        Ok(answer) => Ok(AnswerWire {
            text: answer.text.to_string(),
            source: answer.source,
            requests: answer.requests,
        }),
        Err(Refused { refusal, requests }) => Err(Refused {
            refusal: refusal.map(|failure| {
                let words = messages::explain(&failure, messages::Context { base_url: "", now });
                Words {
                    title: words.title,
                    message: words.message,
                }
            }),
            requests,
        }),
    }
}

/// A lane as the panels name it: a whole, non-negative number.
fn lane_of(lane: &JsValue) -> Option<usize> {
    let lane = lane.as_f64()?;
    usize::try_from(lane as i64)
        .ok()
        .filter(|&l| l as f64 == lane)
}

fn put<F: ?Sized + wasm_bindgen::closure::WasmClosure>(host: &Object, name: &str, f: Closure<F>) {
    let _ = Reflect::set(host, &JsValue::from_str(name), f.as_ref().unchecked_ref());
    // The host lives as long as the page.
    f.forget();
}

pub(super) fn to_js<T: Serialize>(value: &T) -> JsValue {
    serde_wasm_bindgen::to_value(value).unwrap_or(JsValue::UNDEFINED)
}

pub(super) fn from_js<T: DeserializeOwned>(value: JsValue) -> Option<T> {
    serde_wasm_bindgen::from_value(value).ok()
}

fn read_query(value: JsValue) -> Option<AnalyticsQuery> {
    from_js::<QueryWire>(value)?.parse()
}
