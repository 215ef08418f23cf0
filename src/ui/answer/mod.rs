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

use crate::engine::period;
use leptos::prelude::*;

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
