//! Request ids, one log line per request, and panics turned into 500 envelopes.

use super::envelope::Failure;
use super::AppState;
use crate::clock::Clock;
use crate::metrics::Route;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use campaign_analytics::api::types::Meta;
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;

pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being answered: the client's `X-Request-ID` when it is a
/// UUID, a fresh v4 otherwise (a non-UUID is never echoed: it could be anything).
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

impl RequestId {
    fn of(request: &Request) -> RequestId {
        let sent = request
            .headers()
            .get(&X_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .filter(|text| campaign_analytics::contract::parse_uuid(text).is_some());
        match sent {
            Some(text) => RequestId(text.to_owned()),
            None => fresh_request_id(),
        }
    }
}

/// A random v4 UUID from the thread's cryptographic generator (no system call each).
fn fresh_v4() -> Uuid {
    uuid::Builder::from_random_bytes(rand::random()).into_uuid()
}

/// A fresh request id, for answers no client id came with.
pub fn fresh_request_id() -> RequestId {
    RequestId(fresh_v4().hyphenated().to_string())
}

/// `meta` for a response to `request_id`, at the server clock's now.
pub fn meta(app: &AppState, request_id: &RequestId) -> Meta {
    meta_at(&app.clock, request_id)
}

/// `meta` for a response to `request_id`, at `clock`'s now.
pub fn meta_at(clock: &Clock, request_id: &RequestId) -> Meta {
    Meta {
        timestamp: clock.now(),
        request_id: request_id.0.clone(),
    }
}

/// The outermost layer: assigns the request id, logs one line when the response is
/// ready (method, path without query string, status, latency, request id; never a
/// header), counts it in the metrics, and sets `X-Request-ID` and the headers every
/// response carries (contract §6): `nosniff`, `no-referrer`, and `no-store` on
/// everything but the dashboard's files, which say their own caching.
pub async fn observe(
    State(app): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let route = Route::of(request.uri().path());
    let id = RequestId::of(&request);
    request.extensions_mut().insert(id.clone());
    let method = request.method().clone();
    // The log's formatter decodes, masks keys and escapes; a path is clipped first so
    // the status and latency after it are never cut.
    let path = crate::log::clip(request.uri().path(), 512).to_owned();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&id.0) {
        headers.insert(X_REQUEST_ID.clone(), value);
    }
    for (name, value) in super::SECURITY_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(super::NO_STORE.1),
        );
    }
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    app.metrics.record_request(route, status, elapsed);
    tracing::info!(
        target: "http",
        "{method} {path} {status} {}us request_id={}",
        elapsed.as_micros(),
        id.0
    );
    response
}

/// Inside the CORS layer: a panic anywhere below becomes the 500 envelope (with CORS
/// headers and the request id), never a dropped connection or a stack trace.
pub async fn catch_panics(
    State(app): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let id = request
        .extensions()
        .get::<RequestId>()
        .cloned()
        .unwrap_or_else(fresh_request_id);
    match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(_) => {
            tracing::error!(request_id = %id.0, "a request handler panicked");
            Failure::Internal.into_response(meta(&app, &id))
        }
    }
}
