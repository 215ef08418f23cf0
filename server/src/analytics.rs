//! Windows, buckets and the 200 body (contract §3): pure functions of the validated
//! query, the clock and the store's answer, tested without a server.

use crate::store::{InstanceRow, Totals, WindowAnswer, WindowQuery};
use campaign_analytics::api::types::{
    AnalyticsData, AnalyticsResponse, Instance, Meta, Pagination, SeriesPoint, Summary, Window,
};
use campaign_analytics::contract::{AnalyticsQuery, Period};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};

/// The instants a query covers and where its series buckets start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Inclusive.
    pub start: DateTime<Utc>,
    /// Inclusive: `now` for the rolling frames, the last microsecond of `end_date` for
    /// a custom range.
    pub end: DateTime<Utc>,
    /// Ascending; the first is `start`.
    pub bucket_starts: Vec<DateTime<Utc>>,
}

impl Plan {
    /// The store question for this plan and the query's filter and page.
    pub fn window_query(&self, query: &AnalyticsQuery) -> WindowQuery {
        WindowQuery {
            start_us: self.start.timestamp_micros(),
            end_us: self.end.timestamp_micros(),
            bucket_starts_us: self
                .bucket_starts
                .iter()
                .map(|t| t.timestamp_micros())
                .collect(),
            filter: query.purchase(),
            offset: u64::from(query.page() - 1) * u64::from(query.limit()),
            limit: query.limit(),
        }
    }
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN))
}

/// The window and buckets of a period at `now` (contract §3, "Windows"):
///
/// | period | window | bucket |
/// |---|---|---|
/// | per_hour | start of the hour 23 hours before the current one, to now | hour (24) |
/// | per_day | 00:00 of the day 29 days before today, to now | day (30) |
/// | per_month | the 1st of the month 11 months before this one, to now | month (12) |
/// | custom_range | start_date 00:00:00 to the end of end_date | day (2–366) |
///
/// `None` only when the window falls outside the calendar chrono can represent.
pub fn plan(period: Period, now: DateTime<Utc>) -> Option<Plan> {
    match period {
        Period::PerHour => {
            let this_hour = now.with_minute(0)?.with_second(0)?.with_nanosecond(0)?;
            let start = this_hour.checked_sub_signed(Duration::hours(23))?;
            let buckets = (0..24).map(|h| start + Duration::hours(h)).collect();
            Some(Plan {
                start,
                end: now,
                bucket_starts: buckets,
            })
        }
        Period::PerDay => {
            let first = now.date_naive().checked_sub_signed(Duration::days(29))?;
            let buckets: Vec<_> = first.iter_days().take(30).map(midnight).collect();
            Some(Plan {
                start: buckets[0],
                end: now,
                bucket_starts: buckets,
            })
        }
        Period::PerMonth => {
            let this_month = NaiveDate::from_ymd_opt(now.year(), now.month(), 1)?;
            let first = this_month.checked_sub_months(chrono::Months::new(11))?;
            let buckets = (0..12)
                .map(|m| {
                    first
                        .checked_add_months(chrono::Months::new(m))
                        .map(midnight)
                })
                .collect::<Option<Vec<_>>>()?;
            Some(Plan {
                start: buckets[0],
                end: now,
                bucket_starts: buckets,
            })
        }
        Period::CustomRange(range) => {
            let days = range.end().signed_duration_since(range.start()).num_days() + 1;
            let buckets: Vec<_> = range
                .start()
                .iter_days()
                .take(days as usize)
                .map(midnight)
                .collect();
            let after = range.end().succ_opt()?;
            let end = midnight(after) - Duration::microseconds(1);
            Some(Plan {
                start: buckets[0],
                end,
                bucket_starts: buckets,
            })
        }
    }
}

/// Cents as the API's number (at most 2 decimals once printed).
pub fn money(cents: i64) -> f64 {
    cents as f64 / 100.0
}

fn timestamp(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The summary over the window: `conversion_rate = purchases / total` (0 when empty).
pub fn summary(t: Totals) -> Summary {
    Summary {
        total_instances: t.instances,
        purchase_instances: t.purchases,
        non_purchase_instances: t.instances - t.purchases,
        total_revenue: money(t.revenue_cents),
        conversion_rate: if t.instances == 0 {
            0.0
        } else {
            t.purchases as f64 / t.instances as f64
        },
    }
}

fn instance(row: &InstanceRow) -> Instance {
    Instance {
        instance_id: row.instance_id,
        insider_id: row.insider_id,
        is_purchase: row.is_purchase(),
        purchased_insider_id: row.purchased_insider_id,
        timestamp: timestamp(row.timestamp_us),
        revenue: money(row.revenue_cents),
    }
}

/// The `message` of a 200.
pub const OK_MESSAGE: &str = "Campaign analytics retrieved successfully";

/// The 200 body, as the shared wire type. The server writes the same JSON directly from
/// the answer (`http::json`); this is the definition it is tested against.
pub fn response(
    query: &AnalyticsQuery,
    plan: &Plan,
    answer: &WindowAnswer,
    meta: Meta,
) -> AnalyticsResponse {
    let series = plan
        .bucket_starts
        .iter()
        .zip(&answer.series)
        .map(|(start, t)| SeriesPoint {
            period_start: *start,
            total_instances: t.instances,
            purchase_instances: t.purchases,
            revenue: money(t.revenue_cents),
        })
        .collect();
    AnalyticsResponse {
        success: true,
        message: OK_MESSAGE.to_owned(),
        data: AnalyticsData {
            campaign_id: query.campaign_id(),
            time_frame: query.time_frame(),
            instances: answer.rows.iter().map(instance).collect(),
            summary: summary(answer.summary),
            window: Some(Window {
                start: plan.start,
                end: plan.end,
            }),
            series,
        },
        pagination: Pagination::new(query.page(), query.limit(), answer.matching),
        meta,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use campaign_analytics::contract::DateRange;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn per_hour_spans_24_hours_ending_now() {
        let p = plan(Period::PerHour, at("2024-03-01T00:30:15.5Z")).unwrap();
        assert_eq!(p.start, at("2024-02-29T01:00:00Z"));
        assert_eq!(p.end, at("2024-03-01T00:30:15.5Z"));
        assert_eq!(p.bucket_starts.len(), 24);
        assert_eq!(p.bucket_starts[23], at("2024-03-01T00:00:00Z"));
    }

    #[test]
    fn per_day_spans_30_days_across_month_ends_and_leap_days() {
        let p = plan(Period::PerDay, at("2024-03-10T12:00:00Z")).unwrap();
        assert_eq!(p.start, at("2024-02-10T00:00:00Z"));
        assert_eq!(p.bucket_starts.len(), 30);
        assert!(p.bucket_starts.contains(&at("2024-02-29T00:00:00Z")));
        let p = plan(Period::PerDay, at("2025-03-10T00:00:00Z")).unwrap();
        assert_eq!(p.start, at("2025-02-09T00:00:00Z"));
    }

    #[test]
    fn per_month_spans_12_months() {
        let p = plan(Period::PerMonth, at("2024-01-31T23:59:59Z")).unwrap();
        assert_eq!(p.start, at("2023-02-01T00:00:00Z"));
        assert_eq!(p.bucket_starts[11], at("2024-01-01T00:00:00Z"));
        let p = plan(Period::PerMonth, at("2024-12-01T00:00:00Z")).unwrap();
        assert_eq!(p.start, at("2024-01-01T00:00:00Z"));
    }

    #[test]
    fn custom_range_includes_the_whole_last_day() {
        let range = DateRange::new(day("2024-02-01"), day("2024-02-29")).unwrap();
        let p = plan(Period::CustomRange(range), at("2030-01-01T00:00:00Z")).unwrap();
        assert_eq!(p.start, at("2024-02-01T00:00:00Z"));
        assert_eq!(p.end, at("2024-02-29T23:59:59.999999Z"));
        assert_eq!(p.bucket_starts.len(), 29);
        let range = DateRange::new(day("2024-01-01"), day("2024-12-31")).unwrap();
        assert_eq!(
            plan(Period::CustomRange(range), Utc::now())
                .unwrap()
                .bucket_starts
                .len(),
            366
        );
    }

    #[test]
    fn summary_arithmetic() {
        let s = summary(Totals {
            instances: 234,
            purchases: 70,
            revenue_cents: 539_700,
        });
        assert_eq!(s.non_purchase_instances, 164);
        assert_eq!(s.total_revenue, 5397.0);
        assert!((s.conversion_rate - 70.0 / 234.0).abs() < 1e-15);
        assert_eq!(money(1999).to_string(), "19.99");
        assert_eq!(money(10).to_string(), "0.1");
    }
}
