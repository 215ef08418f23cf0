//! The partner dashboard: a Leptos single-page app over the Campaign Analytics API.
//!
//! One file per concern:
//!
//! | module | what |
//! |---|---|
//! | [`app`] | the state ([`app::Dash`]), the flow of a query, the layout |
//! | [`connection`] | base URL and secret key inputs |
//! | [`query_form`] | the query form with inline validation |
//! | [`summary`], [`chart`], [`table`], [`pagination`] | the answer |
//! | [`error_banner`], [`quota`] | every failure, the remaining quota |
//! | [`url_state`] | the query in the URL ↔ the form (pure) |
//! | [`messages`] | each failure in words (pure) |
//! | [`format`], [`csv`] | numbers, times and CSV as text (pure) |
//! | [`address`] | the query string as a signal (History API) |
//! | [`storage`], [`browser`] | sessionStorage/localStorage, clipboard, downloads |
//!
//! The pure modules hold the logic and are tested with `cargo test`; the components are
//! thin and tested in a headless browser (`tests/ui_*.rs`).

pub mod address;
pub mod app;
pub mod browser;
pub mod chart;
pub mod connection;
pub mod csv;
pub mod error_banner;
pub mod format;
pub mod messages;
pub mod pagination;
pub mod query_form;
pub mod quota;
pub mod storage;
pub mod summary;
pub mod table;
pub mod url_state;

/// Mounts the dashboard on `document.body`, after installing the panic hook.
///
/// Called by the `campaign-analytics-dashboard` binary (the Trunk entry point).
pub fn start() {
    install_panic_hook();
    leptos::mount::mount_to_body(app::App);
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

fn show_crash_notice() {
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
    notice.set_text_content(Some(
        "The dashboard hit an internal error and stopped. Reload the page to continue: \
         your query is in the address bar, and your key is still stored as you chose.",
    ));
    if let Some(body) = document.body() {
        let _ = body.prepend_with_node_1(&notice);
    }
}
