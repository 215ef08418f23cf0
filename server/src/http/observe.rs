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

/// A path fit for the log: a secret key pasted into a URL by mistake is masked, spelled
/// plainly or percent-encoded (the path is decoded first, so `%73k_…` is caught too).
fn loggable_path(path: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let shown: String = decoded.chars().take(200).collect();
    if !shown.contains("sk_") {
        return shown;
    }
    let mut out = String::with_capacity(shown.len());
    let mut rest = shown.as_str();
    while let Some(at) = rest.find("sk_") {
        out.push_str(&rest[..at]);
        out.push_str("sk_[redacted]");
        rest = &rest[at + 3..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The outermost layer: assigns the request id, logs one line when the response is
/// ready (method, path without query string, status, latency, request id; never a
/// header), and sets `X-Request-ID` on every response.
pub async fn observe(mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = RequestId::of(&request);
    request.extensions_mut().insert(id.clone());
    let method = request.method().clone();
    let path = loggable_path(request.uri().path());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_in_paths_are_masked() {
        assert_eq!(loggable_path("/a/b"), "/a/b");
        assert_eq!(
            loggable_path("/x/sk_test_0123456789abcdefABCDEF0123456789/y"),
            "/x/sk_[redacted]/y"
        );
        assert_eq!(
            loggable_path("/sk_live_abc-sk_"),
            "/sk_[redacted]-sk_[redacted]"
        );
        // Percent-encoded spellings are decoded before masking.
        for encoded in [
            "/api/%73k_test_0123456789abcdefABCDEF0123456789",
            "/api/sk%5Ftest%5F0123456789abcdefABCDEF0123456789",
            "/api/%73%6B%5F%74est_0123456789abcdefABCDEF0123456789",
        ] {
            assert_eq!(loggable_path(encoded), "/api/sk_[redacted]", "{encoded}");
        }
    }
}
