//! Asking: the connection (base URL and key, [`connection`]), the first-run demo
//! ([`demo`]), the query form ([`form`]) with its period presets ([`period`]), and what the
//! next action will cost ([`cost`]).

pub mod connection;
pub mod cost;
pub mod demo;
pub mod form;
pub mod period;
