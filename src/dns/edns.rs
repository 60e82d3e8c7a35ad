//! EDNS(0) (RFC 6891): the OPT pseudo-record in the additional section.
//!
//! ```text
//! NAME = root | TYPE = 41 | CLASS = UDP payload size
//! TTL  = EXTENDED-RCODE(8) | VERSION(8) | DO(1) | Z(15)
//! RDATA = *( OPTION-CODE(16) | OPTION-LENGTH(16) | OPTION-DATA )
//! ```

use super::decode_error::DecodeError;
use super::extended_error::{ExtendedError, EDE_OPTION_CODE};
use super::record::TYPE_OPT;

/// UDP payload size advertised in queries: the DNS Flag Day 2020 value,
/// which avoids IP fragmentation.
pub const EDNS_UDP_PAYLOAD: u16 = 1232;

/// Appends an OPT record: payload [`EDNS_UDP_PAYLOAD`], version 0, DO clear,
/// no options. Its presence lets a resolver return Extended DNS Errors.
pub(super) fn push_opt(out: &mut Vec<u8>) {
    out.push(0); // root name
    out.extend_from_slice(&TYPE_OPT.to_be_bytes());
    out.extend_from_slice(&EDNS_UDP_PAYLOAD.to_be_bytes());
    out.extend_from_slice(&0u32.to_be_bytes()); // ext-rcode, version, flags
    out.extend_from_slice(&0u16.to_be_bytes()); // RDLENGTH
}

/// The EXTENDED-RCODE byte from an OPT record's TTL.
pub(super) fn extended_rcode(ttl: u32) -> u8 {
    ttl.to_be_bytes()[0]
}

/// The Extended DNS Errors in an OPT record's RDATA, in order.
///
/// Every option must fit its OPTION-LENGTH and the options must fill the
/// RDATA exactly; an EDE option shorter than 2 bytes is an error (as in
/// miekg/dns, where it fails the whole message). Other options are skipped.
pub(super) fn extended_errors(rdata: &[u8]) -> Result<Vec<ExtendedError>, DecodeError> {
    let mut errors = Vec::new();
    let mut rest = rdata;
    while !rest.is_empty() {
        let used = rdata.len().saturating_sub(rest.len());
        let mismatch = |need: usize| DecodeError::RdataMismatch {
            rtype: TYPE_OPT,
            rdlength: rdata.len(),
            used: used.saturating_add(need),
        };
        let [c0, c1, l0, l1, after @ ..] = rest else {
            return Err(mismatch(4));
        };
        let len = usize::from(u16::from_be_bytes([*l0, *l1]));
        let data = after
            .get(..len)
            .ok_or_else(|| mismatch(len.saturating_add(4)))?;
        if u16::from_be_bytes([*c0, *c1]) == EDE_OPTION_CODE {
            errors.push(ExtendedError::decode(data)?);
        }
        rest = after.get(len..).unwrap_or_default();
    }
    Ok(errors)
}

#[cfg(test)]
mod tests {
    use super::super::extended_error::ExtendedErrorTooShort;
    use super::*;

    fn ede(info_code: u16, extra_text: &str) -> ExtendedError {
        ExtendedError {
            info_code,
            extra_text: extra_text.to_string(),
        }
    }

    #[test]
    fn opt_record_bytes() {
        let mut out = Vec::new();
        push_opt(&mut out);
        // root, type 41, class 1232 (0x04d0), ttl 0, rdlength 0
        assert_eq!(out, b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00");
    }

    #[test]
    fn extended_rcode_is_the_top_byte() {
        assert_eq!(extended_rcode(0x0100_8000), 1);
        assert_eq!(extended_rcode(0x0000_ffff), 0);
        assert_eq!(extended_rcode(0xff00_0000), 0xff);
    }

    fn check(rdata: &[u8], want: Result<Vec<ExtendedError>, DecodeError>) {
        assert_eq!(extended_errors(rdata), want, "{rdata:?}");
    }

    #[test]
    #[rustfmt::skip]
    fn options_table() {
        // no options
        check(b"", Ok(vec![]));
        // one EDE
        check(b"\x00\x0f\x00\x02\x00\x06", Ok(vec![ede(6, "")]));
        // EDE with text
        check(b"\x00\x0f\x00\x05\x00\x06abc", Ok(vec![ede(6, "abc")]));
        // a cookie option is skipped, the EDE after it kept
        check(b"\x00\x0a\x00\x02xy\x00\x0f\x00\x02\x00\x09", Ok(vec![ede(9, "")]));
        // two EDEs keep their order
        check(b"\x00\x0f\x00\x02\x00\x01\x00\x0f\x00\x02\x00\x02", Ok(vec![ede(1, ""), ede(2, "")]));
        // EDE of 1 byte
        check(b"\x00\x0f\x00\x01\x00", Err(DecodeError::ExtendedError(ExtendedErrorTooShort { len: 1 })));
        // option header cut short
        check(b"\x00\x0f\x00", Err(DecodeError::RdataMismatch { rtype: 41, rdlength: 3, used: 4 }));
        // option length past the rdata
        check(b"\x00\x0f\x00\x03\x00\x06", Err(DecodeError::RdataMismatch { rtype: 41, rdlength: 6, used: 7 }));
        // a good option, then a stray byte
        check(b"\x00\x0f\x00\x02\x00\x06\x00", Err(DecodeError::RdataMismatch { rtype: 41, rdlength: 7, used: 10 }));
    }
}
