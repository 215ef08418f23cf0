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
/// assert_eq!(cards[5].0, "Revenue per purchase");
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
            "Revenue per purchase",
            "summary-average-revenue",
            format::average_per_purchase(s.total_revenue, s.purchase_instances)
                .map(format::money)
                .unwrap_or_else(|| "—".to_owned()),
        ),
    ]
}

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
    // One shape for both states (values, or placeholders while the first answer loads),
    // so the page carries one copy of the rendering code.
    let cards =
        move || {
            let loading = loading.get();
            response.with(|r| {
                let values = match r {
                    Some(r) => card_values(&r.data.summary).map(|(l, id, v)| (l, id, Some(v))),
                    None if loading => {
                        card_values(&Summary::default()).map(|(l, id, _)| (l, id, None))
                    }
                    None => return Vec::new(),
                };
                values
                .into_iter()
                .map(|(label, id, value)| {
                    let busy = value.is_none();
                    let class = if busy { "card-value skeleton" } else { "card-value" };
                    let value = value.unwrap_or_else(|| "\u{a0}".to_owned());
                    view! {
                        <div class="card" role="group" aria-label=label aria-busy=busy.to_string()>
                            <span class="card-label">{label}</span>
                            <span class=class data-testid=id>{value}</span>
                        </div>
                    }
                })
                .collect::<Vec<_>>()
            })
        };
    let stale = Signal::derive(move || loading.get() && response.with(Option::is_some));
    view! {
        <section class="cards" aria-label="Summary" class:stale=stale>
            {cards}
        </section>
    }
}
