//! The page's side of the port: the host object its panels call. Every method asks the
//! page's request engine and keeps the page's quota, spend and cache revision current, as
//! the panels did when they were part of the page.
//!
//! | method | arguments | returns |
//! |---|---|---|
//! | `subscribe` | a function, called with the [`PageState`] now and on every change | — |
//! | `windowCost` | a [`QueryWire`], the instances it matches | a [`WindowCost`](crate::engine::window::WindowCost) or `undefined` |
//! | `analyze` | a [`QueryWire`], the pages expected, a function called with each [`WindowNews`], one called with the [`WindowEnd`] | — |
//! | `cancelAnalysis` | — | — |
//! | `comparePlan` | an array of [`QueryWire`] | a [`Plan`](crate::compare::Plan) or `undefined` |
//! | `compare` | an array of [`QueryWire`], a function called with (index, [`CampaignNews`]), one called when all are in | — |
//!
//! Ends are told by a callback, not a promise: the page's module then carries no
//! future-to-promise adapter (the panels' side makes the promise, see [`super::panel`]).
//! | `cancelCompare` | — | — |

use super::{CampaignNews, PageState, QueryWire, ShownWire, WindowEnd, WindowNews};
use crate::api::cancel::Cancel;
use crate::contract::AnalyticsQuery;
use crate::engine::window::{WindowEvent, WindowStop};
use crate::engine::{Engine, Failed};
use crate::ui::state::{Dash, Phase};
use crate::ui::text::messages;
use js_sys::{Function, Object, Reflect};
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The host object for `dash`'s panels. It lives as long as the page (its functions are
/// never released); the state it reads belongs to `dash`'s owner.
pub fn host(dash: Dash) -> JsValue {
    let host = Object::new();
    let owner = Owner::current();
    let analysis: Rc<RefCell<Option<Cancel>>> = Rc::default();
    let comparison: Rc<RefCell<Option<Cancel>>> = Rc::default();

    put(
        &host,
        "subscribe",
        Closure::<dyn Fn(Function)>::new(move |tell: Function| {
            let watch = move || {
                // Told only when it changed, and a task later: the page's own rendering
                // of an answer comes first, then the panels catch up.
                let state = Memo::new(move |_| page_state(dash));
                Effect::new(move |_| {
                    let state = to_js(&state.get());
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
        "windowCost",
        Closure::<dyn Fn(JsValue, f64) -> JsValue>::new(move |query: JsValue, matching: f64| {
            let (Some(query), Some(connection)) = (read_query(query), dash.connection()) else {
                return JsValue::UNDEFINED;
            };
            to_js(
                &dash
                    .engine()
                    .window_cost(&connection, &query, matching as u64),
            )
        }),
    );

    let cancel_slot = analysis.clone();
    put(
        &host,
        "analyze",
        Closure::<dyn Fn(JsValue, u32, Function, Function)>::new(
            move |query: JsValue, expected: u32, tell: Function, done: Function| {
                let cancel = replace(&cancel_slot);
                wasm_bindgen_futures::spawn_local(async move {
                    let end = analyze(dash, read_query(query), expected, &cancel, &tell).await;
                    let _ = done.call1(&JsValue::NULL, &to_js(&end));
                });
            },
        ),
    );
    put(
        &host,
        "cancelAnalysis",
        Closure::<dyn Fn()>::new(move || abort(&analysis)),
    );

    put(
        &host,
        "comparePlan",
        Closure::<dyn Fn(JsValue) -> JsValue>::new(move |queries: JsValue| {
            let (Some(queries), Some(connection)) = (read_queries(queries), dash.connection())
            else {
                return JsValue::UNDEFINED;
            };
            to_js(&crate::compare::plan(&dash.engine(), &connection, &queries))
        }),
    );

    let cancel_slot = comparison.clone();
    put(
        &host,
        "compare",
        Closure::<dyn Fn(JsValue, Function, Function)>::new(
            move |queries: JsValue, tell: Function, done: Function| {
                let cancel = replace(&cancel_slot);
                wasm_bindgen_futures::spawn_local(async move {
                    compare(dash, read_queries(queries), &cancel, &tell).await;
                    let _ = done.call0(&JsValue::NULL);
                });
            },
        ),
    );
    put(
        &host,
        "cancelCompare",
        Closure::<dyn Fn()>::new(move || abort(&comparison)),
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

/// After requests: the page shows the quota and spend as the engine has them now, and
/// every cost on the page is asked again.
fn counted(dash: Dash, engine: &Engine) {
    dash.quota.try_set(engine.quota());
    dash.spent.try_set(engine.spent());
    dash.revision.try_update(|r| *r += 1);
}

async fn analyze(
    dash: Dash,
    first: Option<AnalyticsQuery>,
    expected: u32,
    cancel: &Cancel,
    tell: &Function,
) -> WindowEnd {
    let failed = |title: &str| WindowEnd::Failed {
        page: 1,
        title: title.to_owned(),
        message: "Run the query again, then analyse it.".to_owned(),
    };
    let Some(first) = first else {
        return failed("The window to analyse is not a valid query");
    };
    let Some(connection) = dash.connection() else {
        return failed("Enter your key to analyse the window");
    };
    let engine = dash.engine();
    let counters = engine.clone();
    let mut on = |event: WindowEvent| {
        let news = match event {
            WindowEvent::Page { page, text, .. } => WindowNews::Page {
                page,
                text: text.to_string(),
            },
            WindowEvent::Progress(p) => {
                counted(dash, &counters);
                WindowNews::Progress(p)
            }
            WindowEvent::Paused { until_secs } => {
                dash.quota.try_set(counters.quota());
                WindowNews::Paused { until_secs }
            }
            WindowEvent::Resumed => WindowNews::Resumed,
        };
        let _ = tell.call1(&JsValue::NULL, &to_js(&news));
    };
    let outcome = engine
        .fetch_window(&connection, &first, expected, cancel, &mut on)
        .await;
    counted(dash, &engine);
    match outcome {
        Ok(_) => WindowEnd::Done,
        Err(WindowStop::Cancelled(p)) => WindowEnd::Cancelled(p),
        Err(WindowStop::Failed { failure, page, .. }) => {
            let words = messages::explain(
                &failure,
                messages::Context {
                    base_url: "",
                    now: engine.now_ms().div_euclid(1000),
                },
            );
            WindowEnd::Failed {
                page,
                title: words.title,
                message: words.message,
            }
        }
    }
}

async fn compare(
    dash: Dash,
    queries: Option<Vec<AnalyticsQuery>>,
    cancel: &Cancel,
    tell: &Function,
) {
    let (Some(queries), Some(connection)) = (queries, dash.connection()) else {
        return;
    };
    let engine = dash.engine();
    crate::compare::fetch(&engine, &connection, &queries, cancel, |i, outcome| {
        counted(dash, &engine);
        let news = match outcome {
            Ok(answer) => CampaignNews::Ready {
                text: answer.text.to_string(),
            },
            Err(Failed { failure, .. }) => {
                // Replaced by a newer comparison: its rows are not shown.
                if cancel.is_aborted() {
                    return;
                }
                let words = messages::explain(
                    &failure,
                    messages::Context {
                        base_url: "",
                        now: engine.now_ms().div_euclid(1000),
                    },
                );
                CampaignNews::Failed { title: words.title }
            }
        };
        let _ = tell.call2(&JsValue::NULL, &JsValue::from(i as u32), &to_js(&news));
    })
    .await;
}

/// A new cancel handle in `slot`; the one it replaces is fired (a newer run replaces an
/// older one).
fn replace(slot: &Rc<RefCell<Option<Cancel>>>) -> Cancel {
    let cancel = Cancel::new();
    if let Some(old) = slot.borrow_mut().replace(cancel.clone()) {
        old.abort();
    }
    cancel
}

fn abort(slot: &Rc<RefCell<Option<Cancel>>>) {
    if let Some(cancel) = slot.borrow_mut().take() {
        cancel.abort();
    }
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

fn read_queries(value: JsValue) -> Option<Vec<AnalyticsQuery>> {
    from_js::<Vec<QueryWire>>(value)?
        .iter()
        .map(QueryWire::parse)
        .collect()
}
