//! The in-memory read model of one campaign: its instances in listing order (newest
//! first, ties by instance id ascending) with prefix sums, so that every question the
//! API asks is answered without visiting the instances of the window:
//!
//! - the window is a contiguous range of rows, found by binary search on the timestamps
//!   (or, for instants on an hour boundary, by one lookup in a per-hour index);
//! - the summary and each series bucket are differences of prefix sums over such ranges;
//! - a page of `is_purchase=true`/`false` is a slice of the positions of purchases /
//!   non-purchases, located by binary search: page 10,000 costs what page 1 costs.
//!
//! Building it is one sort; SQLite stays the durable store it is built from.

use super::{InstanceRow, Totals, WindowAnswer, WindowQuery};
use campaign_analytics::contract::PurchaseFilter;
use uuid::Uuid;

const HOUR_US: i64 = 3_600_000_000;
/// The most hours the per-hour index spans (about 478 years, 16 MB); a campaign whose
/// data spans more falls back to binary search for every boundary.
const MAX_INDEXED_HOURS: i64 = 1 << 22;

/// One campaign's instances, ready to answer window queries.
#[derive(Debug, Default)]
pub struct CampaignData {
    /// Timestamps (Unix µs), listing order: descending.
    ts: Vec<i64>,
    ids: Vec<Uuid>,
    insiders: Vec<Uuid>,
    purchased: Vec<Option<Uuid>>,
    /// `purchases_before[i]`: purchases among rows `0..i` (length n + 1).
    purchases_before: Vec<u32>,
    /// `revenue_before[i]`: revenue in cents of rows `0..i` (length n + 1).
    revenue_before: Vec<i64>,
    /// Row numbers of the purchases, ascending.
    purchase_rows: Vec<u32>,
    /// Row numbers of the non-purchases, ascending.
    other_rows: Vec<u32>,
    hours: Option<HourIndex>,
}

/// `first[h]` is the number of rows with a timestamp at or after the start of hour
/// `base + h` (hours since the epoch): a row range boundary for any hour-aligned instant
/// (every bucket of every time frame starts on one) without a search.
#[derive(Debug)]
struct HourIndex {
    base: i64,
    first: Vec<u32>,
}

impl CampaignData {
    /// Builds the model from rows in any order.
    ///
    /// # Panics
    /// Never for data that fits in memory: row counts are kept as `u32`, and a campaign
    /// of more than 4 billion instances is refused by the loader before this.
    pub fn build(mut rows: Vec<InstanceRow>) -> CampaignData {
        rows.sort_unstable_by(|a, b| {
            b.timestamp_us
                .cmp(&a.timestamp_us)
                .then_with(|| a.instance_id.cmp(&b.instance_id))
        });
        let n = rows.len();
        let mut data = CampaignData {
            ts: Vec::with_capacity(n),
            ids: Vec::with_capacity(n),
            insiders: Vec::with_capacity(n),
            purchased: Vec::with_capacity(n),
            purchases_before: Vec::with_capacity(n + 1),
            revenue_before: Vec::with_capacity(n + 1),
            purchase_rows: Vec::new(),
            other_rows: Vec::new(),
            hours: None,
        };
        let (mut purchases, mut revenue) = (0u32, 0i64);
        data.purchases_before.push(0);
        data.revenue_before.push(0);
        for (i, row) in rows.iter().enumerate() {
            let i = i as u32;
            data.ts.push(row.timestamp_us);
            data.ids.push(row.instance_id);
            data.insiders.push(row.insider_id);
            data.purchased.push(row.purchased_insider_id);
            if row.is_purchase() {
                purchases += 1;
                data.purchase_rows.push(i);
            } else {
                data.other_rows.push(i);
            }
            revenue = revenue.saturating_add(row.revenue_cents);
            data.purchases_before.push(purchases);
            data.revenue_before.push(revenue);
        }
        data.hours = HourIndex::build(&data.ts);
        data
    }

    /// How many instances the campaign has.
    pub fn len(&self) -> usize {
        self.ts.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.ts.is_empty()
    }

    /// Rows with a timestamp at or after `t`: they are rows `0..count`.
    fn at_or_after(&self, t: i64) -> usize {
        if let Some(hours) = &self.hours {
            if t.rem_euclid(HOUR_US) == 0 {
                return hours.at_or_after(t / HOUR_US, self.ts.len());
            }
        }
        self.ts.partition_point(|&x| x >= t)
    }

    /// Rows with a timestamp strictly after `t`.
    fn after(&self, t: i64) -> usize {
        match t.checked_add(1) {
            Some(next) => self.at_or_after(next),
            None => 0,
        }
    }

    fn totals(&self, from: usize, to: usize) -> Totals {
        if from >= to {
            return Totals::default();
        }
        Totals {
            instances: (to - from) as u64,
            purchases: u64::from(self.purchases_before[to] - self.purchases_before[from]),
            revenue_cents: self.revenue_before[to] - self.revenue_before[from],
        }
    }

    fn row(&self, i: usize) -> InstanceRow {
        InstanceRow {
            instance_id: self.ids[i],
            insider_id: self.insiders[i],
            purchased_insider_id: self.purchased[i],
            timestamp_us: self.ts[i],
            revenue_cents: self.revenue_before[i + 1] - self.revenue_before[i],
        }
    }

    /// Answers a window query.
    pub fn answer(&self, q: &WindowQuery) -> WindowAnswer {
        // Rows lo..hi are the window (listing order is newest first).
        let lo = self.after(q.end_us);
        let hi = self.at_or_after(q.start_us).max(lo);
        let summary = self.totals(lo, hi);

        // Bucket k is rows top..bottom, where bottom counts the rows at or after its
        // start and top those at or after the next bucket's start (the last one: lo).
        let starts = &q.bucket_starts_us;
        let mut series = Vec::with_capacity(starts.len());
        let mut bottom = match starts.first() {
            Some(&first) => self.at_or_after(first).clamp(lo, hi),
            None => hi,
        };
        for k in 0..starts.len() {
            let top = match starts.get(k + 1) {
                Some(&next) => self.at_or_after(next).clamp(lo, bottom),
                None => lo,
            };
            series.push(self.totals(top, bottom));
            bottom = top;
        }

        let positions: Option<&[u32]> = match q.filter {
            PurchaseFilter::All => None,
            PurchaseFilter::Purchases => Some(&self.purchase_rows),
            PurchaseFilter::NonPurchases => Some(&self.other_rows),
        };
        let limit = q.limit as usize;
        let (matching, rows) = match positions {
            None => {
                let matching = hi - lo;
                let rows = page_range(matching, q.offset, limit)
                    .map(|i| self.row(lo + i))
                    .collect();
                (matching, rows)
            }
            Some(positions) => {
                let a = positions.partition_point(|&p| (p as usize) < lo);
                let b = positions.partition_point(|&p| (p as usize) < hi);
                let slice = &positions[a..b];
                let rows = page_range(slice.len(), q.offset, limit)
                    .map(|i| self.row(slice[i] as usize))
                    .collect();
                (slice.len(), rows)
            }
        };
        WindowAnswer {
            summary,
            series,
            matching: matching as u64,
            rows,
        }
    }
}

/// The indexes `offset..offset + limit` clipped to `0..len`.
fn page_range(len: usize, offset: u64, limit: usize) -> std::ops::Range<usize> {
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(len);
    start..start.saturating_add(limit).min(len)
}

impl HourIndex {
    fn build(ts: &[i64]) -> Option<HourIndex> {
        let (&newest, &oldest) = (ts.first()?, ts.last()?);
        let base = oldest.div_euclid(HOUR_US);
        let top = newest.div_euclid(HOUR_US) + 1;
        let span = top - base + 1;
        if span > MAX_INDEXED_HOURS {
            return None;
        }
        let mut first = vec![0u32; span as usize];
        let mut count = 0usize;
        for h in (0..span).rev() {
            let start = (base + h) * HOUR_US;
            while count < ts.len() && ts[count] >= start {
                count += 1;
            }
            first[h as usize] = count as u32;
        }
        Some(HourIndex { base, first })
    }

    fn at_or_after(&self, hour: i64, n: usize) -> usize {
        if hour < self.base {
            return n;
        }
        match self.first.get((hour - self.base) as usize) {
            Some(&count) => count as usize,
            None => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn row(n: u128, ts: i64, revenue: i64) -> InstanceRow {
        InstanceRow {
            instance_id: id(n),
            insider_id: id(1000 + n),
            purchased_insider_id: (revenue > 0).then(|| id(2000 + n)),
            timestamp_us: ts,
            revenue_cents: revenue,
        }
    }

    /// The same answer computed the slow, obvious way.
    fn naive(rows: &[InstanceRow], q: &WindowQuery) -> WindowAnswer {
        let mut inside: Vec<InstanceRow> = rows
            .iter()
            .copied()
            .filter(|r| r.timestamp_us >= q.start_us && r.timestamp_us <= q.end_us)
            .collect();
        inside.sort_by(|a, b| {
            b.timestamp_us
                .cmp(&a.timestamp_us)
                .then(a.instance_id.cmp(&b.instance_id))
        });
        let totals = |rs: &mut dyn Iterator<Item = &InstanceRow>| {
            let mut t = Totals::default();
            for r in rs {
                t.instances += 1;
                t.purchases += u64::from(r.is_purchase());
                t.revenue_cents += r.revenue_cents;
            }
            t
        };
        let summary = totals(&mut inside.iter());
        let series = q
            .bucket_starts_us
            .iter()
            .enumerate()
            .map(|(k, &s)| {
                let e = q.bucket_starts_us.get(k + 1).copied().unwrap_or(i64::MAX);
                totals(
                    &mut inside
                        .iter()
                        .filter(|r| r.timestamp_us >= s && r.timestamp_us < e),
                )
            })
            .collect();
        let matching: Vec<InstanceRow> = inside
            .into_iter()
            .filter(|r| q.filter.matches(r.is_purchase()))
            .collect();
        let rows = matching
            .iter()
            .skip(q.offset as usize)
            .take(q.limit as usize)
            .copied()
            .collect();
        WindowAnswer {
            summary,
            series,
            matching: matching.len() as u64,
            rows,
        }
    }

    #[test]
    fn matches_the_naive_answer_on_many_windows() {
        // Deterministic pseudo-random data: timestamps over 10 days with many ties.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let day = 24 * HOUR_US;
        let rows: Vec<InstanceRow> = (0..2000u128)
            .map(|n| {
                let ts = (next() % (10 * day as u64 / 60_000_000)) as i64 * 60_000_000;
                let revenue = if next() % 3 == 0 {
                    (next() % 10_000) as i64 + 1
                } else {
                    0
                };
                row(n, ts, revenue)
            })
            .collect();
        let data = CampaignData::build(rows.clone());
        for case in 0..300 {
            let start = (next() % (12 * day as u64)) as i64 - day;
            let start = if case % 2 == 0 {
                start - start.rem_euclid(HOUR_US)
            } else {
                start
            };
            let len = (next() % (5 * day as u64)) as i64 + 1;
            let end = start + len;
            let step = [HOUR_US, 3 * HOUR_US, day][case % 3];
            let buckets: Vec<i64> = (0..)
                .map(|k| start + k * step)
                .take_while(|&b| b <= end)
                .collect();
            let filter = PurchaseFilter::ALL[case % 3];
            let limit = (next() % 100) as u32 + 1;
            let offset = (next() % 400) * u64::from(limit) / 4;
            let q = WindowQuery {
                start_us: start,
                end_us: end,
                bucket_starts_us: buckets,
                filter,
                offset,
                limit,
            };
            assert_eq!(data.answer(&q), naive(&rows, &q), "case {case}: {q:?}");
        }
    }

    #[test]
    fn ties_are_listed_by_instance_id() {
        let rows = vec![row(3, 10, 0), row(1, 10, 5), row(2, 20, 0), row(4, 10, 0)];
        let data = CampaignData::build(rows);
        let q = WindowQuery {
            start_us: 0,
            end_us: 100,
            bucket_starts_us: vec![0],
            filter: PurchaseFilter::All,
            offset: 0,
            limit: 10,
        };
        let order: Vec<u128> = data
            .answer(&q)
            .rows
            .iter()
            .map(|r| r.instance_id.as_u128())
            .collect();
        assert_eq!(order, [2, 1, 3, 4]);
    }

    #[test]
    fn empty_campaign_and_far_pages() {
        let empty = CampaignData::build(Vec::new());
        let q = WindowQuery {
            start_us: 0,
            end_us: i64::MAX,
            bucket_starts_us: vec![0],
            filter: PurchaseFilter::Purchases,
            offset: u64::MAX,
            limit: 100,
        };
        let a = empty.answer(&q);
        assert_eq!(
            (a.summary, a.matching, a.rows.len()),
            (Totals::default(), 0, 0)
        );
        let data = CampaignData::build(vec![row(1, 5, 100)]);
        let a = data.answer(&q);
        assert_eq!((a.summary.instances, a.matching, a.rows.len()), (1, 1, 0));
    }
}
