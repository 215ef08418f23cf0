//! The records of the data set — partners and their key digests, campaigns, instances —
//! and what an import of them reports. Their own module, so that the fixture format
//! (`import`) and storage (`store`) both build on them without importing each other.

use sha2::{Digest, Sha256};
use std::fmt;
use uuid::Uuid;

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

/// Why an import was refused. Nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// The record and field, e.g. `instances[3].revenue`; empty for the file as a whole.
    pub location: String,
    pub message: String,
}

impl ImportError {
    pub fn at(location: impl Into<String>, message: impl Into<String>) -> ImportError {
        ImportError {
            location: location.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.location, self.message)
        }
    }
}

impl std::error::Error for ImportError {}

/// A partner and the digests of its keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnerRecord {
    pub id: Uuid,
    pub name: String,
    pub keys: Vec<KeyDigest>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignRecord {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub name: String,
    pub status: CampaignStatus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstanceRecord {
    pub campaign_id: Uuid,
    pub row: InstanceRow,
}

/// A fixture whose records each passed the rules that need no database.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportBatch {
    pub partners: Vec<PartnerRecord>,
    pub campaigns: Vec<CampaignRecord>,
    pub instances: Vec<InstanceRecord>,
}

impl ImportBatch {
    /// The file's instance ids in id order, each with its index in the file; or the
    /// error of the first id the file gives twice (at the later of the two). Every store
    /// checks this before it writes, and walks the ids in this order.
    pub fn ids_in_order(&self) -> Result<Vec<(Uuid, usize)>, ImportError> {
        let mut by_id: Vec<(Uuid, usize)> = self
            .instances
            .iter()
            .enumerate()
            .map(|(i, rec)| (rec.row.instance_id, i))
            .collect();
        by_id.sort_unstable();
        for pair in by_id.windows(2) {
            if pair[0].0 == pair[1].0 {
                return Err(ImportError::at(
                    format!("instances[{}].instance_id", pair[0].1.max(pair[1].1)),
                    "duplicate id: another instance of the file has it",
                ));
            }
        }
        Ok(by_id)
    }
}

/// What an import did. Records identical to ones already stored are counted as
/// `unchanged`, so the same fixture can be given on every `serve --fixture` start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportStats {
    pub partners: usize,
    pub campaigns: usize,
    pub instances: usize,
    pub unchanged: usize,
}
