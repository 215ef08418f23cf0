//! The insider leaderboard: one row per insider, and its orders. By default revenue
//! descending; ties (in any order) fall back to the default's own tie-breaks: instances
//! descending, then the insider id ascending — so the order never depends on the order
//! the pages arrived in.

use super::aggregate::Ratio;
use std::cmp::Ordering;
use uuid::Uuid;

/// One insider's figures in the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InsiderStats {
    pub insider_id: Uuid,
    /// Instances they shared; `None` when only purchases were read.
    pub instances: Option<u64>,
    pub purchases: u64,
    /// Revenue of their purchases, exact, in cents.
    pub revenue_cents: i64,
}

impl InsiderStats {
    /// Purchases of instances; `None` when the instances are not known.
    ///
    /// ```
    /// use campaign_analytics::analysis::{InsiderStats, Ratio};
    /// let s = InsiderStats { insider_id: uuid::Uuid::nil(), instances: Some(4), purchases: 1, revenue_cents: 1000 };
    /// assert_eq!(s.conversion().unwrap().value(), Some(0.25));
    /// assert_eq!(s.revenue_per_instance().unwrap().value(), Some(250.0)); // cents
    /// ```
    pub fn conversion(&self) -> Option<Ratio> {
        self.instances
            .map(|n| Ratio::new(self.purchases as i64, n as i64))
    }

    /// Revenue (cents) per instance; `None` when the instances are not known.
    pub fn revenue_per_instance(&self) -> Option<Ratio> {
        self.instances
            .map(|n| Ratio::new(self.revenue_cents, n as i64))
    }
}

/// A column the leaderboard can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SortKey {
    #[default]
    Revenue,
    Instances,
    Purchases,
    Conversion,
    RevenuePerInstance,
    Insider,
}

impl SortKey {
    pub const ALL: [SortKey; 6] = [
        SortKey::Insider,
        SortKey::Instances,
        SortKey::Purchases,
        SortKey::Revenue,
        SortKey::Conversion,
        SortKey::RevenuePerInstance,
    ];

    /// The column's heading.
    pub const fn label(self) -> &'static str {
        match self {
            SortKey::Revenue => "Revenue",
            SortKey::Instances => "Instances",
            SortKey::Purchases => "Purchases",
            SortKey::Conversion => "Conversion",
            SortKey::RevenuePerInstance => "Revenue per instance",
            SortKey::Insider => "Insider",
        }
    }

    /// The order a first click on the column gives: figures from the largest, ids from
    /// the smallest.
    pub const fn natural(self) -> SortOrder {
        match self {
            SortKey::Insider => SortOrder::Ascending,
            _ => SortOrder::Descending,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SortOrder {
    Ascending,
    #[default]
    Descending,
}

impl SortOrder {
    pub const fn flipped(self) -> SortOrder {
        match self {
            SortOrder::Ascending => SortOrder::Descending,
            SortOrder::Descending => SortOrder::Ascending,
        }
    }
}

/// The default order: revenue descending, instances descending, id ascending.
fn default_order(a: &InsiderStats, b: &InsiderStats) -> Ordering {
    b.revenue_cents
        .cmp(&a.revenue_cents)
        .then_with(|| b.instances.cmp(&a.instances))
        .then_with(|| a.insider_id.cmp(&b.insider_id))
}

fn by_key(a: &InsiderStats, b: &InsiderStats, key: SortKey) -> Ordering {
    match key {
        SortKey::Revenue => a.revenue_cents.cmp(&b.revenue_cents),
        SortKey::Instances => a.instances.cmp(&b.instances),
        SortKey::Purchases => a.purchases.cmp(&b.purchases),
        SortKey::Conversion => a.conversion().cmp(&b.conversion()),
        SortKey::RevenuePerInstance => a.revenue_per_instance().cmp(&b.revenue_per_instance()),
        SortKey::Insider => a.insider_id.cmp(&b.insider_id),
    }
}

/// Sorts `rows` by `key` in `order`; ties by the default order.
///
/// ```
/// use campaign_analytics::analysis::{leaderboard::sort, InsiderStats, SortKey, SortOrder};
/// use uuid::Uuid;
/// let row = |n: u128, instances, purchases, revenue_cents| InsiderStats {
///     insider_id: Uuid::from_u128(n), instances: Some(instances), purchases, revenue_cents };
/// let mut rows = vec![row(3, 2, 1, 500), row(1, 4, 1, 500), row(2, 4, 1, 500), row(4, 1, 1, 900)];
/// sort(&mut rows, SortKey::Revenue, SortOrder::Descending);
/// let ids: Vec<u128> = rows.iter().map(|r| r.insider_id.as_u128()).collect();
/// assert_eq!(ids, [4, 1, 2, 3]);
/// sort(&mut rows, SortKey::Conversion, SortOrder::Descending);
/// assert_eq!(rows[0].insider_id.as_u128(), 4); // 1 of 1
/// ```
pub fn sort(rows: &mut [InsiderStats], key: SortKey, order: SortOrder) {
    rows.sort_unstable_by(|a, b| {
        let primary = match order {
            SortOrder::Ascending => by_key(a, b, key),
            SortOrder::Descending => by_key(b, a, key),
        };
        primary.then_with(|| default_order(a, b))
    });
}
