//! Certificate validity times as cryptobyte reads them (`ReadASN1UTCTime`,
//! `ReadASN1GeneralizedTime`): Go's `time.Parse` with a fixed layout, and the text must be
//! exactly what `Format` would write back. Only validity matters here: the checker never
//! compares certificate times with a clock (Boulder does not verify certificates).

use super::der::tag;

/// True when Go accepts `contents` as a time of this tag.
pub(crate) fn valid_time(tag: u8, contents: &[u8]) -> bool {
    match tag {
        tag::UTC_TIME => utc_time(contents),
        tag::GENERALIZED_TIME => generalized_time(contents),
        _ => false,
    }
}

/// `YYMMDDhhmm[ss]` then `Z` or `±hhmm` (layouts "060102150405Z0700", then without seconds).
fn utc_time(text: &[u8]) -> bool {
    let (Some(year), Some(rest)) = (number(text, 0, 2), text.get(2..)) else {
        return false;
    };
    // Two-digit years: 50-99 are 19xx, 00-49 are 20xx; only leap years matter here.
    let year = if year >= 50 { 1900 + year } else { 2000 + year };
    [10usize, 8].iter().any(|&digits| {
        rest.len() > digits && date_time(year, &rest[..digits]) && zone(&rest[digits..])
    })
}

/// `YYYYMMDDhhmmss` then `Z` or `±hhmm`, no fractions (layout "20060102150405Z0700").
fn generalized_time(text: &[u8]) -> bool {
    let Some(year) = number(text, 0, 4) else {
        return false;
    };
    text.len() > 14 && date_time(year, &text[4..14]) && zone(&text[14..])
}

/// `MMDDhhmm[ss]` with Go's ranges (the day must exist in that month).
fn date_time(year: u32, text: &[u8]) -> bool {
    let field = |i: usize| number(text, i, 2);
    let (Some(month), Some(day), Some(hour), Some(minute)) =
        (field(0), field(2), field(4), field(6))
    else {
        return false;
    };
    let second_ok = text.len() == 8 || field(8).is_some_and(|s| s < 60);
    (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
        && hour < 24
        && minute < 60
        && second_ok
}

/// `Z`, or a non-zero `±hhmm` offset (a zero offset is written back as `Z`, so it fails).
fn zone(text: &[u8]) -> bool {
    match text {
        [b'Z'] => true,
        [b'+' | b'-', digits @ ..] if digits.len() == 4 => {
            match (number(digits, 0, 2), number(digits, 2, 2)) {
                (Some(hours), Some(minutes)) => hours < 24 && minutes < 60 && hours + minutes > 0,
                _ => false,
            }
        }
        _ => false,
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The decimal number in `text[start..start + width]`, if all digits.
fn number(text: &[u8], start: usize, width: usize) -> Option<u32> {
    let digits = text.get(start..start.checked_add(width)?)?;
    digits.iter().try_fold(0u32, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::valid_time;
    use crate::tls::der::tag::{GENERALIZED_TIME, UTC_TIME};

    #[test]
    fn times_like_cryptobyte() {
        let rows: [(u8, &str, bool); 16] = [
            (UTC_TIME, "250101000000Z", true),              // the usual form
            (UTC_TIME, "2501010000Z", true),                // minute precision is tolerated
            (UTC_TIME, "250101000000+0100", true),          // an offset
            (UTC_TIME, "250101000000+0000", false),         // a zero offset writes back as Z
            (UTC_TIME, "250101000000", false),              // no zone
            (UTC_TIME, "251301000000Z", false),             // month 13
            (UTC_TIME, "250230000000Z", false),             // 30 February
            (UTC_TIME, "240229000000Z", true),              // 2024 is a leap year
            (UTC_TIME, "250229000000Z", false),             // 2025 is not
            (UTC_TIME, "250101000060Z", false),             // second 60
            (UTC_TIME, "250101240000Z", false),             // hour 24
            (GENERALIZED_TIME, "20250101000000Z", true),    // the usual form
            (GENERALIZED_TIME, "20250101000000.5Z", false), // fractions are refused
            (GENERALIZED_TIME, "202501010000Z", false),     // seconds are required
            (GENERALIZED_TIME, "21000229000000Z", false),   // 2100 is not a leap year
            (0x04, "250101000000Z", false),                 // not a time tag
        ];
        for (tag, text, expected) in rows {
            assert_eq!(valid_time(tag, text.as_bytes()), expected, "{text}");
        }
    }

    #[test]
    fn every_prefix_of_a_time_fails() {
        let whole = b"20250101000000Z";
        assert!(valid_time(GENERALIZED_TIME, whole));
        for cut in 0..whole.len() {
            assert!(!valid_time(GENERALIZED_TIME, &whole[..cut]), "{cut}");
        }
    }
}
