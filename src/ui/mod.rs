//! The partner dashboard: a Leptos single-page app over the Campaign Analytics API.
//!
//! Arranged by feature, each depending only on the layers below it:
//!
//! | layer | modules | what |
//! |---|---|---|
//! | shell | [`shell`] | the page: layout, header (quota, theme), shortcuts, wiring |
//! | features | [`query`], [`answer`], [`analysis`], [`compare`] | asking; the answer on screen; whole-window analysis; campaigns side by side |
//! | state | [`state`] | the signals and the flow of a query, over the request engine |
//! | helpers | [`widgets`], [`text`], [`platform`] | view helpers; words and numbers; browser services |
//!
//! Requests go through the UI-free request engine ([`crate::engine`]). The pure modules
//! hold the logic and are tested with `cargo test`; the components are thin and tested in
//! a headless browser (`tests/ui_*.rs`).

pub mod analysis;
pub mod answer;
pub mod compare;
pub mod platform;
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

/// The notice the panic hook puts on the page (`crash-notice`).
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
