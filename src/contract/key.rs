//! Secret keys (contract §2): `sk_live_` or `sk_test_` followed by exactly 32 ASCII
//! letters or digits. A key never appears in a `Debug` or `Display` output.

use super::field::{Code, FieldError};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// Whether a key is for live or test data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyMode {
    Live,
    Test,
}

/// A secret key of the right shape. Its text is only reachable through
/// [`SecretKey::expose`], so it cannot slip into a log line by `{:?}`.
///
/// ```
/// use campaign_analytics::contract::{KeyMode, SecretKey};
/// let key = SecretKey::parse("sk_test_0123456789abcdefABCDEF0123456789").unwrap();
/// assert_eq!(key.mode(), KeyMode::Test);
/// assert!(!format!("{key:?}").contains("0123456789abcdef"));
/// assert!(SecretKey::parse("sk_test_short").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SecretKey {
    text: String,
    mode: KeyMode,
}

/// The length of the part after the `sk_live_` / `sk_test_` prefix.
pub const KEY_BODY_LEN: usize = 32;

impl SecretKey {
    /// Checks the key's shape; the error is the `invalid_key` field error of contract §2.
    pub fn parse(text: &str) -> Result<SecretKey, FieldError> {
        let (mode, body) = if let Some(body) = text.strip_prefix("sk_live_") {
            (KeyMode::Live, body)
        } else if let Some(body) = text.strip_prefix("sk_test_") {
            (KeyMode::Test, body)
        } else {
            return Err(invalid_key());
        };
        if body.len() == KEY_BODY_LEN && body.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(SecretKey {
                text: text.to_owned(),
                mode,
            })
        } else {
            Err(invalid_key())
        }
    }

    /// Live or test.
    pub fn mode(&self) -> KeyMode {
        self.mode
    }

    /// The key itself, for the `Authorization` header and nothing else.
    pub fn expose(&self) -> &str {
        &self.text
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey({:?}, redacted)", self.mode)
    }
}

fn invalid_key() -> FieldError {
    FieldError {
        field: "key".to_owned(),
        message:
            "the secret key must be sk_live_ or sk_test_ followed by exactly 32 letters or digits"
                .to_owned(),
        code: Code::InvalidKey,
    }
}

/// `text` with every secret-key body in it replaced by `mask`: the ASCII letters and
/// digits after each `sk_live_` / `sk_test_`, when there are at least `min_body` of them
/// (shorter runs are left alone, e.g. a prefix mentioned in prose). The prefix stays, so
/// a reader still sees that a key was there.
///
/// ```
/// use campaign_analytics::contract::redact_keys;
/// let text = "bad key sk_test_0123456789abcdefABCDEF0123456789!";
/// assert_eq!(redact_keys(text, 0, "[redacted]"), "bad key sk_test_[redacted]!");
/// assert_eq!(redact_keys("keys start sk_live_", 16, "…"), "keys start sk_live_");
/// ```
pub fn redact_keys<'a>(text: &'a str, min_body: usize, mask: &str) -> Cow<'a, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    // Every position is tried, a body's own bytes included: a body ends at `_`, so a
    // second key can begin right where the first one's run of letters stops
    // (`sk_test_sk_test_…`), and it must not slip through.
    for at in 0..bytes.len() {
        let rest = &bytes[at..];
        if !(rest.starts_with(b"sk_live_") || rest.starts_with(b"sk_test_")) {
            continue;
        }
        let body = at + 8;
        let len = bytes[body..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if len < min_body || body < copied {
            continue;
        }
        // Prefixes and bodies are ASCII, so these are char boundaries; `get` rather than
        // indexing keeps the panic machinery (kilobytes of wasm) out of the JS package.
        let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
        out.push_str(text.get(copied..body).unwrap_or_default());
        out.push_str(mask);
        copied = body + len;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut out) => {
            out.push_str(text.get(copied..).unwrap_or_default());
            Cow::Owned(out)
        }
    }
}

/// The result of checking a key, shaped as the JS validator's
/// `{valid, mode: "live" | "test" | null, fields}`.
///
/// ```
/// use campaign_analytics::contract::check_secret_key;
/// let json = serde_json::to_value(check_secret_key("nope")).unwrap();
/// assert_eq!(json["valid"], false);
/// assert_eq!(json["mode"], serde_json::Value::Null);
/// assert_eq!(json["fields"][0]["code"], "invalid_key");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyCheck(pub Result<KeyMode, FieldError>);

/// Checks a key's shape without keeping it.
pub fn check_secret_key(text: &str) -> KeyCheck {
    KeyCheck(SecretKey::parse(text).map(|key| key.mode()))
}

impl Serialize for KeyCheck {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("valid", &self.0.is_ok())?;
        map.serialize_entry("mode", &self.0.as_ref().ok())?;
        let fields: &[FieldError] = match &self.0 {
            Ok(_) => &[],
            Err(e) => std::slice::from_ref(e),
        };
        map.serialize_entry("fields", fields)?;
        map.end()
    }
}
