//! The campaign comparison panel (`campaign-compare`): two to four campaigns, picked by id
//! or by nickname, over the period on screen, side by side (`compare-campaign-row`), the
//! best of each column marked, and their series on one chart ([`chart`]). Its rules are in
//! [`crate::compare`]; this is only their view. The cost is said before anything is sent
//! (`request-cost`, inside the panel), and every request goes through the engine.
//!
//! Nicknames live in `localStorage` and only there: a request carries the campaign id.

pub mod chart;

use crate::api::types::AnalyticsResponse;
use crate::compare::nickname::Nicknames;
use crate::compare::{self, bests, Column, Figures, MAX_CAMPAIGNS, MIN_CAMPAIGNS};
use crate::contract::AnalyticsQuery;
use crate::engine::budget::requests;
use crate::engine::period;
use leptos::prelude::*;
use std::sync::Arc;
use uuid::Uuid;

use crate::ui::port::panel::PageLink;
use crate::ui::port::{CampaignNews, PageState};
use crate::ui::state::Metric;
use crate::ui::text::format::{self, Bucket};
use crate::ui::text::labels;
use crate::ui::widgets::error_line;

const NICKNAMES_ITEM: &str = "campaign-analytics.nicknames";

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn load_nicknames() -> Nicknames {
    local()
        .and_then(|s| s.get_item(NICKNAMES_ITEM).ok().flatten())
        .map(|text| Nicknames::parse(&text))
        .unwrap_or_default()
}

fn save_nicknames(n: &Nicknames) {
    if let Some(s) = local() {
        let _ = s.set_item(NICKNAMES_ITEM, &n.to_stored());
    }
}

/// One campaign's row: waiting, answered, or failed (the failure's title).
#[derive(Clone, Debug, PartialEq)]
enum Row {
    Loading,
    Ready(Arc<AnalyticsResponse>),
    Failed(String),
}

/// A comparison asked: the query it was based on, the campaigns and their rows.
#[derive(Clone, Debug, PartialEq)]
struct Compared {
    base: AnalyticsQuery,
    ids: Vec<Uuid>,
    rows: Vec<Row>,
}

/// The picks as campaigns, or what is wrong with them.
fn selection(
    picks: &[String],
    nicknames: &Nicknames,
) -> (Vec<Option<String>>, Result<Vec<Uuid>, String>) {
    let mut ids: Vec<Uuid> = Vec::new();
    let mut errors = Vec::new();
    for pick in picks {
        if pick.trim().is_empty() {
            errors.push(None);
            continue;
        }
        match nicknames.resolve(pick) {
            Ok(id) if ids.contains(&id) => {
                errors.push(Some("This campaign is picked twice.".to_owned()))
            }
            Ok(id) => {
                ids.push(id);
                errors.push(None);
            }
            Err(e) => errors.push(Some(e.message().to_owned())),
        }
    }
    let result = if errors.iter().any(Option::is_some) {
        Err("Fix the marked campaigns to compare them.".to_owned())
    } else if ids.len() < MIN_CAMPAIGNS {
        Err(format!(
            "Pick {MIN_CAMPAIGNS} to {MAX_CAMPAIGNS} campaigns to compare."
        ))
    } else {
        Ok(ids)
    };
    (errors, result)
}

/// The comparison panel, shown under the answer (its period is the one on screen).
#[component]
pub fn ComparePanel(link: PageLink) -> impl IntoView {
    let page = RwSignal::new(PageState::default());
    link.subscribe(move |state| {
        // Nothing to do once the panel is gone.
        let _ = page.try_set(state);
    });
    let link = StoredValue::new_local(link);
    let open = RwSignal::new(false);
    let picks: [RwSignal<String>; MAX_CAMPAIGNS] =
        std::array::from_fn(|_| RwSignal::new(String::new()));
    let nicknames = RwSignal::new(load_nicknames());
    let compared = RwSignal::new(None::<Compared>);
    let metric = RwSignal::new(Metric::Revenue);
    let shown = Memo::new(move |_| page.with(|p| p.shown.as_ref().and_then(|s| s.query.parse())));

    let checked = Memo::new(move |_| {
        let texts: Vec<String> = picks.iter().map(|p| p.get()).collect();
        nicknames.with(|n| selection(&texts, n))
    });
    let queries = Memo::new(move |_| {
        let base = shown.get()?;
        checked.with(|(_, ids)| ids.as_ref().ok().map(|ids| compare::queries(&base, ids)))
    });
    let plan = Memo::new(move |_| {
        page.track();
        if !page.with(|p| p.connected) {
            return None;
        }
        queries.with(|q| {
            q.as_ref()
                .and_then(|q| link.with_value(|link| link.compare_plan(q)))
        })
    });
    let cost_text = Signal::derive(
        move || match (plan.get(), checked.with(|(_, r)| r.clone())) {
            (Some(p), Ok(ids)) => {
                let left = page.with(|p| p.quota);
                let of = left
                    .map(|q| {
                        format!(
                            " · {} of {} left",
                            format::count(q.remaining),
                            format::count(q.limit)
                        )
                    })
                    .unwrap_or_default();
                if !p.affordable() {
                    let when = left
                        .and_then(|q| q.reset_at)
                        .map(|at| format!(" until {}", format::clock(at)))
                        .unwrap_or_default();
                    format!(
                    "{} needed, {} left{when}: Compare sends nothing. Pick fewer campaigns or wait for the quota to free up.",
                    requests(u64::from(p.cost)),
                    p.remaining.unwrap_or(0)
                )
                } else if p.cost == 0 {
                    format!("0 requests: all {} campaigns are cached", ids.len())
                } else {
                    format!(
                        "{}: one per campaign not cached{of}",
                        requests(u64::from(p.cost))
                    )
                }
            }
            (_, Err(why)) => why,
            (None, Ok(_)) => "Enter your key to compare.".to_owned(),
        },
    );
    let can_run =
        move || plan.get().is_some_and(|p| p.affordable()) && checked.with(|(_, r)| r.is_ok());

    let run = move || {
        let (Some(base), Some(qs), true) = (
            shown.get_untracked(),
            queries.get_untracked(),
            page.with_untracked(|p| p.connected),
        ) else {
            return;
        };
        if !plan.get_untracked().is_some_and(|p| p.affordable()) {
            return;
        }
        let ids: Vec<Uuid> = qs.iter().map(AnalyticsQuery::campaign_id).collect();
        compared.set(Some(Compared {
            base,
            rows: vec![Row::Loading; ids.len()],
            ids,
        }));
        let link = link.get_value();
        leptos::task::spawn_local(async move {
            // A newer comparison replaces this one (the page stops its requests).
            link.compare(&qs, move |i, news| {
                let row = match news {
                    CampaignNews::Ready(response) => Row::Ready(response),
                    CampaignNews::Failed { title } => Row::Failed(title),
                };
                compared.update(|c| {
                    if let Some(slot) = c.as_mut().and_then(|c| c.rows.get_mut(i)) {
                        *slot = row;
                    }
                });
            })
            .await;
        });
    };

    // Opening the panel starts from the campaign on screen.
    let toggle = move |_| {
        let now_open = !open.get_untracked();
        open.set(now_open);
        if now_open && picks[0].with_untracked(String::is_empty) {
            if let Some(q) = shown.get_untracked() {
                picks[0].set(nicknames.with_untracked(|n| n.name_of(q.campaign_id())));
            }
        }
    };

    let known = move || {
        let named = nicknames.get();
        let mut options: Vec<(String, String)> = named
            .entries()
            .iter()
            .map(|(id, name)| (name.clone(), id.to_string()))
            .collect();
        for id in page.with(|p| p.recent.clone()) {
            if compare::campaign_id(&id).is_some_and(|u| named.get(u).is_none()) {
                options.push((id, String::new()));
            }
        }
        options
            .into_iter()
            .map(|(value, label)| view! { <option value=value label=label></option> })
            .collect_view()
    };

    let pick_fields = move || {
        picks
        .into_iter()
        .enumerate()
        .map(|(i, pick)| {
            let error = Signal::derive(move || checked.with(|(errors, _)| errors.get(i).cloned().flatten()));
            view! {
                <label class="field compare-pick">
                    <span class="label">{format!("Campaign {}", i + 1)}</span>
                    <input
                        type="text"
                        list="compare-known"
                        autocomplete="off"
                        spellcheck="false"
                        data-testid=format!("compare-pick-{}", i + 1)
                        placeholder=if i < MIN_CAMPAIGNS { "Campaign id or nickname" } else { "Optional" }
                        prop:value=Signal::derive(move || pick.get())
                        on:input=move |ev| pick.set(event_target_value(&ev))
                    />
                    {error_line(["compare-1", "compare-2", "compare-3", "compare-4"][i], error)}
                </label>
            }
        })
        .collect_view()
    };

    let period_text = Signal::derive(move || {
        let Some(c) = compared.get() else {
            return String::new();
        };
        let today = period::utc_date(page.with(|p| p.now_secs).saturating_mul(1000));
        let days = period::days_of(c.base.period(), today)
            .map(|(a, b)| {
                format!(
                    " · {} – {} (UTC days)",
                    format::utc_day(a),
                    format::utc_day(b)
                )
            })
            .unwrap_or_default();
        format!("{}{days}", labels::time_frame_text(c.base.time_frame()))
    });

    let table = move || {
        let c = compared.get()?;
        let figures: Vec<Option<Figures>> = c
            .rows
            .iter()
            .map(|r| match r {
                Row::Ready(resp) => Some(Figures::of(&resp.data.summary)),
                _ => None,
            })
            .collect();
        let marks: Vec<Vec<bool>> = Column::ALL
            .iter()
            .map(|col| bests(&figures, *col))
            .collect();
        let rows = c
            .ids
            .iter()
            .zip(&c.rows)
            .enumerate()
            .map(|(i, (&id, row))| {
                // One cell type for every row (a row that has no numbers yet, or failed, is
                // one wide cell): a single view type keeps the download small.
                let cells: Vec<(Option<Column>, String, bool)> = match row {
                    Row::Ready(_) => Column::ALL
                        .iter()
                        .enumerate()
                        .map(|(k, col)| {
                            let fig = figures[i].unwrap_or(Figures { instances: 0, purchases: 0, revenue_cents: 0 });
                            let text = match (col, fig.number(*col)) {
                                (_, None) => "—".to_owned(),
                                (Column::Instances | Column::Purchases, Some(v)) => format::count(v as u64),
                                (Column::Conversion, Some(v)) => format::percent(v),
                                (_, Some(v)) => format::money(v),
                            };
                            (Some(*col), text, marks[k][i])
                        })
                        .collect(),
                    Row::Loading => vec![(None, "Loading…".to_owned(), false)],
                    Row::Failed(title) => vec![(None, title.clone(), false)],
                };
                let failed = matches!(row, Row::Failed(_));
                let cells = cells
                    .into_iter()
                    .map(|(col, text, best)| {
                        view! {
                            <td
                                data-column=col.map(Column::key)
                                data-best=best.then_some("true")
                                colspan=col.is_none().then_some("5")
                                class:best=best
                                class:field-error=failed
                            >
                                {text}
                                {best.then(|| view! { <span class="best-mark" title="Best of the column">" ★"<span class="visually-hidden">" (best)"</span></span> })}
                            </td>
                        }
                    })
                    .collect_view();
                view! {
                    <tr data-testid="compare-campaign-row" data-campaign-id=id.to_string()>
                        <th scope="row">
                            <NicknameField id=id nicknames=nicknames/>
                            <code class="compare-id">{id.to_string()}</code>
                        </th>
                        {cells}
                    </tr>
                }
            })
            .collect_view();
        Some(view! {
            <p class="muted" data-testid="compare-period">{period_text}</p>
            <div class="table-wrap">
                <table class="compare-table">
                    <thead>
                        <tr>
                            <th scope="col">"Campaign"</th>
                            {Column::ALL.iter().map(|c| view! { <th scope="col">{c.label()}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        })
    };

    let series = Signal::derive(move || {
        compared.with(|c| {
            let Some(c) = c else { return Vec::new() };
            let names = nicknames.get();
            c.ids
                .iter()
                .zip(&c.rows)
                .filter_map(|(id, row)| match row {
                    Row::Ready(r) => {
                        Some((id.to_string(), names.name_of(*id), r.data.series.clone()))
                    }
                    _ => None,
                })
                .collect()
        })
    });
    let bucket = Signal::derive(move || {
        compared.with(|c| {
            c.as_ref()
                .map_or(Bucket::Day, |c| Bucket::of(c.base.time_frame()))
        })
    });

    view! {
        <section class="panel compare" data-testid="campaign-compare" hidden=Signal::derive(move || shown.with(Option::is_none))>
            <div class="compare-head">
                <h2>"Compare campaigns"</h2>
                <button type="button" class="button secondary small" aria-expanded=Signal::derive(move || open.get().to_string()) data-testid="compare-toggle" on:click=toggle>
                    {Signal::derive(move || if open.get() { "Close" } else { "Compare with other campaigns" }.to_owned())}
                </button>
            </div>
            <Show when=move || open.get()>
                <p class="help">
                    "Two to four campaigns over the period on screen, one request each unless cached. Nicknames stay in this browser and are never sent."
                </p>
                <datalist id="compare-known">{known}</datalist>
                <form class="compare-picks" on:submit=move |ev| { ev.prevent_default(); run(); }>
                    {pick_fields}
                    <div class="actions">
                        <button type="submit" class="button primary" data-testid="compare-run" disabled=Signal::derive(move || !can_run())>
                            "Compare"
                        </button>
                        <p class="help cost" data-testid="request-cost" aria-live="polite">{cost_text}</p>
                    </div>
                </form>
                {table}
                <CompareChart series=series bucket=bucket metric=metric/>
            </Show>
        </section>
    }
}

/// A campaign's nickname, edited in place (`compare-nickname`); saved in this browser when
/// the field is left, or its error shown.
#[component]
fn NicknameField(id: Uuid, nicknames: RwSignal<Nicknames>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let save = move |text: String| {
        let mut next = nicknames.get_untracked();
        match next.set(id, &text) {
            Ok(()) => {
                save_nicknames(&next);
                nicknames.set(next);
                error.set(None);
            }
            Err(e) => error.set(Some(e.message())),
        }
    };
    view! {
        <input
            type="text"
            class="compare-nickname"
            data-testid="compare-nickname"
            placeholder="Nickname"
            aria-label=format!("Nickname of campaign {id}")
            maxlength="60"
            prop:value=Signal::derive(move || nicknames.with(|n| n.get(id).unwrap_or_default().to_owned()))
            on:change=move |ev| save(event_target_value(&ev))
        />
        {error_line("nickname", error.into())}
    }
}

use chart::CompareChart;
