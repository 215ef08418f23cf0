//! The analysis panel: the `analyze-window` button with its cost first, the progress and
//! `analysis-cancel`, the explained figures, the insider leaderboard (`insider-row`) and
//! the whole-window export (`export-all-csv`). Thin: the state and words are in the
//! parent module, the figures in [`crate::analysis`].

use super::{money_cents, progress_text, share, Analyst, ExportKind, Finished, Run};
use crate::analysis::export::decimal;
use crate::analysis::leaderboard::sort;
use crate::analysis::{Coverage, InsiderStats, SortKey};
use crate::engine::window::{self, RESERVE};
use crate::ui::port::panel::PageLink;
use crate::ui::text::format;
use leptos::prelude::*;
use std::sync::Arc;

/// Rows shown before "show all".
pub const TOP: usize = 20;

/// The whole-window analysis of the answer on screen.
#[component]
pub fn AnalysisPanel(link: PageLink) -> impl IntoView {
    let a = Analyst::new(link);
    let has_answer = Signal::derive(move || a.target().is_some());
    let cost_line = Signal::derive(move || {
        let cost = a.cost()?;
        let mut text = window::cost_text(&cost);
        if a.purchases_only.get() {
            text.push_str(" · purchases only: the revenue questions, for fewer requests");
        }
        Some(text)
    });
    let full_pages = Signal::derive(move || {
        a.target()
            .map(|(r, _)| window::pages_for(Analyst::matching(&r, false)))
    });
    let purchase_pages = Signal::derive(move || {
        a.target()
            .map(|(r, _)| window::pages_for(Analyst::matching(&r, true)))
    });
    let running = Signal::derive(move || a.is_running());
    let current = Signal::derive(move || a.current());
    let export_label = Signal::derive(move || {
        if current.with(Option::is_some) {
            "Export every instance (CSV)".to_owned()
        } else {
            let cost = a.cost().map(|c| c.requests).unwrap_or(0);
            format!(
                "Export every instance (CSV) — analyses the window first: {}",
                crate::engine::budget::requests(u64::from(cost))
            )
        }
    });

    view! {
        <section class="analysis" aria-labelledby="analysis-title" hidden=move || !has_answer.get()>
            <div class="toolbar">
                <h2 id="analysis-title">"Whole-window analysis"</h2>
            </div>
            <p class="help">
                "Reads every page of this period (100 instances a request) to rank the insiders who sell. "
                "It keeps " {RESERVE} " requests of your quota in reserve: if it gets there, it pauses until the quota frees up and resumes by itself."
            </p>
            <label class="check">
                <input
                    type="checkbox"
                    data-testid="analysis-purchases-only"
                    prop:checked=move || a.purchases_only.get()
                    on:change=move |ev| a.purchases_only.set(event_target_checked(&ev))
                    disabled=running
                />
                " Purchases only"
                <span class="help">
                    {move || match (purchase_pages.get(), full_pages.get()) {
                        (Some(p), Some(f)) => format!(
                            " — {p} {} instead of {f}: revenue, buyers and self-purchases are exact; instances per insider, conversion and the buyers who later share need every instance.",
                            if p == 1 { "page" } else { "pages" }
                        ),
                        _ => String::new(),
                    }}
                </span>
            </label>
            <div class="analysis-actions">
                <button
                    type="button"
                    class="button primary"
                    data-testid="analyze-window"
                    disabled=running
                    on:click=move |_| a.start(false)
                >
                    "Analyze the whole window"
                </button>
                <button
                    type="button"
                    class="button secondary"
                    data-testid="export-all-csv"
                    disabled=running
                    on:click=move |_| {
                        if current.with_untracked(Option::is_some) {
                            a.export(ExportKind::Instances);
                        } else {
                            a.start(true);
                        }
                    }
                >
                    {export_label}
                </button>
            </div>
            <p class="help cost" data-testid="analysis-cost" aria-live="polite">{cost_line}</p>
            <Progress a=a/>
            {move || current.get().map(|f| view! { <Findings a=a finished=f/> })}
        </section>
    }
}

/// `analysis-progress` and `analysis-cancel` while it runs; the reason when it stopped.
#[component]
fn Progress(a: Analyst) -> impl IntoView {
    move || {
        a.run.with(|run| match run {
            Run::Running {
                progress,
                paused_until,
                ..
            } => {
                let (progress, paused_until) = (*progress, *paused_until);
                let text = Signal::derive(move || {
                    progress_text(progress, paused_until, a.page.with(|p| p.now_secs))
                });
                let max = progress.pages_total.max(1);
                Some(
                    view! {
                        <div class="note" role="status">
                            <progress max=max value=progress.pages_done></progress>
                            <p data-testid="analysis-progress">{text}</p>
                            <button type="button" class="button secondary" data-testid="analysis-cancel" on:click=move |_| a.cancel()>
                                "Cancel"
                            </button>
                        </div>
                    }
                    .into_any(),
                )
            }
            Run::Stopped(why) => Some(
                view! { <p class="note note-warn" role="status" data-testid="analysis-stopped">{why.clone()}</p> }
                    .into_any(),
            ),
            Run::Idle | Run::Done => None,
        })
    }
}

/// The explained figures, the leaderboard and the other export files.
#[component]
fn Findings(a: Analyst, finished: Arc<Finished>) -> impl IntoView {
    let x = &finished.analysis;
    let all = x.coverage == Coverage::All;
    let mut sentences: Vec<(&'static str, String)> = Vec::new();
    sentences.push((
        "analysis-insiders",
        if all {
            format!(
                "{} insiders shared this campaign; {} distinct buyers bought through them.",
                format::count(x.distinct_insiders),
                format::count(x.distinct_buyers)
            )
        } else {
            format!(
                "{} insiders made a sale; {} distinct buyers bought. (Purchases only: insiders without a sale are not counted.)",
                format::count(x.distinct_insiders),
                format::count(x.distinct_buyers)
            )
        },
    ));
    sentences.push((
        "analysis-concentration",
        format!(
            "How concentrated the revenue is: the top insider brought {} of the {} revenue, the top 10 insiders {}.",
            share(x.top1_share),
            money_cents(x.revenue_cents),
            share(x.top10_share)
        ),
    ));
    sentences.push((
        "analysis-self-purchase",
        format!(
            "Self-purchases: {} of the purchases were bought by the insider who shared them — sales to themselves rather than to someone they reached.",
            share(x.self_purchase_share)
        ),
    ));
    sentences.push((
        "analysis-buyer-loop",
        match x.buyer_loop {
            Some(l) => {
                let median = l
                    .median_ms
                    .map(|ms| format!(", a median of {} days after their first purchase", decimal(ms, 86_400_000, 1)))
                    .unwrap_or_default();
                format!(
                    "Buyers who later share: {} of {} buyers ({}) shared the campaign themselves later in this period{median} — buyers turning into insiders.",
                    format::count(l.sharing_buyers),
                    format::count(x.distinct_buyers),
                    share(l.share_of_buyers)
                )
            }
            None => "Buyers who later share: needs every instance (a later share need not be a purchase); analyse without \"Purchases only\" to see it.".to_owned(),
        },
    ));
    if x.duplicates > 0 {
        sentences.push((
            "analysis-moved",
            format!(
                "The window moved while it was read: {} instances appeared on two pages and were counted once.",
                format::count(x.duplicates)
            ),
        ));
    }
    let total = x.insiders.len();
    let rows = finished.analysis.insiders.clone();
    let sorted = Memo::new(move |_| {
        let (key, order) = a.sort.get();
        let mut rows = rows.clone();
        sort(&mut rows, key, order);
        rows
    });
    let shown_rows = move || {
        let limit = if a.show_all.get() { usize::MAX } else { TOP };
        sorted.with(|rows| rows.iter().take(limit).map(row).collect_view())
    };
    let header = move |key: SortKey| {
        let aria = move || {
            let (k, o) = a.sort.get();
            if k != key {
                "none"
            } else if o == crate::analysis::SortOrder::Ascending {
                "ascending"
            } else {
                "descending"
            }
        };
        view! {
            <th scope="col" aria-sort=aria>
                <button type="button" class="sort" data-testid=format!("insider-sort-{}", key_name(key)) on:click=move |_| {
                    a.sort.update(|(k, o)| {
                        if *k == key {
                            *o = o.flipped();
                        } else {
                            *k = key;
                            *o = key.natural();
                        }
                    })
                }>
                    {key.label()}
                </button>
            </th>
        }
    };

    view! {
        <div class="findings">
            <ul class="explained">
                {sentences.into_iter().map(|(id, text)| view! { <li data-testid=id>{text}</li> }).collect_view()}
            </ul>
            <div class="analysis-actions">
                <button type="button" class="button secondary small" data-testid="export-summary-csv" on:click=move |_| a.export(ExportKind::Summary)>
                    "Summary (CSV)"
                </button>
                <button type="button" class="button secondary small" data-testid="export-series-csv" on:click=move |_| a.export(ExportKind::Series)>
                    "Series (CSV)"
                </button>
            </div>
            <h3>"Insider leaderboard"</h3>
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            {SortKey::ALL.into_iter().map(header).collect_view()}
                        </tr>
                    </thead>
                    <tbody>{shown_rows}</tbody>
                </table>
            </div>
            <button
                type="button"
                class="button ghost"
                data-testid="insiders-show-all"
                hidden=move || total <= TOP || a.show_all.get()
                on:click=move |_| a.show_all.set(true)
            >
                {format!("Show all {} insiders", format::count(total as u64))}
            </button>
        </div>
    }
}

fn key_name(key: SortKey) -> &'static str {
    match key {
        SortKey::Revenue => "revenue",
        SortKey::Instances => "instances",
        SortKey::Purchases => "purchases",
        SortKey::Conversion => "conversion",
        SortKey::RevenuePerInstance => "revenue-per-instance",
        SortKey::Insider => "insider",
    }
}

/// One leaderboard row.
fn row(s: &InsiderStats) -> impl IntoView {
    let id = s.insider_id.hyphenated().to_string();
    let dash = || "—".to_owned();
    let instances = s.instances.map(format::count).unwrap_or_else(dash);
    let conversion = s.conversion().map(share).unwrap_or_else(dash);
    let per_instance = s
        .revenue_per_instance()
        .and_then(|r| r.value())
        .map(|c| format::money(c / 100.0))
        .unwrap_or_else(dash);
    view! {
        <tr data-testid="insider-row" data-insider-id=id.clone()>
            <td><code title=id.clone()>{crate::ui::answer::table::short_id(&id)}</code></td>
            <td>{instances}</td>
            <td>{format::count(s.purchases)}</td>
            <td data-testid="insider-revenue">{money_cents(s.revenue_cents)}</td>
            <td>{conversion}</td>
            <td>{per_instance}</td>
        </tr>
    }
}
