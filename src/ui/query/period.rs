//! Periods (contract §5): the `period-preset` select, which fills the form's time frame and
//! dates; and, over the answer on screen, `period-prev` / `period-next` (the period of the
//! same length before or after) and `compare-previous`. Each says what it will cost.
//! The rules themselves are the engine's ([`crate::engine::period`]).

use crate::contract::{Field, Period, TimeFrame};
use crate::engine::period::{self, Direction, Preset};
use chrono::{Days, NaiveDate};
use leptos::prelude::*;

use crate::ui::state::url_state::FormState;
use crate::ui::state::{Comparison, Dash};

/// The period the form describes, when it describes one.
pub fn form_period(form: &FormState) -> Option<Period> {
    let mut first = form.clone();
    first.page = "1".to_owned();
    first.limit = "50".to_owned();
    first.is_purchase = "all".to_owned();
    if first.campaign_id.trim().is_empty() {
        first.campaign_id = uuid::Uuid::nil().hyphenated().to_string();
    }
    first.validate().query().map(|q| q.period())
}

/// Fills `form`'s time frame and dates with `preset` on `today`.
///
/// ```
/// use campaign_analytics::engine::period::Preset;
/// use campaign_analytics::ui::query::period::apply_preset;
/// use campaign_analytics::ui::state::url_state::FormState;
/// let mut form = FormState::default();
/// apply_preset(&mut form, Preset::LastMonth, "2026-03-10".parse().unwrap());
/// assert_eq!((form.time_frame.as_str(), form.start_date.as_str(), form.end_date.as_str()),
///            ("custom_range", "2026-02-01", "2026-02-28"));
/// apply_preset(&mut form, Preset::Last24Hours, "2026-03-10".parse().unwrap());
/// assert_eq!(form.time_frame, "per_hour");
/// ```
pub fn apply_preset(form: &mut FormState, preset: Preset, today: NaiveDate) {
    let period = preset.period(today).or_else(|| {
        // "Custom": keep the days shown, or offer the last 7 days to edit.
        let days = form_period(form)
            .and_then(|p| period::days_of(p, today))
            .or_else(|| Some((today.checked_sub_days(Days::new(6))?, today)))?;
        crate::contract::DateRange::new(days.0, days.1).map(Period::CustomRange)
    });
    match period {
        Some(Period::CustomRange(range)) => {
            form.time_frame = TimeFrame::CustomRange.as_str().to_owned();
            form.start_date = range.start().to_string();
            form.end_date = range.end().to_string();
        }
        Some(other) => {
            form.time_frame = other.time_frame().as_str().to_owned();
        }
        None => form.time_frame = TimeFrame::CustomRange.as_str().to_owned(),
    }
}

/// The preset select, for the form.
#[component]
pub fn PresetSelect(dash: Dash) -> impl IntoView {
    let current = Memo::new(move |_| {
        let today = dash.today();
        dash.form.with(|f| {
            form_period(f)
                .map(|p| period::preset_of(p, today))
                .unwrap_or(Preset::Custom)
        })
    });
    let on_change = move |ev: leptos::ev::Event| {
        let Some(preset) = Preset::parse(&event_target_value(&ev)) else {
            return;
        };
        let today = dash.today();
        dash.form.update(|f| apply_preset(f, preset, today));
        for field in [Field::TimeFrame, Field::StartDate, Field::EndDate] {
            dash.edited(field);
        }
    };
    view! {
        <div class="field">
            <label for="period-preset">"Period"</label>
            <select id="period-preset" data-testid="period-preset" aria-describedby="utc-note" on:change=on_change>
                {Preset::ALL
                    .into_iter()
                    .map(|p| view! { <option value=p.as_str() selected=move || current.get() == p>{p.label()}</option> })
                    .collect_view()}
            </select>
            <p class="help" id="utc-note">"Days are whole UTC days (00:00–24:00 UTC)."</p>
        </div>
    }
}

/// Previous / next period and the comparison, over the answer on screen.
#[component]
pub fn PeriodBar(dash: Dash) -> impl IntoView {
    let step = move |direction: Direction| {
        let target = Memo::new(move |_| dash.stepped(direction));
        let title = Signal::derive(move || match target.get() {
            Ok(query) if dash.is_cached(&query) => {
                format!("{} · cached, free", direction_words(direction))
            }
            Ok(_) => format!("{} · costs 1 request", direction_words(direction)),
            Err(problem) => problem.text().to_owned(),
        });
        let (testid, text) = match direction {
            Direction::Back => ("period-prev", "‹ Previous period"),
            Direction::Forward => ("period-next", "Next period ›"),
        };
        view! {
            <button
                type="button"
                class="button ghost small"
                data-testid=testid
                title=title
                disabled=Signal::derive(move || target.with(Result::is_err))
                on:click=move |_| dash.step_period(direction)
            >
                {text}
            </button>
        }
    };
    let hourly = Signal::derive(move || dash.shown_is_hourly());
    // What ticking the box will cost, said beside it.
    let compare_note = Signal::derive(move || {
        if hourly.get() {
            return period::StepProblem::Hourly.text().to_owned();
        }
        match dash.comparison.get() {
            Comparison::Skipped => {
                "Not enough requests left for the previous period: it was skipped.".to_owned()
            }
            Comparison::Unavailable(reason) => reason.to_owned(),
            Comparison::Failed(title) => {
                format!("The previous period could not be loaded: {title}")
            }
            Comparison::Loading => "Loading the previous period…".to_owned(),
            Comparison::Ready { query, .. } => period::days_of(query.period(), dash.today())
                .map(|(a, b)| format!("Against {a} – {b} (UTC)"))
                .unwrap_or_default(),
            Comparison::Off => {
                let shown = dash.phase.with(|p| p.shown().map(|s| s.query));
                match shown.map(|q| dash.previous_of(&q)) {
                    Some(Ok(previous)) if dash.is_cached(&previous) => "Cached: free".to_owned(),
                    Some(Ok(_)) => "Costs 1 request".to_owned(),
                    _ => String::new(),
                }
            }
        }
    });
    let hidden = Signal::derive(move || dash.phase.with(|p| p.shown().is_none()));
    view! {
        <div class="period-bar" hidden=hidden>
            {step(Direction::Back)}
            {step(Direction::Forward)}
            <label class="check compare">
                <input
                    type="checkbox"
                    data-testid="compare-previous"
                    aria-describedby="compare-note"
                    prop:checked=dash.compare
                    disabled=hourly
                    on:change=move |ev| dash.set_compare(event_target_checked(&ev))
                />
                "Compare with the previous period"
            </label>
            <span class="help" id="compare-note" data-testid="compare-note">{compare_note}</span>
        </div>
    }
}

fn direction_words(direction: Direction) -> &'static str {
    match direction {
        Direction::Back => "The period of the same length before ([)",
        Direction::Forward => "The period of the same length after (])",
    }
}
