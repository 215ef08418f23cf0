//! The words for the query's choices, shared by the form and the results heading.

use crate::contract::{PurchaseFilter, TimeFrame};

/// The time frame as the form's options name it.
///
/// ```
/// use campaign_analytics::contract::TimeFrame;
/// use campaign_analytics::ui::text::labels::time_frame_text;
/// assert_eq!(time_frame_text(TimeFrame::PerDay), "Last 30 days, by day");
/// ```
pub fn time_frame_text(t: TimeFrame) -> &'static str {
    match t {
        TimeFrame::PerHour => "Last 24 hours, by hour",
        TimeFrame::PerDay => "Last 30 days, by day",
        TimeFrame::PerMonth => "Last 12 months, by month",
        TimeFrame::CustomRange => "Custom range, by day",
    }
}

/// `PurchaseFilter`'s label in the form.
pub fn filter_text(p: PurchaseFilter) -> &'static str {
    match p {
        PurchaseFilter::All => "All instances",
        PurchaseFilter::Purchases => "Purchases only",
        PurchaseFilter::NonPurchases => "Non-purchases only",
    }
}
