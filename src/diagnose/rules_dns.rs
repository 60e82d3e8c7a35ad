//! Findings from the identifier's lookups: failures Let's Encrypt tolerates (mode 14),
//! reserved and non-global addresses it ignores (modes 9 and 10), nothing usable left, CAA.

use std::net::IpAddr;

use super::facts::Facts;
use super::findings::{finding, fix_caa, fix_lookup, fix_no_usable};
use crate::dns::QueryType;
use crate::report::{AddressRole, Finding, Severity};

/// The DNS findings.
pub(crate) fn findings(facts: &Facts<'_>) -> Vec<Finding> {
    let Some(lookups) = facts.lookups else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let usable = |v6: bool| {
        facts
            .addresses
            .iter()
            .any(|a| a.address.is_ipv6() == v6 && a.role != AddressRole::Ignored)
    };
    for (query_type, v6) in [(QueryType::Aaaa, true), (QueryType::A, false)] {
        let family = lookups.family(query_type);
        if let Err(cause) = &family.answer {
            if usable(!v6) {
                let text = lookups.error_text(query_type, cause);
                out.push(finding(
                    if v6 { "aaaa-lookup-failed" } else { "a-lookup-failed" },
                    Severity::Warning,
                    format!("The {query_type} lookup of {} fails; Let's Encrypt ignores that while the other family has an address", facts.host),
                    vec![text],
                    Some(fix_lookup(facts.host, &query_type.to_string())),
                ));
            }
        }
        if family.answer.is_ok() && family.elapsed_ms >= u64::from(facts.options.dns_timeout_ms) {
            out.push(finding(
                "dns-slow",
                Severity::Warning,
                format!("The {query_type} lookup of {} took {} ms", facts.host, family.elapsed_ms),
                vec![format!(
                    "Let's Encrypt waits {} ms per DNS attempt and retries timeouts; the time counts against its validation budget",
                    facts.options.dns_timeout_ms
                )],
                Some(fix_lookup(facts.host, &query_type.to_string())),
            ));
        }
    }
    out.extend(reserved(facts));
    if !usable(true) && !usable(false) {
        let answered = lookups.a.all().len() + lookups.aaaa.all().len();
        if answered > 0 {
            out.push(finding(
                "no-usable-address",
                Severity::Error,
                format!(
                    "Every address of {} is reserved: Let's Encrypt has nothing to dial",
                    facts.host
                ),
                main_problem(facts),
                Some(fix_no_usable(facts.host)),
            ));
        } else {
            out.push(finding(
                "dns-lookup-failed",
                Severity::Error,
                format!("{} has no usable A or AAAA record", facts.host),
                main_problem(facts),
                Some(fix_no_usable(facts.host)),
            ));
        }
    }
    out.extend(caa(facts));
    out
}

/// The main run's problem, as evidence.
fn main_problem(facts: &Facts<'_>) -> Vec<String> {
    facts
        .main()
        .and_then(|run| run.report.problem.as_ref())
        .map(|p| vec![format!("Let's Encrypt: {}", p.detail)])
        .unwrap_or_default()
}

/// One info finding per reserved address, with the kind named (mode 9, 10).
fn reserved(facts: &Facts<'_>) -> Vec<Finding> {
    facts
        .addresses
        .iter()
        .filter_map(|a| Some((a.address, a.ignored.as_ref()?)))
        .map(|(address, why)| {
            let (code, kind) = kind_of(address);
            finding(
                code,
                Severity::Info,
                format!(
                    "Let's Encrypt ignores {kind} {address} in {}'s records",
                    facts.host
                ),
                vec![format!("Boulder: {why}")],
                None,
            )
        })
        .collect()
}

/// The finding code and the words for a reserved address.
fn kind_of(address: IpAddr) -> (&'static str, &'static str) {
    let IpAddr::V6(v6) = address else {
        return ("a-reserved-ignored", "the reserved IPv4 address");
    };
    let segments = v6.segments();
    match segments {
        [0, 0, 0, 0, 0, 0xffff, _, _] => (
            "aaaa-ipv4-mapped",
            "the IPv4-mapped IPv6 address (an A record written as AAAA)",
        ),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] | [0x64, 0xff9b, 1, ..] => (
            "aaaa-nat64",
            "the NAT64 address (synthesised by a DNS64 resolver, not the site's own)",
        ),
        [first, ..] if first & 0xffc0 == 0xfe80 => {
            ("aaaa-reserved-ignored", "the link-local address")
        }
        [first, ..] if first & 0xfe00 == 0xfc00 => (
            "aaaa-reserved-ignored",
            "the unique local (private) address",
        ),
        [0x2002, ..] => ("aaaa-reserved-ignored", "the 6to4 address"),
        [0x2001, 0, ..] => ("aaaa-reserved-ignored", "the Teredo address"),
        _ => ("aaaa-reserved-ignored", "the reserved IPv6 address"),
    }
}

/// CAA at the name itself, when it holds `issue` properties none of which names
/// letsencrypt.org. (Boulder climbs to the parents only when the name has no CAA records.)
fn caa(facts: &Facts<'_>) -> Vec<Finding> {
    let Some(Ok(records)) = facts.lookups.map(|l| &l.caa) else {
        return Vec::new();
    };
    let issuers: Vec<&String> = records.iter().filter(|r| is_tag(r, "issue")).collect();
    let allows = issuers.iter().any(|r| {
        let value = r.split_once(' ').map_or("", |(_, rest)| rest);
        let value = value
            .split_once(' ')
            .map_or("", |(_, v)| v)
            .trim_matches('"');
        value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("letsencrypt.org")
    });
    if issuers.is_empty() || allows {
        return Vec::new();
    }
    vec![finding(
        "caa-forbids-letsencrypt",
        Severity::Error,
        format!(
            "The CAA records of {} do not allow Let's Encrypt to issue",
            facts.host
        ),
        records.clone(),
        Some(fix_caa(facts.host)),
    )]
}

/// Whether a CAA record in presentation form (`flags tag "value"`) has this tag.
fn is_tag(record: &str, tag: &str) -> bool {
    record
        .split(' ')
        .nth(1)
        .is_some_and(|t| t.eq_ignore_ascii_case(tag))
}

#[cfg(test)]
mod tests {
    use super::kind_of;

    #[test]
    fn reserved_kinds() {
        let rows = [
            ("::ffff:198.51.100.1", "aaaa-ipv4-mapped"), // mode 9: IPv4-mapped
            ("64:ff9b::c633:6401", "aaaa-nat64"),        // mode 10: well-known NAT64 prefix
            ("64:ff9b:1::1", "aaaa-nat64"),              // local-use NAT64 prefix
            ("fe80::1", "aaaa-reserved-ignored"),        // link-local
            ("fd00::1", "aaaa-reserved-ignored"),        // ULA
            ("10.0.0.1", "a-reserved-ignored"),          // RFC 1918
        ];
        for (address, code) in rows {
            assert_eq!(kind_of(address.parse().unwrap()).0, code, "{address}");
        }
    }
}
