//! The SQLite store: the durable data, and the in-memory read model built from it.
//!
//! - Schema: created and migrated here, versioned with `PRAGMA user_version`.
//! - Keys: only SHA-256 digests are stored.
//! - Reads never touch SQLite on the request path: a [`Snapshot`] (keys, campaigns and
//!   each campaign's [`CampaignData`]) answers them, and is swapped for a new one after
//!   an import. A change made by another process (an `import` into the file a server
//!   is serving) is noticed through `PRAGMA data_version` by [`SqliteStore::refresh`],
//!   which `serve` calls every second; only campaigns whose `revision` changed are
//!   reloaded.
//! - All SQL is parameterized.

use super::model::CampaignData;
use super::{
    CampaignInfo, CampaignStatus, Ingest, InstanceRow, KeyDigest, Store, StoreError, WindowAnswer,
    WindowQuery,
};
use crate::records::{ImportBatch, ImportError, ImportStats};
use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use uuid::Uuid;

/// The migrations, in order; `PRAGMA user_version` is how many have run.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE partners (
    id   INTEGER PRIMARY KEY,
    uuid BLOB NOT NULL UNIQUE CHECK (length(uuid) = 16),
    name TEXT NOT NULL
);
CREATE TABLE api_keys (
    digest  BLOB PRIMARY KEY CHECK (length(digest) = 32),
    partner INTEGER NOT NULL REFERENCES partners(id)
) WITHOUT ROWID;
CREATE TABLE campaigns (
    id       INTEGER PRIMARY KEY,
    uuid     BLOB NOT NULL UNIQUE CHECK (length(uuid) = 16),
    partner  INTEGER NOT NULL REFERENCES partners(id),
    name     TEXT NOT NULL,
    status   TEXT NOT NULL CHECK (status IN ('active', 'paused', 'archived', 'draft')),
    -- Bumped by every import that adds instances: readers reload only what changed.
    revision INTEGER NOT NULL DEFAULT 0
);
-- Clustered by campaign and time: a campaign's instances are one range, read in one pass.
CREATE TABLE instances (
    campaign          INTEGER NOT NULL REFERENCES campaigns(id),
    ts_us             INTEGER NOT NULL,
    uuid              BLOB NOT NULL CHECK (length(uuid) = 16),
    insider           BLOB NOT NULL CHECK (length(insider) = 16),
    -- NULL exactly for non-purchases, which have no revenue.
    purchased_insider BLOB CHECK (purchased_insider IS NULL OR length(purchased_insider) = 16),
    revenue_cents     INTEGER NOT NULL CHECK (revenue_cents >= 0),
    CHECK (purchased_insider IS NOT NULL OR revenue_cents = 0),
    PRIMARY KEY (campaign, ts_us, uuid)
) WITHOUT ROWID;
-- The uniqueness of instance ids, and where each instance is. A table of its own rather
-- than a UNIQUE index on instances.uuid so that an import can fill it in id order:
-- random-order inserts into an id index made imports three times slower.
CREATE TABLE instance_ids (
    uuid     BLOB PRIMARY KEY CHECK (length(uuid) = 16),
    campaign INTEGER NOT NULL,
    ts_us    INTEGER NOT NULL
) WITHOUT ROWID;
"#];

/// Everything the read side needs, immutable once built.
#[derive(Default)]
struct Snapshot {
    keys: HashMap<KeyDigest, Uuid>,
    campaigns: HashMap<Uuid, CampaignEntry>,
}

#[derive(Clone)]
struct CampaignEntry {
    info: CampaignInfo,
    revision: i64,
    data: Arc<CampaignData>,
}

/// The SQLite-backed store.
pub struct SqliteStore {
    conn: Mutex<Connection>,
    snapshot: RwLock<Arc<Snapshot>>,
    /// The `PRAGMA data_version` the snapshot was built at.
    seen_version: Mutex<Option<i64>>,
}

fn uuid_from(bytes: Vec<u8>) -> Result<Uuid, StoreError> {
    Uuid::from_slice(&bytes).map_err(|_| StoreError("database: a stored id is not 16 bytes".into()))
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, or a private in-memory one
    /// for `:memory:`, and brings its schema up to date. The read model is empty until
    /// the first [`refresh`](Self::refresh): an `import` never pays for building it.
    pub fn open(path: &str) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path)
            .map_err(|e| StoreError(format!("cannot open database {path}: {e}")))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Larger pages: fewer B-tree levels and splits for tables of millions of rows.
        // Only takes effect when the file is created.
        conn.execute_batch("PRAGMA page_size = 16384;")?;
        // WAL lets a server read while an `import` writes; NORMAL is durable across
        // application crashes, which is what an analytics store needs.
        if path != ":memory:" {
            conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        }
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF; PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -262144;",
        )?;
        migrate(&conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            snapshot: RwLock::new(Arc::new(Snapshot::default())),
            seen_version: Mutex::new(None),
        })
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Connection>, StoreError> {
        self.conn
            .lock()
            .map_err(|_| StoreError("database connection poisoned".into()))
    }

    fn current(&self) -> Arc<Snapshot> {
        match self.snapshot.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Rebuilds the read model if the database changed since it was built (by this
    /// process or another). Returns whether it did. Cheap when nothing changed.
    pub fn refresh(&self) -> Result<bool, StoreError> {
        let conn = self.lock()?;
        let version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        {
            let seen = self
                .seen_version
                .lock()
                .map_err(|_| StoreError("poisoned".into()))?;
            if *seen == Some(version) {
                return Ok(false);
            }
        }
        let old = self.current();
        let fresh = load_snapshot(&conn, &old)?;
        if let Ok(mut slot) = self.snapshot.write() {
            *slot = Arc::new(fresh);
        }
        if let Ok(mut seen) = self.seen_version.lock() {
            *seen = Some(version);
        }
        Ok(true)
    }

    /// Forces the next [`refresh`](Self::refresh) to rebuild: our own commits do not
    /// change `data_version` for our own connection.
    pub fn invalidate(&self) {
        if let Ok(mut seen) = self.seen_version.lock() {
            *seen = None;
        }
    }

    /// How many instances each campaign has, for messages.
    pub fn instance_counts(&self) -> HashMap<Uuid, usize> {
        self.current()
            .campaigns
            .iter()
            .map(|(id, entry)| (*id, entry.data.len()))
            .collect()
    }
}

fn migrate(conn: &Connection) -> Result<(), StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(StoreError(format!(
            "the database has schema version {version}, newer than this server knows ({known})"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        conn.execute_batch(&format!(
            "BEGIN; {sql} PRAGMA user_version = {}; COMMIT;",
            i + 1
        ))
        .map_err(|e| StoreError(format!("migration {} failed: {e}", i + 1)))?;
    }
    Ok(())
}

fn load_snapshot(conn: &Connection, old: &Snapshot) -> Result<Snapshot, StoreError> {
    let mut keys = HashMap::new();
    let mut stmt = conn
        .prepare("SELECT k.digest, p.uuid FROM api_keys k JOIN partners p ON p.id = k.partner")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let digest: Vec<u8> = row.get(0)?;
        let digest: [u8; 32] = digest
            .try_into()
            .map_err(|_| StoreError("database: a key digest is not 32 bytes".into()))?;
        keys.insert(KeyDigest(digest), uuid_from(row.get(1)?)?);
    }

    let mut campaigns = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT c.id, c.uuid, p.uuid, c.name, c.status, c.revision
         FROM campaigns c JOIN partners p ON p.id = c.partner",
    )?;
    let mut rows = stmt.query([])?;
    let mut load = conn.prepare(
        "SELECT uuid, insider, purchased_insider, ts_us, revenue_cents FROM instances WHERE campaign = ?1",
    )?;
    while let Some(row) = rows.next()? {
        let rowid: i64 = row.get(0)?;
        let id = uuid_from(row.get(1)?)?;
        let status: String = row.get(4)?;
        let info = CampaignInfo {
            id,
            partner_id: uuid_from(row.get(2)?)?,
            name: row.get(3)?,
            status: CampaignStatus::parse(&status).ok_or_else(|| {
                StoreError(format!("database: unknown campaign status {status:?}"))
            })?,
        };
        let revision: i64 = row.get(5)?;
        let data = match old.campaigns.get(&id) {
            Some(entry) if entry.revision == revision => Arc::clone(&entry.data),
            _ => {
                let mut instances = Vec::new();
                let mut found = load.query(params![rowid])?;
                while let Some(r) = found.next()? {
                    let purchased: Option<Vec<u8>> = r.get(2)?;
                    instances.push(InstanceRow {
                        instance_id: uuid_from(r.get(0)?)?,
                        insider_id: uuid_from(r.get(1)?)?,
                        purchased_insider_id: purchased.map(uuid_from).transpose()?,
                        timestamp_us: r.get(3)?,
                        revenue_cents: r.get(4)?,
                    });
                }
                if instances.len() > u32::MAX as usize {
                    return Err(StoreError(format!(
                        "campaign {id} has more instances than one server can hold"
                    )));
                }
                Arc::new(CampaignData::build(instances))
            }
        };
        campaigns.insert(
            id,
            CampaignEntry {
                info,
                revision,
                data,
            },
        );
    }
    Ok(Snapshot { keys, campaigns })
}

#[async_trait]
impl Store for SqliteStore {
    async fn partner_for_key(&self, digest: &KeyDigest) -> Result<Option<Uuid>, StoreError> {
        Ok(self.current().keys.get(digest).copied())
    }

    async fn campaign(&self, id: Uuid) -> Result<Option<CampaignInfo>, StoreError> {
        Ok(self.current().campaigns.get(&id).map(|e| e.info.clone()))
    }

    async fn window(
        &self,
        campaign: Uuid,
        query: &WindowQuery,
    ) -> Result<WindowAnswer, StoreError> {
        let data = self
            .current()
            .campaigns
            .get(&campaign)
            .map(|e| Arc::clone(&e.data));
        // The answer is bounded work — a binary search per bucket (at most 366) and one
        // page of rows, microseconds at any campaign size — so it is computed right here.
        // The request's deadline guards waiting (a database round trip), not microseconds
        // of CPU: handing this to the blocking pool cost more CPU than the answer itself
        // (server/README.md, "504").
        Ok(match data {
            Some(data) => data.answer(query),
            None => CampaignData::default().answer(query),
        })
    }
}

/// Maps an SQLite failure during an import to an import error at `location`.
fn db_error(location: &str) -> impl Fn(rusqlite::Error) -> ImportError + '_ {
    move |e| ImportError::at(location, format!("database error: {e}"))
}

impl Ingest for SqliteStore {
    fn import(&self, batch: &ImportBatch) -> Result<ImportStats, ImportError> {
        let mut conn = self.lock().map_err(|e| ImportError::at("", e.0))?;
        let tx = conn.transaction().map_err(db_error(""))?;
        let stats = import_in(&tx, batch)?;
        tx.commit().map_err(db_error(""))?;
        drop(conn);
        self.invalidate();
        Ok(stats)
    }

    fn is_empty(&self) -> Result<bool, StoreError> {
        let conn = self.lock()?;
        let any: Option<i64> = conn
            .query_row(
                "SELECT 1 FROM partners UNION ALL SELECT 1 FROM campaigns UNION ALL SELECT 1 FROM instances LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(any.is_none())
    }
}

/// The import inside its transaction: any error returns before the commit, so the
/// transaction is rolled back and the database is unchanged.
fn import_in(
    tx: &rusqlite::Transaction<'_>,
    batch: &ImportBatch,
) -> Result<ImportStats, ImportError> {
    let mut stats = ImportStats::default();

    let mut partner_rows: HashMap<Uuid, i64> = HashMap::new();
    {
        let mut find = tx
            .prepare("SELECT id, name FROM partners WHERE uuid = ?1")
            .map_err(db_error(""))?;
        let mut insert = tx
            .prepare("INSERT INTO partners (uuid, name) VALUES (?1, ?2)")
            .map_err(db_error(""))?;
        let mut key_owner = tx
            .prepare("SELECT partner FROM api_keys WHERE digest = ?1")
            .map_err(db_error(""))?;
        let mut add_key = tx
            .prepare("INSERT INTO api_keys (digest, partner) VALUES (?1, ?2)")
            .map_err(db_error(""))?;
        for (i, p) in batch.partners.iter().enumerate() {
            let at = format!("partners[{i}].id");
            let existing: Option<(i64, String)> = find
                .query_row(params![p.id.as_bytes()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .map_err(db_error(&at))?;
            let rowid = match existing {
                Some((rowid, name)) if name == p.name => {
                    stats.unchanged += 1;
                    rowid
                }
                Some(_) => {
                    return Err(ImportError::at(
                        at,
                        "duplicate id: a different partner with this id is already stored",
                    ))
                }
                None => {
                    insert
                        .execute(params![p.id.as_bytes(), p.name])
                        .map_err(db_error(&at))?;
                    stats.partners += 1;
                    tx.last_insert_rowid()
                }
            };
            for (k, digest) in p.keys.iter().enumerate() {
                let at = format!("partners[{i}].keys[{k}]");
                let owner: Option<i64> = key_owner
                    .query_row(params![&digest.0[..]], |r| r.get(0))
                    .optional()
                    .map_err(db_error(&at))?;
                match owner {
                    Some(owner) if owner == rowid => {}
                    Some(_) => {
                        return Err(ImportError::at(
                            at,
                            "duplicate key: another partner already has it",
                        ))
                    }
                    None => {
                        add_key
                            .execute(params![&digest.0[..], rowid])
                            .map_err(db_error(&at))?;
                    }
                }
            }
            partner_rows.insert(p.id, rowid);
        }
    }

    let mut campaign_rows: HashMap<Uuid, i64> = HashMap::new();
    {
        let mut all = tx
            .prepare("SELECT c.uuid, c.id FROM campaigns c")
            .map_err(db_error(""))?;
        let mut rows = all.query([]).map_err(db_error(""))?;
        while let Some(r) = rows.next().map_err(db_error(""))? {
            let id: Vec<u8> = r.get(0).map_err(db_error(""))?;
            let id = uuid_from(id).map_err(|e| ImportError::at("", e.0))?;
            campaign_rows.insert(id, r.get(1).map_err(db_error(""))?);
        }
    }
    {
        let mut partner_row = tx
            .prepare("SELECT id FROM partners WHERE uuid = ?1")
            .map_err(db_error(""))?;
        let mut find = tx
            .prepare("SELECT partner, name, status FROM campaigns WHERE id = ?1")
            .map_err(db_error(""))?;
        let mut insert = tx
            .prepare("INSERT INTO campaigns (uuid, partner, name, status) VALUES (?1, ?2, ?3, ?4)")
            .map_err(db_error(""))?;
        for (i, c) in batch.campaigns.iter().enumerate() {
            let at = |field: &str| format!("campaigns[{i}].{field}");
            let partner = match partner_rows.get(&c.partner_id) {
                Some(&row) => row,
                None => partner_row
                    .query_row(params![c.partner_id.as_bytes()], |r| r.get(0))
                    .optional()
                    .map_err(db_error(&at("partner_id")))?
                    .ok_or_else(|| {
                        ImportError::at(
                            at("partner_id"),
                            "unknown partner: not in the file nor in the database",
                        )
                    })?,
            };
            match campaign_rows.get(&c.id) {
                Some(&rowid) => {
                    let (stored_partner, name, status): (i64, String, String) = find
                        .query_row(params![rowid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                        .map_err(db_error(&at("id")))?;
                    if stored_partner != partner || name != c.name || status != c.status.as_str() {
                        return Err(ImportError::at(
                            at("id"),
                            "duplicate id: a different campaign with this id is already stored",
                        ));
                    }
                    stats.unchanged += 1;
                }
                None => {
                    insert
                        .execute(params![c.id.as_bytes(), partner, c.name, c.status.as_str()])
                        .map_err(db_error(&at("id")))?;
                    campaign_rows.insert(c.id, tx.last_insert_rowid());
                    stats.campaigns += 1;
                }
            }
        }
    }

    // Every instance's campaign row, or the error naming the first unknown one.
    let mut campaigns_of = Vec::with_capacity(batch.instances.len());
    for (i, rec) in batch.instances.iter().enumerate() {
        let campaign = *campaign_rows.get(&rec.campaign_id).ok_or_else(|| {
            ImportError::at(
                format!("instances[{i}].campaign_id"),
                "unknown campaign: not in the file nor in the database",
            )
        })?;
        campaigns_of.push(campaign);
    }

    // Ids first, in id order (a duplicate within the file is refused here).
    let by_id = batch.ids_in_order()?;
    let mut already_stored = vec![false; batch.instances.len()];
    {
        let mut claim = tx
            .prepare("INSERT INTO instance_ids (uuid, campaign, ts_us) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")
            .map_err(db_error(""))?;
        let mut stored = tx
            .prepare(
                "SELECT i.campaign, i.insider, i.purchased_insider, i.ts_us, i.revenue_cents
                 FROM instance_ids d JOIN instances i
                   ON i.campaign = d.campaign AND i.ts_us = d.ts_us AND i.uuid = d.uuid
                 WHERE d.uuid = ?1",
            )
            .map_err(db_error(""))?;
        for &(id, i) in &by_id {
            let row = &batch.instances[i].row;
            let at = || format!("instances[{i}].instance_id");
            // Raw binding: no per-row parameter list to build (a million rows).
            let claimed = claim
                .raw_bind_parameter(1, id.as_bytes())
                .and_then(|()| claim.raw_bind_parameter(2, campaigns_of[i]))
                .and_then(|()| claim.raw_bind_parameter(3, row.timestamp_us))
                .and_then(|()| claim.raw_execute())
                .map_err(|e| ImportError::at(at(), format!("database error: {e}")))?;
            if claimed == 1 {
                continue;
            }
            type Stored = (i64, Vec<u8>, Option<Vec<u8>>, i64, i64);
            let found: Stored = stored
                .query_row(params![id.as_bytes()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .map_err(|e| ImportError::at(at(), format!("database error: {e}")))?;
            let same = found
                == (
                    campaigns_of[i],
                    row.insider_id.as_bytes().to_vec(),
                    row.purchased_insider_id.map(|u| u.as_bytes().to_vec()),
                    row.timestamp_us,
                    row.revenue_cents,
                );
            if !same {
                return Err(ImportError::at(
                    at(),
                    "duplicate id: a different instance with this id is already stored",
                ));
            }
            already_stored[i] = true;
            stats.unchanged += 1;
        }
    }

    // Then the instances, in the table's own (campaign, time) order: its B-tree grows
    // at the end instead of splitting pages all over.
    let mut by_time: Vec<(i64, i64, usize)> = (0..batch.instances.len())
        .filter(|&i| !already_stored[i])
        .map(|i| (campaigns_of[i], batch.instances[i].row.timestamp_us, i))
        .collect();
    by_time.sort_unstable();
    let mut touched: HashSet<i64> = HashSet::new();
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO instances (campaign, ts_us, uuid, insider, purchased_insider, revenue_cents)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(db_error(""))?;
        for &(campaign, ts_us, i) in &by_time {
            let row = &batch.instances[i].row;
            let purchased = row.purchased_insider_id.as_ref().map(|u| &u.as_bytes()[..]);
            insert
                .raw_bind_parameter(1, campaign)
                .and_then(|()| insert.raw_bind_parameter(2, ts_us))
                .and_then(|()| insert.raw_bind_parameter(3, row.instance_id.as_bytes()))
                .and_then(|()| insert.raw_bind_parameter(4, row.insider_id.as_bytes()))
                .and_then(|()| insert.raw_bind_parameter(5, purchased))
                .and_then(|()| insert.raw_bind_parameter(6, row.revenue_cents))
                .and_then(|()| insert.raw_execute())
                .map_err(|e| {
                    ImportError::at(format!("instances[{i}]"), format!("database error: {e}"))
                })?;
            stats.instances += 1;
        }
        // Sorted by campaign: one entry per run of the same campaign.
        touched.extend(by_time.chunk_by(|a, b| a.0 == b.0).map(|run| run[0].0));
    }
    {
        let mut bump = tx
            .prepare("UPDATE campaigns SET revision = revision + 1 WHERE id = ?1")
            .map_err(db_error(""))?;
        for campaign in touched {
            bump.execute(params![campaign]).map_err(db_error(""))?;
        }
    }
    Ok(stats)
}
