//! The scenario file: what the test network serves (JSON, see `README.md`).
//!
//! A scenario has three parts: DNS records and DNS faults, HTTP(S) endpoints (addresses ×
//! ports, with routes and responses) and firewall faults attached to endpoints. Every
//! address must lie inside the server prefixes ([`SERVER_PREFIX_V4`], [`SERVER_PREFIX_V6`]).

mod dns;
mod http;

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::path::Path;

use serde::Deserialize;

pub use dns::{Dns, DnsAction, DnsFault, Ede, RecordSet, Transport};
pub use http::{
    AcmeTls1, Endpoint, Firewall, Framing, HttpAction, OnConnect, Response, Route, Slow,
};

use crate::net_plan::{in_server_prefix, SERVER_PREFIX_V4, SERVER_PREFIX_V6};

/// Longest lifetime a scenario may ask for (seconds): every server stops by then.
pub const MAX_LIFETIME_SECS: u64 = 3600;

/// A whole test network description.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Seconds after which every server stops and the namespaces are removed (default 120).
    #[serde(default = "default_lifetime")]
    pub lifetime_secs: u64,
    /// Account key thumbprint used by `"token": true` responses.
    #[serde(default)]
    pub thumbprint: String,
    /// DNS data and faults.
    #[serde(default)]
    pub dns: Dns,
    /// HTTP(S) endpoints.
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
}

/// Why a scenario is refused.
#[derive(Debug)]
pub struct ScenarioError(pub String);

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "scenario: {}", self.0)
    }
}

impl std::error::Error for ScenarioError {}

impl Scenario {
    /// Reads and validates a JSON scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ScenarioError(format!("cannot read {}: {e}", path.display())))?;
        Scenario::parse(&text)
    }

    /// Parses and validates JSON text.
    pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario =
            serde_json::from_str(text).map_err(|e| ScenarioError(e.to_string()))?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Checks limits, addresses and uniqueness.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.lifetime_secs == 0 || self.lifetime_secs > MAX_LIFETIME_SECS {
            return Err(err(format!(
                "lifetime_secs must be 1..={MAX_LIFETIME_SECS}"
            )));
        }
        self.dns.validate()?;
        let mut seen = BTreeSet::new();
        for endpoint in &self.endpoints {
            endpoint.validate()?;
            for addr in &endpoint.addresses {
                for port in &endpoint.ports {
                    if !seen.insert((*addr, *port)) {
                        return Err(err(format!("{addr} port {port} is in two endpoints")));
                    }
                }
            }
        }
        for addr in &self.dns.addresses {
            if self
                .endpoints
                .iter()
                .any(|e| e.addresses.contains(addr) && e.ports.contains(&53))
            {
                return Err(err(format!("{addr} port 53 is the DNS server's")));
            }
        }
        Ok(())
    }

    /// Every (address, port) pair served over HTTP(S), with its endpoint.
    pub fn sockets(&self) -> impl Iterator<Item = (IpAddr, u16, &Endpoint)> {
        self.endpoints.iter().flat_map(|e| {
            e.addresses
                .iter()
                .flat_map(move |a| e.ports.iter().map(move |p| (*a, *p, e)))
        })
    }

    /// The endpoint serving `addr` and `port`, if any.
    pub fn endpoint(&self, addr: IpAddr, port: u16) -> Option<&Endpoint> {
        self.endpoints
            .iter()
            .find(|e| e.addresses.contains(&addr) && e.ports.contains(&port))
    }
}

pub(crate) fn check_addr(addr: IpAddr) -> Result<(), ScenarioError> {
    if in_server_prefix(addr) {
        return Ok(());
    }
    Err(err(format!(
        "{addr} is outside the server prefixes {SERVER_PREFIX_V4} and {SERVER_PREFIX_V6}"
    )))
}

pub(crate) fn check_name(name: &str) -> Result<(), ScenarioError> {
    let ok = !name.is_empty()
        && name.len() <= 253
        && !name.ends_with('.')
        && name.split('.').all(|l| !l.is_empty() && l.len() <= 63);
    if ok {
        return Ok(());
    }
    Err(err(format!("bad DNS name {name:?}")))
}

pub(crate) fn err(message: String) -> ScenarioError {
    ScenarioError(message)
}

fn default_lifetime() -> u64 {
    120
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_rows() {
        let rows: &[(&str, &str, bool)] = &[
            // Minimal scenario: defaults fill everything.
            ("empty", "{}", true),
            // Lifetime limits: 0 and above the cap are refused, the cap itself passes.
            ("lifetime 0", r#"{"lifetime_secs":0}"#, false),
            ("lifetime max", r#"{"lifetime_secs":3600}"#, true),
            ("lifetime max+1", r#"{"lifetime_secs":3601}"#, false),
            // Unknown fields are typos, not silently ignored.
            ("unknown field", r#"{"lifetimesecs":5}"#, false),
            // TLS-ALPN-01 responders need an identifier and a TLS port.
            (
                "acme_tls1 on 443",
                r#"{"endpoints":[{"addresses":["198.51.100.1"],"ports":[443],"acme_tls1":{"identifier":"a.example","key_authorization":"t.x"}}]}"#,
                cfg!(feature = "tls"),
            ),
            (
                "acme_tls1 without a TLS port",
                r#"{"endpoints":[{"addresses":["198.51.100.1"],"ports":[80],"acme_tls1":{"identifier":"a.example","key_authorization":"t.x"}}]}"#,
                false,
            ),
            (
                "acme_tls1 without an identifier",
                r#"{"endpoints":[{"addresses":["198.51.100.1"],"ports":[443],"acme_tls1":{"identifier":"","key_authorization":"t.x"}}]}"#,
                false,
            ),
            // `on_connect: raw` answers first bytes with the default body.
            (
                "on_connect raw",
                r#"{"endpoints":[{"addresses":["198.51.100.1"],"ports":[443],"tls":false,"on_connect":"raw"}]}"#,
                true,
            ),
            // Addresses outside the test prefixes would route to the real world.
            (
                "outside v4",
                r#"{"endpoints":[{"addresses":["192.0.2.1"]}]}"#,
                false,
            ),
            (
                "upper half v4",
                r#"{"endpoints":[{"addresses":["198.51.100.200"]}]}"#,
                false,
            ),
            (
                "inside v4",
                r#"{"endpoints":[{"addresses":["198.51.100.126"]}]}"#,
                true,
            ),
            (
                "outside v6",
                r#"{"endpoints":[{"addresses":["fd00::1"]}]}"#,
                false,
            ),
            (
                "inside v6",
                r#"{"endpoints":[{"addresses":["2001:db8:7fff::1"]}]}"#,
                true,
            ),
            (
                "client half v6",
                r#"{"endpoints":[{"addresses":["2001:db8:8000::1"]}]}"#,
                false,
            ),
            // The same socket in two endpoints is ambiguous.
            (
                "duplicate socket",
                r#"{"endpoints":[{"addresses":["198.51.100.1"]},{"addresses":["198.51.100.1"]}]}"#,
                false,
            ),
            // CNAME owners cannot hold other data.
            (
                "cname+a",
                r#"{"dns":{"records":{"a.example":{"CNAME":"b.example","A":["198.51.100.1"]}}}}"#,
                false,
            ),
            (
                "bad caa",
                r#"{"dns":{"records":{"a.example":{"CAA":["x issue"]}}}}"#,
                false,
            ),
            (
                "bad fault type",
                r#"{"dns":{"faults":[{"name":"a.example","type":"MX","action":"servfail"}]}}"#,
                false,
            ),
            (
                "bad name",
                r#"{"dns":{"records":{"a..example":{}}}}"#,
                false,
            ),
            (
                "bad header",
                r#"{"endpoints":[{"addresses":["198.51.100.1"],"default":{"headers":[["X","a\r\nb"]]}}]}"#,
                false,
            ),
            (
                "status 99",
                r#"{"endpoints":[{"addresses":["198.51.100.1"],"default":{"status":99}}]}"#,
                false,
            ),
            (
                "slow 0 bytes",
                r#"{"endpoints":[{"addresses":["198.51.100.1"],"default":{"slow":{"chunk_bytes":0,"interval_ms":1}}}]}"#,
                false,
            ),
        ];
        for (why, text, ok) in rows {
            assert_eq!(
                Scenario::parse(text).is_ok(),
                *ok,
                "{why}: {:?}",
                Scenario::parse(text).err()
            );
        }
    }

    #[test]
    fn tls_defaults_to_port_443() {
        let s =
            Scenario::parse(r#"{"endpoints":[{"addresses":["198.51.100.1"],"ports":[80,443]}]}"#)
                .unwrap();
        let e = &s.endpoints[0];
        assert!(!e.tls_on(80));
        assert_eq!(e.tls_on(443), cfg!(feature = "tls"));
        assert_eq!(s.sockets().count(), 2);
    }
}
