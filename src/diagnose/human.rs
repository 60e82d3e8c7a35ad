//! The diagnosis for a terminal: the verdict first, then the steps Let's Encrypt will take,
//! then what to change, then the evidence (addresses, identity, DNS).

use std::fmt::Write;

use super::fingerprint::{describe, print_of};
use crate::cli::render::describe as describe_record;
use crate::report::{
    AddressObservation, ConnectResult, Diagnosis, Finding, Probe, ProblemType, Report, Severity,
    Verdict,
};

const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const RED: &str = "\x1b[31m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// Renders a diagnosis; `color` adds ANSI colours.
pub(crate) fn render(report: &Report, diagnosis: &Diagnosis, color: bool) -> String {
    let paint = |code: &'static str| if color { code } else { "" };
    let mut out = String::with_capacity(2048);
    let (word, tint) = match diagnosis.verdict {
        Verdict::Pass => ("PASS", GREEN),
        Verdict::PassWithFallback => ("PASS WITH FALLBACK", YELLOW),
        Verdict::Fail => ("FAIL", RED),
        Verdict::Intermittent => ("INTERMITTENT", YELLOW),
    };
    let _ = writeln!(
        out,
        "{}{}{word}{}: {}",
        paint(BOLD),
        paint(tint),
        paint(RESET),
        diagnosis.identifier
    );
    let _ = writeln!(out, "  {}", diagnosis.summary);
    steps(&mut out, report, diagnosis);
    let (fixes, notes): (Vec<&Finding>, Vec<&Finding>) = diagnosis
        .findings
        .iter()
        .partition(|f| f.severity != Severity::Info);
    if !fixes.is_empty() {
        out.push_str("\nWhat to change:\n");
        for finding in fixes {
            finding_lines(&mut out, finding, color);
        }
    }
    addresses(&mut out, diagnosis);
    tls_alpn01(&mut out, diagnosis);
    let _ = writeln!(
        out,
        "\nSame server on IPv4 and IPv6: {}",
        diagnosis.identity.name()
    );
    for line in &diagnosis.identity_evidence {
        let _ = writeln!(out, "  {line}");
    }
    if !notes.is_empty() || !report.notes.is_empty() {
        out.push_str("\nNotes:\n");
        for finding in notes {
            finding_lines(&mut out, finding, color);
        }
        for note in &report.notes {
            let _ = writeln!(out, "  {note}");
        }
    }
    if !diagnosis.timeline.is_empty() {
        out.push_str("\nStep by step, on Let's Encrypt's clock:\n");
        for event in &diagnosis.timeline {
            let seconds = event.at_ms as f64 / 1000.0;
            let _ = writeln!(
                out,
                "  {}{seconds:>7.3}s{} {}",
                paint(DIM),
                paint(RESET),
                event.message
            );
        }
    }
    out
}

/// The predicted requests and how they end.
fn steps(out: &mut String, report: &Report, diagnosis: &Diagnosis) {
    out.push_str("\nWhat Let's Encrypt will do:\n");
    if report.records.is_empty() {
        out.push_str("  no request: the lookup of the identifier gives no usable address\n");
    }
    for (number, record) in report.records.iter().enumerate() {
        let earlier = report.records.get(..number).unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}. {}",
            number + 1,
            describe_record(record, earlier)
        );
    }
    let ending = match (&report.problem, &diagnosis.expect) {
        (None, _) => "the file matches: valid".to_string(),
        (Some(problem), Some(_)) => format!("{}: {}", problem.problem_type, problem.detail),
        (Some(problem), None) if problem.problem_type == ProblemType::Unauthorized => format!(
            "{} (the diagnosis token does not exist; what matters is where the chain ends)",
            problem.detail
        ),
        (Some(problem), None) => format!("{}: {}", problem.problem_type, problem.detail),
    };
    let _ = writeln!(out, "  Ends: {ending}");
    let _ = writeln!(
        out,
        "  Time: {:.1} s of the {:.1} s budget",
        diagnosis.predicted_ms as f64 / 1000.0,
        f64::from(diagnosis.deadline_ms) / 1000.0
    );
}

fn finding_lines(out: &mut String, finding: &Finding, color: bool) {
    let (mark, tint) = match finding.severity {
        Severity::Error => ("error", RED),
        Severity::Warning => ("warning", YELLOW),
        Severity::Info => ("info", DIM),
    };
    let (tint, reset) = if color { (tint, RESET) } else { ("", "") };
    let _ = writeln!(
        out,
        "  {tint}{mark}{reset} [{}] {}",
        finding.code, finding.summary
    );
    for line in &finding.evidence {
        let _ = writeln!(out, "      - {line}");
    }
    if let Some(fix) = &finding.fix {
        let _ = writeln!(out, "      Fix: {fix}");
    }
}

/// One line per address: role, and what it answered.
fn addresses(out: &mut String, diagnosis: &Diagnosis) {
    if diagnosis.addresses.is_empty() {
        return;
    }
    out.push_str("\nAddresses:\n");
    for address in &diagnosis.addresses {
        let kind = if address.address.is_ipv6() {
            "AAAA"
        } else {
            "A"
        };
        let _ = writeln!(
            out,
            "  {kind:<4} {:<39} {:<9} {}",
            address.address.to_string(),
            address.role.name(),
            answer(address)
        );
        if let Some(line) = port_443(address) {
            let _ = writeln!(out, "  {:<4} {:<39} {:<9} {line}", "", "", "port 443");
        }
    }
}

/// Port 443 of an address: the HTTPS handshake and the TLS-ALPN-01 one.
fn port_443(address: &AddressObservation) -> Option<String> {
    let https = address.https.as_ref()?;
    let tls = |probe: &Probe| match (&probe.connect, &probe.tls, &probe.error) {
        (_, Some(tls), _) => {
            let names = tls
                .certificate
                .as_ref()
                .map(|c| format!(", certificate for {}", c.names.join(" ")))
                .unwrap_or_default();
            format!("{}{names}", tls.version)
        }
        (ConnectResult::Connected, None, error) => {
            error.clone().unwrap_or_else(|| "no answer".to_string())
        }
        (connect, None, _) => format!("connect {}", connect.name()),
    };
    let acme = match &address.acme_tls {
        Some(probe) if probe.tls.is_some() => {
            let alpn = probe.tls.as_ref().and_then(|t| t.alpn.as_deref());
            format!(
                "acme-tls/1 {}",
                if alpn.is_some() {
                    "answered"
                } else {
                    "not negotiated"
                }
            )
        }
        Some(probe) => format!("acme-tls/1: {}", tls(probe)),
        None => String::new(),
    };
    Some(format!("{}; {acme}", tls(https)))
}

/// Let's Encrypt's TLS-ALPN-01 validation of the same identifier, in one line.
fn tls_alpn01(out: &mut String, diagnosis: &Diagnosis) {
    let Some(outcome) = &diagnosis.tls_alpn01 else {
        return;
    };
    let tries: Vec<String> = outcome
        .records
        .iter()
        .flat_map(|r| r.addresses_tried.iter().chain(&r.address_used))
        .map(|ip| {
            if ip.is_ipv6() {
                format!("[{ip}]:443")
            } else {
                format!("{ip}:443")
            }
        })
        .collect();
    let ending = match &outcome.problem {
        None => "valid".to_string(),
        Some(problem) => format!("{}: {}", problem.problem_type, problem.detail),
    };
    let _ = writeln!(
        out,
        "
TLS-ALPN-01 instead (any IPv6 error is retried on IPv4): {}; ends: {ending}",
        if tries.is_empty() {
            "no connection".to_string()
        } else {
            tries.join(", then ")
        }
    );
}

/// What an address did, in a few words.
fn answer(address: &AddressObservation) -> String {
    if let Some(why) = &address.ignored {
        return format!("ignored: {why}");
    }
    let Some(probe) = &address.probe else {
        return "not probed".to_string();
    };
    match (&probe.connect, &probe.response, &probe.error) {
        (ConnectResult::Connected, Some(response), None) => describe(&print_of(response)),
        (ConnectResult::Connected, Some(response), Some(error)) => {
            format!("{} then {error}", describe(&print_of(response)))
        }
        (ConnectResult::Connected, None, error) => {
            error.clone().unwrap_or_else(|| "no answer".to_string())
        }
        (connect, _, _) => format!("connect {} ({} ms)", connect.name(), probe.connect_ms),
    }
}
