//! The summary cards: the window's totals, whatever the purchase filter lists.

use crate::api::types::{AnalyticsResponse, Summary};
use leptos::prelude::*;
use std::sync::Arc;

use super::format;

/// The text of each card, in display order: `(label, data-testid, value)`.
///
/// ```
/// use campaign_analytics::api::types::Summary;
/// use campaign_analytics::ui::summary::card_values;
/// let s = Summary { total_instances: 234, purchase_instances: 70, non_purchase_instances: 164,
///                   total_revenue: 5397.0, conversion_rate: 70.0 / 234.0 };
/// let cards = card_values(&s);
/// assert_eq!(cards[4].2, "29.9%");
/// assert_eq!(cards[5].2, "$77.10");
/// ```
pub fn card_values(s: &Summary) -> [(&'static str, &'static str, String); 6] {
    [
        (
            "Total instances",
            "summary-total-instances",
            format::count(s.total_instances),
        ),
        (
            "Purchases",
            "summary-purchase-instances",
            format::count(s.purchase_instances),
        ),
        (
            "Non-purchases",
            "summary-non-purchase-instances",
            format::count(s.non_purchase_instances),
        ),
        (
            "Revenue",
            "summary-total-revenue",
            format::money(s.total_revenue),
        ),
        (
            "Conversion rate",
            "summary-conversion-rate",
            format::percent(s.conversion_rate),
        ),
        (
            "Average revenue per purchase",
            "summary-average-revenue",
            format::average_per_purchase(s.total_revenue, s.purchase_instances)
                .map(format::money)
                .unwrap_or_else(|| "—".to_owned()),
        ),
    ]
}

/// The labels of the cards, in order (shown with placeholders while loading).
const LABELS: [(&str, &str); 6] = [
    ("Total instances", "summary-total-instances"),
    ("Purchases", "summary-purchase-instances"),
    ("Non-purchases", "summary-non-purchase-instances"),
    ("Revenue", "summary-total-revenue"),
    ("Conversion rate", "summary-conversion-rate"),
    ("Average revenue per purchase", "summary-average-revenue"),
];

/// Six cards over the answer's `summary`; placeholders while the first answer loads.
/// Each card is a labelled group, so a screen reader reads "Revenue, $5,397.00".
#[component]
pub fn SummaryCards(
    /// The answer shown, if any.
    #[prop(into)]
    response: Signal<Option<Arc<AnalyticsResponse>>>,
    /// Whether a request is in flight.
    #[prop(into)]
    loading: Signal<bool>,
) -> impl IntoView {
    let cards = move || {
        response.with(|r| match r {
            Some(r) => card_values(&r.data.summary)
                .into_iter()
                .map(|(label, id, value)| {
                    view! {
                        <div class="card" role="group" aria-label=label>
                            <span class="card-label">{label}</span>
                            <span class="card-value" data-testid=id>{value}</span>
                        </div>
                    }
                })
                .collect_view()
                .into_any(),
            None if loading.get() => LABELS
                .into_iter()
                .map(|(label, id)| {
                    view! {
                        <div class="card" role="group" aria-label=label aria-busy="true">
                            <span class="card-label">{label}</span>
                            <span class="card-value skeleton" data-testid=id>
                                <span class="visually-hidden">"Loading"</span>
                            </span>
                        </div>
                    }
                })
                .collect_view()
                .into_any(),
            None => ().into_any(),
        })
    };
    view! {
        <section class="cards" aria-label="Summary" class:stale=move || loading.get()>
            {cards}
        </section>
    }
}
