//! The page around the features: the header (quota, theme), the two columns, the
//! keyboard shortcuts, and the wiring of state to components — in one place.

pub mod panels;
pub mod quota;
pub mod shortcuts;
pub mod theme;

use crate::api::reply::ApiError;
use crate::api::types::SeriesPoint;
use crate::engine::period::regroup_months;
use crate::engine::{Engine, Env, Transport};
use leptos::prelude::*;
use std::rc::Rc;

use crate::ui::answer::chart::SeriesChart;
use crate::ui::answer::consistency::check_consistency;
use crate::ui::answer::error_banner::ErrorBanner;
use crate::ui::answer::pagination::Pager;
use crate::ui::answer::source::SourceLine;
use crate::ui::answer::summary::SummaryCards;
use crate::ui::answer::table::InstanceTable;
use crate::ui::answer::ResultsHeading;
use crate::ui::platform::browser;
use crate::ui::query::connection::ConnectionPanel;
use crate::ui::query::demo::TryDemo;
use crate::ui::query::form::QueryForm;
use crate::ui::query::period::PeriodBar;
use crate::ui::state::{Comparison, Dash, Phase};
use crate::ui::text::format::{self, Bucket};
use panels::Panels;
use quota::QuotaBadge;
use shortcuts::{install_shortcuts, ShortcutsHelp};
use theme::ThemeToggle;

/// The dashboard with the browser's transport, clock and timers.
#[component]
pub fn App() -> impl IntoView {
    view! { <Dashboard transport=crate::engine::browser_transport()/> }
}

/// The dashboard, sending its requests through `transport`.
#[component]
pub fn Dashboard(
    /// How requests are sent.
    transport: Transport,
    /// Time and randomness (the browser's by default).
    #[prop(optional)]
    env: Option<Rc<dyn Env>>,
    /// Gives up on a request after this many milliseconds (the engine's default otherwise).
    #[prop(optional)]
    timeout_ms: Option<u32>,
) -> impl IntoView {
    let engine = Engine::new(transport, env.unwrap_or_else(crate::engine::browser_env));
    if let Some(ms) = timeout_ms {
        engine.set_timeout_ms(ms);
    }
    let dash = Dash::new(engine);

    // The URL drives the query: on load, on navigation, on back/forward. The first look is
    // the page's load (a link, a reload).
    Effect::new(move |seen: Option<()>| {
        let search = dash.address.search();
        untrack(|| dash.apply_url(&search, seen.is_none()));
    });

    // The clock: ages, countdowns, and cache expiry in the costs.
    if let Ok(ticker) = set_interval_with_handle(
        move || dash.now_secs.set(browser::now_secs()),
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || ticker.clear());
    }

    let help_open = RwSignal::new(false);
    let theme_choice = theme::chosen();
    install_shortcuts(dash, help_open, theme_choice);

    // The answer on screen, once it passed the checks the types cannot make.
    let checked = Memo::new(move |_| {
        dash.phase.with(|p| match p.response() {
            Some(r) => check_consistency(&r).map(|()| Some(r)),
            None => Ok(None),
        })
    });
    let response = Memo::new(move |_| checked.with(|c| c.clone().ok().flatten()));
    let loading = Memo::new(move |_| dash.phase.with(Phase::is_loading));
    let failure = Memo::new(move |_| dash.phase.with(Phase::failure));
    let filter = Signal::derive(move || {
        dash.phase
            .with(|p| p.query().map(|q| q.purchase()).unwrap_or_default())
    });
    let page = Signal::derive(move || {
        response.with(|r| {
            r.as_ref()
                .map(|r| (r.pagination.clone(), r.data.instances.len()))
        })
    });
    let no_data = Signal::derive(move || {
        failure.with(|f| {
            f.as_ref()
                .is_some_and(|(f, _)| matches!(f.error, ApiError::NoData { .. }))
        })
    });
    // Memos, not derived signals: the cards and the chart are drawn again only when what
    // they show changes, so what they read must not tell them of every new answer.
    let previous_summary = Memo::new(move |_| {
        dash.comparison.with(|c| match c {
            Comparison::Ready { response, .. } => Some(response.data.summary.clone()),
            _ => None,
        })
    });
    // The previous period in the shown answer's buckets: a per_month view is compared
    // with a custom range of days, regrouped into months here.
    let previous_series = Memo::new(move |_| {
        let bucket = response.with(|r| r.as_ref().map(|r| Bucket::of(r.data.time_frame)))?;
        dash.comparison.with(|c| match c {
            Comparison::Ready { response, .. } => {
                let days: &[SeriesPoint] = &response.data.series;
                Some(if bucket == Bucket::Month {
                    regroup_months(days)
                } else {
                    days.to_vec()
                })
            }
            _ => None,
        })
    });
    let busy = Signal::derive(move || loading.get().to_string());
    let cached_page = Callback::new(move |page: u32| {
        dash.current_query()
            .and_then(|q| q.with_page(page))
            .is_some_and(|q| dash.is_cached(&q))
    });

    view! {
        <div class="app">
            <a class="skip-link" href="#results">"Skip to the results"</a>
            <header class="topbar">
                <div class="brand">
                    <span class="logo" aria-hidden="true"></span>
                    <h1>"Campaign Analytics"</h1>
                </div>
                <div class="topbar-tools">
                    <QuotaBadge quota=dash.quota spent=dash.spent/>
                    <ThemeToggle current=theme_choice/>
                    <button
                        type="button"
                        class="button ghost small"
                        aria-haspopup="dialog"
                        title="Keyboard shortcuts (?)"
                        on:click=move |_| help_open.set(true)
                    >
                        "Shortcuts"
                    </button>
                </div>
            </header>
            <main class="layout">
                <aside class="sidebar">
                    <TryDemo dash=dash/>
                    <ConnectionPanel dash=dash/>
                    <QueryForm dash=dash/>
                </aside>
                <section class="results" id="results" aria-label="Results" aria-busy=busy>
                    <ErrorBanner
                        failure=failure
                        on_retry=Callback::new(move |()| dash.retry())
                        on_wait=Callback::new(move |()| dash.wait_for_quota())
                    />
                    <StatusNotes dash=dash/>
                    <div class="empty-state empty-wide" data-testid="empty-period" hidden=Signal::derive(move || !no_data.get())>
                        <p>"Nothing happened in this campaign during the chosen period."</p>
                        <p>"Pick a wider time frame — Last 12 months, or a longer custom range — and run the query again."</p>
                    </div>
                    <ResultsHeading dash=dash/>
                    <SourceLine dash=dash/>
                    <PeriodBar dash=dash/>
                    // A response whose numbers contradict each other is shown as this error,
                    // and the results below never see it (`response` holds only checked answers).
                    {move || checked.with(|c| c.as_ref().err().map(|e| view! {
                        <div class="banner banner-error" role="alert" data-testid="inconsistent-answer">
                            <div class="banner-body">
                                <h2 class="banner-title">"These results cannot be shown"</h2>
                                <p>{e.to_string()}</p>
                            </div>
                        </div>
                    }))}
                    <SummaryCards response=response loading=loading previous=previous_summary/>
                    <SeriesChart response=response previous=previous_series metric=dash.metric/>
                    <div class="table-and-pager" hidden=Signal::derive(move || response.with(Option::is_none))>
                        <InstanceTable response=response filter=filter loading=loading/>
                        <Pager page=page loading=loading on_page=Callback::new(move |p| dash.page_to(p)) cached=cached_page/>
                    </div>
                    <Panels dash=dash/>
                    <div class="welcome" hidden=Signal::derive(move || !dash.phase.with(|p| matches!(p, Phase::Idle)))>
                        <h2>"Campaign performance at a glance"</h2>
                        <p>"Enter your secret key and a campaign id, choose a period, and run the query. The link in the address bar then reproduces this view: bookmark it or share it with a colleague who has their own key. Press ? for keyboard shortcuts."</p>
                    </div>
                </section>
            </main>
            <ShortcutsHelp open=help_open/>
        </div>
    }
}

/// A link waiting to be run, and a wait for the quota (with its countdown and cancel).
#[component]
fn StatusNotes(dash: Dash) -> impl IntoView {
    move || {
        dash.phase.with(|p| match p {
            Phase::Pending { .. } => Some(
                view! {
                    <div class="note" data-testid="link-pending" role="status">
                        <p>
                            "This link filled in the query. Nothing has been sent yet: press "
                            <strong>"Run query"</strong>
                            " to fetch it (its cost is shown under the button)."
                        </p>
                    </div>
                }
                .into_any(),
            ),
            Phase::Waiting { until_secs, .. } => {
                let until = *until_secs;
                let left = Signal::derive(move || {
                    format::duration((until - dash.now_secs.get()).max(0) as u64)
                });
                Some(
                    view! {
                        <div class="note note-warn" data-testid="quota-wait" role="status">
                            <p>
                                "No requests left until " {format::clock(until)} " (in " {left} "). "
                                "The query runs by itself then."
                            </p>
                            <button type="button" class="button secondary" data-testid="quota-wait-cancel" on:click=move |_| dash.cancel_wait()>
                                "Cancel the wait"
                            </button>
                        </div>
                    }
                    .into_any(),
                )
            }
            _ => None,
        })
    }
}
