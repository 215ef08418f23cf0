//! Campaign comparison: two to four of a partner's campaigns over the same period, side by
//! side. No UI here (the panel is `ui::compare`), so every rule is tested natively:
//!
//! * [`queries`]: what is asked — one query per campaign, the shown period, page 1 (the
//!   shown campaign keeps the shown query, which is usually cached);
//! * [`plan`]: what it costs, said before it runs — one request per campaign not in the
//!   engine's cache, against what the quota has left;
//! * [`fetch`]: the asking itself, through the request engine (its cache and retries);
//! * [`bests`]: the best of each column, compared exactly;
//! * [`nickname`]: the partner's local nicknames for campaigns.

pub mod nickname;

use crate::api::cancel::Cancel;
use crate::api::types::Summary;
use crate::contract::{AnalyticsQuery, QueryInput};
use crate::engine::requests::{Refused, Requests};
use crate::engine::Answer;
use uuid::Uuid;

/// At least this many campaigns make a comparison.
pub const MIN_CAMPAIGNS: usize = 2;
/// At most this many campaigns are compared at once.
pub const MAX_CAMPAIGNS: usize = 4;

/// A campaign id written as the contract allows (hyphenated UUID, any case), read with the
/// contract's own rule.
///
/// ```
/// use campaign_analytics::compare::campaign_id;
/// assert!(campaign_id(" C0000000-0000-4000-8000-000000000001 ").is_some());
/// assert!(campaign_id("{c0000000-0000-4000-8000-000000000001}").is_none());
/// ```
pub fn campaign_id(text: &str) -> Option<Uuid> {
    crate::contract::validate_query(&QueryInput {
        campaign_id: Some(text.trim()),
        time_frame: Some("per_day"),
        ..QueryInput::default()
    })
    .query()
    .map(AnalyticsQuery::campaign_id)
}

/// The query each campaign is asked with: the period, filter and page size of `shown`,
/// page 1 — and `shown` itself for its own campaign (an answer on screen is cached).
/// Summary and series cover the whole window whatever the filter and page, so any page
/// answers the comparison.
///
/// ```
/// use campaign_analytics::compare::{campaign_id, queries};
/// use campaign_analytics::contract::validate_request;
/// let a = "c0000000-0000-4000-8000-000000000001";
/// let shown = *validate_request(a, "time_frame=per_month&page=3").query().unwrap();
/// let b = campaign_id("c0000000-0000-4000-8000-000000000005").unwrap();
/// let q = queries(&shown, &[b, shown.campaign_id()]);
/// assert_eq!(q[0].page(), 1);
/// assert_eq!(q[0].period(), shown.period());
/// assert_eq!(q[1], shown);
/// ```
pub fn queries(shown: &AnalyticsQuery, campaigns: &[Uuid]) -> Vec<AnalyticsQuery> {
    campaigns
        .iter()
        .map(|&id| {
            if id == shown.campaign_id() {
                *shown
            } else {
                AnalyticsQuery::new(id, shown.period())
                    .with_purchase(shown.purchase())
                    .with_limit(shown.limit())
                    .unwrap_or(AnalyticsQuery::new(id, shown.period()))
            }
        })
        .collect()
}

/// What a comparison will spend, decided before it runs (contract §5 "Cost first").
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Plan {
    /// Requests it will spend: one per campaign whose answer is not cached.
    pub cost: u32,
    /// Requests left now, when known.
    pub remaining: Option<u64>,
}

impl Plan {
    /// Whether the quota can pay for it (an unknown quota is tried).
    pub fn affordable(&self) -> bool {
        self.remaining
            .is_none_or(|left| u64::from(self.cost) <= left)
    }
}

/// Plans asking `queries` through `requests` now: cached answers cost nothing.
///
/// ```no_run
/// # fn f(engine: &campaign_analytics::engine::Engine, c: &campaign_analytics::engine::Connection,
/// #      q: &[campaign_analytics::contract::AnalyticsQuery]) {
/// let plan = campaign_analytics::compare::plan(&engine.on(c), q);
/// if plan.affordable() { /* say plan.cost, then fetch */ }
/// # }
/// ```
pub fn plan(requests: &impl Requests, queries: &[AnalyticsQuery]) -> Plan {
    Plan {
        cost: crate::engine::requests::cost(requests, queries),
        remaining: requests.quota().map(|q| q.remaining),
    }
}

/// Asks each query through `requests`, one after the other (cached ones cost nothing), and
/// hands each outcome to `each` as it arrives (index, outcome). Stops when `cancel` fires.
pub async fn fetch<R: Requests>(
    requests: &R,
    queries: &[AnalyticsQuery],
    cancel: &Cancel,
    mut each: impl FnMut(usize, Result<Answer, Refused<R::Failure>>),
) {
    for (i, query) in queries.iter().enumerate() {
        if cancel.is_aborted() {
            return;
        }
        each(i, requests.ask(query, cancel).await);
    }
}

/// One campaign's numbers over the period, from its answer's summary; revenue in cents,
/// so that comparisons are exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Figures {
    pub instances: u64,
    pub purchases: u64,
    pub revenue_cents: i64,
}

impl Figures {
    /// The figures of a summary (revenue is rounded to cents by the server already).
    pub fn of(summary: &Summary) -> Figures {
        Figures {
            instances: summary.total_instances,
            purchases: summary.purchase_instances,
            revenue_cents: (summary.total_revenue * 100.0).round() as i64,
        }
    }

    /// A column's value as an exact fraction (numerator, denominator > 0); `None` where
    /// it is undefined (conversion without instances, revenue per purchase without
    /// purchases).
    pub fn value(&self, column: Column) -> Option<(i128, i128)> {
        let n = |v: u64| i128::from(v);
        match column {
            Column::Instances => Some((n(self.instances), 1)),
            Column::Purchases => Some((n(self.purchases), 1)),
            Column::Revenue => Some((i128::from(self.revenue_cents), 1)),
            Column::Conversion => {
                (self.instances > 0).then(|| (n(self.purchases), n(self.instances)))
            }
            Column::RevenuePerPurchase => {
                (self.purchases > 0).then(|| (i128::from(self.revenue_cents), n(self.purchases)))
            }
        }
    }

    /// A column's value as a number (revenue in currency units, conversion 0–1).
    pub fn number(&self, column: Column) -> Option<f64> {
        let (num, den) = self.value(column)?;
        let v = num as f64 / den as f64;
        Some(match column {
            Column::Revenue | Column::RevenuePerPurchase => v / 100.0,
            _ => v,
        })
    }
}

/// The columns of the comparison, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Instances,
    Purchases,
    Revenue,
    Conversion,
    RevenuePerPurchase,
}

impl Column {
    pub const ALL: [Column; 5] = [
        Column::Instances,
        Column::Purchases,
        Column::Revenue,
        Column::Conversion,
        Column::RevenuePerPurchase,
    ];

    /// The column's name in the page (`data-column`).
    pub const fn key(self) -> &'static str {
        match self {
            Column::Instances => "instances",
            Column::Purchases => "purchases",
            Column::Revenue => "revenue",
            Column::Conversion => "conversion_rate",
            Column::RevenuePerPurchase => "revenue_per_purchase",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Column::Instances => "Instances",
            Column::Purchases => "Purchases",
            Column::Revenue => "Revenue",
            Column::Conversion => "Conversion",
            Column::RevenuePerPurchase => "Revenue per purchase",
        }
    }
}

/// Which rows hold the best (highest) value of `column`: every row that ties for the top
/// is marked, rows without figures or without a value never are, and when all rows that
/// have a value share it (fewer than two rows included) there is no best and none is marked.
///
/// ```
/// use campaign_analytics::compare::{bests, Column, Figures};
/// let f = |instances, purchases, revenue_cents| Some(Figures { instances, purchases, revenue_cents });
/// let rows = [f(10, 2, 500), f(10, 5, 500), None, f(4, 2, 100)];
/// assert_eq!(bests(&rows, Column::Instances), [true, true, false, false]);
/// assert_eq!(bests(&rows, Column::Purchases), [false, true, false, false]);
/// assert_eq!(bests(&rows, Column::RevenuePerPurchase), [true, false, false, false]);
/// ```
pub fn bests(rows: &[Option<Figures>], column: Column) -> Vec<bool> {
    let values: Vec<Option<(i128, i128)>> = rows
        .iter()
        .map(|r| r.as_ref().and_then(|f| f.value(column)))
        .collect();
    // a/b against c/d with positive denominators: a·d against c·b, exactly.
    let cmp = |x: (i128, i128), y: (i128, i128)| (x.0 * y.1).cmp(&(y.0 * x.1));
    let Some(top) = values.iter().flatten().copied().max_by(|a, b| cmp(*a, *b)) else {
        return vec![false; rows.len()];
    };
    let is_top = |v: &Option<(i128, i128)>| v.is_some_and(|v| cmp(v, top).is_eq());
    let valued = values.iter().filter(|v| v.is_some()).count();
    if values.iter().filter(|v| is_top(v)).count() == valued {
        return vec![false; rows.len()];
    }
    values.iter().map(is_top).collect()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
