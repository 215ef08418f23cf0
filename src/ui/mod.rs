//! The partner dashboard: a Leptos single-page app over the Campaign Analytics API.
//!
//! Arranged by feature, each depending only on the layers below it:
//!
//! | layer | modules | what |
//! |---|---|---|
//! | shell | [`shell`] | the page: layout, header (quota, theme), shortcuts, wiring |
//! | features | [`query`], [`answer`], [`analysis`], [`compare`] | asking; the answer on screen; whole-window analysis; campaigns side by side |
//! | port | [`port`] | how the panels (analysis, compare) reach the page: a host object over its engine |
//! | state | [`state`] | the signals and the flow of a query, over the request engine |
//! | helpers | [`widgets`], [`text`], [`platform`] | view helpers; words and numbers; browser services |
//!
//! The panels reach the page through the port only, never through its signals
//! ([`state::Dash`]): the release bundle builds them as a second module, loaded once an
//! answer is on screen ([`shell::panels`]).
//!
//! Requests go through the UI-free request engine ([`crate::engine`]). The pure modules
//! hold the logic and are tested with `cargo test`; the components are thin and tested in
//! a headless browser (`tests/ui_*.rs`).

pub mod analysis;
pub mod answer;
pub mod compare;
pub mod platform;
pub mod port;
pub mod query;
pub mod shell;
pub mod state;
pub mod text;
pub mod widgets;

/// Mounts the dashboard on `document.body`, after installing the panic hook, seeding the
/// hashing of parameter names from the browser's entropy (before any link is validated)
/// and applying the remembered theme.
///
/// Called by the `campaign-analytics-dashboard` binary (the Trunk entry point).
pub fn start() {
    install_panic_hook();
    install_trap_notice();
    platform::browser::seed_parameter_hashing();
    shell::theme::apply_stored();
    leptos::mount::mount_to_body(shell::App);
}

/// Logs a panic to the console with its message and location, and puts a plain notice on
/// the page so the user is never left with a frozen or blank screen. The notice is built
/// with text nodes only.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_crash_notice();
    }));
}

/// Puts up the same notice when the module traps. The release bundle is built so that a
/// panic traps at once, with no hook and no message (the formatting machinery would cost
/// the first load tens of kilobytes; see docs/decisions.md): the trap reaches the page as
/// an uncaught `WebAssembly.RuntimeError`, as an `error` event when it happened in a
/// callback of the browser's and as an unhandled rejection when it happened in a promise's
/// reaction. Errors of other scripts are not ours and are left alone.
pub fn install_trap_notice() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    fn is_trap(value: &wasm_bindgen::JsValue) -> bool {
        value.is_instance_of::<js_sys::WebAssembly::RuntimeError>()
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_error = Closure::<dyn Fn(web_sys::ErrorEvent)>::new(|e: web_sys::ErrorEvent| {
        if is_trap(&e.error()) {
            show_crash_notice();
        }
    });
    let on_rejection = Closure::<dyn Fn(web_sys::PromiseRejectionEvent)>::new(
        |e: web_sys::PromiseRejectionEvent| {
            if is_trap(&e.reason()) {
                show_crash_notice();
            }
        },
    );
    let _ = window.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback(
        "unhandledrejection",
        on_rejection.as_ref().unchecked_ref(),
    );
    // Listening for the page's whole life.
    on_error.forget();
    on_rejection.forget();
}

/// The notice the panic hook and the trap listener put on the page (`crash-notice`).
pub fn show_crash_notice() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if document.get_element_by_id("crash-notice").is_some() {
        return;
    }
    let Ok(notice) = document.create_element("div") else {
        return;
    };
    notice.set_id("crash-notice");
    let _ = notice.set_attribute("role", "alert");
    let _ = notice.set_attribute("class", "crash-notice");
    let _ = notice.set_attribute("data-testid", "crash-notice");
    notice.set_text_content(Some(
        "The dashboard hit an internal error and stopped. Reload the page to continue: \
         your query is in the address bar, and your key is still stored as you chose.",
    ));
    if let Some(body) = document.body() {
        let _ = body.prepend_with_node_1(&notice);
    }
}
