//! The query contract (contract §1–§2): one implementation of the rules, used by the
//! dashboard before it sends a request, by the JS validator package, and by the
//! reference server when it answers 400. Pure Rust: no browser, no I/O.
//!
//! ```
//! use campaign_analytics::contract::{validate_request, Code};
//! let v = validate_request("not-a-uuid", "time_frame=per_week&limit=0");
//! let codes: Vec<_> = v.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
//! assert_eq!(codes, [
//!     ("campaign_id", Code::InvalidUuid),
//!     ("time_frame", Code::InvalidEnum),
//!     ("limit", Code::OutOfRange),
//! ]);
//! ```

mod field;
mod key;
mod query;
mod request;
mod scalar;

pub use field::{Code, Field, FieldError};
pub use key::{check_secret_key, redact_keys, KeyCheck, KeyMode, SecretKey, KEY_BODY_LEN};
pub use query::{
    validate_query, AnalyticsQuery, DateRange, Period, PurchaseFilter, QueryInput, TimeFrame,
    Validation, CAMPAIGNS_PATH, DEFAULT_LIMIT, MAX_LIMIT, MAX_PAGE, MAX_RANGE_DAYS,
};
pub use request::{seed_parameter_hashing, validate_request};
pub use scalar::parse_uuid;

// The JS package's boundary reads the rules' outcome before messages are written.
#[cfg(feature = "js")]
pub(crate) use query::{check_fields, Outcome};
#[cfg(feature = "js")]
pub(crate) use request::check_request;
#[cfg(feature = "js")]
pub(crate) use scalar::write_date;
