//! The few browser services the dashboard uses directly: the clock, the page's origin,
//! the clipboard and file downloads. Each fails softly (a `false`/`None`), never with a
//! panic or an uncaught JS exception.

use wasm_bindgen::JsCast;

/// Now, in Unix seconds.
pub fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

/// The page's own origin (`http://127.0.0.1:8080`): the default API base URL.
pub fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .filter(|o| o.starts_with("http"))
        .unwrap_or_default()
}

/// Copies `text` to the clipboard in the background, then calls `done` with whether it
/// worked. (One function for every copy button: one task type in the download.)
pub fn copy_then(text: String, done: Box<dyn FnOnce(bool)>) {
    leptos::task::spawn_local(async move {
        let copied = copy_text(&text).await;
        done(copied);
    });
}

/// Copies `text` to the clipboard; `false` when the browser refuses (no permission, or a
/// page not served over https or from localhost).
pub async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let navigator = window.navigator();
    let has_clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .map(|c| !c.is_undefined() && !c.is_null())
        .unwrap_or(false);
    if !has_clipboard {
        return false;
    }
    let promise = navigator.clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// Offers `text` as a file download named `file_name` (a Blob and a temporary link).
pub fn download(file_name: &str, mime: &str, text: &str) -> bool {
    let run = || -> Option<()> {
        let document = web_sys::window()?.document()?;
        let parts = js_sys::Array::of1(&text.into());
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(mime);
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
        let link: web_sys::HtmlAnchorElement =
            document.create_element("a").ok()?.dyn_into().ok()?;
        link.set_href(&url);
        link.set_download(file_name);
        link.click();
        // The click has started the download; the URL can go once the event loop turns.
        gloo_timers::callback::Timeout::new(1_000, move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        })
        .forget();
        Some(())
    };
    run().is_some()
}
