//! Everything the rules look at, with the questions they share.

use std::net::IpAddr;

use super::lookup::Lookups;
use super::runs::{Run, RunKind};
use super::verdict::{Judge, RunClass};
use crate::job::Options;
use crate::report::{AddressObservation, AddressRole, ConnectResult, Severity};

/// The observations of one diagnosis.
pub(crate) struct Facts<'a> {
    /// The identifier.
    pub(crate) host: &'a str,
    /// Its lookups (none for IP identifiers).
    pub(crate) lookups: Option<&'a Lookups>,
    /// Every address with its probes and alone run.
    pub(crate) addresses: &'a [AddressObservation],
    /// Every HTTP-01 policy run.
    pub(crate) runs: &'a [Run],
    /// The TLS-ALPN-01 prediction.
    pub(crate) tls_alpn: Option<&'a Run>,
    /// Judges runs against the site.
    pub(crate) judge: &'a Judge<'a>,
    /// The session's settings.
    pub(crate) options: &'a Options,
    /// Canary mode.
    pub(crate) canary: bool,
}

impl Facts<'_> {
    /// The prediction.
    pub(crate) fn main(&self) -> Option<&Run> {
        self.run(RunKind::Main)
    }

    /// A run by kind.
    pub(crate) fn run(&self, kind: RunKind) -> Option<&Run> {
        self.runs.iter().find(|r| r.kind == kind)
    }

    /// The addresses that were probed (usable ones), in report order.
    pub(crate) fn probed(&self) -> impl Iterator<Item = &AddressObservation> {
        self.addresses.iter().filter(|a| a.probe.is_some())
    }

    /// Whether any probed address of the family answered with a connection.
    pub(crate) fn family_connects(&self, v6: bool) -> bool {
        self.probed()
            .any(|a| a.address.is_ipv6() == v6 && connected(a))
    }

    /// Whether the family has a probed address at all.
    pub(crate) fn has_family(&self, v6: bool) -> bool {
        self.probed().any(|a| a.address.is_ipv6() == v6)
    }

    /// Whether some IPv6 address fails to connect (so Let's Encrypt falls back to IPv4).
    pub(crate) fn some_v6_dial_fails(&self) -> bool {
        self.probed().any(|a| a.address.is_ipv6() && dial_failed(a))
    }

    /// How much a failure at `address` matters. After the connect nothing is retried, so it
    /// counts for every address Let's Encrypt may dial first (every AAAA; every A when there
    /// is no AAAA, or when IPv6 connects fail). A dial error on IPv6 is retried on IPv4.
    pub(crate) fn weight(&self, address: &AddressObservation, dial_error: bool) -> Severity {
        let v6 = address.address.is_ipv6();
        let other_works = self.family_connects(!v6);
        if v6 {
            if dial_error && other_works {
                Severity::Warning
            } else {
                Severity::Error
            }
        } else if !self.has_family(true) || self.some_v6_dial_fails() {
            Severity::Error
        } else {
            Severity::Warning
        }
    }

    /// The class of `address`'s alone run.
    pub(crate) fn alone_class(&self, address: IpAddr) -> Option<RunClass> {
        self.run(RunKind::Alone(address))
            .map(|run| self.judge.class(run))
    }
}

/// Whether the address's probe connected.
pub(crate) fn connected(address: &AddressObservation) -> bool {
    address
        .probe
        .as_ref()
        .is_some_and(|p| p.connect == ConnectResult::Connected)
}

/// Whether the address's probe failed to connect.
pub(crate) fn dial_failed(address: &AddressObservation) -> bool {
    address
        .probe
        .as_ref()
        .is_some_and(|p| p.connect != ConnectResult::Connected)
}

/// `IPv6` or `IPv4`.
pub(crate) fn family(address: IpAddr) -> &'static str {
    if address.is_ipv6() {
        "IPv6"
    } else {
        "IPv4"
    }
}

/// How an address's role reads in evidence.
pub(crate) fn role_words(role: AddressRole) -> &'static str {
    match role {
        AddressRole::First => "the address Let's Encrypt dials first",
        AddressRole::Fallback => "the address of Let's Encrypt's one IPv4 retry",
        AddressRole::Alternate => "dialled first whenever the resolver lists it first",
        AddressRole::Ignored => "ignored by Let's Encrypt",
    }
}
