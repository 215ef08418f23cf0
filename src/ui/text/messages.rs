//! What each failure means to a person, and what they can do about it.
//!
//! [`explain`] matches [`ApiError`] exhaustively: adding a kind of failure to the client
//! without deciding how to tell the user about it does not compile. The text is built
//! here from typed data, never from HTML; whatever the server sent (`message`,
//! `details`) is passed through [`redact`] first, so a key never reaches the screen even if
//! a misbehaving server echoes one.

use crate::api::reply::{ApiError, Failure};
use crate::contract::{redact_keys, FieldError, KEY_BODY_LEN};

use super::format;

/// Where a failure shows besides the banner.
#[derive(Clone, Debug, PartialEq)]
pub enum Place {
    /// Only the banner.
    Banner,
    /// The key field: shown there, and focused so the user can retype it.
    KeyField,
    /// Under the campaign id field.
    CampaignField(String),
    /// Under each field the server rejected (a 400's `fields`).
    Fields(Vec<FieldError>),
    /// The results area shows an empty state instead of data (a 422).
    EmptyResults,
}

/// A failure in words.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// A short heading: what happened.
    pub title: String,
    /// One or two sentences: why, and what to do next.
    pub message: String,
    /// The server's own `details`, redacted, when it sent any.
    pub details: Option<String>,
    /// Where else it shows.
    pub place: Place,
    /// Whether running the same query again may help (a Retry button).
    pub retry: bool,
}

/// What the wording depends on besides the failure itself.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The base URL the request went to.
    pub base_url: &'a str,
    /// The current time, Unix seconds (to say "in 3 min").
    pub now: i64,
}

/// The failure in words.
///
/// ```
/// use campaign_analytics::api::reply::{ApiError, Failure};
/// use campaign_analytics::ui::text::messages::{explain, Context, Place};
/// let f = Failure::without_answer(ApiError::Network { base_url: "https://api.example.com".into() }, "id");
/// let e = explain(&f, Context { base_url: "https://api.example.com", now: 0 });
/// assert!(e.message.contains("https://api.example.com"));
/// assert_eq!(e.place, Place::Banner);
/// ```
pub fn explain(failure: &Failure, ctx: Context<'_>) -> Explanation {
    let details_of = |d: &Option<String>| {
        d.as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(redact)
    };
    let plain = |title: &str, message: String, retry: bool| Explanation {
        title: title.to_owned(),
        message,
        details: None,
        place: Place::Banner,
        retry,
    };
    match &failure.error {
        ApiError::BadRequest { fields, message } => {
            let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
            let text = if names.is_empty() {
                format!(
                    "The server rejected the query: {}. Check the fields and run it again.",
                    redact(message)
                )
            } else {
                format!(
                    "The server rejected {} {}: {}. Fix the marked {} and run the query again.",
                    names.len(),
                    plural(names.len(), "field", "fields"),
                    names.join(", "),
                    plural(names.len(), "field", "fields"),
                )
            };
            Explanation {
                place: Place::Fields(
                    fields
                        .iter()
                        .map(|f| FieldError {
                            message: redact(&f.message),
                            ..f.clone()
                        })
                        .collect(),
                ),
                ..plain("The query was rejected", text, false)
            }
        }
        ApiError::Unauthorized { .. } => Explanation {
            place: Place::KeyField,
            ..plain(
                "Secret key not accepted",
                "The API did not accept this secret key: it is mistyped, revoked, or belongs to \
                 another environment. Paste the key from your partner settings again."
                    .to_owned(),
                false,
            )
        },
        ApiError::Forbidden { details, .. } => Explanation {
            details: details_of(details),
            ..plain(
                "No access to this campaign",
                "This campaign belongs to another partner account. Check the campaign id, or \
                 use the secret key of the account that owns it."
                    .to_owned(),
                false,
            )
        },
        ApiError::NotFound { .. } => Explanation {
            place: Place::CampaignField(
                "No campaign with this id was found for your account: check the id.".to_owned(),
            ),
            ..plain(
                "Campaign not found",
                "No campaign has this id. Check it against your campaign list; ids look like \
                 123e4567-e89b-12d3-a456-426614174000."
                    .to_owned(),
                false,
            )
        },
        ApiError::Conflict { details, .. } => Explanation {
            details: details_of(details),
            ..plain(
                "This campaign has no analytics yet",
                "The campaign is a draft that was never launched, so there is nothing to \
                 report. Launch it first, or pick another campaign."
                    .to_owned(),
                false,
            )
        },
        ApiError::NoData { details, .. } => Explanation {
            details: details_of(details),
            place: Place::EmptyResults,
            ..plain(
                "No activity in this period",
                "The campaign had no instances at all in the chosen period. Try a wider one: \
                 per_month, or a longer custom range."
                    .to_owned(),
                false,
            )
        },
        ApiError::RateLimited {
            retry_at,
            retry_after_secs,
        } => {
            let at = retry_at.or_else(|| retry_after_secs.map(|s| ctx.now + s as i64));
            let quota = failure
                .quota
                .map(|q| format!("all {} requests of this hour", format::count(q.limit)))
                .unwrap_or_else(|| "the request quota of this hour".to_owned());
            let when = match at {
                Some(at) => {
                    let wait = (at - ctx.now).max(0) as u64;
                    format!(
                        "Queries work again at {} (in {}).",
                        format::clock(at),
                        format::duration(wait)
                    )
                }
                None => "Wait a few minutes before the next query.".to_owned(),
            };
            plain(
                "Request quota used up",
                format!("Your account has used {quota}. {when}"),
                false,
            )
        }
        ApiError::Internal { .. } => plain(
            "The server failed",
            "The API hit an unexpected error while answering. Try again in a moment; if it \
             keeps happening, send the request id below to support."
                .to_owned(),
            true,
        ),
        ApiError::BadGateway { details } => Explanation {
            details: details_of(details),
            ..plain(
                "A service behind the API is unavailable",
                "The API could not reach a service it depends on. Try again in a minute."
                    .to_owned(),
                true,
            )
        },
        ApiError::Unavailable {
            retry_after_secs,
            details,
        } => {
            let when = match retry_after_secs {
                Some(secs) => format!(
                    "Try again in {} (at {}).",
                    format::duration(*secs),
                    format::clock(ctx.now + *secs as i64)
                ),
                None => "Try again in a few minutes.".to_owned(),
            };
            Explanation {
                details: details_of(details),
                ..plain(
                    "The API is temporarily unavailable",
                    format!("The service is down for maintenance or overloaded. {when}"),
                    true,
                )
            }
        }
        ApiError::GatewayTimeout { details } => Explanation {
            details: details_of(details),
            ..plain(
                "The query took too long",
                "The server gave up before the analytics were ready. Try again, or narrow the \
                 query: a shorter period or a purchase filter."
                    .to_owned(),
                true,
            )
        },
        ApiError::OtherStatus { status, message } => Explanation {
            details: details_of(&Some(message.clone())),
            ..plain(
                &format!("Unexpected answer (HTTP {status})"),
                format!(
                    "The server at {} answered with HTTP {status}, which the Campaign Analytics \
                     API does not use for this request. Check that the API base URL is right.",
                    ctx.base_url
                ),
                true,
            )
        },
        ApiError::Network { base_url } => plain(
            "Could not reach the API",
            format!(
                "No answer from {base_url}. Check the API base URL and your connection; if the \
                 API is on another site, it must allow requests from this page (CORS)."
            ),
            true,
        ),
        ApiError::Timeout { timeout_ms } => plain(
            "The request timed out",
            format!(
                "No answer from {} within {}, so the request was cancelled. The server may be \
                 busy: try again, or narrow the period.",
                ctx.base_url,
                format::duration(u64::from(timeout_ms.div_ceil(1000)))
            ),
            true,
        ),
        ApiError::Redirected { base_url } => plain(
            "The API answered with a redirect",
            format!(
                "{base_url} sent the request elsewhere. The dashboard never follows a \
                 redirect, since your key would go wherever it points: set the API base URL \
                 to the address the API really answers on."
            ),
            false,
        ),
        ApiError::NotJson {
            status,
            content_type,
        } => {
            let what = match content_type.as_deref() {
                Some(ct) if ct.contains("html") => "an HTML page",
                Some(ct) if !ct.trim().is_empty() => "a non-JSON body",
                _ => "a body that is not JSON",
            };
            plain(
                "The answer did not come from the API",
                format!(
                    "{} answered HTTP {status} with {what} instead of the API's JSON. A proxy or \
                     gateway in front of the API probably answered: try again later, and check \
                     the API base URL.",
                    ctx.base_url
                ),
                true,
            )
        }
        ApiError::WrongShape { status, problem } => plain(
            "The answer could not be read",
            format!(
                "{} answered HTTP {status} with JSON that is not in the API's documented \
                 format ({problem}). Check that the API base URL points at the Campaign \
                 Analytics API v1.",
                ctx.base_url
            ),
            true,
        ),
        ApiError::Superseded => plain(
            "Replaced by a newer query",
            "A newer query replaced this one before it finished.".to_owned(),
            false,
        ),
    }
}

/// Text from a server, made safe to show: anything shaped like a secret key is masked,
/// control characters become spaces, and it is cut to a readable length.
///
/// ```
/// # use campaign_analytics::ui::text::messages::redact;
/// let text = redact("bad key sk_test_0123456789abcdefABCDEF0123456789!");
/// assert_eq!(text, "bad key sk_test_…(hidden)!");
/// ```
pub fn redact(text: &str) -> String {
    const MAX_CHARS: usize = 300;
    // Half a key's body is already too much to show; shorter runs are prose.
    let out = redact_keys(text, KEY_BODY_LEN / 2, "…(hidden)");
    let mut clean: String = out
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_CHARS)
        .collect();
    if out.chars().count() > MAX_CHARS {
        clean.push('…');
    }
    clean
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::reply::Quota;
    use crate::contract::{Code, Field};

    const KEY: &str = "sk_live_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

    fn ctx() -> Context<'static> {
        Context {
            base_url: "https://api.example.com",
            now: 1_795_000_000,
        }
    }

    fn failure(error: ApiError) -> Failure {
        Failure {
            error,
            request_id: "req".into(),
            quota: None,
            status: None,
        }
    }

    fn every_kind() -> Vec<ApiError> {
        let s = || "server text".to_owned();
        vec![
            ApiError::BadRequest {
                message: s(),
                fields: vec![FieldError::new(Field::Limit, Code::OutOfRange)],
            },
            ApiError::Unauthorized { message: s() },
            ApiError::Forbidden {
                message: s(),
                details: Some("owned by partner B".into()),
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
                retry_at: Some(1_795_000_600),
                retry_after_secs: Some(600),
            },
            ApiError::Internal { message: s() },
            ApiError::BadGateway { details: None },
            ApiError::Unavailable {
                retry_after_secs: Some(30),
                details: None,
            },
            ApiError::GatewayTimeout { details: None },
            ApiError::OtherStatus {
                status: 405,
                message: s(),
            },
            ApiError::Network {
                base_url: "https://api.example.com".into(),
            },
            ApiError::Timeout { timeout_ms: 15_000 },
            ApiError::Redirected {
                base_url: "https://api.example.com".into(),
            },
            ApiError::NotJson {
                status: 502,
                content_type: Some("text/html".into()),
            },
            ApiError::WrongShape {
                status: 200,
                problem: "unexpected fields or types".into(),
            },
        ]
    }

    #[test]
    fn every_kind_has_its_own_words() {
        let texts: Vec<(String, String)> = every_kind()
            .into_iter()
            .map(|e| {
                let x = explain(&failure(e), ctx());
                (x.title, x.message)
            })
            .collect();
        for (i, a) in texts.iter().enumerate() {
            assert!(!a.0.is_empty() && !a.1.is_empty());
            for b in &texts[i + 1..] {
                assert_ne!(a.0, b.0, "two kinds share a title");
                assert_ne!(a.1, b.1, "two kinds share a message");
            }
        }
    }

    #[test]
    fn places_follow_the_kind() {
        let place = |e| explain(&failure(e), ctx()).place;
        assert_eq!(
            place(ApiError::Unauthorized {
                message: String::new()
            }),
            Place::KeyField
        );
        assert!(matches!(
            place(ApiError::NotFound {
                message: String::new()
            }),
            Place::CampaignField(_)
        ));
        assert_eq!(
            place(ApiError::NoData {
                message: String::new(),
                details: None
            }),
            Place::EmptyResults
        );
        match place(ApiError::BadRequest {
            message: String::new(),
            fields: vec![FieldError::new(Field::Page, Code::InvalidInteger)],
        }) {
            Place::Fields(f) => assert_eq!(f[0].field, "page"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rate_limits_say_when() {
        let mut f = failure(ApiError::RateLimited {
            retry_at: Some(1_795_000_600),
            retry_after_secs: None,
        });
        f.quota = Some(Quota {
            limit: 150,
            remaining: 0,
            reset_at: Some(1_795_000_600),
        });
        let e = explain(&f, ctx());
        assert!(e.message.contains("all 150 requests"), "{}", e.message);
        assert!(e.message.contains("in 10 min"), "{}", e.message);

        let f = failure(ApiError::RateLimited {
            retry_at: None,
            retry_after_secs: Some(42),
        });
        assert!(explain(&f, ctx()).message.contains("in 42 s"));

        let f = failure(ApiError::Unavailable {
            retry_after_secs: Some(30),
            details: None,
        });
        assert!(explain(&f, ctx()).message.contains("in 30 s"));
    }

    #[test]
    fn network_and_proxy_failures_name_the_base_url() {
        for e in [
            ApiError::Network {
                base_url: "https://api.example.com".into(),
            },
            ApiError::NotJson {
                status: 502,
                content_type: Some("text/html; charset=utf-8".into()),
            },
            ApiError::Timeout { timeout_ms: 15_000 },
        ] {
            let x = explain(&failure(e), ctx());
            assert!(
                x.message.contains("https://api.example.com"),
                "{}",
                x.message
            );
            assert!(x.retry);
        }
        let x = explain(
            &failure(ApiError::NotJson {
                status: 502,
                content_type: Some("text/html".into()),
            }),
            ctx(),
        );
        assert!(x.message.contains("HTML page"));
        assert!(x.message.contains("502"));
    }

    #[test]
    fn server_text_is_redacted() {
        let e = ApiError::Forbidden {
            message: String::new(),
            details: Some(format!("key {KEY} cannot read this")),
        };
        let x = explain(&failure(e), ctx());
        let details = x.details.unwrap();
        assert!(!details.contains("ABCDEFGHIJKLMNOP"), "{details}");
        assert!(details.contains("sk_live_…(hidden)"));
        assert_eq!(redact("sk_ sk_x sk_test_short"), "sk_ sk_x sk_test_short");
        assert_eq!(redact("a\u{7}b"), "a b");
        assert_eq!(redact(&"x".repeat(400)).chars().count(), 301);
    }
}
