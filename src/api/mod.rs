//! The Campaign Analytics API as data: the wire types every part shares, what an answer
//! means ([`reply`]), the cancel handle of a request ([`cancel`]), and (feature `client`)
//! the browser transport that sends requests with gloo-net.

pub mod cancel;
pub mod demo;
pub mod reply;
pub mod types;

#[cfg(feature = "client")]
pub mod client;
