//! The JS validator's exported functions, called in headless Chromium
//! (`cargo test --target wasm32-unknown-unknown --no-default-features --features js`):
//! the shared case table, the JS value conversions, and the no-throw promise.
#![cfg(all(target_arch = "wasm32", feature = "js"))]

use campaign_analytics::js::{
    validate_analytics_query, validate_analytics_request, validate_secret_key,
};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

mod shared_cases;

wasm_bindgen_test_configure!(run_in_browser);

const ID: &str = "123e4567-e89b-12d3-a456-426614174000";

/// A JS result as JSON, after checking the shape every function promises.
fn read(result: JsValue) -> Value {
    let json: Value = serde_wasm_bindgen::from_value(result).expect("a plain object");
    let valid = json["valid"].as_bool().expect("valid is a boolean");
    let fields = json["fields"].as_array().expect("fields is an array");
    assert_eq!(valid, fields.is_empty());
    if json.get("query").is_some() {
        assert_eq!(
            json["query"].is_null(),
            !valid,
            "query present exactly when valid"
        );
    }
    json
}

fn pairs(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn object(value: Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap()
}

#[wasm_bindgen_test]
fn shared_cases_hold_in_the_browser() {
    for case in shared_cases::cases() {
        let r = read(validate_analytics_request(
            case.campaign_id.as_str().into(),
            case.query.as_str().into(),
        ));
        assert_eq!(pairs(&r["fields"]), case.errors, "{}", case.name);
        assert_eq!(pairs(&r["warnings"]), case.warnings, "{}", case.name);
        if let Some(path) = case.path {
            assert_eq!(r["query"]["path"], path, "{}", case.name);
        }
    }
}

#[wasm_bindgen_test]
fn object_input_with_js_types() {
    let r = read(validate_analytics_query(object(json!({
        "campaign_id": ID.to_uppercase(), "time_frame": "per_month",
        "page": 3, "limit": 25.0, "is_purchase": false, "start_date": null,
    }))));
    assert_eq!(
        r["query"],
        json!({"campaign_id": ID, "time_frame": "per_month", "is_purchase": "false",
               "page": 3, "limit": 25,
               "path": format!("/api/partner/v1/campaigns/{ID}/analytics?time_frame=per_month&is_purchase=false&page=3&limit=25")})
    );
    let r = read(validate_analytics_query(object(json!({
        "campaign_id": ID, "time_frame": "per_day", "page": 1.5, "limit": 0,
    }))));
    assert_eq!(
        pairs(&r["fields"]),
        [
            ("page".into(), "invalid_integer".into()),
            ("limit".into(), "out_of_range".into())
        ]
    );
}

#[wasm_bindgen_test]
fn never_throws() {
    let proxy = js_sys::eval("new Proxy({}, { get() { throw new Error('trap'); } })").unwrap();
    let huge = JsValue::from_str(&"9".repeat(1 << 20));
    let odd = [
        JsValue::UNDEFINED,
        JsValue::NULL,
        JsValue::from_f64(f64::NAN),
        JsValue::from_bool(true),
        js_sys::Array::new().into(),
        js_sys::Object::new().into(),
        js_sys::Symbol::for_("s").into(),
        proxy,
        huge,
    ];
    for a in &odd {
        let r = read(validate_analytics_query(a.clone()));
        assert_eq!(r["valid"], false);
        for b in &odd {
            read(validate_analytics_request(a.clone(), b.clone()));
        }
        let k = read(validate_secret_key(a.clone()));
        assert_eq!(pairs(&k["fields"]), [("key".into(), "invalid_key".into())]);
    }
    let r = read(validate_analytics_query(JsValue::from_f64(5.0)));
    assert_eq!(pairs(&r["fields"]), [("".into(), "invalid_input".into())]);
}

#[wasm_bindgen_test]
fn secret_keys() {
    let k = read(validate_secret_key(
        "sk_live_0123456789abcdefghijKLMNOPQRSTUV".into(),
    ));
    assert_eq!(k, json!({"valid": true, "mode": "live", "fields": []}));
    let k = read(validate_secret_key(
        "sk_live_0123456789abcdefghijKLMNOPQRSTU".into(),
    ));
    assert_eq!(k["mode"], Value::Null);
}
