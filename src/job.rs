//! What a session is asked to do, and with which settings.

use std::net::IpAddr;

use crate::policy::reserved::AllowList;

/// Boulder's `singleDialTimeout` (`va/va.go`): one TCP connect.
pub const DEFAULT_CONNECT_TIMEOUT_MS: u32 = 10_000;
/// The RA-to-VA deadline of Boulder's test configuration (`test/config/ra.json`); production's
/// value is not published.
pub const DEFAULT_DEADLINE_MS: u32 = 20_000;
/// Boulder's test configuration `dnsTimeout` (per DNS exchange).
pub const DEFAULT_DNS_TIMEOUT_MS: u32 = 1_000;
/// Boulder's test configuration `dnsTries` (attempts per query, retried on timeouts only).
pub const DEFAULT_DNS_TRIES: u8 = 3;

/// The ACME challenge types the checker predicts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChallengeType {
    /// HTTP-01.
    Http01,
    /// TLS-ALPN-01 (RFC 8737): a TLS handshake on port 443 offering `acme-tls/1`.
    TlsAlpn01,
}

impl ChallengeType {
    /// The ACME name (`http-01`, `tls-alpn-01`).
    pub fn name(self) -> &'static str {
        match self {
            ChallengeType::Http01 => "http-01",
            ChallengeType::TlsAlpn01 => "tls-alpn-01",
        }
    }
}

/// An ACME identifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identifier {
    /// A DNS name, lowercase ASCII (IDNs in punycode), no trailing dot.
    Dns(String),
    /// An IP address identifier (RFC 8738).
    Ip(IpAddr),
}

impl Identifier {
    /// The identifier as it appears in URLs' host part and in Boulder's texts.
    pub fn host(&self) -> String {
        match self {
            Identifier::Dns(name) => name.clone(),
            Identifier::Ip(address) => address.to_string(),
        }
    }
}

/// A validation to predict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validation {
    /// What is validated.
    pub identifier: Identifier,
    /// The challenge token.
    pub token: String,
    /// The expected key authorization.
    pub key_authorization: String,
    /// The challenge type.
    pub challenge: ChallengeType,
}

/// A file the user published for `diagnose` (canary mode): Let's Encrypt's path for a token,
/// and the content the file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    /// `/.well-known/acme-challenge/<token>`, the token base64url.
    pub path: String,
    /// The file's content, compared as Let's Encrypt compares a key authorization (the
    /// response body with trailing whitespace trimmed must equal it).
    pub content: String,
}

impl Expectation {
    /// The token: the last segment of `path`.
    pub fn token(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or_default()
    }
}

/// A diagnosis: what Let's Encrypt will do with an identifier before any order, why, and
/// what to change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnose {
    /// What is diagnosed.
    pub identifier: Identifier,
    /// A published file to look for on every address (`--expect PATH=CONTENT`).
    pub expect: Option<Expectation>,
}

/// What a session does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Job {
    /// Predict one validation.
    Validate(Validation),
    /// Diagnose an identifier: probe every address and predict Let's Encrypt's HTTP-01 attempt.
    Diagnose(Diagnose),
}

/// Which version of Let's Encrypt's rules to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Boulder at 2d00c8e: one IPv4 retry per validation, replaying the chain from the start.
    Boulder,
    /// Boulder with pull request 8905: an IPv4 retry at each redirect hop.
    BoulderPr8905,
}

/// Settings of a session; `Options::default()` gives Let's Encrypt's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Which rules to apply.
    pub policy: Policy,
    /// One TCP connect's timeout.
    pub connect_timeout_ms: u32,
    /// The whole validation's budget (the RA-to-VA RPC deadline).
    pub deadline_ms: u32,
    /// One DNS exchange's timeout.
    pub dns_timeout_ms: u32,
    /// Attempts per DNS query.
    pub dns_tries: u8,
    /// Reserved blocks treated as public (test networks only).
    pub allow_reserved: AllowList,
    /// The User-Agent header.
    pub user_agent: String,
    /// Seed for DNS message ids and TLS randomness (client random, key shares). Hosts must
    /// pass a fresh random value per session: with a fixed seed the TLS keys are predictable.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            policy: Policy::Boulder,
            connect_timeout_ms: DEFAULT_CONNECT_TIMEOUT_MS,
            deadline_ms: DEFAULT_DEADLINE_MS,
            dns_timeout_ms: DEFAULT_DNS_TIMEOUT_MS,
            dns_tries: DEFAULT_DNS_TRIES,
            allow_reserved: AllowList::default(),
            user_agent: crate::http::LETS_ENCRYPT_USER_AGENT.to_string(),
            seed: 0,
        }
    }
}
