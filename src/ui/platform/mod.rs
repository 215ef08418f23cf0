//! The browser services the dashboard uses directly, each failing softly: the address
//! bar as a signal ([`address`]), storage ([`storage`]), and the clock, clipboard and
//! downloads ([`browser`]).

pub mod address;
pub mod browser;
pub mod storage;
