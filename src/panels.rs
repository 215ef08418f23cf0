//! The panels' module: the whole-window analysis and the campaign comparison, loaded by
//! the release bundle's page once an answer is on screen (see `ui::shell::panels`).

use wasm_bindgen::prelude::*;

/// Mounts the panels on the page's places; `host` is the page's side of the port.
#[wasm_bindgen]
pub fn mount_panels(host: JsValue, analysis: web_sys::HtmlElement, compare: web_sys::HtmlElement) {
    campaign_analytics::ui::shell::panels::mount_on(host, analysis, compare);
}

fn main() {}
