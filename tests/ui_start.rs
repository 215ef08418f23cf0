//! The dashboard's start-up in a real browser: the hashing of parameter names is seeded
//! from `crypto.getRandomValues` before anything is validated. In a file of its own: no
//! other test may validate a query before the seed.
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --features ui --test ui_start`
#![cfg(all(target_arch = "wasm32", feature = "ui"))]

#[path = "ui_support/mod.rs"]
mod support;

use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn start_seeds_the_parameter_hashing_from_the_browsers_entropy() {
    let _root = fresh_page("");
    // The page's getRandomValues, watched: what start-up draws from it, and when.
    let watch = js_sys::Function::new_no_args(
        r#"
        const seen = [];
        const original = crypto.getRandomValues;
        crypto.getRandomValues = function (array) {
          seen.push(array.length);
          return original.call(crypto, array);
        };
        return { seen, restore: () => { delete crypto.getRandomValues; } };
        "#,
    )
    .call0(&JsValue::NULL)
    .unwrap();
    let field = |name: &str| js_sys::Reflect::get(&watch, &JsValue::from_str(name)).unwrap();
    let runner_hook = std::panic::take_hook();
    campaign_analytics::ui::start();
    std::panic::set_hook(runner_hook);
    let _ = field("restore")
        .unchecked_into::<js_sys::Function>()
        .call0(&JsValue::NULL);
    let draws: Vec<f64> = field("seen")
        .unchecked_into::<js_sys::Array>()
        .iter()
        .filter_map(|v| v.as_f64())
        .collect();
    assert_eq!(draws.first(), Some(&16.0), "128 bits drawn: {draws:?}");
    // The keys are fixed now: a later seed is refused.
    assert!(!campaign_analytics::contract::seed_parameter_hashing(1, 2));
    wait_until("the dashboard is mounted", || exists("run-query")).await;
}
