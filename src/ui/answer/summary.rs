//! The summary cards: the window's totals, whatever the purchase filter lists, each with
//! its change against the previous period when compare is on (`summary-<card>-change`).
//!
//! A card never cuts a number: a long value (such as `$1,234,567.89`) is shown large in a
//! compact form (`$1.2M`) with the exact value right under it, and the exact value is the
//! one the card's hook (`summary-<card>`) carries.

use crate::api::types::{AnalyticsResponse, Summary};
use crate::engine::period::change_text;
use leptos::prelude::*;
use std::sync::Arc;

use crate::ui::text::format;

/// Values longer than this many characters get the compact form on top.
const LONG: usize = 9;

/// One card: label, hook, exact text, the number behind it (for the change and the
/// compact form; `None` when there is none), and whether it is money.
pub type Card = (&'static str, &'static str, String, Option<f64>, bool);

/// The cards, in display order.
///
/// ```
/// use campaign_analytics::api::types::Summary;
/// use campaign_analytics::ui::answer::summary::cards;
/// let s = Summary { total_instances: 234, purchase_instances: 70, non_purchase_instances: 164,
///                   total_revenue: 5397.0, conversion_rate: 70.0 / 234.0 };
/// let c = cards(&s);
/// assert_eq!(c[4].2, "29.9%");
/// assert_eq!(c[5].2, "$77.10");
/// assert_eq!(c[5].0, "Revenue per purchase");
/// ```
pub fn cards(s: &Summary) -> [Card; 6] {
    let average = format::average_per_purchase(s.total_revenue, s.purchase_instances);
    [
        (
            "Total instances",
            "summary-total-instances",
            format::count(s.total_instances),
            Some(s.total_instances as f64),
            false,
        ),
        (
            "Purchases",
            "summary-purchase-instances",
            format::count(s.purchase_instances),
            Some(s.purchase_instances as f64),
            false,
        ),
        (
            "Non-purchases",
            "summary-non-purchase-instances",
            format::count(s.non_purchase_instances),
            Some(s.non_purchase_instances as f64),
            false,
        ),
        (
            "Revenue",
            "summary-total-revenue",
            format::money(s.total_revenue),
            Some(s.total_revenue),
            true,
        ),
        (
            "Conversion rate",
            "summary-conversion-rate",
            format::percent(s.conversion_rate),
            Some(s.conversion_rate),
            false,
        ),
        (
            "Revenue per purchase",
            "summary-average-revenue",
            average.map(format::money).unwrap_or_else(|| "—".to_owned()),
            average,
            true,
        ),
    ]
}

/// The change texts of each card against `previous` (`None` where a card has no number).
///
/// ```
/// use campaign_analytics::api::types::Summary;
/// use campaign_analytics::ui::answer::summary::changes;
/// let now = Summary { total_instances: 120, purchase_instances: 40, non_purchase_instances: 80,
///                     total_revenue: 1000.0, conversion_rate: 1.0 / 3.0 };
/// let before = Summary { total_instances: 100, purchase_instances: 0, non_purchase_instances: 100,
///                        total_revenue: 0.0, conversion_rate: 0.0 };
/// let c = changes(&now, &before);
/// assert_eq!(c[0].as_deref(), Some("+20.0%"));
/// assert_eq!(c[1].as_deref(), Some("new"));
/// assert_eq!(c[2].as_deref(), Some("\u{2212}20.0%"));
/// assert_eq!(c[5], None); // no purchase before: no average to compare with
/// ```
pub fn changes(current: &Summary, previous: &Summary) -> [Option<String>; 6] {
    let now = cards(current);
    let before = cards(previous);
    std::array::from_fn(|i| match (now[i].3, before[i].3) {
        (Some(a), Some(b)) => Some(change_text(a, b)),
        _ => None,
    })
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
    /// The previous period's summary, when compare is on and it arrived.
    #[prop(into, optional)]
    previous: Signal<Option<Summary>>,
) -> impl IntoView {
    // The answer as the cards see it: a new answer with the same summary (the next page of
    // the same window, a refresh) does not tell them, so they are not rebuilt.
    let answer = Memo::new_with_compare(move |_| response.get(), says_differently);
    let view_cards = move || {
        let previous = previous.get();
        answer.with(|r| {
            let (values, deltas) = match r {
                Some(r) => {
                    let s = &r.data.summary;
                    let deltas = previous.as_ref().map(|p| changes(s, p)).unwrap_or_default();
                    (cards(s).map(Some), deltas)
                }
                // Read only while there is no answer: a request starting or ending while
                // one is shown changes nothing on the cards (the section dims).
                None if loading.get() => (std::array::from_fn(|_| None), Default::default()),
                None => return Vec::new(),
            };
            let labels = cards(&Summary::default());
            values
                .into_iter()
                .zip(labels)
                .zip(deltas)
                .map(|((value, (label, id, ..)), delta)| card(label, id, value, delta))
                .collect::<Vec<_>>()
        })
    };
    let stale = Signal::derive(move || loading.get() && response.with(Option::is_some));
    view! {
        <section class="cards" aria-label="Summary" class:stale=stale>
            {view_cards}
        </section>
    }
}

/// Whether answer `new`'s summary differs from `old`'s.
fn says_differently(
    old: Option<&Option<Arc<AnalyticsResponse>>>,
    new: Option<&Option<Arc<AnalyticsResponse>>>,
) -> bool {
    super::answer_changed(old, new, |a, b| a.data.summary != b.data.summary)
}

/// One card (one shape for every state: one copy of the rendering code).
fn card(
    label: &'static str,
    id: &'static str,
    value: Option<Card>,
    delta: Option<String>,
) -> impl IntoView {
    let busy = value.is_none();
    let (exact, number, money) = match value {
        Some((_, _, exact, number, money)) => (exact, number, money),
        None => ("\u{a0}".to_owned(), None, false),
    };
    let short = number
        .filter(|_| exact.chars().count() > LONG)
        .map(|n| format::compact(n, money));
    let class = match (busy, short.is_some()) {
        (true, _) => "card-value skeleton",
        (false, true) => "card-value card-exact",
        (false, false) => "card-value",
    };
    let delta = delta.map(|text| {
        let tone = if text.starts_with('+') || text == "new" {
            "change up"
        } else if text.starts_with('\u{2212}') {
            "change down"
        } else {
            "change"
        };
        view! {
            <span class=tone data-testid=format!("{id}-change") title="Against the previous period of the same length">
                {text}
            </span>
        }
    });
    view! {
        <div class="card" role="group" aria-label=label aria-busy=busy.to_string()>
            <span class="card-label">{label}</span>
            {short.map(|s| view! { <span class="card-value card-compact" aria-hidden="true">{s}</span> })}
            <span class=class data-testid=id>{exact}</span>
            {delta}
        </div>
    }
}
