//! `Authorization: Bearer <key>`: the key's shape is checked with the shared contract
//! code, then its digest is looked up. The key itself goes nowhere else.

use axum::http::{header, HeaderMap};
use campaign_analytics::contract::SecretKey;

/// What the `Authorization` header holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Credential {
    /// No `Authorization` header at all.
    Missing,
    /// A header that is not `Bearer <well-formed key>`.
    Malformed,
    /// A well-formed key, still to be looked up.
    Key(SecretKey),
}

/// Reads the credential of a request. The scheme is case-insensitive (RFC 9110).
pub fn credential(headers: &HeaderMap) -> Credential {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Credential::Missing;
    };
    let Ok(text) = value.to_str() else {
        return Credential::Malformed;
    };
    let Some((scheme, token)) = text.trim().split_once(' ') else {
        return Credential::Malformed;
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Credential::Malformed;
    }
    match SecretKey::parse(token.trim()) {
        Ok(key) => Credential::Key(key),
        Err(_) => Credential::Malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn reads_bearer_keys() {
        let key = "sk_test_0123456789abcdefABCDEF0123456789";
        assert!(matches!(
            credential(&with(&format!("Bearer {key}"))),
            Credential::Key(_)
        ));
        assert!(matches!(
            credential(&with(&format!("bearer  {key}"))),
            Credential::Key(_)
        ));
        assert_eq!(credential(&HeaderMap::new()), Credential::Missing);
        for bad in [
            key,
            "Bearer",
            "Bearer sk_test_short",
            "Basic abc",
            &format!("Token {key}"),
        ] {
            assert_eq!(credential(&with(bad)), Credential::Malformed, "{bad}");
        }
    }
}
