//! Every page of a window (contract §5 "Whole-window analysis"): the plan and its cost,
//! said before anything is sent, and the fetch itself.
//!
//! * every page with `limit=100` (the most the API gives per request), through the
//!   engine, so a page already in the cache costs nothing;
//! * one request in flight at a time (the contract allows one or two: one keeps the quota
//!   readable between requests, and a 100-instance page is quick);
//! * a reserve of [`RESERVE`] requests is never spent: when the next request would eat
//!   into it, the fetch pauses until `X-RateLimit-Reset` (a [`WindowEvent::Paused`] the
//!   page shows as a countdown), then resumes by itself; a 429 pauses the same way;
//! * each page is asked at most once per fetch: a failed request is asked again only after
//!   a 429 (it was refused, not answered), never an answered one;
//! * cancellable at any time: the request in flight is aborted and any wait ends.

use super::requests::{Refusal, Refused, Requests};
use super::{budget, Answer, Source};
use crate::api::cancel::Cancel;
use crate::api::reply::{Failure, Quota};
use crate::api::types::AnalyticsResponse;
use crate::contract::{AnalyticsQuery, PurchaseFilter};
use std::sync::Arc;

/// The page size of a whole-window fetch: the API's largest.
pub const PAGE_SIZE: u32 = 100;
/// Requests a whole-window fetch leaves unspent, for the partner's own queries.
pub const RESERVE: u64 = 5;

/// The first page of the whole-window fetch of `shown`'s window: same campaign and period,
/// `limit=100`, every instance or (`purchases_only`) the purchases only.
///
/// ```
/// use campaign_analytics::contract::validate_request;
/// use campaign_analytics::engine::window::window_query;
/// let shown = *validate_request("c0000000-0000-4000-8000-000000000001", "time_frame=per_day&page=3&limit=20")
///     .query().unwrap();
/// assert!(window_query(&shown, true).path().ends_with("?time_frame=per_day&is_purchase=true&limit=100"));
/// assert!(window_query(&shown, false).path().ends_with("?time_frame=per_day&limit=100"));
/// ```
pub fn window_query(shown: &AnalyticsQuery, purchases_only: bool) -> AnalyticsQuery {
    let filter = if purchases_only {
        PurchaseFilter::Purchases
    } else {
        PurchaseFilter::All
    };
    let first = shown.with_purchase(filter).with_page(1).unwrap_or(*shown);
    first.with_limit(PAGE_SIZE).unwrap_or(first)
}

/// The pages a window of `matching` instances takes: at least one (page 1 carries the
/// window's summary and series even when nothing matches).
pub fn pages_for(matching: u64) -> u32 {
    matching
        .div_ceil(u64::from(PAGE_SIZE))
        .clamp(1, u64::from(u32::MAX)) as u32
}

/// What a whole-window fetch will cost, before it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WindowCost {
    /// Pages of the window.
    pub pages: u32,
    /// Of those, pages in the cache (free).
    pub cached: u32,
    /// Requests it will send (unless the window changes while it runs).
    pub requests: u32,
    /// Requests left now, when known.
    pub remaining: Option<u64>,
    /// Requests it can send before it reaches the reserve; fewer than `requests` means it
    /// will pause until the quota frees up.
    pub before_pause: Option<u64>,
    /// When the quota frees up, when known (Unix seconds).
    pub reset_at: Option<i64>,
}

impl WindowCost {
    /// Whether the fetch will have to wait for the quota to free up.
    pub fn pauses(&self) -> bool {
        self.before_pause
            .is_some_and(|n| n < u64::from(self.requests))
    }
}

/// Progress of a fetch: pages in hand of the window's pages, and requests spent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Progress {
    pub pages_done: u32,
    pub pages_total: u32,
    /// Requests this fetch has sent (retries included; cached pages are free).
    pub requests: u32,
}

/// What happens during a fetch, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum WindowEvent {
    /// A page is in hand (once per page), from the server or the cache.
    Page {
        page: u32,
        response: Arc<AnalyticsResponse>,
        /// The page as the server's JSON text.
        text: Arc<str>,
        source: Source,
    },
    /// After every page.
    Progress(Progress),
    /// Waiting for the quota until `until_secs` (Unix seconds); it resumes by itself.
    Paused { until_secs: i64 },
    /// The wait is over: fetching again.
    Resumed,
}

/// How a fetch ended without the whole window.
#[derive(Clone, Debug, PartialEq)]
pub enum WindowStop<F = Failure> {
    /// Cancelled (`analysis-cancel`); the pages in hand stay in the cache.
    Cancelled(Progress),
    /// A request failed (not a 429, which pauses): what and where.
    Failed {
        failure: Arc<F>,
        page: u32,
        progress: Progress,
    },
}

/// The cost of fetching every page of `first`'s window (see [`window_query`]), which holds
/// `matching` instances (from an answer's `summary`: `total_instances`, or
/// `purchase_instances` for purchases only).
pub fn window_cost(requests: &impl Requests, first: &AnalyticsQuery, matching: u64) -> WindowCost {
    let pages = pages_for(matching);
    let cached = requests.cached_pages(first, pages);
    let quota = requests.quota();
    WindowCost {
        pages,
        cached,
        requests: pages - cached,
        remaining: quota.map(|q| q.remaining),
        before_pause: quota.map(|q| q.remaining.saturating_sub(RESERVE)),
        reset_at: quota.and_then(|q| q.reset_at),
    }
}

/// Fetches every page of `first`'s window (see the module's rules) through `requests`,
/// telling `on` of each page, the progress and any pause. `expected_pages` (from
/// [`pages_for`]) is the total shown until page 1 says the real one.
pub async fn fetch_window<R: Requests>(
    requests: &R,
    first: &AnalyticsQuery,
    expected_pages: u32,
    cancel: &Cancel,
    on: &mut dyn FnMut(WindowEvent),
) -> Result<Progress, WindowStop<R::Failure>> {
    let mut progress = Progress {
        pages_done: 0,
        pages_total: expected_pages.max(1),
        requests: 0,
    };
    let mut page = 1u32;
    while page <= progress.pages_total {
        let Some(query) = first.with_page(page) else {
            break;
        };
        let answer = window_page(requests, &query, cancel, &mut progress, on).await;
        let answer = answer.map_err(|stop| match stop {
            PageStop::Cancelled => WindowStop::Cancelled(progress),
            PageStop::Failed(failure) => WindowStop::Failed {
                failure: Arc::new(failure),
                page,
                progress,
            },
        })?;
        if page == 1 {
            // Page 1 says how many pages the window has now.
            progress.pages_total = pages_for(answer.response.pagination.total);
        }
        progress.pages_done += 1;
        on(WindowEvent::Page {
            page,
            response: answer.response,
            text: answer.text,
            source: answer.source,
        });
        on(WindowEvent::Progress(progress));
        page += 1;
    }
    Ok(progress)
}

/// One page: from the cache, or from the server once the quota allows (pausing at the
/// reserve and after a 429).
async fn window_page<R: Requests>(
    requests: &R,
    query: &AnalyticsQuery,
    cancel: &Cancel,
    progress: &mut Progress,
    on: &mut dyn FnMut(WindowEvent),
) -> Result<Answer, PageStop<R::Failure>> {
    // After a wait the quota may still read low (no reset time was known): the next
    // request goes anyway, and its answer tells the quota again.
    let mut waited = false;
    loop {
        if cancel.is_aborted() {
            return Err(PageStop::Cancelled);
        }
        // A cached page is free, whatever the quota says (asked only when the quota is low:
        // across the port each question is a call).
        if !waited {
            if let Some(until_secs) = reserve_wait(requests).filter(|_| !requests.is_cached(query))
            {
                if !pause_for_quota(requests, until_secs, cancel, on).await {
                    return Err(PageStop::Cancelled);
                }
                waited = true;
                continue;
            }
        }
        match requests.ask(query, cancel).await {
            Ok(answer) => {
                progress.requests += answer.requests;
                return Ok(answer);
            }
            Err(Refused {
                refusal,
                requests: spent,
            }) => {
                progress.requests += spent;
                match refusal {
                    Refusal::Superseded => return Err(PageStop::Cancelled),
                    Refusal::RateLimited { until_secs, .. } => {
                        if !pause_for_quota(requests, until_secs, cancel, on).await {
                            return Err(PageStop::Cancelled);
                        }
                        waited = true;
                    }
                    Refusal::Failed(failure) => return Err(PageStop::Failed(failure)),
                }
            }
        }
    }
}

/// When the next request would leave fewer than [`RESERVE`] requests: until when to wait
/// (the reset, or a minute when the answer did not say).
fn reserve_wait(requests: &impl Requests) -> Option<i64> {
    let Quota {
        remaining,
        reset_at,
        ..
    } = requests.quota()?;
    (remaining <= RESERVE).then(|| reset_at.unwrap_or(requests.now_ms().div_euclid(1000) + 60))
}

async fn pause_for_quota(
    requests: &impl Requests,
    until_secs: i64,
    cancel: &Cancel,
    on: &mut dyn FnMut(WindowEvent),
) -> bool {
    on(WindowEvent::Paused { until_secs });
    let reached = requests.wait_until(until_secs, cancel).await;
    if reached {
        on(WindowEvent::Resumed);
    }
    reached
}

enum PageStop<F> {
    Cancelled,
    Failed(F),
}

/// The words of a window's cost: requests first, then what is cached, what remains, and
/// whether it will pause at the reserve.
///
/// ```
/// use campaign_analytics::engine::window::{cost_text, WindowCost};
/// let c = WindowCost { pages: 4, cached: 1, requests: 3, remaining: Some(120), before_pause: Some(115), reset_at: None };
/// assert_eq!(cost_text(&c), "3 requests for 4 pages (1 cached) · 120 left");
/// ```
pub fn cost_text(cost: &WindowCost) -> String {
    let mut text = format!(
        "{} for {} {}",
        budget::requests(u64::from(cost.requests)),
        cost.pages,
        if cost.pages == 1 { "page" } else { "pages" }
    );
    if cost.cached > 0 {
        text.push_str(&format!(" ({} cached)", cost.cached));
    }
    if let Some(left) = cost.remaining {
        text.push_str(&format!(" · {left} left"));
    }
    if cost.pauses() {
        let now = cost.before_pause.unwrap_or(0);
        text.push_str(&format!(
            ": {now} now, keeping {RESERVE} in reserve, then it pauses until the quota frees up and resumes by itself"
        ));
    }
    text
}
