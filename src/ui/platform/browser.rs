//! The few browser services the dashboard uses directly: the clock, the page's origin,
//! the clipboard and file downloads. Each fails softly (a `false`/`None`), never with a
//! panic or an uncaught JS exception.

use wasm_bindgen::JsCast;

/// Seeds the hashing that groups query parameter names ([`crate::contract::seed_parameter_hashing`])
/// with 128 bits from `crypto.getRandomValues`. WebAssembly has no entropy source of its
/// own, so without this the keys would be the same in every browser and a hostile link
/// could carry parameter names chosen to collide. Call it before the first validation;
/// returns whether the seed was taken.
///
/// ```no_run
/// assert!(campaign_analytics::ui::platform::browser::seed_parameter_hashing());
/// ```
pub fn seed_parameter_hashing() -> bool {
    let mut bytes = [0u8; 16];
    let drawn = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !drawn {
        return false;
    }
    let (k0, k1) = bytes.split_at(8);
    let word = |half: &[u8]| u64::from_le_bytes(half.try_into().unwrap_or_default());
    crate::contract::seed_parameter_hashing(word(k0), word(k1))
}

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
