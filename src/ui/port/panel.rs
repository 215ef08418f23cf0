//! The panels' side of the port: [`PageLink`], typed calls on the page's host object (see
//! [`super::page`] for its methods), and the loops that ask many answers — every page of a
//! window, the campaigns of a comparison — run here, over [`Requests`] that go to the
//! page's engine one at a time.

use super::page::{from_js, to_js};
use super::{
    Asked, CampaignNews, Lanes, PageState, QueryWire, WindowEnd, Words, LANE_ANALYSIS, LANE_COMPARE,
};
use crate::api::cancel::Cancel;
use crate::api::reply::{read_body, Quota};
use crate::compare::Plan;
use crate::contract::AnalyticsQuery;
use crate::engine::requests::{Refusal, Refused, Requests};
use crate::engine::window::{self, WindowCost, WindowEvent, WindowStop};
use crate::engine::{Answer, Env};
use js_sys::{Function, Promise, Reflect};
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The panels' handle on the page. A host that lacks a method, or answers with something
/// unreadable, reads as "nothing known" (no cost, no plan) or a stated failure, never as a
/// crash.
///
/// ```no_run
/// # async fn demo(host: wasm_bindgen::JsValue, query: campaign_analytics::contract::AnalyticsQuery) {
/// use campaign_analytics::ui::port::panel::PageLink;
/// let page = PageLink::new(host);
/// page.subscribe(|state| log(state.now_secs));
/// let cost = page.window_cost(&query, 1_234); // before anything is spent
/// # fn log(_: i64) {}
/// # }
/// ```
#[derive(Clone)]
pub struct PageLink {
    host: JsValue,
    /// The run in each lane (a newer run, or a cancel, fires it).
    running: Lanes,
    env: Rc<dyn Env>,
}

impl PageLink {
    pub fn new(host: JsValue) -> PageLink {
        PageLink {
            host,
            running: Lanes::default(),
            env: crate::engine::browser_env(),
        }
    }

    fn method(&self, name: &str) -> Option<Function> {
        Reflect::get(&self.host, &JsValue::from_str(name))
            .ok()?
            .dyn_into::<Function>()
            .ok()
    }

    /// Calls `on` with the page's state now and whenever it changes, for the page's life.
    /// The page tells its state whenever a part of it may have changed; `on` hears only
    /// of a state that differs from the last one.
    pub fn subscribe(&self, on: impl Fn(PageState) + 'static) {
        let Some(subscribe) = self.method("subscribe") else {
            return;
        };
        let last = std::cell::RefCell::new(None::<PageState>);
        let tell = Closure::<dyn Fn(JsValue)>::new(move |state: JsValue| {
            let Some(state) = from_js::<PageState>(state) else {
                return;
            };
            if last.borrow().as_ref() != Some(&state) {
                *last.borrow_mut() = Some(state.clone());
                on(state);
            }
        });
        let _ = subscribe.call1(&self.host, tell.as_ref().unchecked_ref());
        // Called for as long as the page lives.
        tell.forget();
    }

    /// Whether the page's cache answers `query` now; `None` when the page cannot ask it (no
    /// key, not a valid query, no page).
    fn cached(&self, query: &AnalyticsQuery) -> Option<bool> {
        self.method("isCached")?
            .call1(&self.host, &to_js(&QueryWire::of(query)))
            .ok()?
            .as_bool()
    }

    /// What analysing the window starting at `first` would cost now.
    pub fn window_cost(&self, first: &AnalyticsQuery, matching: u64) -> Option<WindowCost> {
        self.cached(first)?;
        Some(window::window_cost(
            &self.lane(LANE_ANALYSIS),
            first,
            matching,
        ))
    }

    /// Fetches every page of the window starting at `first` through the page's engine,
    /// telling `on` as it goes; a newer call or [`PageLink::cancel_analysis`] stops it.
    pub async fn analyze(
        &self,
        first: &AnalyticsQuery,
        expected_pages: u32,
        mut on: impl FnMut(WindowEvent),
    ) -> WindowEnd {
        let cancel = self.start(LANE_ANALYSIS);
        let fetched = window::fetch_window(
            &self.lane(LANE_ANALYSIS),
            first,
            expected_pages,
            &cancel,
            &mut on,
        )
        .await;
        match fetched {
            Ok(_) => WindowEnd::Done,
            Err(WindowStop::Cancelled(progress)) => WindowEnd::Cancelled(progress),
            Err(WindowStop::Failed { failure, page, .. }) => WindowEnd::Failed {
                page,
                title: failure.title.clone(),
                message: failure.message.clone(),
            },
        }
    }

    pub fn cancel_analysis(&self) {
        self.stop(LANE_ANALYSIS);
    }

    /// What asking all of `queries` would cost now, against the quota.
    pub fn compare_plan(&self, queries: &[AnalyticsQuery]) -> Option<Plan> {
        self.cached(queries.first()?)?;
        Some(crate::compare::plan(&self.lane(LANE_COMPARE), queries))
    }

    /// Asks each of `queries` through the page's engine, one after the other, telling `on`
    /// (index, news) as each arrives; a newer call or [`PageLink::cancel_compare`] stops it.
    pub async fn compare(
        &self,
        queries: &[AnalyticsQuery],
        mut on: impl FnMut(usize, CampaignNews),
    ) {
        let cancel = self.start(LANE_COMPARE);
        let lane = self.lane(LANE_COMPARE);
        crate::compare::fetch(&lane, queries, &cancel, |i, outcome| {
            let news = match outcome {
                Ok(answer) => CampaignNews::Ready(answer.response),
                // Replaced by a newer comparison: its rows are not shown.
                Err(Refused {
                    refusal: Refusal::Superseded,
                    ..
                }) => return,
                Err(Refused {
                    refusal: Refusal::Failed(words) | Refusal::RateLimited { failure: words, .. },
                    ..
                }) => CampaignNews::Failed { title: words.title },
            };
            on(i, news);
        })
        .await;
    }

    pub fn cancel_compare(&self) {
        self.stop(LANE_COMPARE);
    }

    fn lane(&self, lane: u32) -> Lane<'_> {
        Lane { link: self, lane }
    }

    /// A new run in `lane`: the one running there stops.
    fn start(&self, lane: u32) -> Cancel {
        let cancel = self.running.replace(lane as usize).unwrap_or_default();
        self.cancel_on_page(lane);
        cancel
    }

    /// Stops the run in `lane`: its waits end here and its request in flight on the page.
    fn stop(&self, lane: u32) {
        self.running.abort(lane as usize);
        self.cancel_on_page(lane);
    }

    fn cancel_on_page(&self, lane: u32) {
        if let Some(cancel) = self.method("cancel") {
            let _ = cancel.call1(&self.host, &JsValue::from(lane));
        }
    }
}

/// The page's engine as the panels reach it, in one lane.
struct Lane<'a> {
    link: &'a PageLink,
    lane: u32,
}

/// Why the page gave no answer, when it did not say.
fn silent() -> Refused<Words> {
    Refused {
        refusal: Refusal::Failed(Words {
            title: "The page did not answer".to_owned(),
            message: "Reload the page and try again.".to_owned(),
        }),
        requests: 0,
    }
}

impl Requests for Lane<'_> {
    type Failure = Words;

    fn now_ms(&self) -> i64 {
        self.link.env.now_ms()
    }

    fn quota(&self) -> Option<Quota> {
        let quota = self.link.method("quota")?.call0(&self.link.host).ok()?;
        from_js(quota)
    }

    fn is_cached(&self, query: &AnalyticsQuery) -> bool {
        self.link.cached(query).unwrap_or(false)
    }

    fn cached_pages(&self, first: &AnalyticsQuery, pages: u32) -> u32 {
        // One call across the port, not one per page (a window can have thousands).
        self.link
            .method("cachedPages")
            .and_then(|m| {
                m.call2(
                    &self.link.host,
                    &to_js(&QueryWire::of(first)),
                    &JsValue::from(pages),
                )
                .ok()
            })
            .and_then(|n| n.as_f64())
            .filter(|n| n.fract() == 0.0 && *n >= 0.0)
            .map_or(0, |n| (n as u32).min(pages))
    }

    async fn ask(&self, query: &AnalyticsQuery, cancel: &Cancel) -> Result<Answer, Refused<Words>> {
        if cancel.is_aborted() {
            return Err(Refused {
                refusal: Refusal::Superseded,
                requests: 0,
            });
        }
        let ask = self.link.method("ask").ok_or_else(silent)?;
        let wire = to_js(&QueryWire::of(query));
        let lane = JsValue::from(self.lane);
        let asked = until_done(|done| ask.call3(&self.link.host, &wire, &lane, done))
            .await
            .and_then(from_js::<Asked>)
            .ok_or_else(silent)?;
        let wire = asked?;
        let Some(response) = read_body(&wire.text) else {
            return Err(Refused {
                refusal: Refusal::Failed(Words {
                    title: "The answer could not be read".to_owned(),
                    message: "Run the query again, then try again.".to_owned(),
                }),
                requests: wire.requests,
            });
        };
        Ok(Answer {
            response: Arc::new(response),
            text: wire.text.into(),
            source: wire.source,
            requests: wire.requests,
        })
    }

    async fn wait_until(&self, until_secs: i64, cancel: &Cancel) -> bool {
        crate::engine::wait_until(&*self.link.env, until_secs, cancel).await
    }
}

/// Makes a call that ends by calling the `done` function it is given, and waits for that:
/// the value `done` was called with (`None` when the call threw or returned something).
async fn until_done(call: impl FnOnce(&JsValue) -> Result<JsValue, JsValue>) -> Option<JsValue> {
    let mut call = Some(call);
    let mut called = Ok(JsValue::UNDEFINED);
    let ended = Promise::new(&mut |done, fail| {
        if let Some(call) = call.take() {
            called = call(&done);
        }
        if called.is_err() {
            let _ = fail.call0(&JsValue::NULL);
        }
    });
    // The page's methods return nothing; anything else is not the page's host, which
    // would never call `done` either.
    if !called.ok()?.is_undefined() {
        return None;
    }
    JsFuture::from(ended).await.ok()
}
