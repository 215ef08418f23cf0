//! What an answer of the API means, decided in one place and without a browser: a
//! [`RawResponse`] (status, the few headers that matter, the body text) becomes the data
//! or a typed [`Failure`] ([`interpret`]). The browser transport (`client`) only moves
//! bytes; the request engine (`crate::engine`) calls [`interpret`] once per answer, so
//! every failure is classified exactly once, natively testable with `cargo test`.
//!
//! The secret key is a [`SecretKey`]: the transport reads it with `expose()` in exactly one
//! place, the `Authorization` header, and it is never put in a URL, a log line or an error.

use crate::api::types::ErrorBody;
use crate::contract::{FieldError, SecretKey};
use serde::de::DeserializeOwned;

/// How long a request may take before the client gives up on it.
pub const DEFAULT_TIMEOUT_MS: u32 = 15_000;

/// One request to the API: where, with which key, and under which request id.
///
/// ```
/// use campaign_analytics::api::reply::ApiRequest;
/// use campaign_analytics::contract::SecretKey;
/// let key = SecretKey::parse("sk_test_0123456789abcdefABCDEF0123456789").unwrap();
/// let id = "00000000-0000-4000-8000-000000000001".to_owned();
/// let req = ApiRequest::new("http://127.0.0.1:8080/", key, "/api/partner/v1/campaigns", id);
/// assert_eq!(req.url(), "http://127.0.0.1:8080/api/partner/v1/campaigns");
/// assert!(!format!("{req:?}").contains("0123456789abcdef"));
/// ```
#[derive(Clone, Debug)]
pub struct ApiRequest {
    /// The API's base URL (scheme, host, port), without the path.
    pub base_url: String,
    /// The partner's key, sent only as `Authorization: Bearer …`; `None` for the few
    /// public paths (`GET /api/demo`).
    pub key: Option<SecretKey>,
    /// The path and query string, e.g. [`AnalyticsQuery::path`](crate::contract::AnalyticsQuery::path).
    pub path: String,
    /// The `X-Request-ID` sent: a fresh UUID v4 per request.
    pub request_id: String,
    /// Give up after this many milliseconds.
    pub timeout_ms: u32,
}

impl ApiRequest {
    /// A request under `request_id` (a fresh one per attempt: the engine draws it), with
    /// the default timeout.
    pub fn new(base_url: &str, key: SecretKey, path: &str, request_id: String) -> ApiRequest {
        ApiRequest {
            base_url: base_url.trim_end_matches('/').to_owned(),
            key: Some(key),
            path: path.to_owned(),
            request_id,
            timeout_ms: DEFAULT_TIMEOUT_MS,
        }
    }

    /// A request that carries no key (a public path such as `GET /api/demo`).
    pub fn public(base_url: &str, path: &str, request_id: String) -> ApiRequest {
        ApiRequest {
            base_url: base_url.trim_end_matches('/').to_owned(),
            key: None,
            path: path.to_owned(),
            request_id,
            timeout_ms: DEFAULT_TIMEOUT_MS,
        }
    }

    /// The full URL the request goes to. It never carries the key.
    pub fn url(&self) -> String {
        format!("{}{}", self.base_url.trim_end_matches('/'), self.path)
    }
}

/// The partner's quota as the last authenticated answer told it
/// (`X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Quota {
    pub limit: u64,
    pub remaining: u64,
    /// When the window frees up again, in Unix seconds.
    pub reset_at: Option<i64>,
}

/// What the client keeps of an HTTP answer: enough to decide what it means, nothing more.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawResponse {
    pub status: u16,
    pub content_type: Option<String>,
    /// `X-Request-ID` as echoed by the server.
    pub request_id: Option<String>,
    pub rate_limit: Option<String>,
    pub rate_remaining: Option<String>,
    pub rate_reset: Option<String>,
    pub retry_after: Option<String>,
    pub body: String,
}

impl RawResponse {
    /// A JSON answer with no headers but the content type (for tests and examples).
    pub fn json(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status,
            content_type: Some("application/json".to_owned()),
            body: body.to_owned(),
            ..RawResponse::default()
        }
    }

    /// The quota headers, when all three that matter are there and readable.
    pub fn quota(&self) -> Option<Quota> {
        let limit = self.rate_limit.as_deref()?.trim().parse().ok()?;
        let remaining = self.rate_remaining.as_deref()?.trim().parse().ok()?;
        let reset_at = self
            .rate_reset
            .as_deref()
            .and_then(|v| v.trim().parse().ok());
        Some(Quota {
            limit,
            remaining,
            reset_at,
        })
    }
}

/// A successful answer: the parsed body and what came with it.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply<T> {
    pub body: T,
    /// The body as the server sent it (the panels loaded on demand read answers as text).
    pub text: String,
    pub quota: Option<Quota>,
    /// The status (200 for the analytics endpoint).
    pub status: u16,
}

/// Every answer that is not the data, one variant per kind a person must be told about
/// differently. The view matches this exhaustively (`ui::messages`), so a new kind cannot
/// be left without a message.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// 400: the server rejected fields; they belong under the form's inputs.
    BadRequest {
        message: String,
        fields: Vec<FieldError>,
    },
    /// 401: the key is missing, malformed or unknown.
    Unauthorized { message: String },
    /// 403: the campaign belongs to another partner.
    Forbidden {
        message: String,
        details: Option<String>,
    },
    /// 404: no campaign with that id (or, from a misconfigured base URL, no such path).
    NotFound { message: String },
    /// 409: the campaign is in a state that has no analytics (a draft).
    Conflict {
        message: String,
        details: Option<String>,
    },
    /// 422: no instances at all in the window.
    NoData {
        message: String,
        details: Option<String>,
    },
    /// 429: the quota is spent until `retry_at` (Unix seconds) when the answer says.
    RateLimited {
        retry_at: Option<i64>,
        retry_after_secs: Option<u64>,
    },
    /// 500.
    Internal { message: String },
    /// 502 with the API's own envelope.
    BadGateway { details: Option<String> },
    /// 503: down for a while; `retry_after` seconds when the body or header says.
    Unavailable {
        retry_after_secs: Option<u64>,
        details: Option<String>,
    },
    /// 504: the server's query took too long.
    GatewayTimeout { details: Option<String> },
    /// Any other status with a well-formed error envelope (e.g. 405).
    OtherStatus { status: u16, message: String },
    /// No HTTP answer at all: offline, DNS, connection refused, or a CORS refusal
    /// (which browsers deliberately make indistinguishable).
    Network { base_url: String },
    /// The client gave up after `timeout_ms`.
    Timeout { timeout_ms: u32 },
    /// The answer was a redirect, which the dashboard never follows: the key would be
    /// sent wherever it points.
    Redirected { base_url: String },
    /// The body is not JSON, e.g. an HTML error page from a proxy.
    NotJson {
        status: u16,
        content_type: Option<String>,
    },
    /// JSON, but not the shape the API documents for this status.
    WrongShape { status: u16, problem: String },
    /// A newer request replaced this one, or the partner cancelled it; never shown (the
    /// newer answer is).
    Superseded,
}

/// A failed request: what went wrong, the request id to quote to support, and the quota
/// if the answer carried it.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub error: ApiError,
    /// `meta.requestId` of the error body when there is one, otherwise the id echoed in
    /// `X-Request-ID`, otherwise the id the client sent.
    pub request_id: String,
    pub quota: Option<Quota>,
    /// The HTTP status, when there was an answer.
    pub status: Option<u16>,
}

impl Failure {
    /// A failure with no HTTP answer (network error, timeout, cancellation).
    pub fn without_answer(error: ApiError, request_id: &str) -> Failure {
        Failure {
            error,
            request_id: request_id.to_owned(),
            quota: None,
            status: None,
        }
    }
}

/// Why a request got no HTTP answer to read, as the transport sees it. (A timeout is the
/// engine's decision: it aborts the attempt and knows why.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoAnswer {
    /// Offline, DNS, connection refused, or a CORS refusal (indistinguishable on purpose).
    Network,
    /// The request's [`Cancel`](crate::api::cancel::Cancel) fired.
    Aborted,
    /// The server answered with a redirect, which is never followed.
    Redirected,
}

/// What every request ends as.
pub type Outcome<T> = Result<Reply<T>, Failure>;

/// Decides what an HTTP answer means: a 200 whose body reads as `T`, or a [`Failure`].
///
/// `base_url` and `sent_request_id` are only used to word the failure.
///
/// ```
/// use campaign_analytics::api::reply::{interpret, ApiError, RawResponse};
/// use campaign_analytics::api::types::AnalyticsResponse;
/// let html = RawResponse { status: 502, content_type: Some("text/html".into()),
///     body: "<html>Bad gateway</html>".into(), ..RawResponse::default() };
/// let failure = interpret::<AnalyticsResponse>(html, "id-sent").unwrap_err();
/// assert!(matches!(failure.error, ApiError::NotJson { status: 502, .. }));
/// assert_eq!(failure.request_id, "id-sent");
/// ```
pub fn interpret<T: DeserializeOwned>(raw: RawResponse, sent_request_id: &str) -> Outcome<T> {
    classify(raw, sent_request_id)?.read()
}

/// A 2xx answer whose body is not read yet ([`classify`], then [`Answered::read`]).
#[derive(Debug)]
pub struct Answered {
    raw: RawResponse,
    quota: Option<Quota>,
    request_id: String,
}

impl Answered {
    /// Reads the body as `T`: the data, or the failure of a body that is not JSON or not
    /// of that shape. Only this step depends on the type, so the request loop that waits
    /// for a final answer is compiled once, not once per type of answer.
    pub fn read<T: DeserializeOwned>(self) -> Outcome<T> {
        let Answered {
            raw,
            quota,
            request_id,
        } = self;
        match decode::<T>(&raw.body) {
            Ok(body) => Ok(Reply {
                body,
                text: raw.body,
                quota,
                status: raw.status,
            }),
            Err(e) => Err(Failure {
                error: unreadable(e, &raw),
                request_id,
                quota,
                status: Some(raw.status),
            }),
        }
    }
}

fn unreadable(e: Unreadable, raw: &RawResponse) -> ApiError {
    match e {
        Unreadable::NotJson => ApiError::NotJson {
            status: raw.status,
            content_type: raw.content_type.clone(),
        },
        Unreadable::WrongShape(problem) => ApiError::WrongShape {
            status: raw.status,
            problem,
        },
    }
}

/// The half of [`interpret`] that does not depend on the type of the data: a 2xx answer
/// is [`Answered`] (to be read), every other status is a [`Failure`] read from the
/// error body.
pub fn classify(raw: RawResponse, sent_request_id: &str) -> Result<Answered, Failure> {
    let quota = raw.quota();
    let header_id = raw
        .request_id
        .clone()
        .filter(|id| !id.trim().is_empty())
        .unwrap_or_else(|| sent_request_id.to_owned());
    if (200..300).contains(&raw.status) {
        return Ok(Answered {
            raw,
            quota,
            request_id: header_id,
        });
    }
    let failure = |error: ApiError, request_id: String| Failure {
        error,
        request_id,
        quota,
        status: Some(raw.status),
    };
    let body: ErrorBody =
        decode(&raw.body).map_err(|e| failure(unreadable(e, &raw), header_id.clone()))?;
    let request_id = if body.meta.request_id.trim().is_empty() {
        header_id
    } else {
        body.meta.request_id.clone()
    };
    let header_retry_after = raw
        .retry_after
        .as_deref()
        .and_then(|v| v.trim().parse::<u64>().ok());
    let ErrorBody {
        message,
        details,
        fields,
        validation_errors,
        retry_after,
        ..
    } = body;
    let error = match raw.status {
        400 => ApiError::BadRequest {
            message,
            fields: fields.or(validation_errors).unwrap_or_default(),
        },
        401 => ApiError::Unauthorized { message },
        403 => ApiError::Forbidden { message, details },
        404 => ApiError::NotFound { message },
        409 => ApiError::Conflict { message, details },
        422 => ApiError::NoData { message, details },
        429 => {
            let reset = quota.and_then(|q| q.reset_at);
            ApiError::RateLimited {
                retry_at: reset,
                retry_after_secs: header_retry_after.or(retry_after),
            }
        }
        500 => ApiError::Internal { message },
        502 => ApiError::BadGateway { details },
        503 => ApiError::Unavailable {
            retry_after_secs: retry_after.or(header_retry_after),
            details,
        },
        504 => ApiError::GatewayTimeout { details },
        status => ApiError::OtherStatus { status, message },
    };
    Err(failure(error, request_id))
}

/// Reads a body already accepted as `T` once (an answer passed on as text, see
/// `ui::port`): the value, or `None`.
pub fn read_body<T: DeserializeOwned>(body: &str) -> Option<T> {
    decode(body).ok()
}

/// Why a body does not read as the expected type.
#[derive(Debug)]
enum Unreadable {
    /// Not JSON at all: an HTML page from a proxy, an empty body.
    NotJson,
    /// JSON of the wrong shape; a safe description of what is wrong.
    WrongShape(String),
}

/// Reads `body` as JSON of type `T`, in one pass.
///
/// In the browser the page's own `JSON.parse` reads the text and serde-wasm-bindgen maps the
/// value onto `T`, so no JSON parser is compiled into the dashboard's bundle (5.5 KB less
/// first load, gzipped: 7.4 KB less wasm, 1.6 KB more JS glue). Elsewhere (the server's
/// tests, native tools) serde_json does both.
/// Both say "not JSON" for a syntax error and "wrong shape" for the rest.
#[cfg(all(target_arch = "wasm32", feature = "client"))]
fn decode<T: DeserializeOwned>(body: &str) -> Result<T, Unreadable> {
    let value = js_sys::JSON::parse(body).map_err(|_| Unreadable::NotJson)?;
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| Unreadable::WrongShape(shape_problem(&e.to_string())))
}

/// Reads `body` as JSON of type `T`, in one pass (see the browser's version above).
#[cfg(not(all(target_arch = "wasm32", feature = "client")))]
fn decode<T: DeserializeOwned>(body: &str) -> Result<T, Unreadable> {
    serde_json::from_str(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            Unreadable::NotJson
        }
        _ => Unreadable::WrongShape(shape_problem(&e.to_string())),
    })
}

/// A short, safe description of why a JSON body has the wrong shape, from the parser's
/// message: the missing field when that is the reason, never the offending value (which
/// could be anything the server sent).
fn shape_problem(text: &str) -> String {
    let what = "unexpected fields or types";
    match text.find("missing field `") {
        Some(at) => {
            let rest = &text[at + "missing field `".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| *c != '`')
                .take(40)
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            format!("{what}: missing field {name}")
        }
        None => what.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::AnalyticsResponse;
    use crate::contract::Code;

    const META: &str = r#""meta":{"timestamp":"2026-11-20T12:00:00Z","requestId":"11111111-2222-4333-8444-555555555555"}"#;

    fn error_body(status_name: &str, extra: &str) -> String {
        format!(r#"{{"success":false,"error":"{status_name}","message":"m"{extra},{META}}}"#)
    }

    fn fail(raw: RawResponse) -> Failure {
        interpret::<AnalyticsResponse>(raw, "sent-id").unwrap_err()
    }

    #[test]
    fn a_200_reads_the_body_and_the_quota() {
        let body = format!(
            r#"{{"success":true,"message":"ok","data":{{"campaign_id":"123e4567-e89b-12d3-a456-426614174000","time_frame":"per_day","instances":[],"summary":{{"total_instances":0,"purchase_instances":0,"non_purchase_instances":0,"total_revenue":0,"conversion_rate":0}}}},"pagination":{{"page":1,"limit":50,"total":0,"totalPages":0,"hasNext":false,"hasPrevious":false}},{META}}}"#
        );
        let raw = RawResponse {
            rate_limit: Some("150".into()),
            rate_remaining: Some("149".into()),
            rate_reset: Some("1795000000".into()),
            ..RawResponse::json(200, &body)
        };
        let reply = interpret::<AnalyticsResponse>(raw, "x").unwrap();
        assert_eq!(
            reply.body.meta.request_id,
            "11111111-2222-4333-8444-555555555555"
        );
        assert_eq!(
            reply.quota,
            Some(Quota {
                limit: 150,
                remaining: 149,
                reset_at: Some(1_795_000_000)
            })
        );
    }

    #[test]
    fn every_status_has_its_kind() {
        let cases: &[(u16, &str, &str)] = &[
            (401, "Unauthorized", ""),
            (403, "Forbidden", r#","details":"d""#),
            (404, "Not Found", ""),
            (409, "Conflict", r#","details":"draft""#),
            (422, "Validation Error", r#","details":"none""#),
            (500, "Internal Server Error", ""),
            (502, "Bad Gateway", ""),
            (504, "Gateway Timeout", ""),
            (405, "Method Not Allowed", ""),
        ];
        for (status, name, extra) in cases {
            let f = fail(RawResponse::json(*status, &error_body(name, extra)));
            let ok = match (status, &f.error) {
                (401, ApiError::Unauthorized { .. }) => true,
                (403, ApiError::Forbidden { details, .. }) => details.as_deref() == Some("d"),
                (404, ApiError::NotFound { .. }) => true,
                (409, ApiError::Conflict { details, .. }) => details.as_deref() == Some("draft"),
                (422, ApiError::NoData { .. }) => true,
                (500, ApiError::Internal { .. }) => true,
                (502, ApiError::BadGateway { .. }) => true,
                (504, ApiError::GatewayTimeout { .. }) => true,
                (405, ApiError::OtherStatus { status: 405, .. }) => true,
                _ => false,
            };
            assert!(ok, "{status} gave {:?}", f.error);
            assert_eq!(f.request_id, "11111111-2222-4333-8444-555555555555");
            assert_eq!(f.status, Some(*status));
        }
    }

    #[test]
    fn a_400_carries_its_fields() {
        let extra = r#","fields":[{"field":"limit","message":"limit must be an integer from 1 to 100","code":"out_of_range"}]"#;
        let f = fail(RawResponse::json(400, &error_body("Bad Request", extra)));
        match f.error {
            ApiError::BadRequest { fields, .. } => {
                assert_eq!(fields.len(), 1);
                assert_eq!(fields[0].code, Code::OutOfRange);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_429_says_when_from_the_headers() {
        let raw = RawResponse {
            rate_limit: Some("3".into()),
            rate_remaining: Some("0".into()),
            rate_reset: Some("1795000600".into()),
            retry_after: Some("600".into()),
            ..RawResponse::json(429, &error_body("Too Many Requests", ""))
        };
        let f = fail(raw);
        assert_eq!(
            f.error,
            ApiError::RateLimited {
                retry_at: Some(1_795_000_600),
                retry_after_secs: Some(600)
            }
        );
        assert_eq!(f.quota.unwrap().remaining, 0);
    }

    #[test]
    fn a_503_uses_retry_after_from_the_body() {
        let f = fail(RawResponse::json(
            503,
            &error_body("Service Unavailable", r#","retry_after":30"#),
        ));
        assert_eq!(
            f.error,
            ApiError::Unavailable {
                retry_after_secs: Some(30),
                details: None
            }
        );
    }

    #[test]
    fn html_and_wrong_shapes_are_their_own_kinds() {
        let html = RawResponse {
            status: 502,
            content_type: Some("text/html".into()),
            request_id: Some("echoed".into()),
            body: "<html><body>502 Bad Gateway</body></html>".into(),
            ..RawResponse::default()
        };
        let f = fail(html);
        assert!(matches!(f.error, ApiError::NotJson { status: 502, .. }));
        assert_eq!(f.request_id, "echoed");

        let f = fail(RawResponse::json(200, r#"{"hello":"world"}"#));
        match f.error {
            ApiError::WrongShape {
                status: 200,
                problem,
            } => {
                assert!(problem.contains("missing field"), "{problem}")
            }
            other => panic!("{other:?}"),
        }
        let f = fail(RawResponse::json(500, r#"[1,2,3]"#));
        assert!(matches!(f.error, ApiError::WrongShape { status: 500, .. }));
        assert_eq!(f.request_id, "sent-id");

        let f = fail(RawResponse::json(200, ""));
        assert!(matches!(f.error, ApiError::NotJson { status: 200, .. }));
    }

    #[test]
    fn shape_problems_never_echo_values() {
        let f = fail(RawResponse::json(
            200,
            r#"{"success":"sk_test_0123456789abcdefABCDEF0123456789"}"#,
        ));
        match f.error {
            ApiError::WrongShape { problem, .. } => {
                assert!(!problem.contains("sk_test"), "{problem}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn request_urls_never_carry_the_key() {
        let key = SecretKey::parse("sk_live_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345").unwrap();
        let a = ApiRequest::new(
            "https://api.example.com/",
            key.clone(),
            "/x?y=1",
            "a".into(),
        );
        let b = ApiRequest::new("https://api.example.com", key, "/x?y=1", "b".into());
        assert_eq!(a.url(), "https://api.example.com/x?y=1");
        assert_eq!(b.url(), a.url());
        assert!(!a.url().contains("sk_live"));
        assert!(!format!("{a:?}").contains("ABCDEFGHIJ"));
    }
}
