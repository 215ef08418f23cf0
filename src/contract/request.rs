//! Validation of a request as it arrives in a URL: the campaign id from the path and the
//! raw query string, where duplicated and unknown parameters become visible.

use super::field::{Code, Field, FieldError};
use super::query::{validate_with_duplicates, QueryInput, Validation};
use std::borrow::Cow;

/// Validates an analytics request: `campaign_id` as in the path, `query_string` as in the
/// URL (a leading `?` is optional; `+` and percent-escapes are decoded as browsers do).
///
/// Beyond [`validate_query`](super::validate_query) this sees a parameter given twice
/// (`duplicate_parameter`, an error on that parameter) and parameters the endpoint does not
/// know (`unknown_parameter`, a warning).
///
/// ```
/// use campaign_analytics::contract::{validate_request, Code};
/// let v = validate_request(
///     "123e4567-e89b-12d3-a456-426614174000",
///     "?time_frame=custom_range&start_date=2024-02-01&end_date=2024%2D02%2D29&utm=x",
/// );
/// assert!(v.is_valid());
/// assert_eq!(v.warnings()[0].code, Code::UnknownParameter);
///
/// let v = validate_request("123e4567-e89b-12d3-a456-426614174000", "time_frame=per_day&limit=5&limit=6");
/// assert_eq!(v.errors()[0].field, "limit");
/// assert_eq!(v.errors()[0].code, Code::DuplicateParameter);
/// ```
pub fn validate_request(campaign_id: &str, query_string: &str) -> Validation {
    let query_string = query_string.strip_prefix('?').unwrap_or(query_string);
    let params = RawParams::parse(query_string);

    let mut input = QueryInput {
        campaign_id: Some(campaign_id),
        ..QueryInput::default()
    };
    let mut duplicated = [false; 7];
    for (field, values) in &params.known {
        input.set(*field, values.first().map(|v| v.as_ref()));
        duplicated[*field as usize] = values.len() > 1;
    }

    // `campaign_id` belongs to the path: once in the query string it is merely unknown,
    // but given twice there it is a duplicate of the campaign_id field itself (reported in
    // that field's place, so each field still gets at most one error).
    let query_campaign_id = |name: &str| Field::from_name(name) == Some(Field::CampaignId);
    duplicated[Field::CampaignId as usize] = params
        .unknown
        .iter()
        .any(|(name, count)| *count > 1 && query_campaign_id(name));

    let mut validation = validate_with_duplicates(&input, duplicated);
    for (name, count) in &params.unknown {
        if *count > 1 && query_campaign_id(name) {
            continue;
        } else if *count > 1 {
            validation.push_error(FieldError::unknown(name, Code::DuplicateParameter));
        } else {
            validation.push_warning(FieldError::unknown(name, Code::UnknownParameter));
        }
    }
    validation
}

/// A decoded query string, grouped by parameter name.
struct RawParams<'a> {
    /// Known query fields with every value given, in contract order.
    known: Vec<(Field, Vec<Cow<'a, str>>)>,
    /// Other parameter names with how often each appeared, in order of first appearance.
    unknown: Vec<(Cow<'a, str>, usize)>,
}

impl<'a> RawParams<'a> {
    fn parse(query_string: &'a str) -> RawParams<'a> {
        let mut known: Vec<(Field, Vec<Cow<'a, str>>)> = Vec::new();
        let mut unknown: Vec<(Cow<'a, str>, usize)> = Vec::new();
        for (name, value) in form_urlencoded::parse(query_string.as_bytes()) {
            // campaign_id belongs to the path; in the query string it is just unknown.
            match Field::from_name(&name).filter(|f| *f != Field::CampaignId) {
                Some(field) => match known.iter_mut().find(|(f, _)| *f == field) {
                    Some((_, values)) => values.push(value),
                    None => known.push((field, vec![value])),
                },
                None => match unknown.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, count)) => *count += 1,
                    None => unknown.push((name, 1)),
                },
            }
        }
        known.sort_by_key(|(field, _)| *field);
        RawParams { known, unknown }
    }
}
