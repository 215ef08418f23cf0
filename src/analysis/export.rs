//! The whole window as CSV (RFC 4180: comma-separated, CRLF line ends, a field quoted
//! when it holds a comma, a quote or a line break, quotes doubled): every instance, and
//! the summary and the series beside it, in files named after the campaign and the period.

use super::aggregate::{Analysis, Ratio};
use super::Coverage;
use crate::api::types::{Instance, SeriesPoint, Window};
use chrono::{DateTime, Datelike, Timelike, Utc};

/// The instances file's header, the API's field names in the table's column order.
pub const INSTANCE_HEADER: [&str; 6] = [
    "instance_id",
    "insider_id",
    "is_purchase",
    "purchased_insider_id",
    "timestamp",
    "revenue",
];

/// One CSV field, quoted only when it must be.
///
/// ```
/// # use campaign_analytics::analysis::export::field;
/// assert_eq!(field("plain"), "plain");
/// assert_eq!(field("a,b"), "\"a,b\"");
/// assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
/// assert_eq!(field("two\nlines"), "\"two\nlines\"");
/// ```
pub fn field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// One CSV record (without its line end).
pub fn record<S: AsRef<str>>(fields: &[S]) -> String {
    fields
        .iter()
        .map(|f| field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",")
}

fn push_record<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    out.push_str(&record(fields));
    out.push_str("\r\n");
}

/// Cents as the API writes money, with exactly two decimals: `1999` → `19.99`.
///
/// ```
/// # use campaign_analytics::analysis::export::money;
/// assert_eq!(money(1999), "19.99");
/// assert_eq!(money(5), "0.05");
/// assert_eq!(money(-120), "-1.20");
/// ```
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// `2026-11-20T14:03:11Z`: the API's own way of writing an instant. (By hand: chrono's
/// formatter would add more to the download than the whole export.)
pub fn instant(at: DateTime<Utc>) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

fn day(at: DateTime<Utc>) -> String {
    format!("{:04}-{:02}-{:02}", at.year(), at.month(), at.day())
}

/// `num / den` written with `places` decimals, rounded half away from zero, in integer
/// arithmetic (exact, and no float printer in the download); empty when `den` is 0.
///
/// ```
/// # use campaign_analytics::analysis::export::decimal;
/// assert_eq!(decimal(1, 3, 6), "0.333333");
/// assert_eq!(decimal(2, 3, 1), "0.7");
/// assert_eq!(decimal(-1, 8, 2), "-0.13");
/// assert_eq!(decimal(129_600_000, 86_400_000, 3), "1.500");
/// assert_eq!(decimal(5, 0, 2), "");
/// ```
pub fn decimal(num: i64, den: i64, places: u32) -> String {
    if den == 0 {
        return String::new();
    }
    let (num, den) = (i128::from(num), i128::from(den));
    let negative = (num < 0) != (den < 0) && num != 0;
    let (num, den) = (num.abs(), den.abs());
    let scale = 10i128.pow(places);
    let scaled = (num * scale * 2 + den) / (den * 2);
    let (whole, part) = (scaled / scale, scaled % scale);
    let sign = if negative && scaled > 0 { "-" } else { "" };
    if places == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{part:0width$}", width = places as usize)
    }
}

/// A ratio as a decimal fraction with six places (`0.333333`), empty when it has no value.
fn fraction(r: Ratio) -> String {
    decimal(r.num, r.den, 6)
}

/// Every instance, one record each, in the order given (the API's: newest first).
///
/// ```
/// # use campaign_analytics::analysis::export::instances_csv;
/// # use campaign_analytics::api::types::Instance;
/// let i: Instance = serde_json::from_str(r#"{"instance_id":"10000000-0000-4000-8000-000000000001",
///   "insider_id":"20000000-0000-4000-8000-000000000001","is_purchase":true,
///   "purchased_insider_id":"30000000-0000-4000-8000-000000000001",
///   "timestamp":"2026-11-20T11:03:11Z","revenue":19.9}"#).unwrap();
/// let csv = instances_csv([&i]);
/// assert!(csv.ends_with("true,30000000-0000-4000-8000-000000000001,2026-11-20T11:03:11Z,19.90\r\n"));
/// ```
pub fn instances_csv<'a>(instances: impl IntoIterator<Item = &'a Instance>) -> String {
    let mut out = String::new();
    push_record(&mut out, &INSTANCE_HEADER);
    for i in instances {
        let revenue = if i.is_purchase {
            super::cents(i.revenue)
        } else {
            0
        };
        push_record(
            &mut out,
            &[
                i.instance_id.hyphenated().to_string(),
                i.insider_id.hyphenated().to_string(),
                i.is_purchase.to_string(),
                i.purchased_insider_id
                    .map(|id| id.hyphenated().to_string())
                    .unwrap_or_default(),
                instant(i.timestamp),
                money(revenue),
            ],
        );
    }
    out
}

/// The analysis' figures as `metric,value` records. Figures that the coverage does not
/// give (the instances when only purchases were read) are left empty.
pub fn summary_csv(campaign_id: &str, window: Option<Window>, analysis: &Analysis) -> String {
    let all = analysis.coverage == Coverage::All;
    let known = |v: String| if all { v } else { String::new() };
    let buyer_loop = analysis.buyer_loop;
    let rows: Vec<(&str, String)> = vec![
        ("campaign_id", campaign_id.to_owned()),
        (
            "window_start",
            window.map(|w| instant(w.start)).unwrap_or_default(),
        ),
        (
            "window_end",
            window.map(|w| instant(w.end)).unwrap_or_default(),
        ),
        (
            "instances_read",
            match analysis.coverage {
                Coverage::All => "all".to_owned(),
                Coverage::PurchasesOnly => "purchases_only".to_owned(),
            },
        ),
        ("total_instances", known(analysis.instances.to_string())),
        ("purchase_instances", analysis.purchases.to_string()),
        (
            "non_purchase_instances",
            known((analysis.instances - analysis.purchases).to_string()),
        ),
        ("total_revenue", money(analysis.revenue_cents)),
        (
            "conversion_rate",
            known(fraction(Ratio::new(
                analysis.purchases as i64,
                analysis.instances as i64,
            ))),
        ),
        (
            "distinct_insiders",
            known(analysis.distinct_insiders.to_string()),
        ),
        ("distinct_buyers", analysis.distinct_buyers.to_string()),
        ("top_insider_revenue_share", fraction(analysis.top1_share)),
        (
            "top_10_insiders_revenue_share",
            fraction(analysis.top10_share),
        ),
        (
            "self_purchase_share",
            fraction(analysis.self_purchase_share),
        ),
        (
            "buyers_who_later_share",
            buyer_loop
                .map(|l| l.sharing_buyers.to_string())
                .unwrap_or_default(),
        ),
        (
            "buyers_who_later_share_of_buyers",
            buyer_loop
                .map(|l| fraction(l.share_of_buyers))
                .unwrap_or_default(),
        ),
        (
            "median_days_purchase_to_first_share",
            buyer_loop
                .and_then(|l| l.median_ms)
                .map(|ms| decimal(ms, 86_400_000, 3))
                .unwrap_or_default(),
        ),
    ];
    let mut out = String::new();
    push_record(&mut out, &["metric", "value"]);
    for (name, value) in rows {
        push_record(&mut out, &[name, value.as_str()]);
    }
    out
}

/// The window's series (from the API's `data.series`), one record per bucket, oldest first.
pub fn series_csv(series: &[SeriesPoint]) -> String {
    let mut out = String::new();
    push_record(
        &mut out,
        &[
            "period_start",
            "total_instances",
            "purchase_instances",
            "revenue",
        ],
    );
    for p in series {
        push_record(
            &mut out,
            &[
                instant(p.period_start),
                p.total_instances.to_string(),
                p.purchase_instances.to_string(),
                money(super::cents(p.revenue)),
            ],
        );
    }
    out
}

/// What an export file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Instances,
    Summary,
    Series,
}

impl FileKind {
    const fn suffix(self) -> &'static str {
        match self {
            FileKind::Instances => "instances",
            FileKind::Summary => "summary",
            FileKind::Series => "series",
        }
    }
}

/// A file name that says what the export holds: the campaign, the period (the window's
/// UTC days, or its time frame when the answer had no window) and the kind.
///
/// ```
/// use campaign_analytics::analysis::export::{file_name, FileKind};
/// use campaign_analytics::api::types::Window;
/// let w = Window { start: "2026-10-22T00:00:00Z".parse().unwrap(), end: "2026-11-20T12:00:00Z".parse().unwrap() };
/// assert_eq!(
///     file_name("123e4567-e89b-12d3-a456-426614174000", Some(w), "per_day", FileKind::Instances),
///     "campaign-123e4567-e89b-12d3-a456-426614174000-2026-10-22-to-2026-11-20-instances.csv"
/// );
/// assert_eq!(file_name("../x", None, "per_hour", FileKind::Series), "campaign-x-per_hour-series.csv");
/// ```
pub fn file_name(
    campaign_id: &str,
    window: Option<Window>,
    time_frame: &str,
    kind: FileKind,
) -> String {
    let safe = |text: &str| -> String {
        text.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .take(36)
            .collect()
    };
    let period = match window {
        Some(w) => format!("{}-to-{}", day(w.start), day(w.end)),
        None => safe(time_frame),
    };
    format!(
        "campaign-{}-{period}-{}.csv",
        safe(campaign_id),
        kind.suffix()
    )
}
