//! Findings about single addresses: dial errors (modes 2, 3), failures after the connect,
//! stalls (mode 13), another server or a default server on IPv6 (modes 1, 6), routers
//! (mode 7), WAF pages (mode 11) and, in canary mode, the file missing.

use super::facts::{family, role_words, Facts};
use super::findings::{
    finding, fix_aaaa, fix_after_connect, fix_canary, fix_default_vhost, fix_firewalled, fix_ipv4,
    fix_not_listening, fix_router, FIX_STALL, FIX_STALL_IPV4, FIX_WAF,
};
use super::fingerprint::{compare, describe, Likeness};
use super::identity;
use super::runs::RunKind;
use super::verdict::is_not_the_site;
use crate::challenge::cause::dial_message;
use crate::io::DialError;
use crate::report::{AddressObservation, ConnectResult, Finding, Severity, Status};

/// The findings of every probed address.
pub(crate) fn findings(facts: &Facts<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for address in facts.probed() {
        out.extend(dial(facts, address));
        out.extend(after_connect(facts, address));
        out.extend(stall(facts, address));
        out.extend(other_server(facts, address));
        out.extend(canary(facts, address));
    }
    out.extend(markers(facts));
    out
}

/// A failed connect: retried on IPv4 when it happens on IPv6 (modes 2 and 3).
fn dial(facts: &Facts<'_>, address: &AddressObservation) -> Option<Finding> {
    let probe = address.probe.as_ref()?;
    let (kind, error, verb) = match &probe.connect {
        ConnectResult::Connected => return None,
        ConnectResult::Timeout => ("connect-timeout", DialError::Timeout, "drops"),
        ConnectResult::Refused => ("connect-refused", DialError::Refused, "refuses"),
        ConnectResult::NetworkUnreachable => (
            "unreachable",
            DialError::NetworkUnreachable,
            "cannot be reached for",
        ),
        ConnectResult::HostUnreachable => (
            "unreachable",
            DialError::HostUnreachable,
            "cannot be reached for",
        ),
        ConnectResult::Other(text) => (
            "unreachable",
            DialError::Other(text.clone()),
            "cannot be reached for",
        ),
    };
    let v6 = address.address.is_ipv6();
    let code = format!("{}-{kind}", if v6 { "ipv6" } else { "ipv4" });
    let mut evidence = vec![
        format!(
            "Let's Encrypt would report: {}: {} ({} ms)",
            address.address,
            dial_message(&error),
            probe.connect_ms
        ),
        format!("{} is {}", address.address, role_words(address.role)),
    ];
    if v6 && facts.family_connects(false) {
        evidence.push("this is a dial error: Let's Encrypt retries once, on the first IPv4 address, for the first request only".to_string());
    }
    let host = facts.host;
    let fix = match (v6, kind) {
        (true, "connect-refused") => fix_not_listening(host, 80),
        (true, _) => fix_firewalled(host, 80),
        (false, _) => fix_ipv4(&address.address.to_string(), 80),
    };
    Some(finding(
        &code,
        facts.weight(address, true),
        format!(
            "{} {} {verb} connections to port 80",
            family(address.address),
            address.address
        ),
        evidence,
        Some(fix),
    ))
}

/// Connected, then no usable answer: final, Let's Encrypt does not retry.
fn after_connect(facts: &Facts<'_>, address: &AddressObservation) -> Option<Finding> {
    let probe = address.probe.as_ref()?;
    if probe.connect != ConnectResult::Connected || probe.response.is_some() {
        return None;
    }
    let error = probe.error.clone()?;
    let code = if address.address.is_ipv6() {
        "ipv6-fails-after-connect"
    } else {
        "ipv4-fails-after-connect"
    };
    Some(finding(
        code,
        facts.weight(address, false),
        format!(
            "{} {} accepts connections but does not answer the request",
            family(address.address),
            address.address
        ),
        vec![
            format!("Let's Encrypt would report: {error}"),
            "the connection was made, so Let's Encrypt does not retry on another address"
                .to_string(),
        ],
        Some(fix_after_connect(&address.address.to_string())),
    ))
}

/// The head arrived, the body stalled (mode 13 on IPv6).
fn stall(facts: &Facts<'_>, address: &AddressObservation) -> Option<Finding> {
    let probe = address.probe.as_ref()?;
    let response = probe.response.as_ref()?;
    let error = probe.error.as_ref()?;
    if response.body_complete || !error.contains("Error reading HTTP response body") {
        return None;
    }
    let v6 = address.address.is_ipv6();
    let mut evidence = vec![
        format!("{error} after {} bytes", probe.received_bytes),
        format!(
            "status {} and its headers arrived; the body did not",
            response.status
        ),
    ];
    let whole_elsewhere = facts.probed().find(|other| {
        other.address.is_ipv6() != v6
            && other
                .probe
                .as_ref()
                .and_then(|p| p.response.as_ref())
                .is_some_and(|r| r.body_complete && r.status == response.status)
    });
    if let Some(other) = whole_elsewhere {
        evidence.push(format!(
            "{} {} delivered the whole answer",
            family(other.address),
            other.address
        ));
    }
    Some(finding(
        if v6 {
            "ipv6-response-stalls"
        } else {
            "ipv4-response-stalls"
        },
        Severity::Warning,
        format!(
            "Large answers from {} {} stall after the first packets",
            family(address.address),
            address.address
        ),
        evidence,
        Some(if v6 { FIX_STALL } else { FIX_STALL_IPV4 }.to_string()),
    ))
}

/// Routers (mode 7), WAF pages (mode 11) and plain HTTP answered as on a TLS port: one
/// finding per kind, naming every address that shows it.
fn markers(facts: &Facts<'_>) -> Vec<Finding> {
    let kinds: [(&str, &str, &str); 3] = [
        (
            "router:",
            "router-web-interface",
            "reaches a router's web interface, not the web server",
        ),
        (
            "waf:",
            "waf-challenge-page",
            "answers the challenge path with a bot check or block page",
        ),
        (
            "http-on-https-port",
            "http-on-https-port",
            "answers port 80 as a TLS port answers plain HTTP",
        ),
    ];
    let mut out = Vec::new();
    for (prefix, code, what) in kinds {
        let marked = marked(facts, prefix);
        let Some((first, _)) = marked.first() else {
            continue;
        };
        let severity = marked
            .iter()
            .map(|(address, _)| facts.weight(address, false))
            .min()
            .unwrap_or(Severity::Info);
        let evidence: Vec<String> = marked.iter().map(|(_, line)| line.clone()).collect();
        let fix = match code {
            "router-web-interface" if first.address.is_ipv6() => fix_router(facts.host),
            "router-web-interface" => {
                "Forward TCP port 80 to the web server, or point the A record at it.".to_string()
            }
            "waf-challenge-page" => FIX_WAF.to_string(),
            _ => {
                "Serve plain HTTP on port 80 (a TLS listener is configured on port 80).".to_string()
            }
        };
        let others = if evidence.len() > 1 {
            " (and more)"
        } else {
            ""
        };
        out.push(finding(
            code,
            severity,
            format!("{} {}{others} {what}", family(first.address), first.address),
            evidence,
            Some(fix),
        ));
    }
    out
}

/// The probed addresses whose answer carries a marker starting with `prefix`, each with a
/// line of evidence.
fn marked<'a>(facts: &Facts<'a>, prefix: &str) -> Vec<(&'a AddressObservation, String)> {
    facts
        .addresses
        .iter()
        .filter_map(|address| {
            let response = address.probe.as_ref()?.response.as_ref()?;
            let marker = response.markers.iter().find(|m| m.starts_with(prefix))?;
            let line = format!(
                "{} {}: {marker}, status {}, Server {}",
                family(address.address),
                address.address,
                response.status,
                response.server.as_deref().unwrap_or("(none)")
            );
            Some((address, line))
        })
        .collect()
}

/// Not the site: a default server or another server on IPv6 (modes 6 and 1).
fn other_server(facts: &Facts<'_>, address: &AddressObservation) -> Option<Finding> {
    if facts.canary || !address.address.is_ipv6() {
        return None;
    }
    let site = identity::reference(facts.addresses).filter(|s| s.address.is_ipv4())?;
    let routered = address
        .probe
        .as_ref()
        .and_then(|p| p.response.as_ref())
        .is_some_and(|r| r.markers.iter().any(|m| is_not_the_site(m)));
    if routered {
        return None;
    }
    let alone = facts.run(RunKind::Alone(address.address))?;
    if !alone.answered() || facts.judge.reached(alone) {
        return None;
    }
    let mut evidence = Vec::new();
    if let (Some(this), Some(reference)) = (identity::print(address), identity::print(site)) {
        evidence.push(format!("IPv6 {}: {}", address.address, describe(&this)));
        evidence.push(format!("IPv4 {}: {}", site.address, describe(&reference)));
        if let Likeness::Different(diffs) | Likeness::Similar(diffs) = compare(&this, &reference) {
            evidence.push(format!("differences: {}", diffs.join("; ")));
        }
    }
    evidence.push("without --expect the IPv4 answer stands for the site; publish a test file and use --expect to be certain".to_string());
    if identity::default_vhost(address, site) {
        evidence.push(format!(
            "{} answers Host {} exactly as a made-up Host: a default server",
            address.address, facts.host
        ));
        return Some(finding(
            "ipv6-default-vhost",
            Severity::Error,
            format!(
                "IPv6 {} reaches a default web server, not the virtual host of {}",
                address.address, facts.host
            ),
            evidence,
            Some(fix_default_vhost(facts.host)),
        ));
    }
    Some(finding(
        "aaaa-other-server",
        Severity::Error,
        format!(
            "IPv6 {} reaches another web server than IPv4 {}",
            address.address, site.address
        ),
        evidence,
        Some(fix_aaaa(
            facts.host,
            "Serve the site (and its /.well-known/acme-challenge/) on that IPv6 address too.",
        )),
    ))
}

/// Canary mode: the published file is not served at this address.
fn canary(facts: &Facts<'_>, address: &AddressObservation) -> Option<Finding> {
    if !facts.canary || address.probe.as_ref()?.connect != ConnectResult::Connected {
        return None;
    }
    let alone = address.alone.as_ref()?;
    if alone.status == Status::Valid {
        return None;
    }
    let detail = alone.problem.as_ref().map_or("", |p| p.detail.as_str());
    Some(finding(
        "expect-mismatch",
        facts.weight(address, false),
        format!(
            "{} {} does not serve the published file",
            family(address.address),
            address.address
        ),
        vec![format!("Let's Encrypt would report: {detail}")],
        Some(fix_canary(facts.host)),
    ))
}
