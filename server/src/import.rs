//! The fixture format (contract §3), which is also the import format: parsing and the
//! rules each record must follow on its own. Rules that need the database (does the
//! campaign exist, is the id already taken) are checked by the store inside the import
//! transaction, with the same kind of error.
//!
//! Every error names the record and the field, e.g. `instances[12].revenue: revenue must
//! have at most 2 decimals`, so a partner can fix a file of a million records.

use crate::records::{
    CampaignRecord, CampaignStatus, ImportBatch, ImportError, InstanceRecord, InstanceRow,
    KeyDigest, PartnerRecord,
};
use campaign_analytics::contract::parse_uuid;
use campaign_analytics::contract::SecretKey;
use chrono::DateTime;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The largest revenue of one instance, in cents (10,000,000.00). It keeps every sum
/// of a campaign exact in 64-bit integers and in the JSON numbers of the API.
pub const MAX_REVENUE_CENTS: i64 = 1_000_000_000;

#[derive(Deserialize)]
struct RawFixture<'a> {
    #[serde(borrow, default)]
    partners: Vec<RawPartner<'a>>,
    #[serde(borrow, default)]
    campaigns: Vec<RawCampaign<'a>>,
    #[serde(borrow, default)]
    instances: Vec<RawInstance<'a>>,
}

#[derive(Deserialize)]
struct RawPartner<'a> {
    #[serde(borrow)]
    id: Option<&'a RawValue>,
    #[serde(borrow)]
    name: Option<&'a RawValue>,
    #[serde(borrow)]
    keys: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct RawCampaign<'a> {
    #[serde(borrow)]
    id: Option<&'a RawValue>,
    #[serde(borrow)]
    partner_id: Option<&'a RawValue>,
    #[serde(borrow)]
    name: Option<&'a RawValue>,
    #[serde(borrow)]
    status: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct RawInstance<'a> {
    #[serde(borrow)]
    instance_id: Option<&'a RawValue>,
    #[serde(borrow)]
    campaign_id: Option<&'a RawValue>,
    #[serde(borrow)]
    insider_id: Option<&'a RawValue>,
    #[serde(borrow)]
    is_purchase: Option<&'a RawValue>,
    #[serde(borrow)]
    purchased_insider_id: Option<&'a RawValue>,
    #[serde(borrow)]
    timestamp: Option<&'a RawValue>,
    #[serde(borrow)]
    revenue: Option<&'a RawValue>,
}

/// Parses a fixture and checks every record on its own (shapes, value rules, and
/// duplicate partner or campaign ids and keys within the file; duplicate instance ids
/// are found by the store's import).
pub fn parse_fixture(text: &str) -> Result<ImportBatch, ImportError> {
    let raw: RawFixture<'_> = serde_json::from_str(text)
        .map_err(|e| ImportError::at("", format!("the fixture is not valid: {e}")))?;
    let mut batch = ImportBatch {
        partners: Vec::with_capacity(raw.partners.len()),
        campaigns: Vec::with_capacity(raw.campaigns.len()),
        instances: Vec::with_capacity(raw.instances.len()),
    };

    let mut partner_ids = HashSet::new();
    let mut keys_seen = HashMap::new();
    for (i, p) in raw.partners.iter().enumerate() {
        let at = |field: &str| format!("partners[{i}].{field}");
        let id = uuid_field(p.id, &at("id"))?;
        if !partner_ids.insert(id) {
            return Err(ImportError::at(
                at("id"),
                "duplicate id: another partner of the file has it",
            ));
        }
        let name = name_field(p.name, &at("name"))?;
        let mut keys = Vec::new();
        for (k, raw_key) in p.keys.iter().flatten().enumerate() {
            let where_ = format!("partners[{i}].keys[{k}]");
            let text = string(raw_key, &where_)?;
            let key = SecretKey::parse(&text).map_err(|e| ImportError::at(&where_, e.message))?;
            let digest = KeyDigest::of(key.expose());
            if keys_seen.insert(digest, i).is_some() {
                return Err(ImportError::at(
                    where_,
                    "duplicate key: it is already given in this file",
                ));
            }
            keys.push(digest);
        }
        batch.partners.push(PartnerRecord { id, name, keys });
    }

    let mut campaign_ids = HashSet::new();
    for (i, c) in raw.campaigns.iter().enumerate() {
        let at = |field: &str| format!("campaigns[{i}].{field}");
        let id = uuid_field(c.id, &at("id"))?;
        if !campaign_ids.insert(id) {
            return Err(ImportError::at(
                at("id"),
                "duplicate id: another campaign of the file has it",
            ));
        }
        let partner_id = uuid_field(c.partner_id, &at("partner_id"))?;
        let name = name_field(c.name, &at("name"))?;
        let status_text = string(required(c.status, &at("status"))?, &at("status"))?;
        let status = CampaignStatus::parse(&status_text).ok_or_else(|| {
            ImportError::at(
                at("status"),
                "status must be one of active, paused, archived, draft",
            )
        })?;
        batch.campaigns.push(CampaignRecord {
            id,
            partner_id,
            name,
            status,
        });
    }

    batch.instances = instances(&raw.instances)?;
    Ok(batch)
}

/// Checks the instances on every core (a million of them take a while on one), and
/// reports the first bad one in file order. Duplicate ids are found by the store,
/// which sorts by id anyway.
fn instances(raw: &[RawInstance<'_>]) -> Result<Vec<InstanceRecord>, ImportError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let chunk = raw.len().div_ceil(threads).max(1024);
    let parts: Vec<Result<Vec<InstanceRecord>, ImportError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = raw
            .chunks(chunk)
            .enumerate()
            .map(|(c, part)| {
                scope.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(k, r)| instance(c * chunk + k, r))
                        .collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(ImportError::at("", "checking the instances failed")))
            })
            .collect()
    });
    let mut all = Vec::with_capacity(raw.len());
    for part in parts {
        all.extend(part?);
    }
    Ok(all)
}

/// The location of a field of instance `i`, built only when there is an error to report.
struct At(usize);

impl At {
    fn field(&self, field: &str) -> String {
        format!("instances[{}].{field}", self.0)
    }
}

fn instance(i: usize, r: &RawInstance<'_>) -> Result<InstanceRecord, ImportError> {
    let at = At(i);
    let id = |raw: Option<&RawValue>, field: &str| -> Result<Uuid, ImportError> {
        raw.and_then(fast_uuid)
            .map_or_else(|| uuid_field(raw, &at.field(field)), Ok)
    };
    let instance_id = id(r.instance_id, "instance_id")?;
    let campaign_id = id(r.campaign_id, "campaign_id")?;
    let insider_id = id(r.insider_id, "insider_id")?;
    let is_purchase = match r.is_purchase.map(RawValue::get) {
        Some("true") => true,
        Some("false") => false,
        None => return Err(ImportError::at(at.field("is_purchase"), "is required")),
        Some(_) => {
            return Err(ImportError::at(
                at.field("is_purchase"),
                "is_purchase must be true or false",
            ))
        }
    };
    let purchased_insider_id = match (is_purchase, r.purchased_insider_id) {
        (true, None) => {
            return Err(ImportError::at(
                at.field("purchased_insider_id"),
                "a purchase needs a purchased_insider_id",
            ))
        }
        (true, Some(raw)) => Some(id(Some(raw), "purchased_insider_id")?),
        (false, None) => None,
        (false, Some(_)) => {
            return Err(ImportError::at(
                at.field("purchased_insider_id"),
                "a non-purchase must have a null purchased_insider_id",
            ))
        }
    };
    let timestamp_us = match r.timestamp {
        Some(raw) => timestamp(raw).ok_or_else(|| {
            ImportError::at(
                at.field("timestamp"),
                "must be an RFC 3339 timestamp such as 2026-11-20T14:03:11Z",
            )
        })?,
        None => return Err(ImportError::at(at.field("timestamp"), "is required")),
    };
    let revenue_cents = match r.revenue {
        None => 0,
        Some(raw) => revenue(raw.get()).map_err(|m| ImportError::at(at.field("revenue"), m))?,
    };
    if !is_purchase && revenue_cents != 0 {
        return Err(ImportError::at(
            at.field("revenue"),
            "a non-purchase must have a revenue of 0",
        ));
    }
    Ok(InstanceRecord {
        campaign_id,
        row: InstanceRow {
            instance_id,
            insider_id,
            purchased_insider_id,
            timestamp_us,
            revenue_cents,
        },
    })
}

/// The common case of an id: a plain JSON string of a hyphenated UUID.
fn fast_uuid(raw: &RawValue) -> Option<Uuid> {
    let text = raw.get();
    parse_uuid(text.strip_prefix('"')?.strip_suffix('"')?)
}

fn required<'a>(raw: Option<&'a RawValue>, at: &str) -> Result<&'a RawValue, ImportError> {
    raw.ok_or_else(|| ImportError::at(at, "is required"))
}

/// A JSON string's text. Ids and timestamps never hold escapes, so the common case
/// borrows the text as it is in the file.
fn string<'a>(raw: &'a RawValue, at: &str) -> Result<Cow<'a, str>, ImportError> {
    let text = raw.get();
    let bytes = text.as_bytes();
    if bytes.len() >= 2
        && bytes[0] == b'"'
        && bytes[bytes.len() - 1] == b'"'
        && !text.contains('\\')
    {
        return Ok(Cow::Borrowed(&text[1..text.len() - 1]));
    }
    serde_json::from_str::<String>(text)
        .map(Cow::Owned)
        .map_err(|_| ImportError::at(at, "must be a string"))
}

fn uuid_field(raw: Option<&RawValue>, at: &str) -> Result<Uuid, ImportError> {
    let text = string(required(raw, at)?, at)?;
    parse_uuid(&text)
        .ok_or_else(|| ImportError::at(at, "must be a UUID written 8-4-4-4-12 hex digits"))
}

fn name_field(raw: Option<&RawValue>, at: &str) -> Result<String, ImportError> {
    let text = string(required(raw, at)?, at)?;
    if text.trim().is_empty() {
        return Err(ImportError::at(at, "must not be empty"));
    }
    Ok(text.into_owned())
}

fn timestamp(raw: &RawValue) -> Option<i64> {
    let text = string(raw, "").ok()?;
    DateTime::parse_from_rfc3339(&text)
        .ok()
        .map(|t| t.timestamp_micros())
}

/// A revenue exactly as written in the file, in cents: a JSON number, not negative,
/// with at most 2 decimals (`19.99`, `20`, `2.5e1` and `19.990` are fine; `19.999` is
/// not). Decided on the decimal text, so no binary rounding can hide a third decimal.
pub fn revenue(text: &str) -> Result<i64, &'static str> {
    if let Some(cents) = plain_cents(text) {
        return Ok(cents);
    }
    const NOT_A_NUMBER: &str = "revenue must be a number";
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => {
            let exp = rest[at + 1..].strip_prefix('+').unwrap_or(&rest[at + 1..]);
            let exp: i64 = exp.parse().map_err(|_| NOT_A_NUMBER)?;
            (&rest[..at], exp)
        }
        None => (rest, 0),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty()
        || !all_digits(int_part)
        || !all_digits(frac_part)
        || mantissa.ends_with('.')
    {
        return Err(NOT_A_NUMBER);
    }
    // value = digits × 10^(exponent − len(frac)); cents = value × 100.
    let digits: String = [int_part, frac_part].concat();
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Ok(0);
    }
    if negative {
        return Err("revenue must not be negative");
    }
    let shift = exponent
        .saturating_sub(frac_part.len() as i64)
        .saturating_add(2);
    let (kept, dropped) = if shift >= 0 {
        (digits, "")
    } else {
        let cut = digits.len().saturating_sub(shift.unsigned_abs() as usize);
        digits.split_at(cut)
    };
    if dropped.bytes().any(|b| b != b'0') {
        return Err("revenue must have at most 2 decimals");
    }
    let too_large = "revenue must be at most 10000000.00";
    let zeros = if shift > 0 { shift as usize } else { 0 };
    if kept.is_empty() {
        return Ok(0);
    }
    if kept.len() + zeros > 12 {
        return Err(too_large);
    }
    let mut cents: i64 = kept.parse().map_err(|_| NOT_A_NUMBER)?;
    for _ in 0..zeros {
        cents *= 10;
    }
    if cents > MAX_REVENUE_CENTS {
        return Err(too_large);
    }
    Ok(cents)
}

/// The usual spellings (`12`, `12.3`, `12.34`) without allocating; `None` for
/// anything else, which the general path then decides.
fn plain_cents(text: &str) -> Option<i64> {
    let (int_part, frac) = text.split_once('.').unwrap_or((text, ""));
    if int_part.is_empty()
        || int_part.len() > 9
        || frac.len() > 2
        || (text.contains('.') && frac.is_empty())
    {
        return None;
    }
    let mut cents: i64 = 0;
    for b in int_part
        .bytes()
        .chain(frac.bytes())
        .chain(std::iter::repeat_n(b'0', 2 - frac.len()))
    {
        if !b.is_ascii_digit() {
            return None;
        }
        cents = cents * 10 + i64::from(b - b'0');
    }
    (cents <= MAX_REVENUE_CENTS).then_some(cents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revenue_is_read_exactly() {
        for (text, cents) in [
            ("0", 0),
            ("-0", 0),
            ("0.0", 0),
            ("19.99", 1999),
            ("19.990", 1999),
            ("20", 2000),
            ("2.5e1", 2500),
            ("1999e-2", 1999),
            ("1E2", 10000),
            ("0.01", 1),
            ("10000000", 1_000_000_000),
            ("0.000e5", 0),
        ] {
            assert_eq!(revenue(text), Ok(cents), "{text}");
        }
        for text in [
            "19.999",
            "0.001",
            "1e-3",
            "-1",
            "-0.01",
            "\"1\"",
            "true",
            "1.",
            ".5",
            "1e",
            "10000000.01",
            "1e30",
            "abc",
        ] {
            assert!(revenue(text).is_err(), "{text} accepted");
        }
    }

    const P: &str = "11111111-1111-4111-8111-111111111111";
    const C: &str = "22222222-2222-4222-8222-222222222222";

    fn fixture(instance: &str) -> String {
        format!(
            r#"{{"partners":[{{"id":"{P}","name":"Acme","keys":["sk_test_0123456789abcdefABCDEF0123456789"]}}],
            "campaigns":[{{"id":"{C}","partner_id":"{P}","name":"Spring","status":"active"}}],
            "instances":[{instance}]}}"#
        )
    }

    fn instance(overrides: &[(&str, &str)]) -> String {
        let mut fields = vec![
            (
                "instance_id",
                "\"33333333-3333-4333-8333-333333333333\"".to_owned(),
            ),
            ("campaign_id", format!("\"{C}\"")),
            (
                "insider_id",
                "\"44444444-4444-4444-8444-444444444444\"".to_owned(),
            ),
            ("is_purchase", "true".to_owned()),
            (
                "purchased_insider_id",
                "\"55555555-5555-4555-8555-555555555555\"".to_owned(),
            ),
            ("timestamp", "\"2026-11-20T14:03:11Z\"".to_owned()),
            ("revenue", "19.99".to_owned()),
        ];
        for (name, value) in overrides {
            fields.retain(|(n, _)| n != name);
            if !value.is_empty() {
                fields.push((name, (*value).to_owned()));
            }
        }
        let body: Vec<String> = fields.iter().map(|(n, v)| format!("\"{n}\":{v}")).collect();
        format!("{{{}}}", body.join(","))
    }

    #[test]
    fn a_good_fixture_parses() {
        let batch = parse_fixture(&fixture(&instance(&[]))).unwrap();
        assert_eq!(batch.instances[0].row.revenue_cents, 1999);
        assert_eq!(batch.instances[0].row.timestamp_us, 1_795_183_391_000_000);
        assert_eq!(batch.partners[0].keys.len(), 1);
    }

    #[test]
    fn bad_records_name_index_and_field() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("revenue", "-1")], "instances[0].revenue"),
            (&[("revenue", "1.999")], "instances[0].revenue"),
            (
                &[("purchased_insider_id", "")],
                "instances[0].purchased_insider_id",
            ),
            (
                &[("purchased_insider_id", "null")],
                "instances[0].purchased_insider_id",
            ),
            (
                &[("is_purchase", "false"), ("purchased_insider_id", "null")],
                "instances[0].revenue",
            ),
            (
                &[("is_purchase", "false"), ("revenue", "0")],
                "instances[0].purchased_insider_id",
            ),
            (
                &[("timestamp", "\"2026-11-20 14:03\"")],
                "instances[0].timestamp",
            ),
            (
                &[("timestamp", "\"2026-02-30T00:00:00Z\"")],
                "instances[0].timestamp",
            ),
            (&[("instance_id", "\"nope\"")], "instances[0].instance_id"),
            (&[("insider_id", "")], "instances[0].insider_id"),
            (&[("is_purchase", "\"yes\"")], "instances[0].is_purchase"),
        ];
        for (overrides, location) in cases {
            let err = parse_fixture(&fixture(&instance(overrides))).unwrap_err();
            assert_eq!(err.location, *location, "{overrides:?}: {err}");
        }
        assert_eq!(parse_fixture("[1]").unwrap_err().location, "");
    }
}
