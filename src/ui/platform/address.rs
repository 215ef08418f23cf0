//! The address bar as a signal: the page's query string, kept in step with navigation.
//!
//! The dashboard needs one thing from the URL — its query string — and one operation —
//! push a new one — so it uses the History API directly rather than a router: `pushState`
//! to record a query (a new history entry per query and page), `popstate` to follow
//! back/forward. A reload or a shared link simply starts with that query string.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// The page's query string, reactive. Copyable; the `popstate` listener lives as long as
/// the reactive owner that created it.
#[derive(Clone, Copy)]
pub struct AddressBar {
    search: RwSignal<String>,
}

/// `location.search` without its `?`.
fn read_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .map(|s| s.trim_start_matches('?').to_owned())
        .unwrap_or_default()
}

impl AddressBar {
    /// Reads the current query string and follows back/forward from now on.
    pub fn new() -> AddressBar {
        let search = RwSignal::new(read_search());
        let listener = window_event_listener(leptos::ev::popstate, move |_| {
            search.set(read_search());
        });
        on_cleanup(move || listener.remove());
        AddressBar { search }
    }

    /// The query string (without `?`); tracked.
    pub fn search(&self) -> String {
        self.search.get()
    }

    /// The query string (without `?`); not tracked.
    pub fn search_untracked(&self) -> String {
        self.search.get_untracked()
    }

    /// Records `query` (without `?`) as a new history entry and makes it current. The
    /// path and the page stay; nothing is reloaded.
    pub fn push(&self, query: &str) {
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let url = format!("?{query}");
            if history
                .push_state_with_url(&JsValue::NULL, "", Some(&url))
                .is_err()
            {
                return;
            }
        }
        self.search.set(read_search());
    }
}

impl Default for AddressBar {
    fn default() -> Self {
        AddressBar::new()
    }
}
