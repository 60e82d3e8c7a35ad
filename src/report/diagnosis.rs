//! The diagnosis a `diagnose` job adds to its report: the verdict, what every address
//! answered, and the findings with their fixes.
//!
//! The report's own fields (status, problem, records, notes) hold the predicted Let's Encrypt
//! attempt; everything here explains it.

use std::net::IpAddr;

use super::{Problem, Status, TraceEvent, ValidationRecord};
use crate::job::Expectation;

/// What Let's Encrypt's HTTP-01 validation of the identifier will do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It reaches the site in every answer order, without the IPv4 retry.
    Pass,
    /// It works only through the one IPv4 retry after a failed IPv6 connect: that costs up
    /// to the connect timeout and breaks as soon as a redirect hop needs IPv6.
    PassWithFallback,
    /// It fails, whatever the answer order.
    Fail,
    /// It depends on the order of the DNS answers (several addresses that behave
    /// differently) or on the vantage point.
    Intermittent,
}

impl Verdict {
    /// The JSON name: `pass`, `pass-with-fallback`, `fail`, `intermittent`.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::PassWithFallback => "pass-with-fallback",
            Verdict::Fail => "fail",
            Verdict::Intermittent => "intermittent",
        }
    }
}

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Validation fails (in some or all answer orders) because of it.
    Error,
    /// Validation passes, but slowly, only through the retry, or fragile.
    Warning,
    /// Worth knowing; Let's Encrypt is not affected.
    Info,
}

impl Severity {
    /// The JSON name: `error`, `warning`, `info`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One thing the diagnosis found, with its stable code and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// A stable identifier (kebab-case), e.g. `ipv6-connect-timeout`; see docs/diagnose.md.
    pub code: String,
    /// How much it matters.
    pub severity: Severity,
    /// One line.
    pub summary: String,
    /// What was observed, one fact per line.
    pub evidence: Vec<String>,
    /// What to change, in Let's Encrypt's own terms where it has them.
    pub fix: Option<String>,
}

/// Which role Let's Encrypt gives an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressRole {
    /// Dialled first: the first usable AAAA (or the first A without one).
    First,
    /// The one retry after a failed IPv6 connect: the first usable A.
    Fallback,
    /// Never used in this answer order; used when the resolver lists it first.
    Alternate,
    /// Reserved: Let's Encrypt drops it silently.
    Ignored,
}

impl AddressRole {
    /// The JSON name: `first`, `fallback`, `alternate`, `ignored`.
    pub fn name(self) -> &'static str {
        match self {
            AddressRole::First => "first",
            AddressRole::Fallback => "fallback",
            AddressRole::Alternate => "alternate",
            AddressRole::Ignored => "ignored",
        }
    }
}

/// How a TCP connect ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectResult {
    /// Connected.
    Connected,
    /// No answer within the timeout (a dial error: Let's Encrypt would retry on IPv4).
    Timeout,
    /// Refused (a dial error).
    Refused,
    /// Network unreachable (a dial error).
    NetworkUnreachable,
    /// Host unreachable (a dial error).
    HostUnreachable,
    /// Another dial error, with the host's text.
    Other(String),
}

impl ConnectResult {
    /// The JSON name: `connected`, `timeout`, `refused`, `network-unreachable`,
    /// `host-unreachable`, `other`.
    pub fn name(&self) -> &'static str {
        match self {
            ConnectResult::Connected => "connected",
            ConnectResult::Timeout => "timeout",
            ConnectResult::Refused => "refused",
            ConnectResult::NetworkUnreachable => "network-unreachable",
            ConnectResult::HostUnreachable => "host-unreachable",
            ConnectResult::Other(_) => "other",
        }
    }
}

/// What a server answered, reduced to what identifies it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseSummary {
    /// The status code.
    pub status: u16,
    /// The header names in arrival order (Go's canonical form).
    pub header_names: Vec<String>,
    /// The `Server` header.
    pub server: Option<String>,
    /// The `Location` header.
    pub location: Option<String>,
    /// Body bytes read (decoded), at most the probe's limit.
    pub body_bytes: u64,
    /// SHA-256 of those bytes, lowercase hex.
    pub body_sha256: String,
    /// Whether the body arrived whole (false: it stalled, failed or was longer than the limit).
    pub body_complete: bool,
    /// Signatures recognised in the headers or the body: `cdn:<name>`, `waf:<name>`,
    /// `router:<name>`, `http-on-https-port` (docs/diagnose.md lists them).
    pub markers: Vec<String>,
}

/// A server certificate, reduced to what identifies it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateSummary {
    /// SHA-256 of the certificate's DER, lowercase hex.
    pub sha256: String,
    /// The subject's common name.
    pub subject: Option<String>,
    /// The subject alternative names: DNS names, then IP addresses.
    pub names: Vec<String>,
    /// The issuer's common name.
    pub issuer: Option<String>,
    /// Whether the issuer is the subject (a self-signed or self-issued certificate).
    pub self_issued: bool,
}

/// A completed TLS handshake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsSummary {
    /// `TLS 1.2` or `TLS 1.3`.
    pub version: String,
    /// The negotiated ALPN protocol.
    pub alpn: Option<String>,
    /// The server's leaf certificate; `None` when it sent none or it does not parse.
    pub certificate: Option<CertificateSummary>,
}

/// One request of the diagnosis, pinned to one address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    /// The `Host` header sent (for a handshake without a request, the SNI name).
    pub host: String,
    /// How the connect ended.
    pub connect: ConnectResult,
    /// Milliseconds the connect took (Let's Encrypt's time: a timeout counts in full).
    pub connect_ms: u64,
    /// The answer, when a response head arrived.
    pub response: Option<ResponseSummary>,
    /// Boulder's text for what failed after the connect (or while reading the body).
    pub error: Option<String>,
    /// Bytes received on the connection.
    pub received_bytes: u64,
    /// Milliseconds from the connect to the end of the probe.
    pub elapsed_ms: u64,
    /// The TLS handshake, on port 443 when it completed.
    pub tls: Option<TlsSummary>,
}

/// What Let's Encrypt's policy concludes in one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Valid or invalid.
    pub status: Status,
    /// The problem, when invalid.
    pub problem: Option<Problem>,
    /// The validation records.
    pub records: Vec<ValidationRecord>,
    /// Let's Encrypt's time for it, in milliseconds.
    pub elapsed_ms: u64,
}

/// One address of the identifier and what it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressObservation {
    /// The address.
    pub address: IpAddr,
    /// Its position among its family's answers (0 = first).
    pub index: u32,
    /// Let's Encrypt's use of it.
    pub role: AddressRole,
    /// Boulder's reason for dropping it (`IP address is in a reserved address block: …`).
    pub ignored: Option<String>,
    /// The request for the diagnosis token with the identifier as `Host`.
    pub probe: Option<Probe>,
    /// The same request with a made-up `Host` (a default virtual host answers both alike).
    pub bogus_host: Option<Probe>,
    /// Let's Encrypt's policy run with this address as the identifier's only one.
    pub alone: Option<Outcome>,
    /// The token request over HTTPS on port 443, as a redirect hop to `https://` makes it.
    pub https: Option<Probe>,
    /// A TLS-ALPN-01 handshake on port 443, offering only `acme-tls/1` (no request).
    pub acme_tls: Option<Probe>,
}

/// Whether the IPv4 and IPv6 addresses reach the same web server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Identity {
    /// They answer alike (status, header names and order, `Server`, `Location`, body).
    Same,
    /// They answer differently.
    Different,
    /// Not decidable (one family only, no answers, or only the body differs).
    Unknown,
}

impl Identity {
    /// The JSON name: `same`, `different`, `unknown`.
    pub fn name(self) -> &'static str {
        match self {
            Identity::Same => "same",
            Identity::Different => "different",
            Identity::Unknown => "unknown",
        }
    }
}

/// One DNS lookup of the identifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup {
    /// `A`, `AAAA` or `CAA`.
    pub record_type: String,
    /// The records in presentation form (addresses, or CAA `flags tag "value"`).
    pub records: Vec<String>,
    /// Boulder's text when the lookup failed.
    pub error: Option<String>,
    /// Milliseconds it took.
    pub elapsed_ms: u64,
}

/// The diagnosis of one identifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnosis {
    /// The identifier diagnosed.
    pub identifier: String,
    /// The verdict.
    pub verdict: Verdict,
    /// One or two sentences: what Let's Encrypt will do and why.
    pub summary: String,
    /// The token the diagnosis requested (random, or the one of `expect`).
    pub token: String,
    /// The published file looked for, in canary mode.
    pub expect: Option<Expectation>,
    /// Let's Encrypt's time for the predicted validation, in milliseconds.
    pub predicted_ms: u64,
    /// The validation's budget the prediction used.
    pub deadline_ms: u32,
    /// The predicted validation step by step, on Let's Encrypt's clock.
    pub timeline: Vec<TraceEvent>,
    /// The identifier's lookups (none for IP identifiers).
    pub lookups: Vec<Lookup>,
    /// Every address, AAAA first, each family in answer order.
    pub addresses: Vec<AddressObservation>,
    /// Same server on IPv4 and IPv6?
    pub identity: Identity,
    /// Why the identity was decided so.
    pub identity_evidence: Vec<String>,
    /// What was found, errors first.
    pub findings: Vec<Finding>,
    /// The pending Boulder pull request 8905's outcome, when it differs from Boulder's.
    pub pr8905: Option<Outcome>,
    /// Let's Encrypt's TLS-ALPN-01 validation on the same network (with the diagnosis'
    /// key authorization, so at best it reaches the certificate check).
    pub tls_alpn01: Option<Outcome>,
}
