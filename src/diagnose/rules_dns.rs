//! Findings from the identifier's lookups: failures Let's Encrypt tolerates (mode 14),
//! reserved and non-global addresses it ignores (modes 9 and 10), nothing usable left, and
//! CAA as Let's Encrypt reads it (the relevant set, climbing to the parents).

use std::net::IpAddr;

use super::facts::Facts;
use super::findings::{
    finding, fix_caa, fix_caa_alias, fix_caa_lookup, fix_lookup, fix_no_usable, fix_slow_lookup,
};
use super::lookup::Lookups;
use crate::dns::{DnsFailure, QueryType};
use crate::job::ChallengeType;
use crate::policy::caa::{self, CaaAnswer, CaaRecord, Decision};
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
                Some(fix_slow_lookup(facts.host, &query_type.to_string())),
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
    out.extend(caa(facts.host, lookups, usable(true) || usable(false)));
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

/// CAA as Let's Encrypt reads it after the challenge (`policy::caa`): the relevant set (the
/// name's own, else the closest parent's) must let letsencrypt.org issue for http-01, and no
/// lookup on the way to it may fail. Without a usable address the challenge fails first, and
/// a failed CAA lookup is the DNS fault the address findings already name.
fn caa(host: &str, lookups: &Lookups, addressable: bool) -> Option<Finding> {
    match caa::decide(&lookups.caa, ChallengeType::Http01) {
        Decision::NoRecords | Decision::Allowed(_) => None,
        Decision::Failed(relevant, cause) => addressable.then(|| caa_failed(host, relevant, cause)),
        Decision::Forbidden(relevant) => Some(caa_forbids(host, relevant)),
    }
}

/// The relevant set does not let Let's Encrypt validate with http-01.
fn caa_forbids(host: &str, relevant: &CaaAnswer) -> Finding {
    let set = relevant.rrset().unwrap_or_default();
    let mut evidence = vec![where_found(host, relevant)];
    evidence.extend(set.iter().map(CaaRecord::presentation));
    evidence.push(caa::refusal(set, ChallengeType::Http01));
    evidence.push(format!(
        "Let's Encrypt would report, once the challenge succeeds: While processing CAA for {host}: CAA record for {} prevents issuance",
        relevant.name
    ));
    finding(
        "caa-forbids-letsencrypt",
        Severity::Error,
        forbids_summary(host, relevant),
        evidence,
        Some(forbids_fix(host, relevant)),
    )
}

/// The summary of `caa-forbids-letsencrypt`, naming whose records apply.
fn forbids_summary(host: &str, relevant: &CaaAnswer) -> String {
    let owner = relevant.alias().unwrap_or(&relevant.name);
    if owner == host {
        return format!("The CAA records of {host} do not allow Let's Encrypt to issue");
    }
    format!("The CAA records of {owner} apply to {host} and do not allow Let's Encrypt to issue")
}

/// The fix of `caa-forbids-letsencrypt`: where the records are decides who can change them.
fn forbids_fix(host: &str, relevant: &CaaAnswer) -> String {
    match relevant.alias() {
        Some(target) => fix_caa_alias(&relevant.name, target),
        None => fix_caa(host, &relevant.name),
    }
}

/// A CAA query up to the relevant set failed: Let's Encrypt does not issue, since the failed
/// answer could hide records.
fn caa_failed(host: &str, relevant: &CaaAnswer, cause: &DnsFailure) -> Finding {
    let mut evidence = vec![format!(
        "Let's Encrypt would report: While processing CAA for {host}: {}",
        relevant.error_text(cause)
    )];
    if relevant.name != host {
        evidence.push(format!(
            "{host} has no CAA records of its own, so Let's Encrypt asks its parents up to the top-level domain, and a parent's failed answer could hide the records that apply"
        ));
    }
    finding(
        "caa-lookup-failed",
        Severity::Error,
        format!(
            "The CAA lookup of {} fails: Let's Encrypt will not issue for {host}",
            relevant.name
        ),
        evidence,
        Some(fix_caa_lookup(&relevant.name)),
    )
}

/// Where the relevant CAA set was found, as evidence.
fn where_found(host: &str, relevant: &CaaAnswer) -> String {
    let at = &relevant.name;
    let found = match relevant.alias() {
        Some(target) => format!("{at}'s, through its CNAME: they are {target}'s"),
        None if at == host => format!("{host}'s own"),
        None => format!("at {at}"),
    };
    if at == host {
        return format!("the relevant CAA records are {found}");
    }
    format!("the relevant CAA records are {found}: {host} has none, so Let's Encrypt uses the closest parent's (RFC 8659 section 3)")
}

#[cfg(test)]
mod tests {
    use super::{caa, kind_of};
    use crate::diagnose::lookup::{Family, Lookups};
    use crate::dns::{DnsFailure, Rcode};
    use crate::policy::caa::{CaaAnswer, CaaRecord};
    use crate::report::Finding;

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

    /// The CAA answers of www.example.com, example.com and com: records as (flags, tag, value).
    type Climb<'a> = [Result<&'a [(u8, &'a str, &'a str)], DnsFailure>; 3];

    /// The name the CAA tests diagnose.
    const WWW: &str = "www.example.com";

    /// The CAA finding of www.example.com, with an address, for this climb.
    fn caa_finding(climb: Climb<'_>) -> Option<Finding> {
        caa(WWW, &lookups_of(climb, None), true)
    }

    /// Lookups of www.example.com with this climb, www's records owned by `alias` (a CNAME
    /// target) if given.
    fn lookups_of(climb: Climb<'_>, alias: Option<&str>) -> Lookups {
        let names = [WWW, "example.com", "com"];
        let caa_answers = names
            .into_iter()
            .zip(climb)
            .map(|(name, records)| CaaAnswer {
                name: name.to_string(),
                answer: records.map(|list| {
                    list.iter()
                        .map(|(flags, tag, value)| CaaRecord {
                            owner: alias
                                .filter(|_| name == names[0])
                                .unwrap_or(name)
                                .to_string(),
                            flags: *flags,
                            tag: tag.to_string(),
                            value: value.as_bytes().to_vec(),
                        })
                        .collect()
                }),
                elapsed_ms: 1,
            })
            .collect();
        let family = Family {
            answer: Ok(Vec::new()),
            elapsed_ms: 1,
        };
        Lookups {
            host: WWW.to_string(),
            a: family.clone(),
            aaaa: family,
            caa: caa_answers,
        }
    }

    #[test]
    fn caa_findings_name_where_the_records_are() {
        let sectigo: &[(u8, &str, &str)] = &[(0, "issue", "sectigo.com")];
        let le: &[(u8, &str, &str)] = &[(0, "issue", "letsencrypt.org")];
        let wild: &[(u8, &str, &str)] = &[(0, "issuewild", "sectigo.com")];
        let none: &[(u8, &str, &str)] = &[];
        let servfail = || Err(DnsFailure::Rcode(Rcode::SERVFAIL));
        // (climb, code, a fragment of the evidence)
        let rows = [
            ([Ok(none), Ok(sectigo), Ok(none)], Some("caa-forbids-letsencrypt"), "the relevant CAA records are at example.com"),
            ([Ok(sectigo), Ok(le), Ok(none)], Some("caa-forbids-letsencrypt"), "the relevant CAA records are www.example.com's own"),
            ([Ok(le), Ok(sectigo), Ok(none)], None, ""),    // the name's own set allows
            ([Ok(none), Ok(le), Ok(sectigo)], None, ""),    // the closest parent allows
            ([Ok(none), Ok(wild), Ok(sectigo)], None, ""),  // issuewild only: anyone may issue for the name
            ([Ok(none), servfail(), Ok(le)], Some("caa-lookup-failed"), "While processing CAA for www.example.com: DNS problem: SERVFAIL looking up CAA for example.com"),
        ];
        for (climb, code, evidence) in rows {
            let found = caa_finding(climb);
            assert_eq!(found.as_ref().map(|f| f.code.as_str()), code, "{found:?}");
            if let Some(found) = found {
                assert!(
                    found.evidence.iter().any(|e| e.contains(evidence)),
                    "{found:?}"
                );
            }
        }
    }

    #[test]
    fn caa_through_a_cname_names_its_target() {
        let digicert: &[(u8, &str, &str)] = &[(0, "issue", "digicert.com")];
        let none: &[(u8, &str, &str)] = &[];
        let lookups = lookups_of([Ok(digicert), Ok(none), Ok(none)], Some("shop.cdn.example"));
        let found = caa(WWW, &lookups, true).expect("a finding");
        assert_eq!(found.code, "caa-forbids-letsencrypt");
        assert_eq!(
            found.summary,
            "The CAA records of shop.cdn.example apply to www.example.com and do not allow Let's Encrypt to issue"
        );
        assert_eq!(
            found.evidence[0],
            "the relevant CAA records are www.example.com's, through its CNAME: they are shop.cdn.example's"
        );
        assert!(found
            .fix
            .unwrap()
            .starts_with("www.example.com is a CNAME to shop.cdn.example"));
    }

    #[test]
    fn without_an_address_a_failed_caa_lookup_is_left_to_the_dns_findings() {
        let sectigo: &[(u8, &str, &str)] = &[(0, "issue", "sectigo.com")];
        let servfail = || Err(DnsFailure::Rcode(Rcode::SERVFAIL));
        let failed = lookups_of([servfail(), servfail(), servfail()], None);
        assert_eq!(caa(WWW, &failed, false), None);
        let forbids = lookups_of([Ok(sectigo), servfail(), servfail()], None);
        let found = caa(WWW, &forbids, false).map(|f| f.code);
        assert_eq!(found.as_deref(), Some("caa-forbids-letsencrypt"));
    }
}
