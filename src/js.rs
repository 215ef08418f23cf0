//! The JS-callable validator (contract §2): a thin wasm-bindgen boundary over
//! [`crate::contract`]. Every function takes any JS value and returns a plain object;
//! none throws. Bad input is a result, never an exception.
//!
//! ```js
//! import { validateAnalyticsRequest } from "campaign-analytics-validator";
//! const r = validateAnalyticsRequest("123e4567-e89b-12d3-a456-426614174000", "?time_frame=per_day&limit=500");
//! // r.valid === false; r.fields[0] is {field: "limit", code: "out_of_range", message: "..."}
//! ```

use crate::contract::{
    check_secret_key, validate_query, validate_request, Code, Field, FieldError, QueryInput,
    Validation,
};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Why a field was rejected (an error) or deserves a word (a warning). */
export type FieldErrorCode =
  | "required" | "invalid_uuid" | "invalid_enum" | "invalid_date" | "date_order"
  | "range_too_large" | "invalid_integer" | "out_of_range" | "duplicate_parameter"
  | "ignored_parameter" | "unknown_parameter" | "invalid_input" | "invalid_key";

/** One error or warning: the same shape as the `fields` of the API's 400 body. */
export interface FieldError {
  /** The parameter's name ("" for an input that is not an object, "key" for a secret key). */
  field: string;
  /** A human message naming the field and what is allowed. */
  message: string;
  code: FieldErrorCode;
}

export type TimeFrame = "per_hour" | "per_day" | "per_month" | "custom_range";

/** The fields of an analytics query. `null` and `undefined` mean absent, as does "". */
export interface AnalyticsQueryInput {
  campaign_id?: string | null;
  time_frame?: string | null;
  /** YYYY-MM-DD; checked only when time_frame is "custom_range". */
  start_date?: string | null;
  /** YYYY-MM-DD; checked only when time_frame is "custom_range". */
  end_date?: string | null;
  is_purchase?: "true" | "false" | "all" | boolean | string | null;
  page?: string | number | null;
  limit?: string | number | null;
}

/** A query that passed every rule, normalized, with defaults filled in. */
export interface NormalizedQuery {
  /** Lower-case hyphenated UUID. */
  campaign_id: string;
  time_frame: TimeFrame;
  /** Present exactly for "custom_range". */
  start_date?: string;
  /** Present exactly for "custom_range". */
  end_date?: string;
  is_purchase: "true" | "false" | "all";
  page: number;
  limit: number;
  /** The canonical request path with its query string, defaults omitted. */
  path: string;
}

/** The result of validating a query: `query` is present exactly when `valid`. */
export type ValidationResult =
  | { valid: true; fields: []; warnings: FieldError[]; query: NormalizedQuery }
  | { valid: false; fields: FieldError[]; warnings: FieldError[]; query: null };

/**
 * Validates a request as in a URL: the campaign id of the path and the raw query string
 * (a leading `?` optional; `+` and percent-escapes decoded as browsers do). Sees duplicated
 * and unknown parameters. Never throws. No query string (or `null`) means an empty one.
 */
export function validateAnalyticsRequest(campaignId: string, queryString?: string | null): ValidationResult;

/** The result of checking a secret key's shape. */
export type SecretKeyResult =
  | { valid: true; mode: "live" | "test"; fields: [] }
  | { valid: false; mode: null; fields: FieldError[] };
"#;

/// Validates a query given as an object of fields (contract §1). Never throws.
#[wasm_bindgen(js_name = validateAnalyticsQuery, unchecked_return_type = "ValidationResult")]
pub fn validate_analytics_query(
    #[wasm_bindgen(unchecked_param_type = "AnalyticsQueryInput")] input: JsValue,
) -> JsValue {
    let validation = read_fields(&input).map_or_else(
        || Validation::rejected(FieldError::invalid_input()),
        |values| {
            let mut query = QueryInput::default();
            for (field, value) in Field::ALL.into_iter().zip(&values) {
                query.set(field, value.as_deref());
            }
            validate_query(&query)
        },
    );
    to_js(&validation)
}

/// Validates a request as in a URL: the campaign id of the path and the raw query string
/// (a leading `?` optional). Sees duplicated and unknown parameters. Never throws.
// Declared in TYPES above: its query string is optional, which wasm-bindgen cannot say.
#[wasm_bindgen(js_name = validateAnalyticsRequest, skip_typescript)]
pub fn validate_analytics_request(
    #[wasm_bindgen(js_name = campaignId, unchecked_param_type = "string")] campaign_id: JsValue,
    #[wasm_bindgen(js_name = queryString)] query_string: JsValue,
) -> JsValue {
    let validation = match (field_text(&campaign_id), query_text(&query_string)) {
        (campaign_id, Some(query_string)) => {
            validate_request(campaign_id.as_deref().unwrap_or(""), &query_string)
        }
        (_, None) => Validation::rejected(FieldError {
            field: String::new(),
            message: "the query string must be a string such as \"?time_frame=per_day\"".into(),
            code: Code::InvalidInput,
        }),
    };
    to_js(&validation)
}

/// Checks a secret key's shape (`sk_live_`/`sk_test_` + 32 letters or digits). Never throws.
#[wasm_bindgen(js_name = validateSecretKey, unchecked_return_type = "SecretKeyResult")]
pub fn validate_secret_key(
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
) -> JsValue {
    to_js(&check_secret_key(&key.as_string().unwrap_or_default()))
}

/// The seven fields of an input object as text, or `None` when the input is not a
/// (non-array) object or cannot be read (a throwing getter or proxy).
fn read_fields(input: &JsValue) -> Option<Vec<Option<String>>> {
    if !input.is_object() || js_sys::Array::is_array(input) {
        return None;
    }
    FIELD_KEYS.with(|keys| {
        keys.iter()
            .map(|key| {
                js_sys::Reflect::get(input, key)
                    .ok()
                    .map(|v| field_text(&v))
            })
            .collect()
    })
}

thread_local! {
    /// The field names as JS strings, made once: decoding seven strings on every call
    /// would cost more than the validation itself.
    static FIELD_KEYS: Vec<JsValue> = Field::ALL.iter().map(|f| JsValue::from_str(f.name())).collect();
}

/// A field's value as the text a URL would carry, following JS's own `String(value)`
/// for the types the contract admits (so the validator agrees with a server that gets
/// the same value through `URLSearchParams`); `None` for `null`/`undefined`.
fn field_text(value: &JsValue) -> Option<String> {
    if value.is_undefined() || value.is_null() {
        None
    } else if let Some(text) = value.as_string() {
        Some(text)
    } else if let Some(flag) = value.as_bool() {
        Some(flag.to_string())
    } else if let Some(number) = value.as_f64() {
        Some(number_text(number))
    } else if value.is_bigint() {
        Some(String::from(
            js_sys::BigInt::unchecked_from_js_ref(value)
                .to_string(10)
                .unwrap_or_else(|_| "NaN".into()),
        ))
    } else {
        // Objects, arrays, symbols, functions: present, and valid for no field.
        Some("[object]".to_owned())
    }
}

/// `String(n)` for a JS number, as far as validity goes: integers below 1e21 in plain
/// digits (`-0` as `0`), everything else in a form that is not all digits.
fn number_text(number: f64) -> String {
    if number.is_finite() && number.fract() == 0.0 && number.abs() < 1e21 {
        // Exact: every such f64 is an integer that fits an i128.
        format!("{}", number as i128)
    } else if number.is_finite() && number.fract() == 0.0 {
        format!("{number:e}")
    } else {
        format!("{number}")
    }
}

/// The query string argument: a string, or nothing (`null`/`undefined` = empty).
fn query_text(value: &JsValue) -> Option<String> {
    if value.is_undefined() || value.is_null() {
        Some(String::new())
    } else {
        value.as_string()
    }
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    // One JSON string and one JSON.parse cost far less than building the object property
    // by property across the wasm boundary. Our result types always serialize; the
    // fallbacks only keep the no-throw promise.
    serde_json::to_string(value)
        .ok()
        .and_then(|json| js_sys::JSON::parse(&json).ok())
        .unwrap_or(JsValue::NULL)
}

#[cfg(test)]
mod tests {
    use super::number_text;

    #[test]
    fn numbers_read_as_js_would_print_them() {
        assert_eq!(number_text(5.0), "5");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(-1.0), "-1");
        assert_eq!(number_text(1.5), "1.5");
        assert_eq!(number_text(1e21), "1e21");
        assert_eq!(number_text(f64::NAN), "NaN");
        assert_eq!(number_text(f64::INFINITY), "inf");
    }
}
