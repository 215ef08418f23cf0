//! The request engine: every request the dashboard makes goes through it, and it has no UI
//! (no Leptos), so all of its rules are tested natively with `cargo test`.
//!
//! It owns what contract §5 asks of requests:
//!
//! * the **cache** ([`cache`]): the same base URL, key and canonical path within five
//!   minutes is answered from memory and spends nothing;
//! * **retries** ([`retry`]): network failures, 502, 503 and 504 only, at most twice, after a
//!   backoff with full jitter or the server's own wait; each attempt has its own
//!   `X-Request-ID`; a 429 is never retried;
//! * **cost** ([`budget`]): the quota read from `X-RateLimit-*` on every answer, the
//!   requests spent, and what an action will cost before it runs;
//! * the **periods** to ask ([`period`]): presets, steps and the previous period;
//! * **whole windows** ([`window`]): every page of a window, cost first, keeping a reserve
//!   of the quota and pausing until it frees up.
//!
//! Each answer is classified exactly once, by [`classify`] (its status) and
//! [`Answered::read`] (its body). Time, randomness and the
//! network come in through [`Env`] and [`Transport`]: the browser's
//! ([`browser_env`], [`browser_transport`]) in the dashboard, pinned ones in tests.

pub mod budget;
pub mod cache;
pub mod connection;
pub mod period;
pub mod requests;
pub mod retry;
pub mod window;

use crate::api::cancel::Cancel;
use crate::api::demo::DemoResponse;
use crate::api::reply::{
    classify, Answered, ApiError, ApiRequest, Failure, NoAnswer, Quota, RawResponse, Reply,
    DEFAULT_TIMEOUT_MS,
};
use crate::api::types::AnalyticsResponse;
use crate::contract::{AnalyticsQuery, SecretKey};
use cache::{Cache, CacheKey};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A boxed future that stays on the browser's thread (fetch futures are not `Send`).
pub type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// Sends one request and returns the answer as read, or why there is none. It never
/// retries and never follows redirects; it stops when its [`Cancel`] fires.
pub type Transport = Rc<dyn Fn(ApiRequest, Cancel) -> LocalFuture<Result<RawResponse, NoAnswer>>>;

/// Time and randomness, injected so that tests pin them.
pub trait Env {
    /// Now, in Unix milliseconds.
    fn now_ms(&self) -> i64;
    /// 64 random bits (backoff jitter, request ids).
    fn random_u64(&self) -> u64;
    /// A future that completes after `ms` milliseconds.
    fn sleep(&self, ms: u32) -> LocalFuture<()>;
}

/// Where requests go and with which key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    /// The checked base URL, without a trailing slash.
    pub base_url: String,
    pub key: SecretKey,
}

/// Whether an answer may come from the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freshness {
    /// A cached answer younger than five minutes is used, and costs nothing.
    CacheFirst,
    /// Always asks the server (the `refresh` button), and caches the new answer.
    Refresh,
}

/// Where the answer on screen came from (it crosses to the panels' module as it is).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Source {
    /// Fetched now; received at this Unix time (ms).
    Live { at_ms: i64 },
    /// From the cache; fetched at this Unix time (ms).
    Cached { at_ms: i64 },
}

impl Source {
    /// When the data was fetched from the server.
    pub fn fetched_at_ms(self) -> i64 {
        match self {
            Source::Live { at_ms } | Source::Cached { at_ms } => at_ms,
        }
    }
}

/// An analytics answer and what it cost.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub response: Arc<AnalyticsResponse>,
    /// The same answer as the server's JSON text (what crosses to the panels' module).
    pub text: Arc<str>,
    pub source: Source,
    /// Requests this answer spent (0 from the cache; more than 1 after retries).
    pub requests: u32,
}

/// A failure and what it cost.
#[derive(Clone, Debug, PartialEq)]
pub struct Failed {
    pub failure: Failure,
    /// Requests spent before giving up.
    pub requests: u32,
}

/// The engine; clones share it.
#[derive(Clone)]
pub struct Engine(Rc<Inner>);

struct Inner {
    transport: Transport,
    env: Rc<dyn Env>,
    cache: RefCell<Cache>,
    quota: Cell<Option<Quota>>,
    spent: Cell<u64>,
    timeout_ms: Cell<u32>,
}

impl Engine {
    /// An engine over `transport`, with time and randomness from `env`.
    pub fn new(transport: Transport, env: Rc<dyn Env>) -> Engine {
        Engine(Rc::new(Inner {
            transport,
            env,
            cache: RefCell::default(),
            quota: Cell::new(None),
            spent: Cell::new(0),
            timeout_ms: Cell::new(DEFAULT_TIMEOUT_MS),
        }))
    }

    /// Gives up on an attempt after `ms` milliseconds (default 15 s).
    pub fn set_timeout_ms(&self, ms: u32) {
        self.0.timeout_ms.set(ms);
    }

    /// Now, in Unix milliseconds (the engine's clock).
    pub fn now_ms(&self) -> i64 {
        self.0.env.now_ms()
    }

    /// The quota as it stands now (see [`budget::quota_at`]); `None` before any answer
    /// carried it.
    pub fn quota(&self) -> Option<Quota> {
        budget::quota_at(self.0.quota.get(), self.now_ms().div_euclid(1000))
    }

    /// Requests sent since the engine started (every attempt counts).
    pub fn spent(&self) -> u64 {
        self.0.spent.get()
    }

    fn cache_key(connection: &Connection, query: &AnalyticsQuery) -> CacheKey {
        CacheKey {
            base_url: connection.base_url.clone(),
            key: connection.key.clone(),
            path: query.path(),
        }
    }

    /// Whether `query` would be answered from the cache now.
    pub fn is_cached(&self, connection: &Connection, query: &AnalyticsQuery) -> bool {
        let key = Engine::cache_key(connection, query);
        self.0.cache.borrow().has(&key, self.now_ms())
    }

    /// How many of pages `1..=pages` of `first`'s window the cache answers now. It reads
    /// the cache's entries (at most [`cache::MAX_ENTRIES`]), not the window's pages, so a
    /// window of millions of instances costs no more to price than a small one.
    pub fn cached_pages(&self, connection: &Connection, first: &AnalyticsQuery, pages: u32) -> u32 {
        let now = self.now_ms();
        let cache = self.0.cache.borrow();
        cache
            .live_paths(&connection.base_url, &connection.key, now)
            .filter(|path| {
                first
                    .page_of(path)
                    .is_some_and(|p| (1..=pages).contains(&p))
            })
            .count() as u32
    }

    /// The cached answer to `query`, without any request.
    pub fn cached(&self, connection: &Connection, query: &AnalyticsQuery) -> Option<Answer> {
        let key = Engine::cache_key(connection, query);
        let now = self.now_ms();
        let (response, text, at_ms) = self.0.cache.borrow_mut().get(&key, now)?;
        Some(Answer {
            response,
            text,
            source: Source::Cached { at_ms },
            requests: 0,
        })
    }

    /// How many requests asking all of `queries` would spend now: one per distinct query
    /// that is not in the cache.
    pub fn cost(&self, connection: &Connection, queries: &[AnalyticsQuery]) -> u32 {
        requests::cost(&self.on(connection), queries)
    }

    /// The analytics of `query`: from the cache when `freshness` allows and it holds a
    /// young enough answer, otherwise from the server (with retries). Ends with
    /// [`ApiError::Superseded`] when `cancel` fires.
    pub async fn analytics(
        &self,
        connection: &Connection,
        query: &AnalyticsQuery,
        freshness: Freshness,
        cancel: &Cancel,
    ) -> Result<Answer, Failed> {
        if freshness == Freshness::CacheFirst {
            if let Some(answer) = self.cached(connection, query) {
                return Ok(answer);
            }
        }
        let key = Engine::cache_key(connection, query);
        let (reply, requests) = self
            .fetch::<AnalyticsResponse>(
                &connection.base_url,
                Some(&connection.key),
                &key.path,
                cancel,
            )
            .await?;
        let response = Arc::new(reply.body);
        let text: Arc<str> = reply.text.into();
        let at_ms = self.now_ms();
        self.0
            .cache
            .borrow_mut()
            .put(key, response.clone(), text.clone(), at_ms);
        Ok(Answer {
            response,
            text,
            source: Source::Live { at_ms },
            requests,
        })
    }

    /// `GET /api/demo` (contract §6): the demo accounts when the server runs in demo mode.
    /// It carries no key and spends no partner's quota.
    pub async fn demo(&self, base_url: &str, cancel: &Cancel) -> Result<DemoResponse, Failed> {
        self.fetch::<DemoResponse>(base_url, None, "/api/demo", cancel)
            .await
            .map(|(reply, _)| reply.body)
    }

    /// Waits until the Unix time `until_secs` (the quota's reset), or until `cancel` fires.
    /// Returns whether the time was reached.
    pub async fn wait_until(&self, until_secs: i64, cancel: &Cancel) -> bool {
        wait_until(&*self.0.env, until_secs, cancel).await
    }

    /// Sleeps `ms`, or less if `cancel` fires; returns whether it slept the whole time.
    async fn pause(&self, ms: u32, cancel: &Cancel) -> bool {
        pause(&*self.0.env, ms, cancel).await
    }

    fn request_id(&self) -> String {
        let random =
            (u128::from(self.0.env.random_u64()) << 64) | u128::from(self.0.env.random_u64());
        uuid::Builder::from_random_bytes(random.to_be_bytes())
            .into_uuid()
            .hyphenated()
            .to_string()
    }

    fn random_unit(&self) -> f64 {
        // 53 random bits as a float in [0, 1).
        (self.0.env.random_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// One logical request read as `T`: [`Engine::send`], then the body read.
    async fn fetch<T: serde::de::DeserializeOwned>(
        &self,
        base_url: &str,
        key: Option<&SecretKey>,
        path: &str,
        cancel: &Cancel,
    ) -> Result<(Reply<T>, u32), Failed> {
        let (answered, requests) = self.send(base_url, key, path, cancel).await?;
        answered
            .read::<T>()
            .map(|reply| (reply, requests))
            .map_err(|failure| Failed { failure, requests })
    }

    /// One logical request: attempts, each with a fresh request id and the timeout, until
    /// an answer that is final (see [`retry::decide`]). A 2xx answer always is (its body
    /// is read afterwards, by the caller's type); it does not depend on that type, so it
    /// is compiled once.
    async fn send(
        &self,
        base_url: &str,
        key: Option<&SecretKey>,
        path: &str,
        cancel: &Cancel,
    ) -> Result<(Answered, u32), Failed> {
        let mut attempts: u32 = 0;
        loop {
            let request_id = self.request_id();
            let request = match key {
                Some(key) => ApiRequest::new(base_url, key.clone(), path, request_id.clone()),
                None => ApiRequest::public(base_url, path, request_id.clone()),
            };
            let timeout_ms = self.0.timeout_ms.get();
            let attempt = cancel.child();
            attempts += 1;
            self.0.spent.set(self.0.spent.get() + 1);
            let sent = (self.0.transport)(request, attempt.clone());
            let outcome = match race(sent, self.0.env.sleep(timeout_ms)).await {
                Either::Left(outcome) => outcome,
                Either::Right(()) => {
                    // The attempt's own handle: aborting it stops the browser's fetch.
                    attempt.abort();
                    Err(NoAnswer::Aborted)
                }
            };
            let failed = |error: ApiError| Failed {
                failure: Failure::without_answer(error, &request_id),
                requests: attempts,
            };
            let (failure, header_wait) = match outcome {
                Err(_) if cancel.is_aborted() => return Err(failed(ApiError::Superseded)),
                Err(NoAnswer::Aborted) => {
                    return Err(failed(ApiError::Timeout { timeout_ms }));
                }
                Err(NoAnswer::Redirected) => {
                    return Err(failed(ApiError::Redirected {
                        base_url: base_url.to_owned(),
                    }));
                }
                Err(NoAnswer::Network) => (
                    Failure::without_answer(
                        ApiError::Network {
                            base_url: base_url.to_owned(),
                        },
                        &request_id,
                    ),
                    None,
                ),
                Ok(raw) => {
                    if let Some(quota) = raw.quota() {
                        self.0.quota.set(Some(quota));
                    }
                    let header_wait = raw.retry_after.clone();
                    match classify(raw, &request_id) {
                        Ok(answered) => return Ok((answered, attempts)),
                        Err(failure) => (failure, header_wait),
                    }
                }
            };
            let wait = retry::server_wait_secs(&failure, header_wait.as_deref());
            match retry::decide(&failure, attempts - 1, wait, self.random_unit()) {
                retry::Decision::GiveUp => {
                    return Err(Failed {
                        failure,
                        requests: attempts,
                    })
                }
                retry::Decision::RetryAfter(ms) => {
                    if !self.pause(ms, cancel).await {
                        return Err(failed(ApiError::Superseded));
                    }
                }
            }
        }
    }
}

/// Waits on `env`'s clock until the Unix time `until_secs`, or until `cancel` fires.
/// Returns whether the time was reached.
pub async fn wait_until(env: &dyn Env, until_secs: i64, cancel: &Cancel) -> bool {
    loop {
        if cancel.is_aborted() {
            return false;
        }
        let left = until_secs.saturating_mul(1000) - env.now_ms();
        if left <= 0 {
            return true;
        }
        // In slices of at most a minute, so a clock that jumps is noticed.
        let slice = left.min(60_000) as u32;
        if !pause(env, slice, cancel).await {
            return false;
        }
    }
}

/// Sleeps `ms` on `env`, or less if `cancel` fires; returns whether it slept the whole time.
async fn pause(env: &dyn Env, ms: u32, cancel: &Cancel) -> bool {
    matches!(
        race(env.sleep(ms), cancel.aborted()).await,
        Either::Left(())
    )
}

/// The first of two futures to complete.
enum Either<A, B> {
    Left(A),
    Right(B),
}

/// Polls `a` and `b` until one completes (`a` first); the other is dropped.
fn race<A: Future, B: Future>(a: A, b: B) -> impl Future<Output = Either<A::Output, B::Output>> {
    Race {
        a: Box::pin(a),
        b: Box::pin(b),
    }
}

struct Race<A: Future, B: Future> {
    a: Pin<Box<A>>,
    b: Pin<Box<B>>,
}

impl<A: Future, B: Future> Future for Race<A, B> {
    type Output = Either<A::Output, B::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(a) = self.a.as_mut().poll(cx) {
            return Poll::Ready(Either::Left(a));
        }
        if let Poll::Ready(b) = self.b.as_mut().poll(cx) {
            return Poll::Ready(Either::Right(b));
        }
        Poll::Pending
    }
}

/// The browser's clock, randomness and timers.
#[cfg(feature = "client")]
pub fn browser_env() -> Rc<dyn Env> {
    struct Browser;
    impl Env for Browser {
        fn now_ms(&self) -> i64 {
            js_sys::Date::now() as i64
        }
        fn random_u64(&self) -> u64 {
            // Two 32-bit draws; request ids and jitter need spread, not secrecy.
            let half = || (js_sys::Math::random() * 4_294_967_296.0) as u64;
            (half() << 32) | half()
        }
        fn sleep(&self, ms: u32) -> LocalFuture<()> {
            Box::pin(gloo_timers::future::TimeoutFuture::new(ms))
        }
    }
    Rc::new(Browser)
}

/// The browser transport ([`crate::api::client::send`]).
#[cfg(feature = "client")]
pub fn browser_transport() -> Transport {
    Rc::new(|request, cancel| {
        Box::pin(async move { crate::api::client::send(&request, &cancel).await })
    })
}

// Natively only: they drive the futures with a local executor.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
