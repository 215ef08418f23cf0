//! Checks of an answer that the types cannot make.

use crate::api::types::AnalyticsResponse;

/// An answer that parsed but whose numbers contradict each other.
#[derive(Clone, Debug, PartialEq)]
pub struct Inconsistent(String);

impl std::fmt::Display for Inconsistent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Inconsistent {}

/// Checks what the types cannot: numbers that must agree, and values a view cannot draw.
/// An answer that fails is shown as an error in place of the results, not as
/// misleading cards.
///
/// ```
/// use campaign_analytics::api::types::AnalyticsResponse;
/// use campaign_analytics::ui::answer::consistency::check_consistency;
/// let mut r: AnalyticsResponse = serde_json::from_str(r#"{"success":true,"message":"ok",
///   "data":{"campaign_id":"123e4567-e89b-12d3-a456-426614174000","time_frame":"per_day",
///     "instances":[],"summary":{"total_instances":3,"purchase_instances":1,
///     "non_purchase_instances":2,"total_revenue":9.5,"conversion_rate":0.3333}},
///   "pagination":{"page":1,"limit":50,"total":3,"totalPages":1,"hasNext":false,"hasPrevious":false},
///   "meta":{"timestamp":"2026-11-20T14:03:11Z","requestId":"x"}}"#).unwrap();
/// assert!(check_consistency(&r).is_ok());
/// r.data.summary.purchase_instances = 5;
/// assert!(check_consistency(&r).is_err());
/// ```
pub fn check_consistency(r: &AnalyticsResponse) -> Result<(), Inconsistent> {
    let s = &r.data.summary;
    if s.purchase_instances.checked_add(s.non_purchase_instances) != Some(s.total_instances) {
        return Err(Inconsistent(format!(
            "The summary does not add up: {} purchases and {} non-purchases, but {} instances.",
            s.purchase_instances, s.non_purchase_instances, s.total_instances
        )));
    }
    let finite = s.total_revenue.is_finite()
        && s.conversion_rate.is_finite()
        && r.data.instances.iter().all(|i| i.revenue.is_finite());
    if !finite {
        return Err(Inconsistent(
            "The answer holds a number that is not finite.".to_owned(),
        ));
    }
    if r.data.instances.len() as u64 > u64::from(r.pagination.limit.max(1)) {
        return Err(Inconsistent(format!(
            "The page holds {} instances, more than its limit of {}.",
            r.data.instances.len(),
            r.pagination.limit
        )));
    }
    Ok(())
}
