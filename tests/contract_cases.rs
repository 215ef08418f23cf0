//! The shared case table (`tests/js/cases.json`) against the Rust core. The Node tests
//! and the headless-browser tests run the same table against the JS package, so the
//! three agree by construction of the tests, not by hope.
#![cfg(not(target_arch = "wasm32"))]

use campaign_analytics::contract::{validate_request, FieldError};

mod shared_cases;

#[test]
fn shared_cases_hold_for_the_rust_core() {
    for case in shared_cases::cases() {
        let v = validate_request(&case.campaign_id, &case.query);
        let pairs = |list: &[FieldError]| -> Vec<(String, String)> {
            list.iter()
                .map(|e| (e.field.clone(), e.code.as_str().to_owned()))
                .collect()
        };
        assert_eq!(pairs(v.errors()), case.errors, "{}: errors", case.name);
        assert_eq!(
            pairs(v.warnings()),
            case.warnings,
            "{}: warnings",
            case.name
        );
        assert_eq!(
            v.is_valid(),
            case.errors.is_empty(),
            "{}: validity",
            case.name
        );
        if let Some(path) = case.path {
            assert_eq!(
                v.query().map(|q| q.path()),
                Some(path),
                "{}: path",
                case.name
            );
        }
    }
}
