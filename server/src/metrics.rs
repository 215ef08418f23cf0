//! Prometheus metrics (`--metrics-addr`), in the text exposition format.
//!
//! Hand-written rather than a client crate: the label sets are fixed and small (a route
//! out of [`Route`], a status code, a budget kind), so every series is a plain atomic
//! and recording a request costs a few uncontended atomic additions, no map and no lock.
//!
//! Other parts publish gauges they own through [`GaugeSource`] (e.g. a database pool's
//! size and use): register one with [`Metrics::register`] when the part is built, and its
//! gauges are read at every scrape.

use crate::http::rate_limit::BudgetKind;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

/// What a request was for: the `route` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Analytics,
    Healthz,
    Readyz,
    OpenApi,
    Demo,
    /// Anything else under `/api`.
    OtherApi,
    /// The dashboard's files (or the 404 where none are served).
    Dashboard,
}

impl Route {
    const ALL: [Route; 7] = [
        Route::Analytics,
        Route::Healthz,
        Route::Readyz,
        Route::OpenApi,
        Route::Demo,
        Route::OtherApi,
        Route::Dashboard,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Route::Analytics => "/api/partner/v1/campaigns/{campaign_id}/analytics",
            Route::Healthz => "/healthz",
            Route::Readyz => "/readyz",
            Route::OpenApi => "/api/partner/v1/openapi.json",
            Route::Demo => "/api/demo",
            Route::OtherApi => "/api/other",
            Route::Dashboard => "/",
        }
    }

    /// The route of a request path (a few string comparisons).
    pub fn of(path: &str) -> Route {
        match path {
            "/healthz" => Route::Healthz,
            "/readyz" => Route::Readyz,
            "/api/partner/v1/openapi.json" => Route::OpenApi,
            "/api/demo" => Route::Demo,
            _ if path.starts_with(crate::http::ANALYTICS_PREFIX)
                && path.ends_with(crate::http::ANALYTICS_SUFFIX) =>
            {
                Route::Analytics
            }
            _ if path == "/api" || path.starts_with("/api/") => Route::OtherApi,
            _ => Route::Dashboard,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Upper bounds of the latency histogram's buckets, in seconds.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
const STATUSES: usize = 600;

struct RouteSeries {
    /// Responses by status code (index = code).
    statuses: Box<[AtomicU64]>,
    /// Non-cumulative bucket counts; the last slot is +Inf.
    latency: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    latency_sum_us: AtomicU64,
}

impl RouteSeries {
    fn new() -> RouteSeries {
        RouteSeries {
            statuses: (0..STATUSES).map(|_| AtomicU64::new(0)).collect(),
            latency: Default::default(),
            latency_sum_us: AtomicU64::new(0),
        }
    }
}

/// Events at the edges of the server (connections, request heads).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeEvent {
    /// A connection refused with 503 at the connection cap.
    ConnectionRefused,
    /// A request head over its size limit (431).
    HeadTooLarge,
    /// A request URI over its size limit (414).
    UriTooLong,
    /// A connection closed for not sending a whole request head in time.
    HeaderTimeout,
    /// A keep-alive connection closed after sitting idle.
    IdleTimeout,
    /// A connection closed because its client stopped reading an answer.
    WriteTimeout,
    /// A connection closed at shutdown after the grace period.
    ClosedAtShutdown,
}

impl EdgeEvent {
    const ALL: [EdgeEvent; 7] = [
        EdgeEvent::ConnectionRefused,
        EdgeEvent::HeadTooLarge,
        EdgeEvent::UriTooLong,
        EdgeEvent::HeaderTimeout,
        EdgeEvent::IdleTimeout,
        EdgeEvent::WriteTimeout,
        EdgeEvent::ClosedAtShutdown,
    ];

    const fn as_str(self) -> &'static str {
        match self {
            EdgeEvent::ConnectionRefused => "connection_refused",
            EdgeEvent::HeadTooLarge => "head_too_large",
            EdgeEvent::UriTooLong => "uri_too_long",
            EdgeEvent::HeaderTimeout => "header_timeout",
            EdgeEvent::IdleTimeout => "idle_timeout",
            EdgeEvent::WriteTimeout => "write_timeout",
            EdgeEvent::ClosedAtShutdown => "closed_at_shutdown",
        }
    }
}

/// One gauge sample published by a [`GaugeSource`].
#[derive(Clone, Debug, PartialEq)]
pub struct Gauge {
    /// A Prometheus metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`), e.g.
    /// `campaign_analytics_db_pool_connections`.
    pub name: &'static str,
    pub help: &'static str,
    /// Label pairs; values are escaped when written.
    pub labels: Vec<(&'static str, String)>,
    pub value: f64,
}

/// A part of the server that publishes gauges (e.g. the store's connection pool: its
/// size, idle and in-use connections). Called at every scrape; keep it cheap.
pub trait GaugeSource: Send + Sync + 'static {
    fn gauges(&self) -> Vec<Gauge>;
}

/// Every metric of one server process.
pub struct Metrics {
    routes: Box<[RouteSeries]>,
    limiter_rejections: [AtomicU64; 3],
    store_errors: AtomicU64,
    edge_events: [AtomicU64; EdgeEvent::ALL.len()],
    connections_open: AtomicI64,
    dropped_log_lines: OnceLock<Box<dyn Fn() -> u64 + Send + Sync>>,
    sources: RwLock<Vec<Arc<dyn GaugeSource>>>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics {
            routes: Route::ALL.iter().map(|_| RouteSeries::new()).collect(),
            limiter_rejections: Default::default(),
            store_errors: AtomicU64::new(0),
            edge_events: Default::default(),
            connections_open: AtomicI64::new(0),
            dropped_log_lines: OnceLock::new(),
            sources: RwLock::new(Vec::new()),
        }
    }
}

fn budget_index(kind: BudgetKind) -> usize {
    match kind {
        BudgetKind::Requests => 0,
        BudgetKind::CustomRange => 1,
        BudgetKind::FailedAuth => 2,
    }
}

const BUDGETS: [BudgetKind; 3] = [
    BudgetKind::Requests,
    BudgetKind::CustomRange,
    BudgetKind::FailedAuth,
];

impl Metrics {
    /// Counts one answered request.
    pub fn record_request(&self, route: Route, status: u16, latency: Duration) {
        let series = &self.routes[route.index()];
        if let Some(slot) = series.statuses.get(usize::from(status)) {
            slot.fetch_add(1, Ordering::Relaxed);
        }
        let seconds = latency.as_secs_f64();
        let bucket = LATENCY_BUCKETS
            .iter()
            .position(|&bound| seconds <= bound)
            .unwrap_or(LATENCY_BUCKETS.len());
        series.latency[bucket].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        series.latency_sum_us.fetch_add(micros, Ordering::Relaxed);
    }

    /// Counts a request refused by a budget (429).
    pub fn record_rejection(&self, kind: BudgetKind) {
        self.limiter_rejections[budget_index(kind)].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a store call that failed (not one that missed the deadline).
    pub fn record_store_error(&self) {
        self.store_errors.fetch_add(1, Ordering::Relaxed);
    }

    pub fn record_edge(&self, event: EdgeEvent) {
        let at = EdgeEvent::ALL.iter().position(|e| *e == event).unwrap_or(0);
        self.edge_events[at].fetch_add(1, Ordering::Relaxed);
    }

    /// A connection opened (+1) or closed (-1).
    pub fn connection_delta(&self, delta: i64) {
        self.connections_open.fetch_add(delta, Ordering::Relaxed);
    }

    /// Where the count of dropped log lines comes from (set once, by `serve`).
    pub fn set_dropped_log_lines(&self, source: impl Fn() -> u64 + Send + Sync + 'static) {
        let _ = self.dropped_log_lines.set(Box::new(source));
    }

    /// Adds a source of gauges, read at every scrape.
    pub fn register(&self, source: Arc<dyn GaugeSource>) {
        match self.sources.write() {
            Ok(mut sources) => sources.push(source),
            Err(poisoned) => poisoned.into_inner().push(source),
        }
    }

    /// Everything, in the Prometheus text format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(8192);
        out.push_str(
            "# HELP campaign_analytics_http_requests_total HTTP responses by route and status.\n",
        );
        out.push_str("# TYPE campaign_analytics_http_requests_total counter\n");
        for route in Route::ALL {
            let series = &self.routes[route.index()];
            for (status, count) in series.statuses.iter().enumerate() {
                let count = count.load(Ordering::Relaxed);
                if count > 0 {
                    let _ = writeln!(
                        out,
                        "campaign_analytics_http_requests_total{{route=\"{}\",status=\"{status}\"}} {count}",
                        route.as_str()
                    );
                }
            }
        }
        out.push_str("# HELP campaign_analytics_http_request_duration_seconds Time from the request head to the response head, by route.\n");
        out.push_str("# TYPE campaign_analytics_http_request_duration_seconds histogram\n");
        for route in Route::ALL {
            let series = &self.routes[route.index()];
            let name = route.as_str();
            let mut cumulative = 0;
            for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
                cumulative += series.latency[i].load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "campaign_analytics_http_request_duration_seconds_bucket{{route=\"{name}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            cumulative += series.latency[LATENCY_BUCKETS.len()].load(Ordering::Relaxed);
            let sum = series.latency_sum_us.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(
                out,
                "campaign_analytics_http_request_duration_seconds_bucket{{route=\"{name}\",le=\"+Inf\"}} {cumulative}\n\
                 campaign_analytics_http_request_duration_seconds_sum{{route=\"{name}\"}} {sum}\n\
                 campaign_analytics_http_request_duration_seconds_count{{route=\"{name}\"}} {cumulative}"
            );
        }
        out.push_str("# HELP campaign_analytics_rate_limit_rejections_total Requests refused with 429, by budget.\n");
        out.push_str("# TYPE campaign_analytics_rate_limit_rejections_total counter\n");
        for kind in BUDGETS {
            let _ = writeln!(
                out,
                "campaign_analytics_rate_limit_rejections_total{{budget=\"{}\"}} {}",
                kind.as_str(),
                self.limiter_rejections[budget_index(kind)].load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP campaign_analytics_store_errors_total Store calls that failed (answered 500).\n");
        out.push_str("# TYPE campaign_analytics_store_errors_total counter\n");
        let _ = writeln!(
            out,
            "campaign_analytics_store_errors_total {}",
            self.store_errors.load(Ordering::Relaxed)
        );
        out.push_str("# HELP campaign_analytics_edge_events_total Connections and request heads refused or closed at the edges.\n");
        out.push_str("# TYPE campaign_analytics_edge_events_total counter\n");
        for (i, event) in EdgeEvent::ALL.iter().enumerate() {
            let _ = writeln!(
                out,
                "campaign_analytics_edge_events_total{{event=\"{}\"}} {}",
                event.as_str(),
                self.edge_events[i].load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP campaign_analytics_connections_open Client connections open now.\n");
        out.push_str("# TYPE campaign_analytics_connections_open gauge\n");
        let _ = writeln!(
            out,
            "campaign_analytics_connections_open {}",
            self.connections_open.load(Ordering::Relaxed)
        );
        out.push_str("# HELP campaign_analytics_log_lines_dropped_total Log lines dropped because the log's reader did not keep up.\n");
        out.push_str("# TYPE campaign_analytics_log_lines_dropped_total counter\n");
        let dropped = self.dropped_log_lines.get().map_or(0, |count| count());
        let _ = writeln!(out, "campaign_analytics_log_lines_dropped_total {dropped}");

        let sources = match self.sources.read() {
            Ok(sources) => sources.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let mut written: Vec<&'static str> = Vec::new();
        for gauge in sources.iter().flat_map(|s| s.gauges()) {
            if !written.contains(&gauge.name) {
                let _ = writeln!(
                    out,
                    "# HELP {} {}\n# TYPE {} gauge",
                    gauge.name, gauge.help, gauge.name
                );
                written.push(gauge.name);
            }
            let labels: Vec<String> = gauge
                .labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
                .collect();
            if labels.is_empty() {
                let _ = writeln!(out, "{} {}", gauge.name, gauge.value);
            } else {
                let _ = writeln!(
                    out,
                    "{}{{{}}} {}",
                    gauge.name,
                    labels.join(","),
                    gauge.value
                );
            }
        }
        out
    }
}

/// A label value as the text format wants it: backslash, quote and newline escaped.
fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Pool;

    impl GaugeSource for Pool {
        fn gauges(&self) -> Vec<Gauge> {
            vec![
                Gauge {
                    name: "campaign_analytics_db_pool_connections",
                    help: "Pool connections by state.",
                    labels: vec![("state", "idle".into())],
                    value: 3.0,
                },
                Gauge {
                    name: "campaign_analytics_db_pool_connections",
                    help: "Pool connections by state.",
                    labels: vec![("state", "in \"use\"\n".into())],
                    value: 1.0,
                },
            ]
        }
    }

    #[test]
    fn renders_counters_histograms_and_published_gauges() {
        let metrics = Metrics::default();
        metrics.record_request(Route::Analytics, 200, Duration::from_micros(700));
        metrics.record_request(Route::Analytics, 200, Duration::from_millis(30));
        metrics.record_request(Route::Analytics, 429, Duration::from_secs(20));
        metrics.record_rejection(BudgetKind::FailedAuth);
        metrics.record_store_error();
        metrics.record_edge(EdgeEvent::HeadTooLarge);
        metrics.set_dropped_log_lines(|| 7);
        metrics.register(Arc::new(Pool));
        let text = metrics.render();
        let route = "route=\"/api/partner/v1/campaigns/{campaign_id}/analytics\"";
        for line in [
            format!("campaign_analytics_http_requests_total{{{route},status=\"200\"}} 2"),
            format!("campaign_analytics_http_requests_total{{{route},status=\"429\"}} 1"),
            format!("campaign_analytics_http_request_duration_seconds_bucket{{{route},le=\"0.0005\"}} 0"),
            format!("campaign_analytics_http_request_duration_seconds_bucket{{{route},le=\"0.001\"}} 1"),
            format!("campaign_analytics_http_request_duration_seconds_bucket{{{route},le=\"0.05\"}} 2"),
            format!("campaign_analytics_http_request_duration_seconds_bucket{{{route},le=\"10\"}} 2"),
            format!("campaign_analytics_http_request_duration_seconds_bucket{{{route},le=\"+Inf\"}} 3"),
            format!("campaign_analytics_http_request_duration_seconds_count{{{route}}} 3"),
            format!("campaign_analytics_http_request_duration_seconds_sum{{{route}}} 20.0307"),
            "campaign_analytics_rate_limit_rejections_total{budget=\"failed_auth\"} 1".into(),
            "campaign_analytics_rate_limit_rejections_total{budget=\"requests\"} 0".into(),
            "campaign_analytics_store_errors_total 1".into(),
            "campaign_analytics_edge_events_total{event=\"head_too_large\"} 1".into(),
            "campaign_analytics_log_lines_dropped_total 7".into(),
            "campaign_analytics_db_pool_connections{state=\"idle\"} 3".into(),
            "campaign_analytics_db_pool_connections{state=\"in \\\"use\\\"\\n\"} 1".into(),
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line}\n{text}");
        }
        assert_eq!(
            text.matches("# TYPE campaign_analytics_db_pool_connections gauge")
                .count(),
            1
        );
        assert!(!text.contains("status=\"404\""));
    }

    #[test]
    fn routes_of_paths() {
        assert_eq!(
            Route::of("/api/partner/v1/campaigns/x/analytics"),
            Route::Analytics
        );
        assert_eq!(Route::of("/healthz"), Route::Healthz);
        assert_eq!(Route::of("/api/nope"), Route::OtherApi);
        assert_eq!(Route::of("/apix"), Route::Dashboard);
        assert_eq!(Route::of("/index.html"), Route::Dashboard);
    }
}
