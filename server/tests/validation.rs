//! The server's answer to generated requests, predicted by an oracle written here by
//! hand from contract §1 (its own query-string decoding, UUID, date, integer and range
//! rules, duplicate and field-order handling, and messages), not by the validator under
//! test: an invalid request gets a 400 listing exactly the predicted fields, codes and
//! messages; a valid one gets exactly the status the fixture implies (200 when its
//! window holds the fixture's one instance, 422 when it does not, 404 for another
//! campaign).

mod common;

use common::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::{json, Value};
use std::sync::OnceLock;

/// One server and runtime for all cases.
fn harness() -> &'static (tokio::runtime::Runtime, TestServer) {
    static HARNESS: OnceLock<(tokio::runtime::Runtime, TestServer)> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        let mut settings = config(NOW);
        settings.rate_limit = 0;
        settings.custom_range_rate_limit = 0;
        let server = runtime.block_on(start(&fixture(vec![the_instance()]), settings));
        (runtime, server)
    })
}

const NOW: &str = "2024-03-01T00:30:00Z";
/// The fixture's one instance of SPRING, in every rolling window at NOW.
const INSTANCE_DAY: (i64, u32, u32) = (2024, 2, 29);

fn the_instance() -> Value {
    instance(1, SPRING, "2024-02-29T10:00:00Z", 100)
}

// ---------------------------------------------------------------------------------
// The oracle.

/// `%XX` decoding of bytes (an escape that is not two hex digits stays as is), and `+`
/// as a space when `plus` says so; the result read as UTF-8 with replacement.
fn decode(text: &str, plus: bool) -> String {
    let bytes = text.as_bytes();
    let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let (Some(high), Some(low)) = (hex(i + 1), hex(i + 2)) {
                out.push((high * 16 + low) as u8);
                i += 3;
                continue;
            }
        }
        out.push(if plus && bytes[i] == b'+' {
            b' '
        } else {
            bytes[i]
        });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The parameters of a query string, decoded, in order (empty pieces between `&`
/// skipped; a bare name has the empty value).
fn parameters(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| match piece.split_once('=') {
            Some((name, value)) => (decode(name, true), decode(value, true)),
            None => (decode(piece, true), String::new()),
        })
        .collect()
}

fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Days since 1970-01-01 of a real calendar date written `YYYY-MM-DD`.
fn day_number(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let digits = [0, 1, 2, 3, 5, 6, 8, 9];
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !digits.iter().all(|&i| b[i].is_ascii_digit())
    {
        return None;
    }
    let year: i64 = text[0..4].parse().ok()?;
    let month: u32 = text[5..7].parse().ok()?;
    let day: u32 = text[8..10].parse().ok()?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let lengths = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month) || day == 0 || day > lengths[month as usize - 1] {
        return None;
    }
    Some(civil_days(year, month, day))
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
fn civil_days(year: i64, month: u32, day: u32) -> i64 {
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * i64::from(m) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `Ok(n)` for digits whose value is within `min..=max`; the code otherwise.
fn integer(text: &str, min: u64, max: u64) -> Result<u64, &'static str> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err("invalid_integer");
    }
    let significant = text.trim_start_matches('0');
    if significant.len() > 12 {
        return Err("out_of_range");
    }
    let n: u64 = if significant.is_empty() {
        0
    } else {
        significant.parse().unwrap()
    };
    if (min..=max).contains(&n) {
        Ok(n)
    } else {
        Err("out_of_range")
    }
}

const FIELDS: [&str; 7] = [
    "campaign_id",
    "time_frame",
    "start_date",
    "end_date",
    "is_purchase",
    "page",
    "limit",
];

/// What the server must say about a request: its 400 fields, or, when valid, the
/// lower-cased campaign id and the custom range's days (None for the rolling frames).
#[derive(Debug)]
enum Predicted {
    Invalid(Vec<Value>),
    Valid {
        campaign: String,
        range: Option<(i64, i64)>,
    },
}

/// The message of `code` on a known field (hand-written from the contract's wording:
/// the field, and what is allowed).
fn message(field: &str, code: &str) -> String {
    let allowed = match field {
        "campaign_id" => {
            "a UUID such as 123e4567-e89b-12d3-a456-426614174000 (8-4-4-4-12 hex digits)"
        }
        "time_frame" => "one of per_hour, per_day, per_month, custom_range",
        "start_date" | "end_date" => "a calendar date written YYYY-MM-DD",
        "is_purchase" => "one of true, false, all",
        "page" => "an integer from 1 to 2147483647",
        _ => "an integer from 1 to 100",
    };
    match (field, code) {
        ("start_date" | "end_date", "required") => {
            format!("{field} is required when time_frame is custom_range: {allowed}")
        }
        (_, "required") => format!("{field} is required: {allowed}"),
        (_, "date_order") => "end_date must be after start_date".to_owned(),
        (_, "range_too_large") => "end_date must be at most 365 days after start_date".to_owned(),
        (_, "duplicate_parameter") => format!("{field} must be given only once"),
        _ => format!("{field} must be {allowed}"),
    }
}

fn predict(segment: &str, query: &str) -> Predicted {
    let params = parameters(query);
    // How often a name is given, and a known field's first value (empty = absent).
    let count = |field: &str| params.iter().filter(|(n, _)| n == field).count();
    let first = |field: &str| {
        params
            .iter()
            .find(|(n, _)| n == field)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let mut errors: Vec<(&str, &str)> = Vec::new();

    // campaign_id comes from the path; given twice in the query string, that field
    // gets a duplicate_parameter.
    let campaign = decode(segment, false);
    if count("campaign_id") > 1 {
        errors.push(("campaign_id", "duplicate_parameter"));
    } else if campaign.is_empty() {
        errors.push(("campaign_id", "required"));
    } else if !is_uuid(&campaign) {
        errors.push(("campaign_id", "invalid_uuid"));
    }

    let frame = if count("time_frame") > 1 {
        errors.push(("time_frame", "duplicate_parameter"));
        None
    } else {
        match first("time_frame") {
            None => {
                errors.push(("time_frame", "required"));
                None
            }
            Some(f) if ["per_hour", "per_day", "per_month", "custom_range"].contains(&f) => Some(f),
            Some(_) => {
                errors.push(("time_frame", "invalid_enum"));
                None
            }
        }
    };

    let mut days = [None, None];
    for (slot, field) in ["start_date", "end_date"].into_iter().enumerate() {
        if count(field) > 1 {
            errors.push((field, "duplicate_parameter"));
            continue;
        }
        if frame != Some("custom_range") {
            continue; // beside any other time frame: ignored, unchecked
        }
        match first(field) {
            None => errors.push((field, "required")),
            Some(text) => match day_number(text) {
                None => errors.push((field, "invalid_date")),
                Some(day) => days[slot] = Some(day),
            },
        }
    }
    if let [Some(start), Some(end)] = days {
        if end <= start {
            errors.push(("end_date", "date_order"));
        } else if end - start > 365 {
            errors.push(("end_date", "range_too_large"));
        }
    }

    if count("is_purchase") > 1 {
        errors.push(("is_purchase", "duplicate_parameter"));
    } else if first("is_purchase").is_some_and(|v| !["true", "false", "all"].contains(&v)) {
        errors.push(("is_purchase", "invalid_enum"));
    }
    for (field, max) in [("page", 2_147_483_647), ("limit", 100)] {
        if count(field) > 1 {
            errors.push((field, "duplicate_parameter"));
        } else if let Some(Err(code)) = first(field).map(|v| integer(v, 1, max)) {
            errors.push((field, code));
        }
    }

    let mut fields: Vec<Value> = errors
        .iter()
        .map(|(field, code)| json!({"field": field, "message": message(field, code), "code": code}))
        .collect();
    // Other names given more than once, in order of first appearance.
    let mut seen: Vec<&str> = Vec::new();
    for (name, _) in &params {
        if FIELDS.contains(&name.as_str()) || seen.contains(&name.as_str()) {
            continue;
        }
        seen.push(name);
        if count(name) > 1 {
            let shown = if name.is_empty() {
                "a parameter with an empty name".to_owned()
            } else {
                format!("\"{name}\"")
            };
            fields.push(json!({
                "field": name,
                "message": format!("{shown} must be given only once"),
                "code": "duplicate_parameter",
            }));
        }
    }
    if !fields.is_empty() {
        return Predicted::Invalid(fields);
    }
    Predicted::Valid {
        campaign: campaign.to_ascii_lowercase(),
        range: days[0].zip(days[1]),
    }
}

/// The status of a valid request against the fixture.
fn expected_status(campaign: &str, range: Option<(i64, i64)>) -> u16 {
    if campaign != SPRING {
        return 404;
    }
    let (y, m, d) = INSTANCE_DAY;
    let day = civil_days(y, m, d);
    match range {
        // Every rolling window at NOW holds the instance.
        None => 200,
        Some((start, end)) if (start..=end).contains(&day) => 200,
        Some(_) => 422,
    }
}

fn codes(predicted: Predicted) -> Vec<String> {
    match predicted {
        Predicted::Invalid(fields) => fields
            .iter()
            .map(|e| {
                format!(
                    "{}:{}",
                    e["field"].as_str().unwrap(),
                    e["code"].as_str().unwrap()
                )
            })
            .collect(),
        Predicted::Valid { .. } => Vec::new(),
    }
}

#[test]
fn the_oracle_knows_the_rules() {
    assert_eq!(
        codes(predict("", "limit=0&page=x&time_frame=PER_DAY&limit=3")),
        [
            "campaign_id:required",
            "time_frame:invalid_enum",
            "page:invalid_integer",
            "limit:duplicate_parameter"
        ]
    );
    assert_eq!(
        codes(predict(
            SPRING,
            "time_frame=custom_range&start_date=2024-03-01&end_date=2023-03-01&utm=1&utm=2"
        )),
        ["end_date:date_order", "utm:duplicate_parameter"]
    );
    assert_eq!(
        codes(predict(
            SPRING,
            "time_frame=custom_range&start_date=2023-02-28&end_date=2024-02-29"
        )),
        ["end_date:range_too_large"]
    );
    assert_eq!(
        codes(predict(
            "%7Bx%7D",
            "time%5Fframe=per_day&page=2147483648&limit=007"
        )),
        ["campaign_id:invalid_uuid", "page:out_of_range"]
    );
    assert_eq!(civil_days(2024, 2, 29) - civil_days(2023, 3, 1), 365);
    assert_eq!(civil_days(1970, 1, 1), 0);
    assert!(day_number("2025-02-29").is_none() && day_number("2024-02-29").is_some());
    let upper = SPRING.to_uppercase();
    match predict(
        &upper,
        "time_frame=custom_range&start_date=2024-02-01&end_date=2024-02-28",
    ) {
        Predicted::Valid { campaign, range } => assert_eq!(expected_status(&campaign, range), 422),
        other => panic!("{other:?}"),
    }
    match predict(&upper, "time_frame=per_day&start_date=nonsense&x=1") {
        Predicted::Valid { campaign, range } => assert_eq!(expected_status(&campaign, range), 200),
        other => panic!("{other:?}"),
    }
}

/// Path segments: valid ids in both cases, near misses, escapes, nothing.
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(SPRING.to_owned()),
        Just(SPRING.to_uppercase()),
        Just(MISSING.to_owned()),
        Just(String::new()),
        Just("00000000-0000-0000-0000-000000000000".to_owned()),
        Just("c0000000000040008000000000000001".to_owned()),
        Just("%7Bc0000000-0000-4000-8000-000000000001%7D".to_owned()),
        Just("c0000000-0000-4000-8000-00000000000g".to_owned()),
        Just("c0000000%2D0000-4000-8000-000000000001".to_owned()),
        Just("%20c0000000-0000-4000-8000-000000000001".to_owned()),
        "[0-9a-fA-F-]{30,38}",
        "[a-z0-9_%-]{0,12}",
    ]
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => Just("time_frame".to_owned()),
        3 => Just("start_date".to_owned()),
        3 => Just("end_date".to_owned()),
        3 => Just("is_purchase".to_owned()),
        3 => Just("page".to_owned()),
        3 => Just("limit".to_owned()),
        1 => Just("campaign_id".to_owned()),
        1 => Just("utm_source".to_owned()),
        1 => Just("".to_owned()),
        1 => Just("time%5Fframe".to_owned()),
        1 => Just("LIMIT".to_owned()),
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("per_hour".to_owned()),
        Just("per_day".to_owned()),
        Just("per_month".to_owned()),
        Just("custom_range".to_owned()),
        Just("custom%5Frange".to_owned()),
        Just("PER_DAY".to_owned()),
        Just("2024-02-29".to_owned()),
        Just("2025-02-29".to_owned()),
        Just("2023-03-01".to_owned()),
        Just("2024-03-01".to_owned()),
        Just("2025-03-01".to_owned()),
        Just("2024-2-01".to_owned()),
        Just("2024%2D02%2D01".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        Just("all".to_owned()),
        Just("TRUE".to_owned()),
        Just("1".to_owned()),
        Just("007".to_owned()),
        Just("0".to_owned()),
        Just("100".to_owned()),
        Just("101".to_owned()),
        Just("2147483647".to_owned()),
        Just("2147483648".to_owned()),
        Just("99999999999999999999".to_owned()),
        Just("%2B1".to_owned()),
        Just("-1".to_owned()),
        Just("1.0".to_owned()),
        Just("1e2".to_owned()),
        Just("+1".to_owned()),
        Just("%201".to_owned()),
        Just("%zz".to_owned()),
        Just("%FF".to_owned()),
        Just(String::new()),
        "[a-z0-9_.:-]{0,12}",
        "[0-9]{1,11}",
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]",
    ]
}

/// Query strings of 0–6 parameters, with repeats and bare names.
fn query() -> impl Strategy<Value = String> {
    proptest::collection::vec((name(), value(), any::<u8>()), 0..7).prop_map(|params| {
        params
            .into_iter()
            .map(|(n, v, shape)| match shape % 10 {
                0 => n,
                _ => format!("{n}={v}"),
            })
            .collect::<Vec<_>>()
            .join("&")
    })
}

/// Valid queries built from parts (every time frame, real date pairs around the
/// instance, valid optional parameters in any order), with some noise: an unknown
/// parameter, an empty value, a `+`-encoded or percent-encoded name.
fn valid_query() -> impl Strategy<Value = String> {
    let frame = prop_oneof![
        Just(vec!["time_frame=per_hour".to_owned()]),
        Just(vec!["time_frame=per_day".to_owned()]),
        Just(vec!["time_frame=per_month".to_owned()]),
        (
            prop::sample::select(vec![
                "2023-03-01",
                "2024-01-31",
                "2024-02-10",
                "2024-02-29",
                "2024-03-01"
            ]),
            prop::sample::select(vec![
                "2024-02-20",
                "2024-02-28",
                "2024-02-29",
                "2024-03-01",
                "2025-01-15"
            ]),
        )
            .prop_map(|(start, end)| vec![
                "time_frame=custom_range".to_owned(),
                format!("start_date={start}"),
                format!("end%5Fdate={end}"),
            ]),
    ];
    let optional = prop::sample::subsequence(
        vec![
            "is_purchase=true",
            "is_purchase=false",
            "page=3",
            "limit=007",
            "limit=",
            "utm_source=mail",
            "start_date=",
        ],
        0..=3,
    );
    (frame, optional, any::<prop::sample::Index>()).prop_map(|(mut parts, optional, at)| {
        for part in optional {
            let key = part.split('=').next().unwrap_or_default().to_owned();
            if !parts.iter().any(|p| p.starts_with(&key)) {
                parts.push(part.to_owned());
            }
        }
        let n = parts.len();
        parts.rotate_left(at.index(n));
        parts.join("&")
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn the_server_answers_what_the_oracle_predicts(
        segment in segment(),
        query in prop_oneof![query(), valid_query()],
    ) {
        let (runtime, server) = harness();
        let path = format!("/api/partner/v1/campaigns/{segment}/analytics?{query}");
        let reply = runtime.block_on(get(server, &path, Some(ACME_KEY)));
        match predict(&segment, &query) {
            Predicted::Invalid(fields) => {
                prop_assert_eq!(reply.status, 400, "{}: {}", path, reply.body);
                let message = format!("Validation failed for {} fields", fields.len());
                prop_assert_eq!(&reply.body["fields"], &Value::Array(fields), "{}", path);
                prop_assert_eq!(&reply.body["message"], &Value::String(message));
            }
            Predicted::Valid { campaign, range } => {
                let expected = expected_status(&campaign, range);
                prop_assert_eq!(reply.status, expected, "{}: {}", path, reply.body);
                if expected == 200 {
                    prop_assert_eq!(&reply.body["data"]["campaign_id"], SPRING);
                    prop_assert_eq!(&reply.body["data"]["summary"]["total_instances"], 1);
                }
            }
        }
    }
}

/// The generated requests are valid often enough for the 200/404/422 side to be
/// exercised, not only the 400s.
#[test]
fn generated_requests_are_often_valid() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (segment(), prop_oneof![query(), valid_query()]);
    let mut valid = 0;
    let mut statuses = std::collections::BTreeMap::new();
    for _ in 0..2000 {
        let (segment, query) = strategy.new_tree(&mut runner).unwrap().current();
        if let Predicted::Valid { campaign, range } = predict(&segment, &query) {
            valid += 1;
            *statuses
                .entry(expected_status(&campaign, range))
                .or_insert(0) += 1;
        }
    }
    assert!(valid >= 300, "{valid} valid of 2000");
    for status in [200, 404, 422] {
        assert!(
            statuses.get(&status).copied().unwrap_or(0) >= 20,
            "{statuses:?}"
        );
    }
}
