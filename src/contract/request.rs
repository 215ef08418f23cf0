//! Validation of a request as it arrives in a URL: the campaign id from the path and the
//! raw query string, where duplicated and unknown parameters become visible.

use super::field::{Code, Field, FieldError};
use super::query::{check_fields, Outcome, QueryInput, Validation};
use super::scalar::hex_value;
use siphasher::sip::SipHasher13;
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::OnceLock;

/// Validates an analytics request: `campaign_id` as in the path, `query_string` as in the
/// URL (a leading `?` is optional; `+` and percent-escapes are decoded as browsers do).
///
/// Beyond [`validate_query`](super::validate_query) this sees a parameter given twice
/// (`duplicate_parameter`, an error on that parameter) and parameters the endpoint does not
/// know (`unknown_parameter`, a warning).
///
/// ```
/// use campaign_analytics::contract::{validate_request, Code};
/// let v = validate_request(
///     "123e4567-e89b-12d3-a456-426614174000",
///     "?time_frame=custom_range&start_date=2024-02-01&end_date=2024%2D02%2D29&utm=x",
/// );
/// assert!(v.is_valid());
/// assert_eq!(v.warnings()[0].code, Code::UnknownParameter);
///
/// let v = validate_request("123e4567-e89b-12d3-a456-426614174000", "time_frame=per_day&limit=5&limit=6");
/// assert_eq!(v.errors()[0].field, "limit");
/// assert_eq!(v.errors()[0].code, Code::DuplicateParameter);
/// ```
pub fn validate_request(campaign_id: &str, query_string: &str) -> Validation {
    let request = check_request(campaign_id, query_string);
    let mut validation = request.fields.into_validation();
    for (name, count) in &request.unknown {
        if *count > 1 {
            validation.push_error(FieldError::unknown(name, Code::DuplicateParameter));
        } else {
            validation.push_warning(FieldError::unknown(name, Code::UnknownParameter));
        }
    }
    validation
}

/// What the rules say about a request, before any message is written: the outcome on the
/// known fields, and each other parameter name with how often it was given (in order of
/// first appearance; more than once is a `duplicate_parameter` error, once an
/// `unknown_parameter` warning).
pub(crate) struct RequestOutcome<'a> {
    pub(crate) fields: Outcome,
    pub(crate) unknown: Vec<(Cow<'a, str>, usize)>,
}

pub(crate) fn check_request<'a>(campaign_id: &str, query_string: &'a str) -> RequestOutcome<'a> {
    let query_string = query_string.strip_prefix('?').unwrap_or(query_string);
    let mut params = RawParams::parse(query_string);

    let mut input = QueryInput {
        campaign_id: Some(campaign_id),
        ..QueryInput::default()
    };
    let mut duplicated = [false; 7];
    for (field, given) in Field::ALL.into_iter().zip(&params.known) {
        if let Some((value, count)) = given {
            input.set(field, Some(value.as_ref()));
            duplicated[field.index()] = *count > 1;
        }
    }

    // `campaign_id` belongs to the path: once in the query string it is merely unknown,
    // but given twice there it is a duplicate of the campaign_id field itself (reported in
    // that field's place, so each field still gets at most one error).
    let query_campaign_id =
        |name: &str, count: usize| count > 1 && name == Field::CampaignId.name();
    duplicated[Field::CampaignId.index()] = params
        .unknown
        .iter()
        .any(|(name, count)| query_campaign_id(name, *count));
    let fields = check_fields(&input, duplicated);
    params
        .unknown
        .retain(|(name, count)| !query_campaign_id(name, *count));
    RequestOutcome {
        fields,
        unknown: params.unknown,
    }
}

/// A decoded query string, grouped by parameter name in one pass: the cost is linear in
/// the query string's length, however many distinct names it holds.
struct RawParams<'a> {
    /// For each known query field (indexed by [`Field`]): its first value and how often
    /// it was given.
    known: [Option<(Cow<'a, str>, usize)>; 7],
    /// Other parameter names with how often each appeared, in order of first appearance.
    unknown: Vec<(Cow<'a, str>, usize)>,
}

impl<'a> RawParams<'a> {
    fn parse(query_string: &'a str) -> RawParams<'a> {
        let mut known: [Option<(Cow<'a, str>, usize)>; 7] = Default::default();
        // Unknown names map to (order of first appearance, count). A hash map, not a scan
        // of the names seen so far: a URL with 100,000 distinct names stays linear.
        let mut unknown: HashMap<Cow<'a, str>, (usize, usize), NameHashState> =
            HashMap::with_hasher(NameHashState::new());
        for (name, value) in form_pairs(query_string) {
            // campaign_id belongs to the path; in the query string it is just unknown.
            match Field::from_name(&name).filter(|f| *f != Field::CampaignId) {
                Some(field) => match &mut known[field.index()] {
                    Some((_, count)) => *count += 1,
                    slot @ None => *slot = Some((value, 1)),
                },
                None => {
                    let next = unknown.len();
                    unknown.entry(name).or_insert((next, 0)).1 += 1;
                }
            }
        }
        // Back into order of first appearance: positions are exactly 0..len.
        let mut ordered: Vec<Option<(Cow<'a, str>, usize)>> = Vec::new();
        ordered.resize_with(unknown.len(), || None);
        for (name, (position, count)) in unknown {
            if let Some(slot) = ordered.get_mut(position) {
                *slot = Some((name, count));
            }
        }
        RawParams {
            known,
            unknown: ordered.into_iter().flatten().collect(),
        }
    }
}

/// The pairs of an `application/x-www-form-urlencoded` query string, decoded as browsers
/// (and `URLSearchParams`) decode them: split at `&` (empty pieces skipped), name and
/// value at the first `=`, `+` is a space, `%XX` a byte (a `%` without two hex digits
/// stays as it is), and bytes that are not UTF-8 become U+FFFD.
fn form_pairs(query_string: &str) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    query_string
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
            (form_decode(name), form_decode(value))
        })
}

/// One decoded name or value. Most have neither `+` nor `%`: those are borrowed as they
/// are (a piece of a `str` cut at ASCII bytes is UTF-8 already).
fn form_decode(piece: &str) -> Cow<'_, str> {
    if !piece.bytes().any(|b| b == b'+' || b == b'%') {
        return Cow::Borrowed(piece);
    }
    let mut bytes = Vec::with_capacity(piece.len());
    let mut rest = piece.as_bytes().iter();
    while let Some(&b) = rest.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let ahead = rest.as_slice();
                let high = ahead.first().and_then(|&h| hex_value(h));
                let low = ahead.get(1).and_then(|&l| hex_value(l));
                match (high, low) {
                    (Some(high), Some(low)) => {
                        bytes.push(high << 4 | low);
                        rest.nth(1);
                    }
                    _ => bytes.push(b'%'),
                }
            }
            _ => bytes.push(b),
        }
    }
    match String::from_utf8(bytes) {
        Ok(text) => Cow::Owned(text),
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

/// Keys of the hash that groups parameter names. Secret and random, so that nobody can
/// precompute names that all collide and turn the grouping quadratic again.
static NAME_HASH_KEYS: OnceLock<(u64, u64)> = OnceLock::new();

/// Seeds the hashing of parameter names with 128 random bits, before the first
/// validation. Where the platform has an entropy source std uses it by itself (native
/// builds); WebAssembly has none, so a host that has one (the JS package, from
/// `crypto.getRandomValues`) passes it in. Returns false when the keys were already fixed
/// (seeding after the first validation has no effect).
pub fn seed_parameter_hashing(k0: u64, k1: u64) -> bool {
    NAME_HASH_KEYS.set((k0, k1)).is_ok()
}

/// SipHash-1-3 under [`NAME_HASH_KEYS`].
#[derive(Clone, Copy)]
struct NameHashState {
    k0: u64,
    k1: u64,
}

impl NameHashState {
    fn new() -> NameHashState {
        let &(k0, k1) = NAME_HASH_KEYS.get_or_init(|| {
            // std's own per-process keys (from the OS where there is one).
            let state = std::hash::RandomState::new();
            (state.hash_one(0u8), state.hash_one(1u8))
        });
        NameHashState { k0, k1 }
    }
}

impl BuildHasher for NameHashState {
    type Hasher = SipHasher13;
    fn build_hasher(&self) -> SipHasher13 {
        SipHasher13::new_with_keys(self.k0, self.k1)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::form_pairs;
    use proptest::prelude::*;

    /// The hand-written decoding against the `form_urlencoded` crate (the URL Standard's
    /// parser), on text made of the characters that matter and on arbitrary text.
    fn agrees(query: &str) -> Result<(), TestCaseError> {
        let ours: Vec<(String, String)> = form_pairs(query)
            .map(|(n, v)| (n.into_owned(), v.into_owned()))
            .collect();
        let theirs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(n, v)| (n.into_owned(), v.into_owned()))
            .collect();
        prop_assert_eq!(ours, theirs, "{:?}", query);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn decoding_agrees_with_the_url_standard(query in "[%+=&aZ0-9fFgé😀 ]{0,24}") {
            agrees(&query)?;
        }

        #[test]
        fn decoding_agrees_on_arbitrary_text(query in any::<String>()) {
            agrees(&query)?;
        }
    }

    #[test]
    fn decoding_edge_cases() {
        for query in [
            "%",
            "%4",
            "%4g",
            "%41%",
            "a=%ZZ&b=%e2%82",
            "%F0%9F%98%80=%C3",
            "+=+",
            "==&&=",
            "%2525",
            "a=b=c",
        ] {
            agrees(query).unwrap();
        }
    }
}
