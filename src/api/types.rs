//! The API's wire types (serde), shared by the reference server, which writes them, and
//! the dashboard's client, which reads them. Shapes follow the published API plus the
//! additive fields of contract §3 (`data.window`, `data.series`).

use crate::contract::{parse_uuid, FieldError, TimeFrame};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

impl Serialize for TimeFrame {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TimeFrame {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        TimeFrame::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format_args!("unknown time_frame {text:?}")))
    }
}

/// Reads a timestamp as RFC 3339, which is what the server writes (`2026-11-20T14:03:11Z`).
/// chrono's own `Deserialize` goes through its relaxed, format-driven parser; this one
/// goes through its RFC 3339 parser only, which keeps that general parser (several
/// kilobytes) out of the dashboard's bundle. Offsets other than `Z` are accepted and
/// converted to UTC.
///
/// ```
/// use campaign_analytics::api::types::Window;
/// let w: Window = serde_json::from_str(
///     r#"{"start":"2026-11-01T00:00:00Z","end":"2026-11-02T01:00:00+01:00"}"#).unwrap();
/// assert_eq!(w.end.to_rfc3339(), "2026-11-02T00:00:00+00:00");
/// let bad = serde_json::from_str::<Window>(r#"{"start":"2026-11-01","end":"2026-11-02"}"#);
/// assert!(bad.is_err());
/// ```
fn rfc3339<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
    DateTime::parse_from_rfc3339(&text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(serde::de::Error::custom)
}

/// Reads an id by the contract's one rule for ids ([`parse_uuid`]: hyphenated, any case),
/// which is what the server writes. uuid's own `Deserialize` also takes the simple, braced
/// and URN forms and byte arrays, through a parser of its own (and its error messages) that
/// the dashboard's bundle then carries besides the contract's.
///
/// ```
/// use campaign_analytics::api::types::Instance;
/// let read = |id: &str| serde_json::from_str::<Instance>(&format!(
///     r#"{{"instance_id":"{id}","insider_id":"{id}","is_purchase":false,
///         "purchased_insider_id":null,"timestamp":"2026-11-20T14:03:11Z","revenue":0}}"#));
/// assert!(read("123E4567-e89b-12d3-a456-426614174000").is_ok());
/// assert!(read("123e4567e89b12d3a456426614174000").is_err());
/// // The buyer too, when there is one.
/// let buyer = |b: &str| serde_json::from_str::<Instance>(&format!(
///     r#"{{"instance_id":"123e4567-e89b-12d3-a456-426614174000","insider_id":"123e4567-e89b-12d3-a456-426614174000",
///         "is_purchase":true,"purchased_insider_id":{b},"timestamp":"2026-11-20T14:03:11Z","revenue":1}}"#));
/// assert!(buyer(r#""123e4567-e89b-12d3-a456-426614174001""#).is_ok());
/// assert!(buyer("null").is_ok());
/// assert!(buyer(r#""{123e4567-e89b-12d3-a456-426614174001}""#).is_err());
/// ```
fn uuid<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Uuid, D::Error> {
    id(&std::borrow::Cow::<str>::deserialize(deserializer)?)
}

/// [`uuid`], or `null`.
fn optional_uuid<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Uuid>, D::Error> {
    Option::<std::borrow::Cow<str>>::deserialize(deserializer)?
        .map(|text| id(&text))
        .transpose()
}

/// `text` as an id by [`parse_uuid`], or the error both readers give.
fn id<E: serde::de::Error>(text: &str) -> Result<Uuid, E> {
    parse_uuid(text).ok_or_else(|| E::custom("an id that is not a hyphenated UUID"))
}

/// `meta` of every response: when it was made and the request id it answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    #[serde(deserialize_with = "rfc3339")]
    pub timestamp: DateTime<Utc>,
    #[serde(rename = "requestId")]
    pub request_id: String,
}

/// The 200 body of `GET /api/partner/v1/campaigns/{campaign_id}/analytics`.
///
/// ```
/// use campaign_analytics::api::types::AnalyticsResponse;
/// let body = r#"{"success":true,"message":"ok",
///   "data":{"campaign_id":"123e4567-e89b-12d3-a456-426614174000","time_frame":"per_day",
///     "instances":[],"summary":{"total_instances":0,"purchase_instances":0,
///     "non_purchase_instances":0,"total_revenue":0,"conversion_rate":0}},
///   "pagination":{"page":1,"limit":50,"total":0,"totalPages":0,"hasNext":false,"hasPrevious":false},
///   "meta":{"timestamp":"2026-11-20T14:03:11Z","requestId":"550e8400-e29b-41d4-a716-446655440000"}}"#;
/// let parsed: AnalyticsResponse = serde_json::from_str(body).unwrap();
/// assert_eq!(parsed.pagination.total_pages, 0);
/// assert!(parsed.data.series.is_empty()); // additive fields are optional for readers
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalyticsResponse {
    pub success: bool,
    pub message: String,
    pub data: AnalyticsData,
    pub pagination: Pagination,
    pub meta: Meta,
}

/// `data` of the 200 body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalyticsData {
    /// The normalized (lower-case) campaign id.
    #[serde(deserialize_with = "uuid")]
    pub campaign_id: Uuid,
    pub time_frame: TimeFrame,
    /// One page of the instances matching `is_purchase`, newest first.
    pub instances: Vec<Instance>,
    /// Over all instances of the window, whatever `is_purchase` says.
    pub summary: Summary,
    /// The window the numbers cover (contract §3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// One point per bucket of the window, oldest first, empty buckets included.
    #[serde(default)]
    pub series: Vec<SeriesPoint>,
}

/// One campaign instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    #[serde(deserialize_with = "uuid")]
    pub instance_id: Uuid,
    #[serde(deserialize_with = "uuid")]
    pub insider_id: Uuid,
    pub is_purchase: bool,
    /// `null` when it is not a purchase (and when the field is missing, as for any option).
    #[serde(default, deserialize_with = "optional_uuid")]
    pub purchased_insider_id: Option<Uuid>,
    #[serde(deserialize_with = "rfc3339")]
    pub timestamp: DateTime<Utc>,
    pub revenue: f64,
}

/// Aggregates over the whole window.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub total_instances: u64,
    pub purchase_instances: u64,
    pub non_purchase_instances: u64,
    pub total_revenue: f64,
    /// `purchase_instances / total_instances`, 0.0–1.0.
    pub conversion_rate: f64,
}

/// `pagination` of the 200 body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pagination {
    pub page: u32,
    pub limit: u32,
    /// Instances matching the filter.
    pub total: u64,
    #[serde(rename = "totalPages")]
    pub total_pages: u64,
    #[serde(rename = "hasNext")]
    pub has_next: bool,
    #[serde(rename = "hasPrevious")]
    pub has_previous: bool,
}

impl Pagination {
    /// The pagination of `page` of `limit` items over `total` items (contract §3).
    ///
    /// ```
    /// use campaign_analytics::api::types::Pagination;
    /// let p = Pagination::new(2, 50, 101);
    /// assert_eq!((p.total_pages, p.has_next, p.has_previous), (3, true, true));
    /// assert_eq!(Pagination::new(1, 50, 0).total_pages, 0);
    /// ```
    pub fn new(page: u32, limit: u32, total: u64) -> Pagination {
        let total_pages = total.div_ceil(u64::from(limit.max(1)));
        Pagination {
            page,
            limit,
            total,
            total_pages,
            has_next: u64::from(page) < total_pages,
            has_previous: page > 1,
        }
    }
}

/// `data.window`: the instants the answer covers, `start` inclusive, `end` inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    #[serde(deserialize_with = "rfc3339")]
    pub start: DateTime<Utc>,
    #[serde(deserialize_with = "rfc3339")]
    pub end: DateTime<Utc>,
}

/// One bucket of `data.series`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    #[serde(deserialize_with = "rfc3339")]
    pub period_start: DateTime<Utc>,
    pub total_instances: u64,
    pub purchase_instances: u64,
    pub revenue: f64,
}

/// Every error body of the API. Fields that only some statuses carry are optional, so
/// one type reads them all (and a client tolerates a server that leaves some out).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Always `false`.
    pub success: bool,
    /// The status's name, e.g. `"Bad Request"`.
    pub error: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// 400: one entry per rejected field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldError>>,
    /// 422 as published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_errors: Option<Vec<FieldError>>,
    /// 503: seconds to wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    pub meta: Meta,
}
