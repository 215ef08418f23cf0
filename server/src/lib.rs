//! The reference server of the Campaign Analytics API (contract §3).
//!
//! - [`cli`]: the command line (`serve`, `import`, `demo`, `generate`).
//! - [`http`]: routes, envelopes, authentication, rate limits, CORS, static files.
//! - [`analytics`]: windows, buckets and the 200 body — pure functions.
//! - [`store`]: the narrow storage interface and its SQLite implementation with an
//!   in-memory read model.
//! - [`records`]: partners, keys, campaigns, instances and import results — what
//!   [`import`] reads and [`store`] keeps.
//! - [`import`]: the fixture format and its per-record rules; [`demo`]: generated data.
//! - [`clock`]: the (pinnable) clock.
//! - [`log`]: log lines that cannot be forged and never show a key; [`metrics`]:
//!   Prometheus metrics.
//!
//! Validation is not here: the server's 400 lists exactly what
//! `campaign_analytics::contract::validate_request` returns.

pub mod analytics;
pub mod cli;
pub mod clock;
pub mod demo;
pub mod http;
pub mod import;
pub mod log;
pub mod metrics;
pub mod records;
pub mod store;
