//! Light or dark: the system's choice by default, or the partner's, remembered in this
//! browser. Applied as `data-theme` on `<html>`, which the stylesheet reads.

use leptos::prelude::*;

use crate::ui::platform::storage;

/// Sets `<html data-theme>` to the remembered theme (none: the system's). Called before
/// the page is drawn, so it never flashes the other theme.
pub fn apply_stored() {
    apply(storage::load_theme().as_deref());
}

fn apply(theme: Option<&str>) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = match theme {
            Some(t) => root.set_attribute("data-theme", t),
            None => root.remove_attribute("data-theme"),
        };
    }
}

/// Whether the page is dark now (the choice, else the system's).
fn is_dark() -> bool {
    match storage::load_theme().as_deref() {
        Some(t) => t == "dark",
        None => web_sys::window()
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .is_some_and(|m| m.matches()),
    }
}

/// The theme chosen, as a signal: `light`, `dark`, or empty for the system's.
pub fn chosen() -> RwSignal<String> {
    RwSignal::new(storage::load_theme().unwrap_or_default())
}

/// Remembers and applies a choice: `light`, `dark`, or empty for the system's.
pub fn choose(current: RwSignal<String>, theme: &str) {
    let theme = match theme {
        "light" | "dark" => Some(theme),
        _ => None,
    };
    storage::save_theme(theme);
    apply(theme);
    current.set(theme.unwrap_or_default().to_owned());
}

/// Switches to the other of light and dark (the `t` shortcut).
pub fn toggle(current: RwSignal<String>) {
    choose(current, if is_dark() { "light" } else { "dark" });
}

/// The theme select in the header.
#[component]
pub fn ThemeToggle(current: RwSignal<String>) -> impl IntoView {
    let options = [("", "System theme"), ("light", "Light"), ("dark", "Dark")];
    view! {
        <label class="theme">
            <span class="visually-hidden">"Colour theme"</span>
            <select data-testid="theme" on:change=move |ev| choose(current, &event_target_value(&ev))>
                {options
                    .into_iter()
                    .map(|(value, label)| view! { <option value=value selected=move || current.get() == value>{label}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}
