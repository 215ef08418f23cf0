//! The port between the page and its panels (whole-window analysis, campaign comparison).
//!
//! The panels are not needed to show an answer, so the release build leaves them out of
//! the page's module and loads them as a second module once an answer is on screen
//! (docs/decisions.md, "The panels, on demand"). Two wasm modules share no memory: the
//! panels see the page only through a JS object, the *host*, that the page builds
//! ([`page::host`]) and the panels call ([`panel::PageLink`]). Every request still goes
//! through the page's one request engine — one cache, one quota, one count of requests
//! spent — one query at a time; the loops that ask many (every page of a window, the
//! campaigns of a comparison) run on the panels' side, over the engine's
//! [`Requests`](crate::engine::requests::Requests) trait, so the page's first load does not
//! carry them. Answers cross as the server's JSON text, which each side reads with the
//! same types.
//!
//! The port is the same whether the panels are in the page's module (tests, development)
//! or in their own, so every component test of a panel goes through it.
//!
//! The values crossing it are the serde types below, mapped onto JS values by
//! serde-wasm-bindgen; queries cross as their campaign and canonical query string and are
//! validated again on arrival, like a link.

pub mod page;
pub mod panel;

use crate::api::cancel::Cancel;
use crate::api::reply::Quota;
use crate::api::types::AnalyticsResponse;
use crate::contract::{validate_request, AnalyticsQuery};
use crate::engine::requests::Refused;
use crate::engine::window::Progress;
use crate::engine::Source;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

/// A query across the port.
///
/// ```
/// use campaign_analytics::contract::validate_request;
/// use campaign_analytics::ui::port::QueryWire;
/// let q = validate_request("123e4567-e89b-12d3-a456-426614174000", "time_frame=per_day&page=2")
///     .into_result().unwrap();
/// assert_eq!(QueryWire::of(&q).parse(), Some(q));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryWire {
    pub campaign: String,
    /// The canonical query string ([`AnalyticsQuery::query_string`]).
    pub query: String,
}

impl QueryWire {
    pub fn of(query: &AnalyticsQuery) -> QueryWire {
        QueryWire {
            campaign: query.campaign_id().hyphenated().to_string(),
            query: query.query_string(),
        }
    }

    /// The query again, checked by the contract's rules (`None` when it is not valid).
    pub fn parse(&self) -> Option<AnalyticsQuery> {
        validate_request(&self.campaign, &self.query)
            .into_result()
            .ok()
    }
}

/// The answer on screen, as far as the panels need it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownWire {
    pub query: QueryWire,
    /// The window's instances and purchases (its summary).
    pub total_instances: u64,
    pub purchase_instances: u64,
}

/// What the page tells its panels, again whenever it changes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PageState {
    pub shown: Option<ShownWire>,
    /// Whether a usable base URL and key are set (requests can be made).
    pub connected: bool,
    pub quota: Option<Quota>,
    /// Now, in Unix seconds (ticks every second).
    pub now_secs: i64,
    /// Campaigns asked recently, newest first.
    pub recent: Vec<String>,
    /// Bumped whenever the engine's cache may have changed (costs are asked again).
    pub revision: u64,
}

/// An answer the page's engine gave, across the port.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnswerWire {
    /// The server's JSON text.
    pub text: String,
    /// Fetched now or from the cache, and when.
    pub source: Source,
    /// Requests it spent.
    pub requests: u32,
}

/// A failure in the page's words (see [`crate::ui::text::messages::explain`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Words {
    pub title: String,
    pub message: String,
}

/// What the page's `ask` ends with.
pub type Asked = Result<AnswerWire, Refused<Words>>;

/// The page's request lanes: a newer request in a lane replaces (aborts) the one in flight
/// there, and cancelling a lane aborts its request.
pub const LANE_ANALYSIS: u32 = 0;
pub const LANE_COMPARE: u32 = 1;
const LANES: usize = 2;

/// What runs in each lane, by its cancel handle — on the page, the ask in flight; in the
/// panels, the loop asking. Clones share it.
#[derive(Clone, Default)]
pub(crate) struct Lanes(Rc<[RefCell<Option<Cancel>>; LANES]>);

impl Lanes {
    /// A new cancel handle for `lane` (`None` when the port has no such lane); the one it
    /// replaces is fired: a newer run replaces an older one.
    pub(crate) fn replace(&self, lane: usize) -> Option<Cancel> {
        let slot = self.0.get(lane)?;
        let cancel = Cancel::new();
        if let Some(old) = slot.borrow_mut().replace(cancel.clone()) {
            old.abort();
        }
        Some(cancel)
    }

    /// Fires the handle of `lane`, if anything runs there.
    pub(crate) fn abort(&self, lane: usize) {
        if let Some(cancel) = self.0.get(lane).and_then(|slot| slot.borrow_mut().take()) {
            cancel.abort();
        }
    }
}

/// How a whole-window analysis ended.
#[derive(Clone, Debug, PartialEq)]
pub enum WindowEnd {
    Done,
    Cancelled(Progress),
    /// A request failed at `page`, in words.
    Failed {
        page: u32,
        title: String,
        message: String,
    },
}

/// One campaign of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum CampaignNews {
    Ready(Arc<AnalyticsResponse>),
    /// Its failure's title.
    Failed {
        title: String,
    },
}
