//! The instance table: one row per instance of the page, with copyable ids, a purchase
//! badge, the time in the user's zone (UTC in the tooltip), and a CSV export of the rows.
//!
//! One click handler on the table serves every copy button (they carry the id in
//! `data-copy`), so a 100-row page creates 100 rows of plain nodes, not 300 closures.

use crate::api::types::{AnalyticsResponse, Instance};
use crate::contract::PurchaseFilter;
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;

use super::{browser, csv, format};

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
                    notice.set(format!("Exported {} rows to {name}", r.data.instances.len()));
                }
            }
        })
    };
    let nothing_to_export = Signal::derive(move || {
        response.with(|r| r.as_ref().is_none_or(|r| r.data.instances.is_empty()))
    });

    let zone = format::time_zone();
    let rows = move || {
        response.with(|r| {
            r.as_ref().map(|r| {
                r.data
                    .instances
                    .iter()
                    .map(row)
                    .collect_view()
            })
        })
    };
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
                            <th scope="col" class="num">"Revenue"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {empty}
            <p class="visually-hidden" role="status" aria-live="polite">{notice_text}</p>
        </section>
    }
}

/// One table row.
fn row(i: &Instance) -> impl IntoView {
    let instance = i.instance_id.hyphenated().to_string();
    let insider = i.insider_id.hyphenated().to_string();
    let purchased = i.purchased_insider_id.map(|id| id.hyphenated().to_string());
    let badge = if i.is_purchase {
        view! { <span class="badge badge-yes">"Purchase"</span> }
    } else {
        view! { <span class="badge badge-no">"No purchase"</span> }
    };
    // Two options rather than two branches: one shape, one copy of the rendering code.
    let none = purchased
        .is_none()
        .then(|| view! { <span class="dash" aria-label="none">"—"</span> });
    let purchased = purchased.map(|id| id_cell(id, "purchaser"));
    let iso = format::rfc3339(i.timestamp);
    view! {
        <tr data-testid="instance-row">
            <td data-label="Instance">{id_cell(instance, "instance")}</td>
            <td data-label="Insider">{id_cell(insider, "insider")}</td>
            <td data-label="Purchase">{badge}</td>
            <td data-label="Purchased by">{purchased}{none}</td>
            <td data-label="Time">
                <time datetime=iso title=format::utc_time(i.timestamp)>{format::local_time(i.timestamp)}</time>
            </td>
            <td data-label="Revenue" class="num">{format::money(i.revenue)}</td>
        </tr>
    }
}

/// An id in monospace with its copy button.
fn id_cell(id: String, what: &'static str) -> impl IntoView {
    let label = format!("Copy {what} id");
    view! {
        <span class="id">
            <code>{id.clone()}</code>
            <button type="button" class="copy" data-copy=id aria-label=label title="Copy">
                <svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><rect x="5.5" y="5.5" width="8" height="8" rx="1.5"></rect><path d="M10.5 3.5v-1h-8v8h1"></path></svg>
            </button>
        </span>
    }
}
