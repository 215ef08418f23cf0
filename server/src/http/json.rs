//! A hand-written encoder for the 200 body, the one large response (up to ~60 KB for a
//! 366-day range). It writes exactly the bytes `serde_json` writes for the shared wire
//! type [`AnalyticsResponse`] (a test holds it to that, byte for byte), in about a
//! tenth of the time: chrono's generic timestamp formatting was most of the cost of a
//! request. Field names and order follow `src/api/types.rs`.

use campaign_analytics::api::types::{AnalyticsResponse, Instance, SeriesPoint};
use chrono::{DateTime, SecondsFormat, Utc};

/// The body of `response`, as JSON.
pub fn analytics_body(response: &AnalyticsResponse) -> Vec<u8> {
    let data = &response.data;
    let mut out = Vec::with_capacity(600 + data.instances.len() * 270 + data.series.len() * 120);
    out.extend_from_slice(b"{\"success\":");
    boolean(&mut out, response.success);
    out.extend_from_slice(b",\"message\":");
    string(&mut out, &response.message);
    out.extend_from_slice(b",\"data\":{\"campaign_id\":\"");
    uuid(&mut out, &data.campaign_id);
    out.extend_from_slice(b"\",\"time_frame\":\"");
    out.extend_from_slice(data.time_frame.as_str().as_bytes());
    out.extend_from_slice(b"\",\"instances\":[");
    for (i, instance) in data.instances.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_instance(&mut out, instance);
    }
    let s = &data.summary;
    out.extend_from_slice(b"],\"summary\":{\"total_instances\":");
    integer(&mut out, s.total_instances);
    out.extend_from_slice(b",\"purchase_instances\":");
    integer(&mut out, s.purchase_instances);
    out.extend_from_slice(b",\"non_purchase_instances\":");
    integer(&mut out, s.non_purchase_instances);
    out.extend_from_slice(b",\"total_revenue\":");
    money(&mut out, s.total_revenue);
    out.extend_from_slice(b",\"conversion_rate\":");
    float(&mut out, s.conversion_rate);
    out.push(b'}');
    if let Some(window) = &data.window {
        out.extend_from_slice(b",\"window\":{\"start\":");
        timestamp(&mut out, &window.start);
        out.extend_from_slice(b",\"end\":");
        timestamp(&mut out, &window.end);
        out.push(b'}');
    }
    out.extend_from_slice(b",\"series\":[");
    for (i, point) in data.series.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_point(&mut out, point);
    }
    let p = &response.pagination;
    out.extend_from_slice(b"]},\"pagination\":{\"page\":");
    integer(&mut out, u64::from(p.page));
    out.extend_from_slice(b",\"limit\":");
    integer(&mut out, u64::from(p.limit));
    out.extend_from_slice(b",\"total\":");
    integer(&mut out, p.total);
    out.extend_from_slice(b",\"totalPages\":");
    integer(&mut out, p.total_pages);
    out.extend_from_slice(b",\"hasNext\":");
    boolean(&mut out, p.has_next);
    out.extend_from_slice(b",\"hasPrevious\":");
    boolean(&mut out, p.has_previous);
    out.extend_from_slice(b"},\"meta\":{\"timestamp\":");
    timestamp(&mut out, &response.meta.timestamp);
    out.extend_from_slice(b",\"requestId\":");
    string(&mut out, &response.meta.request_id);
    out.extend_from_slice(b"}}");
    out
}

fn write_instance(out: &mut Vec<u8>, instance: &Instance) {
    out.extend_from_slice(b"{\"instance_id\":\"");
    uuid(out, &instance.instance_id);
    out.extend_from_slice(b"\",\"insider_id\":\"");
    uuid(out, &instance.insider_id);
    out.extend_from_slice(b"\",\"is_purchase\":");
    boolean(out, instance.is_purchase);
    out.extend_from_slice(b",\"purchased_insider_id\":");
    match &instance.purchased_insider_id {
        Some(id) => {
            out.push(b'"');
            uuid(out, id);
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"timestamp\":");
    timestamp(out, &instance.timestamp);
    out.extend_from_slice(b",\"revenue\":");
    money(out, instance.revenue);
    out.push(b'}');
}

fn write_point(out: &mut Vec<u8>, point: &SeriesPoint) {
    out.extend_from_slice(b"{\"period_start\":");
    timestamp(out, &point.period_start);
    out.extend_from_slice(b",\"total_instances\":");
    integer(out, point.total_instances);
    out.extend_from_slice(b",\"purchase_instances\":");
    integer(out, point.purchase_instances);
    out.extend_from_slice(b",\"revenue\":");
    money(out, point.revenue);
    out.push(b'}');
}

fn boolean(out: &mut Vec<u8>, value: bool) {
    out.extend_from_slice(if value { b"true" } else { b"false" });
}

fn integer(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// A money amount (a whole number of cents over 100) as serde_json writes it, without
/// the general float algorithm: the shortest round-trip form of `c / 100` is its decimal
/// form with trailing zeros cut (`19.99`, `19.9`, `20.0`) while it has at most 15
/// significant digits, since distinct decimals of 15 digits are distinct doubles.
/// Anything else goes through [`float`].
fn money(out: &mut Vec<u8>, value: f64) {
    const LIMIT: f64 = 1e12;
    let scaled = value * 100.0;
    // `+ 0.5` then truncation rounds a non-negative amount (no libm call on the hot path).
    let cents = (scaled + 0.5) as u64;
    if !(0.0..LIMIT).contains(&scaled) || cents as f64 / 100.0 != value {
        return float(out, value);
    }
    out.extend_from_slice(itoa::Buffer::new().format(cents / 100).as_bytes());
    let fraction = cents % 100;
    out.push(b'.');
    out.push(b'0' + (fraction / 10) as u8);
    if fraction % 10 != 0 {
        out.push(b'0' + (fraction % 10) as u8);
    }
}

/// As serde_json: shortest round-trip form (ryu); non-finite numbers are `null`.
fn float(out: &mut Vec<u8>, value: f64) {
    if value.is_finite() {
        out.extend_from_slice(ryu::Buffer::new().format_finite(value).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

fn string(out: &mut Vec<u8>, value: &str) {
    // Escaping is serde_json's own; writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

fn uuid(out: &mut Vec<u8>, id: &uuid::Uuid) {
    let mut buffer = uuid::Uuid::encode_buffer();
    out.extend_from_slice(id.hyphenated().encode_lower(&mut buffer).as_bytes());
}

/// The proleptic Gregorian (year, month, day) of a day counted from 1970-01-01
/// (Howard Hinnant's `civil_from_days`): integer arithmetic only.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `"YYYY-MM-DDTHH:MM:SS[.fff|.ffffff|.fffffffff]Z"`, as chrono's `Serialize` writes it
/// (RFC 3339, `SecondsFormat::AutoSi`, `Z`). Years outside 0–9999 and leap seconds
/// take chrono's own path.
fn timestamp(out: &mut Vec<u8>, at: &DateTime<Utc>) {
    let seconds = at.timestamp();
    let nanos = at.timestamp_subsec_nanos();
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        out.push(b'"');
        out.extend_from_slice(at.to_rfc3339_opts(SecondsFormat::AutoSi, true).as_bytes());
        out.push(b'"');
        return;
    }
    let of_day = seconds.rem_euclid(86_400) as u32;
    let (year, hour, minute, second) = (year as u32, of_day / 3600, of_day / 60 % 60, of_day % 60);
    let digit = |v: u32| b'0' + (v % 10) as u8;
    let text = [
        b'"',
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        b'-',
        digit(month / 10),
        digit(month),
        b'-',
        digit(day / 10),
        digit(day),
        b'T',
        digit(hour / 10),
        digit(hour),
        b':',
        digit(minute / 10),
        digit(minute),
        b':',
        digit(second / 10),
        digit(second),
    ];
    out.extend_from_slice(&text);
    let (digits, mut value) = if nanos == 0 {
        (0, 0)
    } else if nanos % 1_000_000 == 0 {
        (3, nanos / 1_000_000)
    } else if nanos % 1_000 == 0 {
        (6, nanos / 1_000)
    } else {
        (9, nanos)
    };
    if digits > 0 {
        let mut fraction = [b'.'; 10];
        for slot in fraction[1..=digits].iter_mut().rev() {
            *slot = digit(value);
            value /= 10;
        }
        out.extend_from_slice(&fraction[..=digits]);
    }
    out.extend_from_slice(b"Z\"");
}

#[cfg(test)]
mod tests {
    use super::*;
    use campaign_analytics::api::types::{AnalyticsData, Meta, Pagination, Summary, Window};
    use campaign_analytics::contract::TimeFrame;
    use uuid::Uuid;

    fn at(us: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(us).unwrap()
    }

    fn sample(seed: u64) -> AnalyticsResponse {
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let instances = (0..(next() % 5))
            .map(|_| {
                let purchase = next() % 2 == 0;
                Instance {
                    instance_id: Uuid::from_u128(u128::from(next()) << 64 | u128::from(next())),
                    insider_id: Uuid::from_u128(u128::from(next())),
                    is_purchase: purchase,
                    purchased_insider_id: purchase.then(|| Uuid::from_u128(u128::from(next()))),
                    // Whole seconds, milliseconds and microseconds.
                    timestamp: at((next() % 4_000_000_000_000) as i64
                        * [1_000_000, 1000, 1][(next() % 3) as usize]
                        / 1000),
                    revenue: (next() % 1_000_000) as f64 / 100.0,
                }
            })
            .collect();
        let series = (0..(next() % 4))
            .map(|_| SeriesPoint {
                period_start: at((next() % 4_000_000_000) as i64 * 1_000_000),
                total_instances: next() % 1000,
                purchase_instances: next() % 100,
                revenue: (next() % 100_000_000) as f64 / 100.0,
            })
            .collect();
        AnalyticsResponse {
            success: true,
            message: "Campaign analytics retrieved \"successfully\"\n".to_owned(),
            data: AnalyticsData {
                campaign_id: Uuid::from_u128(u128::from(next())),
                time_frame: TimeFrame::ALL[(next() % 4) as usize],
                instances,
                summary: Summary {
                    total_instances: next(),
                    purchase_instances: next() % 7,
                    non_purchase_instances: 0,
                    total_revenue: (next() % 10_000_000_000) as f64 / 100.0,
                    conversion_rate: (next() % 1000) as f64 / 997.0,
                },
                window: (next() % 3 > 0).then(|| Window {
                    start: at(-5_000_000_000_000),
                    end: at(253_402_300_799_999_999),
                }),
                series,
            },
            pagination: Pagination::new((next() % 50 + 1) as u32, 100, next() % 10_000),
            meta: Meta {
                timestamp: at(1_795_183_391_000_000),
                request_id: "550e8400-e29b-41d4-a716-446655440000".into(),
            },
        }
    }

    #[test]
    fn writes_exactly_what_serde_writes() {
        for seed in 0..2000 {
            let response = sample(seed);
            let ours = String::from_utf8(analytics_body(&response)).unwrap();
            let theirs = serde_json::to_string(&response).unwrap();
            assert_eq!(ours, theirs, "seed {seed}");
        }
    }

    #[test]
    fn money_is_written_as_serde_writes_it() {
        let mut state = 7u64;
        let mut values: Vec<f64> = vec![
            0.0,
            0.01,
            0.1,
            1.0,
            19.99,
            20.0,
            19.9,
            1e10,
            9_999_999_999.99,
            1e13,
            123.456,
            -1.5,
            f64::NAN,
        ];
        for _ in 0..100_000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            values.push((state >> (state % 40 + 11)) as f64 / 100.0);
        }
        for value in values {
            let mut ours = Vec::new();
            money(&mut ours, value);
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                serde_json::to_string(&value).unwrap(),
                "{value}"
            );
        }
    }

    #[test]
    fn dates_match_chrono_across_the_calendar() {
        for days in (-719_528..2_932_897).step_by(7) {
            let at = DateTime::from_timestamp(days * 86_400 + 45_296, 0).unwrap();
            let mut ours = Vec::new();
            timestamp(&mut ours, &at);
            assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&at).unwrap());
        }
    }

    #[test]
    fn odd_years_fall_back_to_chrono() {
        let mut out = Vec::new();
        timestamp(&mut out, &DateTime::<Utc>::MIN_UTC);
        let chrono = serde_json::to_string(&DateTime::<Utc>::MIN_UTC).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), chrono);
    }
}
