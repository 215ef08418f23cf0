//! Properties of the contract over generated input: no input panics; queries built from
//! valid parts validate to the query the parts describe (checked against a path the test
//! writes itself), and one injected fault gives exactly its error; a valid query's
//! canonical path validates back to the same query; the two entry points agree.
#![cfg(not(target_arch = "wasm32"))]

use campaign_analytics::contract::{
    check_secret_key, validate_query, validate_request, Code, Field, QueryInput,
};
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::cell::Cell;

/// Values near the rules' edges, mixed with arbitrary text.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("per_day".to_owned()),
        Just("custom_range".to_owned()),
        Just("true".to_owned()),
        Just("all".to_owned()),
        Just("123e4567-e89b-12d3-a456-426614174000".to_owned()),
        "[0-9]{1,12}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9])",
        "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
        "per_(hour|day|month)|custom_range|true|false|all",
        any::<String>(),
        "[ -~]{0,40}",
    ]
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(Field::ALL.to_vec()).prop_map(|f| f.name().to_owned()),
        1 => "[a-z_]{0,12}",
        1 => any::<String>(),
    ]
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_query_strings_never_panic(id in any::<String>(), raw in any::<String>()) {
        let v = validate_request(&id, &raw);
        prop_assert_eq!(v.query().is_some(), v.errors().is_empty());
    }

    #[test]
    fn canonical_path_round_trips(
        id in value(),
        pairs in proptest::collection::vec((name(), value()), 0..9),
    ) {
        let query: String = pairs
            .iter()
            .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let v = validate_request(&id, &query);
        prop_assert_eq!(v.query().is_some(), v.errors().is_empty());
        // Errors are at most one per field, in contract order for known fields.
        let positions: Vec<usize> = v.errors().iter()
            .filter_map(|e| Field::from_name(&e.field).map(|f| f as usize)).collect();
        prop_assert!(positions.windows(2).all(|w| w[0] < w[1]), "order {:?}", v.errors());
        if let Some(q) = v.query() {
            let path = q.path();
            let (head, qs) = path.split_once('?').expect("path has a query string");
            let path_id = head.trim_end_matches("/analytics").rsplit('/').next().unwrap();
            let again = validate_request(path_id, qs);
            prop_assert_eq!(again.query(), Some(q));
            prop_assert!(again.warnings().is_empty());
            prop_assert_eq!(again.query().unwrap().path(), path);
        }
    }

    #[test]
    fn fields_and_urls_agree(values in proptest::collection::vec(value(), 7)) {
        let mut input = QueryInput::default();
        for (field, value) in Field::ALL.into_iter().zip(&values) {
            input.set(field, Some(value.as_str()));
        }
        let by_fields = validate_query(&input);
        let query: String = Field::ALL[1..].iter().zip(&values[1..])
            .map(|(f, v)| format!("{}={}", f.name(), encode(v)))
            .collect::<Vec<_>>().join("&");
        let by_url = validate_request(&values[0], &query);
        prop_assert_eq!(by_fields, by_url);
    }

    #[test]
    fn keys_never_panic(key in any::<String>()) {
        let check = check_secret_key(&key);
        let valid_shape = (key.starts_with("sk_live_") || key.starts_with("sk_test_"))
            && key.len() == 40
            && key[8..].bytes().all(|b| b.is_ascii_alphanumeric());
        prop_assert_eq!(check.0.is_ok(), valid_shape);
    }
}

/// The parts of a valid request, and what the test expects of them.
#[derive(Clone, Debug)]
struct ValidParts {
    campaign_id: String,
    /// `(name, value)` in the order they are written, before any encoding.
    params: Vec<(String, String)>,
    /// The canonical query string, written by the test from the parts.
    canonical: String,
    /// Unknown parameter names added as harmless noise, in order.
    unknown: Vec<String>,
}

/// One fault injected into valid parts, with the single error it must cause.
#[derive(Clone, Debug)]
enum Fault {
    None,
    /// A hex digit of the campaign id replaced by `g`, at this position.
    BadUuid(usize),
    /// The time frame misspelled.
    BadTimeFrame(&'static str),
    /// `is_purchase` given in another case.
    BadPurchase(&'static str),
    /// `page` with a sign or a decimal point.
    PageNotDigits(&'static str),
    /// `limit` out of 1..=100.
    LimitOutOfRange(&'static str),
    /// The parameter at this index (modulo their count) given a second time.
    Duplicate(usize),
}

fn uuid_text() -> impl Strategy<Value = String> {
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
}

/// Leading zeros are fine (`007` is 7).
fn digits(value: u32) -> impl Strategy<Value = String> {
    (0usize..3).prop_map(move |zeros| format!("{}{value}", "0".repeat(zeros)))
}

fn valid_parts() -> impl Strategy<Value = ValidParts> {
    let frame = prop_oneof![
        Just(None),
        Just(Some("per_hour")),
        Just(Some("per_day")),
        Just(Some("per_month")),
    ];
    // A custom range: any start in years 0000–9998, end 1..=365 days later.
    let dates = (0i64..3_651_000, 1u64..=365).prop_map(|(start, span)| {
        let start = NaiveDate::from_ymd_opt(0, 1, 1).unwrap() + Days::new(start as u64);
        (start, start + Days::new(span))
    });
    let purchase = proptest::option::of(prop_oneof![Just("true"), Just("false"), Just("all")]);
    let page = proptest::option::of(prop_oneof![1u32..=5, 1u32..=2_147_483_647]);
    let limit = proptest::option::of(1u32..=100);
    let unknown = proptest::collection::vec("x_[a-z]{1,6}", 0..3);
    (uuid_text(), frame, dates, purchase, page, limit, unknown)
        .prop_flat_map(|(id, frame, dates, purchase, page, limit, unknown)| {
            let page_text = page
                .map(digits)
                .map(|s| s.boxed())
                .unwrap_or_else(|| Just(String::new()).boxed());
            let limit_text = limit
                .map(digits)
                .map(|s| s.boxed())
                .unwrap_or_else(|| Just(String::new()).boxed());
            (
                Just((id, frame, dates, purchase, page, limit, unknown)),
                page_text,
                limit_text,
            )
        })
        .prop_flat_map(
            |((id, frame, dates, purchase, page, limit, mut unknown), page_text, limit_text)| {
                unknown.sort();
                unknown.dedup();
                let iso = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
                let mut params = Vec::new();
                let mut canonical = String::new();
                match frame {
                    Some(frame) => {
                        params.push(("time_frame".to_owned(), frame.to_owned()));
                        canonical.push_str(&format!("time_frame={frame}"));
                    }
                    None => {
                        let (start, end) = dates;
                        params.push(("time_frame".to_owned(), "custom_range".to_owned()));
                        params.push(("start_date".to_owned(), iso(start)));
                        params.push(("end_date".to_owned(), iso(end)));
                        canonical.push_str(&format!(
                            "time_frame=custom_range&start_date={}&end_date={}",
                            iso(start),
                            iso(end)
                        ));
                    }
                }
                if let Some(p) = purchase {
                    params.push(("is_purchase".to_owned(), p.to_owned()));
                    if p != "all" {
                        canonical.push_str(&format!("&is_purchase={p}"));
                    }
                }
                if let Some(page) = page {
                    params.push(("page".to_owned(), page_text));
                    if page != 1 {
                        canonical.push_str(&format!("&page={page}"));
                    }
                }
                if let Some(limit) = limit {
                    params.push(("limit".to_owned(), limit_text));
                    if limit != 50 {
                        canonical.push_str(&format!("&limit={limit}"));
                    }
                }
                let unknown_count = unknown.len();
                params.extend(unknown.iter().map(|n| (n.clone(), "1".to_owned())));
                // Any order of the parameters.
                let order = Just((0..params.len()).collect::<Vec<_>>()).prop_shuffle();
                (Just((id, params, canonical, unknown, unknown_count)), order)
            },
        )
        .prop_map(|((campaign_id, params, canonical, unknown, _), order)| {
            // Unknown names appear in the warnings in the order they are written.
            let params: Vec<(String, String)> =
                order.into_iter().map(|i| params[i].clone()).collect();
            let unknown = params
                .iter()
                .filter(|(n, _)| unknown.contains(n))
                .map(|(n, _)| n.clone())
                .collect();
            ValidParts {
                campaign_id,
                params,
                canonical,
                unknown,
            }
        })
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        6 => Just(Fault::None),
        1 => (0usize..36).prop_map(Fault::BadUuid),
        1 => prop_oneof![Just("per_week"), Just("PER_DAY"), Just("custom-range"), Just("per_day ")]
            .prop_map(Fault::BadTimeFrame),
        1 => prop_oneof![Just("TRUE"), Just("yes"), Just("1")].prop_map(Fault::BadPurchase),
        1 => prop_oneof![Just("+1"), Just("-1"), Just("1.0"), Just("1e2")].prop_map(Fault::PageNotDigits),
        1 => prop_oneof![Just("0"), Just("101"), Just("00000000000000000000101")]
            .prop_map(Fault::LimitOutOfRange),
        1 => any::<usize>().prop_map(Fault::Duplicate),
    ]
}

/// Percent-escapes a random share of the characters (either hex case), as a browser or
/// a hand-written link might: the decoded query must be the same.
fn escape(text: &str, mask: u64) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| match (mask >> (i % 64)) & 3 {
            1 => format!("%{:02X}", c as u32),
            2 => format!("%{:02x}", c as u32),
            _ => c.to_string(),
        })
        .collect()
}

/// Valid parts, perhaps one fault, in a query string: the result is exactly what the
/// parts say, and most cases are valid (so the round trip is really exercised).
#[test]
fn queries_built_from_valid_parts() {
    const CASES: u32 = 2000;
    let mut runner = TestRunner::new(Config::with_cases(CASES));
    let (valid, total) = (Cell::new(0u32), Cell::new(0u32));
    runner
        .run(
            &(valid_parts(), fault(), any::<u64>()),
            |(parts, fault, mask)| {
                total.set(total.get() + 1);
                let mut id = parts.campaign_id.clone();
                let mut params = parts.params.clone();
                let set = |params: &mut Vec<(String, String)>, name: &str, value: &str| match params
                    .iter_mut()
                    .find(|(n, _)| n == name)
                {
                    Some(p) => p.1 = value.to_owned(),
                    None => params.push((name.to_owned(), value.to_owned())),
                };
                let expected: Vec<(String, Code)> = match &fault {
                    Fault::None => vec![],
                    Fault::BadUuid(at) => {
                        let at = if [8, 13, 18, 23].contains(at) {
                            at + 1
                        } else {
                            *at
                        };
                        id.replace_range(at..at + 1, "g");
                        vec![("campaign_id".into(), Code::InvalidUuid)]
                    }
                    Fault::BadTimeFrame(frame) => {
                        set(&mut params, "time_frame", frame);
                        vec![("time_frame".into(), Code::InvalidEnum)]
                    }
                    Fault::BadPurchase(text) => {
                        set(&mut params, "is_purchase", text);
                        vec![("is_purchase".into(), Code::InvalidEnum)]
                    }
                    Fault::PageNotDigits(text) => {
                        set(&mut params, "page", text);
                        vec![("page".into(), Code::InvalidInteger)]
                    }
                    Fault::LimitOutOfRange(text) => {
                        set(&mut params, "limit", text);
                        vec![("limit".into(), Code::OutOfRange)]
                    }
                    Fault::Duplicate(which) => {
                        let again = params[which % params.len()].clone();
                        let name = again.0.clone();
                        params.push(again);
                        vec![(name, Code::DuplicateParameter)]
                    }
                };
                let query = params
                    .iter()
                    .map(|(n, v)| {
                        format!("{}={}", escape(n, mask), escape(v, mask.rotate_left(17)))
                    })
                    .collect::<Vec<_>>()
                    .join("&");

                let v = validate_request(&id, &query);
                let errors: Vec<(String, Code)> = v
                    .errors()
                    .iter()
                    .map(|e| (e.field.clone(), e.code))
                    .collect();
                prop_assert_eq!(&errors, &expected, "query {:?}", query);
                if let Fault::None = fault {
                    let q = v.query().expect("no error, so a query");
                    let expected_path = format!(
                        "/api/partner/v1/campaigns/{}/analytics?{}",
                        parts.campaign_id.to_lowercase(),
                        parts.canonical
                    );
                    prop_assert_eq!(q.path(), expected_path);
                    let warned: Vec<(String, Code)> = v
                        .warnings()
                        .iter()
                        .map(|e| (e.field.clone(), e.code))
                        .collect();
                    let expected_warnings: Vec<(String, Code)> = parts
                        .unknown
                        .iter()
                        .map(|n| (n.clone(), Code::UnknownParameter))
                        .collect();
                    prop_assert_eq!(warned, expected_warnings);
                    valid.set(valid.get() + 1);
                } else {
                    prop_assert!(v.query().is_none());
                }
                Ok(())
            },
        )
        .unwrap();
    // A fault is injected in about 6 of 12 cases: about half must be valid queries.
    let share = f64::from(valid.get()) / f64::from(total.get());
    assert!(total.get() >= CASES, "ran {} cases", total.get());
    assert!(
        (0.4..=0.6).contains(&share),
        "{} of {} cases were valid",
        valid.get(),
        total.get()
    );
}
