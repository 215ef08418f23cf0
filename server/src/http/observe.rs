//! Request ids, one log line per request, and panics turned into 500 envelopes.

use super::envelope::Failure;
use super::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue};
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
            .filter(|text| crate::import::parse_hyphenated_uuid(text).is_some());
        match sent {
            Some(text) => RequestId(text.to_owned()),
            None => RequestId(fresh_v4().hyphenated().to_string()),
        }
    }
}

/// A random v4 UUID from the thread's cryptographic generator (no system call each).
fn fresh_v4() -> Uuid {
    uuid::Builder::from_random_bytes(rand::random()).into_uuid()
}

/// `meta` for a response to `request_id`, at the server clock's now.
pub fn meta(app: &AppState, request_id: &RequestId) -> Meta {
    Meta {
        timestamp: app.clock.now(),
        request_id: request_id.0.clone(),
    }
}

/// The outermost layer: assigns the request id, logs one line when the response is
/// ready (method, path without query string, status, latency, request id; never a
/// header), and sets `X-Request-ID` on every response.
pub async fn observe(mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = RequestId::of(&request);
    request.extensions_mut().insert(id.clone());
    let method = request.method().clone();
    // The log's formatter decodes, masks keys and escapes; a path is clipped first so
    // the status and latency after it are never cut.
    let path = crate::log::clip(request.uri().path(), 512).to_owned();
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&id.0) {
        response.headers_mut().insert(X_REQUEST_ID.clone(), value);
    }
    tracing::info!(
        target: "http",
        "{method} {path} {} {}us request_id={}",
        response.status().as_u16(),
        started.elapsed().as_micros(),
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
        .unwrap_or_else(|| RequestId(fresh_v4().to_string()));
    match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(_) => {
            tracing::error!(request_id = %id.0, "a request handler panicked");
            Failure::Internal.into_response(meta(&app, &id))
        }
    }
}
