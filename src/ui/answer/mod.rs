//! The answer on screen: the heading and where the data came from ([`source`]), the cards
//! ([`summary`]), the chart ([`chart`]), the table ([`table`]) and its pages
//! ([`pagination`]), the CSV export ([`csv`]), and every failure ([`error_banner`]).

pub mod chart;
pub mod consistency;
pub mod csv;
pub mod error_banner;
pub mod pagination;
pub mod source;
pub mod summary;
pub mod table;

use crate::api::types::AnalyticsResponse;
use crate::engine::period;
use leptos::prelude::*;
use std::sync::Arc;

use super::state::Dash;
use super::text::{format, labels};

/// The heading above the results: which campaign, which period, in whole UTC days.
#[component]
pub fn ResultsHeading(dash: Dash) -> impl IntoView {
    move || {
        dash.phase.with(|p| {
            let shown = p.shown()?;
            let r = &shown.response;
            let today = dash.today();
            let days = period::days_of(shown.query.period(), today).map(|(a, b)| {
                format!("{} – {} (UTC days)", format::utc_day(a), format::utc_day(b))
            });
            let window = days.or_else(|| {
                r.data.window.map(|w| {
                    format!(
                        "{} – {} (UTC)",
                        format::utc_time(w.start),
                        format::utc_time(w.end)
                    )
                })
            });
            let preset = period::preset_of(shown.query.period(), today);
            let what = if preset == period::Preset::Custom {
                labels::time_frame_text(r.data.time_frame).to_owned()
            } else {
                preset.label().to_owned()
            };
            Some(view! {
                <div class="results-heading">
                    <h2>"Campaign " <code>{r.data.campaign_id.hyphenated().to_string()}</code></h2>
                    <p class="muted" data-testid="period-days">
                        {what}
                        {window.map(|w| view! { " · " <span>{w}</span> })}
                    </p>
                </div>
            })
        })
    }
}

/// The comparison of a memo of the answer on screen that tells its view only of what the
/// view shows: whether `new` differs from `old` by `differs` (two answers), or one of them
/// is missing. A memo's first value (`old` is `None`) is always news.
///
/// ```
/// use campaign_analytics::ui::answer::answer_changed;
/// let same = |_: &_, _: &_| false;
/// assert!(answer_changed(None, Some(&None), same));
/// assert!(!answer_changed(Some(&None), Some(&None), same));
/// ```
pub fn answer_changed(
    old: Option<&Option<Arc<AnalyticsResponse>>>,
    new: Option<&Option<Arc<AnalyticsResponse>>>,
    differs: impl Fn(&AnalyticsResponse, &AnalyticsResponse) -> bool,
) -> bool {
    match (old, new) {
        (Some(Some(a)), Some(Some(b))) => differs(a, b),
        (Some(a), Some(b)) => a.is_some() != b.is_some(),
        _ => true,
    }
}
