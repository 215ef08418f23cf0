//! The query as it lives in the page's URL, and as the form holds it.
//!
//! The URL is the source of truth for the query that is shown: running the form or turning
//! a page writes the URL, and a URL change (a link, a reload, back/forward) fills the form
//! and runs the query. The URL uses the API's own parameter names plus `campaign_id`, so a
//! link reads like the request it makes:
//! `?campaign_id=…&time_frame=per_day&is_purchase=true&page=2&limit=25`.
//!
//! A hand-edited URL is checked with the shared validator
//! ([`validate_request`]), so it gets exactly the errors the server would give, each shown
//! under its field; nothing here panics, whatever the URL holds.

use crate::contract::{
    validate_query, validate_request, AnalyticsQuery, Code, Field, FieldError, QueryInput,
    Validation, DEFAULT_LIMIT,
};

/// The page sizes offered in the form.
pub const PAGE_SIZES: [u32; 4] = [10, 25, 50, 100];

/// The query form's fields, as the text the inputs hold. `page` is not an input: it
/// comes from the URL and the pagination controls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormState {
    pub campaign_id: String,
    pub time_frame: String,
    pub start_date: String,
    pub end_date: String,
    pub is_purchase: String,
    pub page: String,
    pub limit: String,
}

impl Default for FormState {
    /// An empty campaign, the last 30 days, all instances, the API's default page size.
    fn default() -> Self {
        FormState {
            campaign_id: String::new(),
            time_frame: "per_day".to_owned(),
            start_date: String::new(),
            end_date: String::new(),
            is_purchase: "all".to_owned(),
            page: "1".to_owned(),
            limit: DEFAULT_LIMIT.to_string(),
        }
    }
}

impl FormState {
    /// The field's text.
    pub fn get(&self, field: Field) -> &str {
        match field {
            Field::CampaignId => &self.campaign_id,
            Field::TimeFrame => &self.time_frame,
            Field::StartDate => &self.start_date,
            Field::EndDate => &self.end_date,
            Field::IsPurchase => &self.is_purchase,
            Field::Page => &self.page,
            Field::Limit => &self.limit,
        }
    }

    /// Sets the field's text.
    pub fn set(&mut self, field: Field, value: String) {
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

    /// The fields as the validator takes them.
    pub fn input(&self) -> QueryInput<'_> {
        let mut input = QueryInput::default();
        for field in Field::ALL {
            input.set(field, Some(self.get(field)));
        }
        input
    }

    /// The shared validator's verdict on the form as typed.
    ///
    /// ```
    /// use campaign_analytics::ui::state::url_state::FormState;
    /// let mut form = FormState::default();
    /// assert!(!form.validate().is_valid()); // no campaign yet
    /// form.campaign_id = "123e4567-e89b-12d3-a456-426614174000".into();
    /// assert!(form.validate().is_valid());
    /// ```
    pub fn validate(&self) -> Validation {
        validate_query(&self.input())
    }

    /// The form showing `query`.
    pub fn from_query(query: &AnalyticsQuery) -> FormState {
        let url = to_url(query);
        parse_url(&url).form
    }
}

/// What a URL says: the form to show, the errors to show under its fields, and the
/// query to run when there is none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlState {
    pub form: FormState,
    pub errors: Vec<FieldError>,
    /// Unknown parameters and ignored dates: worth a word, never blocking.
    pub warnings: Vec<FieldError>,
    pub query: Option<AnalyticsQuery>,
    /// The URL holds no query at all (a first visit): show no errors.
    pub empty: bool,
}

/// Reads the page's query string (with or without its leading `?`).
///
/// ```
/// use campaign_analytics::ui::state::url_state::parse_url;
/// let s = parse_url("?campaign_id=123E4567-E89B-12D3-A456-426614174000&time_frame=per_day&page=2");
/// assert_eq!(s.query.unwrap().page(), 2);
/// let s = parse_url("campaign_id=nope&time_frame=per_week&limit=1000");
/// let fields: Vec<_> = s.errors.iter().map(|e| e.field.as_str()).collect();
/// assert_eq!(fields, ["campaign_id", "time_frame", "limit"]);
/// assert_eq!(s.form.limit, "1000"); // shown as typed, with its error under it
/// ```
pub fn parse_url(search: &str) -> UrlState {
    let search = search.strip_prefix('?').unwrap_or(search);
    if search.trim().is_empty() {
        return UrlState {
            form: FormState::default(),
            errors: Vec::new(),
            warnings: Vec::new(),
            query: None,
            empty: true,
        };
    }

    let mut campaign_ids: Vec<String> = Vec::new();
    // The query string without its campaign_id pairs, as written (still encoded).
    let mut rest: Vec<&str> = Vec::new();
    for pair in search.split('&') {
        let name = pair.split('=').next().unwrap_or_default();
        let is_campaign = form_urlencoded::parse(name.as_bytes())
            .next()
            .is_some_and(|(n, _)| n == "campaign_id");
        if !is_campaign {
            rest.push(pair);
        }
    }
    let rest = rest.join("&");
    let mut form = FormState {
        campaign_id: String::new(),
        time_frame: String::new(),
        start_date: String::new(),
        end_date: String::new(),
        is_purchase: "all".to_owned(),
        page: "1".to_owned(),
        limit: DEFAULT_LIMIT.to_string(),
    };
    let mut seen = [false; 7];
    for (name, value) in form_urlencoded::parse(search.as_bytes()) {
        if name == "campaign_id" {
            campaign_ids.push(value.into_owned());
            continue;
        }
        if let Some(field) = Field::from_name(&name) {
            let slot = &mut seen[field as usize];
            if !*slot && !value.is_empty() {
                form.set(field, value.to_string());
            }
            *slot = true;
        }
    }
    let campaign_id = campaign_ids.first().cloned().unwrap_or_default();
    form.campaign_id.clone_from(&campaign_id);

    let validation = validate_request(&campaign_id, &rest);
    let mut errors = validation.errors().to_vec();
    let mut query = validation.query().copied();
    if campaign_ids.len() > 1 {
        errors.retain(|e| e.field != Field::CampaignId.name());
        errors.insert(
            0,
            FieldError {
                field: Field::CampaignId.name().to_owned(),
                message: "campaign_id must be given only once".to_owned(),
                code: Code::DuplicateParameter,
            },
        );
        query = None;
    }
    UrlState {
        form,
        errors,
        warnings: validation.warnings().to_vec(),
        query,
        empty: false,
    }
}

/// The page's query string (without `?`) for a query: the campaign first, then the API's
/// parameters in contract order, defaults omitted.
///
/// ```
/// use campaign_analytics::contract::{validate_query, QueryInput};
/// use campaign_analytics::ui::state::url_state::{parse_url, to_url};
/// let q = *validate_query(&QueryInput {
///     campaign_id: Some("123e4567-e89b-12d3-a456-426614174000"),
///     time_frame: Some("per_hour"),
///     page: Some("3"),
///     ..QueryInput::default()
/// }).query().unwrap();
/// let url = to_url(&q);
/// assert_eq!(url, "campaign_id=123e4567-e89b-12d3-a456-426614174000&time_frame=per_hour&page=3");
/// assert_eq!(parse_url(&url).query, Some(q));
/// ```
pub fn to_url(query: &AnalyticsQuery) -> String {
    format!(
        "campaign_id={}&{}",
        query.campaign_id().hyphenated(),
        query.query_string()
    )
}

/// The query the form describes, on its first page — what "Run" sends.
pub fn form_query(form: &FormState) -> Result<AnalyticsQuery, Vec<FieldError>> {
    let mut first_page = form.clone();
    first_page.page = "1".to_owned();
    first_page.validate().into_result()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{PurchaseFilter, TimeFrame};

    const ID: &str = "123e4567-e89b-12d3-a456-426614174000";

    #[test]
    fn an_empty_url_is_a_blank_form_without_errors() {
        for search in ["", "?", "  "] {
            let s = parse_url(search);
            assert!(s.empty);
            assert!(s.errors.is_empty());
            assert_eq!(s.form, FormState::default());
            assert_eq!(s.query, None);
        }
    }

    #[test]
    fn urls_and_forms_round_trip() {
        let urls = [
            format!("campaign_id={ID}&time_frame=per_day"),
            format!("campaign_id={ID}&time_frame=per_month&is_purchase=false&page=4&limit=10"),
            format!(
                "campaign_id={ID}&time_frame=custom_range&start_date=2026-01-01&end_date=2026-03-31&is_purchase=true&limit=100"
            ),
        ];
        for url in urls {
            let state = parse_url(&url);
            let query = state.query.expect("valid");
            assert_eq!(to_url(&query), url);
            assert_eq!(state.form.validate().query(), Some(&query));
            assert_eq!(FormState::from_query(&query), state.form);
        }
    }

    #[test]
    fn the_form_keeps_what_the_url_says() {
        let s = parse_url(&format!(
            "?campaign_id={}&time_frame=custom_range&start_date=2026-01-01&end_date=2026-02-01&is_purchase=true&page=2&limit=25",
            ID.to_uppercase()
        ));
        let q = s.query.unwrap();
        assert_eq!(q.time_frame(), TimeFrame::CustomRange);
        assert_eq!(q.purchase(), PurchaseFilter::Purchases);
        assert_eq!((q.page(), q.limit()), (2, 25));
        assert_eq!(s.form.campaign_id, ID.to_uppercase());
        assert_eq!(s.form.start_date, "2026-01-01");
        assert_eq!(s.form.page, "2");
    }

    #[test]
    fn hand_edited_urls_give_field_errors_not_panics() {
        let cases = [
            ("campaign_id=x", vec!["campaign_id", "time_frame"]),
            (
                "campaign_id=123e4567-e89b-12d3-a456-426614174000&time_frame=custom_range&start_date=2025-02-29",
                vec!["start_date", "end_date"],
            ),
            (
                "campaign_id=123e4567-e89b-12d3-a456-426614174000&time_frame=per_day&page=0&limit=abc",
                vec!["page", "limit"],
            ),
            (
                "campaign_id=123e4567-e89b-12d3-a456-426614174000&campaign_id=x&time_frame=per_day",
                vec!["campaign_id"],
            ),
            (
                "campaign_id=123e4567-e89b-12d3-a456-426614174000&time_frame=per_day&time_frame=per_hour",
                vec!["time_frame"],
            ),
            ("%ZZ=%&&=&campaign_id", vec!["campaign_id", "time_frame"]),
        ];
        for (url, fields) in cases {
            let s = parse_url(url);
            let got: Vec<&str> = s.errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(got, fields, "{url}");
            assert_eq!(s.query, None);
        }
    }

    #[test]
    fn unknown_parameters_are_warnings() {
        let s = parse_url(&format!(
            "campaign_id={ID}&time_frame=per_day&utm_source=mail"
        ));
        assert!(s.query.is_some());
        assert_eq!(s.warnings[0].code, Code::UnknownParameter);
    }

    #[test]
    fn running_the_form_starts_on_page_one() {
        let mut form = parse_url(&format!("campaign_id={ID}&time_frame=per_day&page=7")).form;
        assert_eq!(form.page, "7");
        assert_eq!(form_query(&form).unwrap().page(), 1);
        form.limit = "0".into();
        assert_eq!(form_query(&form).unwrap_err()[0].field, "limit");
    }
}
