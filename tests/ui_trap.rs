//! The release bundle's crash notice in a real browser: there a panic traps at once, with
//! no hook (see `install_trap_notice`), so the notice comes from the trap reaching the
//! page. In a file of its own: after the trap the module may not run anything else, and
//! this test reports its findings as an `Err`, not a panic.
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --features ui --test ui_trap`
#![cfg(all(target_arch = "wasm32", feature = "ui"))]

#[path = "ui_support/mod.rs"]
mod support;

use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_trap_leaves_a_notice_and_other_scripts_errors_do_not() -> Result<(), JsValue> {
    let _root = fresh_page("");
    // No panic hook: what the release bundle's panics look like is a bare trap.
    campaign_analytics::ui::install_trap_notice();
    let window = web_sys::window().unwrap();

    // Another script's uncaught error, and its rejected promise: not ours.
    let foreign = js_sys::Function::new_no_args(
        r#"
        setTimeout(() => { throw new Error("someone else's bug"); }, 0);
        Promise.reject(new TypeError("someone else's rejection"));
        "#,
    );
    foreign.call0(&JsValue::NULL)?;
    for _ in 0..20 {
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    if exists("crash-notice") {
        return Err("another script's error put up the crash notice".into());
    }

    // A trap in a promise's reaction (where futures run), seen as an unhandled rejection.
    let rejected = js_sys::Function::new_no_args(
        "Promise.resolve().then(() => { throw new WebAssembly.RuntimeError('unreachable'); });",
    );
    rejected.call0(&JsValue::NULL)?;
    if !crash_notice_appears().await {
        return Err("no crash notice after a trap in a promise reaction".into());
    }
    by("crash-notice").unwrap().remove();

    // A real trap: a panic in a callback the browser calls, with no hook installed.
    let callback = Closure::once_into_js(explode);
    window.set_timeout_with_callback(callback.unchecked_ref())?;
    if !crash_notice_appears().await {
        return Err("no crash notice after the module trapped".into());
    }
    if let Some(problem) = crash_notice_problem() {
        return Err(problem.into());
    }
    Ok(())
}

fn explode() {
    panic!("broken on purpose");
}
