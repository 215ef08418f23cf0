//! Field errors and warnings: the `{field, message, code}` shape shared by the API's
//! 400 body, the JS validator and the dashboard, so a client can treat a server
//! error and a client-side error alike.

use super::key::redact_keys;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A query field the contract knows, in the order errors are reported
/// (contract §1: `campaign_id, time_frame, start_date, end_date, is_purchase, page, limit`).
///
/// ```
/// use campaign_analytics::contract::Field;
/// assert_eq!(Field::from_name("is_purchase"), Some(Field::IsPurchase));
/// assert_eq!(Field::Limit.name(), "limit");
/// assert!(Field::CampaignId < Field::Limit);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    CampaignId,
    TimeFrame,
    StartDate,
    EndDate,
    IsPurchase,
    Page,
    Limit,
}

impl Field {
    /// Every field, in reporting order.
    pub const ALL: [Field; 7] = [
        Field::CampaignId,
        Field::TimeFrame,
        Field::StartDate,
        Field::EndDate,
        Field::IsPurchase,
        Field::Page,
        Field::Limit,
    ];

    /// The field's name on the wire.
    pub const fn name(self) -> &'static str {
        match self {
            Field::CampaignId => "campaign_id",
            Field::TimeFrame => "time_frame",
            Field::StartDate => "start_date",
            Field::EndDate => "end_date",
            Field::IsPurchase => "is_purchase",
            Field::Page => "page",
            Field::Limit => "limit",
        }
    }

    /// The field with this wire name (case-sensitive), if any.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }

    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a field was rejected (an error) or deserves a word (a warning).
/// Serializes to the contract's snake_case strings.
///
/// ```
/// use campaign_analytics::contract::Code;
/// assert_eq!(serde_json::to_string(&Code::RangeTooLarge).unwrap(), "\"range_too_large\"");
/// assert_eq!(Code::OutOfRange.as_str(), "out_of_range");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    Required,
    InvalidUuid,
    InvalidEnum,
    InvalidDate,
    DateOrder,
    RangeTooLarge,
    InvalidInteger,
    OutOfRange,
    DuplicateParameter,
    /// Warning: a date given with a time frame other than `custom_range`.
    IgnoredParameter,
    /// Warning: a parameter the endpoint does not know.
    UnknownParameter,
    /// The JS validator was given something other than an object.
    InvalidInput,
    /// A secret key of the wrong shape.
    InvalidKey,
    /// A code this version does not know yet (sent by a newer server); kept, not fatal.
    #[serde(other)]
    Unrecognized,
}

impl Code {
    /// Every code, in declaration order (`Code::ALL[code as usize] == code`).
    pub const ALL: [Code; 14] = [
        Code::Required,
        Code::InvalidUuid,
        Code::InvalidEnum,
        Code::InvalidDate,
        Code::DateOrder,
        Code::RangeTooLarge,
        Code::InvalidInteger,
        Code::OutOfRange,
        Code::DuplicateParameter,
        Code::IgnoredParameter,
        Code::UnknownParameter,
        Code::InvalidInput,
        Code::InvalidKey,
        Code::Unrecognized,
    ];

    /// The code's wire string.
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::Required => "required",
            Code::InvalidUuid => "invalid_uuid",
            Code::InvalidEnum => "invalid_enum",
            Code::InvalidDate => "invalid_date",
            Code::DateOrder => "date_order",
            Code::RangeTooLarge => "range_too_large",
            Code::InvalidInteger => "invalid_integer",
            Code::OutOfRange => "out_of_range",
            Code::DuplicateParameter => "duplicate_parameter",
            Code::IgnoredParameter => "ignored_parameter",
            Code::UnknownParameter => "unknown_parameter",
            Code::InvalidInput => "invalid_input",
            Code::InvalidKey => "invalid_key",
            Code::Unrecognized => "unrecognized",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One error or warning about one field: `{field, message, code}`.
///
/// `field` is a plain string because it may name a parameter the contract does not
/// know (an `unknown_parameter` warning) or be empty (`invalid_input`).
///
/// ```
/// use campaign_analytics::contract::{Code, Field, FieldError};
/// let e = FieldError::new(Field::Limit, Code::OutOfRange);
/// assert_eq!(e.field, "limit");
/// assert_eq!(e.message, "limit must be an integer from 1 to 100");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    pub code: Code,
}

impl FieldError {
    /// The error `code` on a known `field`, with the contract's human message.
    pub fn new(field: Field, code: Code) -> FieldError {
        FieldError {
            field: field.name().to_owned(),
            message: message(field, code),
            code,
        }
    }

    /// A warning or error about a parameter the contract does not know.
    ///
    /// A secret key pasted as a parameter name is redacted in both `field` and `message`:
    /// errors travel back in responses, logs and screenshots.
    pub(crate) fn unknown(name: &str, code: Code) -> FieldError {
        let name = redact_keys(name, 0, "[redacted]").into_owned();
        // Written piece by piece: a query string may hold 100,000 of these.
        let mut message = String::with_capacity(160);
        push_shortened(&mut message, &name);
        message.push_str(match code {
            Code::DuplicateParameter => " must be given only once",
            _ => {
                " is not a parameter of this endpoint and is ignored \
                 (known: time_frame, start_date, end_date, is_purchase, page, limit)"
            }
        });
        FieldError {
            field: name,
            message,
            code,
        }
    }

    /// The JS validator's answer to an input that is not an object.
    pub fn invalid_input() -> FieldError {
        FieldError {
            field: String::new(),
            message: "the query must be an object with fields such as campaign_id and time_frame"
                .to_owned(),
            code: Code::InvalidInput,
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Quotes a user-supplied parameter name for a message, cut short: messages are shown
/// to people and must stay readable whatever a URL holds.
fn push_shortened(out: &mut String, name: &str) {
    const MAX: usize = 40;
    if name.is_empty() {
        out.push_str("a parameter with an empty name");
        return;
    }
    let cut = name.char_indices().nth(MAX).map(|(at, _)| at);
    out.push('"');
    out.push_str(name.get(..cut.unwrap_or(name.len())).unwrap_or(name));
    if cut.is_some() {
        out.push('…');
    }
    out.push('"');
}

/// The human message for `code` on `field`: it names the field and says what is allowed.
/// It never repeats the rejected value (which may be huge, or a secret pasted by mistake).
fn message(field: Field, code: Code) -> String {
    let allowed = match field {
        Field::CampaignId => {
            "a UUID such as 123e4567-e89b-12d3-a456-426614174000 (8-4-4-4-12 hex digits)"
        }
        Field::TimeFrame => "one of per_hour, per_day, per_month, custom_range",
        Field::StartDate | Field::EndDate => "a calendar date written YYYY-MM-DD",
        Field::IsPurchase => "one of true, false, all",
        Field::Page => "an integer from 1 to 2147483647",
        Field::Limit => "an integer from 1 to 100",
    };
    match code {
        Code::Required => match field {
            Field::StartDate | Field::EndDate => {
                format!("{field} is required when time_frame is custom_range: {allowed}")
            }
            _ => format!("{field} is required: {allowed}"),
        },
        Code::DateOrder => "end_date must be after start_date".to_owned(),
        Code::RangeTooLarge => "end_date must be at most 365 days after start_date".to_owned(),
        Code::DuplicateParameter => format!("{field} must be given only once"),
        Code::IgnoredParameter => {
            format!("{field} is ignored unless time_frame is custom_range")
        }
        _ => format!("{field} must be {allowed}"),
    }
}
