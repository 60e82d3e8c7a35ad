//! A small DNS wire codec (RFC 1035 §4, EDNS RFC 6891, EDE RFC 8914, CAA RFC 8659).
//!
//! ```text
//!   0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
//! |                      ID                       |
//! |QR|  Opcode   |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
//! |   QDCOUNT    |   ANCOUNT   |  NSCOUNT  | ARCOUNT |
//! ```
//!
//! Decoding is bounded: names follow at most [`MAX_POINTERS`] compression pointers and
//! every length is checked against the input.

use std::net::{Ipv4Addr, Ipv6Addr};

mod decode;
mod encode;

/// Most compression pointers followed while reading one name.
pub const MAX_POINTERS: usize = 32;
/// Type code of A.
pub const TYPE_A: u16 = 1;
/// Type code of CNAME.
pub const TYPE_CNAME: u16 = 5;
/// Type code of TXT.
pub const TYPE_TXT: u16 = 16;
/// Type code of AAAA.
pub const TYPE_AAAA: u16 = 28;
/// Type code of OPT (EDNS).
pub const TYPE_OPT: u16 = 41;
/// Type code of CAA.
pub const TYPE_CAA: u16 = 257;
/// EDNS option code of Extended DNS Errors.
pub const OPTION_EDE: u16 = 15;

const TYPES: [(&str, u16); 5] = [
    ("A", TYPE_A),
    ("CNAME", TYPE_CNAME),
    ("TXT", TYPE_TXT),
    ("AAAA", TYPE_AAAA),
    ("CAA", TYPE_CAA),
];

/// The code of a type mnemonic this codec knows.
pub fn qtype_code(name: &str) -> Option<u16> {
    TYPES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, c)| *c)
}

/// The mnemonic of a type code (`TYPE<n>` when unknown).
pub fn qtype_name(code: u16) -> String {
    match TYPES.iter().find(|(_, c)| *c == code) {
        Some((n, _)) => (*n).to_string(),
        None => format!("TYPE{code}"),
    }
}

/// Why bytes are not a DNS message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError(pub &'static str);

/// A DNS message (query or response).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    /// Transaction ID.
    pub id: u16,
    /// Response flag.
    pub qr: bool,
    /// Opcode (0 = QUERY).
    pub opcode: u8,
    /// Authoritative answer.
    pub aa: bool,
    /// Truncated.
    pub tc: bool,
    /// Recursion desired.
    pub rd: bool,
    /// Recursion available.
    pub ra: bool,
    /// Response code (low 4 bits).
    pub rcode: u8,
    /// The question (name, type); messages without one are refused by the decoder.
    pub question: (String, u16),
    /// Answer section.
    pub answers: Vec<Record>,
    /// EDNS: advertised UDP payload size, when an OPT record is present.
    pub edns_udp_size: Option<u16>,
    /// Extended DNS Errors carried in the OPT record.
    pub ede: Vec<(u16, String)>,
}

/// One resource record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Owner name.
    pub name: String,
    /// Time to live.
    pub ttl: u32,
    /// Data.
    pub rdata: Rdata,
}

/// Record data of the types this codec knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rdata {
    /// IPv4 address.
    A(Ipv4Addr),
    /// IPv6 address.
    Aaaa(Ipv6Addr),
    /// Alias target.
    Cname(String),
    /// Certification Authority Authorization.
    Caa(Caa),
    /// Text (character-strings concatenated).
    Txt(Vec<u8>),
    /// Any other type, raw.
    Other(u16, Vec<u8>),
}

/// A CAA record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caa {
    /// Flags (128 = critical).
    pub flags: u8,
    /// Property tag, e.g. `issue`.
    pub tag: String,
    /// Property value.
    pub value: Vec<u8>,
}

impl Caa {
    /// Parses presentation form: `0 issue "letsencrypt.org"` (the value may be unquoted).
    pub fn parse(text: &str) -> Option<Caa> {
        let mut parts = text.trim().splitn(3, ' ');
        let flags = parts.next()?.parse().ok()?;
        let tag = parts.next()?.to_string();
        let rest = parts.next().unwrap_or("").trim();
        let valid_tag =
            (1..=15).contains(&tag.len()) && tag.bytes().all(|b| b.is_ascii_alphanumeric());
        if !valid_tag {
            return None;
        }
        let value = match rest.strip_prefix('"') {
            Some(inner) => inner.strip_suffix('"')?,
            None => rest,
        };
        Some(Caa {
            flags,
            tag,
            value: value.as_bytes().to_vec(),
        })
    }
}

impl Rdata {
    /// The type code.
    pub fn rtype(&self) -> u16 {
        match self {
            Rdata::A(_) => TYPE_A,
            Rdata::Aaaa(_) => TYPE_AAAA,
            Rdata::Cname(_) => TYPE_CNAME,
            Rdata::Caa(_) => TYPE_CAA,
            Rdata::Txt(_) => TYPE_TXT,
            Rdata::Other(t, _) => *t,
        }
    }
}

pub use decode::decode;
pub use encode::{encode, truncated};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caa_presentation() {
        struct Row(&'static str, Option<(u8, &'static str, &'static str)>);
        let rows = [
            Row(
                "0 issue \"letsencrypt.org\"",
                Some((0, "issue", "letsencrypt.org")),
            ), // quoted
            Row("0 issuewild ;", Some((0, "issuewild", ";"))), // unquoted
            Row("128 tbs \"\"", Some((128, "tbs", ""))),       // empty value
            Row("256 issue x", None),                          // flags overflow
            Row("0 is-sue x", None),                           // tag charset
            Row("0 abcdefghijklmnop x", None),                 // tag 16 > 15
            Row("0 abcdefghijklmno x", Some((0, "abcdefghijklmno", "x"))), // tag 15
            Row("0 issue \"open", None),                       // unterminated
        ];
        for Row(text, want) in rows {
            let got =
                Caa::parse(text).map(|c| (c.flags, c.tag, String::from_utf8(c.value).unwrap()));
            let want = want.map(|(f, t, v)| (f, t.to_string(), v.to_string()));
            assert_eq!(got, want, "{text}");
        }
    }
}
