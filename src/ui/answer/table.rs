//! The instance table: one row per instance of the page, with copyable ids, a purchase
//! badge, the time in the user's zone (UTC in the tooltip), and a CSV export of the rows.
//!
//! Ids are shown short (their first 8 characters) so the table fits a 1280 px screen with
//! the time and revenue in view; the full id is in the tooltip and is what the copy
//! button copies.
//!
//! The rows are drawn by hand from the answer ([`crate::ui::platform::dom`]), in one loop.
//! One click handler on the table serves every copy button (they carry the id in
//! `data-copy`), so a 100-row page creates 100 rows of plain nodes, not 300 closures.

use crate::api::types::AnalyticsResponse;
use crate::contract::PurchaseFilter;
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;

use super::csv;
use crate::ui::platform::{browser, dom};
use crate::ui::text::format;

/// The instance table with its toolbar (title, CSV export) and empty states.
#[component]
pub fn InstanceTable(
    /// The answer shown, if any.
    #[prop(into)]
    response: Signal<Option<Arc<AnalyticsResponse>>>,
    /// The purchase filter of the query shown (for the empty state's advice).
    #[prop(into)]
    filter: Signal<PurchaseFilter>,
    /// Whether a request is in flight (the rows are then dimmed).
    #[prop(into)]
    loading: Signal<bool>,
) -> impl IntoView {
    let notice = RwSignal::new(String::new());
    let notice_text: Signal<String> = notice.into();

    let on_copy = move |ev: leptos::ev::MouseEvent| {
        let Some(target) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let Some(button) = target.closest("[data-copy]").ok().flatten() else {
            return;
        };
        let Some(text) = button.get_attribute("data-copy") else {
            return;
        };
        let message = format!("Copied {text}");
        browser::copy_then(
            text,
            Box::new(move |done| {
                notice.set(if done {
                    message
                } else {
                    "The browser refused the clipboard: select the id and copy it by hand."
                        .to_owned()
                })
            }),
        );
    };

    let export = move |_| {
        response.with_untracked(|r| {
            if let Some(r) = r {
                let text = csv::instances_csv(&r.data.instances);
                let name = csv::file_name(
                    &r.data.campaign_id.hyphenated().to_string(),
                    r.pagination.page,
                );
                if browser::download(&name, "text/csv;charset=utf-8", &text) {
                    notice.set(format!(
                        "Exported {} rows to {name}",
                        r.data.instances.len()
                    ));
                }
            }
        })
    };
    let nothing_to_export = Signal::derive(move || {
        response.with(|r| r.as_ref().is_none_or(|r| r.data.instances.is_empty()))
    });

    let zone = format::time_zone();
    // The rows are drawn by hand ([`draw_rows`]): a 100-row page is 100 rows of plain
    // nodes made in one loop, not 100 row views.
    let rows = move || view! { <tbody use:draw_rows=response.get()></tbody> };
    let empty = move || {
        response.with(|r| {
            let r = r.as_ref()?;
            if !r.data.instances.is_empty() {
                return None;
            }
            let p = &r.pagination;
            let text = if p.total > 0 {
                format!(
                    "This page is past the end: {} {} on {} {}.",
                    format::count(p.total),
                    if p.total == 1 { "instance is" } else { "instances are" },
                    format::count(p.total_pages),
                    if p.total_pages == 1 { "page" } else { "pages" },
                )
            } else if filter.get() != PurchaseFilter::All {
                "No instances match this purchase filter in this period. Choose \"All instances\" to see the others."
                    .to_owned()
            } else {
                "No instances in this period.".to_owned()
            };
            Some(view! { <p class="empty-state" data-testid="empty-state">{text}</p> })
        })
    };

    view! {
        <section class="instances" aria-labelledby="instances-title">
            <div class="toolbar">
                <h2 id="instances-title">"Instances"</h2>
                <button
                    type="button"
                    class="button secondary"
                    data-testid="export-csv"
                    disabled=nothing_to_export
                    on:click=export
                >
                    "Export CSV"
                </button>
            </div>
            <div class="table-wrap" class:stale=loading>
                <table class="table" on:click=on_copy>
                    <thead>
                        <tr>
                            <th scope="col">"Instance"</th>
                            <th scope="col">"Insider"</th>
                            <th scope="col">"Purchase"</th>
                            <th scope="col">"Purchased by"</th>
                            <th scope="col">"Time (" {zone} ")"</th>
                            <th scope="col">"Revenue"</th>
                        </tr>
                    </thead>
                    {rows}
                </table>
            </div>
            {empty}
            <p class="visually-hidden" role="status" aria-live="polite">{notice_text}</p>
        </section>
    }
}

/// Draws one row per instance of `page` into the table body, replacing what it held.
fn draw_rows(body: web_sys::Element, page: Option<Arc<AnalyticsResponse>>) {
    body.set_text_content(None);
    for i in page.iter().flat_map(|page| &page.data.instances) {
        let Some(tr) = dom::append(
            &body,
            dom::HTML,
            "tr",
            &[("data-testid", "instance-row")],
            "",
        ) else {
            continue;
        };
        // Cells carry no per-cell attributes: on narrow screens the stylesheet labels them
        // by position.
        let cell = |text: &str| dom::append(&tr, dom::HTML, "td", &[], text);
        id_cell(&tr, &i.instance_id);
        id_cell(&tr, &i.insider_id);
        if let Some(td) = cell("") {
            let (class, badge) = if i.is_purchase {
                ("badge badge-yes", "Purchase")
            } else {
                ("badge badge-no", "No purchase")
            };
            dom::append(&td, dom::HTML, "span", &[("class", class)], badge);
        }
        match &i.purchased_insider_id {
            Some(id) => id_cell(&tr, id),
            None => {
                cell("—");
            }
        }
        if let Some(td) = cell("") {
            let iso = format::rfc3339(i.timestamp);
            let utc = format::utc_time(i.timestamp);
            let attrs = [("datetime", iso.as_str()), ("title", &utc)];
            let local = format::local_time(i.timestamp);
            dom::append(&td, dom::HTML, "time", &attrs, &local);
        }
        cell(&format::money(i.revenue));
    }
}

/// The first 8 characters of an id and an ellipsis: enough to tell rows apart.
///
/// ```
/// # use campaign_analytics::ui::answer::table::short_id;
/// assert_eq!(short_id("c0000000-0000-4000-8000-000000000001"), "c0000000…");
/// ```
pub fn short_id(id: &str) -> String {
    let head: String = id.chars().take(8).collect();
    format!("{head}…")
}

/// A cell of row `tr` holding an id in monospace that copies itself (whole) when pressed:
/// one focusable element per id, so a 100-row page stays a few hundred nodes (its copy
/// icon is drawn by CSS).
fn id_cell(tr: &web_sys::Element, id: &uuid::Uuid) {
    let Some(td) = dom::append(tr, dom::HTML, "td", &[], "") else {
        return;
    };
    let id = id.hyphenated().to_string();
    let title = format!("{id} — click to copy");
    let attrs = [
        ("type", "button"),
        ("class", "id"),
        ("data-copy", &id),
        ("title", &title),
    ];
    dom::append(&td, dom::HTML, "button", &attrs, &short_id(&id));
}
