//! Extended DNS Errors (RFC 8914): EDNS option 15 in the OPT record.
//!
//! ```text
//! OPTION-CODE = 15 | OPTION-LENGTH | INFO-CODE (16 bits) | EXTRA-TEXT (rest, UTF-8)
//! ```

use std::fmt;

/// EDNS(0) option code of an Extended DNS Error.
pub const EDE_OPTION_CODE: u16 = 15;

/// One Extended DNS Error from a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtendedError {
    /// The INFO-CODE (RFC 8914 §4, IANA "Extended DNS Error Codes").
    pub info_code: u16,
    /// The EXTRA-TEXT. Invalid UTF-8 is already replaced, one U+FFFD per bad
    /// byte, which is what Boulder's `va/utf8filter.go: replaceInvalidUTF8`
    /// later does to the whole problem detail.
    pub extra_text: String,
}

/// Why an EDE option could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtendedErrorTooShort {
    /// The OPTION-LENGTH, below the 2 bytes of INFO-CODE.
    pub len: usize,
}

impl ExtendedError {
    /// Reads the option data of an EDE option (after code and length).
    ///
    /// Mirrors miekg/dns `EDNS0_EDE.unpack`: fewer than 2 bytes is an error,
    /// the rest is the extra text.
    pub fn decode(data: &[u8]) -> Result<ExtendedError, ExtendedErrorTooShort> {
        match data {
            [high, low, text @ ..] => Ok(ExtendedError {
                info_code: u16::from_be_bytes([*high, *low]),
                extra_text: replace_invalid_utf8(text),
            }),
            _ => Err(ExtendedErrorTooShort { len: data.len() }),
        }
    }

    /// Boulder's summary of the INFO-CODE, from `bdns/problem.go:
    /// extendedErrorCodeToString` (miekg/dns's names, with "DNSSEC: " in front
    /// of the DNSSEC ones). `None` for a code not in the map.
    pub fn summary(&self) -> Option<&'static str> {
        Some(match self.info_code {
            0 => "Other",
            1 => "DNSSEC: Unsupported DNSKEY Algorithm",
            2 => "DNSSEC: Unsupported DS Digest Type",
            3 => "Stale Answer",
            4 => "Forged Answer",
            5 => "DNSSEC: Indeterminate",
            6 => "DNSSEC: Bogus",
            7 => "DNSSEC: Signature Expired",
            8 => "DNSSEC: Signature Not Yet Valid",
            9 => "DNSSEC: DNSKEY Missing",
            10 => "DNSSEC: RRSIGs Missing",
            11 => "DNSSEC: No Zone Key Bit Set",
            12 => "DNSSEC: NSEC Missing",
            13 => "Cached Error",
            14 => "Not Ready",
            15 => "Blocked",
            16 => "Censored",
            17 => "Filtered",
            18 => "Prohibited",
            19 => "Stale NXDOMAIN Answer",
            20 => "Not Authoritative",
            21 => "Not Supported",
            22 => "No Reachable Authority",
            23 => "Network Error between Resolver and Authority",
            24 => "Invalid Data",
            _ => return None,
        })
    }
}

/// The tail of Boulder's EDE message (`bdns/problem.go: Error.Error`):
/// the summary, or `Unknown Extended DNS Error code <n>`, then `: <extra
/// text>` when the extra text is not empty.
impl fmt::Display for ExtendedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.summary() {
            Some(summary) => f.write_str(summary)?,
            None => write!(f, "Unknown Extended DNS Error code {}", self.info_code)?,
        }
        if !self.extra_text.is_empty() {
            write!(f, ": {}", self.extra_text)?;
        }
        Ok(())
    }
}

impl fmt::Display for ExtendedErrorTooShort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "extended DNS error option of {} bytes (need 2)",
            self.len
        )
    }
}

impl std::error::Error for ExtendedErrorTooShort {}

/// Port of `va/utf8filter.go: replaceInvalidUTF8`: Go's `range` over a
/// string yields one U+FFFD for every byte that does not start a valid
/// encoding.
fn replace_invalid_utf8(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(valid) => {
                out.push_str(valid);
                return out;
            }
            Err(error) => {
                let (valid, rest) = bytes.split_at(error.valid_up_to());
                // `valid` was just checked by `from_utf8`.
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                // The bad bytes are a lead byte and continuation bytes, and
                // no continuation byte can start a character, so Go sees one
                // bad byte at a time.
                let bad = error.error_len().unwrap_or(rest.len());
                out.extend(std::iter::repeat_n('\u{FFFD}', bad));
                bytes = rest.get(bad..).unwrap_or_default();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ede(info_code: u16, extra_text: &str) -> ExtendedError {
        ExtendedError {
            info_code,
            extra_text: extra_text.to_string(),
        }
    }

    #[test]
    fn decode_table() {
        #[rustfmt::skip]
        let cases: &[(&[u8], Result<ExtendedError, ExtendedErrorTooShort>)] = &[
            // no bytes at all
            (b"", Err(ExtendedErrorTooShort { len: 0 })),
            // half an INFO-CODE
            (b"\x00", Err(ExtendedErrorTooShort { len: 1 })),
            // INFO-CODE alone: empty extra text
            (b"\x00\x06", Ok(ede(6, ""))),
            // INFO-CODE and text
            (b"\x00\x06DNSSEC Bogus", Ok(ede(6, "DNSSEC Bogus"))),
            // big-endian code
            (b"\x05\x39", Ok(ede(1337, ""))),
            // valid UTF-8 is kept
            (b"\x00\x00caf\xc3\xa9", Ok(ede(0, "caf\u{e9}"))),
            // one replacement per invalid byte, as Go's range does
            (b"\x00\x00a\xff\xfeb", Ok(ede(0, "a\u{FFFD}\u{FFFD}b"))),
            // a cut-off 3-byte sequence is two bad bytes in Go
            (b"\x00\x00\xe2\x82z", Ok(ede(0, "\u{FFFD}\u{FFFD}z"))),
            // ... also at the very end
            (b"\x00\x00z\xe2\x82", Ok(ede(0, "z\u{FFFD}\u{FFFD}"))),
            // an encoded surrogate is three bad bytes
            (b"\x00\x00\xed\xa0\x80", Ok(ede(0, "\u{FFFD}\u{FFFD}\u{FFFD}"))),
        ];
        for (data, want) in cases {
            assert_eq!(ExtendedError::decode(data), *want, "{data:?}");
        }
    }

    #[test]
    fn display_matches_boulder() {
        #[rustfmt::skip]
        let cases: &[(ExtendedError, &str)] = &[
            // first code in Boulder's map
            (ede(0, ""), "Other"),
            // bdns/problem_test.go: InfoCode 1, "oh no"
            (ede(1, "oh no"), "DNSSEC: Unsupported DNSKEY Algorithm: oh no"),
            // bdns/problem_test.go: InfoCode 6, no extra text
            (ede(6, ""), "DNSSEC: Bogus"),
            (ede(7, ""), "DNSSEC: Signature Expired"),
            (ede(23, ""), "Network Error between Resolver and Authority"),
            // last code in Boulder's map
            (ede(24, "x"), "Invalid Data: x"),
            // first code past the map (RFC 9276's 25 and later are not in it)
            (ede(25, ""), "Unknown Extended DNS Error code 25"),
            // bdns/problem_test.go: InfoCode 1337, "mysterious"
            (ede(1337, "mysterious"), "Unknown Extended DNS Error code 1337: mysterious"),
            // largest code
            (ede(65535, ""), "Unknown Extended DNS Error code 65535"),
        ];
        for (error, want) in cases {
            assert_eq!(error.to_string(), *want);
        }
    }

    #[test]
    fn every_code_in_the_map_has_a_summary() {
        for code in 0..=24 {
            assert!(ede(code, "").summary().is_some(), "{code}");
        }
    }
}
