//! Folding a window's pages into its figures. Revenue is added in integer cents (the API's
//! revenue has at most two decimals, contract §3), so sums are exact however many
//! instances there are; shares are kept as [`Ratio`]s of integers and only become floats
//! to be shown.

use super::leaderboard::{sort, InsiderStats, SortKey, SortOrder};
use super::Coverage;
use crate::api::types::Instance;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// An amount of the API's revenue (a number with at most two decimals) in whole cents.
/// Not a number counts as nothing.
///
/// ```
/// use campaign_analytics::analysis::cents;
/// assert_eq!(cents(19.99), 1999); // 19.99 * 100 is 1998.9999999999998 in floats
/// assert_eq!(cents(0.1 + 0.2), 30);
/// assert_eq!(cents(f64::NAN), 0);
/// ```
pub fn cents(amount: f64) -> i64 {
    // `as` saturates and maps NaN to 0: a hostile number cannot overflow a sum's parts.
    (amount * 100.0).round() as i64
}

/// `num / den` of integers, compared exactly; `den == 0` has no value.
///
/// ```
/// use campaign_analytics::analysis::Ratio;
/// assert_eq!(Ratio::new(1, 3).value(), Some(1.0 / 3.0));
/// assert_eq!(Ratio::new(5, 0).value(), None);
/// assert!(Ratio::new(1, 3) < Ratio::new(2, 5));
/// assert!(Ratio::new(2, 4) == Ratio::new(1, 2));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Ratio {
    pub num: i64,
    pub den: i64,
}

impl Ratio {
    pub const fn new(num: i64, den: i64) -> Ratio {
        Ratio { num, den }
    }

    /// The ratio as a float, `None` when the denominator is 0 (a share of nothing).
    pub fn value(self) -> Option<f64> {
        (self.den != 0).then(|| self.num as f64 / self.den as f64)
    }
}

impl PartialEq for Ratio {
    fn eq(&self, other: &Ratio) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Ratio {}

impl PartialOrd for Ratio {
    fn partial_cmp(&self, other: &Ratio) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ratio {
    /// By value, exactly (cross-multiplied in 128 bits); ratios without a value sort
    /// below every ratio with one, and equal among themselves.
    fn cmp(&self, other: &Ratio) -> Ordering {
        match (self.den == 0, other.den == 0) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => {
                // Normalise signs so the denominators are positive before multiplying.
                let (a, b) = (sign_fixed(*self), sign_fixed(*other));
                (a.0 * b.1).cmp(&(b.0 * a.1))
            }
        }
    }
}

fn sign_fixed(r: Ratio) -> (i128, i128) {
    if r.den < 0 {
        (-(r.num as i128), -(r.den as i128))
    } else {
        (r.num as i128, r.den as i128)
    }
}

/// Buyers who later share themselves (only known when every instance was seen).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuyerLoop {
    /// Distinct buyers who, after their first purchase in the window, share as an insider
    /// (an instance of theirs strictly later than that purchase).
    pub sharing_buyers: u64,
    /// `sharing_buyers` of all distinct buyers.
    pub share_of_buyers: Ratio,
    /// The median time from a sharing buyer's first purchase to their first share after
    /// it, in milliseconds (the mean of the two middle ones for an even count; rounded
    /// down); `None` when no buyer shares.
    pub median_ms: Option<i64>,
}

impl BuyerLoop {
    /// [`BuyerLoop::median_ms`] in days.
    pub fn median_days(&self) -> Option<f64> {
        self.median_ms.map(|ms| ms as f64 / 86_400_000.0)
    }
}

/// What a window's instances say.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    pub coverage: Coverage,
    /// Instances analysed (with [`Coverage::PurchasesOnly`], the purchases).
    pub instances: u64,
    pub purchases: u64,
    /// Total revenue, exact, in cents.
    pub revenue_cents: i64,
    /// Insiders with an instance (with [`Coverage::PurchasesOnly`]: with a purchase).
    pub distinct_insiders: u64,
    /// Distinct `purchased_insider_id`s of the purchases.
    pub distinct_buyers: u64,
    /// Revenue from the insider with the most, of all revenue.
    pub top1_share: Ratio,
    /// Revenue from the ten insiders with the most, of all revenue.
    pub top10_share: Ratio,
    /// Purchases whose buyer is the insider who shared, of all purchases.
    pub self_purchase_share: Ratio,
    /// `None` with [`Coverage::PurchasesOnly`]: a later share need not be a purchase.
    pub buyer_loop: Option<BuyerLoop>,
    /// One row per insider, in the default order (revenue descending, then instances
    /// descending, then id ascending).
    pub insiders: Vec<InsiderStats>,
    /// Instances met on more than one page (the window moved while it was read); each
    /// is counted once.
    pub duplicates: u64,
}

#[derive(Clone, Debug, Default)]
struct Acc {
    instances: u64,
    purchases: u64,
    revenue_cents: i64,
    /// When they shared (Unix ms), in the order seen: the buyer loop looks for the first
    /// share after a purchase without another pass over every instance.
    times: Vec<i64>,
}

/// Folds pages of a window, in any order, each instance counted once.
#[derive(Clone, Debug, Default)]
pub struct Aggregator {
    coverage: Coverage,
    pages: BTreeMap<u32, Vec<Instance>>,
    seen: HashSet<Uuid>,
    insiders: HashMap<Uuid, Acc>,
    /// Each buyer's first purchase (Unix ms).
    first_purchase: HashMap<Uuid, i64>,
    instances: u64,
    purchases: u64,
    revenue_cents: i64,
    self_purchases: u64,
    duplicates: u64,
}

impl Aggregator {
    /// An empty fold of instances seen with `coverage`.
    pub fn new(coverage: Coverage) -> Aggregator {
        Aggregator {
            coverage,
            ..Aggregator::default()
        }
    }

    /// Makes room for `instances` more instances, so that folding a page never has to
    /// grow (and rehash) the tables in the middle of an analysis.
    pub fn reserve(&mut self, instances: usize) {
        self.seen.reserve(instances);
        self.insiders.reserve(instances / 8);
        self.first_purchase.reserve(instances / 8);
    }

    /// Which instances it is given.
    pub fn coverage(&self) -> Coverage {
        self.coverage
    }

    /// Whether page `page` was added.
    pub fn has_page(&self, page: u32) -> bool {
        self.pages.contains_key(&page)
    }

    /// Pages added so far.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Instances counted so far.
    pub fn instance_count(&self) -> u64 {
        self.instances
    }

    /// Adds page `page` of the window. A page added again is ignored, and so is an
    /// instance already counted from another page (with a moving window, an instance can
    /// slide from one page to the next between two requests).
    pub fn add_page(&mut self, page: u32, instances: &[Instance]) {
        if self.pages.contains_key(&page) {
            return;
        }
        let mut kept = Vec::with_capacity(instances.len());
        for instance in instances {
            if !self.seen.insert(instance.instance_id) {
                self.duplicates += 1;
                continue;
            }
            self.count(instance);
            kept.push(instance.clone());
        }
        self.pages.insert(page, kept);
    }

    fn count(&mut self, i: &Instance) {
        let revenue = if i.is_purchase { cents(i.revenue) } else { 0 };
        let at = i.timestamp.timestamp_millis();
        let acc = self.insiders.entry(i.insider_id).or_default();
        acc.instances += 1;
        acc.times.push(at);
        self.instances += 1;
        if i.is_purchase {
            acc.purchases += 1;
            acc.revenue_cents += revenue;
            self.purchases += 1;
            self.revenue_cents += revenue;
            if let Some(buyer) = i.purchased_insider_id {
                if buyer == i.insider_id {
                    self.self_purchases += 1;
                }
                self.first_purchase
                    .entry(buyer)
                    .and_modify(|t| *t = (*t).min(at))
                    .or_insert(at);
            }
        }
    }

    /// Every instance added, page by page (so newest first, as the API lists them).
    pub fn instances(&self) -> impl Iterator<Item = &Instance> {
        self.pages.values().flatten()
    }

    /// The figures of everything added so far.
    pub fn finish(&self) -> Analysis {
        let all = self.coverage == Coverage::All;
        let mut insiders: Vec<InsiderStats> = self
            .insiders
            .iter()
            .map(|(id, acc)| InsiderStats {
                insider_id: *id,
                instances: all.then_some(acc.instances),
                purchases: acc.purchases,
                revenue_cents: acc.revenue_cents,
            })
            .collect();
        sort(&mut insiders, SortKey::Revenue, SortOrder::Descending);

        // The concentration is about who earns the most, whatever the table's order.
        let mut revenues: Vec<i64> = insiders.iter().map(|s| s.revenue_cents).collect();
        revenues.sort_unstable_by(|a, b| b.cmp(a));
        let top = |n: usize| revenues.iter().take(n).sum::<i64>();
        let total = self.revenue_cents;
        let share = |part: i64| Ratio::new(part, if total > 0 { total } else { 0 });

        Analysis {
            coverage: self.coverage,
            instances: self.instances,
            purchases: self.purchases,
            revenue_cents: total,
            distinct_insiders: insiders.len() as u64,
            distinct_buyers: self.first_purchase.len() as u64,
            top1_share: share(top(1)),
            top10_share: share(top(10)),
            self_purchase_share: Ratio::new(self.self_purchases as i64, self.purchases as i64),
            buyer_loop: all.then(|| self.buyer_loop()),
            insiders,
            duplicates: self.duplicates,
        }
    }

    fn buyer_loop(&self) -> BuyerLoop {
        // Each buyer's first share strictly after their first purchase, from the times
        // their own instances were shared (one look-up per buyer).
        let mut gaps: Vec<i64> = self
            .first_purchase
            .iter()
            .filter_map(|(buyer, &bought)| {
                let shared = self.insiders.get(buyer)?;
                shared
                    .times
                    .iter()
                    .copied()
                    .filter(|&at| at > bought)
                    .min()
                    .map(|at| at - bought)
            })
            .collect();
        gaps.sort_unstable();
        let n = gaps.len();
        let median_ms = match n {
            0 => None,
            _ if n % 2 == 1 => Some(gaps[n / 2]),
            _ => Some(((i128::from(gaps[n / 2 - 1]) + i128::from(gaps[n / 2])) / 2) as i64),
        };
        BuyerLoop {
            sharing_buyers: n as u64,
            share_of_buyers: Ratio::new(n as i64, self.first_purchase.len() as i64),
            median_ms,
        }
    }
}
