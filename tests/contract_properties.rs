//! Properties of the contract over generated input: no input panics, a valid query's
//! canonical path validates back to the same query, and the two entry points agree.
#![cfg(not(target_arch = "wasm32"))]

use campaign_analytics::contract::{
    check_secret_key, validate_query, validate_request, Field, QueryInput,
};
use proptest::prelude::*;

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
