//! Turning numbers and instants into text a person reads.
//!
//! In the browser every function goes through `Intl` with the browser's own locale, so a
//! partner in Berlin reads `1.234,50 $` and one in Chicago `$1,234.50`, and times are in
//! the user's time zone. Outside a browser (native unit tests, and as a safety net should
//! `Intl` be missing) the same functions fall back to plain en-US-style text, so the pure
//! logic around them stays testable with `cargo test`.
//!
//! Formatters are built once per page and cached: building an `Intl` formatter costs far
//! more than using one, and a 100-row table formats 200 values.

use chrono::{DateTime, Datelike, Timelike, Utc};

/// The currency revenue is reported in. The API carries bare numbers; its published
/// examples are in US dollars, so the dashboard labels them as such.
pub const CURRENCY: &str = "USD";

/// A whole count with the locale's grouping: `12,345`.
///
/// ```
/// # use campaign_analytics::ui::text::format::count;
/// assert_eq!(count(1234567), "1,234,567"); // natively; the browser's locale in a browser
/// ```
pub fn count(n: u64) -> String {
    #[cfg(target_arch = "wasm32")]
    if let Some(text) = intl::count(n) {
        return text;
    }
    group_thousands(&n.to_string())
}

/// An amount of money in [`CURRENCY`]: `$1,234.50`.
///
/// ```
/// # use campaign_analytics::ui::text::format::money;
/// assert_eq!(money(1234.5), "$1,234.50");
/// assert_eq!(money(0.0), "$0.00");
/// ```
pub fn money(amount: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    if let Some(text) = intl::money(amount) {
        return text;
    }
    let cents = (amount.abs() * 100.0).round() as u64;
    let sign = if amount < 0.0 && cents > 0 { "-" } else { "" };
    format!(
        "{sign}${}.{:02}",
        group_thousands(&(cents / 100).to_string()),
        cents % 100
    )
}

/// A rate of 0.0–1.0 as a percentage with one decimal: `0.2991` → `29.9%`.
///
/// ```
/// # use campaign_analytics::ui::text::format::percent;
/// assert_eq!(percent(0.2991), "29.9%");
/// assert_eq!(percent(1.0), "100.0%");
/// ```
pub fn percent(rate: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    if let Some(text) = intl::percent(rate) {
        return text;
    }
    // Integer arithmetic on tenths of a percent: formatting an `f64` would pull the whole
    // float printer into the download for this one fallback.
    let tenths = (rate * 1000.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    format!("{sign}{}.{}%", tenths.abs() / 10, tenths.abs() % 10)
}

/// Average revenue per purchase, or `None` when there was no purchase (a division by
/// zero would show `NaN` or `$0.00`, both lies).
///
/// ```
/// # use campaign_analytics::ui::text::format::average_per_purchase;
/// assert_eq!(average_per_purchase(100.0, 4), Some(25.0));
/// assert_eq!(average_per_purchase(0.0, 0), None);
/// ```
pub fn average_per_purchase(total_revenue: f64, purchases: u64) -> Option<f64> {
    (purchases > 0).then(|| total_revenue / purchases as f64)
}

/// An instant in the user's time zone: `Nov 20, 2026, 3:03:11 PM`.
pub fn local_time(at: DateTime<Utc>) -> String {
    #[cfg(target_arch = "wasm32")]
    if let Some(text) = intl::date_time(at.timestamp_millis() as f64) {
        return text;
    }
    utc_time(at)
}

/// An instant in UTC, unambiguous for a tooltip or a support ticket:
/// `2026-11-20 14:03:11 UTC`.
///
/// ```
/// # use campaign_analytics::ui::text::format::utc_time;
/// let at = "2026-11-20T14:03:11Z".parse().unwrap();
/// assert_eq!(utc_time(at), "2026-11-20 14:03:11 UTC");
/// ```
pub fn utc_time(at: DateTime<Utc>) -> String {
    format!("{} {} UTC", iso_date(at), hms(at))
}

/// `2026-11-20T14:03:11Z`: the API's own way of writing an instant.
pub fn rfc3339(at: DateTime<Utc>) -> String {
    format!("{}T{}Z", iso_date(at), hms(at))
}

// Written by hand rather than with chrono's `format`: its strftime machinery would add
// more to the download than all of these together.
fn iso_date(at: DateTime<Utc>) -> String {
    format!("{:04}-{:02}-{:02}", at.year(), at.month(), at.day())
}

fn hms(at: DateTime<Utc>) -> String {
    format!("{:02}:{:02}:{:02}", at.hour(), at.minute(), at.second())
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month_name(at: DateTime<Utc>) -> &'static str {
    MONTHS[at.month0() as usize % 12]
}

/// A UTC day in the partner's locale: `Nov 20, 2026`.
///
/// ```
/// # use campaign_analytics::ui::text::format::utc_day;
/// assert_eq!(utc_day("2026-11-20".parse().unwrap()), "Nov 20, 2026");
/// ```
pub fn utc_day(day: chrono::NaiveDate) -> String {
    let at = day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
    #[cfg(target_arch = "wasm32")]
    if let Some(text) = intl::utc_day(at.timestamp_millis() as f64) {
        return text;
    }
    format!("{} {}, {}", month_name(at), at.day(), at.year())
}

/// A number in a short form for a narrow card (`43.2K`), exact elsewhere on the card.
///
/// ```
/// # use campaign_analytics::ui::text::format::compact;
/// assert_eq!(compact(43_186.5, false), "43.2K");
/// assert_eq!(compact(1_250_000.0, true), "$1.3M");
/// assert_eq!(compact(950.0, false), "950");
/// ```
pub fn compact(value: f64, money: bool) -> String {
    #[cfg(target_arch = "wasm32")]
    if let Some(text) = intl::compact(value, money) {
        return text;
    }
    let (scaled, unit) = match value.abs() {
        v if v >= 1e9 => (value / 1e9, "B"),
        v if v >= 1e6 => (value / 1e6, "M"),
        v if v >= 1e3 => (value / 1e3, "K"),
        _ => (value, ""),
    };
    let tenths = (scaled * 10.0).round() as i64;
    let number = if unit.is_empty() || tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, (tenths % 10).abs())
    };
    format!("{}{number}{unit}", if money { "$" } else { "" })
}

/// A Unix time (seconds) as a time of day in the user's zone, for "try again at 14:05".
pub fn clock(unix_secs: i64) -> String {
    #[cfg(target_arch = "wasm32")]
    if let Some(text) = intl::clock(unix_secs as f64 * 1000.0) {
        return text;
    }
    DateTime::<Utc>::from_timestamp(unix_secs, 0)
        .map(|at| format!("{:02}:{:02} UTC", at.hour(), at.minute()))
        .unwrap_or_default()
}

/// The user's time zone name (`Europe/Berlin`), for column headings.
pub fn time_zone() -> String {
    #[cfg(target_arch = "wasm32")]
    if let Some(zone) = intl::time_zone() {
        return zone;
    }
    "UTC".to_owned()
}

/// A duration as a person says it: `45 s`, `3 min`, `1 h 5 min`. Rounded up to the minute
/// above a minute, so "in 1 min" is never early.
///
/// ```
/// # use campaign_analytics::ui::text::format::duration;
/// assert_eq!(duration(0), "a moment");
/// assert_eq!(duration(45), "45 s");
/// assert_eq!(duration(61), "2 min");
/// assert_eq!(duration(3900), "1 h 5 min");
/// ```
pub fn duration(secs: u64) -> String {
    match secs {
        0 => "a moment".to_owned(),
        1..=59 => format!("{secs} s"),
        _ => {
            let minutes = secs.div_ceil(60);
            if minutes < 60 {
                format!("{minutes} min")
            } else if minutes.is_multiple_of(60) {
                format!("{} h", minutes / 60)
            } else {
                format!("{} h {} min", minutes / 60, minutes % 60)
            }
        }
    }
}

/// The bucket label of a series point: an hour, a day or a month, by time frame, in the
/// partner's locale (buckets are UTC, so they are labelled in UTC).
pub fn bucket_label(at: DateTime<Utc>, bucket: Bucket) -> String {
    #[cfg(target_arch = "wasm32")]
    if let Some(text) = intl::bucket(at.timestamp_millis() as f64, bucket) {
        return text;
    }
    match bucket {
        Bucket::Hour => format!("{:02}:00", at.hour()),
        Bucket::Day => format!("{} {}", month_name(at), at.day()),
        Bucket::Month => format!("{} {}", month_name(at), at.year()),
    }
}

/// The width of one series bucket (contract §3's "series bucket" column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bucket {
    Hour,
    Day,
    Month,
}

impl Bucket {
    /// The bucket of a time frame: hours for `per_hour`, months for `per_month`, days otherwise.
    pub fn of(time_frame: crate::contract::TimeFrame) -> Bucket {
        use crate::contract::TimeFrame;
        match time_frame {
            TimeFrame::PerHour => Bucket::Hour,
            TimeFrame::PerMonth => Bucket::Month,
            TimeFrame::PerDay | TimeFrame::CustomRange => Bucket::Day,
        }
    }
}

/// `1234567` → `1,234,567` (digits only in, grouped text out).
fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The browser's `Intl`, through a few cached formatters.
#[cfg(target_arch = "wasm32")]
mod intl {
    use js_sys::{Object, Reflect};
    use std::cell::OnceCell;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = Intl, js_name = NumberFormat)]
        type NumberFormat;
        #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = "NumberFormat")]
        fn new(locales: &JsValue, options: &JsValue) -> Result<NumberFormat, JsValue>;
        #[wasm_bindgen(method, js_class = "NumberFormat")]
        fn format(this: &NumberFormat, value: f64) -> String;

        #[wasm_bindgen(js_namespace = Intl, js_name = DateTimeFormat)]
        type DateTimeFormat;
        #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = "DateTimeFormat")]
        fn new(locales: &JsValue, options: &JsValue) -> Result<DateTimeFormat, JsValue>;
        #[wasm_bindgen(method, js_class = "DateTimeFormat", js_name = format)]
        fn format_date(this: &DateTimeFormat, date: &js_sys::Date) -> String;
        #[wasm_bindgen(method, js_class = "DateTimeFormat", js_name = resolvedOptions)]
        fn resolved_options(this: &DateTimeFormat) -> JsValue;
    }

    fn options(pairs: &[(&str, JsValue)]) -> JsValue {
        let object = Object::new();
        for (name, value) in pairs {
            let _ = Reflect::set(&object, &JsValue::from_str(name), value);
        }
        object.into()
    }

    fn number_format(pairs: &[(&str, JsValue)]) -> Option<NumberFormat> {
        NumberFormat::new(&JsValue::UNDEFINED, &options(pairs)).ok()
    }

    fn date_format(pairs: &[(&str, JsValue)]) -> Option<DateTimeFormat> {
        DateTimeFormat::new(&JsValue::UNDEFINED, &options(pairs)).ok()
    }

    thread_local! {
        static COUNT: OnceCell<Option<NumberFormat>> = const { OnceCell::new() };
        static MONEY: OnceCell<Option<NumberFormat>> = const { OnceCell::new() };
        static PERCENT: OnceCell<Option<NumberFormat>> = const { OnceCell::new() };
        static DATE_TIME: OnceCell<Option<DateTimeFormat>> = const { OnceCell::new() };
        static CLOCK: OnceCell<Option<DateTimeFormat>> = const { OnceCell::new() };
        static UTC_DAY: OnceCell<Option<DateTimeFormat>> = const { OnceCell::new() };
        static BUCKETS: OnceCell<[Option<DateTimeFormat>; 3]> = const { OnceCell::new() };
        static COMPACT: OnceCell<[Option<NumberFormat>; 2]> = const { OnceCell::new() };
    }

    fn utc(pairs: &[(&str, &str)]) -> Option<DateTimeFormat> {
        let mut all: Vec<(&str, JsValue)> = vec![("timeZone", "UTC".into())];
        all.extend(pairs.iter().map(|(k, v)| (*k, JsValue::from_str(v))));
        date_format(&all)
    }

    pub fn utc_day(millis: f64) -> Option<String> {
        UTC_DAY.with(|cell| {
            cell.get_or_init(|| utc(&[("dateStyle", "medium")]))
                .as_ref()
                .map(|f| f.format_date(&js_sys::Date::new(&millis.into())))
        })
    }

    pub fn bucket(millis: f64, bucket: super::Bucket) -> Option<String> {
        BUCKETS.with(|cell| {
            let formats = cell.get_or_init(|| {
                [
                    utc(&[("hour", "2-digit"), ("minute", "2-digit")]),
                    utc(&[("month", "short"), ("day", "numeric")]),
                    utc(&[("month", "short"), ("year", "numeric")]),
                ]
            });
            let i = match bucket {
                super::Bucket::Hour => 0,
                super::Bucket::Day => 1,
                super::Bucket::Month => 2,
            };
            formats[i]
                .as_ref()
                .map(|f| f.format_date(&js_sys::Date::new(&millis.into())))
        })
    }

    pub fn compact(value: f64, money: bool) -> Option<String> {
        COMPACT.with(|cell| {
            let formats = cell.get_or_init(|| {
                let base = [
                    ("notation", JsValue::from_str("compact")),
                    ("maximumFractionDigits", 1.into()),
                ];
                let mut with_money = base.to_vec();
                with_money.push(("style", "currency".into()));
                with_money.push(("currency", super::CURRENCY.into()));
                [number_format(&base), number_format(&with_money)]
            });
            formats[usize::from(money)]
                .as_ref()
                .map(|f| f.format(value))
        })
    }

    pub fn count(n: u64) -> Option<String> {
        COUNT.with(|cell| {
            cell.get_or_init(|| number_format(&[("maximumFractionDigits", 0.into())]))
                .as_ref()
                .map(|f| f.format(n as f64))
        })
    }

    pub fn money(amount: f64) -> Option<String> {
        MONEY.with(|cell| {
            cell.get_or_init(|| {
                number_format(&[
                    ("style", "currency".into()),
                    ("currency", super::CURRENCY.into()),
                ])
            })
            .as_ref()
            .map(|f| f.format(amount))
        })
    }

    pub fn percent(rate: f64) -> Option<String> {
        PERCENT.with(|cell| {
            cell.get_or_init(|| {
                number_format(&[
                    ("style", "percent".into()),
                    ("minimumFractionDigits", 1.into()),
                    ("maximumFractionDigits", 1.into()),
                ])
            })
            .as_ref()
            .map(|f| f.format(rate))
        })
    }

    pub fn date_time(millis: f64) -> Option<String> {
        DATE_TIME.with(|cell| {
            cell.get_or_init(|| {
                date_format(&[
                    ("dateStyle", "medium".into()),
                    ("timeStyle", "medium".into()),
                ])
            })
            .as_ref()
            .map(|f| f.format_date(&js_sys::Date::new(&millis.into())))
        })
    }

    pub fn clock(millis: f64) -> Option<String> {
        CLOCK.with(|cell| {
            cell.get_or_init(|| date_format(&[("timeStyle", "short".into())]))
                .as_ref()
                .map(|f| f.format_date(&js_sys::Date::new(&millis.into())))
        })
    }

    pub fn time_zone() -> Option<String> {
        let format = date_format(&[])?;
        Reflect::get(&format.resolved_options(), &"timeZone".into())
            .ok()?
            .as_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_money_group_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(money(5397.0), "$5,397.00");
        assert_eq!(money(19.99), "$19.99");
        assert_eq!(money(-2.5), "-$2.50");
        assert_eq!(money(0.004), "$0.00");
    }

    #[test]
    fn percentages_have_one_decimal() {
        assert_eq!(percent(0.0), "0.0%");
        assert_eq!(percent(70.0 / 234.0), "29.9%");
        assert_eq!(percent(2.0 / 3.0), "66.7%");
    }

    #[test]
    fn durations_round_up() {
        assert_eq!(duration(60), "1 min");
        assert_eq!(duration(3600), "1 h");
        assert_eq!(duration(3601), "1 h 1 min");
    }

    #[test]
    fn bucket_labels_follow_the_time_frame() {
        use crate::contract::TimeFrame;
        let at: DateTime<Utc> = "2026-11-20T14:00:00Z".parse().unwrap();
        assert_eq!(bucket_label(at, Bucket::of(TimeFrame::PerHour)), "14:00");
        assert_eq!(bucket_label(at, Bucket::of(TimeFrame::PerDay)), "Nov 20");
        assert_eq!(
            bucket_label(at, Bucket::of(TimeFrame::PerMonth)),
            "Nov 2026"
        );
        assert_eq!(
            bucket_label(at, Bucket::of(TimeFrame::CustomRange)),
            "Nov 20"
        );
        assert_eq!(clock(1_795_000_000), "11:06 UTC");
        let at: DateTime<Utc> = "2026-01-05T03:04:05Z".parse().unwrap();
        assert_eq!(rfc3339(at), "2026-01-05T03:04:05Z");
        assert_eq!(bucket_label(at, Bucket::Day), "Jan 5");
    }
}
