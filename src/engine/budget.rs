//! Cost first (contract §5): what an action will spend, against what the quota has left,
//! decided before anything is sent.

use crate::api::reply::Quota;

/// The quota as it stands at `now_secs`, from the last reading of `X-RateLimit-*`: once
/// the reset time has passed, the window has freed up again (the full limit, reset unknown).
///
/// ```
/// use campaign_analytics::api::reply::Quota;
/// use campaign_analytics::engine::budget::quota_at;
/// let read = Quota { limit: 150, remaining: 3, reset_at: Some(1_000) };
/// assert_eq!(quota_at(Some(read), 999).unwrap().remaining, 3);
/// assert_eq!(quota_at(Some(read), 1_000).unwrap().remaining, 150);
/// ```
pub fn quota_at(read: Option<Quota>, now_secs: i64) -> Option<Quota> {
    let q = read?;
    match q.reset_at {
        Some(at) if now_secs >= at => Some(Quota {
            limit: q.limit,
            remaining: q.limit,
            reset_at: None,
        }),
        _ => Some(q),
    }
}

/// What running a query (and, with compare on, its previous period) will do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunPlan {
    /// Requests it will spend.
    pub cost: u32,
    /// Whether the query itself is sent (false: answered from the cache).
    pub fetch_main: bool,
    /// Whether the previous period is sent (false: cached, not asked, or skipped).
    pub fetch_previous: bool,
    /// The comparison was asked for but the quota cannot pay for it: it is left out.
    pub previous_skipped: bool,
    /// The quota has nothing left and the query is not cached: nothing is sent, and the
    /// page offers to wait for the reset.
    pub blocked: bool,
    /// Requests left before it runs, when known.
    pub remaining: Option<u64>,
}

/// Plans a run: `main_cached` says whether the query's answer is in the cache;
/// `previous` is `None` without a comparison, else whether the previous period is cached.
///
/// ```
/// use campaign_analytics::engine::budget::plan_run;
/// let p = plan_run(false, Some(false), Some(148));
/// assert_eq!((p.cost, p.fetch_main, p.fetch_previous), (2, true, true));
/// let p = plan_run(true, Some(true), Some(0));
/// assert_eq!((p.cost, p.blocked), (0, false)); // all cached: free even with nothing left
/// let p = plan_run(false, Some(false), Some(1));
/// assert_eq!((p.cost, p.previous_skipped), (1, true)); // this period only
/// let p = plan_run(false, None, Some(0));
/// assert!(p.blocked && p.cost == 0);
/// ```
pub fn plan_run(main_cached: bool, previous: Option<bool>, remaining: Option<u64>) -> RunPlan {
    let fetch_main = !main_cached;
    let wants_previous = previous == Some(false);
    let left = remaining.unwrap_or(u64::MAX);
    let blocked = fetch_main && left == 0;
    let main_cost = u64::from(fetch_main && !blocked);
    let fetch_previous = wants_previous && !blocked && left > main_cost;
    let previous_skipped = wants_previous && !fetch_previous;
    RunPlan {
        cost: (main_cost + u64::from(fetch_previous)) as u32,
        fetch_main: fetch_main && !blocked,
        fetch_previous,
        previous_skipped,
        blocked,
        remaining,
    }
}

/// "1 request" / "2 requests".
pub fn requests(n: u64) -> String {
    format!("{n} {}", if n == 1 { "request" } else { "requests" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_add_up() {
        // Unknown quota (before the first answer): everything is sent.
        let p = plan_run(false, Some(false), None);
        assert_eq!((p.cost, p.fetch_main, p.fetch_previous), (2, true, true));
        // Cached main, uncached previous: one request.
        let p = plan_run(true, Some(false), Some(5));
        assert_eq!((p.cost, p.fetch_main, p.fetch_previous), (1, false, true));
        // Cached main and nothing left: the previous period is skipped, nothing blocked.
        let p = plan_run(true, Some(false), Some(0));
        assert_eq!(p.cost, 0);
        assert!(p.previous_skipped && !p.blocked);
        // Exactly enough.
        let p = plan_run(false, Some(false), Some(2));
        assert_eq!((p.cost, p.previous_skipped), (2, false));
        // No comparison asked: nothing skipped.
        let p = plan_run(false, None, Some(1));
        assert_eq!((p.cost, p.previous_skipped, p.blocked), (1, false, false));
        // Blocked: nothing is sent, and the comparison is not sent either.
        let p = plan_run(false, Some(true), Some(0));
        assert!(p.blocked && !p.fetch_main && !p.fetch_previous && p.cost == 0);
        assert_eq!(requests(1), "1 request");
        assert_eq!(requests(0), "0 requests");
    }
}
