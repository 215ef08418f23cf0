//! `GET /api/partner/v1/campaigns/{campaign_id}/analytics`, in the order of contract §3:
//! 401, 429, 400, 404, 403, 409, 422, then 200 (504 if the store misses the deadline,
//! 500 if it fails). Every response after a successful authentication carries the
//! `X-RateLimit-*` headers of the budget the request drew on.

use super::auth::{credential, Credential};
use super::envelope::Failure;
use super::observe::{meta, RequestId};
use super::rate_limit::{ClientGroup, Decision, Subject};
use super::{AppState, ANALYTICS_PREFIX, ANALYTICS_SUFFIX};
use crate::analytics::{plan, OK_MESSAGE};
use crate::store::{CampaignStatus, KeyDigest, StoreError};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use campaign_analytics::contract::validate_request;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use tokio::time::Instant;

pub async fn handle(State(app): State<Arc<AppState>>, request: Request) -> Response {
    // Only the head is needed; it is shared across awaits, which the body could not be.
    let (request, _body) = request.into_parts();
    let id = request
        .extensions
        .get::<RequestId>()
        .cloned()
        .unwrap_or_else(super::observe::fresh_request_id);
    let deadline = Instant::now() + app.query_deadline;
    let (failure, headers) = match answer(&app, &id, &request, deadline).await {
        Ok(response) => return response,
        Err(failed) => failed,
    };
    let mut response = failure.into_response(meta(&app, &id));
    response.headers_mut().extend(headers);
    response
}

/// The client address: the TCP peer, or what a trusted proxy says it forwarded for.
fn client_ip(app: &AppState, request: &Parts) -> IpAddr {
    let peer = request
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    app.trusted_proxies.client(peer, &request.headers)
}

/// Whether the request draws on the custom_range budget: its (first) `time_frame`
/// parameter says `custom_range`. Decided before validation, since 429 comes first.
fn is_custom_range(query: &str) -> bool {
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "time_frame")
        .is_some_and(|(_, value)| value == "custom_range")
}

fn rate_headers(decision: &Decision) -> HeaderMap {
    let mut headers = HeaderMap::with_capacity(3);
    headers.insert(
        HeaderName::from_static("x-ratelimit-limit"),
        HeaderValue::from(decision.limit),
    );
    headers.insert(
        HeaderName::from_static("x-ratelimit-remaining"),
        HeaderValue::from(decision.remaining),
    );
    headers.insert(
        HeaderName::from_static("x-ratelimit-reset"),
        HeaderValue::from(decision.reset_at),
    );
    headers
}

/// The 504 of a request that missed the server's deadline.
fn missed_deadline(app: &AppState) -> Failure {
    Failure::Timeout(format!(
        "The query did not finish within the server's deadline of {} ms.",
        app.query_deadline.as_millis()
    ))
}

/// Runs a store call within the request's deadline.
async fn within<T>(
    app: &AppState,
    id: &RequestId,
    deadline: Instant,
    call: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, Failure> {
    match tokio::time::timeout_at(deadline, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => {
            app.metrics.record_store_error();
            tracing::error!(request_id = %id.0, "store failure: {e}");
            Err(Failure::Internal)
        }
        Err(_) => Err(missed_deadline(app)),
    }
}

/// The answer to a missing-partner credential (malformed or unknown key): 401, or 429
/// once the client's address group has spent its failed-authentication budget. A
/// limiter that cannot answer does not turn a 401 into a 500.
async fn failed_authentication(
    app: &AppState,
    id: &RequestId,
    request: &Parts,
    deadline: Instant,
) -> Failure {
    let budget = app.failed_auth_budget;
    if budget.limit == 0 {
        return Failure::Unauthorized;
    }
    let subject = Subject::Client(ClientGroup::of(client_ip(app, request)));
    let call = app.limiter.acquire(budget, subject, app.limit_clock.now());
    let Ok(decision) = tokio::time::timeout_at(deadline, call).await else {
        tracing::error!(request_id = %id.0, "rate limiter missed the deadline");
        return Failure::Unauthorized;
    };
    match decision {
        Ok(decision) if !decision.allowed => {
            app.metrics.record_rejection(budget.kind);
            Failure::TooManyRequests {
                retry_after: decision.retry_after,
            }
        }
        Ok(_) => Failure::Unauthorized,
        Err(e) => {
            tracing::error!(request_id = %id.0, "rate limiter failure: {e}");
            Failure::Unauthorized
        }
    }
}

async fn answer(
    app: &AppState,
    id: &RequestId,
    request: &Parts,
    deadline: Instant,
) -> Result<Response, (Failure, HeaderMap)> {
    let no_headers = |f: Failure| (f, HeaderMap::new());

    // 1. Authentication. A valid key is always served: failed attempts are limited per
    //    client address, but only unknown or malformed keys are ever refused for it.
    let partner = match credential(&request.headers) {
        Credential::Missing => return Err(no_headers(Failure::Unauthorized)),
        Credential::Malformed => None,
        Credential::Key(key) => {
            let digest = KeyDigest::of(key.expose());
            drop(key);
            within(app, id, deadline, app.store.partner_for_key(&digest))
                .await
                .map_err(no_headers)?
        }
    };
    let Some(partner) = partner else {
        return Err(no_headers(
            failed_authentication(app, id, request, deadline).await,
        ));
    };

    // 2. The partner's rolling-hour budget (custom ranges have their own).
    let query_string = request.uri.query().unwrap_or("");
    let partner_budget = if is_custom_range(query_string) {
        app.custom_range_budget
    } else {
        app.requests_budget
    };
    let mut headers = HeaderMap::new();
    if partner_budget.limit > 0 {
        let now = app.limit_clock.now();
        let call = app
            .limiter
            .acquire(partner_budget, Subject::Partner(partner), now);
        let decision = tokio::time::timeout_at(deadline, call)
            .await
            .map_err(|_| no_headers(missed_deadline(app)))?
            .map_err(|e| {
                tracing::error!(request_id = %id.0, "rate limiter failure: {e}");
                no_headers(Failure::Internal)
            })?;
        headers = rate_headers(&decision);
        if !decision.allowed {
            app.metrics.record_rejection(partner_budget.kind);
            return Err((
                Failure::TooManyRequests {
                    retry_after: decision.retry_after,
                },
                headers,
            ));
        }
    }
    let fail = |f: Failure| (f, headers.clone());

    // 3. Validation: exactly the shared validator's errors.
    let path = request.uri.path();
    let segment = path
        .strip_prefix(ANALYTICS_PREFIX)
        .and_then(|rest| rest.strip_suffix(ANALYTICS_SUFFIX))
        .unwrap_or_default();
    let segment = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
    let validation = validate_request(&segment, query_string);
    let query = validation
        .into_result()
        .map_err(|fields| fail(Failure::BadRequest(fields)))?;

    // 4–6. The campaign: exists, is the partner's, was launched.
    let campaign = within(app, id, deadline, app.store.campaign(query.campaign_id()))
        .await
        .map_err(fail)?
        .ok_or_else(|| fail(Failure::CampaignNotFound))?;
    if campaign.partner_id != partner {
        return Err(fail(Failure::Forbidden));
    }
    if campaign.status == CampaignStatus::Draft {
        return Err(fail(Failure::Draft));
    }

    // 7–8. The window.
    let now_data = app.clock.now();
    let plan = plan(query.period(), now_data).ok_or_else(|| {
        tracing::error!(request_id = %id.0, "window out of the representable calendar");
        fail(Failure::Internal)
    })?;
    let window_query = plan.window_query(&query);
    let answer = within(
        app,
        id,
        deadline,
        app.store.window(campaign.id, &window_query),
    )
    .await
    .map_err(fail)?;
    if answer.summary.instances == 0 {
        return Err(fail(Failure::NoData(format!(
            "No analytics data available for the specified time period ({} to {}).",
            plan.start
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            plan.end
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        ))));
    }
    let body = super::json::analytics_body(&query, &plan, &answer, OK_MESSAGE, &meta(app, id));
    let mut response = (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response();
    response.headers_mut().extend(headers);
    Ok(response)
}
