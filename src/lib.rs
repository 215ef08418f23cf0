//! Campaign Analytics: the query contract, the API's wire types and browser client, the
//! JS-callable validator and the partner dashboard.
//!
//! Dependencies point one way: `contract` (pure rules) ← `api` (wire types, what an answer
//! means; the browser transport behind the `client` feature) ← `engine` (the UI-free request
//! engine: cache, retries, cost, periods) ← `ui` (the Leptos dashboard, feature `ui`).
//! `analysis` (the whole-window figures: pure, over the API's instances) sits beside the
//! engine, below the UI.
//! `js` (feature `js`) is the wasm-bindgen boundary of the validator over `contract`.
//! The reference server (`server/`) uses `contract` and `api` with no features.

pub mod analysis;
pub mod api;
pub mod contract;
pub mod engine;
// Campaigns side by side: over the engine, below the UI.
pub mod compare;

#[cfg(feature = "js")]
pub mod js;

#[cfg(feature = "ui")]
pub mod ui;
