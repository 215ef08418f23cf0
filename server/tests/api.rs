//! The analytics endpoint over real HTTP: statuses and envelopes, headers, CORS,
//! windows, summary, pagination, ordering and partner isolation.

mod common;

use common::*;

include!("suites/api.rs");
