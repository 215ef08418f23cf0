//! The dashboard as a whole: its state, the flow of a query, and the page layout.
//!
//! The flow, in one place:
//!
//! 1. The URL's query string is the query shown ([`url_state`]). Running the form or
//!    turning a page *navigates*; a URL change (navigation, reload, back/forward, a shared
//!    link) fills the form and [starts](Dash::start) the request.
//! 2. [`Dash::start`] aborts the request in flight, if any, and asks the request engine
//!    ([`Engine`]): it answers from its cache or sends the request, with retries. Each
//!    request has a generation number: an answer that comes back after a newer request
//!    started is dropped, so a slow old answer never overwrites a new one.
//! 3. The answer becomes a [`Phase`]; the view components only read it.
//!
//! The engine sends through a [`Transport`], so tests can mount the whole dashboard with
//! canned answers instead of a server.

use crate::api::cancel::Cancel;
use crate::api::reply::{ApiError, Failure, Quota};
use crate::api::types::AnalyticsResponse;
use crate::contract::{AnalyticsQuery, Field, FieldError, KeyMode, PurchaseFilter, SecretKey};
use crate::engine::{Answer, Connection, Engine, Failed, Freshness};
use leptos::html;
use leptos::prelude::*;
use std::sync::Arc;

use super::address::AddressBar;
use super::chart::SeriesChart;
use super::connection::{check_base_url, ConnectionPanel};
use super::error_banner::ErrorBanner;
use super::messages::{self, Place};
use super::pagination::Pager;
use super::query_form::QueryForm;
use super::quota::QuotaBadge;
use super::storage::{self, KeyPlace};
use super::summary::SummaryCards;
use super::table::InstanceTable;
use super::url_state::{self, FormState};
use super::{browser, format};

pub use crate::engine::Transport;

/// Where the current query stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Phase {
    /// Nothing asked yet.
    #[default]
    Idle,
    /// A request is in flight; the previous answer, if any, stays on screen dimmed.
    Loading {
        query: AnalyticsQuery,
        previous: Option<Arc<AnalyticsResponse>>,
    },
    /// The answer to `query`.
    Ready {
        query: AnalyticsQuery,
        response: Arc<AnalyticsResponse>,
    },
    /// `query` failed.
    Failed {
        query: AnalyticsQuery,
        failure: Arc<Failure>,
    },
}

impl Phase {
    /// The answer on screen.
    pub fn response(&self) -> Option<Arc<AnalyticsResponse>> {
        match self {
            Phase::Ready { response, .. } => Some(response.clone()),
            Phase::Loading { previous, .. } => previous.clone(),
            Phase::Idle | Phase::Failed { .. } => None,
        }
    }

    /// The query asked last.
    pub fn query(&self) -> Option<AnalyticsQuery> {
        match self {
            Phase::Idle => None,
            Phase::Loading { query, .. }
            | Phase::Ready { query, .. }
            | Phase::Failed { query, .. } => Some(*query),
        }
    }

    pub fn is_loading(&self) -> bool {
        matches!(self, Phase::Loading { .. })
    }

    pub fn failure(&self) -> Option<Arc<Failure>> {
        match self {
            Phase::Failed { failure, .. } => Some(failure.clone()),
            _ => None,
        }
    }
}

/// The request in flight.
struct InFlight {
    generation: u64,
    query: AnalyticsQuery,
    cancel: Cancel,
}

/// The dashboard's state: copyable handles, shared by its components.
#[derive(Clone, Copy)]
pub struct Dash {
    /// The API base URL as typed (empty: the page's origin).
    pub base_url: RwSignal<String>,
    /// The secret key as typed.
    pub key: RwSignal<String>,
    pub key_place: RwSignal<KeyPlace>,
    /// The server answered 401 to this key (cleared when the key changes).
    pub key_rejected: RwSignal<bool>,
    pub key_input: NodeRef<html::Input>,
    pub form: RwSignal<FormState>,
    /// Fields the user has edited or that came from a URL: their errors are shown.
    pub touched: RwSignal<u8>,
    /// Errors that did not come from checking the form as typed: a hand-edited URL's,
    /// the server's 400 `fields`, a 404 on the campaign. A field's edit clears its own.
    pub external: RwSignal<Vec<FieldError>>,
    /// Unknown URL parameters and the like.
    pub warnings: RwSignal<Vec<FieldError>>,
    pub phase: RwSignal<Phase>,
    pub quota: RwSignal<Option<Quota>>,
    pub recent: RwSignal<Vec<String>>,
    /// The page's origin, the default base URL.
    pub origin: StoredValue<String>,
    /// The query string of the page.
    pub address: AddressBar,
    engine: StoredValue<Engine, LocalStorage>,
    in_flight: StoredValue<Option<InFlight>, LocalStorage>,
    generation: StoredValue<u64>,
}

impl Dash {
    /// The base URL requests go to, or why it cannot be used.
    pub fn base_url_checked(&self) -> Result<String, String> {
        let origin = self.origin.get_value();
        self.base_url.with(|text| check_base_url(text, &origin))
    }

    /// The key, or why it cannot be used.
    pub fn key_checked(&self) -> Result<SecretKey, FieldError> {
        self.key.with(|k| SecretKey::parse(k.trim()))
    }

    /// The key's mode, for the live/test badge.
    pub fn key_mode(&self) -> Option<KeyMode> {
        self.key_checked().ok().map(|k| k.mode())
    }

    fn is_touched(&self, field: Field) -> bool {
        self.touched.get() & (1 << field as u8) != 0
    }

    /// Marks a field as edited and clears the outside errors on it.
    pub fn edited(&self, field: Field) {
        self.touched.update(|t| *t |= 1 << field as u8);
        self.external
            .update(|errors| errors.retain(|e| e.field != field.name()));
    }

    /// The error to show under `field`: the form's own once the field was touched,
    /// otherwise (or else) one from the URL or the server.
    pub fn field_error(&self, field: Field) -> Option<String> {
        let own = self.is_touched(field).then(|| {
            self.form.with(|form| {
                let dated = matches!(field, Field::StartDate | Field::EndDate);
                if dated && form.time_frame != "custom_range" {
                    return None;
                }
                form.validate().error_for(field).map(|e| e.message.clone())
            })
        });
        own.flatten().or_else(|| {
            self.external.with(|errors| {
                errors
                    .iter()
                    .find(|e| e.field == field.name())
                    .map(|e| e.message.clone())
            })
        })
    }

    /// The query "Run" would send, or the reason it cannot be sent yet.
    pub fn runnable(&self) -> Result<AnalyticsQuery, String> {
        let query = self
            .form
            .with(url_state::form_query)
            .map_err(|errors| match errors.len() {
                1 => "Fix the marked field to run the query.".to_owned(),
                n => format!("Fix the {n} marked fields to run the query."),
            })?;
        self.base_url_checked()
            .map_err(|_| "Fix the API base URL to run the query.".to_owned())?;
        if self.key.with(|k| k.trim().is_empty()) {
            return Err("Enter your secret key to run the query.".to_owned());
        }
        self.key_checked()
            .map_err(|_| "Fix the secret key to run the query.".to_owned())?;
        Ok(query)
    }

    /// Whether `query` is the one in flight (its Run would be a double submit).
    pub fn is_in_flight(&self, query: &AnalyticsQuery) -> bool {
        self.phase.with(|p| match p {
            Phase::Loading { query: q, .. } => q == query,
            _ => false,
        })
    }

    /// "Run": shows the form's query, on its first page.
    pub fn run_form(&self) {
        self.touched.set(u8::MAX);
        match self.runnable() {
            Ok(query) if !self.is_in_flight(&query) => {
                self.external.set(Vec::new());
                self.go(query);
            }
            Ok(_) => {}
            Err(_) => {
                if self.key_checked().is_err() {
                    self.focus_key();
                }
            }
        }
    }

    /// Shows `query`: through the URL, so it lands in the history; straight away when
    /// the URL already says so (running the same query again).
    pub fn go(&self, query: AnalyticsQuery) {
        let url = url_state::to_url(&query);
        if self.address.search_untracked() == url {
            self.start(query);
        } else {
            self.address.push(&url);
        }
    }

    /// Turns to `page` of the query shown.
    pub fn page_to(&self, page: u32) {
        let query = self.phase.with_untracked(Phase::query);
        if let Some(query) = query.and_then(|q| q.with_page(page)) {
            if !self.is_in_flight(&query) {
                self.go(query);
            }
        }
    }

    /// Sends the last query again (the banner's "Try again").
    pub fn retry(&self) {
        if let Some(query) = self.phase.with_untracked(Phase::query) {
            self.start(query);
        }
    }

    /// The URL changed: show what it says, and run it when it is a valid query.
    pub fn apply_url(&self, search: &str) {
        let state = url_state::parse_url(search);
        self.form.set(state.form);
        self.touched.set(if state.empty { 0 } else { u8::MAX });
        self.external.set(state.errors);
        self.warnings.set(state.warnings);
        match state.query {
            Some(query) => self.start(query),
            None => {
                // A blank or hand-edited URL with errors: the errors show under the fields,
                // and no stale result pretends to answer it.
                self.abort();
                self.phase.set(Phase::Idle);
            }
        }
    }

    fn abort(&self) {
        self.in_flight.update_value(|f| {
            if let Some(f) = f.take() {
                f.cancel.abort();
            }
        });
    }

    /// The base URL and key requests go with, when both are usable.
    pub fn connection(&self) -> Option<Connection> {
        Some(Connection {
            base_url: self.base_url_checked().ok()?,
            key: self.key_checked().ok()?,
        })
    }

    /// Sends `query`, replacing any request in flight.
    pub fn start(&self, query: AnalyticsQuery) {
        let Some(connection) = self.connection() else {
            // Nothing can be sent yet: the form's hint says why (key or base URL).
            return;
        };
        self.abort();
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        let cancel = Cancel::new();
        self.in_flight.set_value(Some(InFlight {
            generation,
            query,
            cancel: cancel.clone(),
        }));
        let previous = self.phase.with_untracked(Phase::response);
        self.phase.set(Phase::Loading { query, previous });

        let engine = self.engine.get_value();
        let dash = *self;
        leptos::task::spawn_local(async move {
            let outcome = engine
                .analytics(&connection, &query, Freshness::CacheFirst, &cancel)
                .await;
            dash.quota.set(engine.quota());
            dash.finish(generation, outcome);
        });
    }

    fn finish(&self, generation: u64, outcome: Result<Answer, Failed>) {
        let current = self.in_flight.with_value(|f| {
            f.as_ref()
                .filter(|f| f.generation == generation)
                .map(|f| f.query)
        });
        // A newer request replaced this one: its answer is the one to show.
        let Some(query) = current else { return };
        self.in_flight.set_value(None);
        match outcome {
            Ok(answer) => {
                self.key_rejected.set(false);
                self.recent
                    .set(storage::remember_campaign(&query.campaign_id().to_string()));
                self.phase.set(Phase::Ready {
                    query,
                    response: answer.response,
                });
            }
            Err(Failed {
                failure:
                    Failure {
                        error: ApiError::Superseded,
                        ..
                    },
                ..
            }) => {}
            Err(Failed { failure, .. }) => {
                // `explain` decides where each failure shows, besides the banner (which
                // words it later, with the time and base URL of the moment).
                let explained = messages::explain(
                    &failure,
                    messages::Context {
                        base_url: "",
                        now: 0,
                    },
                );
                match explained.place {
                    Place::Fields(fields) => self.external.set(fields),
                    Place::CampaignField(message) => self.external.set(vec![FieldError {
                        field: Field::CampaignId.name().to_owned(),
                        message,
                        code: crate::contract::Code::Unrecognized,
                    }]),
                    Place::KeyField => {
                        self.key_rejected.set(true);
                        self.focus_key();
                    }
                    Place::Banner | Place::EmptyResults => {}
                }
                self.phase.set(Phase::Failed {
                    query,
                    failure: Arc::new(failure),
                });
            }
        }
    }

    /// Moves the keyboard focus to the key field.
    pub fn focus_key(&self) {
        if let Some(input) = self.key_input.get_untracked() {
            let _ = input.focus();
        }
    }
}

/// The dashboard with the real HTTP client.
#[component]
pub fn App() -> impl IntoView {
    view! { <Dashboard transport=crate::engine::browser_transport()/> }
}

/// The dashboard, sending its requests through `transport`.
#[component]
pub fn Dashboard(
    /// How requests are sent.
    transport: Transport,
    /// Gives up on a request after this many milliseconds (the engine's default otherwise).
    #[prop(optional)]
    timeout_ms: Option<u32>,
) -> impl IntoView {
    let engine = Engine::new(transport, crate::engine::browser_env());
    if let Some(ms) = timeout_ms {
        engine.set_timeout_ms(ms);
    }
    let address = AddressBar::new();
    let origin = browser::page_origin();
    let stored_key = storage::load_key();
    let dash = Dash {
        base_url: RwSignal::new(storage::load_base_url().unwrap_or_default()),
        key: RwSignal::new(
            stored_key
                .as_ref()
                .map(|(k, _)| k.clone())
                .unwrap_or_default(),
        ),
        key_place: RwSignal::new(stored_key.map(|(_, p)| p).unwrap_or(KeyPlace::Session)),
        key_rejected: RwSignal::new(false),
        key_input: NodeRef::new(),
        form: RwSignal::new(FormState::default()),
        touched: RwSignal::new(0),
        external: RwSignal::new(Vec::new()),
        warnings: RwSignal::new(Vec::new()),
        phase: RwSignal::new(Phase::Idle),
        quota: RwSignal::new(None),
        recent: RwSignal::new(storage::recent_campaigns()),
        origin: StoredValue::new(origin),
        address,
        engine: StoredValue::new_local(engine),
        in_flight: StoredValue::new_local(None),
        generation: StoredValue::new(0),
    };

    // The URL drives the query: on load, on navigation, on back/forward.
    Effect::new(move |_| {
        let search = address.search();
        untrack(|| dash.apply_url(&search));
    });

    // ← and → turn pages, unless the user is typing in a field.
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.alt_key() || ev.ctrl_key() || ev.meta_key() || ev.shift_key() {
            return;
        }
        let typing = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|el| {
                matches!(
                    el.tag_name().to_ascii_lowercase().as_str(),
                    "input" | "select" | "textarea"
                ) || el.has_attribute("contenteditable")
            });
        if typing {
            return;
        }
        let targets = dash.phase.with_untracked(|p| {
            p.response()
                .map(|r| super::pagination::targets(&r.pagination))
        });
        let Some(t) = targets else { return };
        let page = match ev.key().as_str() {
            "ArrowLeft" => t.prev,
            "ArrowRight" => t.next,
            _ => None,
        };
        if let Some(page) = page {
            ev.prevent_default();
            dash.page_to(page);
        }
    });
    on_cleanup(move || keys.remove());

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
                .is_some_and(|f| matches!(f.error, ApiError::NoData { .. }))
        })
    });
    let busy = Signal::derive(move || loading.get().to_string());
    let base_for_messages = Signal::derive(move || {
        dash.base_url_checked()
            .unwrap_or_else(|_| dash.base_url.get())
    });

    view! {
        <div class="app">
            <header class="topbar">
                <div class="brand">
                    <span class="logo" aria-hidden="true"></span>
                    <h1>"Campaign Analytics"</h1>
                </div>
                <QuotaBadge quota=dash.quota/>
            </header>
            <main class="layout">
                <aside class="sidebar">
                    <ConnectionPanel dash=dash/>
                    <QueryForm dash=dash/>
                </aside>
                <section class="results" aria-label="Results" aria-busy=busy>
                    <ErrorBanner
                        failure=failure
                        base_url=base_for_messages
                        on_retry=Callback::new(move |()| dash.retry())
                    />
                    <div class="empty-state empty-wide" data-testid="empty-period" hidden=Signal::derive(move || !no_data.get())>
                        <p>"Nothing happened in this campaign during the chosen period."</p>
                        <p>"Pick a wider time frame — Last 12 months, or a longer custom range — and run the query again."</p>
                    </div>
                    <ResultsHeading response=response/>
                    // A response whose numbers contradict each other is an error thrown by
                    // the view: the boundary shows it, and the results below never see it.
                    <ErrorBoundary fallback=|errors| {
                        view! {
                            <div class="banner banner-error" role="alert" data-testid="inconsistent-answer">
                                <div class="banner-body">
                                    <h2 class="banner-title">"These results cannot be shown"</h2>
                                    <ul>
                                        {move || errors.get().into_iter().map(|(_, e)| view! { <li>{e.to_string()}</li> }).collect_view()}
                                    </ul>
                                </div>
                            </div>
                        }
                    }>
                        {move || checked.get().map(|_| ())}
                    </ErrorBoundary>
                    <SummaryCards response=response loading=loading/>
                    <SeriesChart response=response/>
                    <div class="table-and-pager" hidden=Signal::derive(move || response.with(Option::is_none))>
                        <InstanceTable response=response filter=filter loading=loading/>
                        <Pager page=page loading=loading on_page=Callback::new(move |p| dash.page_to(p))/>
                    </div>
                    <div class="welcome" hidden=Signal::derive(move || !dash.phase.with(|p| matches!(p, Phase::Idle)))>
                        <h2>"Campaign performance at a glance"</h2>
                        <p>"Enter your secret key and a campaign id, choose a period, and run the query. The link in the address bar then reproduces this view: bookmark it or share it with a colleague who has their own key."</p>
                    </div>
                </section>
            </main>
        </div>
    }
}

/// The heading above the results: which campaign, which period.
#[component]
fn ResultsHeading(#[prop(into)] response: Signal<Option<Arc<AnalyticsResponse>>>) -> impl IntoView {
    move || {
        response.with(|r| {
            let r = r.as_ref()?;
            let window = r.data.window.map(|w| {
                format!(
                    "{} – {}",
                    format::local_time(w.start),
                    format::local_time(w.end)
                )
            });
            Some(view! {
                <div class="results-heading">
                    <h2>"Campaign " <code>{r.data.campaign_id.hyphenated().to_string()}</code></h2>
                    <p class="muted">
                        {time_frame_text(r.data.time_frame)}
                        {window.map(|w| view! { " · " <span>{w}</span> })}
                    </p>
                </div>
            })
        })
    }
}

/// The time frame as the form's options name it.
pub fn time_frame_text(t: crate::contract::TimeFrame) -> &'static str {
    use crate::contract::TimeFrame;
    match t {
        TimeFrame::PerHour => "Last 24 hours, by hour",
        TimeFrame::PerDay => "Last 30 days, by day",
        TimeFrame::PerMonth => "Last 12 months, by month",
        TimeFrame::CustomRange => "Custom range, by day",
    }
}

/// An answer that parsed but whose numbers contradict each other.
#[derive(Clone, Debug, PartialEq)]
pub struct Inconsistent(String);

impl std::fmt::Display for Inconsistent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Inconsistent {}

/// Checks what the types cannot: numbers that must agree, and values a view cannot draw.
/// An answer that fails is shown as an error (through the error boundary), not as
/// misleading cards.
///
/// ```
/// use campaign_analytics::api::types::AnalyticsResponse;
/// use campaign_analytics::ui::app::check_consistency;
/// let mut r: AnalyticsResponse = serde_json::from_str(r#"{"success":true,"message":"ok",
///   "data":{"campaign_id":"123e4567-e89b-12d3-a456-426614174000","time_frame":"per_day",
///     "instances":[],"summary":{"total_instances":3,"purchase_instances":1,
///     "non_purchase_instances":2,"total_revenue":9.5,"conversion_rate":0.3333}},
///   "pagination":{"page":1,"limit":50,"total":3,"totalPages":1,"hasNext":false,"hasPrevious":false},
///   "meta":{"timestamp":"2026-11-20T14:03:11Z","requestId":"x"}}"#).unwrap();
/// assert!(check_consistency(&r).is_ok());
/// r.data.summary.purchase_instances = 5;
/// assert!(check_consistency(&r).is_err());
/// ```
pub fn check_consistency(r: &AnalyticsResponse) -> Result<(), Inconsistent> {
    let s = &r.data.summary;
    if s.purchase_instances.checked_add(s.non_purchase_instances) != Some(s.total_instances) {
        return Err(Inconsistent(format!(
            "The summary does not add up: {} purchases and {} non-purchases, but {} instances.",
            s.purchase_instances, s.non_purchase_instances, s.total_instances
        )));
    }
    let finite = s.total_revenue.is_finite()
        && s.conversion_rate.is_finite()
        && r.data.instances.iter().all(|i| i.revenue.is_finite());
    if !finite {
        return Err(Inconsistent(
            "The answer holds a number that is not finite.".to_owned(),
        ));
    }
    if r.data.instances.len() as u64 > u64::from(r.pagination.limit.max(1)) {
        return Err(Inconsistent(format!(
            "The page holds {} instances, more than its limit of {}.",
            r.data.instances.len(),
            r.pagination.limit
        )));
    }
    Ok(())
}

/// `PurchaseFilter`'s label in the form.
pub fn filter_text(p: PurchaseFilter) -> &'static str {
    match p {
        PurchaseFilter::All => "All instances",
        PurchaseFilter::Purchases => "Purchases only",
        PurchaseFilter::NonPurchases => "Non-purchases only",
    }
}
