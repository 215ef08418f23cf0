//! The server's notion of "now" for windows and `meta.timestamp`.
//!
//! `serve --now` pins it so that tests and demos get the same windows on every run.
//! Rate limiting deliberately does not use this clock: budgets are about real elapsed
//! time, and a pinned clock would make a spent budget never come back.

use chrono::{DateTime, SubsecRound, Utc};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

/// Elapsed real time in Unix seconds, for rate limits: the system clock, or a manual one
/// that only moves when told (how tests roll a budget's window without sleeping).
#[derive(Clone, Debug, Default)]
pub enum LimitClock {
    #[default]
    System,
    Manual(Arc<AtomicU64>),
}

impl LimitClock {
    /// A manual clock reading `start` (Unix seconds) until advanced.
    pub fn manual(start: u64) -> LimitClock {
        LimitClock::Manual(Arc::new(AtomicU64::new(start)))
    }

    /// The current Unix second.
    pub fn now(&self) -> u64 {
        match self {
            LimitClock::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            LimitClock::Manual(at) => at.load(Ordering::SeqCst),
        }
    }

    /// Moves a manual clock forward (a no-op on the system clock).
    pub fn advance(&self, by: Duration) {
        if let LimitClock::Manual(at) = self {
            at.fetch_add(by.as_secs(), Ordering::SeqCst);
        }
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

    #[test]
    fn a_manual_limit_clock_moves_only_when_told() {
        let clock = LimitClock::manual(1_000);
        let copy = clock.clone();
        assert_eq!(clock.now(), 1_000);
        copy.advance(Duration::from_secs(61));
        assert_eq!(clock.now(), 1_061);
        assert!(LimitClock::System.now() > 1_700_000_000);
    }
}
