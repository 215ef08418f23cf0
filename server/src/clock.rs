//! The server's notion of "now" for windows and `meta.timestamp`.
//!
//! `serve --now` pins it so that tests and demos get the same windows on every run.
//! Rate limiting deliberately does not use this clock: budgets are about real elapsed
//! time, and a pinned clock would make a spent budget never come back.

use chrono::{DateTime, SubsecRound, Utc};

/// The system clock, or a fixed instant.
#[derive(Clone, Copy, Debug)]
pub enum Clock {
    /// The wall clock, at microsecond precision (the precision timestamps are stored at).
    System,
    /// Always the same instant.
    Pinned(DateTime<Utc>),
}

impl Clock {
    /// The current instant according to this clock.
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now().trunc_subsecs(6),
            Clock::Pinned(at) => *at,
        }
    }

    /// Parses a `--now` value: an RFC 3339 instant, converted to UTC and kept to the
    /// microsecond.
    pub fn pinned_from_rfc3339(text: &str) -> Result<Clock, String> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| Clock::Pinned(t.with_timezone(&Utc).trunc_subsecs(6)))
            .map_err(|e| {
                format!("--now must be an RFC 3339 instant such as 2026-11-20T14:03:11Z ({e})")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_clock_is_utc_and_fixed() {
        let clock = Clock::pinned_from_rfc3339("2026-11-20T15:03:11+01:00").unwrap();
        assert_eq!(clock.now().to_rfc3339(), "2026-11-20T14:03:11+00:00");
        assert_eq!(clock.now(), clock.now());
        assert!(Clock::pinned_from_rfc3339("2026-11-20").is_err());
    }
}
