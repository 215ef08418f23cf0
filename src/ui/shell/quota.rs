//! The partner's remaining request quota, from the last authenticated answer's
//! `X-RateLimit-*` headers.

use crate::api::reply::Quota;
use leptos::prelude::*;

use crate::ui::text::format;

/// "148 of 150 requests left".
///
/// ```
/// use campaign_analytics::api::reply::Quota;
/// use campaign_analytics::ui::shell::quota::remaining_text;
/// let q = Quota { limit: 150, remaining: 148, reset_at: None };
/// assert_eq!(remaining_text(&q), "148 of 150 requests left");
/// ```
pub fn remaining_text(q: &Quota) -> String {
    format!(
        "{} of {} {} left",
        format::count(q.remaining),
        format::count(q.limit),
        if q.limit == 1 { "request" } else { "requests" }
    )
}

/// Whether the quota is nearly spent (a tenth or less left).
pub fn is_low(q: &Quota) -> bool {
    q.remaining.saturating_mul(10) <= q.limit
}

/// The quota display in the header.
#[component]
pub fn QuotaBadge(
    /// The last known quota.
    #[prop(into)]
    quota: Signal<Option<Quota>>,
    /// Requests this page has spent.
    #[prop(into, optional)]
    spent: Signal<u64>,
) -> impl IntoView {
    let spent_text = Signal::derive(move || match spent.get() {
        0 => String::new(),
        1 => "1 spent here".to_owned(),
        n => format!("{} spent here", format::count(n)),
    });
    // Derived signals rather than closures: every `Signal<String>` in the page shares one
    // copy of the rendering code, which keeps the download small.
    let text = Signal::derive(move || {
        quota.with(|q| match q {
            Some(q) => remaining_text(q),
            None => "Quota: known after the first query".to_owned(),
        })
    });
    let reset = Signal::derive(move || {
        quota.with(|q| {
            q.and_then(|q| q.reset_at)
                .map(|at| format!("resets at {}", format::clock(at)))
                .unwrap_or_default()
        })
    });
    let low = Signal::derive(move || quota.with(|q| q.as_ref().is_some_and(is_low)));
    view! {
        <div
            class="quota"
            class:quota-low=low
            aria-label="Request quota"
            role="status"
        >
            <span data-testid="rate-limit-remaining">{text}</span>
            <span class="quota-reset" data-testid="rate-limit-reset">{reset}</span>
            <span class="quota-spent" data-testid="requests-spent">{spent_text}</span>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_means_a_tenth_or_less() {
        let q = |remaining| Quota {
            limit: 150,
            remaining,
            reset_at: None,
        };
        assert!(is_low(&q(15)));
        assert!(!is_low(&q(16)));
        assert!(is_low(&q(0)));
        assert_eq!(
            remaining_text(&Quota {
                limit: 1,
                remaining: 0,
                reset_at: None
            }),
            "0 of 1 request left"
        );
    }
}
