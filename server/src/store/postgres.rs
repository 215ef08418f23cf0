//! The PostgreSQL store: several server processes on one database are replicas of one
//! service (contract §6).
//!
//! - Schema: created and migrated here (`schema_version`), in one transaction per step,
//!   under an advisory lock so that replicas starting together migrate once.
//! - Imports: one transaction. Instances go in with binary `COPY` (ids in id order into
//!   `instance_ids`, rows in listing order into `instances`), and the hourly rollup
//!   `campaign_hourly` is updated in the same transaction, so it always agrees with the
//!   instances it counts.
//! - Reads: the summary and every series bucket are sums of rollup hours plus an exact
//!   count over the partial hours at the edges (index range scans of under an hour each,
//!   all in one round trip); a page is located by walking the hours' counts from the
//!   window's end to the hour holding its first row, so `OFFSET` only ever skips rows of
//!   that hour, never the window.
//! - Memory: a replica keeps caches only, each bounded: key digests and campaigns (both
//!   immutable once stored) and the rollups of recently read campaigns. A poll of
//!   `data_version` every second drops the rollups after any import, by any process.
//! - Rate limits: [`PgLimiter`] counts events in `rate_totals` and `rate_seconds`, one
//!   function call under a row lock per event, so a budget holds across every replica.
//! - All SQL is parameterized; nothing is ever formatted into a statement.

use super::{
    CampaignInfo, CampaignStatus, Ingest, InstanceRow, KeyDigest, Store, StoreError, Totals,
    WindowAnswer, WindowQuery,
};
use crate::http::rate_limit::{Budget, Decision, LimiterBackend, LimiterError, Subject};
use crate::metrics::{Gauge, GaugeSource};
use crate::records::{ImportBatch, ImportError, ImportStats};
use async_trait::async_trait;
use bytes::{BufMut, Bytes, BytesMut};
use campaign_analytics::contract::PurchaseFilter;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Timeouts};
use futures_util::SinkExt;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio_postgres::{Client, NoTls};
use uuid::Uuid;

const HOUR_US: i64 = 3_600_000_000;

/// The migrations, in order; `schema_version` holds how many have run.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE partners (
    id   uuid PRIMARY KEY,
    name text NOT NULL
);
CREATE TABLE api_keys (
    digest  bytea PRIMARY KEY CHECK (length(digest) = 32),
    partner uuid NOT NULL REFERENCES partners(id)
);
CREATE TABLE campaigns (
    id       uuid PRIMARY KEY,
    partner  uuid NOT NULL REFERENCES partners(id),
    name     text NOT NULL,
    status   text NOT NULL CHECK (status IN ('active', 'paused', 'archived', 'draft')),
    revision bigint NOT NULL DEFAULT 0
);
-- No primary key of its own: the one index is the listing order (newest first, ties by
-- id), so a page is a forward index range scan.
CREATE TABLE instances (
    campaign          uuid NOT NULL,
    ts_us             bigint NOT NULL,
    id                uuid NOT NULL,
    insider           uuid NOT NULL,
    purchased_insider uuid,
    revenue_cents     bigint NOT NULL CHECK (revenue_cents >= 0),
    CHECK (purchased_insider IS NOT NULL OR revenue_cents = 0)
);
CREATE UNIQUE INDEX instances_listing ON instances (campaign, ts_us DESC, id);
-- Id uniqueness, filled in id order by imports (random-order inserts into an index of
-- ids are several times slower), and where each instance is.
CREATE TABLE instance_ids (
    id       uuid PRIMARY KEY,
    campaign uuid NOT NULL,
    ts_us    bigint NOT NULL
);
-- One row per campaign and hour that has instances; kept by imports.
CREATE TABLE campaign_hourly (
    campaign      uuid NOT NULL,
    hour_us       bigint NOT NULL,
    total         bigint NOT NULL,
    purchases     bigint NOT NULL,
    revenue_cents bigint NOT NULL,
    PRIMARY KEY (campaign, hour_us)
);
-- Bumped by every import that adds anything: replicas poll it to drop their caches.
CREATE TABLE data_version (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    version bigint NOT NULL
);
INSERT INTO data_version (version) VALUES (0);
-- Rate-limit events, one row per (budget, subject, second) with a count. Unlogged:
-- budgets are not worth a WAL write per request, and a crash only forgets them.
CREATE UNLOGGED TABLE rate_events (
    kind    text NOT NULL,
    subject text NOT NULL,
    second  bigint NOT NULL,
    count   integer NOT NULL,
    PRIMARY KEY (kind, subject, second)
);
-- Counts one event if the budget has room, atomically: an advisory lock per (kind,
-- subject) serializes concurrent calls of every replica, and each statement inside
-- sees what the previous holder committed.
CREATE FUNCTION rate_acquire(p_kind text, p_subject text, p_limit integer, p_window bigint, p_now bigint)
RETURNS TABLE (allowed boolean, used bigint, oldest bigint)
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    o bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_kind || ' ' || p_subject, 0));
    DELETE FROM rate_events e
        WHERE e.kind = p_kind AND e.subject = p_subject AND e.second <= p_now - p_window;
    SELECT coalesce(sum(e.count), 0), min(e.second) INTO n, o
        FROM rate_events e WHERE e.kind = p_kind AND e.subject = p_subject;
    IF n < p_limit THEN
        INSERT INTO rate_events AS e (kind, subject, second, count)
            VALUES (p_kind, p_subject, p_now, 1)
            ON CONFLICT (kind, subject, second) DO UPDATE SET count = e.count + 1;
        RETURN QUERY SELECT true, n + 1, least(coalesce(o, p_now), p_now);
    ELSE
        RETURN QUERY SELECT false, n, o;
    END IF;
END
$$;
"#,
    r#"
-- One row per (budget, subject) holding the counted seconds of its window and their
-- counts: an event is decided by one upsert of that row (see `PgLimiter`), with no
-- advisory lock and no scan of other rows. Unlogged like the table it replaces.
DROP FUNCTION rate_acquire(text, text, integer, bigint, bigint);
DROP TABLE rate_events;
CREATE UNLOGGED TABLE rate_budgets (
    kind    text NOT NULL,
    subject text NOT NULL,
    seconds bigint[] NOT NULL,
    counts  integer[] NOT NULL,
    allowed boolean NOT NULL,
    PRIMARY KEY (kind, subject)
) WITH (fillfactor = 50);
"#,
    r#"
-- Constant work per event, however many seconds of the window counted events: a small
-- row per (budget, subject) holding the running count (`used`, the sum of its rows in
-- `rate_seconds`) and the oldest counted second is locked; only when that second has left
-- the window (at most once a second) are the expired seconds deleted and subtracted; and
-- the current second is counted. Migration 2's row held the whole window as arrays,
-- rewritten on every event: at a sustained rate, a thousand seconds made each event cost
-- milliseconds under the row lock, and every request of that partner queued on it.
DROP TABLE rate_budgets;
CREATE UNLOGGED TABLE rate_totals (
    kind          text NOT NULL,
    subject       text NOT NULL,
    used          bigint NOT NULL,
    -- The oldest counted second (NULL when none is), for the reset and the expiry.
    oldest_second bigint,
    -- The newest: a subject whose newest second left the window is pruned.
    newest_second bigint NOT NULL,
    PRIMARY KEY (kind, subject)
) WITH (fillfactor = 50);
CREATE UNLOGGED TABLE rate_seconds (
    kind    text NOT NULL,
    subject text NOT NULL,
    second  bigint NOT NULL,
    count   integer NOT NULL,
    PRIMARY KEY (kind, subject, second)
) WITH (fillfactor = 50);
-- Counts one event if the budget has room. The lock on the subject's `rate_totals` row
-- serializes every replica's calls for that subject; each statement after it reads what
-- earlier holders committed (READ COMMITTED takes a snapshot per statement).
CREATE FUNCTION rate_acquire(p_kind text, p_subject text, p_limit integer, p_window bigint, p_now bigint)
RETURNS TABLE (allowed boolean, used bigint, oldest bigint)
LANGUAGE plpgsql AS $$
DECLARE
    u bigint;
    o bigint;
    gone bigint := 0;
BEGIN
    SELECT t.used, t.oldest_second INTO u, o FROM rate_totals t
        WHERE t.kind = p_kind AND t.subject = p_subject FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO rate_totals AS t (kind, subject, used, oldest_second, newest_second)
            VALUES (p_kind, p_subject, 0, NULL, p_now)
            ON CONFLICT (kind, subject) DO UPDATE SET used = t.used
            RETURNING t.used, t.oldest_second INTO u, o;
    END IF;
    IF o <= p_now - p_window THEN
        WITH d AS (DELETE FROM rate_seconds s
                   WHERE s.kind = p_kind AND s.subject = p_subject
                     AND s.second <= p_now - p_window
                   RETURNING s.count)
        SELECT coalesce(sum(d.count), 0) INTO gone FROM d;
        SELECT min(s.second) INTO o FROM rate_seconds s
            WHERE s.kind = p_kind AND s.subject = p_subject;
        u := greatest(u - gone, 0);
    END IF;
    allowed := u < p_limit;
    IF allowed THEN
        INSERT INTO rate_seconds AS s (kind, subject, second, count)
            VALUES (p_kind, p_subject, p_now, 1)
            ON CONFLICT (kind, subject, second) DO UPDATE SET count = s.count + 1;
        u := u + 1;
        o := least(coalesce(o, p_now), p_now);
        UPDATE rate_totals t
            SET used = u, oldest_second = o, newest_second = greatest(t.newest_second, p_now)
            WHERE t.kind = p_kind AND t.subject = p_subject;
    ELSIF gone > 0 THEN
        UPDATE rate_totals t SET used = u, oldest_second = o
            WHERE t.kind = p_kind AND t.subject = p_subject;
    END IF;
    used := u;
    oldest := o;
    RETURN NEXT;
END
$$;
"#,
];

/// The most rollup hours kept in memory across all campaigns (about 56 bytes each:
/// 28 MB). A campaign with more hours than this is read from the database each time.
const MAX_CACHED_HOURS: usize = 500_000;
/// The most key digests and campaigns remembered.
const MAX_CACHED_ENTRIES: usize = 100_000;

/// Whether `db` names a PostgreSQL database rather than an SQLite file.
///
/// ```
/// use campaign_analytics_server::store::postgres::is_postgres_url;
/// assert!(is_postgres_url("postgres://u@127.0.0.1:5432/db"));
/// assert!(!is_postgres_url("campaign-analytics.db"));
/// ```
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

fn pg_error(e: tokio_postgres::Error) -> StoreError {
    // `Display` of a database error is its message only; the detail is what helps.
    match e.as_db_error() {
        Some(db) => StoreError(format!("database: {}: {}", db.code().code(), db.message())),
        None => StoreError(format!("database: {e}")),
    }
}

fn pool_error(e: deadpool_postgres::PoolError) -> StoreError {
    StoreError(format!("database unavailable: {e}"))
}

/// One campaign's hourly rollup with prefix sums: any run of whole hours is a
/// difference of two entries.
#[derive(Debug, Default)]
struct Rollup {
    /// Hour starts (Unix µs), ascending; only hours that have instances.
    hours: Vec<i64>,
    /// `before[i]`: totals of hours `0..i` (length n + 1).
    before: Vec<Totals>,
}

impl Rollup {
    fn build(rows: Vec<(i64, Totals)>) -> Rollup {
        let mut hours = Vec::with_capacity(rows.len());
        let mut before = Vec::with_capacity(rows.len() + 1);
        let mut acc = Totals::default();
        before.push(acc);
        for (hour, t) in rows {
            hours.push(hour);
            acc.instances += t.instances;
            acc.purchases += t.purchases;
            acc.revenue_cents += t.revenue_cents;
            before.push(acc);
        }
        Rollup { hours, before }
    }

    /// The index of the first hour at or after `at`.
    fn index(&self, at: i64) -> usize {
        self.hours.partition_point(|&h| h < at)
    }

    /// Totals of the hours starting in `[from, to)`.
    #[cfg(test)]
    fn between(&self, from: i64, to: i64) -> Totals {
        let (a, b) = (self.index(from), self.index(to));
        if b <= a {
            return Totals::default();
        }
        diff(self.before[b], self.before[a])
    }

    /// Totals of the hour starting at `hour`.
    fn between_one(&self, hour: i64) -> Totals {
        match self.hours.binary_search(&hour) {
            Ok(i) => diff(self.before[i + 1], self.before[i]),
            Err(_) => Totals::default(),
        }
    }

    /// Whether the hour starting at `hour` has any instance.
    fn has(&self, hour: i64) -> bool {
        self.hours.binary_search(&hour).is_ok()
    }
}

fn diff(a: Totals, b: Totals) -> Totals {
    Totals {
        instances: a.instances - b.instances,
        purchases: a.purchases - b.purchases,
        revenue_cents: a.revenue_cents - b.revenue_cents,
    }
}

fn add(a: &mut Totals, b: Totals) {
    a.instances += b.instances;
    a.purchases += b.purchases;
    a.revenue_cents += b.revenue_cents;
}

fn floor_hour(us: i64) -> i64 {
    us.div_euclid(HOUR_US) * HOUR_US
}

fn ceil_hour(us: i64) -> i64 {
    floor_hour(us.saturating_add(HOUR_US - 1))
}

/// Instances matching `filter` among `t`.
fn matching(t: Totals, filter: PurchaseFilter) -> u64 {
    match filter {
        PurchaseFilter::All => t.instances,
        PurchaseFilter::Purchases => t.purchases,
        PurchaseFilter::NonPurchases => t.instances - t.purchases,
    }
}

/// A stretch of a window, `[from, to)`, with its totals: a whole rollup hour, or a part
/// of an hour counted exactly.
#[derive(Clone, Copy, Debug)]
struct Segment {
    from: i64,
    to: i64,
    totals: Totals,
}

/// The instances of one hour, reduced to what counting a part of it needs: any part
/// of the hour is then two binary searches.
#[derive(Debug, Default)]
struct EdgeHour {
    /// Timestamps, ascending.
    ts: Vec<i64>,
    /// `before[i]`: totals of rows `0..i`.
    before: Vec<Totals>,
}

impl EdgeHour {
    fn between(&self, lo: i64, hi: i64) -> Totals {
        let a = self.ts.partition_point(|&t| t < lo);
        let b = self.ts.partition_point(|&t| t < hi);
        if b <= a {
            return Totals::default();
        }
        diff(self.before[b], self.before[a])
    }
}

/// An hour with more instances than this is counted by a query each time instead.
const MAX_EDGE_HOUR_ROWS: u64 = 50_000;
/// The most rows of edge hours kept in memory (about 40 bytes each).
const MAX_CACHED_EDGE_ROWS: usize = 1_000_000;

#[derive(Default)]
struct Caches {
    edge_hours: HashMap<(Uuid, i64), Arc<EdgeHour>>,
    edge_rows: usize,
    keys: HashMap<KeyDigest, Uuid>,
    campaigns: HashMap<Uuid, CampaignInfo>,
    rollups: HashMap<Uuid, Arc<Rollup>>,
    rollup_hours: usize,
}

impl Caches {
    /// Forgets what an import can change: rollups and edge hours.
    fn drop_data(&mut self) {
        self.rollups.clear();
        self.rollup_hours = 0;
        self.edge_hours.clear();
        self.edge_rows = 0;
    }
}

/// The PostgreSQL-backed store.
pub struct PgStore {
    pool: Pool,
    config: tokio_postgres::Config,
    caches: RwLock<Caches>,
    /// The `data_version` the rollup cache was filled at.
    seen_version: AtomicI64,
    /// Serializes rollup loads of a campaign (so a burst of requests loads it once).
    loading: tokio::sync::Mutex<()>,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://…`), creates or migrates its
    /// schema, and prepares a pool of at most `max_connections`. Blocking: call it
    /// before the server's runtime starts, or from a blocking thread.
    pub fn open(url: &str, max_connections: usize) -> Result<PgStore, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError(format!("--db: not a PostgreSQL URL: {e}")))?;
        blocking(
            &config,
            |mut client| async move { migrate(&mut client).await },
        )?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(max_connections.max(1))
            .timeouts(Timeouts {
                wait: Some(Duration::from_secs(2)),
                create: Some(Duration::from_secs(2)),
                recycle: Some(Duration::from_secs(2)),
            })
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError(format!("cannot build the connection pool: {e}")))?;
        Ok(PgStore {
            pool,
            config,
            caches: RwLock::new(Caches::default()),
            seen_version: AtomicI64::new(i64::MIN),
            loading: tokio::sync::Mutex::new(()),
        })
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(pool_error)
    }

    /// Drops the cached rollups if any process imported since they were read. Cheap:
    /// one primary-key read. `serve` calls it every second.
    pub async fn refresh(&self) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let version: i64 = client
            .query_one("SELECT version FROM data_version", &[])
            .await
            .map_err(pg_error)?
            .get(0);
        let seen = self.seen_version.swap(version, Ordering::SeqCst);
        if seen == version {
            return Ok(false);
        }
        if let Ok(mut caches) = self.caches.write() {
            caches.drop_data();
        }
        Ok(true)
    }

    /// Deletes the rate-limit rows of subjects whose newest counted second is older than
    /// `max_window_secs` (subjects that were not seen again keep theirs otherwise).
    /// `serve` calls it now and then. Returns how many counted seconds went.
    ///
    /// Safe beside concurrent events: deleting a subject's `rate_totals` row takes its lock,
    /// and an event holding it first has moved `newest_second` into the window, which the delete
    /// re-checks once the lock is free, so a subject is only ever dropped whole.
    pub async fn prune_rate_events(
        &self,
        now: u64,
        max_window_secs: u64,
    ) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let cutoff = now.saturating_sub(max_window_secs) as i64;
        client
            .execute(
                "WITH stale AS (
                     DELETE FROM rate_totals t WHERE t.newest_second <= $1 RETURNING t.kind, t.subject
                 )
                 DELETE FROM rate_seconds s USING stale
                 WHERE s.kind = stale.kind AND s.subject = stale.subject",
                &[&cutoff],
            )
            .await
            .map_err(pg_error)
    }

    /// How many instances each campaign has, for messages (from the rollups).
    pub fn instance_counts(&self) -> Result<HashMap<Uuid, usize>, StoreError> {
        blocking(&self.config, |client| async move {
            let rows = client
                .query(
                    "SELECT c.id, coalesce(sum(h.total), 0)::bigint FROM campaigns c
                     LEFT JOIN campaign_hourly h ON h.campaign = c.id GROUP BY c.id",
                    &[],
                )
                .await
                .map_err(pg_error)?;
            Ok(rows
                .iter()
                .map(|r| (r.get::<_, Uuid>(0), r.get::<_, i64>(1) as usize))
                .collect())
        })
    }

    /// A rate limiter counting in this database.
    pub fn limiter(&self) -> PgLimiter {
        PgLimiter {
            pool: self.pool.clone(),
        }
    }

    /// The pool's gauges, for the metrics.
    pub fn pool_gauges(&self) -> PoolGauges {
        PoolGauges {
            pool: self.pool.clone(),
        }
    }

    async fn rollup(&self, campaign: Uuid) -> Result<Arc<Rollup>, StoreError> {
        if let Some(r) = self.cached_rollup(campaign) {
            return Ok(r);
        }
        let _one_at_a_time = self.loading.lock().await;
        if let Some(r) = self.cached_rollup(campaign) {
            return Ok(r);
        }
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT hour_us, total, purchases, revenue_cents FROM campaign_hourly
                 WHERE campaign = $1 ORDER BY hour_us",
                &[&campaign],
            )
            .await
            .map_err(pg_error)?;
        let rollup = Arc::new(Rollup::build(
            rows.iter()
                .map(|r| {
                    (
                        r.get::<_, i64>(0),
                        Totals {
                            instances: r.get::<_, i64>(1) as u64,
                            purchases: r.get::<_, i64>(2) as u64,
                            revenue_cents: r.get(3),
                        },
                    )
                })
                .collect(),
        ));
        let hours = rollup.hours.len();
        if hours <= MAX_CACHED_HOURS {
            if let Ok(mut caches) = self.caches.write() {
                if caches.rollup_hours + hours > MAX_CACHED_HOURS {
                    caches.rollups.clear();
                    caches.rollup_hours = 0;
                }
                caches.rollup_hours += hours;
                caches.rollups.insert(campaign, Arc::clone(&rollup));
            }
        }
        Ok(rollup)
    }

    /// The instances of one hour of a campaign, from the cache or read into it; `None`
    /// for an hour too big to hold (`rows`, from the rollup, says how big).
    async fn edge_hour(
        &self,
        client: &deadpool_postgres::Object,
        campaign: Uuid,
        hour: i64,
        rows: u64,
    ) -> Result<Option<Arc<EdgeHour>>, StoreError> {
        if rows > MAX_EDGE_HOUR_ROWS {
            return Ok(None);
        }
        if let Some(h) = self
            .caches
            .read()
            .ok()
            .and_then(|c| c.edge_hours.get(&(campaign, hour)).cloned())
        {
            return Ok(Some(h));
        }
        let statement = client
            .prepare_cached(
                "SELECT ts_us, purchased_insider IS NOT NULL, revenue_cents FROM instances
                 WHERE campaign = $1 AND ts_us >= $2 AND ts_us < $3 ORDER BY ts_us",
            )
            .await
            .map_err(pg_error)?;
        let found = client
            .query(&statement, &[&campaign, &hour, &(hour + HOUR_US)])
            .await
            .map_err(pg_error)?;
        let mut edge = EdgeHour {
            ts: Vec::with_capacity(found.len()),
            before: Vec::with_capacity(found.len() + 1),
        };
        let mut acc = Totals::default();
        edge.before.push(acc);
        for r in &found {
            edge.ts.push(r.get(0));
            acc.instances += 1;
            acc.purchases += u64::from(r.get::<_, bool>(1));
            acc.revenue_cents += r.get::<_, i64>(2);
            edge.before.push(acc);
        }
        let edge = Arc::new(edge);
        if let Ok(mut caches) = self.caches.write() {
            if caches.edge_rows + found.len() > MAX_CACHED_EDGE_ROWS {
                caches.edge_hours.clear();
                caches.edge_rows = 0;
            }
            caches.edge_rows += found.len();
            caches
                .edge_hours
                .insert((campaign, hour), Arc::clone(&edge));
        }
        Ok(Some(edge))
    }

    fn cached_rollup(&self, campaign: Uuid) -> Option<Arc<Rollup>> {
        self.caches.read().ok()?.rollups.get(&campaign).cloned()
    }
}

/// Runs `work` with a connection of its own on a runtime of its own, on a thread of
/// its own: for the blocking calls (`open`, imports), whether or not the caller is
/// inside a runtime.
fn blocking<T, F, Fut>(config: &tokio_postgres::Config, work: F) -> Result<T, StoreError>
where
    T: Send,
    F: FnOnce(Client) -> Fut + Send,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| StoreError(format!("cannot start a runtime: {e}")))?;
                runtime.block_on(async {
                    let (client, connection) = config
                        .connect(NoTls)
                        .await
                        .map_err(|e| StoreError(format!("cannot connect to the database: {e}")))?;
                    let driver = tokio::spawn(connection);
                    let result = work(client).await;
                    driver.abort();
                    result
                })
            })
            .join()
            .unwrap_or_else(|_| Err(StoreError("a database task panicked".into())))
    })
}

async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let tx = client.transaction().await.map_err(pg_error)?;
    // Replicas started together: one migrates, the others wait and then find it done.
    tx.execute("SELECT pg_advisory_xact_lock(4242001)", &[])
        .await
        .map_err(pg_error)?;
    tx.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (one boolean PRIMARY KEY DEFAULT true CHECK (one), version integer NOT NULL)",
        &[],
    )
    .await
    .map_err(pg_error)?;
    let version: i32 = tx
        .query_opt("SELECT version FROM schema_version", &[])
        .await
        .map_err(pg_error)?
        .map_or(0, |r| r.get(0));
    let known = MIGRATIONS.len() as i32;
    if version > known {
        return Err(StoreError(format!(
            "the database has schema version {version}, newer than this server knows ({known})"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.batch_execute(sql)
            .await
            .map_err(|e| StoreError(format!("migration {} failed: {}", i + 1, pg_error(e))))?;
    }
    if version < known {
        tx.execute(
            "INSERT INTO schema_version (version) VALUES ($1)
             ON CONFLICT (one) DO UPDATE SET version = excluded.version",
            &[&known],
        )
        .await
        .map_err(pg_error)?;
    }
    tx.commit().await.map_err(pg_error)
}

/// The statement reading one page, for a filter given as a constant SQL condition:
/// `$1` campaign, `$2` the window's start, `$3` the end of the hour holding the page's
/// first row, `$4` how many matching rows of that hour come before it, `$5` the limit.
///
/// Two steps in one statement: find the page's first row by skipping `$4` rows of the
/// listing index (an index-only scan when there is no filter: no table row is read for
/// the rows skipped), then read `$5` rows from there. The rows at or after (ts, id) in
/// listing order (ts descending, ties by id) are those with an earlier ts, or the same ts
/// and an id not below. The first row's values are scalar subqueries, computed once before
/// the scan, so that the scan starts at that row in the index (as a join, the planner may
/// walk the index from the top).
macro_rules! page_statement {
    ($filter:literal) => {
        concat!(
            "WITH first AS MATERIALIZED (
               SELECT ts_us, id FROM instances
               WHERE campaign = $1 AND ts_us >= $2 AND ts_us < $3",
            $filter,
            "
               ORDER BY ts_us DESC, id OFFSET $4 LIMIT 1)
             SELECT id, insider, purchased_insider, ts_us, revenue_cents FROM instances
             WHERE campaign = $1 AND ts_us >= $2 AND ts_us <= (SELECT ts_us FROM first)
               AND NOT (ts_us = (SELECT ts_us FROM first) AND id < (SELECT id FROM first))",
            $filter,
            "
             ORDER BY ts_us DESC, id LIMIT $5"
        )
    };
}

#[async_trait]
impl Store for PgStore {
    async fn partner_for_key(&self, digest: &KeyDigest) -> Result<Option<Uuid>, StoreError> {
        if let Some(p) = self
            .caches
            .read()
            .ok()
            .and_then(|c| c.keys.get(digest).copied())
        {
            return Ok(Some(p));
        }
        let client = self.client().await?;
        let found = client
            .query_opt(
                "SELECT partner FROM api_keys WHERE digest = $1",
                &[&&digest.0[..]],
            )
            .await
            .map_err(pg_error)?
            .map(|r| r.get::<_, Uuid>(0));
        // Keys are never removed nor moved: a found one may be remembered. An unknown
        // one is not (an import may add it any moment).
        if let (Some(p), Ok(mut caches)) = (found, self.caches.write()) {
            if caches.keys.len() >= MAX_CACHED_ENTRIES {
                caches.keys.clear();
            }
            caches.keys.insert(*digest, p);
        }
        Ok(found)
    }

    async fn campaign(&self, id: Uuid) -> Result<Option<CampaignInfo>, StoreError> {
        if let Some(c) = self
            .caches
            .read()
            .ok()
            .and_then(|c| c.campaigns.get(&id).cloned())
        {
            return Ok(Some(c));
        }
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT partner, name, status FROM campaigns WHERE id = $1",
                &[&id],
            )
            .await
            .map_err(pg_error)?;
        let Some(row) = row else { return Ok(None) };
        let status: String = row.get(2);
        let info = CampaignInfo {
            id,
            partner_id: row.get(0),
            name: row.get(1),
            status: CampaignStatus::parse(&status).ok_or_else(|| {
                StoreError(format!("database: unknown campaign status {status:?}"))
            })?,
        };
        // A stored campaign never changes (an import refuses different content).
        if let Ok(mut caches) = self.caches.write() {
            if caches.campaigns.len() >= MAX_CACHED_ENTRIES {
                caches.campaigns.clear();
            }
            caches.campaigns.insert(id, info.clone());
        }
        Ok(Some(info))
    }

    async fn window(
        &self,
        campaign: Uuid,
        query: &WindowQuery,
    ) -> Result<WindowAnswer, StoreError> {
        let rollup = self.rollup(campaign).await?;
        let end = query.end_us.saturating_add(1);
        // Each bucket: whole hours from the rollup, partial hours counted exactly.
        let mut segments: Vec<Segment> = Vec::new();
        let mut partial: Vec<(usize, i64, i64)> = Vec::new();
        let mut buckets: Vec<Vec<usize>> = Vec::with_capacity(query.bucket_starts_us.len());
        for (b, &from) in query.bucket_starts_us.iter().enumerate() {
            let to = query
                .bucket_starts_us
                .get(b + 1)
                .copied()
                .unwrap_or(end)
                .min(end);
            let mut mine = Vec::new();
            if to <= from {
                buckets.push(mine);
                continue;
            }
            let (inner_from, inner_to) = (ceil_hour(from), floor_hour(to));
            let mut piece =
                |lo: i64, hi: i64, segments: &mut Vec<Segment>, mine: &mut Vec<usize>| {
                    // A part of an hour the rollup says is empty needs no query.
                    if lo < hi && rollup.has(floor_hour(lo)) {
                        partial.push((segments.len(), lo, hi));
                        mine.push(segments.len());
                        segments.push(Segment {
                            from: lo,
                            to: hi,
                            totals: Totals::default(),
                        });
                    }
                };
            if inner_from >= inner_to {
                // Within one hour, or across one hour boundary with no whole hour.
                let split = inner_from.min(to);
                piece(from, split, &mut segments, &mut mine);
                piece(split, to, &mut segments, &mut mine);
            } else {
                piece(from, inner_from, &mut segments, &mut mine);
                for i in rollup.index(inner_from)..rollup.index(inner_to) {
                    mine.push(segments.len());
                    segments.push(Segment {
                        from: rollup.hours[i],
                        to: rollup.hours[i] + HOUR_US,
                        totals: diff(rollup.before[i + 1], rollup.before[i]),
                    });
                }
                piece(inner_to, to, &mut segments, &mut mine);
            }
            buckets.push(mine);
        }

        let client = self.client().await?;
        // Partial hours from the cache of edge hours where it can hold them; a query for
        // the rest.
        let mut uncached = Vec::with_capacity(partial.len());
        for &(seg, lo, hi) in &partial {
            let hour = floor_hour(lo);
            let size = rollup.between_one(hour).instances;
            match self.edge_hour(&client, campaign, hour, size).await? {
                Some(rows) => segments[seg].totals = rows.between(lo, hi),
                None => uncached.push((seg, lo, hi)),
            }
        }
        let partial = uncached;
        if !partial.is_empty() {
            let lo: Vec<i64> = partial.iter().map(|p| p.1).collect();
            let hi: Vec<i64> = partial.iter().map(|p| p.2).collect();
            let statement = client
                .prepare_cached(
                    "SELECT p.n, count(x.ts_us), count(x.purchased_insider),
                            coalesce(sum(x.revenue_cents), 0)::bigint
                     FROM unnest($2::bigint[], $3::bigint[]) WITH ORDINALITY AS p(lo, hi, n)
                     LEFT JOIN instances x
                       ON x.campaign = $1 AND x.ts_us >= p.lo AND x.ts_us < p.hi
                     GROUP BY p.n",
                )
                .await
                .map_err(pg_error)?;
            let rows = client
                .query(&statement, &[&campaign, &lo, &hi])
                .await
                .map_err(pg_error)?;
            for row in rows {
                let n = row.get::<_, i64>(0) as usize - 1;
                let seg = partial[n].0;
                segments[seg].totals = Totals {
                    instances: row.get::<_, i64>(1) as u64,
                    purchases: row.get::<_, i64>(2) as u64,
                    revenue_cents: row.get(3),
                };
            }
        }

        let mut answer = WindowAnswer {
            series: Vec::with_capacity(buckets.len()),
            ..WindowAnswer::default()
        };
        for mine in &buckets {
            let mut t = Totals::default();
            for &s in mine {
                add(&mut t, segments[s].totals);
            }
            add(&mut answer.summary, t);
            answer.series.push(t);
        }
        answer.matching = matching(answer.summary, query.filter);

        // The page: walk the segments from the newest to the one holding row `offset`.
        if query.offset >= answer.matching || query.limit == 0 {
            return Ok(answer);
        }
        segments.sort_unstable_by_key(|s| std::cmp::Reverse(s.from));
        let mut skipped = 0u64;
        let mut start = None;
        for seg in &segments {
            let n = matching(seg.totals, query.filter);
            if skipped + n > query.offset {
                start = Some(seg);
                break;
            }
            skipped += n;
        }
        let Some(seg) = start else {
            return Ok(answer);
        };
        let within = (query.offset - skipped) as i64;
        let limit = i64::from(query.limit);
        let sql = match query.filter {
            PurchaseFilter::All => page_statement!(""),
            PurchaseFilter::Purchases => page_statement!(" AND purchased_insider IS NOT NULL"),
            PurchaseFilter::NonPurchases => page_statement!(" AND purchased_insider IS NULL"),
        };
        let statement = client.prepare_cached(sql).await.map_err(pg_error)?;
        let rows = client
            .query(
                &statement,
                &[&campaign, &query.start_us, &seg.to, &within, &limit],
            )
            .await
            .map_err(pg_error)?;
        answer.rows = rows
            .iter()
            .map(|r| InstanceRow {
                instance_id: r.get(0),
                insider_id: r.get(1),
                purchased_insider_id: r.get(2),
                timestamp_us: r.get(3),
                revenue_cents: r.get(4),
            })
            .collect();
        Ok(answer)
    }

    async fn ready(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        client.simple_query("SELECT 1").await.map_err(pg_error)?;
        Ok(())
    }
}

/// Maps a database failure during an import to an import error at `location`.
fn db_error(location: &str) -> impl Fn(tokio_postgres::Error) -> ImportError + '_ {
    move |e| ImportError::at(location, pg_error(e).0)
}

impl Ingest for PgStore {
    fn import(&self, batch: &ImportBatch) -> Result<ImportStats, ImportError> {
        let result = blocking(&self.config, |mut client| async move {
            Ok(import_in(&mut client, batch).await)
        });
        let stats = result.map_err(|e| ImportError::at("", e.0))??;
        self.seen_version.store(i64::MIN, Ordering::SeqCst);
        if let Ok(mut caches) = self.caches.write() {
            caches.drop_data();
        }
        Ok(stats)
    }

    fn is_empty(&self) -> Result<bool, StoreError> {
        blocking(&self.config, |client| async move {
            let any = client
                .query_opt(
                    "SELECT 1 FROM partners UNION ALL SELECT 1 FROM campaigns
                     UNION ALL (SELECT 1 FROM instance_ids LIMIT 1) LIMIT 1",
                    &[],
                )
                .await
                .map_err(pg_error)?;
            Ok(any.is_none())
        })
    }
}

/// The import in one transaction: any error returns before the commit, and dropping
/// the transaction rolls it back.
async fn import_in(client: &mut Client, batch: &ImportBatch) -> Result<ImportStats, ImportError> {
    let mut stats = ImportStats::default();
    let tx = client.transaction().await.map_err(db_error(""))?;

    for (i, p) in batch.partners.iter().enumerate() {
        let at = format!("partners[{i}].id");
        let existing = tx
            .query_opt("SELECT name FROM partners WHERE id = $1", &[&p.id])
            .await
            .map_err(db_error(&at))?;
        match existing {
            Some(row) if row.get::<_, String>(0) == p.name => stats.unchanged += 1,
            Some(_) => {
                return Err(ImportError::at(
                    at,
                    "duplicate id: a different partner with this id is already stored",
                ))
            }
            None => {
                tx.execute(
                    "INSERT INTO partners (id, name) VALUES ($1, $2)",
                    &[&p.id, &p.name],
                )
                .await
                .map_err(db_error(&at))?;
                stats.partners += 1;
            }
        }
        for (k, digest) in p.keys.iter().enumerate() {
            let at = format!("partners[{i}].keys[{k}]");
            let owner = tx
                .query_opt(
                    "SELECT partner FROM api_keys WHERE digest = $1",
                    &[&&digest.0[..]],
                )
                .await
                .map_err(db_error(&at))?;
            match owner {
                Some(row) if row.get::<_, Uuid>(0) == p.id => {}
                Some(_) => {
                    return Err(ImportError::at(
                        at,
                        "duplicate key: another partner already has it",
                    ))
                }
                None => {
                    tx.execute(
                        "INSERT INTO api_keys (digest, partner) VALUES ($1, $2)",
                        &[&&digest.0[..], &p.id],
                    )
                    .await
                    .map_err(db_error(&at))?;
                }
            }
        }
    }

    let mut known_campaigns: std::collections::HashSet<Uuid> = std::collections::HashSet::new();
    for (i, c) in batch.campaigns.iter().enumerate() {
        let at = |field: &str| format!("campaigns[{i}].{field}");
        let partner_known = tx
            .query_opt("SELECT 1 FROM partners WHERE id = $1", &[&c.partner_id])
            .await
            .map_err(db_error(&at("partner_id")))?
            .is_some();
        if !partner_known {
            return Err(ImportError::at(
                at("partner_id"),
                "unknown partner: not in the file nor in the database",
            ));
        }
        let existing = tx
            .query_opt(
                "SELECT partner, name, status FROM campaigns WHERE id = $1",
                &[&c.id],
            )
            .await
            .map_err(db_error(&at("id")))?;
        match existing {
            Some(row) => {
                let same = row.get::<_, Uuid>(0) == c.partner_id
                    && row.get::<_, String>(1) == c.name
                    && row.get::<_, String>(2) == c.status.as_str();
                if !same {
                    return Err(ImportError::at(
                        at("id"),
                        "duplicate id: a different campaign with this id is already stored",
                    ));
                }
                stats.unchanged += 1;
            }
            None => {
                tx.execute(
                    "INSERT INTO campaigns (id, partner, name, status) VALUES ($1, $2, $3, $4)",
                    &[&c.id, &c.partner_id, &c.name, &c.status.as_str()],
                )
                .await
                .map_err(db_error(&at("id")))?;
                stats.campaigns += 1;
            }
        }
        known_campaigns.insert(c.id);
    }

    // Every instance's campaign, or the error naming the first unknown one.
    let mut asked: Vec<Uuid> = batch
        .instances
        .iter()
        .map(|r| r.campaign_id)
        .filter(|id| !known_campaigns.contains(id))
        .collect();
    asked.sort_unstable();
    asked.dedup();
    if !asked.is_empty() {
        let rows = tx
            .query("SELECT id FROM campaigns WHERE id = ANY($1)", &[&asked])
            .await
            .map_err(db_error(""))?;
        known_campaigns.extend(rows.iter().map(|r| r.get::<_, Uuid>(0)));
    }
    for (i, rec) in batch.instances.iter().enumerate() {
        if !known_campaigns.contains(&rec.campaign_id) {
            return Err(ImportError::at(
                format!("instances[{i}].campaign_id"),
                "unknown campaign: not in the file nor in the database",
            ));
        }
    }

    // Ids first, in id order (a duplicate within the file is refused here).
    let by_id = batch.ids_in_order()?;

    let mut already_stored = vec![false; batch.instances.len()];
    if !by_id.is_empty() {
        // Optimistically: no id is stored yet (a new file). If one is, the COPY fails on
        // the primary key, and the ids are looked up to tell the identical ones (skipped)
        // from the different ones (refused).
        tx.execute("SAVEPOINT ids", &[])
            .await
            .map_err(db_error(""))?;
        let copied = copy_ids(&tx, batch, &by_id, &already_stored).await;
        match copied {
            Ok(()) => {
                tx.execute("RELEASE SAVEPOINT ids", &[])
                    .await
                    .map_err(db_error(""))?;
            }
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) => {
                tx.execute("ROLLBACK TO SAVEPOINT ids", &[])
                    .await
                    .map_err(db_error(""))?;
                find_stored(&tx, batch, &by_id, &mut already_stored, &mut stats).await?;
                copy_ids(&tx, batch, &by_id, &already_stored)
                    .await
                    .map_err(db_error("instances"))?;
            }
            Err(e) => return Err(db_error("instances")(e)),
        }
    }

    // The rows, in the index's own order, so it grows at one end.
    let mut by_time: Vec<usize> = (0..batch.instances.len())
        .filter(|&i| !already_stored[i])
        .collect();
    by_time.sort_unstable_by(|&a, &b| {
        let (x, y) = (&batch.instances[a], &batch.instances[b]);
        x.campaign_id
            .cmp(&y.campaign_id)
            .then(y.row.timestamp_us.cmp(&x.row.timestamp_us))
            .then(x.row.instance_id.cmp(&y.row.instance_id))
    });
    let mut hourly: HashMap<(Uuid, i64), Totals> = HashMap::new();
    if !by_time.is_empty() {
        let sink = tx
            .copy_in::<_, Bytes>(
                "COPY instances (campaign, ts_us, id, insider, purchased_insider, revenue_cents) FROM STDIN BINARY",
            )
            .await
            .map_err(db_error("instances"))?;
        futures_util::pin_mut!(sink);
        let mut rows = CopyRows::new();
        // Rows come in (campaign, time) order, so an hour's rows are neighbours: the
        // rollup entry is looked up once per run of them, not once per row.
        let mut run: Option<((Uuid, i64), Totals)> = None;
        for &i in &by_time {
            let rec = &batch.instances[i];
            let row = &rec.row;
            rows.row(6)
                .uuid(Some(&rec.campaign_id))
                .int8(row.timestamp_us)
                .uuid(Some(&row.instance_id))
                .uuid(Some(&row.insider_id))
                .uuid(row.purchased_insider_id.as_ref())
                .int8(row.revenue_cents);
            if let Some(chunk) = rows.take_full() {
                sink.send(chunk).await.map_err(db_error("instances"))?;
            }
            let key = (rec.campaign_id, floor_hour(row.timestamp_us));
            if let Some((k, t)) = run.take_if(|(k, _)| *k != key) {
                add(hourly.entry(k).or_default(), t);
            }
            let (_, t) = run.get_or_insert((key, Totals::default()));
            t.instances += 1;
            t.purchases += u64::from(row.is_purchase());
            t.revenue_cents += row.revenue_cents;
            stats.instances += 1;
        }
        if let Some((k, t)) = run.take() {
            add(hourly.entry(k).or_default(), t);
        }
        sink.send(rows.finish())
            .await
            .map_err(db_error("instances"))?;
        sink.as_mut()
            .finish()
            .await
            .map_err(db_error("instances"))?;

        // The rollup, in the same transaction.
        let mut campaigns = Vec::with_capacity(hourly.len());
        let mut hours = Vec::with_capacity(hourly.len());
        let mut totals = Vec::with_capacity(hourly.len());
        let mut purchases = Vec::with_capacity(hourly.len());
        let mut revenue = Vec::with_capacity(hourly.len());
        for ((c, h), t) in &hourly {
            campaigns.push(*c);
            hours.push(*h);
            totals.push(t.instances as i64);
            purchases.push(t.purchases as i64);
            revenue.push(t.revenue_cents);
        }
        tx.execute(
            "INSERT INTO campaign_hourly AS h (campaign, hour_us, total, purchases, revenue_cents)
             SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[])
             ON CONFLICT (campaign, hour_us) DO UPDATE SET
                 total = h.total + excluded.total,
                 purchases = h.purchases + excluded.purchases,
                 revenue_cents = h.revenue_cents + excluded.revenue_cents",
            &[&campaigns, &hours, &totals, &purchases, &revenue],
        )
        .await
        .map_err(db_error("instances"))?;
        let mut touched: Vec<Uuid> = campaigns;
        touched.sort_unstable();
        touched.dedup();
        tx.execute(
            "UPDATE campaigns SET revision = revision + 1 WHERE id = ANY($1)",
            &[&touched],
        )
        .await
        .map_err(db_error(""))?;
    }
    if stats.partners + stats.campaigns + stats.instances > 0 {
        tx.execute("UPDATE data_version SET version = version + 1", &[])
            .await
            .map_err(db_error(""))?;
    }
    tx.commit().await.map_err(db_error(""))?;
    Ok(stats)
}

/// Copies the ids not already stored into `instance_ids`, in id order.
async fn copy_ids(
    tx: &tokio_postgres::Transaction<'_>,
    batch: &ImportBatch,
    by_id: &[(Uuid, usize)],
    already_stored: &[bool],
) -> Result<(), tokio_postgres::Error> {
    let sink = tx
        .copy_in::<_, Bytes>("COPY instance_ids (id, campaign, ts_us) FROM STDIN BINARY")
        .await?;
    futures_util::pin_mut!(sink);
    let mut rows = CopyRows::new();
    for &(id, i) in by_id {
        if already_stored[i] {
            continue;
        }
        let rec = &batch.instances[i];
        rows.row(3)
            .uuid(Some(&id))
            .uuid(Some(&rec.campaign_id))
            .int8(rec.row.timestamp_us);
        if let Some(chunk) = rows.take_full() {
            sink.send(chunk).await?;
        }
    }
    sink.send(rows.finish()).await?;
    sink.as_mut().finish().await?;
    Ok(())
}

/// Rows in PostgreSQL's binary `COPY` format, encoded straight into a buffer that is
/// sent in chunks of about a megabyte: a generic row writer costs several times more
/// per row than the database takes to store it, and an import writes tens of millions.
struct CopyRows {
    buf: BytesMut,
}

impl CopyRows {
    const CHUNK: usize = 1 << 20;

    fn new() -> CopyRows {
        let mut buf = BytesMut::with_capacity(Self::CHUNK + 1024);
        // Signature, flags (no OIDs), header extension length.
        buf.put_slice(b"PGCOPY\n\xff\r\n\0");
        buf.put_i32(0);
        buf.put_i32(0);
        CopyRows { buf }
    }

    /// Starts a row of `fields` fields; the caller then writes exactly that many.
    fn row(&mut self, fields: i16) -> &mut CopyRows {
        self.buf.put_i16(fields);
        self
    }

    fn uuid(&mut self, value: Option<&Uuid>) -> &mut CopyRows {
        match value {
            Some(id) => {
                self.buf.put_i32(16);
                self.buf.put_slice(id.as_bytes());
            }
            None => self.buf.put_i32(-1),
        }
        self
    }

    fn int8(&mut self, value: i64) -> &mut CopyRows {
        self.buf.put_i32(8);
        self.buf.put_i64(value);
        self
    }

    /// The rows written so far, once they fill a chunk.
    fn take_full(&mut self) -> Option<Bytes> {
        (self.buf.len() >= Self::CHUNK).then(|| self.buf.split().freeze())
    }

    /// The rest, with the end-of-data marker.
    fn finish(mut self) -> Bytes {
        self.buf.put_i16(-1);
        self.buf.freeze()
    }
}

/// Looks every id up: an identical stored instance is skipped, a different one refused.
async fn find_stored(
    tx: &tokio_postgres::Transaction<'_>,
    batch: &ImportBatch,
    by_id: &[(Uuid, usize)],
    already_stored: &mut [bool],
    stats: &mut ImportStats,
) -> Result<(), ImportError> {
    let statement = tx
        .prepare(
            "SELECT i.id, i.campaign, i.ts_us, i.insider, i.purchased_insider, i.revenue_cents
             FROM instance_ids d JOIN instances i
               ON i.campaign = d.campaign AND i.ts_us = d.ts_us AND i.id = d.id
             WHERE d.id = ANY($1)",
        )
        .await
        .map_err(db_error(""))?;
    let mut first_bad: Option<usize> = None;
    for chunk in by_id.chunks(20_000) {
        let ids: Vec<Uuid> = chunk.iter().map(|p| p.0).collect();
        let rows = tx.query(&statement, &[&ids]).await.map_err(db_error(""))?;
        let position: HashMap<Uuid, usize> = chunk.iter().copied().collect();
        for r in rows {
            let id: Uuid = r.get(0);
            let Some(&i) = position.get(&id) else {
                continue;
            };
            let rec = &batch.instances[i];
            let same = r.get::<_, Uuid>(1) == rec.campaign_id
                && r.get::<_, i64>(2) == rec.row.timestamp_us
                && r.get::<_, Uuid>(3) == rec.row.insider_id
                && r.get::<_, Option<Uuid>>(4) == rec.row.purchased_insider_id
                && r.get::<_, i64>(5) == rec.row.revenue_cents;
            if same {
                already_stored[i] = true;
                stats.unchanged += 1;
            } else {
                first_bad = Some(first_bad.map_or(i, |b| b.min(i)));
            }
        }
    }
    match first_bad {
        Some(i) => Err(ImportError::at(
            format!("instances[{i}].instance_id"),
            "duplicate id: a different instance with this id is already stored",
        )),
        None => Ok(()),
    }
}

/// The statement deciding one event (see [`PgLimiter`]). `$1` kind, `$2` subject, `$3`
/// limit, `$4` window (seconds), `$5` now (Unix seconds).
const RATE_ACQUIRE: &str = "SELECT allowed, used, oldest FROM rate_acquire($1, $2, $3, $4, $5)";

/// Rate limits counted in PostgreSQL: every replica on the database draws on the same
/// budgets. One round trip per event: a call of `rate_acquire` (migration 3), which locks
/// the (budget, subject) row of `rate_totals`, deletes and subtracts the counted seconds
/// of `rate_seconds` that left the window (only when its oldest counted second has, so at
/// most once a second), and counts the current second if the rest sum to less than the
/// limit. Its work is a few index lookups whatever the rate, so the lock is held for well
/// under a millisecond.
///
/// Why it is exact across replicas: the row lock makes concurrent events of one subject
/// go one after another, and each statement after the lock reads what every earlier
/// holder committed, so two events can never take the same last slot. Events of
/// different subjects never wait for each other. The lock lasts one statement (each call
/// is its own transaction).
///
/// Precision: events are counted per second of the clock of the replica that served
/// them, so the rolling hour is exact to the second, give or take the replicas' clock
/// offsets.
#[derive(Clone)]
pub struct PgLimiter {
    pool: Pool,
}

#[async_trait]
impl LimiterBackend for PgLimiter {
    async fn acquire(
        &self,
        budget: Budget,
        subject: Subject,
        now: u64,
    ) -> Result<Decision, LimiterError> {
        let client = self
            .pool
            .get()
            .await
            .map_err(|e| LimiterError(format!("database unavailable: {e}")))?;
        let statement = client
            .prepare_cached(RATE_ACQUIRE)
            .await
            .map_err(|e| LimiterError(pg_error(e).0))?;
        let row = client
            .query_one(
                &statement,
                &[
                    &budget.kind.as_str(),
                    &subject.to_string(),
                    &(budget.limit.min(i32::MAX as u32) as i32),
                    &(budget.window_secs as i64),
                    &(now as i64),
                ],
            )
            .await
            .map_err(|e| LimiterError(pg_error(e).0))?;
        let allowed: bool = row.get(0);
        let used = row.get::<_, i64>(1).max(0) as u64;
        let oldest = row.get::<_, Option<i64>>(2).unwrap_or(now as i64).max(0) as u64;
        let reset_at = oldest + budget.window_secs;
        let retry_after = reset_at.saturating_sub(now);
        Ok(Decision {
            allowed,
            limit: budget.limit,
            remaining: u64::from(budget.limit).saturating_sub(used) as u32,
            reset_at,
            retry_after: if allowed {
                retry_after
            } else {
                retry_after.max(1)
            },
        })
    }
}

/// The connection pool's gauges.
pub struct PoolGauges {
    pool: Pool,
}

impl GaugeSource for PoolGauges {
    fn gauges(&self) -> Vec<Gauge> {
        let status = self.pool.status();
        let gauge = |state: &str, value: usize| Gauge {
            name: "campaign_analytics_db_pool_connections",
            help: "Database connections of this process's pool, by state.",
            labels: vec![("state", state.to_owned())],
            value: value as f64,
        };
        vec![
            gauge("open", status.size),
            gauge("idle", status.available),
            gauge("in_use", status.size.saturating_sub(status.available)),
            gauge("max", status.max_size),
            Gauge {
                name: "campaign_analytics_db_pool_waiting",
                help: "Requests waiting for a database connection.",
                labels: Vec::new(),
                value: status.waiting as f64,
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_round_down_and_up_before_the_epoch_too() {
        assert_eq!(floor_hour(-1), -HOUR_US);
        assert_eq!(ceil_hour(-1), 0);
        assert_eq!(ceil_hour(HOUR_US), HOUR_US);
        assert_eq!(floor_hour(HOUR_US + 5), HOUR_US);
    }

    #[test]
    fn rollup_sums_runs_of_hours() {
        let t = |n: u64| Totals {
            instances: n,
            purchases: n / 2,
            revenue_cents: n as i64 * 100,
        };
        let r = Rollup::build(vec![(0, t(2)), (2 * HOUR_US, t(4)), (5 * HOUR_US, t(6))]);
        assert_eq!(r.between(0, 6 * HOUR_US).instances, 12);
        assert_eq!(r.between(HOUR_US, 5 * HOUR_US).instances, 4);
        assert_eq!(r.between(3 * HOUR_US, 4 * HOUR_US).instances, 0);
        assert!(r.has(2 * HOUR_US) && !r.has(HOUR_US));
    }
}
