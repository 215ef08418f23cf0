//! What the dashboard says, as plain functions tested natively: numbers and times
//! ([`format`]), each failure in words ([`messages`]), and the labels of the query's
//! choices ([`labels`]).

pub mod format;
pub mod labels;
pub mod messages;
