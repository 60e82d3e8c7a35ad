//! Which redirect targets Boulder follows: port of `va/http.go: extractRequestTarget` and of
//! `iana/iana.go: ExtractSuffix` (Boulder 2d00c8e).

use std::fmt;

use crate::http::{go_quote, parse_addr, GoUrl};
use crate::policy::limits::{HTTPS_PORT, HTTP_PORT};
use crate::policy::reserved::{self, AllowList, ReservedAddress, UsableAddr};

/// Where an accepted redirect goes: a DNS name to resolve, or an IP literal to dial as is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestTarget {
    /// The host, lower-cased.
    pub host: TargetHost,
    /// 80 or 443: the explicit port, else the scheme's.
    pub port: u16,
}

/// The host of a [`RequestTarget`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetHost {
    /// A DNS name under an ICANN public suffix.
    Dns(String),
    /// An IP literal that passed the reserved-address check.
    Ip(UsableAddr),
}

/// Port of `extractRequestTarget`, checks in Boulder's order: scheme, explicit port (80 or
/// 443, whatever the scheme), empty host, `.well-known` suffix, then either the IP-literal
/// rules (no zone, not reserved) or the ICANN public-suffix rule for names.
///
/// The host is lower-cased first, as Boulder's redirect hook does (Go's `strings.ToLower`).
pub fn extract_request_target(
    url: &GoUrl,
    allow: &AllowList,
) -> Result<RequestTarget, RedirectError> {
    let scheme = url.scheme();
    if scheme != "http" && scheme != "https" {
        return Err(RedirectError::BadScheme {
            scheme: scheme.to_string(),
        });
    }
    let port = match url.port() {
        "" if scheme == "https" => HTTPS_PORT,
        "" => HTTP_PORT,
        digits => match go_atoi(digits)? {
            port if port == i64::from(HTTP_PORT) => HTTP_PORT,
            port if port == i64::from(HTTPS_PORT) => HTTPS_PORT,
            port => return Err(RedirectError::BadPort { port }),
        },
    };
    let mut lowered = url.clone();
    lowered.lowercase_host();
    let host = lowered.hostname_bytes();
    if host.is_empty() {
        return Err(RedirectError::EmptyHost);
    }
    // Go's ToLower leaves valid UTF-8, so this copy is exact.
    let name = String::from_utf8_lossy(host).into_owned();
    if name.ends_with(".well-known") {
        return Err(RedirectError::WellKnownHost { host: name });
    }
    let host = match parse_addr(host) {
        Ok(address) if !address.zone().is_empty() => return Err(RedirectError::ScopeZone),
        Ok(address) => {
            let usable = reserved::check(address.ip(), allow).map_err(RedirectError::Reserved)?;
            TargetHost::Ip(usable)
        }
        Err(_) if !super::public_suffix::has_icann_suffix(host) => {
            return Err(RedirectError::NotIanaTld)
        }
        Err(_) => TargetHost::Dns(name),
    };
    Ok(RequestTarget { host, port })
}

/// Go's `strconv.Atoi` on the digits of `URL.Port()` (64-bit `int`): leading zeros are fine,
/// more than `i64::MAX` is a range error.
fn go_atoi(digits: &str) -> Result<i64, RedirectError> {
    digits
        .bytes()
        .try_fold(0i64, |value, digit| {
            value
                .checked_mul(10)?
                .checked_add(i64::from(digit.wrapping_sub(b'0')))
        })
        .ok_or_else(|| RedirectError::PortOutOfRange {
            port: digits.to_string(),
        })
}

/// Why Boulder refuses a redirect target; `Display` is Boulder's text (before the
/// `"<ip>: Fetching <Location>: "` prefix).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirectError {
    /// Not `http` or `https` (`va/http.go`, spec row R3).
    BadScheme {
        /// The scheme, lower-cased.
        scheme: String,
    },
    /// An explicit port other than 80 or 443 (R4).
    BadPort {
        /// The port as Go's `strconv.Atoi` read it.
        port: i64,
    },
    /// The port's digits exceed Go's `int`: Boulder returns the `strconv` error itself, not a
    /// `ConnectionFailure`, so the problem detail becomes "Error getting validation data".
    PortOutOfRange {
        /// The digits.
        port: String,
    },
    /// No host, e.g. `https:///path` (R5).
    EmptyHost,
    /// The host ends in `.well-known`, the missing-slash misconfiguration (R6).
    WellKnownHost {
        /// The host, lower-cased.
        host: String,
    },
    /// An IPv6 literal with a zone (R7).
    ScopeZone,
    /// A reserved IP literal (R8).
    Reserved(ReservedAddress),
    /// A name not under an ICANN public suffix (R9).
    NotIanaTld,
}

impl RedirectError {
    /// Whether Boulder raised it as a `ConnectionFailure` (its text is then the problem
    /// detail); otherwise `detailedError` shows "Error getting validation data".
    pub fn is_connection_failure(&self) -> bool {
        !matches!(self, RedirectError::PortOutOfRange { .. })
    }
}

impl fmt::Display for RedirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadScheme { scheme } => write!(
                f,
                "Invalid protocol scheme in redirect target. Only \"http\" and \"https\" protocol schemes are supported, not {}",
                go_quote(scheme.as_bytes())
            ),
            Self::BadPort { port } => write!(
                f,
                "Invalid port in redirect target. Only ports {HTTP_PORT} and {HTTPS_PORT} are supported, not {port}"
            ),
            Self::PortOutOfRange { port } => write!(
                f,
                "strconv.Atoi: parsing {}: value out of range",
                go_quote(port.as_bytes())
            ),
            Self::EmptyHost => f.write_str("Invalid empty host in redirect target"),
            Self::WellKnownHost { host } => write!(
                f,
                "Invalid host in redirect target {}. Check webserver config for missing '/' in redirect target.",
                go_quote(host.as_bytes())
            ),
            Self::ScopeZone => f.write_str("Invalid host in redirect target: contains scope zone"),
            Self::Reserved(reserved) => write!(f, "Invalid host in redirect target: {reserved}"),
            Self::NotIanaTld => {
                f.write_str("Invalid host in redirect target, must end in IANA registered TLD")
            }
        }
    }
}

impl std::error::Error for RedirectError {}

#[cfg(test)]
mod tests;
