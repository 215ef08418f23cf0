//! What the loops that ask many answers — every page of a window ([`super::window`]), the
//! campaigns of a comparison ([`crate::compare`]) — need of a request engine, as a trait.
//!
//! The page's [`Engine`] on a [`Connection`] is one implementation ([`OnConnection`]). The
//! panels' module is the other: it shares no memory with the page, so it reaches the page's
//! one engine through the port (`ui::port::panel::PageLink`), one request at a time. The
//! loops run beside the panels that show their results, and the page's first load does not
//! carry them; every request still goes through the page's one cache and quota.

use super::{Answer, Connection, Engine, Failed, Freshness};
use crate::api::cancel::Cancel;
use crate::api::reply::{ApiError, Failure, Quota};
use crate::contract::AnalyticsQuery;

/// A request engine as the many-answer loops see it.
///
/// ```no_run
/// # async fn f(engine: &campaign_analytics::engine::Engine,
/// #            connection: &campaign_analytics::engine::Connection,
/// #            query: &campaign_analytics::contract::AnalyticsQuery) {
/// use campaign_analytics::api::cancel::Cancel;
/// use campaign_analytics::engine::requests::Requests;
/// let requests = engine.on(connection);
/// if !requests.is_cached(query) {
///     let answer = requests.ask(query, &Cancel::new()).await;
/// }
/// # }
/// ```
// The dashboard is single-threaded: the futures need no `Send` bound, so plain `async fn`.
#[allow(async_fn_in_trait)]
pub trait Requests {
    /// Why a request failed, as this side keeps it: the [`Failure`] itself on the page,
    /// its words in the panels' module.
    type Failure;

    /// Now, in Unix milliseconds.
    fn now_ms(&self) -> i64;

    /// The quota as it stands now; `None` before any answer carried it.
    fn quota(&self) -> Option<Quota>;

    /// Whether `query` would be answered from the cache now (free).
    fn is_cached(&self, query: &AnalyticsQuery) -> bool;

    /// How many of pages `1..=pages` of `first`'s window the cache answers now, in one
    /// call however many pages the window has (the panels ask it across the port once).
    fn cached_pages(&self, first: &AnalyticsQuery, pages: u32) -> u32;

    /// The answer to `query`: from the cache when it holds a young enough one, otherwise
    /// from the server (with the engine's retries). Refused as superseded once `cancel`
    /// fires.
    async fn ask(
        &self,
        query: &AnalyticsQuery,
        cancel: &Cancel,
    ) -> Result<Answer, Refused<Self::Failure>>;

    /// Waits until the Unix time `until_secs`, or until `cancel` fires; whether the time
    /// was reached.
    async fn wait_until(&self, until_secs: i64, cancel: &Cancel) -> bool;
}

/// A request that gave no answer, and what it cost.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Refused<F = Failure> {
    pub refusal: Refusal<F>,
    /// Requests spent before giving up.
    pub requests: u32,
}

/// Why there is no answer, as far as a loop must tell apart.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Refusal<F = Failure> {
    /// Cancelled, or replaced by a newer request.
    Superseded,
    /// A 429: the quota is spent until `until_secs` (Unix seconds). A loop that can wait
    /// waits; one that cannot shows the failure.
    RateLimited { until_secs: i64, failure: F },
    /// Any other failure: the loop stops with it.
    Failed(F),
}

impl Refusal {
    /// The refusal a failure is, at `now_secs` (a 429 without a time waits a minute).
    ///
    /// ```
    /// use campaign_analytics::api::reply::{ApiError, Failure};
    /// use campaign_analytics::engine::requests::Refusal;
    /// let limited = ApiError::RateLimited { retry_at: None, retry_after_secs: Some(30) };
    /// let refusal = Refusal::of(Failure::without_answer(limited, "id"), 1_000);
    /// assert!(matches!(refusal, Refusal::RateLimited { until_secs: 1_030, .. }));
    /// ```
    pub fn of(failure: Failure, now_secs: i64) -> Refusal {
        match failure.error {
            ApiError::Superseded => Refusal::Superseded,
            ApiError::RateLimited {
                retry_at,
                retry_after_secs,
            } => Refusal::RateLimited {
                until_secs: retry_at
                    .or_else(|| retry_after_secs.map(|s| now_secs.saturating_add(s as i64)))
                    .unwrap_or(now_secs + 60),
                failure,
            },
            _ => Refusal::Failed(failure),
        }
    }
}

impl<F> Refusal<F> {
    /// The same refusal with its failure turned into `G` (e.g. into words).
    pub fn map<G>(self, into: impl FnOnce(F) -> G) -> Refusal<G> {
        match self {
            Refusal::Superseded => Refusal::Superseded,
            Refusal::RateLimited {
                until_secs,
                failure,
            } => Refusal::RateLimited {
                until_secs,
                failure: into(failure),
            },
            Refusal::Failed(failure) => Refusal::Failed(into(failure)),
        }
    }
}

/// The page's engine on one connection: the [`Requests`] of the page itself.
#[derive(Clone, Copy)]
pub struct OnConnection<'a> {
    engine: &'a Engine,
    connection: &'a Connection,
}

impl Engine {
    /// This engine's requests on `connection` (cache first).
    pub fn on<'a>(&'a self, connection: &'a Connection) -> OnConnection<'a> {
        OnConnection {
            engine: self,
            connection,
        }
    }
}

impl Requests for OnConnection<'_> {
    type Failure = Failure;

    fn now_ms(&self) -> i64 {
        self.engine.now_ms()
    }

    fn quota(&self) -> Option<Quota> {
        self.engine.quota()
    }

    fn is_cached(&self, query: &AnalyticsQuery) -> bool {
        self.engine.is_cached(self.connection, query)
    }

    fn cached_pages(&self, first: &AnalyticsQuery, pages: u32) -> u32 {
        self.engine.cached_pages(self.connection, first, pages)
    }

    async fn ask(&self, query: &AnalyticsQuery, cancel: &Cancel) -> Result<Answer, Refused> {
        self.engine
            .analytics(self.connection, query, Freshness::CacheFirst, cancel)
            .await
            .map_err(|Failed { failure, requests }| Refused {
                refusal: Refusal::of(failure, self.now_ms().div_euclid(1000)),
                requests,
            })
    }

    async fn wait_until(&self, until_secs: i64, cancel: &Cancel) -> bool {
        self.engine.wait_until(until_secs, cancel).await
    }
}

/// How many requests asking all of `queries` would spend now: one per distinct query that
/// is not in the cache.
pub fn cost(requests: &impl Requests, queries: &[AnalyticsQuery]) -> u32 {
    let mut seen: Vec<String> = Vec::new();
    let mut cost = 0;
    for query in queries {
        let path = query.path();
        if seen.contains(&path) {
            continue;
        }
        if !requests.is_cached(query) {
            cost += 1;
        }
        seen.push(path);
    }
    cost
}
