//! Response codes (RFC 1035 §4.1.1, RFC 6891 §6.1.3, IANA "DNS RCODEs").
//!
//! ```text
//! header flags:  QR | Opcode(4) | AA | TC | RD | RA | Z | AD | CD | RCODE(4)
//! OPT TTL:       EXTENDED-RCODE(8) | VERSION(8) | DO | Z(15)
//! full RCODE  =  EXTENDED-RCODE << 4 | header RCODE      (12 bits)
//! ```

use std::fmt;

/// A DNS response code, the header's 4 bits combined with the OPT record's
/// extended bits (as miekg/dns `Msg.Rcode` holds it after unpacking).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rcode(pub u16);

impl Rcode {
    /// 0: no error.
    pub const NOERROR: Rcode = Rcode(0);
    /// 1: the server could not interpret the query.
    pub const FORMERR: Rcode = Rcode(1);
    /// 2: the server failed to process the query.
    pub const SERVFAIL: Rcode = Rcode(2);
    /// 3: the name does not exist.
    pub const NXDOMAIN: Rcode = Rcode(3);
    /// 4: the kind of query is not implemented.
    pub const NOTIMP: Rcode = Rcode(4);
    /// 5: the server refuses to answer.
    pub const REFUSED: Rcode = Rcode(5);
    /// 6: a name exists that should not (RFC 2136).
    pub const YXDOMAIN: Rcode = Rcode(6);
    /// 7: an RRset exists that should not (RFC 2136).
    pub const YXRRSET: Rcode = Rcode(7);
    /// 8: an RRset that should exist does not (RFC 2136).
    pub const NXRRSET: Rcode = Rcode(8);
    /// 9: not authoritative for the zone (RFC 2136).
    pub const NOTAUTH: Rcode = Rcode(9);
    /// 10: name not contained in the zone (RFC 2136).
    pub const NOTZONE: Rcode = Rcode(10);
    /// 16: TSIG signature failure; shares its value with [`Rcode::BADVERS`].
    pub const BADSIG: Rcode = Rcode(16);
    /// 16: bad OPT version (RFC 6891). Prints as `BADSIG`, as in miekg/dns.
    pub const BADVERS: Rcode = Rcode(16);
    /// 17: key not recognized.
    pub const BADKEY: Rcode = Rcode(17);
    /// 18: signature out of time window.
    pub const BADTIME: Rcode = Rcode(18);
    /// 19: bad TKEY mode.
    pub const BADMODE: Rcode = Rcode(19);
    /// 20: duplicate key name.
    pub const BADNAME: Rcode = Rcode(20);
    /// 21: algorithm not supported.
    pub const BADALG: Rcode = Rcode(21);
    /// 22: bad truncation.
    pub const BADTRUNC: Rcode = Rcode(22);
    /// 23: bad or missing server cookie (RFC 7873).
    pub const BADCOOKIE: Rcode = Rcode(23);

    /// Combines the header's low 4 bits with the OPT record's extended bits.
    pub fn from_parts(header: u8, extended: u8) -> Rcode {
        Rcode(u16::from(extended) << 4 | u16::from(header & 0x0F))
    }

    /// Port of miekg/dns v1.1.62 `RcodeToString`, `None` where the map has no
    /// entry (Go then prints the empty string). v1.1.62 is the version in
    /// Boulder's `go.mod`; it predates `DSOTYPENI` (11, miekg/dns #1648).
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "NOERROR",
            1 => "FORMERR",
            2 => "SERVFAIL",
            3 => "NXDOMAIN",
            4 => "NOTIMP",
            5 => "REFUSED",
            6 => "YXDOMAIN",
            7 => "YXRRSET",
            8 => "NXRRSET",
            9 => "NOTAUTH",
            10 => "NOTZONE",
            16 => "BADSIG",
            17 => "BADKEY",
            18 => "BADTIME",
            19 => "BADMODE",
            20 => "BADNAME",
            21 => "BADALG",
            22 => "BADTRUNC",
            23 => "BADCOOKIE",
            _ => return None,
        })
    }
}

/// `dns.RcodeToString[rcode]`: the name, or nothing for an unknown code.
impl fmt::Display for Rcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name().unwrap_or(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_matches_miekg() {
        #[rustfmt::skip]
        let cases: &[(Rcode, &str)] = &[
            (Rcode::NOERROR, "NOERROR"),
            (Rcode::FORMERR, "FORMERR"),
            (Rcode::SERVFAIL, "SERVFAIL"),
            (Rcode::NXDOMAIN, "NXDOMAIN"),
            // miekg/dns says NOTIMP since #733 (it was NOTIMPL before)
            (Rcode::NOTIMP, "NOTIMP"),
            (Rcode::REFUSED, "REFUSED"),
            (Rcode::YXDOMAIN, "YXDOMAIN"),
            (Rcode::YXRRSET, "YXRRSET"),
            (Rcode::NXRRSET, "NXRRSET"),
            (Rcode::NOTAUTH, "NOTAUTH"),
            (Rcode::NOTZONE, "NOTZONE"),
            // DSOTYPENI is not in miekg/dns v1.1.62: Go prints ""
            (Rcode(11), ""),
            // 12..=15 are unassigned
            (Rcode(12), ""),
            (Rcode(15), ""),
            (Rcode::BADSIG, "BADSIG"),
            // BADVERS shares 16 and the map keeps BADSIG
            (Rcode::BADVERS, "BADSIG"),
            (Rcode::BADKEY, "BADKEY"),
            (Rcode::BADTIME, "BADTIME"),
            (Rcode::BADMODE, "BADMODE"),
            (Rcode::BADNAME, "BADNAME"),
            (Rcode::BADALG, "BADALG"),
            (Rcode::BADTRUNC, "BADTRUNC"),
            (Rcode::BADCOOKIE, "BADCOOKIE"),
            // first code past the table
            (Rcode(24), ""),
            // largest 12-bit code
            (Rcode(4095), ""),
        ];
        for (rcode, want) in cases {
            assert_eq!(rcode.to_string(), *want, "{rcode:?}");
        }
    }

    #[test]
    fn from_parts_table() {
        #[rustfmt::skip]
        let cases: &[(u8, u8, Rcode)] = &[
            // no OPT record: the header alone
            (3, 0, Rcode::NXDOMAIN),
            // BADVERS needs the extended bits: 1 << 4 | 0
            (0, 1, Rcode::BADVERS),
            // BADCOOKIE = 1 << 4 | 7
            (7, 1, Rcode::BADCOOKIE),
            // only the low 4 bits of the header byte count
            (0xF2, 0, Rcode::SERVFAIL),
            // all bits set
            (0x0F, 0xFF, Rcode(4095)),
        ];
        for (header, extended, want) in cases {
            assert_eq!(Rcode::from_parts(*header, *extended), *want);
        }
    }
}
