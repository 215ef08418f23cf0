//! Whole-window analysis (contract §5 "Whole-window analysis"): fetching every page of the
//! shown window through the request engine, and the insider leaderboard, campaign
//! comparison and exports built on it. Its pure aggregation lives in `crate::analysis`;
//! its components land here, beside `query` and `answer`, and read the same
//! [`Dash`](super::state::Dash) state.
