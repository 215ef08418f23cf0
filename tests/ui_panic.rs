//! The dashboard's panic hook in a real browser: a panic is logged with its message and
//! leaves a plain notice on the page instead of a frozen screen. In a file of its own: a
//! panic leaves the module's thread "panicking" for good (WebAssembly does not unwind), so
//! nothing may run after it, and this test reports its findings as an `Err`, not a panic.
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --features ui --test ui_panic`
#![cfg(all(target_arch = "wasm32", feature = "ui"))]

#[path = "ui_support/mod.rs"]
mod support;

use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_panic_is_logged_and_leaves_a_notice_on_the_page() -> Result<(), JsValue> {
    let _root = fresh_page("");
    if exists("crash-notice") {
        return Err("a crash notice before any panic".into());
    }
    // What the hook writes to the console, kept aside.
    let console = js_sys::Function::new_no_args(
        r#"
        const original = console.error;
        const seen = [];
        console.error = (...parts) => { seen.push(parts.map(String).join(" ")); };
        return { seen, restore: () => { console.error = original; } };
        "#,
    )
    .call0(&JsValue::NULL)?;
    let field = |name: &str| js_sys::Reflect::get(&console, &JsValue::from_str(name));

    campaign_analytics::ui::install_panic_hook();
    // A panic in a callback the browser calls, as in an event handler of a component.
    let callback = Closure::once_into_js(explode);
    web_sys::window()
        .unwrap()
        .set_timeout_with_callback(callback.unchecked_ref())?;
    let appeared = crash_notice_appears().await;
    field("restore")?
        .unchecked_into::<js_sys::Function>()
        .call0(&JsValue::NULL)?;
    let logged: Vec<String> = field("seen")?
        .unchecked_into::<js_sys::Array>()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();

    if !appeared {
        return Err("no crash notice after the panic".into());
    }
    if let Some(problem) = crash_notice_problem() {
        return Err(problem.into());
    }
    if !logged.iter().any(|l| l.contains("broken on purpose: 4242")) {
        return Err(format!("the panic's message is not in the console: {logged:?}").into());
    }
    Ok(())
}

fn explode() {
    panic!("broken on purpose: 4242");
}
