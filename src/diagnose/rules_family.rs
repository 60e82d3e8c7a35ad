//! Findings across the addresses of a family and across families: several AAAA (or A)
//! records that disagree (mode 8), a CDN in front of one family only (mode 11), and IPv6
//! breakage that browsers hide (mode 15).

use std::net::IpAddr;

use super::facts::{connected, dial_failed, Facts};
use super::findings::{finding, fix_cdn, fix_several};
use super::runs::RunKind;
use super::signatures::cdns;
use super::verdict::RunClass;
use crate::report::{AddressObservation, Finding, Severity};

/// The family-level findings.
pub(crate) fn findings(facts: &Facts<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(several(facts, true));
    out.extend(several(facts, false));
    out.extend(cdn_on_one_family(facts));
    out.extend(happy_eyeballs(facts));
    out
}

/// Several addresses of one family whose alone runs end differently.
fn several(facts: &Facts<'_>, v6: bool) -> Option<Finding> {
    let members: Vec<&AddressObservation> = facts
        .probed()
        .filter(|a| a.address.is_ipv6() == v6)
        .collect();
    if members.len() < 2 {
        return None;
    }
    let classes: Vec<(IpAddr, Option<RunClass>)> = members
        .iter()
        .map(|a| (a.address, facts.alone_class(a.address)))
        .collect();
    let first = classes.first()?.1;
    if classes.iter().all(|(_, class)| *class == first) {
        return None;
    }
    let evidence = classes
        .iter()
        .map(|(address, class)| {
            let how = match class {
                Some(RunClass::Pass) => "reaches the site",
                Some(RunClass::PassWithFallback) => "reaches the site through the retry",
                Some(RunClass::Fail) | None => "does not reach the site",
            };
            format!("{address} {how}")
        })
        .collect();
    let record_type = if v6 { "AAAA" } else { "A" };
    let fails_when_first = members
        .iter()
        .any(|a| first_order_fails(facts, a.address, v6));
    let severity = if fails_when_first {
        Severity::Error
    } else {
        Severity::Warning
    };
    Some(finding(
        if v6 { "several-aaaa-disagree" } else { "several-a-disagree" },
        severity,
        format!(
            "The {} {record_type} records of {} do not all work: the result depends on which one the resolver lists first",
            members.len(),
            facts.host
        ),
        evidence,
        Some(fix_several(facts.host, record_type)),
    ))
}

/// Whether Let's Encrypt fails when `address` comes first in its family.
fn first_order_fails(facts: &Facts<'_>, address: IpAddr, v6: bool) -> bool {
    let first_other = facts
        .probed()
        .find(|a| a.address.is_ipv6() != v6)
        .map(|a| a.address);
    let run = match (v6, first_other) {
        (_, None) => facts.run(RunKind::Alone(address)),
        (true, Some(v4)) => facts
            .run(RunKind::Order(address, v4))
            .or_else(|| facts.main()),
        (false, Some(v6_first)) => facts
            .run(RunKind::Order(v6_first, address))
            .or_else(|| facts.main()),
    };
    run.is_some_and(|run| facts.judge.class(run) == RunClass::Fail)
}

/// A CDN answers on one family, not on the other.
fn cdn_on_one_family(facts: &Facts<'_>) -> Option<Finding> {
    let cdn_of = |v6: bool| -> Option<(IpAddr, Vec<String>)> {
        let address = facts.probed().find(|a| {
            a.address.is_ipv6() == v6 && a.probe.as_ref().is_some_and(|p| p.response.is_some())
        })?;
        let markers = &address.probe.as_ref()?.response.as_ref()?.markers;
        Some((
            address.address,
            cdns(markers).into_iter().map(str::to_string).collect(),
        ))
    };
    let ((v4, v4_cdns), (v6, v6_cdns)) = (cdn_of(false)?, cdn_of(true)?);
    if v4_cdns == v6_cdns {
        return None;
    }
    let name = |list: &[String]| {
        if list.is_empty() {
            "no CDN (the origin or another server)".to_string()
        } else {
            list.join(", ")
        }
    };
    Some(finding(
        "cdn-on-one-family",
        Severity::Error,
        format!("IPv4 and IPv6 of {} reach different fronts", facts.host),
        vec![
            format!("IPv4 {v4} answers through {}", name(&v4_cdns)),
            format!("IPv6 {v6} answers through {}", name(&v6_cdns)),
        ],
        Some(fix_cdn(facts.host)),
    ))
}

/// IPv6 breaks while IPv4 works: browsers and most tools fall back silently (mode 15).
fn happy_eyeballs(facts: &Facts<'_>) -> Option<Finding> {
    let broken: Vec<String> = facts
        .probed()
        .filter(|a| a.address.is_ipv6())
        .filter(|a| {
            dial_failed(a)
                || a.probe
                    .as_ref()
                    .is_some_and(|p| p.response.is_none() && p.error.is_some())
        })
        .map(|a| a.address.to_string())
        .collect();
    let ipv4_works = facts.probed().any(|a| a.address.is_ipv4() && connected(a));
    if broken.is_empty() || !ipv4_works {
        return None;
    }
    Some(finding(
        "happy-eyeballs-hides-ipv6",
        Severity::Info,
        "Browsers and curl will not show this: they fall back to IPv4 at once (Happy Eyeballs); Let's Encrypt does not".to_string(),
        vec![format!("IPv6 broken: {}", broken.join(", "))],
        None,
    ))
}
