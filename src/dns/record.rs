//! Resource records (RFC 1035 §4.1.3) and the RDATA this crate reads.
//!
//! ```text
//! NAME | TYPE(16) | CLASS(16) | TTL(32) | RDLENGTH(16) | RDATA(RDLENGTH)
//! ```

use std::net::{Ipv4Addr, Ipv6Addr};

use super::decode_error::DecodeError;
use super::name::{decode_name, push_ddd};
use super::reader::Reader;

/// TYPE of an IPv4 address record.
pub const TYPE_A: u16 = 1;
/// TYPE of an alias record.
pub const TYPE_CNAME: u16 = 5;
/// TYPE of an IPv6 address record.
pub const TYPE_AAAA: u16 = 28;
/// TYPE of the EDNS(0) pseudo-record (RFC 6891).
pub const TYPE_OPT: u16 = 41;
/// TYPE of a CAA record (RFC 8659).
pub const TYPE_CAA: u16 = 257;

/// One record from the answer section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Owner name, as [`decode_name`] gives it.
    pub name: String,
    /// TYPE.
    pub rtype: u16,
    /// TTL in seconds.
    pub ttl: u32,
    /// The RDATA, decoded for the types this crate uses.
    pub data: RecordData,
}

/// The RDATA of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordData {
    /// An A record's address.
    A(Ipv4Addr),
    /// An AAAA record's address.
    Aaaa(Ipv6Addr),
    /// A CNAME record's target.
    Cname(String),
    /// A CAA record (RFC 8659 §4.1).
    Caa {
        /// The flags byte; bit 128 is "issuer critical".
        flags: u8,
        /// The property tag in miekg/dns text form (`"` and `\` get a
        /// backslash, bytes outside `' '..='~'` become `\DDD`).
        tag: String,
        /// The property value, raw.
        value: Vec<u8>,
    },
    /// Any other type (and OPT), raw.
    Other(Vec<u8>),
}

/// Reads one whole record at the reader's position.
pub(super) fn read_record(r: &mut Reader<'_>) -> Result<Record, DecodeError> {
    let name = r.name()?;
    let rtype = r.u16()?;
    let _class = r.u16()?;
    let ttl = r.u32()?;
    let rdlength = usize::from(r.u16()?);
    let offset = r.pos();
    if rdlength > r.remaining() {
        return Err(DecodeError::RdataOverrun {
            offset,
            rdlength,
            available: r.remaining(),
        });
    }
    let rdata = r.bytes(rdlength)?;
    let data = match rtype {
        TYPE_A => RecordData::A(Ipv4Addr::from(fixed::<4>(rtype, rdata)?)),
        TYPE_AAAA => RecordData::Aaaa(Ipv6Addr::from(fixed::<16>(rtype, rdata)?)),
        TYPE_CNAME => RecordData::Cname(cname(r.msg(), offset, rdlength)?),
        TYPE_CAA => caa(rdata)?,
        _ => RecordData::Other(rdata.to_vec()),
    };
    Ok(Record {
        name,
        rtype,
        ttl,
        data,
    })
}

/// RDATA that must be exactly `N` bytes.
fn fixed<const N: usize>(rtype: u16, rdata: &[u8]) -> Result<[u8; N], DecodeError> {
    <[u8; N]>::try_from(rdata).map_err(|_| DecodeError::RdataLength {
        rtype,
        expected: N,
        actual: rdata.len(),
    })
}

/// A CNAME target: a name that may point back into the message but whose
/// bytes in place end exactly at RDLENGTH. The message is cut at the end of
/// the RDATA, so the name can never run into the next record.
fn cname(msg: &[u8], offset: usize, rdlength: usize) -> Result<String, DecodeError> {
    let end = offset.saturating_add(rdlength);
    let upto = msg
        .get(..end)
        .ok_or(DecodeError::Truncated { offset: end })?;
    let (target, after) = decode_name(upto, offset)?;
    let used = after.saturating_sub(offset);
    if used != rdlength {
        return Err(DecodeError::RdataMismatch {
            rtype: TYPE_CNAME,
            rdlength,
            used,
        });
    }
    Ok(target)
}

/// CAA RDATA: flags, tag length, tag, value (the rest).
fn caa(rdata: &[u8]) -> Result<RecordData, DecodeError> {
    let mismatch = |used: usize| DecodeError::RdataMismatch {
        rtype: TYPE_CAA,
        rdlength: rdata.len(),
        used,
    };
    let [flags, tag_len, rest @ ..] = rdata else {
        return Err(mismatch(2));
    };
    let tag_len = usize::from(*tag_len);
    let tag = rest
        .get(..tag_len)
        .ok_or_else(|| mismatch(tag_len.saturating_add(2)))?;
    let value = rest.get(tag_len..).unwrap_or_default();
    Ok(RecordData::Caa {
        flags: *flags,
        tag: escaped_text(tag),
        value: value.to_vec(),
    })
}

/// miekg/dns `unpackString` escaping, which is how Boulder sees `CAA.Tag` (and how a CAA
/// value shows between quotes in presentation form).
pub(crate) fn escaped_text(tag: &[u8]) -> String {
    let mut text = String::with_capacity(tag.len());
    for &b in tag {
        match b {
            b'"' | b'\\' => {
                text.push('\\');
                text.push(char::from(b));
            }
            b' '..=b'~' => text.push(char::from(b)),
            _ => push_ddd(&mut text, b),
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::super::name::NameError;
    use super::*;

    /// `name` (wire) + type + class IN + TTL 300 + rdlength + rdata.
    fn record(name: &[u8], rtype: u16, rdata: &[u8]) -> Vec<u8> {
        let mut out = name.to_vec();
        out.extend_from_slice(&rtype.to_be_bytes());
        out.extend_from_slice(&[0, 1, 0, 0, 1, 44]);
        out.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        out.extend_from_slice(rdata);
        out
    }

    fn caa_data(flags: u8, tag: &str, value: &[u8]) -> RecordData {
        RecordData::Caa {
            flags,
            tag: tag.to_string(),
            value: value.to_vec(),
        }
    }

    #[test]
    fn rdata_table() {
        let ip6 = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
        let ip6_bytes = ip6.octets();
        #[rustfmt::skip]
        let cases: Vec<(u16, &[u8], Result<RecordData, DecodeError>)> = vec![
            // A: exactly 4 bytes
            (TYPE_A, b"\xc6\x33\x64\x07", Ok(RecordData::A(Ipv4Addr::new(198, 51, 100, 7)))),
            // A: 3 and 5 bytes are refused
            (TYPE_A, b"\x01\x02\x03", Err(DecodeError::RdataLength { rtype: 1, expected: 4, actual: 3 })),
            (TYPE_A, b"\x01\x02\x03\x04\x05", Err(DecodeError::RdataLength { rtype: 1, expected: 4, actual: 5 })),
            // A: empty rdata (miekg/dns would accept it for dynamic update)
            (TYPE_A, b"", Err(DecodeError::RdataLength { rtype: 1, expected: 4, actual: 0 })),
            // AAAA: exactly 16
            (TYPE_AAAA, &ip6_bytes, Ok(RecordData::Aaaa(ip6))),
            // AAAA: 15 and 17
            (TYPE_AAAA, &[0; 15], Err(DecodeError::RdataLength { rtype: 28, expected: 16, actual: 15 })),
            (TYPE_AAAA, &[0; 17], Err(DecodeError::RdataLength { rtype: 28, expected: 16, actual: 17 })),
            // AAAA with 4 bytes (an A address in the wrong type)
            (TYPE_AAAA, b"\x01\x02\x03\x04", Err(DecodeError::RdataLength { rtype: 28, expected: 16, actual: 4 })),
            // CNAME: a plain name filling the rdata
            (TYPE_CNAME, b"\x01b\x00", Ok(RecordData::Cname("b".to_string()))),
            // CNAME: the name ends before rdlength
            (TYPE_CNAME, b"\x01b\x00\x00", Err(DecodeError::RdataMismatch { rtype: 5, rdlength: 4, used: 3 })),
            // CNAME: empty rdata cannot hold a name
            (TYPE_CNAME, b"", Err(DecodeError::Name(NameError::Truncated { offset: 11 }))),
            // CAA issue
            (TYPE_CAA, b"\x00\x05issueletsencrypt.org", Ok(caa_data(0, "issue", b"letsencrypt.org"))),
            // CAA critical flag, empty value
            (TYPE_CAA, b"\x80\x03tbs", Ok(caa_data(128, "tbs", b""))),
            // CAA tag escaped like miekg/dns unpackString
            (TYPE_CAA, b"\x00\x04a\"\\\x01v", Ok(caa_data(0, "a\\\"\\\\\\001", b"v"))),
            // CAA tag longer than the rdata
            (TYPE_CAA, b"\x00\x09issue", Err(DecodeError::RdataMismatch { rtype: 257, rdlength: 7, used: 11 })),
            // CAA without the tag length
            (TYPE_CAA, b"\x00", Err(DecodeError::RdataMismatch { rtype: 257, rdlength: 1, used: 2 })),
            // unknown types are kept raw
            (16, b"\x03abc", Ok(RecordData::Other(b"\x03abc".to_vec()))),
        ];
        for (rtype, rdata, want) in cases {
            let msg = record(b"\x00", rtype, rdata);
            let got = read_record(&mut Reader::new(&msg)).map(|rec| rec.data);
            assert_eq!(got, want, "type {rtype} rdata {rdata:?}");
        }
    }

    #[test]
    fn header_fields_and_overrun() {
        let msg = record(b"\x01a\x00", TYPE_A, b"\x01\x02\x03\x04");
        let mut r = Reader::new(&msg);
        let rec = read_record(&mut r).unwrap();
        assert_eq!((rec.name.as_str(), rec.rtype, rec.ttl), ("a", 1, 300));
        assert_eq!(r.remaining(), 0);

        // rdlength one past the end of the message
        let mut long = msg.clone();
        let at = long.len() - 6;
        long[at..at + 2].copy_from_slice(&5u16.to_be_bytes());
        let got = read_record(&mut Reader::new(&long));
        #[rustfmt::skip]
        assert_eq!(got, Err(DecodeError::RdataOverrun { offset: 13, rdlength: 5, available: 4 }));

        // every prefix fails, none panics
        for cut in 0..msg.len() {
            assert!(
                read_record(&mut Reader::new(&msg[..cut])).is_err(),
                "cut {cut}"
            );
        }
    }

    #[test]
    fn cname_target_may_point_back_but_not_past_rdata() {
        // "a" at 0, then a CNAME record whose target is "x" + pointer to 0.
        let mut msg = b"\x01a\x00".to_vec();
        msg.extend(record(b"\xc0\x00", TYPE_CNAME, b"\x01x\xc0\x00"));
        let mut r = Reader::new(&msg);
        r.bytes(3).unwrap();
        let rec = read_record(&mut r).unwrap();
        assert_eq!(rec.name, "a");
        assert_eq!(rec.data, RecordData::Cname("x.a".to_string()));

        // rdlength 2 cuts the target in half: it may not run on past the rdata
        let mut msg = b"\x01a\x00".to_vec();
        msg.extend(record(b"\xc0\x00", TYPE_CNAME, b"\x01x"));
        msg.extend_from_slice(b"\xc0\x00");
        let mut r = Reader::new(&msg);
        r.bytes(3).unwrap();
        #[rustfmt::skip]
        assert_eq!(read_record(&mut r), Err(DecodeError::Name(NameError::Truncated { offset: 17 })));
    }
}
