//! The analytics query: its raw input, the rules of contract §1, and the validated,
//! normalized query that cannot hold an invalid value.

use super::field::{Code, Field, FieldError};
use super::scalar::{
    iso_date, parse_bounded, parse_date, parse_uuid, write_date, write_decimal, write_uuid,
    IntegerError,
};
use chrono::{Datelike, NaiveDate};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::fmt;
use uuid::Uuid;

/// The most days `end_date` may lie after `start_date` in a custom range.
pub const MAX_RANGE_DAYS: i64 = 365;
/// The largest page number.
pub const MAX_PAGE: u32 = 2_147_483_647;
/// The largest page size.
pub const MAX_LIMIT: u32 = 100;
/// The page size when none is given.
pub const DEFAULT_LIMIT: u32 = 50;
/// The path every analytics request goes to, before the campaign id.
pub const CAMPAIGNS_PATH: &str = "/api/partner/v1/campaigns";

/// The time aggregation period (`time_frame`).
///
/// ```
/// use campaign_analytics::contract::TimeFrame;
/// assert_eq!(TimeFrame::parse("per_day"), Some(TimeFrame::PerDay));
/// assert_eq!(TimeFrame::parse("PER_DAY"), None);
/// assert_eq!(TimeFrame::CustomRange.as_str(), "custom_range");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeFrame {
    PerHour,
    PerDay,
    PerMonth,
    CustomRange,
}

impl TimeFrame {
    /// Every time frame, in the order the API documents them.
    pub const ALL: [TimeFrame; 4] = [
        TimeFrame::PerHour,
        TimeFrame::PerDay,
        TimeFrame::PerMonth,
        TimeFrame::CustomRange,
    ];

    /// The exact (case-sensitive) wire value, or `None`.
    pub fn parse(text: &str) -> Option<TimeFrame> {
        TimeFrame::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// The wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            TimeFrame::PerHour => "per_hour",
            TimeFrame::PerDay => "per_day",
            TimeFrame::PerMonth => "per_month",
            TimeFrame::CustomRange => "custom_range",
        }
    }
}

impl fmt::Display for TimeFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which instances to list (`is_purchase`): the summary always counts all of them.
///
/// ```
/// use campaign_analytics::contract::PurchaseFilter;
/// assert_eq!(PurchaseFilter::parse("true"), Some(PurchaseFilter::Purchases));
/// assert_eq!(PurchaseFilter::default(), PurchaseFilter::All);
/// assert!(PurchaseFilter::NonPurchases.matches(false));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PurchaseFilter {
    #[default]
    All,
    /// `is_purchase=true`
    Purchases,
    /// `is_purchase=false`
    NonPurchases,
}

impl PurchaseFilter {
    /// Every filter value.
    pub const ALL: [PurchaseFilter; 3] = [
        PurchaseFilter::All,
        PurchaseFilter::Purchases,
        PurchaseFilter::NonPurchases,
    ];

    /// The exact wire value (`true`, `false`, `all`), or `None`.
    pub fn parse(text: &str) -> Option<PurchaseFilter> {
        PurchaseFilter::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// The wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            PurchaseFilter::All => "all",
            PurchaseFilter::Purchases => "true",
            PurchaseFilter::NonPurchases => "false",
        }
    }

    /// Whether an instance with this purchase flag is listed.
    pub const fn matches(self, is_purchase: bool) -> bool {
        match self {
            PurchaseFilter::All => true,
            PurchaseFilter::Purchases => is_purchase,
            PurchaseFilter::NonPurchases => !is_purchase,
        }
    }
}

/// The days of a custom range: `start < end`, at most [`MAX_RANGE_DAYS`] apart, both
/// inclusive, in years 0000–9999 (the years `YYYY-MM-DD` can write).
///
/// ```
/// use campaign_analytics::contract::DateRange;
/// use chrono::{Datelike, NaiveDate};
/// let d = |s: &str| s.parse::<NaiveDate>().unwrap();
/// assert!(DateRange::new(d("2024-01-01"), d("2024-12-31")).is_some()); // 365 days apart
/// assert!(DateRange::new(d("2024-01-01"), d("2025-01-01")).is_none()); // 366
/// assert!(DateRange::new(d("2024-01-01"), d("2024-01-01")).is_none()); // not after
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateRange {
    start: NaiveDate,
    end: NaiveDate,
}

impl DateRange {
    /// A range, if `end` is strictly after `start` and at most 365 days later.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Option<DateRange> {
        let writable = |d: NaiveDate| (0..=9999).contains(&d.year());
        (writable(start) && writable(end) && range_problem(start, end).is_none())
            .then_some(DateRange { start, end })
    }

    /// The first day.
    pub const fn start(self) -> NaiveDate {
        self.start
    }

    /// The last day (inclusive).
    pub const fn end(self) -> NaiveDate {
        self.end
    }
}

fn range_problem(start: NaiveDate, end: NaiveDate) -> Option<Code> {
    let days = end.signed_duration_since(start).num_days();
    if days <= 0 {
        Some(Code::DateOrder)
    } else if days > MAX_RANGE_DAYS {
        Some(Code::RangeTooLarge)
    } else {
        None
    }
}

/// The validated period of a query: the time frame, with its dates when it is a custom range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    PerHour,
    PerDay,
    PerMonth,
    CustomRange(DateRange),
}

impl Period {
    /// The period's time frame.
    pub const fn time_frame(self) -> TimeFrame {
        match self {
            Period::PerHour => TimeFrame::PerHour,
            Period::PerDay => TimeFrame::PerDay,
            Period::PerMonth => TimeFrame::PerMonth,
            Period::CustomRange(_) => TimeFrame::CustomRange,
        }
    }
}

/// A query that passed every rule of contract §1, normalized: the campaign id is
/// lower-case, defaults are filled in. It can only be made by validation (or
/// [`AnalyticsQuery::new`] and its checked setters), so it never holds an invalid value.
///
/// ```
/// use campaign_analytics::contract::{validate_query, QueryInput};
/// let checked = validate_query(&QueryInput {
///     campaign_id: Some("123E4567-E89B-12D3-A456-426614174000"),
///     time_frame: Some("per_day"),
///     limit: Some("010"),
///     ..QueryInput::default()
/// });
/// let query = checked.query().unwrap();
/// assert_eq!(query.limit(), 10);
/// assert_eq!(
///     query.path(),
///     "/api/partner/v1/campaigns/123e4567-e89b-12d3-a456-426614174000/analytics?time_frame=per_day&limit=10"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AnalyticsQuery {
    campaign_id: Uuid,
    period: Period,
    purchase: PurchaseFilter,
    page: u32,
    limit: u32,
}

impl AnalyticsQuery {
    /// The first page of `period` for a campaign, all instances, default page size.
    pub const fn new(campaign_id: Uuid, period: Period) -> AnalyticsQuery {
        AnalyticsQuery {
            campaign_id,
            period,
            purchase: PurchaseFilter::All,
            page: 1,
            limit: DEFAULT_LIMIT,
        }
    }

    /// The same query with another purchase filter.
    pub const fn with_purchase(self, purchase: PurchaseFilter) -> AnalyticsQuery {
        AnalyticsQuery { purchase, ..self }
    }

    /// The same query on another page, if `page` is within `1..=2147483647`.
    pub fn with_page(self, page: u32) -> Option<AnalyticsQuery> {
        (1..=MAX_PAGE)
            .contains(&page)
            .then_some(AnalyticsQuery { page, ..self })
    }

    /// The page of this query's window that `path` asks: `Some(page)` when `path` is exactly
    /// [`AnalyticsQuery::path`] of this query at that page, `None` for any other path.
    ///
    /// ```
    /// use campaign_analytics::contract::validate_request;
    /// let q = validate_request("c0000000-0000-4000-8000-000000000001", "time_frame=per_day&limit=100")
    ///     .into_result().unwrap();
    /// assert_eq!(q.page_of(&q.with_page(7).unwrap().path()), Some(7));
    /// assert_eq!(q.page_of(&q.path()), Some(1));
    /// assert_eq!(q.page_of(&q.with_limit(50).unwrap().path()), None);
    /// assert_eq!(q.page_of("/api/campaigns/x/analytics?page=2"), None);
    /// ```
    pub fn page_of(&self, path: &str) -> Option<u32> {
        let query = path.split_once('?')?.1;
        let page = match query.split('&').find_map(|p| p.strip_prefix("page=")) {
            Some(digits) => digits.parse().ok()?,
            None => 1,
        };
        (self.with_page(page)?.path() == path).then_some(page)
    }

    /// The same query with another page size, if `limit` is within `1..=100`.
    pub fn with_limit(self, limit: u32) -> Option<AnalyticsQuery> {
        (1..=MAX_LIMIT)
            .contains(&limit)
            .then_some(AnalyticsQuery { limit, ..self })
    }

    pub const fn campaign_id(&self) -> Uuid {
        self.campaign_id
    }
    pub const fn period(&self) -> Period {
        self.period
    }
    pub const fn time_frame(&self) -> TimeFrame {
        self.period.time_frame()
    }
    pub const fn purchase(&self) -> PurchaseFilter {
        self.purchase
    }
    /// The page number, 1-based.
    pub const fn page(&self) -> u32 {
        self.page
    }
    /// The page size, 1..=100.
    pub const fn limit(&self) -> u32 {
        self.limit
    }

    /// The query string (without `?`): parameters in contract order, defaults omitted.
    pub fn query_string(&self) -> String {
        let mut out = String::with_capacity(96);
        self.write_query_string(&mut out);
        out
    }

    /// The canonical request path with its query string.
    pub fn path(&self) -> String {
        let mut out = String::with_capacity(128);
        self.write_path(&mut out);
        out
    }

    /// Appends [`AnalyticsQuery::path`] to `out` (no formatting machinery: the JS package
    /// writes a path on every valid call).
    pub fn write_path(&self, out: &mut String) {
        out.push_str(CAMPAIGNS_PATH);
        out.push('/');
        write_uuid(out, self.campaign_id);
        out.push_str("/analytics?");
        self.write_query_string(out);
    }

    fn write_query_string(&self, out: &mut String) {
        // Every value is URL-safe as written (enums, ISO dates, digits): nothing to escape.
        out.push_str("time_frame=");
        out.push_str(self.time_frame().as_str());
        if let Period::CustomRange(range) = self.period {
            out.push_str("&start_date=");
            write_date(out, range.start);
            out.push_str("&end_date=");
            write_date(out, range.end);
        }
        if self.purchase != PurchaseFilter::All {
            out.push_str("&is_purchase=");
            out.push_str(self.purchase.as_str());
        }
        if self.page != 1 {
            out.push_str("&page=");
            write_decimal(out, self.page);
        }
        if self.limit != DEFAULT_LIMIT {
            out.push_str("&limit=");
            write_decimal(out, self.limit);
        }
    }
}

/// The normalized query as the JS validator returns it (`NormalizedQuery`), `path` included.
impl Serialize for AnalyticsQuery {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("campaign_id", &self.campaign_id.hyphenated().to_string())?;
        map.serialize_entry("time_frame", self.time_frame().as_str())?;
        if let Period::CustomRange(range) = self.period {
            map.serialize_entry("start_date", &iso_date(range.start))?;
            map.serialize_entry("end_date", &iso_date(range.end))?;
        }
        map.serialize_entry("is_purchase", self.purchase.as_str())?;
        map.serialize_entry("page", &self.page)?;
        map.serialize_entry("limit", &self.limit)?;
        map.serialize_entry("path", &self.path())?;
        map.end()
    }
}

/// The raw fields of a query, as text. `None` and `Some("")` both mean absent.
///
/// ```
/// use campaign_analytics::contract::QueryInput;
/// let input = QueryInput { time_frame: Some("per_hour"), ..QueryInput::default() };
/// assert_eq!(input.get(campaign_analytics::contract::Field::TimeFrame), Some("per_hour"));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueryInput<'a> {
    pub campaign_id: Option<&'a str>,
    pub time_frame: Option<&'a str>,
    pub start_date: Option<&'a str>,
    pub end_date: Option<&'a str>,
    pub is_purchase: Option<&'a str>,
    pub page: Option<&'a str>,
    pub limit: Option<&'a str>,
}

impl<'a> QueryInput<'a> {
    /// The field's value, with an empty value reported as absent.
    pub fn get(&self, field: Field) -> Option<&'a str> {
        let value = match field {
            Field::CampaignId => self.campaign_id,
            Field::TimeFrame => self.time_frame,
            Field::StartDate => self.start_date,
            Field::EndDate => self.end_date,
            Field::IsPurchase => self.is_purchase,
            Field::Page => self.page,
            Field::Limit => self.limit,
        };
        value.filter(|v| !v.is_empty())
    }

    /// Sets the field's value.
    pub fn set(&mut self, field: Field, value: Option<&'a str>) {
        let slot = match field {
            Field::CampaignId => &mut self.campaign_id,
            Field::TimeFrame => &mut self.time_frame,
            Field::StartDate => &mut self.start_date,
            Field::EndDate => &mut self.end_date,
            Field::IsPurchase => &mut self.is_purchase,
            Field::Page => &mut self.page,
            Field::Limit => &mut self.limit,
        };
        *slot = value;
    }
}

/// The outcome of validating a query: errors (at most one per field, in field order),
/// warnings (never blocking), and the normalized query exactly when there is no error.
///
/// Serializes to the JS validator's result shape `{valid, fields, warnings, query}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validation {
    errors: Vec<FieldError>,
    warnings: Vec<FieldError>,
    query: Option<AnalyticsQuery>,
}

impl Validation {
    /// A rejection with one error and no warnings (e.g. `invalid_input`).
    pub fn rejected(error: FieldError) -> Validation {
        Validation {
            errors: vec![error],
            warnings: Vec::new(),
            query: None,
        }
    }

    /// Whether the query may be sent.
    pub fn is_valid(&self) -> bool {
        self.query.is_some()
    }
    /// The errors, in contract field order.
    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }
    /// The warnings.
    pub fn warnings(&self) -> &[FieldError] {
        &self.warnings
    }
    /// The normalized query, present exactly when there is no error.
    pub fn query(&self) -> Option<&AnalyticsQuery> {
        self.query.as_ref()
    }
    /// The error on a known field, if any.
    pub fn error_for(&self, field: Field) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == field.name())
    }
    /// The query, or the errors.
    pub fn into_result(self) -> Result<AnalyticsQuery, Vec<FieldError>> {
        self.query.ok_or(self.errors)
    }

    pub(crate) fn push_error(&mut self, error: FieldError) {
        self.errors.push(error);
        self.query = None;
    }
    pub(crate) fn push_warning(&mut self, warning: FieldError) {
        self.warnings.push(warning);
    }
}

impl Serialize for Validation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("valid", &self.is_valid())?;
        map.serialize_entry("fields", &self.errors)?;
        map.serialize_entry("warnings", &self.warnings)?;
        map.serialize_entry("query", &self.query)?;
        map.end()
    }
}

/// Validates a query given as fields (contract §1). Sees no duplicates or unknown
/// parameters: for a raw query string use [`validate_request`](super::validate_request).
pub fn validate_query(input: &QueryInput<'_>) -> Validation {
    validate_with_duplicates(input, [false; 7])
}

/// The rules of contract §1 with `duplicated[field]` marking fields given more than once.
pub(crate) fn validate_with_duplicates(
    input: &QueryInput<'_>,
    duplicated: [bool; 7],
) -> Validation {
    check_fields(input, duplicated).into_validation()
}

/// What the rules say about the seven known fields, before any message is written: the
/// code of each field's error and warning, and the query when there is no error. The JS
/// package reads this directly (its messages are fixed per field and code, so it keeps
/// them instead of formatting them again on every call).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Outcome {
    /// The error on each field, indexed by [`Field`]: at most one per field.
    pub(crate) errors: [Option<Code>; 7],
    /// The warning on each field (`ignored_parameter` on the dates).
    pub(crate) warnings: [Option<Code>; 7],
    /// The normalized query, present exactly when there is no error.
    pub(crate) query: Option<AnalyticsQuery>,
}

impl Outcome {
    /// Each code with its field and message, in field order.
    pub(crate) fn into_validation(self) -> Validation {
        let listed = |codes: [Option<Code>; 7]| -> Vec<FieldError> {
            Field::ALL
                .into_iter()
                .zip(codes)
                .filter_map(|(field, code)| code.map(|code| FieldError::new(field, code)))
                .collect()
        };
        Validation {
            errors: listed(self.errors),
            warnings: listed(self.warnings),
            query: self.query,
        }
    }
}

/// The rules of contract §1 in order; `duplicated[field]` marks a field given more than
/// once, whose value is then ambiguous and not checked further.
pub(crate) fn check_fields(input: &QueryInput<'_>, duplicated: [bool; 7]) -> Outcome {
    let mut errors: [Option<Code>; 7] = [None; 7];
    let mut warnings: [Option<Code>; 7] = [None; 7];
    let mut reject = |field: Field, code: Code| errors[field.index()] = Some(code);
    let value = |field: Field| input.get(field);
    let duplicate = |field: Field| duplicated[field.index()];

    let campaign_id = if duplicate(Field::CampaignId) {
        reject(Field::CampaignId, Code::DuplicateParameter);
        None
    } else {
        match value(Field::CampaignId) {
            None => {
                reject(Field::CampaignId, Code::Required);
                None
            }
            Some(text) => {
                let id = parse_uuid(text);
                if id.is_none() {
                    reject(Field::CampaignId, Code::InvalidUuid);
                }
                id
            }
        }
    };

    let time_frame = if duplicate(Field::TimeFrame) {
        reject(Field::TimeFrame, Code::DuplicateParameter);
        None
    } else {
        match value(Field::TimeFrame) {
            None => {
                reject(Field::TimeFrame, Code::Required);
                None
            }
            Some(text) => {
                let frame = TimeFrame::parse(text);
                if frame.is_none() {
                    reject(Field::TimeFrame, Code::InvalidEnum);
                }
                frame
            }
        }
    };

    // Dates are checked only for a custom range. Beside any other time frame — another
    // valid one, a wrong one, or none — they are ignored, unchecked, with a warning.
    let mut dates: [Option<NaiveDate>; 2] = [None, None];
    for (slot, field) in [Field::StartDate, Field::EndDate].into_iter().enumerate() {
        if duplicate(field) {
            reject(field, Code::DuplicateParameter);
            continue;
        }
        match (time_frame, value(field)) {
            (Some(TimeFrame::CustomRange), None) => reject(field, Code::Required),
            (Some(TimeFrame::CustomRange), Some(text)) => {
                dates[slot] = parse_date(text);
                if dates[slot].is_none() {
                    reject(field, Code::InvalidDate);
                } else if let (Field::EndDate, [Some(start), Some(end)]) = (field, dates) {
                    if let Some(code) = range_problem(start, end) {
                        reject(field, code);
                        dates[slot] = None;
                    }
                }
            }
            (_, Some(_)) => warnings[field.index()] = Some(Code::IgnoredParameter),
            (_, None) => {}
        }
    }

    let purchase = if duplicate(Field::IsPurchase) {
        reject(Field::IsPurchase, Code::DuplicateParameter);
        None
    } else {
        match value(Field::IsPurchase) {
            None => Some(PurchaseFilter::All),
            Some(text) => {
                let filter = PurchaseFilter::parse(text);
                if filter.is_none() {
                    reject(Field::IsPurchase, Code::InvalidEnum);
                }
                filter
            }
        }
    };

    let mut bounded = |field: Field, max: u32, default: u32| -> Option<u32> {
        if duplicate(field) {
            reject(field, Code::DuplicateParameter);
            return None;
        }
        match value(field).map(|text| parse_bounded(text, 1, max)) {
            None => Some(default),
            Some(Ok(v)) => Some(v),
            Some(Err(IntegerError::NotDigits)) => {
                reject(field, Code::InvalidInteger);
                None
            }
            Some(Err(IntegerError::OutOfRange)) => {
                reject(field, Code::OutOfRange);
                None
            }
        }
    };
    let page = bounded(Field::Page, MAX_PAGE, 1);
    let limit = bounded(Field::Limit, MAX_LIMIT, DEFAULT_LIMIT);

    let period = match (time_frame, dates) {
        (Some(TimeFrame::PerHour), _) => Some(Period::PerHour),
        (Some(TimeFrame::PerDay), _) => Some(Period::PerDay),
        (Some(TimeFrame::PerMonth), _) => Some(Period::PerMonth),
        (Some(TimeFrame::CustomRange), [Some(start), Some(end)]) => {
            DateRange::new(start, end).map(Period::CustomRange)
        }
        _ => None,
    };

    let query = match (campaign_id, period, purchase, page, limit) {
        (Some(campaign_id), Some(period), Some(purchase), Some(page), Some(limit))
            if errors.iter().all(Option::is_none) =>
        {
            Some(AnalyticsQuery {
                campaign_id,
                period,
                purchase,
                page,
                limit,
            })
        }
        _ => None,
    };
    Outcome {
        errors,
        warnings,
        query,
    }
}
