//! Generated data: the demo (several partners, campaigns in every status, thousands of
//! insiders, purchase rates and revenues that differ by campaign and drift over time,
//! 13 months of history ending now) and the one-big-campaign fixture of the benchmark.
//!
//! Traffic looks like a real campaign's: a daily rhythm (quiet nights, busy evenings), a
//! weekly one (busier towards and over the weekend), a slow season, a per-campaign trend
//! and a few percent of day-to-day noise — and no single-day spike, except at the start
//! of the campaign named "Launch Week", which is one.
//!
//! Everything comes from one ChaCha generator seeded with `seed`: the same seed and
//! `now` give the same data, and the same seed alone gives the same partners, keys and
//! campaign ids (they are drawn first), so the demo credentials stay stable.

use crate::records::{CampaignRecord, ImportBatch, InstanceRecord, PartnerRecord};
use crate::records::{CampaignStatus, InstanceRow, KeyDigest};
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

/// Relative traffic by weekday, Monday first (at most 1).
const WEEKLY: [f64; 7] = [0.77, 0.79, 0.81, 0.83, 0.9, 1.0, 0.93];

/// The campaign whose first days are a launch: a labelled spike.
const LAUNCH_CAMPAIGN: &str = "Launch Week";
/// How much busier a launch's first day is than its steady state, and how fast it fades.
const LAUNCH_BOOST: f64 = 2.5;
const LAUNCH_FADE_DAYS: f64 = 2.0;

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
    /// Seeds the campaign's day-to-day noise.
    noise_seed: u64,
    /// Extra traffic on the first day (0: no launch spike).
    launch_boost: f64,
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
                noise_seed: rng.random(),
                launch_boost: if name == LAUNCH_CAMPAIGN {
                    LAUNCH_BOOST
                } else {
                    0.0
                },
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
            records.push(instance(&mut rng, plan, &insiders[plan.partner]));
        }
    }
    // Whatever rounding left over goes to the first campaign.
    for _ in 0..left {
        records.push(instance(&mut rng, &plans[0], &insiders[plans[0].partner]));
    }

    Generated {
        partners,
        campaigns: plans.into_iter().map(|p| p.record).collect(),
        instances: records,
    }
}

fn instance(rng: &mut ChaCha8Rng, plan: &CampaignPlan, insiders: &[Uuid]) -> InstanceRecord {
    let span = (plan.to - plan.from).max(1);
    // Rejection sampling of the campaign's traffic intensity (at most 1 everywhere).
    let timestamp_us = loop {
        let t = plan.from + (span as f64 * rng.random::<f64>()) as i64;
        if rng.random::<f64>() < intensity(plan, t) {
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

/// The relative traffic of a campaign at `t_us`, in (0, 1].
fn intensity(plan: &CampaignPlan, t_us: i64) -> f64 {
    let span = (plan.to - plan.from).max(1);
    let at = DateTime::from_timestamp_micros(t_us).unwrap_or_default();
    let u = (t_us - plan.from) as f64 / span as f64;
    let trend = (1.0 + plan.growth * u) / (1.0 + plan.growth.max(0.0));
    let day = t_us.div_euclid(DAY_US);
    let season =
        (1.0 + 0.12 * (day as f64 * std::f64::consts::TAU / 91.0 + plan.phase).sin()) / 1.12;
    let weekly = WEEKLY[at.weekday().num_days_from_monday() as usize];
    let hourly = HOURLY[at.hour() as usize];
    let launch = (1.0
        + plan.launch_boost
            * (-(t_us - plan.from) as f64 / (LAUNCH_FADE_DAYS * DAY_US as f64)).exp())
        / (1.0 + plan.launch_boost);
    trend * season * weekly * hourly * day_noise(plan.noise_seed, day) * launch
}

/// A campaign's traffic factor of one UTC day, in [0.8, 1]: the same for the same seed
/// and day, independent from day to day (no spikes: at most 25% above the quietest).
fn day_noise(seed: u64, day: i64) -> f64 {
    let mut state = seed ^ (day as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut uniform = || {
        // splitmix64
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) as f64 / u64::MAX as f64
    };
    let mean = (uniform() + uniform() + uniform()) / 3.0;
    0.8 + 0.2 * mean
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
        noise_seed: rng.random(),
        launch_boost: 0.0,
    };
    let insiders: Vec<Uuid> = (0..20_000).map(|_| uuid(&mut rng)).collect();
    let records = (0..instances)
        .map(|_| instance(&mut rng, &plan, &insiders))
        .collect();
    Generated {
        partners: vec![partner],
        campaigns: vec![plan.record],
        instances: records,
    }
}

/// What `GET /api/demo` answers in demo mode (contract §6): the demo partners with
/// their keys and campaigns, so the dashboard can offer "try the demo".
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DemoDirectory {
    pub partners: Vec<DirectoryPartner>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DirectoryPartner {
    pub name: String,
    pub key: String,
    pub campaigns: Vec<DirectoryCampaign>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DirectoryCampaign {
    pub id: Uuid,
    pub name: String,
    pub status: &'static str,
}

impl Generated {
    /// The partners, keys and campaigns, for `GET /api/demo`.
    pub fn directory(&self) -> DemoDirectory {
        DemoDirectory {
            partners: self
                .partners
                .iter()
                .map(|p| DirectoryPartner {
                    name: p.name.clone(),
                    key: p.key.clone(),
                    campaigns: self
                        .campaigns
                        .iter()
                        .filter(|c| c.partner_id == p.id)
                        .map(|c| DirectoryCampaign {
                            id: c.id,
                            name: c.name.clone(),
                            status: c.status.as_str(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

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

    /// Instances per UTC day (day number → count) of the instances `keep` selects.
    fn per_day(data: &Generated, keep: impl Fn(&InstanceRecord) -> bool) -> Vec<(i64, usize)> {
        let mut days = std::collections::BTreeMap::new();
        for r in data.instances.iter().filter(|r| keep(r)) {
            *days
                .entry(r.row.timestamp_us.div_euclid(DAY_US))
                .or_insert(0) += 1;
        }
        days.into_iter().collect()
    }

    fn median(mut values: Vec<usize>) -> f64 {
        values.sort_unstable();
        values[values.len() / 2] as f64
    }

    #[test]
    fn demo_traffic_is_steady_with_a_weekly_rhythm_and_no_spike() {
        let data = demo(DEFAULT_SEED, DEFAULT_INSTANCES, now());
        let today = now().timestamp_micros().div_euclid(DAY_US);
        // Whole days of the last year, all campaigns together.
        let days: Vec<(i64, usize)> = per_day(&data, |_| true)
            .into_iter()
            .filter(|(day, _)| *day < today && *day >= today - 365)
            .collect();
        let counts: Vec<usize> = days.iter().map(|d| d.1).collect();
        let typical = median(counts.clone());
        let busiest = *counts.iter().max().unwrap() as f64;
        assert!(busiest <= 1.8 * typical, "a spike: {busiest} vs {typical}");
        // Day to day, traffic moves by a few percent, not by multiples.
        let steps: Vec<usize> = counts.windows(2).map(|w| w[0].abs_diff(w[1])).collect();
        assert!(median(steps) <= 0.25 * typical);
        // Saturdays are busier than Mondays, over the year.
        let weekday = |n: u32| {
            let of: Vec<usize> = days
                .iter()
                .filter(|(day, _)| {
                    DateTime::from_timestamp(day * 86_400, 0)
                        .unwrap()
                        .weekday()
                        .num_days_from_monday()
                        == n
                })
                .map(|d| d.1)
                .collect();
            of.iter().sum::<usize>() as f64 / of.len() as f64
        };
        assert!(
            weekday(5) > 1.15 * weekday(0),
            "{} vs {}",
            weekday(5),
            weekday(0)
        );
        // The last day (up to now) has about its share, not a pile of extra traffic.
        let last = per_day(&data, |_| true).last().copied().unwrap();
        assert_eq!(last.0, today);
        assert!((last.1 as f64) < typical, "{} on the last day", last.1);
    }

    #[test]
    fn only_the_launch_campaign_has_a_launch_spike() {
        let data = demo(DEFAULT_SEED, DEFAULT_INSTANCES, now());
        let launch = data
            .campaigns
            .iter()
            .find(|c| c.name == LAUNCH_CAMPAIGN)
            .unwrap()
            .id;
        let days = per_day(&data, |r| r.campaign_id == launch);
        let first: usize = days[..3].iter().map(|d| d.1).sum();
        let later: usize = days[30..60].iter().map(|d| d.1).sum();
        assert!(
            first as f64 / 3.0 > 1.5 * later as f64 / 30.0,
            "{first} vs {later}"
        );
        // No other campaign has a day three times its typical one.
        for c in data.campaigns.iter().filter(|c| c.id != launch) {
            let days = per_day(&data, |r| r.campaign_id == c.id);
            if days.len() < 30 {
                continue;
            }
            let counts: Vec<usize> = days.iter().map(|d| d.1).collect();
            let typical = median(counts.clone()).max(5.0);
            let busiest = *counts.iter().max().unwrap() as f64;
            assert!(
                busiest <= 3.0 * typical,
                "{}: {busiest} vs {typical}",
                c.name
            );
        }
    }

    #[test]
    fn the_directory_lists_every_partner_key_and_campaign() {
        let data = demo(5, 0, now());
        let directory = data.directory();
        assert_eq!(directory.partners.len(), 3);
        assert_eq!(directory.partners[0].key, data.partners[0].key);
        assert_eq!(
            directory
                .partners
                .iter()
                .map(|p| p.campaigns.len())
                .sum::<usize>(),
            15
        );
        let json = serde_json::to_value(&directory).unwrap();
        assert_eq!(json["partners"][1]["name"], "Northwind Books");
        assert_eq!(json["partners"][1]["campaigns"][4]["status"], "draft");
        assert_eq!(
            json["partners"][0]["campaigns"][0]["id"],
            data.campaigns[0].id.to_string()
        );
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
