//! The `endpoints` part of a scenario: HTTP(S) servers and firewall faults.

use std::net::IpAddr;

use serde::Deserialize;

use super::{check_addr, err, ScenarioError};

/// Servers on a set of addresses and ports that behave alike.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// Label for logs.
    #[serde(default)]
    pub name: String,
    /// Server addresses (inside the server prefixes).
    pub addresses: Vec<IpAddr>,
    /// TCP ports (default `[80]`).
    #[serde(default = "default_ports")]
    pub ports: Vec<u16>,
    /// Speak TLS (default: true on port 443, false elsewhere).
    #[serde(default)]
    pub tls: Option<bool>,
    /// Packet filter fault for these addresses and ports.
    #[serde(default)]
    pub firewall: Firewall,
    /// What happens right after accept, before TLS and before reading (default `serve`).
    #[serde(default)]
    pub on_connect: OnConnect,
    /// Routes, first match wins.
    #[serde(default)]
    pub routes: Vec<Route>,
    /// Response when no route matches (default 404 "not found").
    #[serde(default = "not_found")]
    pub default: Response,
    /// Answer TLS-ALPN-01 on this endpoint's TLS ports: offer only `acme-tls/1` and present
    /// a challenge certificate.
    #[serde(default)]
    pub acme_tls1: Option<AcmeTls1>,
    /// Present an own self-signed certificate for these names on this endpoint's TLS ports
    /// (default: the certificate the scenario's TLS endpoints share, for all its names).
    #[serde(default)]
    pub certificate: Option<Vec<String>>,
    /// ALPN protocols the TLS server negotiates; a client offering only others gets rustls's
    /// `no_application_protocol` alert (default: none, the extension is ignored).
    #[serde(default)]
    pub alpn: Vec<String>,
}

/// A TLS-ALPN-01 responder (RFC 8737): the self-signed challenge certificate it presents.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcmeTls1 {
    /// The one subject alternative name: a DNS name or an IP literal.
    pub identifier: String,
    /// The key authorization whose SHA-256 the critical acmeIdentifier extension holds (give
    /// another one for a wrong certificate).
    pub key_authorization: String,
}

/// A packet-filter fault (nftables in the server namespace).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Firewall {
    /// No fault.
    #[default]
    None,
    /// Drop SYNs: connect times out.
    Drop,
    /// `reject with tcp reset`: connection refused at once.
    Reset,
    /// ICMP host unreachable (ICMPv6 address unreachable).
    Unreachable,
    /// ICMP port unreachable.
    PortUnreachable,
    /// ICMP administratively prohibited.
    AdminProhibited,
}

/// Behaviour of an endpoint right after the TCP connection is accepted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnConnect {
    /// Go on: TLS (if any), read the request, answer per route.
    #[default]
    Serve,
    /// Reset at once (SO_LINGER 0).
    Reset,
    /// Close at once (FIN).
    Close,
    /// Never read nor answer (until the testbed stops).
    Hang,
    /// Read what arrives first (a TLS client hello, say), send `default.body` verbatim, then
    /// close: a plain HTTP server on a TLS port, or a TLS 1.1-only server's alert.
    Raw,
}

/// A path rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Only requests whose `Host` is this name (any port, any case): a name-based virtual
    /// host. Routes without it take every `Host`.
    #[serde(default)]
    pub host: Option<String>,
    /// Exact path (query string ignored).
    #[serde(default)]
    pub path: Option<String>,
    /// Path prefix.
    #[serde(default)]
    pub prefix: Option<String>,
    /// What to send.
    pub response: Response,
}

/// What a server does with one request.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// The behaviour (default `respond`).
    #[serde(default)]
    pub action: HttpAction,
    /// Status code (default 200).
    #[serde(default = "default_status")]
    pub status: u16,
    /// Reason phrase (default: the standard one).
    #[serde(default)]
    pub reason: Option<String>,
    /// Headers in order, as `[name, value]` pairs; `{target}`, `{path}`, `{token}` and
    /// `{host}` in values become the request's.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// Body (for `raw`: the bytes sent verbatim).
    #[serde(default)]
    pub body: String,
    /// Body is `<token>.<thumbprint>` (token: last path segment).
    #[serde(default)]
    pub token: bool,
    /// Thumbprint for `token` (default: the scenario's).
    #[serde(default)]
    pub thumbprint: Option<String>,
    /// Body framing (default `length`).
    #[serde(default)]
    pub framing: Framing,
    /// Gzip the body and send `Content-Encoding: gzip`.
    #[serde(default)]
    pub gzip: bool,
    /// Wait this long before the status line (milliseconds).
    #[serde(default)]
    pub delay_ms: u64,
    /// Send the body in pieces with pauses.
    #[serde(default)]
    pub slow: Option<Slow>,
    /// For `hang`: how long (default: until the testbed stops).
    #[serde(default)]
    pub hang_ms: Option<u64>,
}

/// Non-`respond` behaviours model broken servers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HttpAction {
    /// Send an HTTP response.
    #[default]
    Respond,
    /// Read the request, then never answer.
    Hang,
    /// Read the request, then close without a response.
    Close,
    /// Read the request, then reset (SO_LINGER 0).
    Reset,
    /// Send `body` verbatim, then close.
    Raw,
}

/// How the body's end is marked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Framing {
    /// `Content-Length`.
    #[default]
    Length,
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// Neither: the body ends when the connection closes.
    Close,
}

/// Slow body delivery.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slow {
    /// Bytes per piece (at least 1).
    pub chunk_bytes: usize,
    /// Pause before each piece (milliseconds).
    pub interval_ms: u64,
}

impl Endpoint {
    pub(super) fn validate(&self) -> Result<(), ScenarioError> {
        if self.addresses.is_empty() || self.ports.is_empty() {
            return Err(err(format!(
                "endpoint {:?} needs addresses and ports",
                self.name
            )));
        }
        for addr in &self.addresses {
            check_addr(*addr)?;
        }
        if self.ports.contains(&0) {
            return Err(err(format!("endpoint {:?}: port 0", self.name)));
        }
        let wants_tls = self.tls == Some(true) || self.acme_tls1.is_some();
        if wants_tls && !cfg!(feature = "tls") {
            return Err(err("TLS endpoints need the `tls` feature".to_string()));
        }
        if let Some(acme) = &self.acme_tls1 {
            if acme.identifier.is_empty() || !self.ports.iter().any(|p| self.tls_on(*p)) {
                return Err(err(format!(
                    "endpoint {:?}: acme_tls1 needs an identifier and a TLS port",
                    self.name
                )));
            }
        }
        for route in &self.routes {
            if route.path.is_some() && route.prefix.is_some() {
                return Err(err(format!("endpoint {:?}: path and prefix", self.name)));
            }
            route.response.validate()?;
        }
        self.default.validate()
    }

    /// Whether the endpoint's TLS differs from the shared configuration.
    pub fn own_tls(&self) -> bool {
        self.acme_tls1.is_some() || self.certificate.is_some() || !self.alpn.is_empty()
    }

    /// Whether `port` speaks TLS on this endpoint.
    pub fn tls_on(&self, port: u16) -> bool {
        self.tls.unwrap_or(port == 443) && cfg!(feature = "tls")
    }
}

impl Response {
    fn validate(&self) -> Result<(), ScenarioError> {
        if !(100..=999).contains(&self.status) {
            return Err(err(format!("status {} out of range", self.status)));
        }
        if self
            .slow
            .is_some_and(|s| s.chunk_bytes == 0 || s.interval_ms > 60_000)
        {
            return Err(err(
                "slow: chunk_bytes >= 1 and interval_ms <= 60000".to_string()
            ));
        }
        if self.delay_ms > 600_000 || self.hang_ms.is_some_and(|h| h > 3_600_000) {
            return Err(err("delay_ms or hang_ms too long".to_string()));
        }
        for (name, value) in &self.headers {
            let bad = |s: &str| s.bytes().any(|b| b == b'\r' || b == b'\n');
            if name.is_empty() || bad(name) || bad(value) {
                return Err(err(format!("bad header {name:?}")));
            }
        }
        Ok(())
    }
}

impl Response {
    /// A plain `respond` with a status and body.
    pub fn status(status: u16, body: &str) -> Response {
        Response {
            action: HttpAction::Respond,
            status,
            reason: None,
            headers: Vec::new(),
            body: body.to_string(),
            token: false,
            thumbprint: None,
            framing: Framing::Length,
            gzip: false,
            delay_ms: 0,
            slow: None,
            hang_ms: None,
        }
    }
}

fn default_status() -> u16 {
    200
}

fn default_ports() -> Vec<u16> {
    vec![80]
}

fn not_found() -> Response {
    Response::status(404, "not found\n")
}
