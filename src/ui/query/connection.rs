//! The connection panel: which API to ask, and with which secret key.
//!
//! The key is checked as it is typed with the shared validator (`SecretKey::parse`), shown
//! masked unless the user asks, kept per [`storage`], and, and only ever leaves the page in
//! the `Authorization` header of requests to the base URL shown here.

use crate::contract::{KeyMode, SecretKey};
use leptos::prelude::*;

use crate::engine::connection::check_base_url;
use crate::ui::platform::storage::{self, KeyPlace};
use crate::ui::state::Dash;
use crate::ui::widgets::error_line;

/// The base URL and key inputs, with the key's storage choices.
#[component]
pub fn ConnectionPanel(dash: Dash) -> impl IntoView {
    let reveal = RwSignal::new(false);

    // Storage follows each change as it happens: the key where the user chose (and only a
    // key of the right shape), the base URL when it is not the page's own origin.
    let store_key = move || match dash.key.with_untracked(|k| SecretKey::parse(k.trim())) {
        Ok(key) => storage::save_key(key.expose(), dash.key_place.get_untracked()),
        Err(_) => storage::forget_key(),
    };
    let store_base_url = move || {
        let origin = dash.origin.get_value();
        match dash
            .base_url
            .with_untracked(|text| check_base_url(text, &origin))
        {
            Ok(url) if url == origin => storage::save_base_url(None),
            Ok(url) => storage::save_base_url(Some(&url)),
            Err(_) => {}
        }
    };

    let base_error = Signal::derive(move || dash.base_url_checked().err());
    let key_error = Signal::derive(move || {
        if dash.key_rejected.get() {
            return Some(
                "The API did not accept this key (401). Paste it again from your partner settings."
                    .to_owned(),
            );
        }
        if dash.key.with(|k| k.trim().is_empty()) {
            return None;
        }
        dash.key_checked().err().map(|e| e.message)
    });
    let invalid = |error: Signal<Option<String>>| {
        Signal::derive(move || error.with(Option::is_some).to_string())
    };
    let forget = move |_| {
        storage::forget_key();
        dash.key.set(String::new());
        dash.key_place.set(KeyPlace::Session);
        dash.key_rejected.set(false);
        dash.focus_key();
    };
    let target = Signal::derive(move || {
        dash.base_url_checked()
            .unwrap_or_else(|_| "the API".to_owned())
    });
    let badge = move || {
        dash.key_mode().map(|m| {
            let (class, text) = match m {
                KeyMode::Live => ("badge badge-live", "Live"),
                KeyMode::Test => ("badge badge-test", "Test"),
            };
            view! { <span class=class data-testid="key-mode">{text}</span> }
        })
    };
    let on_device = Signal::derive(move || dash.key_place.get() == KeyPlace::Device);
    let place_note = Signal::derive(move || {
        if on_device.get() {
            "The key is now saved in this browser: anyone who uses this browser profile can \
             read it and query your data. Only remember it on a device you alone use."
        } else {
            "Kept for this tab only, until you close it."
        }
        .to_owned()
    });
    let origin = dash.origin.get_value();
    let base_text: Signal<String> = dash.base_url.into();
    let key_text: Signal<String> = dash.key.into();

    view! {
        <section class="panel" aria-labelledby="connection-title">
            <h2 id="connection-title">"Connection"</h2>
            <div class="field">
                <label for="api-base-url">"API base URL"</label>
                <input
                    id="api-base-url"
                    type="url"
                    data-testid="api-base-url"
                    autocomplete="url"
                    spellcheck="false"
                    placeholder=origin
                    prop:value=base_text
                    aria-invalid=invalid(base_error)
                    aria-describedby="api-base-url-help"
                    on:input=move |ev| {
                        dash.base_url.set(event_target_value(&ev));
                        store_base_url();
                    }
                />
                <p class="help" id="api-base-url-help">"Leave empty to use this page's own server."</p>
                {error_line("base_url", base_error)}
            </div>
            <div class="field">
                <div class="label-row">
                    <label for="api-key">"Secret key"</label>
                    {badge}
                </div>
                <div class="input-with-button">
                    <input
                        id="api-key"
                        node_ref=dash.key_input
                        type=Signal::derive(move || if reveal.get() { "text" } else { "password" }.to_owned())
                        data-testid="api-key"
                        autocomplete="off"
                        autocapitalize="off"
                        spellcheck="false"
                        placeholder="sk_live_… or sk_test_…"
                        prop:value=key_text
                        aria-invalid=invalid(key_error)
                        aria-describedby="api-key-help"
                        on:input=move |ev| {
                            dash.key.set(event_target_value(&ev));
                            dash.key_rejected.set(false);
                            store_key();
                        }
                    />
                    <button
                        type="button"
                        class="button ghost"
                        aria-pressed=Signal::derive(move || reveal.get().to_string())
                        aria-controls="api-key"
                        on:click=move |_| reveal.update(|r| *r = !*r)
                    >
                        {Signal::derive(move || if reveal.get() { "Hide" } else { "Show" }.to_owned())}
                    </button>
                </div>
                {error_line("key", key_error)}
                <p class="help" id="api-key-help">
                    "Sent only in the Authorization header of requests to " <span class="mono">{target}</span> "."
                </p>
                <div class="key-actions">
                    <label class="check">
                        <input
                            type="checkbox"
                            data-testid="remember-key"
                            prop:checked=on_device
                            on:change=move |ev| {
                                dash.key_place.set(if event_target_checked(&ev) {
                                    KeyPlace::Device
                                } else {
                                    KeyPlace::Session
                                });
                                store_key();
                            }
                        />
                        "Remember on this device"
                    </label>
                    <button type="button" class="button ghost small" data-testid="forget-key" on:click=forget>
                        "Forget key"
                    </button>
                </div>
                <p class="help" class:warning=on_device data-testid="key-storage-note">{place_note}</p>
            </div>
        </section>
    }
}
