//! The panels' side of the port: [`PageLink`], typed calls on the page's host object
//! (see [`super::page`] for the methods).

use super::page::{from_js, to_js};
use super::{CampaignNews, PageState, QueryWire, WindowEnd, WindowNews};
use crate::compare::Plan;
use crate::contract::AnalyticsQuery;
use crate::engine::window::WindowCost;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The panels' handle on the page. A host that lacks a method, or answers with something
/// unreadable, reads as "nothing known" (no cost, no plan), never as a crash.
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
#[derive(Clone, Debug)]
pub struct PageLink(JsValue);

impl PageLink {
    pub fn new(host: JsValue) -> PageLink {
        PageLink(host)
    }

    fn method(&self, name: &str) -> Option<Function> {
        Reflect::get(&self.0, &JsValue::from_str(name))
            .ok()?
            .dyn_into::<Function>()
            .ok()
    }

    /// Calls `on` with the page's state now and whenever it changes, for the page's life.
    pub fn subscribe(&self, on: impl Fn(PageState) + 'static) {
        let Some(subscribe) = self.method("subscribe") else {
            return;
        };
        let tell = Closure::<dyn Fn(JsValue)>::new(move |state: JsValue| {
            if let Some(state) = from_js::<PageState>(state) {
                on(state);
            }
        });
        let _ = subscribe.call1(&self.0, tell.as_ref().unchecked_ref());
        // Called for as long as the page lives.
        tell.forget();
    }

    /// What analysing the window starting at `first` would cost now.
    pub fn window_cost(&self, first: &AnalyticsQuery, matching: u64) -> Option<WindowCost> {
        let cost = self.method("windowCost")?.call2(
            &self.0,
            &to_js(&QueryWire::of(first)),
            &JsValue::from(matching as f64),
        );
        from_js(cost.ok()?)
    }

    /// Fetches every page of the window starting at `first` through the page's engine,
    /// telling `on` as it goes; a newer call or [`PageLink::cancel_analysis`] stops it.
    pub async fn analyze(
        &self,
        first: &AnalyticsQuery,
        expected_pages: u32,
        on: impl FnMut(WindowNews) + 'static,
    ) -> Option<WindowEnd> {
        let on = std::cell::RefCell::new(on);
        let tell = Closure::<dyn Fn(JsValue)>::new(move |news: JsValue| {
            if let Some(news) = from_js::<WindowNews>(news) {
                (on.borrow_mut())(news);
            }
        });
        let analyze = self.method("analyze")?;
        let end = until_done(|done| {
            analyze.apply(
                &self.0,
                &js_sys::Array::of4(
                    &to_js(&QueryWire::of(first)),
                    &JsValue::from(expected_pages),
                    tell.as_ref(),
                    done,
                ),
            )
        })
        .await;
        drop(tell);
        from_js(end?)
    }

    pub fn cancel_analysis(&self) {
        if let Some(cancel) = self.method("cancelAnalysis") {
            let _ = cancel.call0(&self.0);
        }
    }

    /// What asking all of `queries` would cost now, against the quota.
    pub fn compare_plan(&self, queries: &[AnalyticsQuery]) -> Option<Plan> {
        let plan = self.method("comparePlan")?.call1(&self.0, &wires(queries));
        from_js(plan.ok()?)
    }

    /// Asks each of `queries` through the page's engine, one after the other, telling `on`
    /// (index, news) as each arrives; a newer call or [`PageLink::cancel_compare`] stops it.
    pub async fn compare(
        &self,
        queries: &[AnalyticsQuery],
        on: impl FnMut(usize, CampaignNews) + 'static,
    ) {
        let on = std::cell::RefCell::new(on);
        let tell = Closure::<dyn Fn(JsValue, JsValue)>::new(move |i: JsValue, news: JsValue| {
            if let (Some(i), Some(news)) = (i.as_f64(), from_js::<CampaignNews>(news)) {
                (on.borrow_mut())(i as usize, news);
            }
        });
        let Some(compare) = self.method("compare") else {
            return;
        };
        let _ =
            until_done(|done| compare.call3(&self.0, &wires(queries), tell.as_ref(), done)).await;
        drop(tell);
    }

    pub fn cancel_compare(&self) {
        if let Some(cancel) = self.method("cancelCompare") {
            let _ = cancel.call0(&self.0);
        }
    }
}

fn wires(queries: &[AnalyticsQuery]) -> JsValue {
    to_js(&queries.iter().map(QueryWire::of).collect::<Vec<_>>())
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
