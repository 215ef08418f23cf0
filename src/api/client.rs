//! The browser transport: one `GET` over gloo-net, nothing else. It sends what an
//! [`ApiRequest`] says — the key only in `Authorization: Bearer …`, its `X-Request-ID` —
//! never follows a redirect (the key would travel wherever it points), never lets the
//! browser's HTTP cache keep an answer, and aborts the `fetch` itself (through an
//! `AbortController`) when the request's [`Cancel`] fires. What the answer means is decided
//! by [`interpret`](crate::api::reply::interpret), called by the request engine.

use crate::api::cancel::Cancel;
use crate::api::reply::{ApiRequest, NoAnswer, RawResponse};

/// The `performance.mark` set when an answer's body has been read (before it is parsed):
/// the dashboard benchmark measures rendering from here.
pub const RESPONSE_MARK: &str = "campaign-analytics:response-read";

/// Sends `GET request.url()` and returns the answer as read, or why there is none.
pub async fn send(request: &ApiRequest, cancel: &Cancel) -> Result<RawResponse, NoAnswer> {
    use gloo_net::http::Request;
    use web_sys::{RequestCache, RequestRedirect, ResponseType};

    if cancel.is_aborted() {
        return Err(NoAnswer::Aborted);
    }
    let controller = web_sys::AbortController::new().map_err(|_| NoAnswer::Network)?;
    let signal = controller.signal();
    cancel.on_abort(move || controller.abort());

    let mut builder = Request::get(&request.url())
        .header("X-Request-ID", &request.request_id)
        .header("Accept", "application/json")
        .redirect(RequestRedirect::Manual)
        .cache(RequestCache::NoStore)
        .abort_signal(Some(&signal));
    if let Some(key) = &request.key {
        builder = builder.header("Authorization", &format!("Bearer {}", key.expose()));
    }
    // A transport failure is a cancellation when we aborted, a network failure otherwise.
    // Deliberately not the browser's error text: it says nothing more useful and a
    // message must never carry request details.
    let failed = |_| {
        if cancel.is_aborted() {
            NoAnswer::Aborted
        } else {
            NoAnswer::Network
        }
    };
    let response = builder.send().await.map_err(failed)?;
    if response.type_() == ResponseType::Opaqueredirect {
        return Err(NoAnswer::Redirected);
    }
    let raw = read(response).await.map_err(failed)?;
    if cancel.is_aborted() {
        return Err(NoAnswer::Aborted);
    }
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(RESPONSE_MARK);
    }
    Ok(raw)
}

/// Reads a gloo-net response into a [`RawResponse`] (the body as text).
pub async fn read(response: gloo_net::http::Response) -> Result<RawResponse, gloo_net::Error> {
    let headers = response.headers();
    let header = |name: &str| headers.get(name);
    let raw = RawResponse {
        status: response.status(),
        content_type: header("content-type"),
        request_id: header("x-request-id"),
        rate_limit: header("x-ratelimit-limit"),
        rate_remaining: header("x-ratelimit-remaining"),
        rate_reset: header("x-ratelimit-reset"),
        retry_after: header("retry-after"),
        body: String::new(),
    };
    let body = response.text().await?;
    Ok(RawResponse { body, ..raw })
}
