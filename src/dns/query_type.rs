//! The record types Boulder asks for during HTTP-01 (and CAA afterwards).

use std::fmt;

/// A question type (QTYPE) this crate sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueryType {
    /// IPv4 address, code 1.
    A,
    /// IPv6 address, code 28 (RFC 3596).
    Aaaa,
    /// Certification Authority Authorization, code 257 (RFC 8659).
    Caa,
}

impl QueryType {
    /// The wire code of the type.
    pub fn code(self) -> u16 {
        match self {
            Self::A => 1,
            Self::Aaaa => 28,
            Self::Caa => 257,
        }
    }

    /// The type with this wire code, if it is one of ours.
    pub fn from_code(code: u16) -> Option<QueryType> {
        [Self::A, Self::Aaaa, Self::Caa]
            .into_iter()
            .find(|t| t.code() == code)
    }
}

/// miekg/dns `TypeToString`: `A`, `AAAA`, `CAA`.
impl fmt::Display for QueryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::A => "A",
            Self::Aaaa => "AAAA",
            Self::Caa => "CAA",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names() {
        #[rustfmt::skip]
        let cases: &[(QueryType, u16, &str)] = &[
            (QueryType::A, 1, "A"),
            (QueryType::Aaaa, 28, "AAAA"),
            (QueryType::Caa, 257, "CAA"),
        ];
        for (qtype, code, name) in cases {
            assert_eq!(qtype.code(), *code);
            assert_eq!(qtype.to_string(), *name);
            assert_eq!(QueryType::from_code(*code), Some(*qtype));
        }
        // CNAME (5) is an answer type, never a question we send
        assert_eq!(QueryType::from_code(5), None);
    }
}
