//! Rate limits: the partner budgets and the failed-authentication limit, behind one narrow
//! backend seam.
//!
//! The HTTP layer asks one question, [`LimiterBackend::acquire`]: "count this event of
//! this subject against this budget if the budget has room, atomically, and tell me the
//! [`Decision`]". Time is passed in (Unix seconds), so a backend never reads a clock and
//! tests move time by hand ([`crate::clock::LimitClock`]). [`MemoryLimiter`] keeps the
//! counts in this process; a backend shared by several processes (a database) implements
//! the same one call, which is what makes a budget hold across replicas.
//!
//! Budgets are rolling windows: an event is allowed when fewer than `limit` events were
//! counted in the last `window_secs` seconds. A refused event is not counted.

use async_trait::async_trait;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::hash::{BuildHasher, Hash, RandomState};
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use uuid::Uuid;

/// Which budget an event draws on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BudgetKind {
    /// A partner's requests (everything but custom_range).
    Requests,
    /// A partner's custom_range requests: their own, larger budget.
    CustomRange,
    /// Failed authentications of one client address group.
    FailedAuth,
}

impl BudgetKind {
    /// A stable name (metrics labels, a shared backend's rows).
    pub const fn as_str(self) -> &'static str {
        match self {
            BudgetKind::Requests => "requests",
            BudgetKind::CustomRange => "custom_range",
            BudgetKind::FailedAuth => "failed_auth",
        }
    }
}

/// `limit` events per rolling `window_secs` seconds. The HTTP layer never asks about a
/// budget whose limit is 0 (unlimited).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub kind: BudgetKind,
    pub limit: u32,
    pub window_secs: u64,
}

/// A client address as failed authentications are grouped: an IPv4 address, or the /64
/// network of an IPv6 address (one subscriber usually holds a whole /64, so counting per
/// address would let one client take 2^64 fresh budgets). IPv4-mapped IPv6 addresses
/// count as the IPv4 address they carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientGroup(IpAddr);

impl ClientGroup {
    /// The group of an address.
    pub fn of(ip: IpAddr) -> ClientGroup {
        match ip.to_canonical() {
            IpAddr::V4(v4) => ClientGroup(IpAddr::V4(v4)),
            IpAddr::V6(v6) => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                ClientGroup(IpAddr::V6(Ipv6Addr::from(network)))
            }
        }
    }

    /// The group's first address (the IPv4 address, or the /64 network address).
    pub fn network(&self) -> IpAddr {
        self.0
    }
}

impl fmt::Display for ClientGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V4(v4) => write!(f, "{v4}"),
            IpAddr::V6(v6) => write!(f, "{v6}/64"),
        }
    }
}

/// Who an event is counted against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    Partner(Uuid),
    Client(ClientGroup),
}

impl fmt::Display for Subject {
    /// A stable text form (`partner:<uuid>`, `client:<address>`), e.g. a shared
    /// backend's key column.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Partner(id) => write!(f, "partner:{id}"),
            Subject::Client(group) => write!(f, "client:{group}"),
        }
    }
}

/// What a budget says about one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    /// Events left after this one.
    pub remaining: u32,
    /// Unix seconds at which the oldest counted event leaves the window, so at least
    /// one more event is allowed.
    pub reset_at: u64,
    /// Seconds until then (at least 1 when the event was refused).
    pub retry_after: u64,
}

/// A backend could not answer (e.g. its database is unreachable). Logged, never sent.
#[derive(Debug)]
pub struct LimiterError(pub String);

impl fmt::Display for LimiterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LimiterError {}

/// Where budgets are counted. One call, atomic per (budget, subject): two concurrent
/// calls never both take the last slot.
#[async_trait]
pub trait LimiterBackend: Send + Sync + 'static {
    /// Counts one event of `subject` against `budget` at `now` (Unix seconds) when fewer
    /// than `budget.limit` events are counted in the window `(now - window_secs, now]`,
    /// and says whether it was allowed. A refused event is not counted.
    async fn acquire(
        &self,
        budget: Budget,
        subject: Subject,
        now: u64,
    ) -> Result<Decision, LimiterError>;
}

/// The decision for a subject the backend has no room to track: allowed and not
/// counted (`Admit`), or refused (`Shed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhenFull {
    Admit,
    Shed,
}

/// Counts of one subject in one budget: (bucket start, events in it), oldest first.
/// Only allowed events are counted, so there are at most `limit` buckets (and at most
/// one per bucket width of the window).
#[derive(Default)]
struct Counts {
    buckets: VecDeque<(u64, u32)>,
    total: u32,
    /// The window of the budget last asked about, for deciding whether the slot is free.
    window: u64,
}

impl Counts {
    fn expire(&mut self, now: u64, window: u64) {
        while let Some(&(start, count)) = self.buckets.front() {
            if start + window > now {
                break;
            }
            self.buckets.pop_front();
            self.total -= count;
        }
    }

    fn add(&mut self, bucket: u64) {
        match self.buckets.back_mut() {
            Some((start, count)) if *start == bucket => *count += 1,
            _ => self.buckets.push_back((bucket, 1)),
        }
        self.total += 1;
    }

    fn decide(&mut self, budget: Budget, bucket_secs: u64, now: u64) -> Decision {
        let window = budget.window_secs.max(1);
        self.window = window;
        self.expire(now, window);
        let allowed = self.total < budget.limit;
        if allowed {
            self.add(now - now % bucket_secs);
        }
        let reset_at = self
            .buckets
            .front()
            .map_or(now, |&(start, _)| start + window);
        let wait = reset_at.saturating_sub(now);
        Decision {
            allowed,
            limit: budget.limit,
            remaining: budget.limit - self.total.min(budget.limit),
            reset_at,
            retry_after: if allowed { wait } else { wait.max(1) },
        }
    }
}

type Key = (BudgetKind, Subject);

/// One shard of a [`Table`]: a map and the order its keys arrived in, used to find a
/// slot to reuse in O(1) when the shard is full.
struct Shard {
    counts: HashMap<Key, Counts>,
    /// Every key of `counts` exactly once, oldest arrival first.
    arrivals: VecDeque<Key>,
}

/// A bounded map of counts, sharded to keep lock hold times short and independent.
/// When a shard is full, a new subject may take the slot of the oldest-arrived one if
/// that one has nothing left in its window; a few oldest are looked at, never the whole
/// shard. Otherwise the new subject gets the table's [`WhenFull`] decision.
struct Table {
    shards: Box<[Mutex<Shard>]>,
    per_shard: usize,
    /// Width of a counting bucket in seconds: 1 is exact; wider buckets bound the memory
    /// of a subject by the window's length in buckets.
    bucket_secs: u64,
    when_full: WhenFull,
    hasher: RandomState,
}

/// How many of the oldest arrivals a full shard looks at for a reusable slot.
const REUSE_PROBES: usize = 4;
const SHARDS: usize = 16;

impl Table {
    fn new(capacity: usize, bucket_secs: u64, when_full: WhenFull) -> Table {
        let per_shard = capacity.div_ceil(SHARDS).max(1);
        Table {
            shards: (0..SHARDS)
                .map(|_| {
                    Mutex::new(Shard {
                        counts: HashMap::new(),
                        arrivals: VecDeque::new(),
                    })
                })
                .collect(),
            per_shard,
            bucket_secs: bucket_secs.max(1),
            when_full,
            hasher: RandomState::new(),
        }
    }

    fn acquire(&self, budget: Budget, key: Key, now: u64) -> Decision {
        let shard = &self.shards[self.hasher.hash_one(key) as usize % SHARDS];
        let mut shard = match shard.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let Shard { counts, arrivals } = &mut *shard;
        if let Some(existing) = counts.get_mut(&key) {
            return existing.decide(budget, self.bucket_secs, now);
        }
        if counts.len() >= self.per_shard && !Self::free_a_slot(counts, arrivals, now) {
            return self.full(budget, now);
        }
        arrivals.push_back(key);
        let fresh = match counts.entry(key) {
            Entry::Vacant(slot) => slot.insert(Counts::default()),
            Entry::Occupied(slot) => slot.into_mut(),
        };
        fresh.decide(budget, self.bucket_secs, now)
    }

    /// Drops the first of the oldest arrivals whose window is empty; moves the busy ones
    /// to the back. At most [`REUSE_PROBES`] looked at.
    fn free_a_slot(
        counts: &mut HashMap<Key, Counts>,
        arrivals: &mut VecDeque<Key>,
        now: u64,
    ) -> bool {
        for _ in 0..REUSE_PROBES {
            let Some(oldest) = arrivals.pop_front() else {
                return false;
            };
            let idle = counts.get_mut(&oldest).is_none_or(|c| {
                c.expire(now, c.window);
                c.total == 0
            });
            if idle {
                counts.remove(&oldest);
                return true;
            }
            arrivals.push_back(oldest);
        }
        false
    }

    fn full(&self, budget: Budget, now: u64) -> Decision {
        match self.when_full {
            WhenFull::Admit => Decision {
                allowed: true,
                limit: budget.limit,
                remaining: budget.limit.saturating_sub(1),
                reset_at: now + budget.window_secs,
                retry_after: budget.window_secs,
            },
            WhenFull::Shed => Decision {
                allowed: false,
                limit: budget.limit,
                remaining: 0,
                reset_at: now + self.bucket_secs,
                retry_after: self.bucket_secs,
            },
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap().counts.len())
            .sum()
    }
}

/// Sizes of a [`MemoryLimiter`].
#[derive(Clone, Copy, Debug)]
pub struct MemoryLimits {
    /// Partners tracked at once (far more than any deployment has; past it, a new
    /// partner's requests are allowed uncounted rather than refused).
    pub partners: usize,
    /// Client address groups tracked at once for failed authentications; past it (a
    /// flood from many addresses), unknown keys from untracked addresses get 429.
    pub clients: usize,
    /// Width of the failed-authentication counting buckets in seconds.
    pub client_bucket_secs: u64,
}

impl Default for MemoryLimits {
    fn default() -> MemoryLimits {
        MemoryLimits {
            partners: 1 << 20,
            clients: 16_384,
            client_bucket_secs: 10,
        }
    }
}

/// The in-process backend: exact per-second rolling windows for partners; bounded,
/// coarser (10-second buckets) windows for client addresses.
///
/// Memory: a partner holds at most `min(limit, window)` buckets of 16 bytes; a client
/// group at most `min(limit, window / 10 s + 1)`; at most [`MemoryLimits::clients`]
/// groups are held (about 5 MB at the default limit of 30), whatever the traffic.
pub struct MemoryLimiter {
    partners: Table,
    clients: Table,
}

impl MemoryLimiter {
    pub fn new(limits: MemoryLimits) -> MemoryLimiter {
        MemoryLimiter {
            partners: Table::new(limits.partners, 1, WhenFull::Admit),
            clients: Table::new(limits.clients, limits.client_bucket_secs, WhenFull::Shed),
        }
    }

    fn table(&self, subject: &Subject) -> &Table {
        match subject {
            Subject::Partner(_) => &self.partners,
            Subject::Client(_) => &self.clients,
        }
    }

    /// The synchronous form of [`LimiterBackend::acquire`].
    pub fn acquire_now(&self, budget: Budget, subject: Subject, now: u64) -> Decision {
        self.table(&subject)
            .acquire(budget, (budget.kind, subject), now)
    }
}

impl Default for MemoryLimiter {
    fn default() -> MemoryLimiter {
        MemoryLimiter::new(MemoryLimits::default())
    }
}

#[async_trait]
impl LimiterBackend for MemoryLimiter {
    async fn acquire(
        &self,
        budget: Budget,
        subject: Subject,
        now: u64,
    ) -> Result<Decision, LimiterError> {
        Ok(self.acquire_now(budget, subject, now))
    }
}

/// The behaviour every [`LimiterBackend`] must have, as a check any backend's tests can
/// run (`conformance(&backend).await`): budgets are spent and come back after the
/// window, a refused event is not counted, subjects and budget kinds are independent,
/// and concurrent calls never take more than the limit. Times are whole minutes, so a
/// backend counting in buckets of up to a minute passes too. Use a fresh backend.
pub async fn conformance(backend: &dyn LimiterBackend) -> Result<(), String> {
    let t0: u64 = 2_000_000_040 * 60;
    let budget = Budget {
        kind: BudgetKind::Requests,
        limit: 3,
        window_secs: 3600,
    };
    let p1 = Subject::Partner(Uuid::from_u128(0xc0ff_ee01));
    let p2 = Subject::Partner(Uuid::from_u128(0xc0ff_ee02));
    let call = |budget: Budget, subject: Subject, now: u64| async move {
        backend
            .acquire(budget, subject, now)
            .await
            .map_err(|e| format!("acquire failed: {e}"))
    };
    let expect = |ok: bool, what: &str| if ok { Ok(()) } else { Err(what.to_owned()) };

    for (i, remaining) in [2, 1, 0].into_iter().enumerate() {
        let d = call(budget, p1, t0 + 60 * i as u64).await?;
        expect(
            d.allowed && d.remaining == remaining && d.limit == 3,
            "the budget is spent one by one",
        )?;
        expect(
            d.reset_at > t0 && d.reset_at <= t0 + 3600 + 60,
            "reset within the window",
        )?;
    }
    let refused = call(budget, p1, t0 + 600).await?;
    expect(
        !refused.allowed && refused.remaining == 0,
        "the fourth is refused",
    )?;
    expect(
        refused.retry_after >= 1 && refused.reset_at >= t0 + 600 + refused.retry_after.min(1),
        "a refusal says when to retry",
    )?;
    // Independent subjects and kinds.
    expect(
        call(budget, p2, t0 + 600).await?.allowed,
        "another partner has its own budget",
    )?;
    let other_kind = Budget {
        kind: BudgetKind::CustomRange,
        ..budget
    };
    expect(
        call(other_kind, p1, t0 + 600).await?.remaining == 2,
        "another budget of the same partner is separate",
    )?;
    // Refusals were not counted: once the window has passed, the whole budget is back.
    let later = t0 + 3600 + 3 * 60 + 60;
    let back = call(budget, p1, later).await?;
    expect(
        back.allowed && back.remaining == 2,
        "the budget comes back after the window",
    )?;

    // Concurrent calls never take more than the limit.
    let tight = Budget {
        kind: BudgetKind::FailedAuth,
        limit: 10,
        window_secs: 600,
    };
    let client = Subject::Client(ClientGroup::of(IpAddr::V6(Ipv6Addr::new(
        0x2001, 0xdb8, 0, 7, 0, 0, 0, 1,
    ))));
    let calls = (0..50).map(|_| call(tight, client, t0));
    let decisions = futures_util::future::join_all(calls).await;
    let mut allowed = 0;
    for decision in decisions {
        allowed += usize::from(decision?.allowed);
    }
    expect(
        allowed == 10,
        &format!("{allowed} of 50 concurrent calls allowed with a limit of 10"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const HOUR: Budget = Budget {
        kind: BudgetKind::Requests,
        limit: 3,
        window_secs: 3600,
    };

    fn partner(n: u128) -> Subject {
        Subject::Partner(Uuid::from_u128(n))
    }

    fn client(text: &str) -> Subject {
        Subject::Client(ClientGroup::of(text.parse().unwrap()))
    }

    #[test]
    fn budget_is_spent_then_rolls_back_in() {
        let limiter = MemoryLimiter::default();
        let p = partner(1);
        let t0 = 1_000_000;
        let d = limiter.acquire_now(HOUR, p, t0);
        assert_eq!((d.allowed, d.remaining, d.reset_at), (true, 2, t0 + 3600));
        assert!(limiter.acquire_now(HOUR, p, t0 + 10).allowed);
        assert_eq!(limiter.acquire_now(HOUR, p, t0 + 20).remaining, 0);
        let refused = limiter.acquire_now(HOUR, p, t0 + 30);
        assert!(!refused.allowed);
        assert_eq!((refused.remaining, refused.retry_after), (0, 3570));
        // Other partners, and the same partner's other budget, are separate.
        assert!(limiter.acquire_now(HOUR, partner(2), t0 + 30).allowed);
        let range = Budget {
            kind: BudgetKind::CustomRange,
            ..HOUR
        };
        assert_eq!(limiter.acquire_now(range, p, t0 + 30).remaining, 2);
        // One second before the first event leaves the window: still refused.
        assert!(!limiter.acquire_now(HOUR, p, t0 + 3599).allowed);
        // Then exactly one slot is back: a rolling window, not a reset.
        let back = limiter.acquire_now(HOUR, p, t0 + 3600);
        assert_eq!(
            (back.allowed, back.remaining, back.reset_at),
            (true, 0, t0 + 10 + 3600)
        );
        assert!(!limiter.acquire_now(HOUR, p, t0 + 3605).allowed);
        // After a whole hour of silence, the full budget.
        assert_eq!(limiter.acquire_now(HOUR, p, t0 + 10_000).remaining, 2);
    }

    #[test]
    fn many_events_in_one_second_use_one_bucket() {
        let limiter = MemoryLimiter::default();
        let budget = Budget {
            limit: 1_000_000,
            ..HOUR
        };
        for _ in 0..5000 {
            limiter.acquire_now(budget, partner(1), 42);
        }
        let d = limiter.acquire_now(budget, partner(1), 42);
        assert_eq!(d.remaining, 1_000_000 - 5001);
        let shard = limiter
            .partners
            .shards
            .iter()
            .map(|s| s.lock().unwrap())
            .find(|s| !s.counts.is_empty())
            .unwrap()
            .counts
            .values()
            .map(|c| c.buckets.len())
            .sum::<usize>();
        assert_eq!(shard, 1);
    }

    #[test]
    fn ipv6_is_grouped_per_64_and_ipv4_per_address() {
        let a = ClientGroup::of("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = ClientGroup::of("2001:db8:1:2:ffff:ffff:ffff:ffff".parse().unwrap());
        let other = ClientGroup::of("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, other);
        assert_eq!(a.to_string(), "2001:db8:1:2::/64");
        let v4 = ClientGroup::of(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));
        assert_ne!(v4, ClientGroup::of("192.0.2.2".parse().unwrap()));
        // An IPv4-mapped IPv6 peer is the IPv4 address.
        assert_eq!(v4, ClientGroup::of("::ffff:192.0.2.1".parse().unwrap()));
        assert_eq!(v4.to_string(), "192.0.2.1");
    }

    const FAILURES: Budget = Budget {
        kind: BudgetKind::FailedAuth,
        limit: 2,
        window_secs: 600,
    };

    #[test]
    fn a_flood_from_one_64_is_one_budget() {
        let limiter = MemoryLimiter::default();
        assert!(
            limiter
                .acquire_now(FAILURES, client("2001:db8::1"), 0)
                .allowed
        );
        assert!(
            limiter
                .acquire_now(FAILURES, client("2001:db8::2"), 0)
                .allowed
        );
        assert!(
            !limiter
                .acquire_now(FAILURES, client("2001:db8::ffff"), 0)
                .allowed
        );
        assert!(
            limiter
                .acquire_now(FAILURES, client("2001:db9::1"), 0)
                .allowed
        );
        assert!(
            limiter
                .acquire_now(FAILURES, client("192.0.2.1"), 0)
                .allowed
        );
    }

    #[test]
    fn client_windows_roll_in_buckets_of_ten_seconds() {
        let limiter = MemoryLimiter::default();
        let c = client("192.0.2.1");
        assert!(limiter.acquire_now(FAILURES, c, 1003).allowed);
        assert!(limiter.acquire_now(FAILURES, c, 1105).allowed);
        let refused = limiter.acquire_now(FAILURES, c, 1150);
        // The first failure is counted in the bucket starting at 1000.
        assert_eq!((refused.allowed, refused.retry_after), (false, 450));
        assert!(!limiter.acquire_now(FAILURES, c, 1599).allowed);
        assert!(limiter.acquire_now(FAILURES, c, 1600).allowed);
    }

    #[test]
    fn client_memory_is_bounded_and_a_full_table_sheds() {
        let limits = MemoryLimits {
            clients: 64,
            ..MemoryLimits::default()
        };
        let limiter = MemoryLimiter::new(limits);
        // Far more addresses than there is room for, all at once.
        let mut refused = 0;
        for n in 0..10_000u32 {
            let ip = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n));
            let d = limiter.acquire_now(FAILURES, Subject::Client(ClientGroup::of(ip)), 5);
            refused += usize::from(!d.allowed);
        }
        let capacity = 64usize.div_ceil(SHARDS) * SHARDS;
        assert!(
            limiter.clients.len() <= capacity,
            "{}",
            limiter.clients.len()
        );
        // Every address that found no room was refused (shed), none was tracked past it.
        assert_eq!(refused, 10_000 - limiter.clients.len());
        // Once their windows are over, the slots serve new addresses again.
        let later = 5 + FAILURES.window_secs + 10;
        let fresh = Subject::Client(ClientGroup::of("198.51.100.7".parse().unwrap()));
        assert!(limiter.acquire_now(FAILURES, fresh, later).allowed);
        assert!(limiter.clients.len() <= capacity);
    }

    #[test]
    fn a_full_partner_table_admits_uncounted() {
        let limiter = MemoryLimiter::new(MemoryLimits {
            partners: 1,
            ..MemoryLimits::default()
        });
        // One slot per shard: fill every shard with a partner whose budget is in use.
        for n in 0..1000 {
            limiter.acquire_now(HOUR, partner(n), 7);
        }
        for n in 1000..1010 {
            assert!(limiter.acquire_now(HOUR, partner(n), 8).allowed);
        }
        assert!(limiter.partners.len() <= SHARDS);
    }

    #[tokio::test]
    async fn the_memory_backend_conforms() {
        conformance(&MemoryLimiter::default()).await.unwrap();
    }

    #[test]
    fn subjects_have_stable_text_forms() {
        assert_eq!(
            partner(1).to_string(),
            "partner:00000000-0000-0000-0000-000000000001"
        );
        assert_eq!(client("2001:db8::9").to_string(), "client:2001:db8::/64");
        assert_eq!(BudgetKind::FailedAuth.as_str(), "failed_auth");
    }
}
