//! Go's `*url.Error` and the causes `url.Parse` reports, with Go's texts.

use std::fmt;

use super::ParseAddrError;
use crate::http::go_quote;

/// Go's `*url.Error` for `Parse`: `parse "<url>": <cause>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlError {
    pub(super) url: Vec<u8>,
    pub(super) cause: UrlErrorCause,
}

impl UrlError {
    /// Why the URL was refused.
    pub fn cause(&self) -> &UrlErrorCause {
        &self.cause
    }
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "parse {}: {}", go_quote(&self.url), self.cause)
    }
}

impl std::error::Error for UrlError {}

/// The errors Go's `url.Parse` returns, each with Go's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlErrorCause {
    /// A byte below 0x20 or 0x7f before the fragment.
    ControlCharacter,
    /// The URL starts with `:`.
    MissingProtocolScheme,
    /// A relative reference like `a:b/c`, which would read as a scheme.
    FirstPathSegmentColon,
    /// The user information has a byte RFC 3986 does not allow there.
    InvalidUserinfo,
    /// `[` without a closing `]`.
    MissingBracket,
    /// `[` not at the start of the host, or an IPv4 address in brackets.
    InvalidIpLiteral,
    /// What follows the host's colon is not digits (or, for http/https, a second colon).
    InvalidPort {
        /// The text from the colon on.
        colon_port: Vec<u8>,
    },
    /// The bracketed host is not an IPv6 address.
    InvalidHost(ParseAddrError),
    /// A bad `%` escape (or, in a host, an escaped ASCII byte).
    Escape {
        /// The escape as written, at most three bytes.
        escape: Vec<u8>,
    },
    /// An ASCII byte a host may not contain.
    InvalidHostCharacter {
        /// The byte.
        byte: u8,
    },
}

impl fmt::Display for UrlErrorCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ControlCharacter => f.write_str("net/url: invalid control character in URL"),
            Self::MissingProtocolScheme => f.write_str("missing protocol scheme"),
            Self::FirstPathSegmentColon => {
                f.write_str("first path segment in URL cannot contain colon")
            }
            Self::InvalidUserinfo => f.write_str("net/url: invalid userinfo"),
            Self::MissingBracket => f.write_str("missing ']' in host"),
            Self::InvalidIpLiteral => f.write_str("invalid IP-literal"),
            Self::InvalidPort { colon_port } => {
                write!(f, "invalid port {} after host", go_quote(colon_port))
            }
            Self::InvalidHost(error) => write!(f, "invalid host: {error}"),
            Self::Escape { escape } => write!(f, "invalid URL escape {}", go_quote(escape)),
            Self::InvalidHostCharacter { byte } => {
                write!(f, "invalid character {} in host name", go_quote(&[*byte]))
            }
        }
    }
}
