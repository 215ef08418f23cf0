//! The whole-window figures (`campaign_analytics::analysis`) against a naive computation
//! written here over generated windows: totals equal the leaderboard's sums, revenue exact
//! to the cent however the pages are cut, ordered or repeated, ties ordered as documented,
//! every sort order holds; and the buyer-loop figures on hand-made cases.
#![cfg(not(target_arch = "wasm32"))]

use campaign_analytics::analysis::export::{instances_csv, money};
use campaign_analytics::analysis::leaderboard::sort;
use campaign_analytics::analysis::{
    Aggregator, Analysis, Coverage, InsiderStats, SortKey, SortOrder,
};
use campaign_analytics::api::types::Instance;
use chrono::{DateTime, Utc};
use proptest::prelude::*;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

const T0: i64 = 1_795_000_000; // Unix seconds
const DAY: i64 = 86_400;

/// One generated instance, with its revenue in integer cents (the truth the test keeps).
#[derive(Clone, Debug)]
struct Gen {
    id: u128,
    insider: u128,
    buyer: Option<u128>,
    at: i64,
    cents: i64,
}

impl Gen {
    /// The instance as the API sends it: revenue goes through JSON as a decimal number.
    fn instance(&self) -> Instance {
        let revenue: f64 = serde_json::from_str(&money(self.cents)).unwrap();
        Instance {
            instance_id: Uuid::from_u128(self.id),
            insider_id: Uuid::from_u128(self.insider),
            is_purchase: self.buyer.is_some(),
            purchased_insider_id: self.buyer.map(Uuid::from_u128),
            timestamp: DateTime::<Utc>::from_timestamp(self.at, 0).unwrap(),
            revenue,
        }
    }
}

/// A window: few insiders (so they repeat and tie), buyers from an overlapping pool (so
/// self-purchases and buyers who share happen), revenue up to $10,000.00 in cents.
fn window() -> impl Strategy<Value = Vec<Gen>> {
    prop::collection::vec(
        (
            1u128..=9,
            prop::option::weighted(0.4, 1u128..=12),
            0i64..30 * DAY,
            prop_oneof![Just(0i64), Just(1999), Just(1), 0i64..=1_000_000],
        ),
        0..300,
    )
    .prop_map(|rows| {
        let mut out: Vec<Gen> = rows
            .into_iter()
            .enumerate()
            .map(|(n, (insider, buyer, offset, cents))| Gen {
                id: 0x1000_0000_0000_0000 + n as u128 * 7919 % 100_003,
                insider,
                buyer,
                // Coarse times, so equal timestamps (and equal gaps) happen.
                at: T0 + offset / 3600 * 3600,
                cents: if buyer.is_some() { cents } else { 0 },
            })
            .collect();
        // Newest first, ties by id, as the API lists them.
        out.sort_by_key(|g| (Reverse(g.at), g.id));
        out
    })
}

/// The naive figures.
struct Naive {
    instances: u64,
    purchases: u64,
    cents: i64,
    rows: Vec<(u128, u64, u64, i64)>, // id, instances, purchases, cents: default order
    buyers: u64,
    top1: i64,
    top10: i64,
    self_purchases: u64,
    sharing: u64,
    median_ms: Option<i64>,
}

fn naive(window: &[Gen]) -> Naive {
    let mut per: BTreeMap<u128, (u64, u64, i64)> = BTreeMap::new();
    for g in window {
        let e = per.entry(g.insider).or_default();
        e.0 += 1;
        if g.buyer.is_some() {
            e.1 += 1;
            e.2 += g.cents;
        }
    }
    let mut rows: Vec<(u128, u64, u64, i64)> =
        per.iter().map(|(id, e)| (*id, e.0, e.1, e.2)).collect();
    rows.sort_by_key(|r| (Reverse(r.3), Reverse(r.1), r.0));
    let mut revenues: Vec<i64> = rows.iter().map(|r| r.3).collect();
    revenues.sort();
    revenues.reverse();
    let buyers: BTreeSet<u128> = window.iter().filter_map(|g| g.buyer).collect();
    let mut gaps = Vec::new();
    for b in &buyers {
        let first = window
            .iter()
            .filter(|g| g.buyer == Some(*b))
            .map(|g| g.at)
            .min()
            .unwrap();
        if let Some(share) = window
            .iter()
            .filter(|g| g.insider == *b && g.at > first)
            .map(|g| g.at)
            .min()
        {
            gaps.push((share - first) * 1000);
        }
    }
    gaps.sort();
    let median_ms = match gaps.len() {
        0 => None,
        n if n % 2 == 1 => Some(gaps[n / 2]),
        n => Some((gaps[n / 2 - 1] + gaps[n / 2]) / 2),
    };
    Naive {
        instances: window.len() as u64,
        purchases: window.iter().filter(|g| g.buyer.is_some()).count() as u64,
        cents: window.iter().map(|g| g.cents).sum(),
        buyers: buyers.len() as u64,
        top1: revenues.iter().take(1).sum(),
        top10: revenues.iter().take(10).sum(),
        self_purchases: window.iter().filter(|g| g.buyer == Some(g.insider)).count() as u64,
        sharing: gaps.len() as u64,
        median_ms,
        rows,
    }
}

/// Folds `window` cut into pages of `size`, added in a shuffled order, some pages offered
/// twice and (when `slide`) the first instance of each page repeated at the end of the
/// page before, as a window moving between two requests would.
fn fold(window: &[Gen], size: usize, order_seed: u64, slide: bool, coverage: Coverage) -> Analysis {
    let instances: Vec<Instance> = window.iter().map(Gen::instance).collect();
    let mut pages: Vec<Vec<Instance>> = instances.chunks(size.max(1)).map(<[_]>::to_vec).collect();
    if slide {
        for p in 1..pages.len() {
            let moved = pages[p][0].clone();
            pages[p - 1].push(moved);
        }
    }
    let mut order: Vec<usize> = (0..pages.len()).collect();
    let mut x = order_seed | 1;
    for i in (1..order.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        order.swap(i, (x % (i as u64 + 1)) as usize);
    }
    let mut agg = Aggregator::new(coverage);
    for &p in &order {
        agg.add_page(p as u32 + 1, &pages[p]);
        // A page offered again changes nothing.
        agg.add_page(p as u32 + 1, &pages[p]);
    }
    agg.finish()
}

fn ratio_is(r: campaign_analytics::analysis::Ratio, num: i64, den: i64) -> bool {
    (r.num as i128) * (den as i128) == (num as i128) * (r.den as i128) && (r.den == 0) == (den == 0)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_figure_equals_the_naive_one(
        window in window(),
        size in 1usize..40,
        seed in any::<u64>(),
        slide in any::<bool>(),
    ) {
        let a = fold(&window, size, seed, slide, Coverage::All);
        let n = naive(&window);
        prop_assert_eq!(a.instances, n.instances);
        prop_assert_eq!(a.purchases, n.purchases);
        prop_assert_eq!(a.revenue_cents, n.cents, "cents exact");
        // The totals are the leaderboard's sums.
        prop_assert_eq!(a.insiders.iter().map(|r| r.instances.unwrap()).sum::<u64>(), a.instances);
        prop_assert_eq!(a.insiders.iter().map(|r| r.purchases).sum::<u64>(), a.purchases);
        prop_assert_eq!(a.insiders.iter().map(|r| r.revenue_cents).sum::<i64>(), a.revenue_cents);
        let rows: Vec<(u128, u64, u64, i64)> = a
            .insiders
            .iter()
            .map(|r| (r.insider_id.as_u128(), r.instances.unwrap(), r.purchases, r.revenue_cents))
            .collect();
        prop_assert_eq!(rows, n.rows.clone(), "rows and their default order");
        prop_assert_eq!(a.distinct_insiders, n.rows.len() as u64);
        prop_assert_eq!(a.distinct_buyers, n.buyers);
        let whole = n.cents.max(0);
        prop_assert!(ratio_is(a.top1_share, n.top1, whole), "top 1");
        prop_assert!(ratio_is(a.top10_share, n.top10, whole), "top 10");
        prop_assert!(ratio_is(a.self_purchase_share, n.self_purchases as i64, n.purchases as i64));
        let l = a.buyer_loop.unwrap();
        prop_assert_eq!(l.sharing_buyers, n.sharing);
        prop_assert!(ratio_is(l.share_of_buyers, n.sharing as i64, n.buyers as i64));
        prop_assert_eq!(l.median_ms, n.median_ms);
        prop_assert_eq!(a.duplicates, if slide { (window.len().div_ceil(size.max(1))).saturating_sub(1) as u64 } else { 0 });
    }

    #[test]
    fn purchases_only_answers_the_revenue_questions(window in window(), size in 1usize..40) {
        let purchases: Vec<Gen> = window.iter().filter(|g| g.buyer.is_some()).cloned().collect();
        let a = fold(&purchases, size, 7, false, Coverage::PurchasesOnly);
        let full = fold(&window, size, 7, false, Coverage::All);
        prop_assert_eq!(a.revenue_cents, full.revenue_cents);
        prop_assert_eq!(a.purchases, full.purchases);
        prop_assert_eq!(a.distinct_buyers, full.distinct_buyers);
        prop_assert_eq!(a.top1_share, full.top1_share);
        prop_assert_eq!(a.top10_share, full.top10_share);
        prop_assert_eq!(a.self_purchase_share, full.self_purchase_share);
        prop_assert!(a.buyer_loop.is_none());
        prop_assert!(a.insiders.iter().all(|r| r.instances.is_none()));
        // The sellers and their revenue are those of the full analysis.
        let sellers = |rows: &[InsiderStats]| -> BTreeMap<Uuid, (u64, i64)> {
            rows.iter().filter(|r| r.purchases > 0).map(|r| (r.insider_id, (r.purchases, r.revenue_cents))).collect()
        };
        prop_assert_eq!(sellers(&a.insiders), sellers(&full.insiders));
    }

    #[test]
    fn every_sort_order_holds_with_ties_in_the_default_order(window in window()) {
        let a = fold(&window, 25, 1, false, Coverage::All);
        for key in SortKey::ALL {
            for order in [SortOrder::Ascending, SortOrder::Descending] {
                let mut rows = a.insiders.clone();
                rows.reverse(); // the sort must not depend on the order it is given
                sort(&mut rows, key, order);
                for pair in rows.windows(2) {
                    let (x, y) = (&pair[0], &pair[1]);
                    let (xi, yi) = (x.instances.unwrap() as i128, y.instances.unwrap() as i128);
                    // key(x) vs key(y) as fractions num/den, cross-multiplied here.
                    let (xn, xd, yn, yd): (i128, i128, i128, i128) = match key {
                        SortKey::Revenue => (x.revenue_cents.into(), 1, y.revenue_cents.into(), 1),
                        SortKey::Instances => (xi, 1, yi, 1),
                        SortKey::Purchases => (x.purchases.into(), 1, y.purchases.into(), 1),
                        SortKey::Conversion => (x.purchases.into(), xi, y.purchases.into(), yi),
                        SortKey::RevenuePerInstance => (x.revenue_cents.into(), xi, y.revenue_cents.into(), yi),
                        SortKey::Insider => (x.insider_id.as_u128() as i128, 1, y.insider_id.as_u128() as i128, 1),
                    };
                    let c = (xn * yd).cmp(&(yn * xd));
                    let c = if order == SortOrder::Ascending { c } else { c.reverse() };
                    prop_assert!(c.is_le(), "{key:?} {order:?}");
                    if c.is_eq() {
                        let default = (Reverse(x.revenue_cents), Reverse(x.instances), x.insider_id)
                            .cmp(&(Reverse(y.revenue_cents), Reverse(y.instances), y.insider_id));
                        prop_assert!(default.is_lt(), "tie of {key:?} not in the default order");
                    }
                }
            }
        }
    }

    #[test]
    fn the_export_has_one_record_per_instance(window in window(), size in 1usize..40) {
        let instances: Vec<Instance> = window.iter().map(Gen::instance).collect();
        let mut agg = Aggregator::new(Coverage::All);
        for (p, page) in instances.chunks(size).enumerate().rev() {
            agg.add_page(p as u32 + 1, page);
        }
        let csv = instances_csv(agg.instances());
        let lines: Vec<&str> = csv.split("\r\n").collect();
        prop_assert_eq!(lines.len(), window.len() + 2); // header, records, the last CRLF
        prop_assert_eq!(lines[lines.len() - 1], "");
        // Newest first whatever order the pages came in; revenue in cents, exactly.
        for (line, g) in lines[1..=window.len()].iter().zip(&window) {
            let fields: Vec<&str> = line.split(',').collect();
            prop_assert_eq!(fields[0], Uuid::from_u128(g.id).to_string());
            prop_assert_eq!(fields[5], money(g.cents));
        }
    }
}

// ---- hand-made cases of the buyer loop ----

fn at(day: i64, hour: i64) -> i64 {
    T0 + day * DAY + hour * 3600
}

fn share(id: u128, insider: u128, when: i64) -> Gen {
    Gen {
        id,
        insider,
        buyer: None,
        at: when,
        cents: 0,
    }
}

fn buy(id: u128, insider: u128, buyer: u128, when: i64, cents: i64) -> Gen {
    Gen {
        id,
        insider,
        buyer: Some(buyer),
        at: when,
        cents,
    }
}

fn analyse(mut window: Vec<Gen>) -> Analysis {
    window.sort_by_key(|g| (Reverse(g.at), g.id));
    fold(&window, 3, 5, false, Coverage::All)
}

#[test]
fn a_buyer_who_shares_two_days_later() {
    // B (2) buys from A (1) on day 0; shares on day 2 and day 5.
    let a = analyse(vec![
        buy(1, 1, 2, at(0, 0), 1000),
        share(2, 2, at(2, 0)),
        share(3, 2, at(5, 0)),
    ]);
    let l = a.buyer_loop.unwrap();
    assert_eq!(l.sharing_buyers, 1);
    assert_eq!(l.share_of_buyers.value(), Some(1.0));
    assert_eq!(l.median_days(), Some(2.0));
}

#[test]
fn a_share_before_the_purchase_does_not_count() {
    let a = analyse(vec![share(1, 2, at(0, 0)), buy(2, 1, 2, at(1, 0), 500)]);
    let l = a.buyer_loop.unwrap();
    assert_eq!(l.sharing_buyers, 0);
    assert_eq!(l.share_of_buyers.value(), Some(0.0));
    assert_eq!(l.median_days(), None);
}

#[test]
fn a_self_purchase_is_not_its_own_later_share() {
    // A (1) shares and buys the same instance on day 0: a self-purchase, and A is a buyer;
    // that instance is not a share "after" the purchase. A shares again 12 hours later.
    let a = analyse(vec![
        buy(1, 1, 1, at(0, 0), 700),
        share(2, 1, at(0, 12)),
        buy(3, 1, 3, at(1, 0), 300),
    ]);
    assert_eq!(a.self_purchase_share.value(), Some(0.5));
    let l = a.buyer_loop.unwrap();
    assert_eq!(l.sharing_buyers, 1);
    assert_eq!(l.share_of_buyers.value(), Some(0.5)); // buyers 1 and 3
    assert_eq!(l.median_days(), Some(0.5));
}

#[test]
fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
    // Buyers 2, 3, 4, 5 share 1, 3, 4 and 10 days after their first purchase: median 3.5.
    let mut w = Vec::new();
    for (n, days) in [(2u128, 1), (3, 3), (4, 4), (5, 10)] {
        w.push(buy(n * 10, 1, n, at(0, 0), 100));
        w.push(buy(n * 10 + 1, 1, n, at(0, 6), 100)); // a second purchase: still from the first
        w.push(share(n * 10 + 2, n, at(days, 0)));
    }
    let a = analyse(w);
    let l = a.buyer_loop.unwrap();
    assert_eq!(l.sharing_buyers, 4);
    assert_eq!(l.median_days(), Some(3.5));
    assert_eq!(a.distinct_buyers, 4);
    assert_eq!(a.top1_share.value(), Some(1.0)); // all from insider 1
}

#[test]
fn concentration_and_an_empty_window() {
    // Twelve insiders, insider n earning n dollars: top 1 = 12/78, top 10 = (78-1-2)/78.
    let w: Vec<Gen> = (1..=12u128)
        .map(|n| buy(n, n, 100 + n, at(0, n as i64), n as i64 * 100))
        .collect();
    let a = analyse(w);
    assert_eq!(a.top1_share.value(), Some(12.0 / 78.0));
    assert_eq!(a.top10_share.value(), Some(75.0 / 78.0));
    assert_eq!(a.insiders[0].insider_id, Uuid::from_u128(12));

    let empty = analyse(Vec::new());
    assert_eq!((empty.instances, empty.revenue_cents), (0, 0));
    assert_eq!(empty.top1_share.value(), None);
    assert_eq!(empty.self_purchase_share.value(), None);
    assert_eq!(empty.buyer_loop.unwrap().share_of_buyers.value(), None);
}
