//! The HTTP layer: routes, middleware and the app state. It knows the [`Store`]
//! interface and nothing of SQL.
//!
//! Layers, outermost first: [`observe::observe`] (request id, log line), CORS,
//! [`observe::catch_panics`], compression, then the routes.

mod analytics;
pub mod auth;
pub mod edge;
pub mod envelope;
pub mod json;
pub mod observe;
pub mod proxy;
pub mod rate_limit;
mod static_files;

use crate::clock::{Clock, LimitClock};
use crate::demo::DemoDirectory;
use crate::metrics::Metrics;
use crate::store::Store;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Extension, Router};
use edge::{EdgeConfig, Edges};
use envelope::Failure;
use observe::{meta, RequestId};
use proxy::TrustedProxies;
use rate_limit::{Budget, BudgetKind, LimiterBackend, MemoryLimiter};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::cors::{Any, CorsLayer};

/// The OpenAPI description of the API, as committed in `server/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("../../openapi.json");

/// The analytics endpoint's path prefix and suffix around the campaign id.
pub const ANALYTICS_PREFIX: &str = "/api/partner/v1/campaigns/";
pub const ANALYTICS_SUFFIX: &str = "/analytics";

/// Headers on every response (contract §6).
pub const SECURITY_HEADERS: [(&str, &str); 2] = [
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
];
/// The caching of every answer but the dashboard's files: none, anywhere.
pub const NO_STORE: (&str, &str) = ("cache-control", "no-store");

/// Settings of a running server (the `serve` flags).
#[derive(Clone)]
pub struct ServerConfig {
    pub clock: Clock,
    /// Requests per rolling hour per partner (0: unlimited).
    pub rate_limit: u32,
    /// The same for custom_range requests, which have their own budget.
    pub custom_range_rate_limit: u32,
    /// The rolling window of both budgets: an hour (shorter only in tests).
    pub rate_limit_window: Duration,
    /// Failed authentications allowed per client address per `auth_failure_window`
    /// (0: unlimited).
    pub auth_failure_limit: u32,
    pub auth_failure_window: Duration,
    /// The deadline of the store work of one request; past it the answer is a 504.
    pub query_deadline: Duration,
    /// The built dashboard, served at `/`.
    pub static_dir: Option<PathBuf>,
    /// The time budgets run on (real time; a manual clock in tests).
    pub limit_clock: LimitClock,
    /// Where budgets are counted; `None`: in this process ([`MemoryLimiter`]).
    pub limiter: Option<Arc<dyn LimiterBackend>>,
    /// Connection limits and timeouts.
    pub edges: EdgeConfig,
    /// Peers whose `X-Forwarded-For` is believed (none: the TCP peer is the client).
    pub trusted_proxies: TrustedProxies,
    /// In demo mode, what `GET /api/demo` lists; otherwise that path is a 404.
    pub demo: Option<Arc<DemoDirectory>>,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            clock: Clock::System,
            rate_limit: 150,
            custom_range_rate_limit: 300,
            rate_limit_window: Duration::from_secs(3600),
            auth_failure_limit: 30,
            auth_failure_window: Duration::from_secs(600),
            query_deadline: Duration::from_secs(5),
            static_dir: None,
            limit_clock: LimitClock::System,
            limiter: None,
            edges: EdgeConfig::default(),
            trusted_proxies: TrustedProxies::default(),
            demo: None,
        }
    }
}

/// What every handler shares.
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Clock,
    pub limiter: Arc<dyn LimiterBackend>,
    pub limit_clock: LimitClock,
    /// A partner's budget for everything but custom_range (limit 0: unlimited).
    pub requests_budget: Budget,
    /// A partner's budget for custom_range requests.
    pub custom_range_budget: Budget,
    /// Failed authentications per client address group.
    pub failed_auth_budget: Budget,
    pub query_deadline: Duration,
    pub trusted_proxies: TrustedProxies,
    pub metrics: Arc<Metrics>,
    pub demo: Option<Arc<DemoDirectory>>,
    static_files: Option<static_files::StaticFiles>,
}

/// The whole application: its routes and layers, its connection handling and its
/// metrics.
pub struct App {
    router: Router,
    edges: Arc<Edges>,
}

impl App {
    /// The process's metrics (also for `--metrics-addr` and for gauges of other parts).
    pub fn metrics(&self) -> Arc<Metrics> {
        Arc::clone(&self.edges.metrics)
    }

    /// The routes and layers alone.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// Serves on `listener` until `shutdown` completes, then shuts down gracefully
    /// within the configured grace ([`edge::serve`]).
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> std::io::Result<()> {
        edge::serve(listener, self.router, self.edges, shutdown).await
    }
}

/// Builds the application from its store and settings.
pub fn app(store: Arc<dyn Store>, config: ServerConfig) -> App {
    let metrics = Arc::new(Metrics::default());
    let edges = Arc::new(Edges {
        config: config.edges,
        clock: config.clock,
        metrics: Arc::clone(&metrics),
        draining: Default::default(),
    });
    App {
        router: router(store, config, metrics),
        edges,
    }
}

/// Serves the Prometheus text of `metrics` at `/metrics` on `listener` (and nothing
/// else), with the same connection handling as the API.
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    metrics: Arc<Metrics>,
    edges: EdgeConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let shown = Arc::clone(&metrics);
    let router = Router::new()
        .route(
            "/metrics",
            get(move || {
                let text = shown.render();
                async move {
                    (
                        [(
                            header::CONTENT_TYPE,
                            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
                        )],
                        text,
                    )
                }
            }),
        )
        .fallback(|| async { (axum::http::StatusCode::NOT_FOUND, "not found\n") });
    let edges = Arc::new(Edges {
        config: edges,
        clock: Clock::System,
        // The scrapes themselves are not counted in the API's metrics.
        metrics: Arc::new(Metrics::default()),
        draining: Default::default(),
    });
    edge::serve(listener, router, edges, shutdown).await
}

/// The routes and layers.
fn router(store: Arc<dyn Store>, config: ServerConfig, metrics: Arc<Metrics>) -> Router {
    let state = Arc::new(AppState {
        store,
        clock: config.clock,
        limiter: config
            .limiter
            .unwrap_or_else(|| Arc::new(MemoryLimiter::default())),
        limit_clock: config.limit_clock,
        requests_budget: Budget {
            kind: BudgetKind::Requests,
            limit: config.rate_limit,
            window_secs: config.rate_limit_window.as_secs().max(1),
        },
        custom_range_budget: Budget {
            kind: BudgetKind::CustomRange,
            limit: config.custom_range_rate_limit,
            window_secs: config.rate_limit_window.as_secs().max(1),
        },
        failed_auth_budget: Budget {
            kind: BudgetKind::FailedAuth,
            limit: config.auth_failure_limit,
            window_secs: config.auth_failure_window.as_secs().max(1),
        },
        query_deadline: config.query_deadline,
        trusted_proxies: config.trusted_proxies,
        metrics,
        demo: config.demo,
        static_files: config.static_dir.map(static_files::StaticFiles::new),
    });

    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
        .allow_headers([
            header::AUTHORIZATION,
            observe::X_REQUEST_ID.clone(),
            header::CONTENT_TYPE,
        ])
        .expose_headers([
            HeaderName::from_static("x-ratelimit-limit"),
            HeaderName::from_static("x-ratelimit-remaining"),
            HeaderName::from_static("x-ratelimit-reset"),
            header::RETRY_AFTER,
            observe::X_REQUEST_ID.clone(),
        ])
        .max_age(Duration::from_secs(600));

    Router::new()
        .route("/healthz", get(health))
        .route("/readyz", get(ready))
        .route("/api/partner/v1/openapi.json", get(openapi))
        .route("/api/demo", get(demo_directory))
        .route(
            "/api/partner/v1/campaigns/{campaign_id}/analytics",
            get(analytics::handle),
        )
        // An empty campaign id must reach the validator (`required`), not the 404.
        .route(
            "/api/partner/v1/campaigns//analytics",
            get(analytics::handle),
        )
        .route("/api", axum::routing::any(no_such_endpoint))
        .route("/api/{*rest}", axum::routing::any(no_such_endpoint))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(fallback)
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(5)))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            observe::catch_panics,
        ))
        .layer(cors)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            observe::observe,
        ))
        .with_state(state)
}

/// Liveness: the process answers HTTP.
async fn health() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        r#"{"status":"ok"}"#,
    )
        .into_response()
}

/// Readiness: the store answers (for a database, a round trip within the query
/// deadline). A replica whose database is unreachable is taken out of rotation.
async fn ready(State(state): State<Arc<AppState>>) -> Response {
    let check = tokio::time::timeout(state.query_deadline, state.store.ready()).await;
    let (status, body) = match check {
        Ok(Ok(())) => (StatusCode::OK, r#"{"status":"ready"}"#),
        Ok(Err(e)) => {
            state.metrics.record_store_error();
            tracing::error!("readiness check failed: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                r#"{"status":"unavailable"}"#,
            )
        }
        Err(_) => {
            tracing::error!("readiness check timed out");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                r#"{"status":"unavailable"}"#,
            )
        }
    };
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI_JSON,
    )
        .into_response()
}

/// `GET /api/demo`: the demo partners, keys and campaigns in demo mode; a 404 otherwise.
async fn demo_directory(
    State(app): State<Arc<AppState>>,
    Extension(id): Extension<RequestId>,
) -> Response {
    let Some(directory) = &app.demo else {
        return Failure::NoSuchEndpoint.into_response(meta(&app, &id));
    };
    #[derive(serde::Serialize)]
    struct Answer<'a> {
        success: bool,
        message: &'static str,
        data: &'a DemoDirectory,
        meta: campaign_analytics::api::types::Meta,
    }
    envelope::json_response(
        axum::http::StatusCode::OK,
        &Answer {
            success: true,
            message: "Demo partners, their keys and campaigns",
            data: directory,
            meta: meta(&app, &id),
        },
    )
}

async fn no_such_endpoint(
    State(app): State<Arc<AppState>>,
    Extension(id): Extension<RequestId>,
) -> Response {
    Failure::NoSuchEndpoint.into_response(meta(&app, &id))
}

async fn method_not_allowed(
    State(app): State<Arc<AppState>>,
    Extension(id): Extension<RequestId>,
) -> Response {
    Failure::MethodNotAllowed.into_response(meta(&app, &id))
}

/// Anything no route matched: the dashboard (with its SPA fallback) when one is
/// served, else the JSON 404. Other methods than GET/HEAD get the JSON 405 where the
/// dashboard answers GET (every path outside `/api/`), the JSON 404 elsewhere.
async fn fallback(
    State(app): State<Arc<AppState>>,
    Extension(id): Extension<RequestId>,
    request: Request,
) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let served_by_dashboard =
            app.static_files.is_some() && !request.uri().path().starts_with("/api/");
        let failure = if served_by_dashboard {
            Failure::MethodNotAllowed
        } else {
            Failure::NoSuchEndpoint
        };
        return failure.into_response(meta(&app, &id));
    }
    match &app.static_files {
        Some(files) => match files.serve(request).await {
            Some(response) => response,
            None => Failure::NoSuchEndpoint.into_response(meta(&app, &id)),
        },
        None => Failure::NoSuchEndpoint.into_response(meta(&app, &id)),
    }
}
