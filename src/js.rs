//! The JS validator's wasm side (contract §2), under the package's hand-written JS
//! (`js/src/core.mjs`), which reads every JS value itself. Only numbers cross this
//! boundary: the JS writes the input texts (UTF-8) into a buffer here, calls one
//! function, and reads a compact result back from linear memory.
//!
//! Why: the wasm never calls into JS, so no JS code — a getter, a proxy trap, a
//! `toString` — can run, let alone throw, while a wasm frame is on the stack. An exception
//! unwinding through wasm frames skips their epilogues: the shadow stack pointer is never
//! given back, and a `RefCell` borrowed at that moment stays borrowed, which is how a
//! revoked `Proxy` used to poison the whole instance after a few thousand calls
//! (docs/decisions.md). The state kept between calls is held in `Cell`s that are taken
//! and put back, never borrowed: nothing here can be left "in use".
//!
//! Messages of the seven known fields depend only on field and code, so the JS asks for
//! each once ([`describe`]) and keeps it; a call then formats nothing it already has.

use crate::contract::{
    check_fields, check_request, write_date, AnalyticsQuery, Outcome, Period, QueryInput,
    CAMPAIGNS_PATH,
};
use crate::contract::{
    check_secret_key, seed_parameter_hashing, Code, Field, FieldError, KeyMode, PurchaseFilter,
    TimeFrame,
};
use std::borrow::Cow;
use std::cell::Cell;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The input texts, written by the JS at the address [`reserve_input`] returns.
    static INPUT: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
    /// The last result's words (layout in [`Written`]).
    static WORDS: Cell<Vec<u32>> = const { Cell::new(Vec::new()) };
    /// The last result's texts, one after another.
    static TEXT: Cell<String> = const { Cell::new(String::new()) };
}

/// An entry's field when it is named in the result's text rather than by index.
const NAMED_FIELD: u32 = 7;
/// An absent offset.
const NONE: u32 = u32::MAX;
/// The most input the package validates: 16 Mi UTF-16 units (JS string length) of texts
/// in all, which the JS asks room for as 3 bytes each (UTF-8's worst case). Far beyond any
/// URL (browsers stop near 2 MB, servers at 8–16 KiB), and small enough that the work
/// memory of the largest input stays well within wasm32's 4 GiB: running out of memory
/// would trap the instance, so it is ruled out up front rather than recovered from.
const MAX_INPUT_BYTES: usize = 3 * (16 << 20);
/// The message for an input beyond [`MAX_INPUT_BYTES`].
const TOO_LARGE_MESSAGE: &str =
    "the input is too large to validate: more than 16 million characters in all";
/// The message of a query string that is not a string (the only rule the JS applies
/// itself, since it is about a JS type).
const QUERY_STRING_MESSAGE: &str =
    "the query string must be a string such as \"?time_frame=per_day\"";

/// The module's memory, for the JS to write inputs and read results.
#[wasm_bindgen]
pub fn linear_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Seeds the hashing of parameter names (128 random bits from the host). Returns whether
/// the seed was taken (it must come before the first validation).
#[wasm_bindgen]
pub fn seed(a: u32, b: u32, c: u32, d: u32) -> bool {
    seed_parameter_hashing(
        u64::from(a) << 32 | u64::from(b),
        u64::from(c) << 32 | u64::from(d),
    )
}

/// Makes room for `bytes` of input and returns where to write them, or 0 when that is
/// more than [`MAX_INPUT_BYTES`] or more than memory can grow to (the JS then answers
/// `invalid_input` without calling in). The JS asks before every call and writes at once:
/// it keeps no address that a later growth could leave dangling.
#[wasm_bindgen]
pub fn reserve_input(bytes: usize) -> usize {
    if bytes > MAX_INPUT_BYTES {
        return 0;
    }
    INPUT.with(|cell| {
        let mut input = cell.take();
        if input.len() < bytes {
            // Geometric growth, so that inputs growing a little each call cost linear time.
            let roomy = bytes.max(2 * input.len()).min(MAX_INPUT_BYTES);
            for target in [roomy, bytes] {
                if input.try_reserve_exact(target - input.len()).is_ok() {
                    input.resize(target, 0);
                    break;
                }
            }
        }
        let address = if input.len() >= bytes {
            input.as_mut_ptr() as usize
        } else {
            0
        };
        cell.set(input);
        address
    })
}

/// Validates the seven fields of a query object (`validateAnalyticsQuery`): their texts
/// lie one after another in the input, `length < 0` meaning absent. Returns the address
/// of the result's words.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)] // one length per field of the contract, in its order
pub fn validate_fields(a: i32, b: i32, c: i32, d: i32, e: i32, f: i32, g: i32) -> usize {
    with_input(|input| {
        let mut texts: [Option<Cow<'_, str>>; 7] = Default::default();
        let mut rest = input;
        for (slot, length) in texts.iter_mut().zip([a, b, c, d, e, f, g]) {
            if let Ok(length) = usize::try_from(length) {
                let (text, after) = split(rest, length);
                *slot = Some(text);
                rest = after;
            }
        }
        let mut query = QueryInput::default();
        for (field, text) in Field::ALL.into_iter().zip(&texts) {
            query.set(field, text.as_deref());
        }
        write_result(&check_fields(&query, [false; 7]), &[])
    })
}

/// Validates a request as in a URL (`validateAnalyticsRequest`): the campaign id's
/// `id_length` bytes, then the query string's. Returns the address of the result's words.
#[wasm_bindgen]
pub fn validate_url(id_length: usize, query_length: usize) -> usize {
    with_input(|input| {
        let (campaign_id, rest) = split(input, id_length);
        let (query_string, _) = split(rest, query_length);
        let request = check_request(&campaign_id, &query_string);
        write_result(&request.fields, &request.unknown)
    })
}

/// Checks the secret key in the input's first `length` bytes (`validateSecretKey`):
/// 0 invalid, 1 live, 2 test. The key's bytes are wiped from the input afterwards.
#[wasm_bindgen]
pub fn check_key(length: usize) -> u32 {
    INPUT.with(|cell| {
        let mut input = cell.take();
        let mode = match check_secret_key(&split(&input, length).0).0 {
            Ok(KeyMode::Live) => 1,
            Ok(KeyMode::Test) => 2,
            Err(_) => 0,
        };
        let written = length.min(input.len());
        if let Some(key) = input.get_mut(..written) {
            key.fill(0);
        }
        cell.set(input);
        mode
    })
}

/// Writes one of the fixed texts the JS keeps (decoded once, at start or on first use)
/// and returns the address of `[text address, byte length]`, or 0 if there is no such
/// text. `table`: 0 field names, 1 codes, 2 time frames, 3 purchase filters (each by
/// index); 4 the message of field `index / 16` with code `index % 16`; 5 other messages
/// (0 an input that is not an object, 1 a query string that is not a string, 2 a key,
/// 3 an input beyond [`MAX_INPUT_BYTES`]).
#[wasm_bindgen]
pub fn describe(table: u32, index: u32) -> usize {
    let at = |list: &[&'static str]| list.get(index as usize).map(|s| Cow::Borrowed(*s));
    let text: Option<Cow<'static, str>> = match table {
        0 => at(&Field::ALL.map(Field::name)),
        1 => at(&Code::ALL.map(Code::as_str)),
        2 => at(&TimeFrame::ALL.map(TimeFrame::as_str)),
        3 => at(&PurchaseFilter::ALL.map(PurchaseFilter::as_str)),
        4 => Field::ALL
            .get((index / 16) as usize)
            .zip(Code::ALL.get((index % 16) as usize))
            .map(|(field, code)| Cow::Owned(FieldError::new(*field, *code).message)),
        5 => match index {
            0 => Some(Cow::Owned(FieldError::invalid_input().message)),
            1 => Some(Cow::Borrowed(QUERY_STRING_MESSAGE)),
            2 => check_secret_key("").0.err().map(|e| Cow::Owned(e.message)),
            3 => Some(Cow::Borrowed(TOO_LARGE_MESSAGE)),
            _ => None,
        },
        _ => None,
    };
    let Some(text) = text else { return 0 };
    let mut out = Written::new();
    out.text.push_str(&text);
    let (address, length) = (out.text.as_ptr() as usize, out.text.len());
    out.words.extend([address as u32, length as u32]);
    out.finish()
}

/// Runs `f` over the input written by the JS, putting the buffer back afterwards.
fn with_input(f: impl FnOnce(&[u8]) -> usize) -> usize {
    INPUT.with(|cell| {
        let input = cell.take();
        let address = f(&input);
        cell.set(input);
        address
    })
}

/// The first `length` bytes of `bytes` as text, and the rest. The JS writes well-formed
/// UTF-8, so this borrows; anything else would still decode, lossily, and never panic.
fn split(bytes: &[u8], length: usize) -> (Cow<'_, str>, &[u8]) {
    let (head, rest) = bytes.split_at_checked(length).unwrap_or((bytes, &[]));
    let text = match std::str::from_utf8(head) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(head),
    };
    (text, rest)
}

/// A result as the JS reads it: words, and texts referred to by UTF-16 offsets (so the
/// JS decodes all texts at once and slices them, without re-measuring).
///
/// Words: `[text address, text bytes, flags (1 valid, 2 text all ASCII), errors E,
/// warnings W]`, then E + W entries `[field (0..=6, or 7 named in the text), code,
/// offset, field length, message length]` (a named entry's field and message follow
/// one another at `offset`; lengths in UTF-16 units), then for a valid query
/// `[time frame, purchase filter, page, limit, path offset, path length, campaign id
/// offset, start date offset, end date offset]` (offsets into the whole text; no dates:
/// `u32::MAX`; an id is 36 units, a date 10).
struct Written {
    words: Vec<u32>,
    text: String,
    /// The text's length in UTF-16 units.
    units: u32,
    ascii: bool,
}

impl Written {
    /// Reuses the buffers of the previous result.
    fn new() -> Written {
        let mut words = WORDS.with(Cell::take);
        let mut text = TEXT.with(Cell::take);
        words.clear();
        text.clear();
        Written {
            words,
            text,
            units: 0,
            ascii: true,
        }
    }

    /// Appends `text` and returns its UTF-16 length.
    fn push_text(&mut self, text: &str) -> u32 {
        self.text.push_str(text);
        let units = if text.is_ascii() {
            text.len()
        } else {
            self.ascii = false;
            text.encode_utf16().count()
        };
        // Texts come from inputs that fit in memory: their lengths fit in u32.
        let units = units as u32;
        self.units += units;
        units
    }

    /// Keeps the buffers for the JS to read (and the next result to reuse), and returns
    /// the address of the words.
    fn finish(self) -> usize {
        let address = self.words.as_ptr() as usize;
        WORDS.with(|cell| cell.set(self.words));
        TEXT.with(|cell| cell.set(self.text));
        address
    }
}

/// Writes an outcome and the entries about unknown parameters, given with how often
/// each appeared (more than once: a `duplicate_parameter` error, else an
/// `unknown_parameter` warning), in the order `validate_request` lists them. Each named
/// entry goes straight into the text: a query string with a million names never holds
/// a million messages twice.
fn write_result(outcome: &Outcome, unknown: &[(Cow<'_, str>, usize)]) -> usize {
    let mut out = Written::new();
    let duplicates = unknown.iter().filter(|(_, count)| *count > 1).count() as u32;
    // A duplicated unknown parameter is an error too: then there is no query.
    let query = outcome.query.filter(|_| duplicates == 0);
    let query_words = query.map(|query| write_query(&mut out, &query));
    let known = |codes: &[Option<Code>; 7]| codes.iter().flatten().count() as u32;
    let errors = known(&outcome.errors) + duplicates;
    let warnings = known(&outcome.warnings) + unknown.len() as u32 - duplicates;
    out.words.extend([0, 0, 0, errors, warnings]);

    for (codes, duplicated) in [(&outcome.errors, true), (&outcome.warnings, false)] {
        for (field, code) in Field::ALL.into_iter().zip(codes) {
            if let Some(code) = code {
                out.words.extend([field as u32, *code as u32, 0, 0, 0]);
            }
        }
        for (name, _) in unknown
            .iter()
            .filter(|(_, count)| (*count > 1) == duplicated)
        {
            let code = if duplicated {
                Code::DuplicateParameter
            } else {
                Code::UnknownParameter
            };
            let entry = FieldError::unknown(name, code);
            let offset = out.units;
            let field = out.push_text(&entry.field);
            let message = out.push_text(&entry.message);
            out.words
                .extend([NAMED_FIELD, code as u32, offset, field, message]);
        }
    }
    if let Some(query_words) = query_words {
        out.words.extend(query_words);
    }
    out.words[0] = out.text.as_ptr() as u32;
    out.words[1] = out.text.len() as u32;
    out.words[2] = u32::from(query.is_some()) | u32::from(out.ascii) << 1;
    out.finish()
}

/// Writes the query's texts (all ASCII: the path, then the dates of a custom range) and
/// returns its words.
fn write_query(out: &mut Written, query: &AnalyticsQuery) -> [u32; 9] {
    let mut path = String::with_capacity(128);
    query.write_path(&mut path);
    let path_offset = out.units;
    let path_length = out.push_text(&path);
    // The id is in the path (`CAMPAIGNS_PATH/<id>/…`): the JS slices it out.
    let id_offset = path_offset + CAMPAIGNS_PATH.len() as u32 + 1;
    let (start, end) = match query.period() {
        Period::CustomRange(range) => {
            let mut date = |day| {
                let offset = out.units;
                let mut text = String::with_capacity(10);
                write_date(&mut text, day);
                out.push_text(&text);
                offset
            };
            (date(range.start()), date(range.end()))
        }
        _ => (NONE, NONE),
    };
    [
        query.time_frame() as u32,
        query.purchase() as u32,
        query.page(),
        query.limit(),
        path_offset,
        path_length,
        id_offset,
        start,
        end,
    ]
}
