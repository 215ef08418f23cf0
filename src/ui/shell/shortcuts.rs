//! Keyboard shortcuts, and the `?` overlay that lists them (`shortcuts-help`). A shortcut
//! never fires while the partner types in a field, nor with Ctrl, Alt or Meta held (those
//! belong to the browser).

use crate::engine::period::Direction;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::theme;
use crate::ui::answer::pagination;
use crate::ui::state::Dash;

/// Whether a key event comes from a place where keys are text or have their own meaning.
fn typing(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            matches!(
                el.tag_name().to_ascii_lowercase().as_str(),
                "input" | "select" | "textarea"
            ) || el.has_attribute("contenteditable")
                || el.closest(".chart-area").ok().flatten().is_some()
        })
}

/// Listens for the shortcuts on the window for as long as the page lives.
pub fn install_shortcuts(dash: Dash, help_open: RwSignal<bool>, theme_choice: RwSignal<String>) {
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && help_open.get_untracked() {
            help_open.set(false);
            return;
        }
        if ev.alt_key() || ev.ctrl_key() || ev.meta_key() || typing(&ev) {
            return;
        }
        let targets = || {
            dash.phase
                .with_untracked(|p| p.response().map(|r| pagination::targets(&r.pagination)))
        };
        let handled = match ev.key().as_str() {
            "?" => {
                help_open.update(|o| *o = !*o);
                true
            }
            "ArrowLeft" | "ArrowRight" if !ev.shift_key() => {
                let page = targets().and_then(|t| {
                    if ev.key() == "ArrowLeft" {
                        t.prev
                    } else {
                        t.next
                    }
                });
                if let Some(page) = page {
                    dash.page_to(page);
                }
                page.is_some()
            }
            "[" => {
                dash.step_period(Direction::Back);
                true
            }
            "]" => {
                dash.step_period(Direction::Forward);
                true
            }
            "c" if !dash.shown_is_hourly() => {
                dash.set_compare(!dash.compare.get_untracked());
                true
            }
            "m" => {
                dash.metric.update(|m| *m = m.next());
                true
            }
            "t" => {
                theme::toggle(theme_choice);
                true
            }
            "R" => {
                dash.refresh();
                true
            }
            "/" => {
                if let Some(input) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id("campaign-id"))
                {
                    let _ = input.unchecked_into::<web_sys::HtmlElement>().focus();
                }
                true
            }
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
    });
    on_cleanup(move || keys.remove());
}

/// The overlay listing the shortcuts: a modal dialog that takes the focus and gives it
/// back when closed.
#[component]
pub fn ShortcutsHelp(open: RwSignal<bool>) -> impl IntoView {
    let close_button = NodeRef::<leptos::html::Button>::new();
    let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);
    Effect::new(move |_| {
        let document = web_sys::window().and_then(|w| w.document());
        if open.get() {
            opener.set_value(
                document
                    .and_then(|d| d.active_element())
                    .and_then(|e| e.dyn_into().ok()),
            );
            if let Some(button) = close_button.get() {
                let _ = button.focus();
            }
        } else if let Some(el) = opener.get_value() {
            let _ = el.focus();
            opener.set_value(None);
        }
    });
    view! {
        <div class="overlay" hidden=move || !open.get() on:click=move |_| open.set(false)>
            <div
                class="dialog"
                role="dialog"
                aria-modal="true"
                aria-labelledby="shortcuts-title"
                data-testid="shortcuts-help"
                on:click=|ev| ev.stop_propagation()
            >
                <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
                // Written out, not generated: a table of nothing but text is one piece of
                // markup in the download, where rows made from a list were code each.
                <table class="shortcuts">
                    <tbody>
                        <tr><th scope="row"><kbd>"?"</kbd></th><td>"Show or hide this list"</td></tr>
                        <tr><th scope="row"><kbd>"Esc"</kbd></th><td>"Close this list"</td></tr>
                        <tr><th scope="row"><kbd>"/"</kbd></th><td>"Go to the campaign id"</td></tr>
                        <tr><th scope="row"><kbd>"← / →"</kbd></th><td>"Previous / next page"</td></tr>
                        <tr><th scope="row"><kbd>"[ / ]"</kbd></th><td>"Previous / next period of the same length"</td></tr>
                        <tr><th scope="row"><kbd>"c"</kbd></th><td>"Compare with the previous period (on / off)"</td></tr>
                        <tr><th scope="row"><kbd>"m"</kbd></th><td>"Next chart metric"</td></tr>
                        <tr><th scope="row"><kbd>"t"</kbd></th><td>"Light or dark theme"</td></tr>
                        <tr><th scope="row"><kbd>"Shift+R"</kbd></th><td>"Refresh the answer from the server (1 request)"</td></tr>
                        <tr><th scope="row"><kbd>"← / → on the chart"</kbd></th><td>"Move between its bars"</td></tr>
                    </tbody>
                </table>
                <button type="button" class="button primary" node_ref=close_button on:click=move |_| open.set(false)>
                    "Close"
                </button>
            </div>
        </div>
    }
}
