//! The aggregation half of `scripts/bench-analysis.sh`: a small wasm module that the
//! benchmark loads in headless Chromium. It makes a window of generated instances as the
//! API would send it (pages of 100, JSON), then times, in the browser's wasm engine:
//!
//! * the baseline — decoding every page's JSON into instances, which any client of the
//!   API must do with the same data;
//! * folding every page into the [`Aggregator`] (the longest single page fold, and the
//!   total), and [`Aggregator::finish`] over the whole window.
//!
//! Built by the benchmark with
//! `cargo build --release --target wasm32-unknown-unknown --example bench_analysis --features client`.

use campaign_analytics::analysis::{Aggregator, Coverage};
use campaign_analytics::api::types::Instance;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    static PAGES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// Makes a window of `n` instances (pages of 100, newest first): `insiders` insiders,
/// one in three a purchase, buyers drawn from the insiders and from as many others.
#[wasm_bindgen]
pub fn generate(n: u32, insiders: u32) -> u32 {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |m: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % m
    };
    let t0: i64 = 1_795_000_000;
    let mut all = Vec::with_capacity(n as usize);
    for i in 0..n {
        let purchase = next(3) == 0;
        let buyer = 1 + next(u64::from(insiders) * 2);
        let cents = 100 + next(20_000) as i64;
        all.push(format!(
            r#"{{"instance_id":"10000000-0000-4000-8000-{i:012x}","insider_id":"20000000-0000-4000-8000-{:012x}","is_purchase":{purchase},"purchased_insider_id":{},"timestamp":"{}","revenue":{}}}"#,
            1 + next(u64::from(insiders)),
            if purchase { format!("\"20000000-0000-4000-8000-{buyer:012x}\"") } else { "null".into() },
            chrono::DateTime::from_timestamp(t0 - i64::from(i) * 20, 0).unwrap().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            if purchase { format!("{}.{:02}", cents / 100, cents % 100) } else { "0".into() },
        ));
    }
    let pages: Vec<String> = all
        .chunks(100)
        .map(|c| format!("[{}]", c.join(",")))
        .collect();
    let count = pages.len() as u32;
    PAGES.with(|p| *p.borrow_mut() = pages);
    count
}

/// Times decoding then aggregating the window made by [`generate`]; the figures as JSON:
/// `{"decode_ms", "fold_ms", "longest_fold_ms", "finish_ms", "instances", "insiders", "revenue_cents"}`.
#[wasm_bindgen]
pub fn run() -> String {
    PAGES.with(|pages| {
        let pages = pages.borrow();
        let start = now_ms();
        let decoded: Vec<Vec<Instance>> = pages
            .iter()
            .map(|p| serde_json::from_str(p).expect("a generated page"))
            .collect();
        let decode_ms = now_ms() - start;

        let mut longest: f64 = 0.0;
        let start = now_ms();
        // As the dashboard does: sized from the summary's count before the first page.
        let mut fold = Aggregator::new(Coverage::All);
        fold.reserve(decoded.iter().map(Vec::len).sum());
        for (n, page) in decoded.iter().enumerate() {
            let t = now_ms();
            fold.add_page(n as u32 + 1, page);
            longest = longest.max(now_ms() - t);
        }
        let fold_ms = now_ms() - start;
        let t = now_ms();
        let analysis = fold.finish();
        let finish_ms = now_ms() - t;
        format!(
            r#"{{"decode_ms":{decode_ms},"fold_ms":{fold_ms},"longest_fold_ms":{longest},"finish_ms":{finish_ms},"instances":{},"insiders":{},"revenue_cents":{}}}"#,
            analysis.instances,
            analysis.insiders.len(),
            analysis.revenue_cents
        )
    })
}
