//! Every rule of contract §1–§2, table-driven: each case names its input and the exact
//! `(field, code)` list it must produce, so breaking any rule fails a named case.
#![cfg(not(target_arch = "wasm32"))]

use campaign_analytics::contract::{
    check_secret_key, validate_query, validate_request, Code, FieldError, KeyMode, PurchaseFilter,
    QueryInput, TimeFrame, Validation,
};
use serde_json::json;

const ID: &str = "123e4567-e89b-12d3-a456-426614174000";

fn codes(v: &Validation) -> Vec<(String, Code)> {
    v.errors()
        .iter()
        .map(|e| (e.field.clone(), e.code))
        .collect()
}

fn warnings(v: &Validation) -> Vec<(String, Code)> {
    v.warnings()
        .iter()
        .map(|e| (e.field.clone(), e.code))
        .collect()
}

fn expect(list: &[(&str, Code)]) -> Vec<(String, Code)> {
    list.iter().map(|(f, c)| (f.to_string(), *c)).collect()
}

/// `(query string, expected errors)` with the campaign id fixed to a valid one.
fn check_request_table(cases: &[(&str, &[(&str, Code)])]) {
    for (query, expected) in cases {
        let v = validate_request(ID, query);
        assert_eq!(codes(&v), expect(expected), "query {query:?}");
        assert_eq!(v.is_valid(), expected.is_empty(), "validity of {query:?}");
        assert_eq!(
            v.query().is_some(),
            v.is_valid(),
            "query presence for {query:?}"
        );
    }
}

#[test]
fn campaign_id_rules() {
    let ok = [
        "123e4567-e89b-12d3-a456-426614174000",
        "123E4567-E89B-12D3-A456-426614174000",
        "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8", // v1
    ];
    for id in ok {
        let v = validate_request(id, "time_frame=per_day");
        assert!(v.is_valid(), "{id} rejected: {:?}", v.errors());
        assert_eq!(
            v.query().unwrap().campaign_id().to_string(),
            id.to_lowercase()
        );
    }
    let bad: &[(&str, Code)] = &[
        ("", Code::Required),
        ("{123e4567-e89b-12d3-a456-426614174000}", Code::InvalidUuid),
        (
            "urn:uuid:123e4567-e89b-12d3-a456-426614174000",
            Code::InvalidUuid,
        ),
        ("123e4567e89b12d3a456426614174000", Code::InvalidUuid),
        (" 123e4567-e89b-12d3-a456-426614174000", Code::InvalidUuid),
        ("123e4567-e89b-12d3-a456-426614174000 ", Code::InvalidUuid),
        ("123e4567-e89b-12d3-a456-42661417400z", Code::InvalidUuid),
        ("not-a-uuid", Code::InvalidUuid),
        (" ", Code::InvalidUuid),
    ];
    for (id, code) in bad {
        let v = validate_request(id, "time_frame=per_day");
        assert_eq!(
            codes(&v),
            expect(&[("campaign_id", *code)]),
            "campaign id {id:?}"
        );
    }
    // Missing (not just empty) through the field API.
    let v = validate_query(&QueryInput {
        time_frame: Some("per_day"),
        ..QueryInput::default()
    });
    assert_eq!(codes(&v), expect(&[("campaign_id", Code::Required)]));
}

#[test]
fn time_frame_rules() {
    for frame in ["per_hour", "per_day", "per_month"] {
        let v = validate_request(ID, &format!("time_frame={frame}"));
        assert!(v.is_valid(), "{frame}");
        assert_eq!(v.query().unwrap().time_frame().as_str(), frame);
    }
    check_request_table(&[
        ("", &[("time_frame", Code::Required)]),
        ("time_frame=", &[("time_frame", Code::Required)]),
        ("time_frame=PER_DAY", &[("time_frame", Code::InvalidEnum)]),
        ("time_frame=Per_Day", &[("time_frame", Code::InvalidEnum)]),
        ("time_frame=per_week", &[("time_frame", Code::InvalidEnum)]),
        (
            "time_frame=per_day%20",
            &[("time_frame", Code::InvalidEnum)],
        ),
        ("time_frame=+per_day", &[("time_frame", Code::InvalidEnum)]),
        ("time_frame=custom", &[("time_frame", Code::InvalidEnum)]),
    ]);
}

#[test]
fn custom_range_date_rules() {
    let cr = |rest: &str| format!("time_frame=custom_range{rest}");
    let cases: Vec<(String, Vec<(&str, Code)>)> = vec![
        (
            cr(""),
            vec![("start_date", Code::Required), ("end_date", Code::Required)],
        ),
        (
            cr("&start_date=&end_date="),
            vec![("start_date", Code::Required), ("end_date", Code::Required)],
        ),
        (
            cr("&start_date=2024-01-01"),
            vec![("end_date", Code::Required)],
        ),
        (
            cr("&end_date=2024-01-02"),
            vec![("start_date", Code::Required)],
        ),
        (
            cr("&start_date=2024-1-01&end_date=2024-01-02"),
            vec![("start_date", Code::InvalidDate)],
        ),
        (
            cr("&start_date=2024/01/01&end_date=2024-01-02"),
            vec![("start_date", Code::InvalidDate)],
        ),
        (
            cr("&start_date=20240101&end_date=2024-01-02"),
            vec![("start_date", Code::InvalidDate)],
        ),
        (
            cr("&start_date=2024-01-01T00:00:00Z&end_date=2024-01-02"),
            vec![("start_date", Code::InvalidDate)],
        ),
        (
            cr("&start_date=2025-02-29&end_date=2025-03-02"),
            vec![("start_date", Code::InvalidDate)],
        ),
        (
            cr("&start_date=2024-02-30&end_date=2024-03-02"),
            vec![("start_date", Code::InvalidDate)],
        ),
        (
            cr("&start_date=2024-04-31&end_date=2024-05-02"),
            vec![("start_date", Code::InvalidDate)],
        ),
        (
            cr("&start_date=2024-13-01&end_date=2024-12-02"),
            vec![("start_date", Code::InvalidDate)],
        ),
        (
            cr("&start_date=2024-01-01&end_date=2024-01-32"),
            vec![("end_date", Code::InvalidDate)],
        ),
        (
            cr("&start_date=2024-01-01&end_date=+2024-01-05"),
            vec![("end_date", Code::InvalidDate)],
        ),
        (
            cr("&start_date=x&end_date=y"),
            vec![
                ("start_date", Code::InvalidDate),
                ("end_date", Code::InvalidDate),
            ],
        ),
        // Order: end must be strictly after start.
        (
            cr("&start_date=2024-01-02&end_date=2024-01-02"),
            vec![("end_date", Code::DateOrder)],
        ),
        (
            cr("&start_date=2024-01-03&end_date=2024-01-02"),
            vec![("end_date", Code::DateOrder)],
        ),
        (cr("&start_date=2024-01-01&end_date=2024-01-02"), vec![]),
        // Leap days are real dates in leap years only.
        (cr("&start_date=2024-02-28&end_date=2024-02-29"), vec![]),
        (
            cr("&start_date=2025-02-28&end_date=2025-02-29"),
            vec![("end_date", Code::InvalidDate)],
        ),
        (cr("&start_date=2000-02-29&end_date=2000-03-01"), vec![]),
        (
            cr("&start_date=1900-02-29&end_date=1900-03-01"),
            vec![("start_date", Code::InvalidDate)],
        ),
        // 365 days apart is the maximum; 366 is too large (leap year 2024 has 366 days).
        (cr("&start_date=2024-01-01&end_date=2024-12-31"), vec![]),
        (
            cr("&start_date=2024-01-01&end_date=2025-01-01"),
            vec![("end_date", Code::RangeTooLarge)],
        ),
        (cr("&start_date=2025-01-01&end_date=2026-01-01"), vec![]),
        (
            cr("&start_date=2025-01-01&end_date=2026-01-02"),
            vec![("end_date", Code::RangeTooLarge)],
        ),
        (
            cr("&start_date=2000-01-01&end_date=2030-01-01"),
            vec![("end_date", Code::RangeTooLarge)],
        ),
        // An invalid start leaves the end's order unchecked.
        (
            cr("&start_date=2024-02-30&end_date=2023-01-01"),
            vec![("start_date", Code::InvalidDate)],
        ),
    ];
    for (query, expected) in &cases {
        let v = validate_request(ID, query);
        assert_eq!(codes(&v), expect(expected), "query {query:?}");
        assert!(v.warnings().is_empty(), "no warnings for {query:?}");
    }
    let v = validate_request(ID, &cr("&start_date=2024-02-28&end_date=2024-02-29"));
    let json = serde_json::to_value(v.query().unwrap()).unwrap();
    assert_eq!(json["start_date"], "2024-02-28");
    assert_eq!(json["end_date"], "2024-02-29");
}

#[test]
fn dates_are_ignored_with_other_time_frames() {
    // Not validated (even when malformed), only warned about.
    let v = validate_request(
        ID,
        "time_frame=per_day&start_date=garbage&end_date=2024-01-01",
    );
    assert!(v.is_valid());
    assert_eq!(
        warnings(&v),
        expect(&[
            ("start_date", Code::IgnoredParameter),
            ("end_date", Code::IgnoredParameter)
        ])
    );
    let json = serde_json::to_value(v.query().unwrap()).unwrap();
    assert!(
        json.get("start_date").is_none(),
        "dates dropped from the normalized query"
    );
    assert!(!v.query().unwrap().path().contains("start_date"));
    // Empty means absent: no warning.
    let v = validate_request(ID, "time_frame=per_hour&start_date=&end_date=");
    assert!(v.is_valid());
    assert!(v.warnings().is_empty());
    // Beside a wrong or missing time frame the dates are not custom_range dates either:
    // unchecked, and warned about.
    let v = validate_request(ID, "time_frame=weekly&start_date=garbage");
    assert_eq!(codes(&v), expect(&[("time_frame", Code::InvalidEnum)]));
    assert_eq!(
        warnings(&v),
        expect(&[("start_date", Code::IgnoredParameter)])
    );
    let v = validate_request(ID, "end_date=2024-13-45");
    assert_eq!(codes(&v), expect(&[("time_frame", Code::Required)]));
    assert_eq!(
        warnings(&v),
        expect(&[("end_date", Code::IgnoredParameter)])
    );
}

#[test]
fn is_purchase_rules() {
    for (text, filter) in [
        ("true", PurchaseFilter::Purchases),
        ("false", PurchaseFilter::NonPurchases),
        ("all", PurchaseFilter::All),
        ("", PurchaseFilter::All),
    ] {
        let v = validate_request(ID, &format!("time_frame=per_day&is_purchase={text}"));
        assert_eq!(v.query().unwrap().purchase(), filter, "{text:?}");
    }
    let v = validate_request(ID, "time_frame=per_day");
    assert_eq!(
        v.query().unwrap().purchase(),
        PurchaseFilter::All,
        "default"
    );
    for bad in ["TRUE", "True", "1", "0", "yes", "none", "true%20"] {
        check_request_table(&[(
            &format!("time_frame=per_day&is_purchase={bad}"),
            &[("is_purchase", Code::InvalidEnum)],
        )]);
    }
}

#[test]
fn page_rules() {
    for (text, page) in [
        ("1", 1),
        ("2", 2),
        ("007", 7),
        ("2147483647", 2_147_483_647),
        ("", 1),
    ] {
        let v = validate_request(ID, &format!("time_frame=per_day&page={text}"));
        assert_eq!(v.query().map(|q| q.page()), Some(page), "{text:?}");
    }
    let bad: &[(&str, Code)] = &[
        ("0", Code::OutOfRange),
        ("000", Code::OutOfRange),
        ("2147483648", Code::OutOfRange),
        ("4294967296", Code::OutOfRange),
        ("99999999999999999999999999", Code::OutOfRange),
        ("%2B1", Code::InvalidInteger), // "+1", percent-encoded
        ("+1", Code::InvalidInteger),   // "+" decodes to a space: " 1"
        ("-1", Code::InvalidInteger),
        ("1.0", Code::InvalidInteger),
        ("1e2", Code::InvalidInteger),
        ("%201", Code::InvalidInteger),
        ("1%20", Code::InvalidInteger),
        ("one", Code::InvalidInteger),
        ("0x1", Code::InvalidInteger),
    ];
    for (text, code) in bad {
        check_request_table(&[(
            &format!("time_frame=per_day&page={text}"),
            &[("page", *code)],
        )]);
    }
}

#[test]
fn limit_rules() {
    for (text, limit) in [("1", 1), ("100", 100), ("050", 50), ("", 50)] {
        let v = validate_request(ID, &format!("time_frame=per_day&limit={text}"));
        assert_eq!(v.query().map(|q| q.limit()), Some(limit), "{text:?}");
    }
    let v = validate_request(ID, "time_frame=per_day");
    assert_eq!(v.query().unwrap().limit(), 50, "default");
    let bad: &[(&str, Code)] = &[
        ("0", Code::OutOfRange),
        ("101", Code::OutOfRange),
        ("1000", Code::OutOfRange),
        ("18446744073709551616", Code::OutOfRange),
        ("-5", Code::InvalidInteger),
        ("%2B5", Code::InvalidInteger),
        ("5.5", Code::InvalidInteger),
        ("1e2", Code::InvalidInteger),
        ("ten", Code::InvalidInteger),
    ];
    for (text, code) in bad {
        check_request_table(&[(
            &format!("time_frame=per_day&limit={text}"),
            &[("limit", *code)],
        )]);
    }
}

#[test]
fn errors_come_one_per_field_in_contract_order() {
    let v = validate_request(
        "nope",
        "limit=0&page=-1&is_purchase=maybe&end_date=2024-01-01&start_date=2024-01-05&time_frame=custom_range",
    );
    assert_eq!(
        codes(&v),
        expect(&[
            ("campaign_id", Code::InvalidUuid),
            ("end_date", Code::DateOrder),
            ("is_purchase", Code::InvalidEnum),
            ("page", Code::InvalidInteger),
            ("limit", Code::OutOfRange),
        ])
    );
    let v = validate_query(&QueryInput::default());
    assert_eq!(
        codes(&v),
        expect(&[
            ("campaign_id", Code::Required),
            ("time_frame", Code::Required)
        ])
    );
}

#[test]
fn duplicates_and_unknown_parameters() {
    check_request_table(&[
        ("time_frame=per_day&time_frame=per_day", &[("time_frame", Code::DuplicateParameter)]),
        ("time_frame=per_day&limit=5&limit=6", &[("limit", Code::DuplicateParameter)]),
        ("time_frame=per_day&limit=&limit=", &[("limit", Code::DuplicateParameter)]),
        ("time_frame=per_day&page=1&page=1", &[("page", Code::DuplicateParameter)]),
        ("time_frame=per_day&is_purchase=true&is_purchase=false", &[("is_purchase", Code::DuplicateParameter)]),
        (
            "time_frame=custom_range&start_date=2024-01-01&start_date=2024-01-01&end_date=2024-02-01",
            &[("start_date", Code::DuplicateParameter)],
        ),
        // A duplicated value is ambiguous: it is not checked further, whichever copy is bad.
        ("time_frame=per_day&limit=500&limit=5", &[("limit", Code::DuplicateParameter)]),
        // Any parameter: unknown ones too, reported after the known fields.
        ("utm=a&time_frame=per_day&utm=b&page=0", &[("page", Code::OutOfRange), ("utm", Code::DuplicateParameter)]),
        // campaign_id belongs to the path; repeated in the query string it is a duplicate
        // of that field, reported in its place.
        ("time_frame=per_day&campaign_id=a&campaign_id=b", &[("campaign_id", Code::DuplicateParameter)]),
        // Percent-encoded names are the same parameter.
        ("time_frame=per_day&%6Cimit=5&limit=6", &[("limit", Code::DuplicateParameter)]),
    ]);
    let v = validate_request(
        ID,
        "?time_frame=per_day&utm_source=mail&Limit=5&campaign_id=x&=v",
    );
    assert!(v.is_valid());
    assert_eq!(
        warnings(&v),
        expect(&[
            ("utm_source", Code::UnknownParameter),
            ("Limit", Code::UnknownParameter),
            ("campaign_id", Code::UnknownParameter),
            ("", Code::UnknownParameter),
        ])
    );
    assert!(v.warnings().iter().all(|w| !w.message.is_empty()));
}

/// 100,000 distinct parameter names (contract §2: linear cost) are grouped exactly as a
/// hand-made count says: each name given once is a warning, in order of first appearance;
/// each name given twice (written percent-encoded the second time) is one
/// `duplicate_parameter` error after the known fields' errors, in order of first
/// appearance. How fast this runs is the benchmark's business; this checks the results.
#[test]
fn many_distinct_parameters_are_grouped_correctly() {
    const NAMES: usize = 100_000;
    let name = |i: usize| format!("p{i}");
    let mut query = String::from("time_frame=per_day&limit=0");
    for i in 0..NAMES {
        query.push_str(&format!("&{}=v", name(i)));
    }
    // Every 997th name once more, in reverse order and percent-encoded ("p" is %70).
    let repeated: Vec<usize> = (0..NAMES).step_by(997).collect();
    for &i in repeated.iter().rev() {
        query.push_str(&format!("&%70{}=w", &name(i)[1..]));
    }

    let v = validate_request(ID, &query);

    let mut expected_errors = vec![("limit".to_owned(), Code::OutOfRange)];
    expected_errors.extend(
        repeated
            .iter()
            .map(|&i| (name(i), Code::DuplicateParameter)),
    );
    let expected_warnings: Vec<(String, Code)> = (0..NAMES)
        .filter(|i| i % 997 != 0)
        .map(|i| (name(i), Code::UnknownParameter))
        .collect();
    assert_eq!(codes(&v), expected_errors);
    assert_eq!(warnings(&v).len(), NAMES - repeated.len());
    assert_eq!(warnings(&v), expected_warnings);
    assert_eq!(
        v.warnings()[0].message,
        "\"p1\" is not a parameter of this endpoint and is ignored \
         (known: time_frame, start_date, end_date, is_purchase, page, limit)"
    );
    assert_eq!(v.errors()[1].message, "\"p0\" must be given only once");
}

#[test]
fn query_strings_decode_as_browsers_do() {
    // `+` is a space, percent escapes decode, a leading `?` is optional.
    let v = validate_request(ID, "?time_frame=per%5Fday&is_purchase=%74rue&limit=%31%30");
    let q = v.query().expect("valid");
    assert_eq!(
        (q.time_frame(), q.purchase(), q.limit()),
        (TimeFrame::PerDay, PurchaseFilter::Purchases, 10)
    );
    let v = validate_request(
        ID,
        "time_frame=custom_range&start_date=2024%2D01%2D01&end_date=2024-01-31",
    );
    assert!(v.is_valid());
    let v = validate_request(ID, "time_frame=per+day");
    assert_eq!(codes(&v), expect(&[("time_frame", Code::InvalidEnum)]));
    let v = validate_request(ID, "time_frame=per_day&&&limit=5&");
    assert_eq!(v.query().unwrap().limit(), 5);
    // Invalid percent escapes and UTF-8 do not panic; they are just wrong values.
    let v = validate_request(ID, "time_frame=per_day%ZZ&limit=%FF");
    assert_eq!(
        codes(&v),
        expect(&[
            ("time_frame", Code::InvalidEnum),
            ("limit", Code::InvalidInteger)
        ])
    );
}

#[test]
fn canonical_path_orders_parameters_and_omits_defaults() {
    let cases = [
        ("time_frame=per_day", "time_frame=per_day"),
        (
            "limit=50&page=1&is_purchase=all&time_frame=per_hour",
            "time_frame=per_hour",
        ),
        (
            "limit=007&page=0003&is_purchase=false&time_frame=per_month",
            "time_frame=per_month&is_purchase=false&page=3&limit=7",
        ),
        (
            "end_date=2024-03-01&is_purchase=true&start_date=2024-02-01&time_frame=custom_range",
            "time_frame=custom_range&start_date=2024-02-01&end_date=2024-03-01&is_purchase=true",
        ),
    ];
    for (input, canonical) in cases {
        let v = validate_request("123E4567-E89B-12D3-A456-426614174000", input);
        let q = v.query().expect(input);
        assert_eq!(
            q.path(),
            format!("/api/partner/v1/campaigns/{ID}/analytics?{canonical}")
        );
    }
}

#[test]
fn messages_name_the_field_and_what_is_allowed_without_echoing_values() {
    let secret = "sk_live_0123456789abcdefghijklmnopqrstuv";
    let v = validate_request(
        secret,
        &format!("time_frame={secret}&limit={secret}&page=0"),
    );
    for e in v.errors() {
        assert!(e.message.contains(&e.field), "{e:?} names its field");
        assert!(!e.message.contains(secret), "{e:?} echoes the value");
    }
    let limit = v.errors().iter().find(|e| e.field == "limit").unwrap();
    assert_eq!(limit.message, "limit must be an integer from 1 to 100");
    // A key pasted as a parameter name is redacted in the field and the message alike.
    let v = validate_request(
        ID,
        &format!("time_frame=per_day&{secret}=1&x{secret}=1&x{secret}=2"),
    );
    let listed: Vec<_> = v.errors().iter().chain(v.warnings()).collect();
    assert_eq!(listed.len(), 2);
    for e in listed {
        assert!(
            !e.field.contains("0123456789abcdef") && !e.message.contains("0123456789abcdef"),
            "{e:?}"
        );
    }
    assert_eq!(v.warnings()[0].field, "sk_live_[redacted]");
    assert_eq!(v.errors()[0].field, "xsk_live_[redacted]");
    // A key right after a bare prefix is caught too, not swallowed by the first match.
    let chained = validate_request(ID, &format!("time_frame=per_day&sk_test_{secret}=1"));
    assert_eq!(
        chained.warnings()[0].field,
        "sk_test_[redacted]_live_[redacted]"
    );
    let long_name = "x".repeat(10_000);
    let v = validate_request(ID, &format!("time_frame=per_day&{long_name}=1"));
    assert!(
        v.warnings()[0].message.len() < 300,
        "long names are shortened in messages"
    );
    assert_eq!(v.warnings()[0].field, long_name);
}

/// Every message a request can produce, written out by hand: the contract's human
/// messages are part of the result (the dashboard shows them, JS apps display them).
#[test]
fn every_message_is_as_written() {
    const UUID_RULE: &str =
        "a UUID such as 123e4567-e89b-12d3-a456-426614174000 (8-4-4-4-12 hex digits)";
    const FRAMES: &str = "one of per_hour, per_day, per_month, custom_range";
    const DATE: &str = "a calendar date written YYYY-MM-DD";
    let cr = "time_frame=custom_range&start_date=2024-01-01&end_date=2024-02-01";
    let long_name = "é".repeat(41);
    #[rustfmt::skip]
    let table: Vec<(&str, String, &str, Code, String)> = vec![
        ("", "time_frame=per_day".into(), "campaign_id", Code::Required, format!("campaign_id is required: {UUID_RULE}")),
        ("x", "time_frame=per_day".into(), "campaign_id", Code::InvalidUuid, format!("campaign_id must be {UUID_RULE}")),
        (ID, "time_frame=per_day&campaign_id=a&campaign_id=b".into(), "campaign_id", Code::DuplicateParameter, "campaign_id must be given only once".into()),
        (ID, "".into(), "time_frame", Code::Required, format!("time_frame is required: {FRAMES}")),
        (ID, "time_frame=weekly".into(), "time_frame", Code::InvalidEnum, format!("time_frame must be {FRAMES}")),
        (ID, "time_frame=per_day&time_frame=per_day".into(), "time_frame", Code::DuplicateParameter, "time_frame must be given only once".into()),
        (ID, "time_frame=custom_range&end_date=2024-02-01".into(), "start_date", Code::Required, format!("start_date is required when time_frame is custom_range: {DATE}")),
        (ID, "time_frame=custom_range&start_date=2024-01-01".into(), "end_date", Code::Required, format!("end_date is required when time_frame is custom_range: {DATE}")),
        (ID, "time_frame=custom_range&start_date=2024-02-30&end_date=2024-03-01".into(), "start_date", Code::InvalidDate, format!("start_date must be {DATE}")),
        (ID, "time_frame=custom_range&start_date=2024-01-01&end_date=1/2/2024".into(), "end_date", Code::InvalidDate, format!("end_date must be {DATE}")),
        (ID, "time_frame=custom_range&start_date=2024-01-02&end_date=2024-01-02".into(), "end_date", Code::DateOrder, "end_date must be after start_date".into()),
        (ID, "time_frame=custom_range&start_date=2024-01-01&end_date=2025-01-01".into(), "end_date", Code::RangeTooLarge, "end_date must be at most 365 days after start_date".into()),
        (ID, format!("{cr}&start_date=2024-01-01"), "start_date", Code::DuplicateParameter, "start_date must be given only once".into()),
        (ID, format!("{cr}&end_date=2024-02-01"), "end_date", Code::DuplicateParameter, "end_date must be given only once".into()),
        (ID, "time_frame=per_day&start_date=2024-01-01".into(), "start_date", Code::IgnoredParameter, "start_date is ignored unless time_frame is custom_range".into()),
        (ID, "time_frame=per_day&end_date=x".into(), "end_date", Code::IgnoredParameter, "end_date is ignored unless time_frame is custom_range".into()),
        (ID, "time_frame=per_day&is_purchase=yes".into(), "is_purchase", Code::InvalidEnum, "is_purchase must be one of true, false, all".into()),
        (ID, "time_frame=per_day&is_purchase=all&is_purchase=all".into(), "is_purchase", Code::DuplicateParameter, "is_purchase must be given only once".into()),
        (ID, "time_frame=per_day&page=x".into(), "page", Code::InvalidInteger, "page must be an integer from 1 to 2147483647".into()),
        (ID, "time_frame=per_day&page=0".into(), "page", Code::OutOfRange, "page must be an integer from 1 to 2147483647".into()),
        (ID, "time_frame=per_day&page=1&page=2".into(), "page", Code::DuplicateParameter, "page must be given only once".into()),
        (ID, "time_frame=per_day&limit=1.0".into(), "limit", Code::InvalidInteger, "limit must be an integer from 1 to 100".into()),
        (ID, "time_frame=per_day&limit=101".into(), "limit", Code::OutOfRange, "limit must be an integer from 1 to 100".into()),
        (ID, "time_frame=per_day&limit=1&limit=1".into(), "limit", Code::DuplicateParameter, "limit must be given only once".into()),
        (ID, "time_frame=per_day&utm=1&utm=2".into(), "utm", Code::DuplicateParameter, "\"utm\" must be given only once".into()),
        (ID, "time_frame=per_day&=1&=2".into(), "", Code::DuplicateParameter, "a parameter with an empty name must be given only once".into()),
        (ID, format!("time_frame=per_day&{long_name}=1"), &long_name, Code::UnknownParameter,
            format!("\"{}…\" is not a parameter of this endpoint and is ignored (known: time_frame, start_date, end_date, is_purchase, page, limit)", "é".repeat(40))),
    ];
    for (id, query, field, code, message) in &table {
        let v = validate_request(id, query);
        let found = v
            .errors()
            .iter()
            .chain(v.warnings())
            .find(|e| e.field == *field && e.code == *code)
            .unwrap_or_else(|| panic!("{query:?}: no {code} on {field:?} in {v:?}"));
        assert_eq!(&found.message, message, "{query:?}");
    }
    assert_eq!(
        FieldError::invalid_input().message,
        "the query must be an object with fields such as campaign_id and time_frame"
    );
}

#[test]
fn validation_serializes_to_the_js_result_shape() {
    let v = validate_request(ID, "time_frame=per_day&page=2&foo=1");
    assert_eq!(
        serde_json::to_value(&v).unwrap(),
        json!({
            "valid": true,
            "fields": [],
            "warnings": [{"field": "foo", "code": "unknown_parameter",
                          "message": "\"foo\" is not a parameter of this endpoint and is \
                                      ignored (known: time_frame, start_date, end_date, \
                                      is_purchase, page, limit)"}],
            "query": {
                "campaign_id": ID, "time_frame": "per_day", "is_purchase": "all",
                "page": 2, "limit": 50,
                "path": format!("/api/partner/v1/campaigns/{ID}/analytics?time_frame=per_day&page=2"),
            }
        })
    );
    let v = validate_request(ID, "limit=0");
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["valid"], false);
    assert_eq!(json["query"], serde_json::Value::Null);
    assert_eq!(
        json["fields"],
        json!([
            {"field": "time_frame", "code": "required",
             "message": "time_frame is required: one of per_hour, per_day, per_month, custom_range"},
            {"field": "limit", "code": "out_of_range",
             "message": "limit must be an integer from 1 to 100"},
        ])
    );
}

#[test]
fn field_query_matches_request_query() {
    let by_fields = validate_query(&QueryInput {
        campaign_id: Some(ID),
        time_frame: Some("custom_range"),
        start_date: Some("2024-01-01"),
        end_date: Some("2024-02-01"),
        is_purchase: Some("false"),
        page: Some("3"),
        limit: Some("25"),
    });
    let by_url = validate_request(
        ID,
        "time_frame=custom_range&start_date=2024-01-01&end_date=2024-02-01&is_purchase=false&page=3&limit=25",
    );
    assert_eq!(by_fields, by_url);
}

#[test]
fn secret_keys() {
    let body = "0123456789abcdefghijKLMNOPQRSTUV";
    assert_eq!(body.len(), 32);
    assert_eq!(
        check_secret_key(&format!("sk_live_{body}")).0,
        Ok(KeyMode::Live)
    );
    assert_eq!(
        check_secret_key(&format!("sk_test_{body}")).0,
        Ok(KeyMode::Test)
    );
    let bad = [
        String::new(),
        format!("sk_prod_{body}"),
        format!("SK_LIVE_{body}"),
        format!("sk_live_{}", &body[..31]),
        format!("sk_live_{body}0"),
        format!("sk_live_{}-", &body[..31]),
        format!("sk_live_{}_", &body[..31]),
        format!(" sk_live_{body}"),
        format!("sk_live_{body} "),
        format!("Bearer sk_live_{body}"),
        format!("sk_live_{}é", &body[..30]),
        "sk_live_".to_owned(),
    ];
    for key in &bad {
        let check = check_secret_key(key);
        let json = serde_json::to_value(&check).unwrap();
        assert_eq!(json["valid"], false, "{key:?}");
        assert_eq!(json["mode"], serde_json::Value::Null);
        assert_eq!(json["fields"][0]["field"], "key");
        assert_eq!(json["fields"][0]["code"], "invalid_key");
        assert!(!json["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains(body));
    }
    let json = serde_json::to_value(check_secret_key(&format!("sk_test_{body}"))).unwrap();
    assert_eq!(json, json!({"valid": true, "mode": "test", "fields": []}));
}
