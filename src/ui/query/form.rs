//! The query form: campaign, period, purchase filter, page size, and the Run button.
//!
//! Every keystroke is checked with the shared validator ([`FormState::validate`]); each
//! error shows under its own field as `field-error-<field>`, where a hand-edited URL's and
//! a server 400's errors land too. Run stays disabled while anything is wrong; while the
//! very same query is already on its way, a second Run (a click, Enter in a field) is
//! dropped (no double submit).

use crate::contract::{Field, PurchaseFilter, TimeFrame};
use leptos::prelude::*;

use crate::ui::state::url_state::{FormState, PAGE_SIZES};
use crate::ui::state::Dash;
use crate::ui::text::labels::{filter_text, time_frame_text};
use crate::ui::widgets::{error_line, options, SelectOption};

use super::cost::RunCost;
use super::period::PresetSelect;

/// The inline error of a form field.
fn field_error(dash: Dash, field: Field) -> impl IntoView {
    error_line(
        field.name(),
        Signal::derive(move || dash.field_error(field)),
    )
}

/// `aria-invalid` of a form field's input.
fn invalid(dash: Dash, field: Field) -> Signal<String> {
    Signal::derive(move || dash.field_error(field).is_some().to_string())
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

/// What differs between the form's inputs. One helper renders them all, so the page
/// carries one copy of the rendering code rather than one per input.
#[derive(Clone, Copy)]
struct Spec {
    field: Field,
    /// The element id and `data-testid`.
    id: &'static str,
    label: &'static str,
    /// `text` or `date` for inputs.
    kind: &'static str,
    placeholder: &'static str,
    /// A datalist id, or empty.
    list: &'static str,
    class: &'static str,
}

/// A labelled input bound to a form field, with its inline error.
fn input_field(dash: Dash, spec: Spec) -> impl IntoView {
    let Spec {
        field,
        id,
        label,
        kind,
        placeholder,
        list,
        class,
    } = spec;
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type=kind
                class=class
                data-testid=id
                list=(!list.is_empty()).then_some(list)
                autocomplete="off"
                spellcheck="false"
                placeholder=placeholder
                prop:value=Signal::derive(move || dash.form.with(|f| f.get(field).to_owned()))
                aria-invalid=invalid(dash, field)
                aria-describedby=format!("error-{}", field.name())
                on:input=move |ev| set(dash, field, event_target_value(&ev))
            />
            {field_error(dash, field)}
        </div>
    }
}

/// A labelled select bound to a form field, with its inline error.
fn select_field(dash: Dash, spec: Spec, options: Signal<Vec<SelectOption>>) -> impl IntoView {
    let Spec {
        field, id, label, ..
    } = spec;
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select
                id=id
                data-testid=id
                aria-invalid=invalid(dash, field)
                aria-describedby=format!("error-{}", field.name())
                on:change=move |ev| set(dash, field, event_target_value(&ev))
            >
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|(value, label, selected, disabled)| {
                            view! { <option value=value selected=selected disabled=disabled>{label}</option> }
                        })
                        .collect_view()
                }}
            </select>
            {field_error(dash, field)}
        </div>
    }
}

/// The form.
#[component]
pub fn QueryForm(dash: Dash) -> impl IntoView {
    let is_custom = Signal::derive(move || dash.form.with(|f| f.time_frame == "custom_range"));
    let runnable = Memo::new(move |_| dash.runnable());
    let busy = move || runnable.with(|r| r.as_ref().is_ok_and(|q| dash.is_in_flight(q)));
    let hint = Signal::derive(move || match runnable.get() {
        Err(reason) => reason,
        Ok(_) if busy() => "Running…".to_owned(),
        Ok(_) => String::new(),
    });

    // One memo per select, so typing in another field does not rebuild its options.
    let time_frames: Vec<(String, String)> = TimeFrame::ALL
        .into_iter()
        .map(|t| (t.as_str().to_owned(), time_frame_text(t).to_owned()))
        .collect();
    let filters: Vec<(String, String)> = PurchaseFilter::ALL
        .into_iter()
        .map(|p| (p.as_str().to_owned(), filter_text(p).to_owned()))
        .collect();
    let sizes: Vec<(String, String)> = PAGE_SIZES
        .iter()
        .map(|s| (s.to_string(), format!("{s} per page")))
        .collect();
    let time_frame_options = Memo::new(move |_| {
        dash.form
            .with(|f| options(&f.time_frame, &time_frames, Some("Choose a period")))
    });
    let filter_options = Memo::new(move |_| {
        dash.form
            .with(|f| options(&f.is_purchase, &filters, Some("Choose a filter")))
    });
    let size_options = Memo::new(move |_| dash.form.with(|f| options(&f.limit, &sizes, None)));

    let spec = |field, id, label| Spec {
        field,
        id,
        label,
        kind: "date",
        placeholder: "",
        list: "",
        class: "",
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
            {input_field(dash, Spec {
                kind: "text",
                placeholder: "123e4567-e89b-12d3-a456-426614174000",
                list: "recent-campaigns",
                class: "mono",
                ..spec(Field::CampaignId, "campaign-id", "Campaign id")
            })}
            <datalist id="recent-campaigns">{recent}</datalist>
            <PresetSelect dash=dash/>
            {select_field(dash, spec(Field::TimeFrame, "time-frame", "Time frame"), time_frame_options.into())}
            <div class="field-row" hidden=Signal::derive(move || !is_custom.get())>
                {input_field(dash, spec(Field::StartDate, "start-date", "From"))}
                {input_field(dash, spec(Field::EndDate, "end-date", "To (inclusive)"))}
            </div>
            <div class="field-row">
                {select_field(dash, spec(Field::IsPurchase, "is-purchase", "Instances"), filter_options.into())}
                {select_field(dash, spec(Field::Limit, "page-size", "Page size"), size_options.into())}
            </div>
            {field_error(dash, Field::Page)}
            {warnings}
            <div class="actions">
                <button
                    type="submit"
                    class="button primary"
                    data-testid="run-query"
                    // While its query is in flight Run stays pressable (Enter in a field
                    // submits the form): the in-flight guard of `run_form` drops the
                    // double submit, and the button says so.
                    disabled=Signal::derive(move || runnable.with(Result::is_err))
                    aria-disabled=Signal::derive(move || busy().to_string())
                    aria-describedby="run-hint"
                >
                    {Signal::derive(move || if busy() { "Running…" } else { "Run query" }.to_owned())}
                </button>
                <p class="help" id="run-hint" role="status">{hint}</p>
            </div>
            <RunCost dash=dash/>
        </form>
    }
}
