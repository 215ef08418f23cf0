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
pub mod postgres;
pub mod sqlite;

use async_trait::async_trait;
use campaign_analytics::contract::PurchaseFilter;
use std::fmt;
use uuid::Uuid;

pub use crate::records::{
    CampaignStatus, ImportBatch, ImportError, ImportStats, InstanceRow, KeyDigest,
};

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
/// concurrently; the HTTP layer puts its deadline around each call, and the deadline can
/// only fire while the call waits. So a call may do bounded work of microseconds in place
/// (the SQLite read model's answers), but must not block a runtime worker or compute at
/// length on one (run blocking I/O and long CPU work with `tokio::task::spawn_blocking`):
/// a busy worker may be the one driving the timers, and the deadline could not fire until
/// it is free.
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
    /// Whether the store can answer now (`/readyz`): a database backend makes a round
    /// trip. An in-process store is always ready.
    async fn ready(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// The write side: imports are all or nothing.
pub trait Ingest {
    /// Imports a batch in one transaction; on error nothing is changed.
    fn import(&self, batch: &ImportBatch) -> Result<ImportStats, ImportError>;
    /// Whether the store holds no partner, campaign or instance at all.
    fn is_empty(&self) -> Result<bool, StoreError>;
}
