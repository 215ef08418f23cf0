//! Rolling-window request budgets, counted per second.
//!
//! A budget of `limit` requests per rolling `window`: a request is allowed when fewer
//! than `limit` requests were counted in the last `window` seconds. Each key keeps at
//! most one counter per second, so memory is bounded by the window length whatever the
//! limit is. Time is passed in (Unix seconds), which is how the tests move it.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::Mutex;

/// What a budget says about one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    /// Requests left after this one.
    pub remaining: u32,
    /// Unix seconds at which the oldest counted request leaves the window, so at
    /// least one more request is allowed.
    pub reset_at: u64,
    /// Seconds until then (at least 1 when the request was refused).
    pub retry_after: u64,
}

#[derive(Default)]
struct Counts {
    /// (second, requests in that second), oldest first.
    seconds: VecDeque<(u64, u32)>,
    total: u32,
}

impl Counts {
    fn expire(&mut self, now: u64, window: u64) {
        while let Some(&(second, count)) = self.seconds.front() {
            if second + window > now {
                break;
            }
            self.seconds.pop_front();
            self.total -= count;
        }
    }

    fn add(&mut self, now: u64) {
        match self.seconds.back_mut() {
            Some((second, count)) if *second == now => *count += 1,
            _ => self.seconds.push_back((now, 1)),
        }
        self.total += 1;
    }

    fn reset_at(&self, now: u64, window: u64) -> u64 {
        self.seconds
            .front()
            .map_or(now, |&(second, _)| second + window)
    }
}

/// A rolling budget per key. `limit == 0` means unlimited.
pub struct RollingLimiter<K> {
    limit: u32,
    window: u64,
    keys: Mutex<HashMap<K, Counts>>,
}

impl<K: Hash + Eq + Clone> RollingLimiter<K> {
    /// `limit` requests per `window_secs` seconds per key.
    pub fn new(limit: u32, window_secs: u64) -> RollingLimiter<K> {
        RollingLimiter {
            limit,
            window: window_secs.max(1),
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// Whether this limiter limits at all.
    pub fn enabled(&self) -> bool {
        self.limit > 0
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    fn with_counts<T>(&self, key: &K, now: u64, f: impl FnOnce(&mut Counts) -> T) -> T {
        let mut keys = match self.keys.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Forget idle keys now and then so a flood of addresses cannot grow the map.
        if keys.len() > 10_000 {
            let window = self.window;
            keys.retain(|_, c| {
                c.expire(now, window);
                c.total > 0
            });
        }
        let counts = keys.entry(key.clone()).or_default();
        counts.expire(now, self.window);
        f(counts)
    }

    /// Counts one request if the budget allows it.
    pub fn acquire(&self, key: &K, now: u64) -> Decision {
        let (limit, window) = (self.limit, self.window);
        if limit == 0 {
            return Decision {
                allowed: true,
                limit,
                remaining: 0,
                reset_at: now,
                retry_after: 0,
            };
        }
        self.with_counts(key, now, |counts| {
            let allowed = counts.total < limit;
            if allowed {
                counts.add(now);
            }
            let reset_at = counts.reset_at(now, window);
            Decision {
                allowed,
                limit,
                remaining: limit - counts.total.min(limit),
                reset_at,
                retry_after: if allowed {
                    reset_at - now
                } else {
                    (reset_at - now).max(1)
                },
            }
        })
    }

    /// Whether the key's budget is spent, without counting anything: the seconds to wait.
    pub fn blocked(&self, key: &K, now: u64) -> Option<u64> {
        if self.limit == 0 {
            return None;
        }
        let (limit, window) = (self.limit, self.window);
        self.with_counts(key, now, |counts| {
            (counts.total >= limit).then(|| (counts.reset_at(now, window) - now).max(1))
        })
    }

    /// Counts one event whatever the budget says (a failed authentication).
    pub fn record(&self, key: &K, now: u64) {
        if self.limit > 0 {
            self.with_counts(key, now, |counts| counts.add(now));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_is_spent_then_rolls_back_in() {
        let limiter = RollingLimiter::new(3, 3600);
        let t0 = 1_000_000;
        let d = limiter.acquire(&"p", t0);
        assert_eq!((d.allowed, d.remaining, d.reset_at), (true, 2, t0 + 3600));
        assert!(limiter.acquire(&"p", t0 + 10).allowed);
        assert_eq!(limiter.acquire(&"p", t0 + 20).remaining, 0);
        let refused = limiter.acquire(&"p", t0 + 30);
        assert!(!refused.allowed);
        assert_eq!((refused.remaining, refused.retry_after), (0, 3570));
        // Other keys have their own budget.
        assert!(limiter.acquire(&"q", t0 + 30).allowed);
        // One second before the first request leaves the window: still refused.
        assert!(!limiter.acquire(&"p", t0 + 3599).allowed);
        // Then exactly one slot is back, and it is the rolling window, not a reset.
        let back = limiter.acquire(&"p", t0 + 3600);
        assert_eq!(
            (back.allowed, back.remaining, back.reset_at),
            (true, 0, t0 + 10 + 3600)
        );
        assert!(!limiter.acquire(&"p", t0 + 3605).allowed);
        // After a whole hour of silence, the full budget.
        assert_eq!(limiter.acquire(&"p", t0 + 10_000).remaining, 2);
    }

    #[test]
    fn zero_means_unlimited() {
        let limiter = RollingLimiter::new(0, 3600);
        for _ in 0..1000 {
            assert!(limiter.acquire(&1, 5).allowed);
        }
        assert!(!limiter.enabled());
        assert_eq!(limiter.blocked(&1, 5), None);
    }

    #[test]
    fn failures_block_until_they_expire() {
        let limiter = RollingLimiter::new(2, 600);
        assert_eq!(limiter.blocked(&"ip", 0), None);
        limiter.record(&"ip", 0);
        limiter.record(&"ip", 100);
        assert_eq!(limiter.blocked(&"ip", 150), Some(450));
        assert_eq!(limiter.blocked(&"ip", 600), None);
    }

    #[test]
    fn many_requests_in_one_second_use_one_counter() {
        let limiter = RollingLimiter::new(1_000_000, 3600);
        for _ in 0..5000 {
            limiter.acquire(&"p", 42);
        }
        let keys = limiter.keys.lock().unwrap();
        assert_eq!(keys[&"p"].seconds.len(), 1);
        assert_eq!(keys[&"p"].total, 5000);
    }
}
