//! The server's 400 lists exactly what the shared validator predicts, over many
//! generated requests (valid ones never get a 400).

mod common;

use campaign_analytics::contract::validate_request;
use common::*;
use proptest::prelude::*;
use serde_json::Value;
use std::sync::OnceLock;

/// One server and runtime for all cases.
fn harness() -> &'static (tokio::runtime::Runtime, TestServer) {
    static HARNESS: OnceLock<(tokio::runtime::Runtime, TestServer)> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        let mut settings = config("2024-03-01T00:30:00Z");
        settings.rate_limit = 0;
        settings.custom_range_rate_limit = 0;
        let data = fixture(vec![instance(1, SPRING, "2024-02-29T10:00:00Z", 100)]);
        let server = runtime.block_on(start(&data, settings));
        (runtime, server)
    })
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn fields_of_a_400_are_what_the_validator_predicts(segment in segment(), query in query()) {
        let (runtime, server) = harness();
        let path = format!("/api/partner/v1/campaigns/{segment}/analytics?{query}");
        let reply = runtime.block_on(get(server, &path, Some(ACME_KEY)));
        let decoded = percent_encoding::percent_decode_str(&segment).decode_utf8_lossy().into_owned();
        let predicted = validate_request(&decoded, &query);
        if predicted.is_valid() {
            prop_assert!([200, 404, 422].contains(&reply.status), "{path}: {} {}", reply.status, reply.body);
        } else {
            prop_assert_eq!(reply.status, 400, "{}: {}", path, reply.body);
            let expected = serde_json::to_value(predicted.errors()).unwrap();
            prop_assert_eq!(&reply.body["fields"], &expected, "{}", path);
            let message = format!("Validation failed for {} fields", predicted.errors().len());
            prop_assert_eq!(&reply.body["message"], &Value::String(message));
        }
    }
}
