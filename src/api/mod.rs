//! The Campaign Analytics API as data: the wire types every part shares, and (feature
//! `client`) the browser client that sends requests with gloo-net.

pub mod types;

#[cfg(feature = "client")]
pub mod client;
