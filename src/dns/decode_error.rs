//! Why a response could not be decoded. Every variant carries the numbers
//! that were wrong, so a failing test or a log line says what arrived.

use std::fmt;

use super::extended_error::ExtendedErrorTooShort;
use super::name::NameError;

/// A response that is not a well-formed DNS message.
///
/// Boulder never shows these texts: an undecodable answer is an error from
/// the exchange, which `bdns/problem.go` reports as "server failure at
/// resolver" (see [`DnsFailure::ServerFailure`](super::DnsFailure)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// More bytes than a DNS message can have (65535).
    MessageTooLong {
        /// Length received.
        len: usize,
    },
    /// The message ended before a field, or before all the records its
    /// header counts announced.
    Truncated {
        /// Offset of the first missing byte.
        offset: usize,
    },
    /// A malformed domain name.
    Name(NameError),
    /// RDLENGTH goes past the end of the message.
    RdataOverrun {
        /// Offset of the RDATA.
        offset: usize,
        /// RDLENGTH from the record.
        rdlength: usize,
        /// Bytes left in the message.
        available: usize,
    },
    /// A fixed-size RDATA (A: 4, AAAA: 16) of another size.
    RdataLength {
        /// Record type.
        rtype: u16,
        /// Size the type requires.
        expected: usize,
        /// RDLENGTH received.
        actual: usize,
    },
    /// The fields of the RDATA (a CNAME target, CAA tag, EDNS options) do
    /// not end exactly at RDLENGTH.
    RdataMismatch {
        /// Record type.
        rtype: u16,
        /// RDLENGTH from the record.
        rdlength: usize,
        /// Bytes the fields took, or would take.
        used: usize,
    },
    /// An Extended DNS Error option shorter than its INFO-CODE.
    ExtendedError(ExtendedErrorTooShort),
    /// Bytes after the last record the header counted.
    TrailingBytes {
        /// Offset where they start.
        offset: usize,
        /// How many.
        count: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MessageTooLong { len } => write!(f, "message of {len} bytes (limit 65535)"),
            Self::Truncated { offset } => write!(f, "message truncated at offset {offset}"),
            Self::Name(error) => write!(f, "bad name: {error}"),
            Self::RdataOverrun {
                offset,
                rdlength,
                available,
            } => write!(
                f,
                "rdata at {offset} of {rdlength} bytes, only {available} left"
            ),
            Self::RdataLength {
                rtype,
                expected,
                actual,
            } => write!(
                f,
                "type {rtype} rdata of {actual} bytes, expected {expected}"
            ),
            Self::RdataMismatch {
                rtype,
                rdlength,
                used,
            } => write!(
                f,
                "type {rtype} rdata of {rdlength} bytes, fields use {used}"
            ),
            Self::ExtendedError(error) => error.fmt(f),
            Self::TrailingBytes { offset, count } => {
                write!(f, "{count} bytes after the last record, at offset {offset}")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

impl From<NameError> for DecodeError {
    fn from(error: NameError) -> Self {
        Self::Name(error)
    }
}

impl From<ExtendedErrorTooShort> for DecodeError {
    fn from(error: ExtendedErrorTooShort) -> Self {
        Self::ExtendedError(error)
    }
}
