//! `request-cost`: what the next Run will spend, said before it runs, next to what the
//! quota has left — and, when that is not enough, what Run will do instead.

use crate::api::reply::Quota;
use crate::engine::budget::{requests, RunPlan};
use leptos::prelude::*;

use crate::engine::Freshness;
use crate::ui::state::Dash;
use crate::ui::text::format;

/// The words of `request-cost` for a run plan. They start with the number of requests.
///
/// ```
/// use campaign_analytics::api::reply::Quota;
/// use campaign_analytics::engine::budget::plan_run;
/// use campaign_analytics::ui::query::cost::cost_text;
/// let q = Quota { limit: 150, remaining: 148, reset_at: None };
/// assert_eq!(cost_text(&plan_run(false, None, Some(148)), Some(q)), "1 request · 148 of 150 left");
/// assert_eq!(cost_text(&plan_run(true, None, Some(148)), Some(q)), "0 requests: the answer is cached");
/// assert_eq!(cost_text(&plan_run(false, Some(false), None), None),
///            "2 requests: this period and the previous one");
/// ```
pub fn cost_text(plan: &RunPlan, quota: Option<Quota>) -> String {
    let left = |q: Option<Quota>| {
        q.map(|q| {
            format!(
                " · {} of {} left",
                format::count(q.remaining),
                format::count(q.limit)
            )
        })
        .unwrap_or_default()
    };
    if plan.blocked {
        let when = quota
            .and_then(|q| q.reset_at)
            .map(|at| format!(" until {}", format::clock(at)))
            .unwrap_or_default();
        return format!(
            "0 requests now: none left{when}. Run waits for the quota to free up, then asks \
             (you can cancel the wait)."
        );
    }
    let mut text = match (plan.cost, plan.fetch_main, plan.fetch_previous) {
        (0, ..) => "0 requests: the answer is cached".to_owned(),
        (2, ..) => format!(
            "2 requests: this period and the previous one{}",
            left(quota)
        ),
        (n, false, true) => format!(
            "{}: the previous period (this one is cached){}",
            requests(u64::from(n)),
            left(quota)
        ),
        (n, ..) => format!("{}{}", requests(u64::from(n)), left(quota)),
    };
    if plan.previous_skipped {
        text.push_str(
            " · not enough left for the previous period too: Run shows this period without \
             the comparison",
        );
    }
    text
}

/// The cost line under the Run button.
#[component]
pub fn RunCost(dash: Dash) -> impl IntoView {
    let text = Signal::derive(move || match dash.runnable() {
        Ok(query) => {
            let plan = dash.plan(&query, Freshness::CacheFirst);
            cost_text(&plan, dash.quota.get())
        }
        Err(_) => String::new(),
    });
    view! { <p class="help cost" data-testid="request-cost" aria-live="polite">{text}</p> }
}
