//! The `dns` part of a scenario.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Deserialize;

use super::{check_addr, check_name, err, ScenarioError};

/// The DNS server's data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dns {
    /// Addresses the server listens on (UDP and TCP port 53); default `198.51.100.53` and `2001:db8::53`.
    #[serde(default = "default_dns_addresses")]
    pub addresses: Vec<IpAddr>,
    /// TTL of every record (default 60).
    #[serde(default = "default_ttl")]
    pub ttl: u32,
    /// Record sets by owner name (case-insensitive, without trailing dot). `*.x` is a wildcard.
    #[serde(default)]
    pub records: BTreeMap<String, RecordSet>,
    /// Faults by name and type; the first matching fault wins.
    #[serde(default)]
    pub faults: Vec<DnsFault>,
}

/// The records of one owner name.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordSet {
    /// IPv4 addresses, in answer order.
    #[serde(default, rename = "A")]
    pub a: Vec<std::net::Ipv4Addr>,
    /// IPv6 addresses, in answer order.
    #[serde(default, rename = "AAAA")]
    pub aaaa: Vec<std::net::Ipv6Addr>,
    /// Alias target; a name with a CNAME has no other records.
    #[serde(default, rename = "CNAME")]
    pub cname: Option<String>,
    /// CAA records in presentation form: `0 issue "letsencrypt.org"`.
    #[serde(default, rename = "CAA")]
    pub caa: Vec<String>,
    /// TXT records (each string is one record).
    #[serde(default, rename = "TXT")]
    pub txt: Vec<String>,
}

/// A fault injected for queries of one name and type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsFault {
    /// Query name the fault applies to (case-insensitive).
    pub name: String,
    /// Query type (`A`, `AAAA`, `CNAME`, `CAA`, `TXT`) or `*` for every type.
    #[serde(rename = "type", default = "star")]
    pub qtype: String,
    /// What the server does.
    pub action: DnsAction,
    /// Wait this long before acting (milliseconds, at most 60000).
    #[serde(default)]
    pub delay_ms: u64,
    /// Extended DNS Error option added to the answer (RFC 8914).
    #[serde(default)]
    pub ede: Option<Ede>,
    /// Restrict the fault to one transport (`udp` or `tcp`).
    #[serde(default)]
    pub transport: Option<Transport>,
    /// Apply only to the first `count` matching queries, then answer normally.
    #[serde(default)]
    pub count: Option<u64>,
}

/// What a DNS fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DnsAction {
    /// Answer normally (use with `delay_ms` or `ede`).
    Answer,
    /// RCODE 2.
    Servfail,
    /// RCODE 5.
    Refused,
    /// RCODE 3, no records.
    Nxdomain,
    /// RCODE 0, no records.
    Nodata,
    /// Never answer.
    Timeout,
    /// Over UDP: an empty answer with the TC bit (the client must retry over TCP).
    Truncate,
}

/// A DNS transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    /// UDP port 53.
    Udp,
    /// TCP port 53.
    Tcp,
}

/// An Extended DNS Error (RFC 8914 info-code and extra text).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ede {
    /// INFO-CODE, e.g. 6 "DNSSEC Bogus".
    pub code: u16,
    /// EXTRA-TEXT.
    #[serde(default)]
    pub text: String,
}

impl Default for Dns {
    fn default() -> Dns {
        Dns {
            addresses: default_dns_addresses(),
            ttl: default_ttl(),
            records: BTreeMap::new(),
            faults: Vec::new(),
        }
    }
}

impl Dns {
    pub(super) fn validate(&self) -> Result<(), ScenarioError> {
        for addr in &self.addresses {
            check_addr(*addr)?;
        }
        for (name, set) in &self.records {
            check_name(name)?;
            let others = !set.a.is_empty()
                || !set.aaaa.is_empty()
                || !set.caa.is_empty()
                || !set.txt.is_empty();
            if let Some(target) = &set.cname {
                check_name(target)?;
                if others {
                    return Err(err(format!("{name}: a CNAME owner has no other records")));
                }
            }
            for caa in &set.caa {
                crate::dns::wire::Caa::parse(caa)
                    .ok_or_else(|| err(format!("{name}: bad CAA {caa:?}")))?;
            }
        }
        for fault in &self.faults {
            check_name(&fault.name)?;
            if fault.qtype != "*" && crate::dns::wire::qtype_code(&fault.qtype).is_none() {
                return Err(err(format!(
                    "{}: unknown type {:?}",
                    fault.name, fault.qtype
                )));
            }
            if fault.delay_ms > 60_000 {
                return Err(err(format!("{}: delay_ms above 60000", fault.name)));
            }
        }
        Ok(())
    }
}

fn default_ttl() -> u32 {
    60
}

fn star() -> String {
    "*".to_string()
}

fn default_dns_addresses() -> Vec<IpAddr> {
    crate::net_plan::DNS_ADDRESSES.to_vec()
}
