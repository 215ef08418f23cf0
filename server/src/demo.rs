//! Generated data: the demo (several partners, campaigns in every status, thousands of
//! insiders, purchase rates and revenues that differ by campaign and drift over time,
//! 13 months of history ending now) and the one-big-campaign fixture of the benchmark.
//!
//! Everything comes from one ChaCha generator seeded with `seed`: the same seed and
//! `now` give the same data, and the same seed alone gives the same partners, keys and
//! campaign ids (they are drawn first), so the demo credentials stay stable.

use crate::import::{CampaignRecord, ImportBatch, InstanceRecord, PartnerRecord};
use crate::store::{CampaignStatus, InstanceRow, KeyDigest};
use chrono::{DateTime, Datelike, Timelike, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;
use std::io::{self, Write};
use uuid::Uuid;

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 42;
/// Demo instances when none is given.
pub const DEFAULT_INSTANCES: usize = 40_000;

const DAY_US: i64 = 86_400_000_000;
const HISTORY_DAYS: i64 = 395;

/// A generated partner, with its key in plain text (it is printed, then stored hashed).
#[derive(Clone, Debug)]
pub struct DemoPartner {
    pub id: Uuid,
    pub name: String,
    pub key: String,
}

/// Generated data, ready to import or to write as a fixture.
#[derive(Clone, Debug)]
pub struct Generated {
    pub partners: Vec<DemoPartner>,
    pub campaigns: Vec<CampaignRecord>,
    pub instances: Vec<InstanceRecord>,
}

fn uuid(rng: &mut ChaCha8Rng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

fn key(rng: &mut ChaCha8Rng) -> String {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let body: String = (0..32)
        .map(|_| ALNUM[rng.random_range(0..ALNUM.len())] as char)
        .collect();
    format!("sk_test_{body}")
}

/// A standard normal sample (Box–Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Relative traffic by hour of day (UTC): quiet nights, busy evenings.
const HOURLY: [f64; 24] = [
    0.25, 0.18, 0.14, 0.12, 0.12, 0.16, 0.28, 0.45, 0.6, 0.7, 0.75, 0.8, 0.85, 0.8, 0.78, 0.8,
    0.85, 0.92, 1.0, 1.0, 0.95, 0.8, 0.6, 0.4,
];

struct CampaignPlan {
    record: CampaignRecord,
    partner: usize,
    share: f64,
    /// Active span, Unix µs.
    from: i64,
    to: i64,
    conversion: f64,
    conversion_drift: f64,
    phase: f64,
    mean_revenue: f64,
    growth: f64,
}

/// A demo partner: its name, its campaigns, and the range of their mean revenues.
type PartnerSpec = (
    &'static str,
    [(&'static str, CampaignStatus); 5],
    (f64, f64),
);

const PARTNERS: [PartnerSpec; 3] = [
    (
        "Acme Outdoor",
        [
            ("Spring Trail Sale", CampaignStatus::Active),
            ("Summer Camp Referral", CampaignStatus::Active),
            ("Winter Gear Clearance", CampaignStatus::Paused),
            ("Black Friday Lodge", CampaignStatus::Archived),
            ("Holiday Preview", CampaignStatus::Draft),
        ],
        (40.0, 180.0),
    ),
    (
        "Northwind Books",
        [
            ("Book Club Invite", CampaignStatus::Active),
            ("Reading Challenge", CampaignStatus::Active),
            ("Audiobook Trial", CampaignStatus::Paused),
            ("Back to School", CampaignStatus::Archived),
            ("Author Meetups", CampaignStatus::Draft),
        ],
        (8.0, 30.0),
    ),
    (
        "Globex Games",
        [
            ("Launch Week", CampaignStatus::Active),
            ("Season Pass Referral", CampaignStatus::Active),
            ("Retro Bundle", CampaignStatus::Paused),
            ("Beta Testers", CampaignStatus::Archived),
            ("Esports Cup", CampaignStatus::Draft),
        ],
        (10.0, 60.0),
    ),
];

/// The demo data set: 3 partners, 15 campaigns (every status), `instances` instances
/// over the 13 months before `now`.
pub fn demo(seed: u64, instances: usize, now: DateTime<Utc>) -> Generated {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let now_us = now.timestamp_micros() - now.timestamp_micros().rem_euclid(1_000_000);

    // Identities first, so they depend on the seed only.
    let mut partners = Vec::new();
    let mut plans = Vec::new();
    for (p, (name, campaigns, _)) in PARTNERS.iter().enumerate() {
        let partner = DemoPartner {
            id: uuid(&mut rng),
            name: (*name).to_owned(),
            key: key(&mut rng),
        };
        for (campaign_name, status) in campaigns {
            plans.push((p, uuid(&mut rng), partner.id, *campaign_name, *status));
        }
        partners.push(partner);
    }

    let plans: Vec<CampaignPlan> = plans
        .into_iter()
        .map(|(p, id, partner_id, name, status)| {
            let days = |lo: i64, hi: i64, rng: &mut ChaCha8Rng| rng.random_range(lo..=hi) * DAY_US;
            let (from, to, weight) = match status {
                CampaignStatus::Active => (now_us - days(300, HISTORY_DAYS, &mut rng), now_us, 3.0),
                CampaignStatus::Paused => (
                    now_us - days(250, HISTORY_DAYS, &mut rng),
                    now_us - days(14, 60, &mut rng),
                    1.5,
                ),
                CampaignStatus::Archived => (
                    now_us - HISTORY_DAYS * DAY_US,
                    now_us - days(120, 240, &mut rng),
                    1.5,
                ),
                CampaignStatus::Draft => (now_us, now_us, 0.0),
            };
            let (low, high) = PARTNERS[p].2;
            CampaignPlan {
                record: CampaignRecord {
                    id,
                    partner_id,
                    name: name.to_owned(),
                    status,
                },
                partner: p,
                share: weight * rng.random_range(0.5..1.5),
                from,
                to,
                conversion: rng.random_range(0.06..0.35),
                conversion_drift: rng.random_range(-0.5..0.6),
                phase: rng.random_range(0.0..std::f64::consts::TAU),
                mean_revenue: rng.random_range(low..high),
                growth: rng.random_range(-0.5..1.5),
            }
        })
        .collect();

    // Thousands of insiders per partner.
    let insiders: Vec<Vec<Uuid>> = PARTNERS
        .iter()
        .map(|_| {
            let n = rng.random_range(1500..3000);
            (0..n).map(|_| uuid(&mut rng)).collect()
        })
        .collect();

    let total_share: f64 = plans.iter().map(|c| c.share).sum();
    let mut records = Vec::with_capacity(instances);
    let mut left = instances;
    for (i, plan) in plans.iter().enumerate() {
        let last = i + 1 == plans.len();
        let mut n = ((instances as f64) * plan.share / total_share).round() as usize;
        if last || n > left {
            n = if plan.share > 0.0 { left } else { 0 };
        }
        left -= n;
        for _ in 0..n {
            records.push(instance(&mut rng, plan, &insiders[plan.partner], now_us));
        }
    }
    // Whatever rounding left over goes to the first campaign.
    for _ in 0..left {
        records.push(instance(
            &mut rng,
            &plans[0],
            &insiders[plans[0].partner],
            now_us,
        ));
    }

    Generated {
        partners,
        campaigns: plans.into_iter().map(|p| p.record).collect(),
        instances: records,
    }
}

fn instance(
    rng: &mut ChaCha8Rng,
    plan: &CampaignPlan,
    insiders: &[Uuid],
    now_us: i64,
) -> InstanceRecord {
    let span = (plan.to - plan.from).max(1);
    let timestamp_us = loop {
        // A little of every active campaign's traffic is in the last day, so even
        // the per_hour view has something to show.
        if plan.to == now_us && rng.random_bool(0.02) {
            break now_us - rng.random_range(0..DAY_US);
        }
        let u: f64 = rng.random();
        let trend = (1.0 + plan.growth * u) / (1.0 + plan.growth.max(0.0));
        let t = plan.from + (span as f64 * u) as i64;
        let at = DateTime::from_timestamp_micros(t).unwrap_or_default();
        let weekend = if at.weekday().number_from_monday() >= 6 {
            1.0
        } else {
            0.85
        };
        if rng.random::<f64>() < trend * HOURLY[at.hour() as usize] * weekend {
            break t;
        }
    };
    let timestamp_us = timestamp_us - timestamp_us.rem_euclid(1_000_000);
    let at = DateTime::from_timestamp_micros(timestamp_us).unwrap_or_default();
    let u = (timestamp_us - plan.from) as f64 / span as f64;
    let seasonal = 1.0 + 0.25 * ((timestamp_us / DAY_US) as f64 / 45.0 + plan.phase).sin();
    let p = (plan.conversion * seasonal * (1.0 + plan.conversion_drift * u)).clamp(0.01, 0.8);
    let insider = insiders[((insiders.len() as f64) * rng.random::<f64>().powi(2)) as usize];
    let is_purchase = rng.random_bool(p);
    let (purchased_insider_id, revenue_cents) = if is_purchase {
        let buyer = if rng.random_bool(0.25) {
            insider
        } else {
            insiders[rng.random_range(0..insiders.len())]
        };
        let december = if at.month() == 12 { 1.3 } else { 1.0 };
        let amount = plan.mean_revenue * december * (0.45 * normal(rng)).exp();
        (Some(buyer), ((amount * 100.0).round() as i64).max(50))
    } else {
        (None, 0)
    };
    InstanceRecord {
        campaign_id: plan.record.id,
        row: InstanceRow {
            instance_id: uuid(rng),
            insider_id: insider,
            purchased_insider_id,
            timestamp_us,
            revenue_cents,
        },
    }
}

/// One partner with one active campaign of `instances` instances over the 13 months
/// before `now`: the load-test data set of the benchmark.
pub fn single_campaign(seed: u64, instances: usize, now: DateTime<Utc>) -> Generated {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let now_us = now.timestamp_micros() - now.timestamp_micros().rem_euclid(1_000_000);
    let partner = DemoPartner {
        id: uuid(&mut rng),
        name: "Load Test Partner".to_owned(),
        key: key(&mut rng),
    };
    let plan = CampaignPlan {
        record: CampaignRecord {
            id: uuid(&mut rng),
            partner_id: partner.id,
            name: "Load Test Campaign".to_owned(),
            status: CampaignStatus::Active,
        },
        partner: 0,
        share: 1.0,
        from: now_us - HISTORY_DAYS * DAY_US,
        to: now_us,
        conversion: 0.2,
        conversion_drift: 0.3,
        phase: 0.0,
        mean_revenue: 40.0,
        growth: 0.5,
    };
    let insiders: Vec<Uuid> = (0..20_000).map(|_| uuid(&mut rng)).collect();
    let records = (0..instances)
        .map(|_| instance(&mut rng, &plan, &insiders, now_us))
        .collect();
    Generated {
        partners: vec![partner],
        campaigns: vec![plan.record],
        instances: records,
    }
}

impl Generated {
    /// The data as an import batch (keys hashed).
    pub fn batch(&self) -> ImportBatch {
        ImportBatch {
            partners: self
                .partners
                .iter()
                .map(|p| PartnerRecord {
                    id: p.id,
                    name: p.name.clone(),
                    keys: vec![KeyDigest::of(&p.key)],
                })
                .collect(),
            campaigns: self.campaigns.clone(),
            instances: self.instances.clone(),
        }
    }

    /// Writes the data in the fixture format.
    pub fn write_fixture(&self, out: &mut impl Write) -> io::Result<()> {
        let mut line = String::with_capacity(300);
        out.write_all(b"{\n\"partners\": [\n")?;
        for (i, p) in self.partners.iter().enumerate() {
            let sep = if i + 1 < self.partners.len() { "," } else { "" };
            let record = serde_json::json!({"id": p.id, "name": p.name, "keys": [p.key]});
            writeln!(out, "{record}{sep}")?;
        }
        out.write_all(b"],\n\"campaigns\": [\n")?;
        for (i, c) in self.campaigns.iter().enumerate() {
            let sep = if i + 1 < self.campaigns.len() {
                ","
            } else {
                ""
            };
            let record = serde_json::json!({
                "id": c.id, "partner_id": c.partner_id, "name": c.name, "status": c.status.as_str()
            });
            writeln!(out, "{record}{sep}")?;
        }
        out.write_all(b"],\n\"instances\": [\n")?;
        for (i, r) in self.instances.iter().enumerate() {
            line.clear();
            let row = &r.row;
            let at = DateTime::from_timestamp_micros(row.timestamp_us).unwrap_or_default();
            let _ = write!(
                line,
                r#"{{"instance_id":"{}","campaign_id":"{}","insider_id":"{}","is_purchase":{},"purchased_insider_id":"#,
                row.instance_id,
                r.campaign_id,
                row.insider_id,
                row.is_purchase()
            );
            match row.purchased_insider_id {
                Some(id) => {
                    let _ = write!(line, "\"{id}\"");
                }
                None => line.push_str("null"),
            }
            let _ = write!(
                line,
                r#","timestamp":"{}","revenue":{}.{:02}}}"#,
                at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                row.revenue_cents / 100,
                row.revenue_cents % 100
            );
            if i + 1 < self.instances.len() {
                line.push(',');
            }
            line.push('\n');
            out.write_all(line.as_bytes())?;
        }
        out.write_all(b"]\n}\n")
    }

    /// The credentials and campaigns, as printed by `demo` and `serve --demo`.
    pub fn describe(&self, counts: impl Fn(Uuid) -> usize) -> String {
        let mut out = String::new();
        for p in &self.partners {
            let _ = writeln!(out, "partner {} ({})", p.name, p.id);
            let _ = writeln!(out, "  key: {}", p.key);
            for c in self.campaigns.iter().filter(|c| c.partner_id == p.id) {
                let _ = writeln!(
                    out,
                    "  campaign {} {:<8} {:>7} instances  {}",
                    c.id,
                    c.status.as_str(),
                    counts(c.id),
                    c.name
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-20T14:03:11Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn demo_is_deterministic_and_varied() {
        let a = demo(7, 20_000, now());
        let b = demo(7, 20_000, now());
        assert_eq!(a.instances, b.instances);
        assert_eq!(a.instances.len(), 20_000);
        let statuses: HashSet<_> = a.campaigns.iter().map(|c| c.status).collect();
        assert_eq!(statuses.len(), 4);
        let insiders: HashSet<_> = a.instances.iter().map(|r| r.row.insider_id).collect();
        assert!(insiders.len() > 2000, "{} insiders", insiders.len());
        // Same seed, other size and time: same identities.
        let c = demo(7, 100, now() - chrono::Duration::days(3));
        assert_eq!(a.partners[0].key, c.partners[0].key);
        assert_eq!(a.campaigns[3].id, c.campaigns[3].id);
        assert_ne!(demo(8, 10, now()).partners[0].key, a.partners[0].key);
        // Drafts have no instances; every instance is within the 13 months before now.
        let drafts: HashSet<_> = a
            .campaigns
            .iter()
            .filter(|c| c.status == CampaignStatus::Draft)
            .map(|c| c.id)
            .collect();
        let now_us = now().timestamp_micros();
        for r in &a.instances {
            assert!(!drafts.contains(&r.campaign_id));
            assert!(
                r.row.timestamp_us <= now_us
                    && r.row.timestamp_us >= now_us - HISTORY_DAYS * DAY_US
            );
        }
        // Every active campaign has data in the last 24 hours.
        for c in a
            .campaigns
            .iter()
            .filter(|c| c.status == CampaignStatus::Active)
        {
            assert!(a
                .instances
                .iter()
                .any(|r| r.campaign_id == c.id && r.row.timestamp_us > now_us - DAY_US));
        }
    }

    #[test]
    fn the_written_fixture_reads_back() {
        let data = demo(3, 500, now());
        let mut out = Vec::new();
        data.write_fixture(&mut out).unwrap();
        let parsed = crate::import::parse_fixture(std::str::from_utf8(&out).unwrap()).unwrap();
        assert_eq!(parsed, data.batch());
    }
}
