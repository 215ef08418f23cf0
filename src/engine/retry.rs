//! When a failed request is tried again (contract §5 "Retries"), as a pure function.
//!
//! Only failures that say nothing about the request itself are retried: no HTTP answer
//! at all (the network), and 502, 503 and 504 (something between the partner and the data
//! was briefly unwell). At most twice. The wait is the server's when it gives one
//! (`Retry-After`, or `retry_after` in a 503's body) up to 30 s — a longer one is shown to
//! the partner, never waited — and otherwise an exponential backoff with full jitter:
//! a uniformly random wait in `[0, 500 ms × 2^(retry − 1)]`.
//!
//! Everything else is final: a 400 will be a 400 again, a 429 is the partner's quota and
//! is never spent on its own (the page offers a wait the partner can cancel), and a client
//! timeout is not retried either — the server is slow, and asking again would only load it
//! more while the partner waits three times as long.

use crate::api::reply::{ApiError, Failure};

/// Retries after the first attempt, at most.
pub const MAX_RETRIES: u32 = 2;
/// The backoff's base wait.
pub const BASE_DELAY_MS: u32 = 500;
/// The longest server-given wait the engine sits through by itself.
pub const MAX_SERVER_WAIT_SECS: u64 = 30;

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Try again after this many milliseconds.
    RetryAfter(u32),
    /// Stop here and report the failure.
    GiveUp,
}

/// Whether a failure is worth another attempt at all.
///
/// ```
/// use campaign_analytics::api::reply::ApiError;
/// use campaign_analytics::engine::retry::is_transient;
/// assert!(is_transient(&ApiError::GatewayTimeout { details: None }));
/// assert!(!is_transient(&ApiError::RateLimited { retry_at: None, retry_after_secs: None }));
/// ```
pub fn is_transient(error: &ApiError) -> bool {
    match error {
        ApiError::Network { .. }
        | ApiError::BadGateway { .. }
        | ApiError::Unavailable { .. }
        | ApiError::GatewayTimeout { .. } => true,
        // A proxy's HTML page for one of the same statuses is the same situation.
        ApiError::NotJson { status, .. } => matches!(status, 502..=504),
        ApiError::BadRequest { .. }
        | ApiError::Unauthorized { .. }
        | ApiError::Forbidden { .. }
        | ApiError::NotFound { .. }
        | ApiError::Conflict { .. }
        | ApiError::NoData { .. }
        | ApiError::RateLimited { .. }
        | ApiError::Internal { .. }
        | ApiError::OtherStatus { .. }
        | ApiError::Timeout { .. }
        | ApiError::Redirected { .. }
        | ApiError::WrongShape { .. }
        | ApiError::Superseded => false,
    }
}

/// The wait the server asked for, in seconds: a 503's body `retry_after` first, then the
/// `Retry-After` header (seconds; the HTTP-date form is not used by this API).
pub fn server_wait_secs(failure: &Failure, retry_after_header: Option<&str>) -> Option<u64> {
    let body = match &failure.error {
        ApiError::Unavailable {
            retry_after_secs, ..
        } => *retry_after_secs,
        _ => None,
    };
    body.or_else(|| retry_after_header.and_then(|v| v.trim().parse().ok()))
}

/// Decides after attempt number `retries_done + 1` failed with `failure`.
///
/// `server_wait` is [`server_wait_secs`]; `random` is uniform in `[0, 1)` (injected, so
/// tests pin it).
///
/// ```
/// use campaign_analytics::api::reply::{ApiError, Failure};
/// use campaign_analytics::engine::retry::{decide, Decision};
/// let f = Failure::without_answer(ApiError::Network { base_url: "https://a.example".into() }, "id");
/// assert_eq!(decide(&f, 0, None, 0.5), Decision::RetryAfter(250));   // [0, 500]
/// assert_eq!(decide(&f, 1, None, 0.5), Decision::RetryAfter(500));   // [0, 1000]
/// assert_eq!(decide(&f, 2, None, 0.5), Decision::GiveUp);            // twice at most
/// assert_eq!(decide(&f, 0, Some(3), 0.5), Decision::RetryAfter(3000));
/// assert_eq!(decide(&f, 0, Some(31), 0.5), Decision::GiveUp);        // shown, not waited
/// ```
pub fn decide(
    failure: &Failure,
    retries_done: u32,
    server_wait: Option<u64>,
    random: f64,
) -> Decision {
    if retries_done >= MAX_RETRIES || !is_transient(&failure.error) {
        return Decision::GiveUp;
    }
    match server_wait {
        Some(secs) if secs > MAX_SERVER_WAIT_SECS => Decision::GiveUp,
        Some(secs) => Decision::RetryAfter((secs * 1000) as u32),
        None => {
            let cap = BASE_DELAY_MS << retries_done;
            let random = if random.is_finite() {
                random.clamp(0.0, 1.0)
            } else {
                0.0
            };
            Decision::RetryAfter((f64::from(cap) * random).round() as u32)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(error: ApiError) -> Failure {
        Failure {
            error,
            request_id: "r".into(),
            quota: None,
            status: None,
        }
    }

    #[test]
    fn only_the_network_and_502_503_504_are_retried() {
        let s = String::new;
        let retried = [
            ApiError::Network { base_url: s() },
            ApiError::BadGateway { details: None },
            ApiError::Unavailable {
                retry_after_secs: None,
                details: None,
            },
            ApiError::GatewayTimeout { details: None },
            ApiError::NotJson {
                status: 503,
                content_type: None,
            },
        ];
        for error in retried {
            assert!(is_transient(&error), "{error:?}");
        }
        let final_ = [
            ApiError::BadRequest {
                message: s(),
                fields: vec![],
            },
            ApiError::Unauthorized { message: s() },
            ApiError::Forbidden {
                message: s(),
                details: None,
            },
            ApiError::NotFound { message: s() },
            ApiError::Conflict {
                message: s(),
                details: None,
            },
            ApiError::NoData {
                message: s(),
                details: None,
            },
            ApiError::RateLimited {
                retry_at: None,
                retry_after_secs: Some(1),
            },
            ApiError::Internal { message: s() },
            ApiError::OtherStatus {
                status: 418,
                message: s(),
            },
            ApiError::Timeout { timeout_ms: 1 },
            ApiError::Redirected { base_url: s() },
            ApiError::NotJson {
                status: 200,
                content_type: None,
            },
            ApiError::WrongShape {
                status: 200,
                problem: s(),
            },
            ApiError::Superseded,
        ];
        for error in final_ {
            assert!(!is_transient(&error), "{error:?}");
            assert_eq!(decide(&failure(error), 0, None, 0.3), Decision::GiveUp);
        }
    }

    #[test]
    fn the_backoff_doubles_with_full_jitter() {
        let f = failure(ApiError::GatewayTimeout { details: None });
        assert_eq!(decide(&f, 0, None, 0.0), Decision::RetryAfter(0));
        assert_eq!(decide(&f, 0, None, 0.999_999), Decision::RetryAfter(500));
        assert_eq!(decide(&f, 1, None, 0.999_999), Decision::RetryAfter(1000));
        assert_eq!(decide(&f, 1, None, f64::NAN), Decision::RetryAfter(0));
        assert_eq!(decide(&f, 2, None, 0.5), Decision::GiveUp);
    }

    #[test]
    fn the_server_wait_wins_up_to_30_s() {
        let f = failure(ApiError::Unavailable {
            retry_after_secs: Some(7),
            details: None,
        });
        assert_eq!(server_wait_secs(&f, Some("2")), Some(7));
        let g = failure(ApiError::BadGateway { details: None });
        assert_eq!(server_wait_secs(&g, Some(" 2 ")), Some(2));
        assert_eq!(
            server_wait_secs(&g, Some("Wed, 21 Oct 2026 07:28:00 GMT")),
            None
        );
        assert_eq!(decide(&f, 0, Some(30), 0.0), Decision::RetryAfter(30_000));
        assert_eq!(decide(&f, 0, Some(31), 0.0), Decision::GiveUp);
    }
}
