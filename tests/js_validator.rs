//! The JS validator's wasm boundary (`src/js.rs`) in headless Chromium
//! (`cargo test --target wasm32-unknown-unknown --no-default-features --features js`):
//! inputs written and results read exactly as the package's JS does it (through linear
//! memory, numbers only), over the shared case table, the field form, the fixed texts
//! and secret keys. The package itself is tested from Node (tests/js) and, built by a
//! bundler, in Chromium (tests/js-bundler).
#![cfg(all(target_arch = "wasm32", feature = "js"))]

use campaign_analytics::js::{check_key, describe, reserve_input, validate_fields, validate_url};
use wasm_bindgen_test::*;

mod shared_cases;

wasm_bindgen_test_configure!(run_in_browser);

const ID: &str = "123e4567-e89b-12d3-a456-426614174000";

/// Writes texts one after another into the input, as the JS does; their byte lengths.
fn write_input(texts: &[&str]) -> Vec<usize> {
    let total: usize = texts.iter().map(|t| t.len()).sum();
    let at = reserve_input(total.max(1)) as *mut u8;
    assert_ne!(at as usize, 0);
    let mut offset = 0;
    for text in texts {
        // SAFETY: reserve_input made room for `total` bytes at `at`.
        unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), at.add(offset), text.len()) };
        offset += text.len();
    }
    texts.iter().map(|t| t.len()).collect()
}

/// `count` words at `address`.
fn words(address: usize, count: usize) -> Vec<u32> {
    // SAFETY: the boundary wrote at least `count` words there.
    unsafe { std::slice::from_raw_parts(address as *const u32, count).to_vec() }
}

/// A text the boundary wrote: `[address, byte length]` at `address`.
fn fixed_text(address: usize) -> String {
    let [at, length] = words(address, 2)[..] else {
        unreachable!()
    };
    // SAFETY: the boundary wrote `length` bytes of UTF-8 at `at`.
    let bytes = unsafe { std::slice::from_raw_parts(at as *const u8, length as usize) };
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// A normalized query as the JS builds it: time frame, purchase filter, page, limit,
/// campaign id, path, and the dates of a custom range.
type Query = (
    String,
    String,
    u32,
    u32,
    String,
    String,
    Option<(String, String)>,
);

#[derive(Debug, PartialEq)]
struct Decoded {
    valid: bool,
    /// `(field, code, message)`
    errors: Vec<(String, String, String)>,
    warnings: Vec<(String, String, String)>,
    query: Option<Query>,
}

/// Reads a result as the JS does: words, and texts sliced by UTF-16 offsets.
fn decode(address: usize) -> Decoded {
    let head = words(address, 5);
    // SAFETY: the text's address and byte length are the result's first two words.
    let text = unsafe { std::slice::from_raw_parts(head[0] as *const u8, head[1] as usize) };
    let text: Vec<u16> = std::str::from_utf8(text).unwrap().encode_utf16().collect();
    let ascii_flag = head[2] & 2 != 0;
    assert_eq!(
        ascii_flag,
        text.iter().all(|&u| u < 0x80),
        "the ASCII flag is right"
    );
    let slice = |at: u32, length: u32| {
        String::from_utf16(&text[at as usize..(at + length) as usize]).unwrap()
    };
    let (errors, warnings) = (head[3] as usize, head[4] as usize);
    let all = words(address, 5 + 5 * (errors + warnings) + 9);
    let entry = |i: usize| {
        let w = &all[5 + 5 * i..10 + 5 * i];
        let code = fixed_text(describe(1, w[1]));
        if w[0] == 7 {
            (slice(w[2], w[3]), code, slice(w[2] + w[3], w[4]))
        } else {
            (
                fixed_text(describe(0, w[0])),
                code,
                fixed_text(describe(4, w[0] * 16 + w[1])),
            )
        }
    };
    let query = (head[2] & 1 != 0).then(|| {
        let q = &all[5 + 5 * (errors + warnings)..];
        let path = slice(q[4], q[5]);
        let dates = (q[7] != u32::MAX).then(|| (slice(q[7], 10), slice(q[8], 10)));
        (
            fixed_text(describe(2, q[0])),
            fixed_text(describe(3, q[1])),
            q[2],
            q[3],
            slice(q[6], 36),
            path,
            dates,
        )
    });
    Decoded {
        valid: head[2] & 1 != 0,
        errors: (0..errors).map(entry).collect(),
        warnings: (errors..errors + warnings).map(entry).collect(),
        query,
    }
}

fn request(campaign_id: &str, query: &str) -> Decoded {
    let lengths = write_input(&[campaign_id, query]);
    decode(validate_url(lengths[0], lengths[1]))
}

fn pairs(list: &[(String, String, String)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, c, _)| (f.clone(), c.clone()))
        .collect()
}

#[wasm_bindgen_test]
fn shared_cases_through_the_boundary() {
    for case in shared_cases::cases() {
        let r = request(&case.campaign_id, &case.query);
        assert_eq!(pairs(&r.errors), case.errors, "{}", case.name);
        assert_eq!(pairs(&r.warnings), case.warnings, "{}", case.name);
        assert_eq!(r.valid, case.errors.is_empty(), "{}", case.name);
        assert_eq!(r.query.is_some(), r.valid, "{}", case.name);
        if let Some(path) = case.path {
            assert_eq!(r.query.unwrap().5, path, "{}", case.name);
        }
    }
}

#[wasm_bindgen_test]
fn a_valid_query_is_read_in_full() {
    let r = request(
        &ID.to_uppercase(),
        "?time_frame=custom_range&start_date=2024%2D02%2D01&end_date=2024-02-29&is_purchase=false&page=003&limit=25",
    );
    let path = format!("/api/partner/v1/campaigns/{ID}/analytics?time_frame=custom_range&start_date=2024-02-01&end_date=2024-02-29&is_purchase=false&page=3&limit=25");
    assert_eq!(
        r.query,
        Some((
            "custom_range".into(),
            "false".into(),
            3,
            25,
            ID.into(),
            path,
            Some(("2024-02-01".into(), "2024-02-29".into()))
        ))
    );
}

#[wasm_bindgen_test]
fn named_entries_are_sliced_by_utf16_offsets() {
    // Non-ASCII and astral names before and after a duplicate: every slice must land.
    let r = request(
        ID,
        "time_frame=per_day&é=1&%F0%9F%98%80=2&x=1&x=2&sk_test_0123456789abcdefghijKLMNOPQRSTUV=1",
    );
    assert!(!r.valid);
    assert_eq!(
        r.errors,
        [(
            "x".into(),
            "duplicate_parameter".into(),
            "\"x\" must be given only once".into()
        )]
    );
    let known = "is not a parameter of this endpoint and is ignored (known: time_frame, start_date, end_date, is_purchase, page, limit)";
    assert_eq!(
        r.warnings,
        [
            (
                "é".into(),
                "unknown_parameter".into(),
                format!("\"é\" {known}")
            ),
            (
                "😀".into(),
                "unknown_parameter".into(),
                format!("\"😀\" {known}")
            ),
            (
                "sk_test_[redacted]".into(),
                "unknown_parameter".into(),
                format!("\"sk_test_[redacted]\" {known}")
            ),
        ]
    );
}

#[wasm_bindgen_test]
fn the_field_form() {
    let lengths = write_input(&[ID, "per_month", "2024-01-01", "true", "0"]);
    let l = |i: usize| lengths[i] as i32;
    // campaign_id, time_frame, start_date, (end_date absent), is_purchase, page, (limit absent)
    let r = decode(validate_fields(l(0), l(1), l(2), -1, l(3), l(4), -1));
    assert_eq!(
        r.errors,
        [(
            "page".into(),
            "out_of_range".into(),
            "page must be an integer from 1 to 2147483647".into()
        )]
    );
    assert_eq!(
        r.warnings,
        [(
            "start_date".into(),
            "ignored_parameter".into(),
            "start_date is ignored unless time_frame is custom_range".into()
        )]
    );
    let r = decode(validate_fields(-1, -1, -1, -1, -1, -1, -1));
    assert_eq!(
        pairs(&r.errors),
        [
            ("campaign_id".into(), "required".into()),
            ("time_frame".into(), "required".into())
        ]
    );
}

#[wasm_bindgen_test]
fn fixed_texts_and_keys() {
    let list = |table: u32| -> Vec<String> {
        (0..)
            .map_while(|i| match describe(table, i) {
                0 => None,
                address => Some(fixed_text(address)),
            })
            .collect()
    };
    assert_eq!(
        list(0),
        [
            "campaign_id",
            "time_frame",
            "start_date",
            "end_date",
            "is_purchase",
            "page",
            "limit"
        ]
    );
    assert_eq!(
        list(2),
        ["per_hour", "per_day", "per_month", "custom_range"]
    );
    assert_eq!(list(3), ["all", "true", "false"]);
    assert_eq!(list(1)[11], "invalid_input");
    assert_eq!(
        fixed_text(describe(5, 3)),
        "the input is too large to validate: more than 16 million characters in all"
    );
    assert_eq!(describe(9, 0), 0);

    let key = "sk_live_0123456789abcdefghijKLMNOPQRSTUV";
    let lengths = write_input(&[key]);
    let at = reserve_input(1) as *const u8;
    assert_eq!(check_key(lengths[0]), 1);
    // SAFETY: the input buffer still holds at least the key's length.
    let left = unsafe { std::slice::from_raw_parts(at, key.len()) };
    assert!(
        left.iter().all(|&b| b == 0),
        "the key is wiped from the input"
    );
    let lengths = write_input(&["sk_test_0123456789abcdefghijKLMNOPQRSTUV"]);
    assert_eq!(check_key(lengths[0]), 2);
    let lengths = write_input(&["sk_test_short"]);
    assert_eq!(check_key(lengths[0]), 0);
}

#[wasm_bindgen_test]
fn oversized_input_is_refused_up_front() {
    assert_eq!(reserve_input(3 * (16 << 20) + 1), 0);
    assert_ne!(reserve_input(16), 0);
}
