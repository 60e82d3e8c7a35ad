//! Packet-filter faults with nftables inside the server namespace.
//!
//! The rules are fixed; the scenario only fills sets of `address . port`, one set per fault
//! and family, so faults can be switched while a test runs ([`set_element`]).

use std::collections::BTreeSet;
use std::net::IpAddr;

use crate::scenario::{Firewall, Scenario};

/// The nftables table (family `inet`) the testbed owns in the server namespace.
pub const TABLE: &str = "testbed";

/// Each fault: set-name stem and the verdict for IPv4 and IPv6.
const FAULTS: [(Firewall, &str, &str, &str); 5] = [
    (Firewall::Drop, "drop", "drop", "drop"),
    (
        Firewall::Reset,
        "reset",
        "reject with tcp reset",
        "reject with tcp reset",
    ),
    (
        Firewall::Unreachable,
        "unreach",
        "reject with icmp type host-unreachable",
        "reject with icmpv6 type addr-unreachable",
    ),
    (
        Firewall::PortUnreachable,
        "portunreach",
        "reject with icmp type port-unreachable",
        "reject with icmpv6 type port-unreachable",
    ),
    (
        Firewall::AdminProhibited,
        "prohibited",
        "reject with icmp type admin-prohibited",
        "reject with icmpv6 type admin-prohibited",
    ),
];

/// The full `nft -f` script for `scenario`.
///
/// Besides the faults, TCP to a served port on an address no endpoint serves is refused
/// (`reject with tcp reset`), like a host without a server.
pub fn ruleset(scenario: &Scenario) -> String {
    let mut out = format!("table inet {TABLE} {{\n");
    let ports: BTreeSet<u16> = scenario.sockets().map(|(_, p, _)| p).collect();
    for (fault, stem, _, _) in FAULTS {
        let chosen: Vec<(IpAddr, u16)> = scenario
            .sockets()
            .filter(|(_, _, e)| e.firewall == fault)
            .map(|(a, p, _)| (a, p))
            .collect();
        out.push_str(&set(
            &format!("{stem}4"),
            "ipv4_addr",
            chosen.iter().filter(|(a, _)| a.is_ipv4()),
        ));
        out.push_str(&set(
            &format!("{stem}6"),
            "ipv6_addr",
            chosen.iter().filter(|(a, _)| a.is_ipv6()),
        ));
    }
    let served: Vec<(IpAddr, u16)> = scenario.sockets().map(|(a, p, _)| (a, p)).collect();
    out.push_str(&set(
        "served4",
        "ipv4_addr",
        served.iter().filter(|(a, _)| a.is_ipv4()),
    ));
    out.push_str(&set(
        "served6",
        "ipv6_addr",
        served.iter().filter(|(a, _)| a.is_ipv6()),
    ));
    out.push_str("  chain input {\n    type filter hook input priority 0; policy accept;\n");
    for (_, stem, verdict4, verdict6) in FAULTS {
        out.push_str(&format!("    ip daddr . tcp dport @{stem}4 {verdict4}\n"));
        out.push_str(&format!("    ip6 daddr . tcp dport @{stem}6 {verdict6}\n"));
    }
    if !ports.is_empty() {
        let list: Vec<String> = ports.iter().map(u16::to_string).collect();
        let list = list.join(", ");
        out.push_str(&format!("    iifname != \"lo\" tcp dport {{ {list} }} ip daddr . tcp dport != @served4 reject with tcp reset\n"));
        out.push_str(&format!("    iifname != \"lo\" tcp dport {{ {list} }} ip6 daddr . tcp dport != @served6 reject with tcp reset\n"));
    }
    out.push_str("  }\n}\n");
    out
}

fn set<'a>(name: &str, kind: &str, elements: impl Iterator<Item = &'a (IpAddr, u16)>) -> String {
    let elements: Vec<String> = elements.map(|(a, p)| format!("{a} . {p}")).collect();
    let mut out = format!("  set {name} {{\n    type {kind} . inet_service\n");
    if !elements.is_empty() {
        out.push_str(&format!("    elements = {{ {} }}\n", elements.join(", ")));
    }
    out.push_str("  }\n");
    out
}

/// The `nft` commands that move `addr`:`port` to `fault` (removing it from every other fault set).
pub fn set_element(addr: IpAddr, port: u16, fault: Firewall) -> String {
    let family = if addr.is_ipv4() { 4 } else { 6 };
    let mut out = String::new();
    for (f, stem, _, _) in FAULTS {
        if f != fault {
            // Adding first makes the delete succeed whether or not the element was there
            // (nft 1.0.6 has no `destroy`).
            out.push_str(&format!(
                "add element inet {TABLE} {stem}{family} {{ {addr} . {port} }}\n"
            ));
            out.push_str(&format!(
                "delete element inet {TABLE} {stem}{family} {{ {addr} . {port} }}\n"
            ));
        }
    }
    if let Some((_, stem, _, _)) = FAULTS.iter().find(|(f, ..)| *f == fault) {
        out.push_str(&format!(
            "add element inet {TABLE} {stem}{family} {{ {addr} . {port} }}\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ruleset_places_each_socket() {
        let s = Scenario::parse(
            r#"{"endpoints":[
              {"addresses":["198.51.100.1","2001:db8::1"],"ports":[80,443]},
              {"addresses":["2001:db8::2"],"firewall":"drop"},
              {"addresses":["198.51.100.3"],"firewall":"reset"}]}"#,
        )
        .unwrap();
        let r = ruleset(&s);
        assert!(r.contains(
            "set drop6 {\n    type ipv6_addr . inet_service\n    elements = { 2001:db8::2 . 80 }\n"
        ));
        assert!(r.contains("set reset4 {\n    type ipv4_addr . inet_service\n    elements = { 198.51.100.3 . 80 }\n"));
        assert!(r.contains("set drop4 {\n    type ipv4_addr . inet_service\n  }\n"));
        assert!(
            r.contains("elements = { 198.51.100.1 . 80, 198.51.100.1 . 443, 198.51.100.3 . 80 }")
        );
        assert!(r.contains(
            "tcp dport { 80, 443 } ip6 daddr . tcp dport != @served6 reject with tcp reset"
        ));
    }

    #[test]
    fn switching_a_fault() {
        let cmds = set_element("198.51.100.9".parse().unwrap(), 80, Firewall::Drop);
        assert!(cmds.ends_with("add element inet testbed drop4 { 198.51.100.9 . 80 }\n"));
        assert!(cmds.contains("delete element inet testbed reset4 { 198.51.100.9 . 80 }\n"));
        assert!(!cmds.contains("delete element inet testbed drop4"));
        let none = set_element("2001:db8::9".parse().unwrap(), 443, Firewall::None);
        assert_eq!(none.lines().filter(|l| l.starts_with("delete")).count(), 5);
    }
}
