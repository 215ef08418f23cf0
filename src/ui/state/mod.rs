//! The dashboard's state and the flow of a query: the signals every feature reads, and the
//! actions that change them. No component lives here; components (in `query`, `answer`,
//! `shell`) read this state and call these actions, so the features never import each
//! other.
//!
//! The flow, in one place:
//!
//! 1. The URL's query string is the query shown ([`url_state`]). Running the form, turning
//!    a page or stepping the period *navigates*; a URL change (back/forward, a reload of a
//!    tab that has run queries) fills the form and [starts](Dash::start) the query. A link
//!    opened in a tab that has not run a query only fills the form ([`Phase::Pending`]):
//!    another page must not be able to spend the partner's quota by opening links.
//! 2. [`Dash::start`] plans the run against the quota ([`budget::plan_run`]), aborts the
//!    request in flight, and asks the request [`Engine`]: from its cache, or from the
//!    server with retries. A newer query makes an older answer irrelevant (a generation
//!    number drops it); with "compare" on, the previous period follows.
//! 3. The answer becomes a [`Phase`] (and a [`Comparison`]); each failure is put into words
//!    once, when it arrives ([`messages::explain`]); the view only reads them.

pub mod url_state;

use crate::api::cancel::Cancel;
use crate::api::reply::{ApiError, Failure, Quota};
use crate::api::types::AnalyticsResponse;
use crate::contract::{AnalyticsQuery, Code, Field, FieldError, KeyMode, SecretKey, TimeFrame};
use crate::engine::budget::{self, RunPlan};
use crate::engine::connection::check_base_url;
use crate::engine::period::{self, Direction, StepProblem};
use crate::engine::{Answer, Connection, Engine, Failed, Freshness, Source};
use chrono::NaiveDate;
use leptos::html;
use leptos::prelude::*;
use std::sync::Arc;

use super::platform::address::AddressBar;
use super::platform::browser;
use super::platform::storage::{self, KeyPlace};
use super::text::messages::{self, Explanation, Place};
use url_state::FormState;

/// An answer on screen: the query it answers, the data, and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    pub query: AnalyticsQuery,
    pub response: Arc<AnalyticsResponse>,
    pub source: Source,
}

/// Where the current query stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Phase {
    /// Nothing asked yet.
    #[default]
    Idle,
    /// A link filled the form in a tab that has not run a query: nothing is sent until
    /// the partner runs it.
    Pending { query: AnalyticsQuery },
    /// A request is in flight; the previous answer, if any, stays on screen dimmed.
    Loading {
        query: AnalyticsQuery,
        previous: Option<Arc<Shown>>,
    },
    /// The answer to a query.
    Ready(Arc<Shown>),
    /// `query` failed; the failure and its words (decided once, when it arrived).
    Failed {
        query: AnalyticsQuery,
        failure: Arc<Failure>,
        explanation: Arc<Explanation>,
    },
    /// The quota is spent: waiting until `until_secs` (cancellable), then `query` runs.
    Waiting {
        query: AnalyticsQuery,
        until_secs: i64,
        previous: Option<Arc<Shown>>,
    },
}

impl Phase {
    /// The answer on screen.
    pub fn shown(&self) -> Option<Arc<Shown>> {
        match self {
            Phase::Ready(shown) => Some(shown.clone()),
            Phase::Loading { previous, .. } | Phase::Waiting { previous, .. } => previous.clone(),
            Phase::Idle | Phase::Pending { .. } | Phase::Failed { .. } => None,
        }
    }

    /// The data on screen.
    pub fn response(&self) -> Option<Arc<AnalyticsResponse>> {
        self.shown().map(|s| s.response.clone())
    }

    /// The query asked last.
    pub fn query(&self) -> Option<AnalyticsQuery> {
        match self {
            Phase::Idle => None,
            Phase::Ready(shown) => Some(shown.query),
            Phase::Pending { query }
            | Phase::Loading { query, .. }
            | Phase::Failed { query, .. }
            | Phase::Waiting { query, .. } => Some(*query),
        }
    }

    pub fn is_loading(&self) -> bool {
        matches!(self, Phase::Loading { .. })
    }

    pub fn failure(&self) -> Option<(Arc<Failure>, Arc<Explanation>)> {
        match self {
            Phase::Failed {
                failure,
                explanation,
                ..
            } => Some((failure.clone(), explanation.clone())),
            _ => None,
        }
    }
}

/// The previous period's answer, for the comparison on the cards and the chart.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Comparison {
    /// Not asked for.
    #[default]
    Off,
    /// Cannot be compared (per_hour); the reason.
    Unavailable(&'static str),
    /// The quota could not pay for it.
    Skipped,
    Loading,
    /// The previous period and its answer.
    Ready {
        query: AnalyticsQuery,
        response: Arc<AnalyticsResponse>,
    },
    /// It failed; the title of the failure.
    Failed(String),
}

/// What the chart shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Metric {
    #[default]
    Instances,
    Purchases,
    Revenue,
    ConversionRate,
}

impl Metric {
    pub const ALL: [Metric; 4] = [
        Metric::Instances,
        Metric::Purchases,
        Metric::Revenue,
        Metric::ConversionRate,
    ];

    /// The value in `chart-metric` (contract §4).
    pub const fn as_str(self) -> &'static str {
        match self {
            Metric::Instances => "instances",
            Metric::Purchases => "purchases",
            Metric::Revenue => "revenue",
            Metric::ConversionRate => "conversion_rate",
        }
    }

    pub fn parse(text: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == text)
    }

    pub const fn label(self) -> &'static str {
        match self {
            Metric::Instances => "Instances",
            Metric::Purchases => "Purchases",
            Metric::Revenue => "Revenue",
            Metric::ConversionRate => "Conversion rate",
        }
    }

    /// The next one (the `m` shortcut).
    pub fn next(self) -> Metric {
        let i = Metric::ALL.iter().position(|m| *m == self).unwrap_or(0);
        Metric::ALL[(i + 1) % Metric::ALL.len()]
    }
}

/// The request (or wait) in flight.
struct InFlight {
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
    /// Compare with the previous period (the `compare-previous` checkbox).
    pub compare: RwSignal<bool>,
    pub comparison: RwSignal<Comparison>,
    pub metric: RwSignal<Metric>,
    pub quota: RwSignal<Option<Quota>>,
    /// Requests this page has spent.
    pub spent: RwSignal<u64>,
    /// Now, in Unix seconds; ticks every second (ages, countdowns, cache expiry).
    pub now_secs: RwSignal<i64>,
    /// Bumped whenever the engine's cache may have changed (costs are recomputed).
    pub revision: RwSignal<u64>,
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
    /// The state, empty but for what storage remembers, asking through `engine`.
    pub fn new(engine: Engine) -> Dash {
        let stored_key = storage::load_key();
        Dash {
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
            compare: RwSignal::new(false),
            comparison: RwSignal::new(Comparison::Off),
            metric: RwSignal::new(Metric::default()),
            quota: RwSignal::new(None),
            spent: RwSignal::new(0),
            now_secs: RwSignal::new(engine.now_ms().div_euclid(1000)),
            revision: RwSignal::new(0),
            recent: RwSignal::new(storage::recent_campaigns()),
            origin: StoredValue::new(browser::page_origin()),
            address: AddressBar::new(),
            engine: StoredValue::new_local(engine),
            in_flight: StoredValue::new_local(None),
            generation: StoredValue::new(0),
        }
    }

    /// The request engine.
    pub fn engine(&self) -> Engine {
        self.engine.get_value()
    }

    /// Today's UTC date, by the engine's clock (tracks the ticking clock).
    pub fn today(&self) -> NaiveDate {
        self.now_secs.track();
        period::utc_date(self.engine().now_ms())
    }

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

    /// The base URL and key requests go with, when both are usable.
    pub fn connection(&self) -> Option<Connection> {
        Some(Connection {
            base_url: self.base_url_checked().ok()?,
            key: self.key_checked().ok()?,
        })
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

    /// The query "Run" would send, or the reason it cannot be sent yet. For a link that
    /// is pending, it is the link's query, page included.
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
        let pending = self.phase.with(|p| match p {
            Phase::Pending { query: link } => (link.with_page(1) == Some(query)).then_some(*link),
            _ => None,
        });
        Ok(pending.unwrap_or(query))
    }

    /// Whether `query` is the one in flight (its Run would be a double submit).
    pub fn is_in_flight(&self, query: &AnalyticsQuery) -> bool {
        self.phase.with(|p| match p {
            Phase::Loading { query: q, .. } | Phase::Waiting { query: q, .. } => q == query,
            _ => false,
        })
    }

    /// The previous period of `query`, page 1 with the same filter and page size (so that
    /// stepping back to it later finds it in the cache).
    pub fn previous_of(&self, query: &AnalyticsQuery) -> Result<AnalyticsQuery, StepProblem> {
        let previous = period::previous(query.period(), self.today())?;
        Ok(AnalyticsQuery::new(query.campaign_id(), previous)
            .with_purchase(query.purchase())
            .with_limit(query.limit())
            .unwrap_or(*query))
    }

    /// What running `query` now would do (tracks the cache, the quota and the compare box).
    pub fn plan(&self, query: &AnalyticsQuery, freshness: Freshness) -> RunPlan {
        self.revision.track();
        self.now_secs.track();
        let engine = self.engine();
        let Some(connection) = self.connection() else {
            return budget::plan_run(false, None, None);
        };
        let main_cached =
            freshness == Freshness::CacheFirst && engine.is_cached(&connection, query);
        let previous = self
            .compare
            .get()
            .then(|| self.previous_of(query).ok())
            .flatten()
            .map(|p| engine.is_cached(&connection, &p));
        budget::plan_run(main_cached, previous, engine.quota().map(|q| q.remaining))
    }

    /// Whether `query` is answered from the cache now (tracks the cache and the clock).
    pub fn is_cached(&self, query: &AnalyticsQuery) -> bool {
        self.revision.track();
        self.now_secs.track();
        self.connection()
            .is_some_and(|c| self.engine().is_cached(&c, query))
    }

    /// "Run": shows the form's query (on its first page, or the pending link's).
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
            self.start(query, Freshness::CacheFirst);
        } else {
            self.address.push(&url);
        }
    }

    /// The query of the answer on screen (or asked last).
    pub fn current_query(&self) -> Option<AnalyticsQuery> {
        self.phase.with_untracked(Phase::query)
    }

    /// Turns to `page` of the query shown.
    pub fn page_to(&self, page: u32) {
        if let Some(query) = self.current_query().and_then(|q| q.with_page(page)) {
            if !self.is_in_flight(&query) {
                self.go(query);
            }
        }
    }

    /// The query of the period before or after the one shown, or why there is none.
    pub fn stepped(&self, direction: Direction) -> Result<AnalyticsQuery, StepProblem> {
        let query = self
            .phase
            .with(|p| p.shown().map(|s| s.query))
            .ok_or(StepProblem::NoLater)?;
        let period = period::step(query.period(), self.today(), direction)?;
        Ok(AnalyticsQuery::new(query.campaign_id(), period)
            .with_purchase(query.purchase())
            .with_limit(query.limit())
            .unwrap_or(query))
    }

    /// `period-prev` / `period-next`.
    pub fn step_period(&self, direction: Direction) {
        if let Ok(query) = self.stepped(direction) {
            self.go(query);
        }
    }

    /// `refresh`: asks the server again for the query shown, bypassing the cache.
    pub fn refresh(&self) {
        if let Some(query) = self.phase.with_untracked(|p| p.shown().map(|s| s.query)) {
            self.start(query, Freshness::Refresh);
        }
    }

    /// Sends the last query again (the banner's "Try again").
    pub fn retry(&self) {
        if let Some(query) = self.current_query() {
            self.start(query, Freshness::CacheFirst);
        }
    }

    /// Turns the comparison on or off; on, it fetches the previous period of the answer
    /// on screen (one request unless cached, as the checkbox says first).
    pub fn set_compare(&self, on: bool) {
        self.compare.set(on);
        if !on {
            self.comparison.set(Comparison::Off);
            return;
        }
        let shown = self.phase.with_untracked(Phase::shown);
        if let (Some(shown), Some(connection)) = (shown, self.connection()) {
            let generation = self.generation.get_value();
            let cancel = self
                .in_flight
                .with_value(|f| f.as_ref().map(|f| f.cancel.clone()))
                .unwrap_or_default();
            let previous = self.previous_of(&shown.query);
            let left = self.engine().quota().map(|q| q.remaining);
            let cached = previous
                .as_ref()
                .is_ok_and(|p| self.engine().is_cached(&connection, p));
            let affordable = cached || left != Some(0);
            self.fetch_comparison(generation, connection, shown.query, affordable, cancel);
        }
    }

    /// The URL changed: show what it says, and run it when it is a valid query — unless
    /// this is the page's first look at a link in a tab that has not run a query.
    pub fn apply_url(&self, search: &str, first_load: bool) {
        let state = url_state::parse_url(search);
        self.form.set(state.form);
        self.touched.set(if state.empty { 0 } else { u8::MAX });
        self.external.set(state.errors);
        self.warnings.set(state.warnings);
        match state.query {
            Some(query) if first_load && !storage::tab_has_run() => {
                self.abort();
                self.phase.set(Phase::Pending { query });
            }
            Some(query) => self.start(query, Freshness::CacheFirst),
            None => {
                // A blank or hand-edited URL with errors: the errors show under the fields,
                // and no stale result pretends to answer it.
                self.abort();
                self.phase.set(Phase::Idle);
                self.comparison.set(Comparison::Off);
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

    /// A new generation: aborts what is in flight and returns the new one's cancel handle.
    fn next_generation(&self) -> (u64, Cancel) {
        self.abort();
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        let cancel = Cancel::new();
        self.in_flight.set_value(Some(InFlight {
            cancel: cancel.clone(),
        }));
        (generation, cancel)
    }

    fn is_current(&self, generation: u64) -> bool {
        self.generation.get_value() == generation
    }

    /// Shows `query`: from the cache at once, or through the engine, replacing whatever
    /// is in flight; then the previous period when compare is on.
    pub fn start(&self, query: AnalyticsQuery, freshness: Freshness) {
        let Some(connection) = self.connection() else {
            // Nothing can be sent yet: the form's hint says why (key or base URL).
            return;
        };
        storage::mark_tab_run();
        let plan = untrack(|| self.plan(&query, freshness));
        let (generation, cancel) = self.next_generation();
        let engine = self.engine();
        let on_screen = self.phase.with_untracked(Phase::shown);
        self.comparison.set(Comparison::Off);

        if plan.blocked {
            let until_secs = engine
                .quota()
                .and_then(|q| q.reset_at)
                .unwrap_or(self.now_secs.get_untracked() + 60);
            self.wait_then_start(generation, cancel, query, until_secs, on_screen);
            return;
        }
        if let Some(answer) = (freshness == Freshness::CacheFirst)
            .then(|| engine.cached(&connection, &query))
            .flatten()
        {
            self.show(generation, query, Ok(answer));
            self.fetch_comparison(
                generation,
                connection,
                query,
                !plan.previous_skipped,
                cancel,
            );
            return;
        }
        self.phase.set(Phase::Loading {
            query,
            previous: on_screen,
        });
        let dash = *self;
        leptos::task::spawn_local(async move {
            let outcome = engine
                .analytics(&connection, &query, freshness, &cancel)
                .await;
            let ok = outcome.is_ok();
            dash.show(generation, query, outcome);
            if ok {
                dash.fetch_comparison(
                    generation,
                    connection,
                    query,
                    !plan.previous_skipped,
                    cancel,
                );
            }
        });
    }

    /// The quota is spent: counts down to `until_secs` (cancellable), then runs `query`.
    fn wait_then_start(
        &self,
        generation: u64,
        cancel: Cancel,
        query: AnalyticsQuery,
        until_secs: i64,
        previous: Option<Arc<Shown>>,
    ) {
        self.phase.set(Phase::Waiting {
            query,
            until_secs,
            previous,
        });
        let dash = *self;
        let engine = self.engine();
        leptos::task::spawn_local(async move {
            let reached = engine.wait_until(until_secs, &cancel).await;
            if reached && dash.is_current(generation) {
                dash.start(query, Freshness::CacheFirst);
            }
        });
    }

    /// "Wait and run": after a 429, waits for the quota to free up, then runs again.
    pub fn wait_for_quota(&self) {
        let Some(query) = self.current_query() else {
            return;
        };
        let until_secs = self
            .engine()
            .quota()
            .and_then(|q| q.reset_at)
            .or_else(|| {
                self.phase.with_untracked(|p| match p {
                    Phase::Failed { failure, .. } => match failure.error {
                        ApiError::RateLimited {
                            retry_at,
                            retry_after_secs,
                        } => retry_at.or_else(|| {
                            retry_after_secs.map(|s| self.now_secs.get_untracked() + s as i64)
                        }),
                        _ => None,
                    },
                    _ => None,
                })
            })
            .unwrap_or(self.now_secs.get_untracked() + 60);
        let (generation, cancel) = self.next_generation();
        self.wait_then_start(generation, cancel, query, until_secs, None);
    }

    /// Cancels a wait (or a request) in flight: the last answer stays, nothing is sent.
    pub fn cancel_wait(&self) {
        self.abort();
        self.generation.update_value(|g| *g += 1);
        let back = self.phase.with_untracked(|p| match p {
            Phase::Waiting {
                previous: Some(shown),
                ..
            } => Phase::Ready(shown.clone()),
            Phase::Waiting { query, .. } => Phase::Pending { query: *query },
            other => other.clone(),
        });
        self.phase.set(back);
    }

    /// Fetches (or takes from the cache) the previous period of `query` when compare is on.
    fn fetch_comparison(
        &self,
        generation: u64,
        connection: Connection,
        query: AnalyticsQuery,
        affordable: bool,
        cancel: Cancel,
    ) {
        if !self.compare.get_untracked() || !self.is_current(generation) {
            return;
        }
        let previous = match self.previous_of(&query) {
            Ok(previous) => previous,
            Err(problem) => {
                self.comparison.set(Comparison::Unavailable(problem.text()));
                return;
            }
        };
        let engine = self.engine();
        if let Some(answer) = engine.cached(&connection, &previous) {
            self.comparison.set(Comparison::Ready {
                query: previous,
                response: answer.response,
            });
            return;
        }
        if !affordable {
            self.comparison.set(Comparison::Skipped);
            return;
        }
        self.comparison.set(Comparison::Loading);
        let dash = *self;
        leptos::task::spawn_local(async move {
            let outcome = engine
                .analytics(&connection, &previous, Freshness::CacheFirst, &cancel)
                .await;
            if !dash.is_current(generation) {
                return;
            }
            dash.after_request();
            dash.comparison.set(match outcome {
                Ok(answer) => Comparison::Ready {
                    query: previous,
                    response: answer.response,
                },
                Err(Failed { failure, .. }) => {
                    if failure.error == ApiError::Superseded {
                        return;
                    }
                    let words = messages::explain(&failure, dash.context());
                    Comparison::Failed(words.title)
                }
            });
        });
    }

    fn context(&self) -> messages::Context<'static> {
        messages::Context {
            base_url: "",
            now: self.now_secs.get_untracked(),
        }
    }

    /// The engine's counters into the signals the page shows (also after the panels' asks,
    /// `ui::port::page`).
    pub(crate) fn after_request(&self) {
        let engine = self.engine();
        self.quota.set(engine.quota());
        self.spent.set(engine.spent());
        self.revision.update(|r| *r += 1);
    }

    /// An answer (or failure) for generation `generation` arrived.
    fn show(&self, generation: u64, query: AnalyticsQuery, outcome: Result<Answer, Failed>) {
        self.after_request();
        // A newer query replaced this one: its answer is the one to show.
        if !self.is_current(generation) {
            return;
        }
        match outcome {
            Ok(answer) => {
                self.key_rejected.set(false);
                // Set only when it changed: the datalist of recent campaigns (and the
                // panels, which are told of it) are not redrawn by every answer.
                let recent = storage::remember_campaign(&query.campaign_id().to_string());
                self.recent.maybe_update(|r| {
                    let changed = *r != recent;
                    if changed {
                        *r = recent;
                    }
                    changed
                });
                self.phase.set(Phase::Ready(Arc::new(Shown {
                    query,
                    response: answer.response,
                    source: answer.source,
                })));
            }
            Err(Failed { failure, .. }) if failure.error == ApiError::Superseded => {}
            Err(Failed { failure, .. }) => {
                let base = self.base_url_checked().unwrap_or_default();
                let explanation = messages::explain(
                    &failure,
                    messages::Context {
                        base_url: &base,
                        now: browser::now_secs(),
                    },
                );
                match &explanation.place {
                    Place::Fields(fields) => self.external.set(fields.clone()),
                    Place::CampaignField(message) => self.external.set(vec![FieldError {
                        field: Field::CampaignId.name().to_owned(),
                        message: message.clone(),
                        code: Code::Unrecognized,
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
                    explanation: Arc::new(explanation),
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

    /// Whether the shown answer's period is hourly (it cannot be stepped or compared).
    pub fn shown_is_hourly(&self) -> bool {
        self.phase.with(|p| {
            p.shown()
                .is_some_and(|s| s.query.time_frame() == TimeFrame::PerHour)
        })
    }
}
