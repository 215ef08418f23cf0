//! The scalar rules of contract §1: UUIDs, dates and bounded integers, each strict
//! about its exact textual form (no trimming, no signs, no alternative spellings).

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

/// A hyphenated `8-4-4-4-12` hex UUID in any case, and nothing else: braces, `urn:uuid:`,
/// the 32-digit simple form and surrounding spaces are all rejected. Any version, nil included.
/// The one reading of an id everywhere: request paths, request ids, fixtures.
///
/// ```
/// use campaign_analytics::contract::parse_uuid;
/// assert!(parse_uuid("123E4567-e89b-12d3-a456-426614174000").is_some());
/// assert!(parse_uuid("{123e4567-e89b-12d3-a456-426614174000}").is_none());
/// ```
pub fn parse_uuid(text: &str) -> Option<Uuid> {
    let bytes = text.as_bytes();
    if bytes.len() != 36 {
        return None;
    }
    // One pass: the shape and the 16 bytes together.
    let mut value = [0u8; 16];
    let mut digits = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if b != b'-' {
                return None;
            }
        } else {
            let nibble = hex_value(b)?;
            if let Some(byte) = value.get_mut(digits / 2) {
                *byte = *byte << 4 | nibble;
            }
            digits += 1;
        }
    }
    Some(Uuid::from_bytes(value))
}

/// The value of an ASCII hex digit, either case.
pub(crate) fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `YYYY-MM-DD` with exactly 4+2+2 ASCII digits, naming a real day of the proleptic
/// Gregorian calendar (`2024-02-29` exists, `2025-02-29` does not).
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)
}

/// `YYYY-MM-DD`, for dates within years 0000–9999 (what [`parse_date`] accepts).
pub(crate) fn iso_date(date: NaiveDate) -> String {
    let mut out = String::with_capacity(10);
    write_date(&mut out, date);
    out
}

/// Appends `YYYY-MM-DD`. Written by hand: chrono's strftime machinery (and even
/// `format!`) would weigh on the JS package, which writes dates on hot paths.
pub(crate) fn write_date(out: &mut String, date: NaiveDate) {
    let digit = |n: u32| char::from(b'0' + (n % 10) as u8);
    let year = date.year().clamp(0, 9999) as u32;
    for n in [year / 1000, year / 100, year / 10, year] {
        out.push(digit(n));
    }
    out.push('-');
    out.push(digit(date.month() / 10));
    out.push(digit(date.month()));
    out.push('-');
    out.push(digit(date.day() / 10));
    out.push(digit(date.day()));
}

/// Appends `n` in decimal.
pub(crate) fn write_decimal(out: &mut String, n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

/// Appends the lower-case hyphenated form of `id`.
pub(crate) fn write_uuid(out: &mut String, id: Uuid) {
    let mut buffer = Uuid::encode_buffer();
    out.push_str(id.hyphenated().encode_lower(&mut buffer));
}

/// Why an integer parameter was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntegerError {
    /// Not made of ASCII digits only (`+1`, `-1`, `1.0`, `1e2`, ` 1`).
    NotDigits,
    /// Digits, but outside the allowed range.
    OutOfRange,
}

/// Digits only (leading zeros allowed: `007` is 7), within `min..=max`.
/// Arbitrarily long digit strings are out of range, never an overflow.
pub(crate) fn parse_bounded(text: &str, min: u32, max: u32) -> Result<u32, IntegerError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IntegerError::NotDigits);
    }
    let significant = text.trim_start_matches('0');
    // u32::MAX has 10 digits: anything longer is out of range for every caller.
    if significant.len() > 10 {
        return Err(IntegerError::OutOfRange);
    }
    let value = significant
        .bytes()
        .fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0'));
    match u32::try_from(value) {
        Ok(v) if (min..=max).contains(&v) => Ok(v),
        _ => Err(IntegerError::OutOfRange),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_shapes() {
        assert!(parse_uuid("123e4567-e89b-12d3-a456-426614174000").is_some());
        assert!(parse_uuid("123E4567-E89B-12D3-A456-426614174000").is_some());
        assert!(parse_uuid("00000000-0000-0000-0000-000000000000").is_some());
        assert_eq!(
            parse_uuid("123E4567-e89b-12D3-A456-426614174000"),
            Uuid::try_parse("123e4567-e89b-12d3-a456-426614174000").ok()
        );
        assert_eq!(
            parse_uuid("ffffffff-ffff-ffff-ffff-ffffffffffff"),
            Some(Uuid::max())
        );
        for bad in [
            "",
            "{123e4567-e89b-12d3-a456-426614174000}",
            "urn:uuid:123e4567-e89b-12d3-a456-426614174000",
            "123e4567e89b12d3a456426614174000",
            " 123e4567-e89b-12d3-a456-426614174000",
            "123e4567-e89b-12d3-a456-426614174000 ",
            "123e4567-e89b-12d3-a456-42661417400g",
            "123e4567-e89b-12d3a-456-426614174000",
            "123e4567-e89b-12d3-a456-4266141740000",
            "123e4567-e89b-12d3-a456-42661417400",
            "１23e4567-e89b-12d3-a456-42661417400",
        ] {
            assert!(parse_uuid(bad).is_none(), "{bad:?} accepted");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_date("2024-02-29"),
            NaiveDate::from_ymd_opt(2024, 2, 29)
        );
        assert_eq!(parse_date("0001-01-01"), NaiveDate::from_ymd_opt(1, 1, 1));
        assert_eq!(
            parse_date("9999-12-31"),
            NaiveDate::from_ymd_opt(9999, 12, 31)
        );
        for bad in [
            "2025-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-01-00",
            "2024-04-31",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            "2024-01-01T00:00:00",
            " 2024-01-01",
            "2024-01-1 ",
            "+024-01-01",
            "２０２４-01-01",
            "",
            "2024-01-0a",
        ] {
            assert!(parse_date(bad).is_none(), "{bad:?} accepted");
        }
    }

    #[test]
    fn writers() {
        let mut out = String::new();
        for n in [0, 7, 10, 2_147_483_647, u32::MAX] {
            out.clear();
            write_decimal(&mut out, n);
            assert_eq!(out, n.to_string());
        }
        for (y, m, d, text) in [
            (0, 1, 1, "0000-01-01"),
            (987, 12, 31, "0987-12-31"),
            (2024, 2, 29, "2024-02-29"),
            (9999, 12, 31, "9999-12-31"),
        ] {
            assert_eq!(iso_date(NaiveDate::from_ymd_opt(y, m, d).unwrap()), text);
        }
        out.clear();
        write_uuid(
            &mut out,
            Uuid::parse_str("123E4567-E89B-12D3-A456-426614174000").unwrap(),
        );
        assert_eq!(out, "123e4567-e89b-12d3-a456-426614174000");
    }

    #[test]
    fn bounded_integers() {
        assert_eq!(parse_bounded("007", 1, 100), Ok(7));
        assert_eq!(parse_bounded("0000000000000000000001", 1, 100), Ok(1));
        assert_eq!(parse_bounded("2147483647", 1, 2147483647), Ok(2147483647));
        assert_eq!(
            parse_bounded("2147483648", 1, 2147483647),
            Err(IntegerError::OutOfRange)
        );
        assert_eq!(
            parse_bounded("99999999999999999999999", 1, 100),
            Err(IntegerError::OutOfRange)
        );
        assert_eq!(
            parse_bounded("4294967296", 1, 100),
            Err(IntegerError::OutOfRange)
        );
        assert_eq!(parse_bounded("0", 1, 100), Err(IntegerError::OutOfRange));
        for bad in ["+1", "-1", "1.0", "1e2", " 1", "1 ", "", "٣", "0x10"] {
            assert_eq!(
                parse_bounded(bad, 1, 100),
                Err(IntegerError::NotDigits),
                "{bad:?}"
            );
        }
    }
}
