//! The browser services the dashboard uses directly, each failing softly: the address
//! bar as a signal ([`address`]), storage ([`storage`]), and the clock, clipboard and
//! downloads ([`browser`]), and elements made by hand for views drawn in bulk ([`dom`]).

pub mod address;
pub mod browser;
pub mod dom;
pub mod storage;
