//! The JSON envelopes of the published API: every error the server sends is one of
//! these, with the request id it answers. One error type for the HTTP boundary.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use campaign_analytics::api::types::{ErrorBody, Meta};
use campaign_analytics::contract::FieldError;
use serde::Serialize;

/// Why a request failed, as the client is told.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// 400: the errors of contract §1, exactly as the shared validator lists them.
    BadRequest(Vec<FieldError>),
    /// 401: missing, malformed or unknown key.
    Unauthorized,
    /// 403: the campaign belongs to another partner.
    Forbidden,
    /// 404: no campaign with that id.
    CampaignNotFound,
    /// 404: no endpoint at that path.
    NoSuchEndpoint,
    /// 405: the path exists, the method does not.
    MethodNotAllowed,
    /// 409: the campaign is a draft.
    Draft,
    /// 422: no instance at all in the window; the details say which window.
    NoData(String),
    /// 429: a budget is spent; wait this many seconds.
    TooManyRequests { retry_after: u64 },
    /// 500: something broke; the cause is in the log under the request id.
    Internal,
    /// 504: the query missed the deadline.
    Timeout(String),
    /// 431: the request head is over its size limit (or has too many fields).
    HeadTooLarge,
    /// 414: the request URI is over its size limit.
    UriTooLong,
    /// 503: the server is at its connection limit.
    Busy,
}

impl Failure {
    pub fn status(&self) -> StatusCode {
        match self {
            Failure::BadRequest(_) => StatusCode::BAD_REQUEST,
            Failure::Unauthorized => StatusCode::UNAUTHORIZED,
            Failure::Forbidden => StatusCode::FORBIDDEN,
            Failure::CampaignNotFound | Failure::NoSuchEndpoint => StatusCode::NOT_FOUND,
            Failure::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Failure::Draft => StatusCode::CONFLICT,
            Failure::NoData(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Failure::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Failure::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Failure::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
            Failure::HeadTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Failure::UriTooLong => StatusCode::URI_TOO_LONG,
            Failure::Busy => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The body, with the published `error` and `message` texts.
    pub fn body(self, meta: Meta) -> ErrorBody {
        let mut body = ErrorBody {
            success: false,
            error: String::new(),
            message: String::new(),
            details: None,
            fields: None,
            validation_errors: None,
            retry_after: None,
            meta,
        };
        let (error, message) = match self {
            Failure::BadRequest(fields) => {
                let message = format!("Validation failed for {} fields", fields.len());
                body.fields = Some(fields);
                ("Bad Request", message)
            }
            Failure::Unauthorized => ("Unauthorized", "Invalid or missing secret key".into()),
            Failure::Forbidden => {
                body.details = Some(
                    "The campaign belongs to another partner; a key only gives access to its own partner's campaigns."
                        .into(),
                );
                (
                    "Forbidden",
                    "Insufficient permissions to access this campaign.".into(),
                )
            }
            Failure::CampaignNotFound => (
                "Not Found",
                "Campaign not found with the specified campaign_id".into(),
            ),
            Failure::NoSuchEndpoint => ("Not Found", "No endpoint exists at this path".into()),
            Failure::MethodNotAllowed => {
                body.details = Some("This endpoint only answers GET (and HEAD).".into());
                (
                    "Method Not Allowed",
                    "The method is not allowed for this endpoint.".into(),
                )
            }
            Failure::Draft => {
                body.details = Some(
                    "The campaign is a draft: it was never launched and has no analytics.".into(),
                );
                (
                    "Conflict",
                    "Request conflicts with current campaign state.".into(),
                )
            }
            Failure::NoData(details) => {
                body.details = Some(details);
                body.validation_errors = Some(Vec::new());
                ("Validation Error", "Request validation failed.".into())
            }
            Failure::TooManyRequests { .. } => (
                "Too Many Requests",
                "Rate limit exceeded. Please try again later".into(),
            ),
            Failure::Internal => (
                "Internal Server Error",
                "An unexpected error occurred. Please try again later".into(),
            ),
            Failure::Timeout(details) => {
                body.details = Some(details);
                (
                    "Gateway Timeout",
                    "Request timeout. Please try again.".into(),
                )
            }
            Failure::HeadTooLarge => {
                body.details = Some(format!(
                    "A request head may be at most {} bytes with at most {} header fields.",
                    super::edge::MAX_HEAD_BYTES,
                    super::edge::MAX_HEADER_FIELDS
                ));
                (
                    "Request Header Fields Too Large",
                    "The request head is too large.".into(),
                )
            }
            Failure::UriTooLong => {
                body.details = Some(format!(
                    "A request URI may be at most {} bytes.",
                    super::edge::MAX_URI_BYTES
                ));
                ("URI Too Long", "The request URI is too long.".into())
            }
            Failure::Busy => {
                body.details = Some("The server is at its connection limit.".into());
                (
                    "Service Unavailable",
                    "The server is busy. Please try again later".into(),
                )
            }
        };
        body.error = error.to_owned();
        body.message = message;
        body
    }

    /// The full response: status, extra headers of the status, JSON body.
    pub fn into_response(self, meta: Meta) -> Response {
        let status = self.status();
        let mut headers = HeaderMap::new();
        match &self {
            Failure::TooManyRequests { retry_after } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            Failure::Busy => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            Failure::MethodNotAllowed => {
                headers.insert(
                    header::ALLOW,
                    HeaderValue::from_static("GET, HEAD, OPTIONS"),
                );
            }
            Failure::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        let mut response = json_response(status, &self.body(meta));
        response.headers_mut().extend(headers);
        response
    }
}

/// A JSON response. Serializing the API's own types cannot fail; if it ever did, the
/// client still gets a well-formed 500 envelope rather than a panic.
pub fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!("cannot serialize a response: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
                r#"{"success":false,"error":"Internal Server Error","message":"An unexpected error occurred. Please try again later"}"#,
            )
                .into_response()
        }
    }
}
