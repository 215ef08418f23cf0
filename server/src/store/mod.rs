//! Storage, behind a narrow interface.
//!
//! The HTTP layer only ever talks to [`Store`]: "which partner owns this key digest",
//! "what is this campaign", and "give me the numbers and one page of instances for this
//! window". Nothing in that interface says SQL, so a PostgreSQL or ClickHouse backend is
//! a new implementation of these three calls (see `server/README.md`, "Scaling out"),
//! not a change to the HTTP layer. Writing goes through [`Ingest`], used by the command
//! line (`import`, `demo`, `serve --fixture`).
//!
//! The one implementation today is [`sqlite::SqliteStore`]: SQLite is the durable
//! store, and a per-campaign read model ([`model::CampaignData`]) answers queries
//! from memory with prefix sums and binary search.

pub mod model;
pub mod sqlite;

use async_trait::async_trait;
use campaign_analytics::contract::PurchaseFilter;
use sha2::{Digest, Sha256};
use std::fmt;
use uuid::Uuid;

pub use crate::import::{ImportBatch, ImportError, ImportStats};

/// The SHA-256 digest of a secret key: what is stored and looked up, never the key.
/// Keys are 32 random letters or digits (~190 bits), so a plain digest cannot be
/// brute-forced and a slow password hash would only cost latency.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyDigest(pub [u8; 32]);

impl KeyDigest {
    /// The digest of a key's full text (`sk_live_…` / `sk_test_…`).
    pub fn of(key: &str) -> KeyDigest {
        KeyDigest(Sha256::digest(key.as_bytes()).into())
    }
}

impl fmt::Debug for KeyDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyDigest(..)")
    }
}

/// A campaign's lifecycle state. A `draft` was never launched: asking for its
/// analytics is a 409.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CampaignStatus {
    Active,
    Paused,
    Archived,
    Draft,
}

impl CampaignStatus {
    /// Every status.
    pub const ALL: [CampaignStatus; 4] = [
        CampaignStatus::Active,
        CampaignStatus::Paused,
        CampaignStatus::Archived,
        CampaignStatus::Draft,
    ];

    /// The fixture / database spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Active => "active",
            CampaignStatus::Paused => "paused",
            CampaignStatus::Archived => "archived",
            CampaignStatus::Draft => "draft",
        }
    }

    /// The status spelled exactly so, if any.
    pub fn parse(text: &str) -> Option<CampaignStatus> {
        CampaignStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// What the HTTP layer needs to know about a campaign before computing anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignInfo {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub name: String,
    pub status: CampaignStatus,
}

/// One question about one campaign: the numbers over a window and one page of it.
/// Times are Unix microseconds; `start_us` and `end_us` are both inclusive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowQuery {
    pub start_us: i64,
    pub end_us: i64,
    /// The first instant of every series bucket, ascending; the first is `start_us`.
    /// A bucket runs to the next one's start (the last one to `end_us`, inclusive).
    pub bucket_starts_us: Vec<i64>,
    /// Which instances are listed (the summary and series always count all of them).
    pub filter: PurchaseFilter,
    /// How many matching instances to skip (`(page - 1) * limit`).
    pub offset: u64,
    pub limit: u32,
}

/// Counts and revenue (in cents, exact) over some set of instances.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub instances: u64,
    pub purchases: u64,
    pub revenue_cents: i64,
}

/// One stored instance. `is_purchase` is `purchased_insider_id.is_some()`: the import
/// rules make the two agree, and the database enforces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstanceRow {
    pub instance_id: Uuid,
    pub insider_id: Uuid,
    pub purchased_insider_id: Option<Uuid>,
    pub timestamp_us: i64,
    pub revenue_cents: i64,
}

impl InstanceRow {
    pub fn is_purchase(&self) -> bool {
        self.purchased_insider_id.is_some()
    }
}

/// The answer to a [`WindowQuery`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WindowAnswer {
    /// Over every instance of the window, whatever the filter.
    pub summary: Totals,
    /// One entry per bucket of `bucket_starts_us`.
    pub series: Vec<Totals>,
    /// How many instances of the window match the filter.
    pub matching: u64,
    /// The requested page of matching instances, newest first (ties: instance id ascending).
    pub rows: Vec<InstanceRow>,
}

/// A storage failure. Its text is logged, never sent to a client.
#[derive(Debug)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError(format!("database: {e}"))
    }
}

/// The read side, all the HTTP layer uses. Implementations must be cheap to call
/// concurrently; the HTTP layer puts its deadline around each call, so a call must not
/// compute or block within the request's task (run CPU work in a task of its own,
/// `tokio::spawn`; blocking I/O with `tokio::task::spawn_blocking`), or the deadline
/// cannot fire.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// The partner owning the key with this digest.
    async fn partner_for_key(&self, digest: &KeyDigest) -> Result<Option<Uuid>, StoreError>;
    /// The campaign with this id, whoever owns it.
    async fn campaign(&self, id: Uuid) -> Result<Option<CampaignInfo>, StoreError>;
    /// The numbers of a window of one campaign, and one page of its instances.
    /// An unknown campaign answers an empty window.
    async fn window(&self, campaign: Uuid, query: &WindowQuery)
        -> Result<WindowAnswer, StoreError>;
}

/// The write side: imports are all or nothing.
pub trait Ingest {
    /// Imports a batch in one transaction; on error nothing is changed.
    fn import(&self, batch: &ImportBatch) -> Result<ImportStats, ImportError>;
    /// Whether the store holds no partner, campaign or instance at all.
    fn is_empty(&self) -> Result<bool, StoreError>;
}
