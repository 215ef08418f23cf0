//! A hand-written encoder for the 200 body, the one large response (up to ~60 KB for a
//! 366-day range). It writes, straight from the store's answer (integer cents and
//! microseconds), exactly the bytes `serde_json` writes for the shared wire type
//! `AnalyticsResponse` that [`crate::analytics::response`] builds from the same
//! answer — tests hold the two byte-equal — in a fraction of the time: generic
//! timestamp and float formatting were most of the cost of a request. Field names and
//! order follow `src/api/types.rs`.

use crate::analytics::{summary, Plan};
use crate::store::{InstanceRow, WindowAnswer};
use campaign_analytics::api::types::{Meta, Pagination};
use campaign_analytics::contract::AnalyticsQuery;
use chrono::{DateTime, SecondsFormat, Utc};

/// The 200 body for `answer` to `query` over `plan`: the JSON of
/// [`crate::analytics::response`], written directly.
pub fn analytics_body(
    query: &AnalyticsQuery,
    plan: &Plan,
    answer: &WindowAnswer,
    message: &str,
    meta: &Meta,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(600 + answer.rows.len() * 260 + answer.series.len() * 110);
    out.extend_from_slice(b"{\"success\":true,\"message\":");
    string(&mut out, message);
    out.extend_from_slice(b",\"data\":{\"campaign_id\":\"");
    uuid(&mut out, &query.campaign_id());
    out.extend_from_slice(b"\",\"time_frame\":\"");
    out.extend_from_slice(query.time_frame().as_str().as_bytes());
    out.extend_from_slice(b"\",\"instances\":[");
    for (i, row) in answer.rows.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_row(&mut out, row);
    }
    let s = summary(answer.summary);
    out.extend_from_slice(b"],\"summary\":{\"total_instances\":");
    integer(&mut out, s.total_instances);
    out.extend_from_slice(b",\"purchase_instances\":");
    integer(&mut out, s.purchase_instances);
    out.extend_from_slice(b",\"non_purchase_instances\":");
    integer(&mut out, s.non_purchase_instances);
    out.extend_from_slice(b",\"total_revenue\":");
    cents(&mut out, answer.summary.revenue_cents);
    out.extend_from_slice(b",\"conversion_rate\":");
    float(&mut out, s.conversion_rate);
    out.extend_from_slice(b"},\"window\":{\"start\":");
    timestamp(&mut out, &plan.start);
    out.extend_from_slice(b",\"end\":");
    timestamp(&mut out, &plan.end);
    out.extend_from_slice(b"},\"series\":[");
    for (i, (start, totals)) in plan.bucket_starts.iter().zip(&answer.series).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"period_start\":");
        timestamp(&mut out, start);
        out.extend_from_slice(b",\"total_instances\":");
        integer(&mut out, totals.instances);
        out.extend_from_slice(b",\"purchase_instances\":");
        integer(&mut out, totals.purchases);
        out.extend_from_slice(b",\"revenue\":");
        cents(&mut out, totals.revenue_cents);
        out.push(b'}');
    }
    out.extend_from_slice(b"]},");
    pagination(
        &mut out,
        &Pagination::new(query.page(), query.limit(), answer.matching),
    );
    out.extend_from_slice(b",\"meta\":{\"timestamp\":");
    timestamp(&mut out, &meta.timestamp);
    out.extend_from_slice(b",\"requestId\":");
    string(&mut out, &meta.request_id);
    out.extend_from_slice(b"}}");
    out
}

fn write_row(out: &mut Vec<u8>, row: &InstanceRow) {
    out.extend_from_slice(b"{\"instance_id\":\"");
    uuid(out, &row.instance_id);
    out.extend_from_slice(b"\",\"insider_id\":\"");
    uuid(out, &row.insider_id);
    out.extend_from_slice(b"\",\"is_purchase\":");
    match &row.purchased_insider_id {
        Some(id) => {
            out.extend_from_slice(b"true,\"purchased_insider_id\":\"");
            uuid(out, id);
            out.push(b'"');
        }
        None => out.extend_from_slice(b"false,\"purchased_insider_id\":null"),
    }
    out.extend_from_slice(b",\"timestamp\":");
    timestamp_us(out, row.timestamp_us);
    out.extend_from_slice(b",\"revenue\":");
    cents(out, row.revenue_cents);
    out.push(b'}');
}

fn pagination(out: &mut Vec<u8>, p: &Pagination) {
    out.extend_from_slice(b"\"pagination\":{\"page\":");
    integer(out, u64::from(p.page));
    out.extend_from_slice(b",\"limit\":");
    integer(out, u64::from(p.limit));
    out.extend_from_slice(b",\"total\":");
    integer(out, p.total);
    out.extend_from_slice(b",\"totalPages\":");
    integer(out, p.total_pages);
    out.extend_from_slice(b",\"hasNext\":");
    boolean(out, p.has_next);
    out.extend_from_slice(b",\"hasPrevious\":");
    boolean(out, p.has_previous);
    out.push(b'}');
}

fn boolean(out: &mut Vec<u8>, value: bool) {
    out.extend_from_slice(if value { b"true" } else { b"false" });
}

/// Writes a short field straight into the output: `write` fills a block of `N` bytes
/// at the end of `out` and says how many it used. Writing in place matters: digits
/// stored byte by byte into a stack buffer and then copied out with wide loads stall
/// the CPU (a failed store-to-load forwarding on every field), and a variable-length
/// copy is a `memmove` call — together most of the cost of a 60 KB body.
fn in_place<const N: usize>(out: &mut Vec<u8>, write: impl FnOnce(&mut [u8; N]) -> usize) {
    let at = out.len();
    out.resize(at + N, 0);
    let used = match <&mut [u8; N]>::try_from(&mut out[at..]) {
        Ok(block) => write(block).min(N),
        Err(_) => 0,
    };
    out.truncate(at + used);
}

/// "00" to "99": two digits per lookup instead of two divisions.
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The two digits of `value % 100`.
fn pair(value: u32) -> [u8; 2] {
    let at = (value % 100) as usize * 2;
    [PAIRS[at], PAIRS[at + 1]]
}

/// Writes `value` in decimal at the start of `block`; its length.
fn decimal(block: &mut [u8], mut value: u64) -> usize {
    let mut len = 1;
    let mut rest = value / 10;
    while rest > 0 {
        rest /= 10;
        len += 1;
    }
    let mut end = len;
    while end >= 2 {
        let [tens, ones] = pair((value % 100) as u32);
        block[end - 2] = tens;
        block[end - 1] = ones;
        value /= 100;
        end -= 2;
    }
    if end == 1 {
        block[0] = b'0' + value as u8;
    }
    len
}

fn integer(out: &mut Vec<u8>, value: u64) {
    in_place::<20>(out, |block| decimal(block, value));
}

/// Whole cents as serde_json writes the amount `cents / 100.0`: the shortest
/// round-trip form of such a double is its decimal form with trailing zeros cut
/// (`19.99`, `19.9`, `20.0`) while it has at most 15 significant digits, since distinct
/// decimals of 15 digits are distinct doubles. Anything else goes through [`float`].
fn cents(out: &mut Vec<u8>, cents: i64) {
    if !(0..1_000_000_000_000).contains(&cents) {
        return float(out, cents as f64 / 100.0);
    }
    in_place::<24>(out, |block| {
        let len = decimal(block, (cents / 100) as u64);
        let fraction = (cents % 100) as u8;
        block[len] = b'.';
        block[len + 1] = b'0' + fraction / 10;
        block[len + 2] = b'0' + fraction % 10;
        len + if fraction.is_multiple_of(10) { 2 } else { 3 }
    });
}

/// As serde_json writes it (it is serde_json that writes it: the rare path).
fn float(out: &mut Vec<u8>, value: f64) {
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &value);
}

fn string(out: &mut Vec<u8>, value: &str) {
    // Escaping is serde_json's own; writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

fn uuid(out: &mut Vec<u8>, id: &uuid::Uuid) {
    in_place::<36>(out, |block| id.hyphenated().encode_lower(block).len());
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

/// A timestamp as chrono's `Serialize` writes it (RFC 3339, `SecondsFormat::AutoSi`,
/// `Z`), from its parts.
fn timestamp(out: &mut Vec<u8>, at: &DateTime<Utc>) {
    write_parts(out, at.timestamp(), at.timestamp_subsec_nanos(), at);
}

/// The same for a timestamp in Unix microseconds.
fn timestamp_us(out: &mut Vec<u8>, us: i64) {
    let seconds = us.div_euclid(1_000_000);
    let nanos = us.rem_euclid(1_000_000) as u32 * 1000;
    match DateTime::from_timestamp(seconds, nanos) {
        Some(at) => write_parts(out, seconds, nanos, &at),
        // As `analytics::response` does with instants chrono cannot represent.
        None => timestamp(out, &DateTime::<Utc>::MIN_UTC),
    }
}

/// `"YYYY-MM-DDTHH:MM:SS[.fff|.ffffff|.fffffffff]Z"`. Years outside 0–9999 and leap
/// seconds take chrono's own path (`at`).
fn write_parts(out: &mut Vec<u8>, seconds: i64, nanos: u32, at: &DateTime<Utc>) {
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        out.push(b'"');
        out.extend_from_slice(at.to_rfc3339_opts(SecondsFormat::AutoSi, true).as_bytes());
        out.push(b'"');
        return;
    }
    let of_day = seconds.rem_euclid(86_400) as u32;
    let year = year as u32;
    let (digits, value) = if nanos == 0 {
        (0, 0)
    } else if nanos.is_multiple_of(1_000_000) {
        (3, nanos / 1_000_000)
    } else if nanos.is_multiple_of(1_000) {
        (6, nanos / 1_000)
    } else {
        (9, nanos)
    };
    in_place::<32>(out, |t| {
        t[0] = b'"';
        [t[1], t[2]] = pair(year / 100);
        [t[3], t[4]] = pair(year);
        t[5] = b'-';
        [t[6], t[7]] = pair(month);
        t[8] = b'-';
        [t[9], t[10]] = pair(day);
        t[11] = b'T';
        [t[12], t[13]] = pair(of_day / 3600);
        t[14] = b':';
        [t[15], t[16]] = pair(of_day / 60 % 60);
        t[17] = b':';
        [t[18], t[19]] = pair(of_day % 60);
        let mut len = 20;
        if digits > 0 {
            t[20] = b'.';
            let mut rest = value;
            for slot in t[21..21 + digits].iter_mut().rev() {
                *slot = b'0' + (rest % 10) as u8;
                rest /= 10;
            }
            len = 21 + digits;
        }
        t[len] = b'Z';
        t[len + 1] = b'"';
        len + 2
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::{plan, response};
    use crate::store::{Totals, WindowAnswer};
    use campaign_analytics::contract::validate_request;
    use uuid::Uuid;

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn totals(rng: &mut Rng) -> Totals {
        let cents = match rng.below(4) {
            0 => 0,
            1 => rng.below(100_000) as i64,
            2 => rng.below(100_000_000_000) as i64,
            _ => rng.below(10_000_000_000_000_000) as i64,
        };
        let instances = rng.below(1_000_000);
        Totals {
            instances,
            purchases: rng.below(instances + 1),
            revenue_cents: cents,
        }
    }

    #[test]
    fn writes_exactly_what_serde_writes_for_the_wire_type() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let frames = [
            "time_frame=per_hour",
            "time_frame=per_day&is_purchase=true",
            "time_frame=per_month&limit=7&page=3",
            "time_frame=custom_range&start_date=2024-01-01&end_date=2024-12-31&is_purchase=false",
            "time_frame=custom_range&start_date=0001-01-01&end_date=0001-01-09",
        ];
        for case in 0..1500 {
            let campaign = Uuid::from_u128(u128::from(rng.next()) << 64 | u128::from(rng.next()));
            let query = *validate_request(&campaign.to_string(), frames[case % frames.len()])
                .query()
                .unwrap();
            let now_us = (rng.below(4_000_000_000) as i64 - 1_000_000_000) * 1_000_000
                + [
                    0,
                    1000 * rng.below(1000) as i64,
                    rng.below(1_000_000) as i64,
                ][case % 3];
            let now = DateTime::from_timestamp_micros(now_us).unwrap();
            let plan = plan(query.period(), now).unwrap();
            let rows = (0..rng.below(6))
                .map(|_| {
                    let purchase = rng.below(2) == 0;
                    InstanceRow {
                        instance_id: Uuid::from_u128(
                            u128::from(rng.next()) << 64 | u128::from(rng.next()),
                        ),
                        insider_id: Uuid::from_u128(u128::from(rng.next())),
                        purchased_insider_id: purchase
                            .then(|| Uuid::from_u128(u128::from(rng.next()))),
                        timestamp_us: match rng.below(4) {
                            0 => rng.next() as i64,
                            1 => rng.below(1 << 50) as i64 * 1000,
                            2 => rng.below(1 << 40) as i64 * 1_000_000,
                            _ => rng.below(1 << 52) as i64 - (1 << 51),
                        },
                        revenue_cents: if purchase {
                            totals(&mut rng).revenue_cents
                        } else {
                            0
                        },
                    }
                })
                .collect();
            let answer = WindowAnswer {
                summary: totals(&mut rng),
                series: plan
                    .bucket_starts
                    .iter()
                    .map(|_| totals(&mut rng))
                    .collect(),
                matching: rng.below(100_000),
                rows,
            };
            let meta = Meta {
                timestamp: now,
                request_id: "550e8400-e29b-41d4-a716-446655440000".into(),
            };
            let message = "retrieved \"successfully\"\n";
            let ours =
                String::from_utf8(analytics_body(&query, &plan, &answer, message, &meta)).unwrap();
            let mut wire = response(&query, &plan, &answer, meta);
            wire.message = message.to_owned();
            let theirs = serde_json::to_string(&wire).unwrap();
            assert_eq!(ours, theirs, "case {case}");
        }
    }

    #[test]
    fn cents_are_written_as_serde_writes_the_amount() {
        let mut rng = Rng(7);
        let mut values: Vec<i64> = vec![
            0,
            1,
            10,
            100,
            1999,
            2000,
            1990,
            999_999_999_999,
            1_000_000_000_000,
            -150,
            i64::MAX,
        ];
        values.extend((0..100_000).map(|_| (rng.next() >> rng.below(63)) as i64));
        for value in values {
            let mut ours = Vec::new();
            cents(&mut ours, value);
            let amount = value as f64 / 100.0;
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                serde_json::to_string(&amount).unwrap(),
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
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                serde_json::to_string(&at).unwrap()
            );
        }
    }

    #[test]
    fn odd_years_fall_back_to_chrono() {
        for at in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
            let mut out = Vec::new();
            timestamp(&mut out, &at);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&at).unwrap()
            );
        }
    }
}
