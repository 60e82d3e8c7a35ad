//! The human account of a report: verdict first, then what Let's Encrypt does, then the fix.

use std::fmt::Write;

use crate::report::{ProblemType, Report, Status, ValidationRecord};

const GREEN: &str = "\x1b[32m";
const RED: &str = "\x1b[31m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// Renders `report` for a terminal; `color` adds ANSI colours.
pub fn render_human(report: &Report, color: bool) -> String {
    let paint = |code: &'static str| if color { code } else { "" };
    let reset = paint(RESET);
    let mut out = String::new();
    let hostname = report.records.first().map_or("", |r| r.hostname.as_str());
    match (&report.status, &report.problem) {
        (Status::Valid, _) => {
            let _ = writeln!(
                out,
                "{}{}VALID{reset}: Let's Encrypt would accept this {} challenge{}",
                paint(BOLD),
                paint(GREEN),
                report.challenge.name(),
                for_host(hostname)
            );
        }
        (Status::Invalid, Some(problem)) if problem.problem_type == ProblemType::ServerInternal => {
            let _ = writeln!(
                out,
                "{}UNKNOWN{reset}: acme-preflight could not predict this validation",
                paint(BOLD)
            );
            let _ = writeln!(out, "  {}", problem.detail);
        }
        (Status::Invalid, problem) => {
            let _ = writeln!(
                out,
                "{}{}INVALID{reset}: Let's Encrypt would reject this {} challenge{}",
                paint(BOLD),
                paint(RED),
                report.challenge.name(),
                for_host(hostname)
            );
            if let Some(problem) = problem {
                let _ = writeln!(
                    out,
                    "  {} ({})",
                    problem.problem_type,
                    problem.problem_type.http_status()
                );
                let _ = writeln!(out, "  {}", problem.detail);
            }
        }
    }
    if !report.records.is_empty() {
        out.push_str("\nRequests Let's Encrypt makes:\n");
        for (number, record) in report.records.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {}. {}",
                number + 1,
                describe(record, report.records.get(..number).unwrap_or(&[]))
            );
        }
    }
    if !report.trace.is_empty() {
        out.push_str("\nStep by step:\n");
        for event in &report.trace {
            let seconds = event.at_ms as f64 / 1000.0;
            let _ = writeln!(
                out,
                "  {}{seconds:>7.3}s{reset} {}",
                paint(DIM),
                event.message
            );
        }
    }
    for note in &report.notes {
        let _ = writeln!(out, "\nNote: {note}");
    }
    if let Some(fix) = fix(report) {
        let _ = writeln!(out, "\nWhat to change:\n  {fix}");
    }
    out
}

fn for_host(hostname: &str) -> String {
    if hostname.is_empty() {
        String::new()
    } else {
        format!(" for {hostname}")
    }
}

/// One validation record as a step: the request, the address and its family, and whether it
/// is the IPv4 retry.
pub(crate) fn describe(record: &ValidationRecord, earlier: &[ValidationRecord]) -> String {
    let Some(used) = record.address_used else {
        return format!("no connection: the lookup of {} failed", record.hostname);
    };
    let family = if used.is_ipv6() { "IPv6" } else { "IPv4" };
    let Some(url) = record.url.as_deref() else {
        // TLS-ALPN-01: one record, the failed IPv6 address in addressesTried.
        let tried: Vec<String> = record
            .addresses_tried
            .iter()
            .map(|a| a.to_string())
            .collect();
        let after = if tried.is_empty() {
            String::new()
        } else {
            format!(", after {} failed", tried.join(", "))
        };
        return format!(
            "TLS handshake offering acme-tls/1 with {used} port {} ({family}{after})",
            record.port
        );
    };
    let retry = earlier
        .iter()
        .any(|r| r.url == record.url && r.address_used != record.address_used);
    let why = if retry { ", the one IPv4 retry" } else { "" };
    format!("GET {url} from {used} ({family}{why})")
}

/// The name in Boulder's "CAA record for <name> prevents issuance".
fn caa_owner(detail: &str) -> Option<&str> {
    let (_, rest) = detail.split_once("CAA record for ")?;
    rest.strip_suffix(" prevents issuance")
}

/// The advice for the problem, in Let's Encrypt's own terms where they have them.
pub(crate) fn fix(report: &Report) -> Option<String> {
    let problem = report.problem.as_ref()?;
    if let Some(at) =
        caa_owner(&problem.detail).filter(|_| problem.problem_type == ProblemType::Caa)
    {
        return Some(format!(
            "The challenge succeeded, but the CAA records of {at} do not let Let's Encrypt issue: add `0 issue \"letsencrypt.org\"` to them (or remove the records that restrict issuance)."
        ));
    }
    let last = report.records.last()?;
    let detail = problem.detail.as_str();
    let used = last.address_used?;
    let on_ipv6 = used.is_ipv6();
    let dial_failed = detail.ends_with("Timeout during connect (likely firewall problem)")
        || detail.ends_with("Connection refused")
        || detail.ends_with("Network unreachable");
    if dial_failed && on_ipv6 {
        return Some(format!(
            "{} does not accept connections on IPv6 port {}. Let's Encrypt tries IPv6 first and cannot be told to prefer IPv4: fix the IPv6 listener or firewall, or remove the AAAA record of {} if the host is not meant to serve IPv6.",
            used, last.port, last.hostname
        ));
    }
    if dial_failed {
        return Some(format!(
            "{} does not accept connections on port {}: open the firewall and make the web server listen there.",
            used, last.port
        ));
    }
    if problem.problem_type == ProblemType::Unauthorized && on_ipv6 {
        return Some(format!(
            "The web server at {} (IPv6) answered without the key authorization. Let's Encrypt does not retry on IPv4 after an answer: make the IPv6 server serve /.well-known/acme-challenge/ like the IPv4 one, or correct the AAAA record.",
            used
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{describe, fix};
    use crate::job::ChallengeType;
    use crate::report::{Problem, ProblemType, Report, Status, ValidationRecord};

    fn record(url: Option<&str>, used: &str, tried: &[&str]) -> ValidationRecord {
        ValidationRecord {
            url: url.map(str::to_string),
            hostname: "example.com".to_string(),
            port: if url.is_some() { 80 } else { 443 },
            addresses_resolved: vec![],
            address_used: Some(used.parse().unwrap()),
            addresses_tried: tried.iter().map(|a| a.parse().unwrap()).collect(),
        }
    }

    #[test]
    fn describes_each_kind_of_record() {
        let rows = [
            (record(Some("http://example.com/x"), "2001:db8::1", &[]), "GET http://example.com/x from 2001:db8::1 (IPv6)"), // HTTP-01
            (record(None, "198.51.100.1", &[]), "TLS handshake offering acme-tls/1 with 198.51.100.1 port 443 (IPv4)"), // TLS-ALPN-01
            (record(None, "198.51.100.1", &["2001:db8::1"]), "TLS handshake offering acme-tls/1 with 198.51.100.1 port 443 (IPv4, after 2001:db8::1 failed)"), // its fallback
        ];
        for (record, expected) in rows {
            assert_eq!(describe(&record, &[]), expected);
        }
        let lookup_failed = ValidationRecord {
            address_used: None,
            ..record(None, "198.51.100.1", &[])
        };
        assert_eq!(
            describe(&lookup_failed, &[]),
            "no connection: the lookup of example.com failed"
        );
    }

    #[test]
    fn a_caa_refusal_names_the_records_to_change() {
        let report = Report {
            challenge: ChallengeType::Http01,
            status: Status::Invalid,
            problem: Some(Problem::new(
                ProblemType::Caa,
                "While processing CAA for www.example.com: CAA record for example.com prevents issuance",
            )),
            records: vec![record(Some("http://www.example.com/x"), "198.51.100.1", &[])],
            trace: Vec::new(),
            notes: Vec::new(),
            diagnosis: None,
        };
        let fix = fix(&report).unwrap();
        assert!(fix.contains("the CAA records of example.com"), "{fix}");
    }
}
