//! The browser client of the API (gloo-net).
