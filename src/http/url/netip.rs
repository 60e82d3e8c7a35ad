//! IP literals as Go's `net/netip.ParseAddr` reads them (Go 1.26, `src/net/netip/netip.go`).
//!
//! Go 1.26's `url.Parse` checks bracketed hosts with it, and Boulder's redirect policy uses it
//! to tell an IP literal from a DNS name. Unlike `std`, it accepts an IPv6 zone (`fe80::1%eth0`)
//! and its errors have Go's exact text.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::http::go_quote;

/// A parsed `netip.Addr`: the address, and the IPv6 zone (empty when none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoAddr {
    ip: IpAddr,
    zone: Vec<u8>,
}

impl GoAddr {
    /// The address without its zone. IPv4-mapped IPv6 stays IPv6, as in Go.
    pub fn ip(&self) -> IpAddr {
        self.ip
    }

    /// The IPv6 zone after `%`, empty when there is none (Go's `Addr.Zone`).
    pub fn zone(&self) -> &[u8] {
        &self.zone
    }
}

/// Go's `parseAddrError`: `ParseAddr("<in>"): <msg>[ (at "<at>")]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseAddrError {
    input: Vec<u8>,
    msg: &'static str,
    at: Vec<u8>,
}

impl fmt::Display for ParseAddrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ParseAddr({}): {}", go_quote(&self.input), self.msg)?;
        if !self.at.is_empty() {
            write!(f, " (at {})", go_quote(&self.at))?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseAddrError {}

/// Port of `netip.ParseAddr`: dotted IPv4, or IPv6 with an optional `%zone`. The first `.`,
/// `:` or `%` decides which parser runs, as in Go.
pub fn parse_addr(s: &[u8]) -> Result<GoAddr, ParseAddrError> {
    for &c in s {
        match c {
            b'.' => return parse_ipv4(s),
            b':' => return parse_ipv6(s),
            b'%' => return Err(error(s, "missing IPv6 address", b"")),
            _ => {}
        }
    }
    Err(error(s, "unable to parse IP", b""))
}

fn error(input: &[u8], msg: &'static str, at: &[u8]) -> ParseAddrError {
    ParseAddrError {
        input: input.to_vec(),
        msg,
        at: at.to_vec(),
    }
}

fn parse_ipv4(s: &[u8]) -> Result<GoAddr, ParseAddrError> {
    let octets = parse_ipv4_fields(s, s)?;
    Ok(GoAddr {
        ip: IpAddr::V4(Ipv4Addr::from(octets)),
        zone: Vec::new(),
    })
}

/// Port of `parseIPv4Fields`: four decimal fields, no leading zeros, each at most 255.
/// Errors name `input` (the whole string given to `ParseAddr`).
fn parse_ipv4_fields(input: &[u8], s: &[u8]) -> Result<[u8; 4], ParseAddrError> {
    let mut fields = [0u8; 4];
    let (mut val, mut pos, mut digits) = (0u16, 0usize, 0u8);
    for (i, &c) in s.iter().enumerate() {
        if c.is_ascii_digit() {
            if digits == 1 && val == 0 {
                return Err(error(input, "IPv4 field has octet with leading zero", b""));
            }
            val = val * 10 + u16::from(c - b'0');
            digits += 1;
            if val > 255 {
                return Err(error(input, "IPv4 field has value >255", b""));
            }
        } else if c == b'.' {
            if i == 0 || i + 1 == s.len() || s.get(i - 1) == Some(&b'.') {
                return Err(error(
                    input,
                    "IPv4 field must have at least one digit",
                    &s[i..],
                ));
            }
            if pos == 3 {
                return Err(error(input, "IPv4 address too long", b""));
            }
            fields[pos] = u8::try_from(val).unwrap_or(u8::MAX);
            pos += 1;
            val = 0;
            digits = 0;
        } else {
            return Err(error(input, "unexpected character", &s[i..]));
        }
    }
    if pos < 3 {
        return Err(error(input, "IPv4 address too short", b""));
    }
    fields[3] = u8::try_from(val).unwrap_or(u8::MAX);
    Ok(fields)
}

/// Port of `parseIPv6`: groups of at most four hex digits, one `::`, an optional embedded
/// IPv4 address in the last 32 bits, and an optional non-empty `%zone`.
fn parse_ipv6(input: &[u8]) -> Result<GoAddr, ParseAddrError> {
    let (mut s, zone) = match input.iter().position(|&c| c == b'%') {
        Some(i) if i + 1 == input.len() => {
            return Err(error(input, "zone must be a non-empty string", b""))
        }
        Some(i) => (&input[..i], &input[i + 1..]),
        None => (input, &input[input.len()..]),
    };
    let mut ip = [0u8; 16];
    let mut ellipsis: Option<usize> = None;
    if s.starts_with(b"::") {
        ellipsis = Some(0);
        s = &s[2..];
        if s.is_empty() {
            return Ok(v6(ip, zone));
        }
    }
    let mut i = 0;
    while i < 16 {
        let (digits, acc) = hex_group(input, s)?;
        if s.get(digits) == Some(&b'.') {
            if ellipsis.is_none() && i != 12 {
                let msg = "embedded IPv4 address must replace the final 2 fields of the address";
                return Err(error(input, msg, s));
            }
            if i + 4 > 16 {
                let msg = "too many hex fields to fit an embedded IPv4 at the end of the address";
                return Err(error(input, msg, s));
            }
            let octets = parse_ipv4_fields(input, s)?;
            ip[i..i + 4].copy_from_slice(&octets);
            s = b"";
            i += 4;
            break;
        }
        ip[i..i + 2].copy_from_slice(&acc.to_be_bytes());
        i += 2;
        s = &s[digits..];
        if s.is_empty() {
            break;
        }
        if s[0] != b':' {
            return Err(error(input, "unexpected character, want colon", s));
        } else if s.len() == 1 {
            return Err(error(input, "colon must be followed by more characters", s));
        }
        s = &s[1..];
        if s[0] == b':' {
            if ellipsis.is_some() {
                return Err(error(input, "multiple :: in address", s));
            }
            ellipsis = Some(i);
            s = &s[1..];
            if s.is_empty() {
                break;
            }
        }
    }
    if !s.is_empty() {
        return Err(error(input, "trailing garbage after address", s));
    }
    expand_ellipsis(input, &mut ip, i, ellipsis)?;
    Ok(v6(ip, zone))
}

/// One group of hex digits at the start of `s`: how many digits, and their value.
fn hex_group(input: &[u8], s: &[u8]) -> Result<(usize, u16), ParseAddrError> {
    let mut acc = 0u32;
    let mut digits = 0;
    while let Some(value) = s.get(digits).and_then(|&c| char::from(c).to_digit(16)) {
        acc = (acc << 4) + value;
        if digits > 3 {
            return Err(error(input, "each group must have 4 or less digits", s));
        }
        digits += 1;
    }
    if digits == 0 {
        let msg = "each colon-separated field must have at least one digit";
        return Err(error(input, msg, s));
    }
    let acc = u16::try_from(acc).map_err(|_| error(input, "IPv6 field has value >=2^16", s))?;
    Ok((digits, acc))
}

/// Moves the groups after `::` to the end, or fails when there is no room or no `::`.
fn expand_ellipsis(
    input: &[u8],
    ip: &mut [u8; 16],
    filled: usize,
    ellipsis: Option<usize>,
) -> Result<(), ParseAddrError> {
    match ellipsis {
        None if filled < 16 => Err(error(input, "address string too short", b"")),
        Some(_) if filled >= 16 => {
            let msg = "the :: must expand to at least one field of zeros";
            Err(error(input, msg, b""))
        }
        Some(at) => {
            let gap = 16 - filled;
            ip.copy_within(at..filled, at + gap);
            ip[at..at + gap].fill(0);
            Ok(())
        }
        None => Ok(()),
    }
}

fn v6(ip: [u8; 16], zone: &[u8]) -> GoAddr {
    GoAddr {
        ip: IpAddr::V6(Ipv6Addr::from(ip)),
        zone: zone.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_addr_table() {
        // (input, address, zone)
        #[rustfmt::skip]
        let parsed = [
            ("127.0.0.1", "127.0.0.1", ""),
            ("255.255.255.255", "255.255.255.255", ""), // every field at its limit
            ("0.0.0.0", "0.0.0.0", ""),                 // a single zero is not a leading zero
            ("::", "::", ""),
            ("::1", "::1", ""),
            ("::1%lo", "::1", "lo"), // zones are kept apart
            ("::ffff:10.0.0.1", "::ffff:10.0.0.1", ""), // stays IPv6
            ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304", ""),
            ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8", ""),
        ];
        for (input, address, zone) in parsed {
            let got = parse_addr(input.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(got.ip(), address.parse::<IpAddr>().unwrap(), "{input}");
            assert_eq!(got.zone(), zone.as_bytes(), "{input}");
        }
        // (input, Go's error text)
        #[rustfmt::skip]
        let refused = [
            ("256.0.0.1", r#"ParseAddr("256.0.0.1"): IPv4 field has value >255"#), // limit + 1
            ("010.0.0.1", r#"ParseAddr("010.0.0.1"): IPv4 field has octet with leading zero"#),
            ("1.2.3", r#"ParseAddr("1.2.3"): IPv4 address too short"#),
            ("1.2.3.4.5", r#"ParseAddr("1.2.3.4.5"): IPv4 address too long"#),
            ("1.2.3.", r#"ParseAddr("1.2.3."): IPv4 field must have at least one digit (at ".")"#),
            ("1..2.3", r#"ParseAddr("1..2.3"): IPv4 field must have at least one digit (at ".2.3")"#),
            ("10.10.10.*", r#"ParseAddr("10.10.10.*"): unexpected character (at "*")"#),
            ("1.2.3.4%eth0", r#"ParseAddr("1.2.3.4%eth0"): unexpected character (at "%eth0")"#),
            ("fe80::1%", r#"ParseAddr("fe80::1%"): zone must be a non-empty string"#),
            ("%lo", r#"ParseAddr("%lo"): missing IPv6 address"#),
            ("example.com", r#"ParseAddr("example.com"): unexpected character (at "example.com")"#),
            ("localhost", r#"ParseAddr("localhost"): unable to parse IP"#),
            ("", r#"ParseAddr(""): unable to parse IP"#),
            ("1:2:3:4:5:1.2.3.4", r#"ParseAddr("1:2:3:4:5:1.2.3.4"): embedded IPv4 address must replace the final 2 fields of the address (at "1.2.3.4")"#),
            ("::ffff:1.2.3", r#"ParseAddr("::ffff:1.2.3"): IPv4 address too short"#),
            ("12345::", r#"ParseAddr("12345::"): each group must have 4 or less digits (at "12345::")"#),
            ("1:2:3:4:5:6:7", r#"ParseAddr("1:2:3:4:5:6:7"): address string too short"#),
            ("1:2:3:4:5:6:7:8::", r#"ParseAddr("1:2:3:4:5:6:7:8::"): the :: must expand to at least one field of zeros"#),
            ("a:b:c:d:e:f:b:a:d", r#"ParseAddr("a:b:c:d:e:f:b:a:d"): trailing garbage after address (at "d")"#),
            ("1::2::3", r#"ParseAddr("1::2::3"): multiple :: in address (at ":3")"#),
            ("1:", r#"ParseAddr("1:"): colon must be followed by more characters (at ":")"#),
        ];
        for (input, expected) in refused {
            let error = parse_addr(input.as_bytes()).unwrap_err();
            assert_eq!(error.to_string(), expected, "{input}");
        }
    }

    #[test]
    fn more_ipv6_errors() {
        #[rustfmt::skip]
        let rows = [
            (":1", r#"ParseAddr(":1"): each colon-separated field must have at least one digit (at ":1")"#),
            ("1:2x", r#"ParseAddr("1:2x"): unexpected character, want colon (at "x")"#),
            ("1:2:3:4:5:6:7:8:1.2.3.4", r#"ParseAddr("1:2:3:4:5:6:7:8:1.2.3.4"): trailing garbage after address (at "1.2.3.4")"#),
            ("::1:2:3:4:5:6:7:1.2.3.4", r#"ParseAddr("::1:2:3:4:5:6:7:1.2.3.4"): too many hex fields to fit an embedded IPv4 at the end of the address (at "1.2.3.4")"#),
            ("::1:2:3:4:5:6:1.2.3.4", r#"ParseAddr("::1:2:3:4:5:6:1.2.3.4"): the :: must expand to at least one field of zeros"#),
        ];
        for (input, expected) in rows {
            assert_eq!(
                parse_addr(input.as_bytes()).unwrap_err().to_string(),
                expected
            );
        }
    }

    #[test]
    fn agrees_with_std_on_every_prefix() {
        // Every prefix of a few literals: never panics, and whatever both accept is equal.
        for literal in [
            "2001:db8:85a3::8a2e:370:7334",
            "::ffff:192.0.2.128",
            "203.0.113.255",
        ] {
            for end in 0..=literal.len() {
                let prefix = &literal[..end];
                if let (Ok(go), Ok(std)) = (parse_addr(prefix.as_bytes()), prefix.parse::<IpAddr>())
                {
                    assert_eq!(go.ip(), std, "{prefix}");
                }
            }
        }
    }
}
