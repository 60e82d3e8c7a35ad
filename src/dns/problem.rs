//! Boulder's DNS error texts: `bdns/problem.go` for one query, `va/dns.go:
//! getAddrs` for the A + AAAA pair. Every `Display` here is byte for byte
//! what Boulder puts in the problem detail (type `dns`, no further prefix).

use std::fmt;

use super::extended_error::ExtendedError;
use super::message::Message;
use super::query_type::QueryType;
use super::rcode::Rcode;

/// Port of `bdns/problem.go: Error`: one failed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsProblem {
    /// The type that was asked for.
    pub record_type: QueryType,
    /// The name as the caller passed it (no trailing dot added).
    pub hostname: String,
    /// What went wrong.
    pub cause: DnsFailure,
}

/// Why a query failed: Boulder's `underlying` error, or its `rCode` with the
/// optional `extended` error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsFailure {
    /// A `*net.OpError` that is a timeout, or `context.DeadlineExceeded`
    /// (including DoH timeouts): "query timed out".
    Timeout,
    /// `context.Canceled`: "query timed out (and was canceled)".
    Canceled,
    /// A `*net.OpError` that is not a timeout: "networking error".
    NetworkError,
    /// Any other exchange error (DoH HTTP status other than 200, an
    /// undecodable or mismatched response, ...): "server failure at resolver".
    ServerFailure,
    /// The response's RCODE, when it is not NOERROR and carries no Extended
    /// DNS Error. (NOERROR here prints as a server failure, as in Boulder.)
    Rcode(Rcode),
    /// An RCODE other than NOERROR with an Extended DNS Error: Boulder shows
    /// the EDE instead of the RCODE.
    Extended {
        /// The response's RCODE (not shown).
        rcode: Rcode,
        /// The first EDE of the response.
        error: ExtendedError,
    },
}

/// Port of `bdns/problem.go: wrapErr` for a response that arrived: `Ok` for
/// NOERROR (even with no answers), otherwise the RCODE with the response's
/// first Extended DNS Error if it has one (`extendedDNSError`). Transport
/// errors do not reach here; the caller builds their [`DnsFailure`].
pub fn wrap_err(
    record_type: QueryType,
    hostname: &str,
    response: &Message,
) -> Result<(), DnsProblem> {
    if response.rcode == Rcode::NOERROR {
        return Ok(());
    }
    let cause = match response.extended_errors.first() {
        Some(error) => DnsFailure::Extended {
            rcode: response.rcode,
            error: error.clone(),
        },
        None => DnsFailure::Rcode(response.rcode),
    };
    Err(DnsProblem {
        record_type,
        hostname: hostname.to_string(),
        cause,
    })
}

/// Port of `bdns/problem.go: Error.Error`.
impl fmt::Display for DnsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (record_type, hostname) = (self.record_type, &self.hostname);
        let (detail, additional) = match &self.cause {
            DnsFailure::Extended { error, .. } => {
                return write!(
                    f,
                    "DNS problem: looking up {record_type} for {hostname}: {error}"
                );
            }
            DnsFailure::Timeout => ("query timed out", ""),
            DnsFailure::Canceled => ("query timed out (and was canceled)", ""),
            DnsFailure::NetworkError => ("networking error", ""),
            DnsFailure::ServerFailure => ("server failure at resolver", ""),
            DnsFailure::Rcode(Rcode::NOERROR) => ("server failure at resolver", ""),
            DnsFailure::Rcode(rcode) => (rcode.name().unwrap_or(""), rcode_explanation(*rcode)),
        };
        write!(
            f,
            "DNS problem: {detail} looking up {record_type} for {hostname}{additional}"
        )
    }
}

impl std::error::Error for DnsProblem {}

/// Port of `bdns/problem.go: rcodeExplanations`, with its `" - "` joint.
fn rcode_explanation(rcode: Rcode) -> &'static str {
    match rcode {
        Rcode::NXDOMAIN => " - check that a DNS record exists for this domain",
        Rcode::SERVFAIL => " - the domain's nameservers may be malfunctioning",
        _ => "",
    }
}

/// Why one address family gave nothing usable (`va/dns.go: getAddrs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FamilyFailure {
    /// The query itself failed.
    Lookup(DnsProblem),
    /// NOERROR, but no answer of the type was left after filtering (none at
    /// all, or only reserved addresses): `no valid A records found for <h>`.
    NoValidRecords {
        /// [`QueryType::A`] or [`QueryType::Aaaa`].
        record_type: QueryType,
        /// The name as the caller passed it.
        hostname: String,
    },
}

impl fmt::Display for FamilyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Lookup(problem) => problem.fmt(f),
            Self::NoValidRecords {
                record_type,
                hostname,
            } => write!(f, "no valid {record_type} records found for {hostname}"),
        }
    }
}

/// The error `va/dns.go: getAddrs` returns when both families failed (one
/// failing alone is not an error): `berrors.DNSError("<A part>; <AAAA part>")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostLookupFailure {
    /// The A half, printed first.
    pub a: FamilyFailure,
    /// The AAAA half.
    pub aaaa: FamilyFailure,
}

impl fmt::Display for HostLookupFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; {}", self.a, self.aaaa)
    }
}

impl std::error::Error for HostLookupFailure {}

#[cfg(test)]
mod tests;
