//! Where the answer on screen came from (`response-source`: live, or cached and how old)
//! and `refresh`, which asks the server again — one request, said on the button.

use crate::engine::Source;
use leptos::prelude::*;

use crate::ui::state::Dash;
use crate::ui::text::format;

/// "Live · fetched at 12:03" or "Cached · fetched 2 min ago, no request spent".
///
/// ```
/// use campaign_analytics::engine::Source;
/// use campaign_analytics::ui::answer::source::source_text;
/// let t = source_text(Source::Cached { at_ms: 1_000_000 }, 1_000 + 125);
/// assert_eq!(t, "Cached · fetched 3 min ago, no request spent");
/// assert!(source_text(Source::Live { at_ms: 1_000_000 }, 1_001).starts_with("Live · fetched at "));
/// ```
pub fn source_text(source: Source, now_secs: i64) -> String {
    match source {
        Source::Live { at_ms } => format!("Live · fetched at {}", format::clock(at_ms / 1000)),
        Source::Cached { at_ms } => {
            let age = (now_secs - at_ms / 1000).max(0) as u64;
            let ago = if age < 60 {
                "just now".to_owned()
            } else {
                format!("{} ago", format::duration(age))
            };
            format!("Cached · fetched {ago}, no request spent")
        }
    }
}

/// The source line and the refresh button.
#[component]
pub fn SourceLine(dash: Dash) -> impl IntoView {
    let text = Signal::derive(move || {
        dash.phase.with(|p| {
            p.shown()
                .map(|s| source_text(s.source, dash.now_secs.get()))
                .unwrap_or_default()
        })
    });
    let hidden = Signal::derive(move || dash.phase.with(|p| p.shown().is_none()));
    let busy = Signal::derive(move || dash.phase.with(|p| p.is_loading()));
    view! {
        <div class="source-line" hidden=hidden>
            <span class="source" data-testid="response-source" role="status">{text}</span>
            <button
                type="button"
                class="button ghost small"
                data-testid="refresh"
                title="Ask the server again, bypassing the cache (Shift+R)"
                disabled=busy
                on:click=move |_| dash.refresh()
            >
                "Refresh · 1 request"
            </button>
        </div>
    }
}
