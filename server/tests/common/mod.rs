//! Shared helpers of the integration tests: fixtures, an in-process server on a free
//! port of 127.0.0.1, requests, and a small checker of responses against the committed
//! OpenAPI document.
#![allow(dead_code)]

pub mod pg;

use campaign_analytics_server::clock::Clock;
use campaign_analytics_server::http::{self, ServerConfig};
use campaign_analytics_server::import::parse_fixture;
use campaign_analytics_server::store::postgres::PgStore;
use campaign_analytics_server::store::sqlite::SqliteStore;
use campaign_analytics_server::store::{Ingest, Store};
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::sync::oneshot;

pub const ACME: &str = "a0000000-0000-4000-8000-000000000001";
pub const OTHER: &str = "a0000000-0000-4000-8000-000000000002";
pub const ACME_KEY: &str = "sk_test_AcmeTestKey000000000000000000000";
pub const ACME_LIVE_KEY: &str = "sk_live_AcmeLiveKey000000000000000000000";
pub const OTHER_KEY: &str = "sk_test_OtherTestKey00000000000000000000";
pub const UNKNOWN_KEY: &str = "sk_test_NobodysKey0000000000000000000000";

/// Acme's active campaign: the instances of each test.
pub const SPRING: &str = "c0000000-0000-4000-8000-000000000001";
pub const DRAFT: &str = "c0000000-0000-4000-8000-000000000002";
pub const THEIRS: &str = "c0000000-0000-4000-8000-000000000003";
pub const MISSING: &str = "c0000000-0000-4000-8000-0000000000ff";

/// One instance for a fixture: id number, timestamp, revenue in cents (0: not a purchase).
pub fn instance(n: u32, campaign: &str, timestamp: &str, revenue_cents: i64) -> Value {
    let purchase = revenue_cents > 0;
    json!({
        "instance_id": format!("10000000-0000-4000-8000-{n:012x}"),
        "campaign_id": campaign,
        "insider_id": format!("20000000-0000-4000-8000-{n:012x}"),
        "is_purchase": purchase,
        "purchased_insider_id": if purchase { Value::String(format!("30000000-0000-4000-8000-{n:012x}")) } else { Value::Null },
        "timestamp": timestamp,
        "revenue": revenue_cents as f64 / 100.0,
    })
}

/// Two partners, an active and a draft campaign for Acme, one active campaign for
/// the other partner (with one instance), and `instances` for Acme's active one.
pub fn fixture(instances: Vec<Value>) -> Value {
    let mut all = instances;
    all.push(instance(0xffff, THEIRS, "2024-01-01T00:00:00Z", 100));
    json!({
        "partners": [
            {"id": ACME, "name": "Acme", "keys": [ACME_KEY, ACME_LIVE_KEY]},
            {"id": OTHER, "name": "Other", "keys": [OTHER_KEY]}
        ],
        "campaigns": [
            {"id": SPRING, "partner_id": ACME, "name": "Spring", "status": "active"},
            {"id": DRAFT, "partner_id": ACME, "name": "Draft", "status": "draft"},
            {"id": THEIRS, "partner_id": OTHER, "name": "Theirs", "status": "active"}
        ],
        "instances": all
    })
}

/// Settings with the clock pinned and limits that tests do not reach by accident.
pub fn config(now: &str) -> ServerConfig {
    ServerConfig {
        clock: Clock::pinned_from_rfc3339(now).expect("a valid instant"),
        rate_limit: 100_000,
        custom_range_rate_limit: 100_000,
        auth_failure_limit: 100_000,
        ..ServerConfig::default()
    }
}

/// A server running in this process on a free port; stopped when dropped.
pub struct TestServer {
    pub base: String,
    /// The server's metrics, as `--metrics-addr` would show them.
    pub metrics: Arc<campaign_analytics_server::metrics::Metrics>,
    stop: Option<oneshot::Sender<()>>,
    /// What must outlive the server (e.g. its database).
    keep: Option<Box<dyn std::any::Any + Send + Sync>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub fn store_with(fixture: &Value) -> SqliteStore {
    let store = SqliteStore::open(":memory:").expect("an in-memory database");
    let batch = parse_fixture(&fixture.to_string()).expect("a valid fixture");
    store.import(&batch).expect("an importable fixture");
    store.refresh().expect("a loadable read model");
    store
}

pub async fn start(fixture: &Value, config: ServerConfig) -> TestServer {
    start_with_store(Arc::new(store_with(fixture)), config).await
}

pub async fn start_with_store(store: Arc<dyn Store>, config: ServerConfig) -> TestServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    let (stop, stopped) = oneshot::channel::<()>();
    let app = http::app(store, config);
    let metrics = app.metrics();
    tokio::spawn(async move {
        let _ = app
            .serve(listener, async {
                let _ = stopped.await;
            })
            .await;
    });
    TestServer {
        base,
        metrics,
        stop: Some(stop),
        keep: None,
    }
}

/// Like [`start`], on a fresh database of the shared throwaway PostgreSQL cluster, with
/// the rate limits counted there too.
pub async fn start_postgres(fixture: &Value, mut config: ServerConfig) -> TestServer {
    let db = pg::Database::create();
    let fixture = fixture.to_string();
    let url = db.url.clone();
    let store = tokio::task::spawn_blocking(move || {
        let store = PgStore::open(&url, 8).expect("a migrated PostgreSQL database");
        let batch = parse_fixture(&fixture).expect("a valid fixture");
        store.import(&batch).expect("an importable fixture");
        store
    })
    .await
    .expect("the import ran");
    config.limiter = Some(Arc::new(store.limiter()));
    let mut server = start_with_store(Arc::new(store), config).await;
    server.keep = Some(Box::new(db));
    server
}

pub fn analytics_path(campaign: &str, query: &str) -> String {
    format!("/api/partner/v1/campaigns/{campaign}/analytics?{query}")
}

/// A response: status, headers, JSON body (Null when not JSON).
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn get(server: &TestServer, path: &str, key: Option<&str>) -> Reply {
    let client = reqwest::Client::new();
    let mut request = client.get(format!("{}{path}", server.base));
    if let Some(key) = key {
        request = request.header("Authorization", format!("Bearer {key}"));
    }
    send(request).await
}

pub async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("a body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
    }
}

/// Acme's analytics of its active campaign.
pub async fn analytics(server: &TestServer, query: &str) -> Reply {
    get(server, &analytics_path(SPRING, query), Some(ACME_KEY)).await
}

// ---------------------------------------------------------------------------------
// The OpenAPI document, and a checker of response bodies against its schemas: types,
// required properties, enums, nullable, minimum/maximum, formats uuid and date-time,
// $ref and allOf — what the document uses.

pub fn openapi() -> Value {
    serde_json::from_str(http::OPENAPI_JSON).expect("openapi.json is JSON")
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            resolve(
                doc,
                doc.pointer(pointer)
                    .unwrap_or_else(|| panic!("dangling $ref {reference}")),
            )
        }
        None => schema,
    }
}

pub fn check_schema(doc: &Value, schema: &Value, value: &Value, path: &str) -> Result<(), String> {
    let schema = resolve(doc, schema);
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for part in all {
            check_schema(doc, part, value, path)?;
        }
    }
    if value.is_null() {
        return if schema.get("nullable") == Some(&Value::Bool(true)) || schema.get("type").is_none()
        {
            Ok(())
        } else {
            Err(format!("{path}: null where a value is required"))
        };
    }
    if let Some(kind) = schema.get("type").and_then(Value::as_str) {
        let ok = match kind {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_u64() || value.is_i64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            other => return Err(format!("{path}: the checker does not know type {other}")),
        };
        if !ok {
            return Err(format!("{path}: {value} is not of type {kind}"));
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            return Err(format!("{path}: {value} is not one of {allowed:?}"));
        }
    }
    if let (Some(min), Some(n)) = (
        schema.get("minimum").and_then(Value::as_f64),
        value.as_f64(),
    ) {
        if n < min {
            return Err(format!("{path}: {n} < {min}"));
        }
    }
    if let (Some(max), Some(n)) = (
        schema.get("maximum").and_then(Value::as_f64),
        value.as_f64(),
    ) {
        if n > max {
            return Err(format!("{path}: {n} > {max}"));
        }
    }
    if let (Some(format), Some(text)) =
        (schema.get("format").and_then(Value::as_str), value.as_str())
    {
        let ok = match format {
            "uuid" => uuid::Uuid::try_parse(text).is_ok() && text.len() == 36,
            "date-time" => {
                chrono::DateTime::parse_from_rfc3339(text).is_ok() && text.ends_with('Z')
            }
            "date" => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
            _ => true,
        };
        if !ok {
            return Err(format!("{path}: {text:?} is not a {format}"));
        }
    }
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        for name in required.iter().filter_map(Value::as_str) {
            if value.get(name).is_none() {
                return Err(format!("{path}: required property {name} is missing"));
            }
        }
    }
    if let (Some(properties), Some(object)) = (
        schema.get("properties").and_then(Value::as_object),
        value.as_object(),
    ) {
        for (name, property) in properties {
            if let Some(v) = object.get(name) {
                check_schema(doc, property, v, &format!("{path}.{name}"))?;
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            check_schema(doc, items, item, &format!("{path}[{i}]"))?;
        }
    }
    Ok(())
}

/// Checks that the OpenAPI document describes this reply: the status is documented for
/// the operation, the body matches its schema, and the documented headers are there.
pub fn assert_documented(doc: &Value, openapi_path: &str, reply: &Reply) {
    let operation = &doc["paths"][openapi_path]["get"];
    assert!(operation.is_object(), "{openapi_path} is not documented");
    let documented = &operation["responses"][reply.status.to_string()];
    assert!(
        documented.is_object(),
        "status {} of {openapi_path} is not documented",
        reply.status
    );
    let schema = &documented["content"]["application/json"]["schema"];
    if let Err(e) = check_schema(doc, schema, &reply.body, "body") {
        panic!(
            "status {} of {openapi_path}: {e}\n{}",
            reply.status, reply.body
        );
    }
    if let Some(headers) = documented["headers"].as_object() {
        for name in headers.keys().filter(|n| !n.starts_with("WWW")) {
            assert!(
                reply.header(name).is_some(),
                "status {}: header {name} missing",
                reply.status
            );
        }
    }
}

pub const ANALYTICS_OPENAPI_PATH: &str = "/api/partner/v1/campaigns/{campaign_id}/analytics";

// ---------------------------------------------------------------------------------
// The server's log, captured: the same subscriber `serve` installs (formatter and
// sanitizer), writing into a buffer. It is the test binary's global subscriber (a
// per-thread one misses events when tests run in parallel: `tracing` caches which
// call sites are enabled across threads), so tests pick out their own lines, e.g. by
// request id.

#[derive(Clone, Default)]
pub struct LogBuffer(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub struct CapturedLog {
    buffer: LogBuffer,
}

impl CapturedLog {
    /// Everything this test binary has logged so far (text format).
    pub fn text(&self) -> String {
        String::from_utf8(self.buffer.0.lock().unwrap().clone()).expect("a UTF-8 log")
    }

    /// The lines that mention `needle` (e.g. a request id).
    pub fn lines_with(&self, needle: &str) -> Vec<String> {
        self.text()
            .lines()
            .filter(|l| l.contains(needle))
            .map(str::to_owned)
            .collect()
    }
}

/// The log of this test binary, captured from the first call on.
pub fn capture_log() -> CapturedLog {
    static BUFFER: std::sync::OnceLock<LogBuffer> = std::sync::OnceLock::new();
    let buffer = BUFFER
        .get_or_init(|| {
            let buffer = LogBuffer::default();
            let writer = buffer.clone();
            let subscriber = campaign_analytics_server::log::subscriber(
                campaign_analytics_server::log::LogFormat::Text,
                move || writer.clone(),
            );
            tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
            buffer
        })
        .clone();
    CapturedLog { buffer }
}
