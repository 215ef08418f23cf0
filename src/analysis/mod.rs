//! Whole-window analysis, the pure part: what every instance of a window says about the
//! insiders who sell, computed exactly (revenue in integer cents), with no browser, no
//! Leptos and no I/O — so every figure is tested natively against a naive computation.
//!
//! * [`aggregate`]: an [`Aggregator`] folds the window's pages as they arrive (a page of 100
//!   instances at a time, so no fold is ever a long task), then [`Aggregator::finish`]
//!   gives the [`Analysis`]: totals, distinct insiders and buyers, the revenue's
//!   concentration, the self-purchase share and the buyers who later share themselves;
//! * [`leaderboard`]: the per-insider table and its orders;
//! * [`export`]: the whole window as CSV files (RFC 4180), named after the campaign and
//!   the period.
//!
//! The pages themselves are fetched by the request engine ([`crate::engine::window`]).
//!
//! ```
//! use campaign_analytics::analysis::{Aggregator, Coverage};
//! use campaign_analytics::api::types::Instance;
//! let page: Vec<Instance> = serde_json::from_str(r#"[
//!   {"instance_id":"10000000-0000-4000-8000-000000000001","insider_id":"20000000-0000-4000-8000-000000000001",
//!    "is_purchase":true,"purchased_insider_id":"30000000-0000-4000-8000-000000000001",
//!    "timestamp":"2026-11-20T11:00:00Z","revenue":19.99},
//!   {"instance_id":"10000000-0000-4000-8000-000000000002","insider_id":"20000000-0000-4000-8000-000000000001",
//!    "is_purchase":false,"purchased_insider_id":null,"timestamp":"2026-11-20T10:00:00Z","revenue":0}
//! ]"#).unwrap();
//! let mut fold = Aggregator::new(Coverage::All);
//! fold.add_page(1, &page);
//! let analysis = fold.finish();
//! assert_eq!(analysis.revenue_cents, 1999);
//! assert_eq!(analysis.insiders[0].instances, Some(2));
//! assert_eq!(analysis.distinct_buyers, 1);
//! ```

pub mod aggregate;
pub mod export;
pub mod leaderboard;

pub use aggregate::{cents, Aggregator, Analysis, BuyerLoop, Ratio};
pub use leaderboard::{InsiderStats, SortKey, SortOrder};

/// Which instances the analysis has seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Coverage {
    /// Every instance of the window: every figure is known.
    #[default]
    All,
    /// Only the purchases (`is_purchase=true` pages): fewer requests, and the revenue
    /// questions are still answered exactly; the instances per insider, conversion, and
    /// the buyers who later share (a share need not be a purchase) are not known.
    PurchasesOnly,
}
