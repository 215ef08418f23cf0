//! The query form: campaign, period, purchase filter, page size, and the Run button.
//!
//! Every keystroke is checked with the shared validator ([`FormState::validate`]); each
//! error shows under its own field as `field-error-<field>`, where a hand-edited URL's and
//! a server 400's errors land too. Run stays disabled while anything is wrong, and while
//! the very same query is already on its way (no double submit).

use crate::contract::{Field, PurchaseFilter, TimeFrame};
use leptos::prelude::*;

use super::app::{filter_text, time_frame_text, Dash};
use super::url_state::{is_offered_page_size, FormState, PAGE_SIZES};

/// The inline error of `field`, if any, with the id inputs point at.
fn field_error(dash: Dash, field: Field) -> impl IntoView {
    let name = field.name();
    move || {
        dash.field_error(field).map(|message| {
            view! {
                <p class="field-error" id=format!("error-{name}") data-testid=format!("field-error-{name}")>
                    {message}
                </p>
            }
        })
    }
}

/// `aria-invalid` of a field's input.
fn invalid(dash: Dash, field: Field) -> impl Fn() -> String + Send + Sync + Copy + 'static {
    move || dash.field_error(field).is_some().to_string()
}

/// Updates one field as the user types.
fn set(dash: Dash, field: Field, value: String) {
    dash.form.update(|f| f.set(field, value));
    dash.edited(field);
    if field == Field::TimeFrame {
        // The dates' own errors only matter once they are visible.
        dash.form.with_untracked(|f: &FormState| {
            if f.time_frame != "custom_range" {
                dash.external.update(|errors| {
                    errors.retain(|e| e.field != "start_date" && e.field != "end_date")
                });
            }
        });
    }
}

/// The form.
#[component]
pub fn QueryForm(dash: Dash) -> impl IntoView {
    let value = move |field: Field| move || dash.form.with(|f| f.get(field).to_owned());
    let is_custom = Memo::new(move |_| dash.form.with(|f| f.time_frame == "custom_range"));
    let runnable = Memo::new(move |_| dash.runnable());
    let busy = move || {
        runnable.with(|r| r.as_ref().is_ok_and(|q| dash.is_in_flight(q)))
    };
    let hint = move || match runnable.get() {
        Err(reason) => Some(reason),
        Ok(_) if busy() => Some("Running…".to_owned()),
        Ok(_) => None,
    };

    // One memo per select, so typing in another field does not rebuild its options.
    let time_frame = Memo::new(move |_| dash.form.with(|f| f.time_frame.clone()));
    let is_purchase = Memo::new(move |_| dash.form.with(|f| f.is_purchase.clone()));
    let limit = Memo::new(move |_| dash.form.with(|f| f.limit.clone()));

    let time_frame_options = move || {
        let current = time_frame.get();
        let unknown = TimeFrame::parse(&current).is_none();
        let placeholder = unknown.then(|| {
            view! { <option value="" disabled=true selected=true>"Choose a period"</option> }
        });
        let options = TimeFrame::ALL
            .into_iter()
            .map(|t| {
                let selected = t.as_str() == current;
                view! { <option value=t.as_str() selected=selected>{time_frame_text(t)}</option> }
            })
            .collect_view();
        view! { {placeholder} {options} }
    };
    let filter_options = move || {
        let current = is_purchase.get();
        let unknown = PurchaseFilter::parse(&current).is_none();
        let placeholder = unknown.then(|| {
            view! { <option value="" disabled=true selected=true>"Choose a filter"</option> }
        });
        let options = PurchaseFilter::ALL
            .into_iter()
            .map(|p| {
                let selected = p.as_str() == current;
                view! { <option value=p.as_str() selected=selected>{filter_text(p)}</option> }
            })
            .collect_view();
        view! { {placeholder} {options} }
    };
    let size_options = move || {
        let current = limit.get();
        let mut sizes: Vec<String> = PAGE_SIZES.iter().map(u32::to_string).collect();
        if !is_offered_page_size(&current) {
            // A link may carry another size (valid or not): offer it as it is, so the
            // select shows the truth and the error under it makes sense.
            sizes.push(current.clone());
        }
        sizes
            .into_iter()
            .map(|s| {
                let selected = s == current;
                let label = format!("{s} per page");
                view! { <option value=s selected=selected>{label}</option> }
            })
            .collect_view()
    };
    let recent = move || {
        dash.recent
            .get()
            .into_iter()
            .map(|id| view! { <option value=id></option> })
            .collect_view()
    };
    let warnings = move || {
        let warnings = dash.warnings.get();
        (!warnings.is_empty()).then(|| {
            view! {
                <ul class="warnings" aria-label="Notes about the link">
                    {warnings.into_iter().map(|w| view! { <li>{w.message}</li> }).collect_view()}
                </ul>
            }
        })
    };

    view! {
        <form
            class="panel"
            aria-labelledby="query-title"
            novalidate=true
            on:submit=move |ev| {
                ev.prevent_default();
                dash.run_form();
            }
        >
            <h2 id="query-title">"Query"</h2>
            <div class="field">
                <label for="campaign-id">"Campaign id"</label>
                <input
                    id="campaign-id"
                    type="text"
                    class="mono"
                    data-testid="campaign-id"
                    list="recent-campaigns"
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    placeholder="123e4567-e89b-12d3-a456-426614174000"
                    prop:value=value(Field::CampaignId)
                    aria-invalid=invalid(dash, Field::CampaignId)
                    aria-describedby="error-campaign_id"
                    on:input=move |ev| set(dash, Field::CampaignId, event_target_value(&ev))
                />
                <datalist id="recent-campaigns">{recent}</datalist>
                {field_error(dash, Field::CampaignId)}
            </div>
            <div class="field">
                <label for="time-frame">"Period"</label>
                <select
                    id="time-frame"
                    data-testid="time-frame"
                    aria-invalid=invalid(dash, Field::TimeFrame)
                    aria-describedby="error-time_frame"
                    on:change=move |ev| set(dash, Field::TimeFrame, event_target_value(&ev))
                >
                    {time_frame_options}
                </select>
                {field_error(dash, Field::TimeFrame)}
            </div>
            <Show when=move || is_custom.get()>
                <div class="field-row">
                    <div class="field">
                        <label for="start-date">"From"</label>
                        <input
                            id="start-date"
                            type="date"
                            data-testid="start-date"
                            prop:value=value(Field::StartDate)
                            aria-invalid=invalid(dash, Field::StartDate)
                            aria-describedby="error-start_date"
                            on:input=move |ev| set(dash, Field::StartDate, event_target_value(&ev))
                        />
                        {field_error(dash, Field::StartDate)}
                    </div>
                    <div class="field">
                        <label for="end-date">"To (inclusive)"</label>
                        <input
                            id="end-date"
                            type="date"
                            data-testid="end-date"
                            prop:value=value(Field::EndDate)
                            aria-invalid=invalid(dash, Field::EndDate)
                            aria-describedby="error-end_date"
                            on:input=move |ev| set(dash, Field::EndDate, event_target_value(&ev))
                        />
                        {field_error(dash, Field::EndDate)}
                    </div>
                </div>
            </Show>
            <div class="field-row">
                <div class="field">
                    <label for="is-purchase">"Instances"</label>
                    <select
                        id="is-purchase"
                        data-testid="is-purchase"
                        aria-invalid=invalid(dash, Field::IsPurchase)
                        aria-describedby="error-is_purchase"
                        on:change=move |ev| set(dash, Field::IsPurchase, event_target_value(&ev))
                    >
                        {filter_options}
                    </select>
                    {field_error(dash, Field::IsPurchase)}
                </div>
                <div class="field">
                    <label for="page-size">"Page size"</label>
                    <select
                        id="page-size"
                        data-testid="page-size"
                        aria-invalid=invalid(dash, Field::Limit)
                        aria-describedby="error-limit"
                        on:change=move |ev| set(dash, Field::Limit, event_target_value(&ev))
                    >
                        {size_options}
                    </select>
                    {field_error(dash, Field::Limit)}
                </div>
            </div>
            {field_error(dash, Field::Page)}
            {warnings}
            <div class="actions">
                <button
                    type="submit"
                    class="button primary"
                    data-testid="run-query"
                    disabled=move || runnable.with(Result::is_err) || busy()
                    aria-describedby="run-hint"
                >
                    {move || if busy() { "Running…" } else { "Run query" }}
                </button>
                <p class="help" id="run-hint" role="status">{hint}</p>
            </div>
        </form>
    }
}
