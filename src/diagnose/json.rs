//! The diagnosis as JSON (documented in docs/diagnose.md). Strings are escaped as Go's
//! `encoding/json` does, like the challenge object; absent optional fields are left out.

use std::fmt::Write;

use crate::report::json::{string, validation_record};
use crate::report::{
    AddressObservation, Diagnosis, Finding, Lookup, Outcome, Probe, Problem, Report,
    ResponseSummary, Status, TlsSummary, TraceEvent, ValidationRecord,
};

/// `{"identifier":…,"verdict":…,"summary":…,"status":…,"validationRecord":[…],…}`.
pub(crate) fn render(report: &Report, diagnosis: &Diagnosis) -> String {
    let mut out = String::with_capacity(4096);
    out.push_str("{\"identifier\":");
    string(&mut out, &diagnosis.identifier);
    field(&mut out, "verdict", diagnosis.verdict.name());
    field(&mut out, "summary", &diagnosis.summary);
    field(&mut out, "challenge", report.challenge.name());
    field(&mut out, "status", status(report.status));
    if let Some(problem) = &report.problem {
        out.push_str(",\"error\":");
        problem_object(&mut out, problem);
    }
    out.push_str(",\"validationRecord\":");
    records(&mut out, &report.records);
    let _ = write!(
        out,
        ",\"elapsedMs\":{},\"deadlineMs\":{}",
        diagnosis.predicted_ms, diagnosis.deadline_ms
    );
    field(&mut out, "token", &diagnosis.token);
    if let Some(expect) = &diagnosis.expect {
        out.push_str(",\"expect\":{\"path\":");
        string(&mut out, &expect.path);
        field(&mut out, "content", &expect.content);
        out.push('}');
    }
    out.push_str(",\"notes\":");
    strings(&mut out, &report.notes);
    out.push_str(",\"timeline\":");
    list(&mut out, &diagnosis.timeline, event);
    out.push_str(",\"lookups\":");
    list(&mut out, &diagnosis.lookups, lookup);
    out.push_str(",\"addresses\":");
    list(&mut out, &diagnosis.addresses, address);
    out.push_str(",\"identity\":{\"verdict\":");
    string(&mut out, diagnosis.identity.name());
    out.push_str(",\"evidence\":");
    strings(&mut out, &diagnosis.identity_evidence);
    out.push_str("},\"findings\":");
    list(&mut out, &diagnosis.findings, finding);
    if let Some(outcome) = &diagnosis.pr8905 {
        out.push_str(",\"pr8905\":");
        outcome_object(&mut out, outcome);
    }
    if let Some(outcome) = &diagnosis.tls_alpn01 {
        out.push_str(",\"tlsAlpn01\":");
        outcome_object(&mut out, outcome);
    }
    out.push('}');
    out
}

/// `,"name":"value"`.
fn field(out: &mut String, name: &str, value: &str) {
    out.push_str(",\"");
    out.push_str(name);
    out.push_str("\":");
    string(out, value);
}

/// `,"name":"value"` when there is a value.
fn optional(out: &mut String, name: &str, value: Option<&str>) {
    if let Some(value) = value {
        field(out, name, value);
    }
}

fn status(status: Status) -> &'static str {
    match status {
        Status::Valid => "valid",
        Status::Invalid => "invalid",
    }
}

fn list<T>(out: &mut String, items: &[T], mut each: impl FnMut(&mut String, &T)) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(out, item);
    }
    out.push(']');
}

fn strings(out: &mut String, items: &[String]) {
    list(out, items, |out, item| string(out, item));
}

fn records(out: &mut String, items: &[ValidationRecord]) {
    list(out, items, validation_record);
}

fn problem_object(out: &mut String, problem: &Problem) {
    out.push_str("{\"type\":");
    string(out, &problem.problem_type.to_string());
    field(out, "detail", &problem.detail);
    let _ = write!(out, ",\"status\":{}}}", problem.problem_type.http_status());
}

fn event(out: &mut String, event: &TraceEvent) {
    let _ = write!(out, "{{\"atMs\":{},\"message\":", event.at_ms);
    string(out, &event.message);
    out.push('}');
}

fn lookup(out: &mut String, lookup: &Lookup) {
    out.push_str("{\"type\":");
    string(out, &lookup.record_type);
    out.push_str(",\"records\":");
    strings(out, &lookup.records);
    optional(out, "error", lookup.error.as_deref());
    let _ = write!(out, ",\"elapsedMs\":{}}}", lookup.elapsed_ms);
}

fn address(out: &mut String, address: &AddressObservation) {
    out.push_str("{\"address\":");
    string(out, &address.address.to_string());
    let family = if address.address.is_ipv6() {
        "ipv6"
    } else {
        "ipv4"
    };
    field(out, "family", family);
    let _ = write!(out, ",\"index\":{}", address.index);
    field(out, "role", address.role.name());
    optional(out, "ignored", address.ignored.as_deref());
    if let Some(probe) = &address.probe {
        out.push_str(",\"probe\":");
        probe_object(out, probe);
    }
    if let Some(probe) = &address.bogus_host {
        out.push_str(",\"bogusHost\":");
        probe_object(out, probe);
    }
    if let Some(outcome) = &address.alone {
        out.push_str(",\"alone\":");
        outcome_object(out, outcome);
    }
    if let Some(probe) = &address.https {
        out.push_str(",\"https\":");
        probe_object(out, probe);
    }
    if let Some(probe) = &address.acme_tls {
        out.push_str(",\"acmeTls\":");
        probe_object(out, probe);
    }
    out.push('}');
}

fn probe_object(out: &mut String, probe: &Probe) {
    out.push_str("{\"host\":");
    string(out, &probe.host);
    field(out, "connect", probe.connect.name());
    if let crate::report::ConnectResult::Other(text) = &probe.connect {
        field(out, "connectError", text);
    }
    let _ = write!(out, ",\"connectMs\":{}", probe.connect_ms);
    if let Some(tls) = &probe.tls {
        out.push_str(",\"tls\":");
        tls_object(out, tls);
    }
    if let Some(response) = &probe.response {
        out.push_str(",\"response\":");
        response_object(out, response);
    }
    optional(out, "error", probe.error.as_deref());
    let _ = write!(
        out,
        ",\"receivedBytes\":{},\"elapsedMs\":{}}}",
        probe.received_bytes, probe.elapsed_ms
    );
}

fn tls_object(out: &mut String, tls: &TlsSummary) {
    out.push_str("{\"version\":");
    string(out, &tls.version);
    optional(out, "alpn", tls.alpn.as_deref());
    if let Some(certificate) = &tls.certificate {
        out.push_str(",\"certificate\":{\"sha256\":");
        string(out, &certificate.sha256);
        optional(out, "subject", certificate.subject.as_deref());
        out.push_str(",\"names\":");
        strings(out, &certificate.names);
        optional(out, "issuer", certificate.issuer.as_deref());
        let _ = write!(out, ",\"selfIssued\":{}}}", certificate.self_issued);
    }
    out.push('}');
}

fn response_object(out: &mut String, response: &ResponseSummary) {
    let _ = write!(out, "{{\"status\":{},\"headerNames\":", response.status);
    strings(out, &response.header_names);
    optional(out, "server", response.server.as_deref());
    optional(out, "location", response.location.as_deref());
    let _ = write!(out, ",\"bodyBytes\":{}", response.body_bytes);
    field(out, "bodySha256", &response.body_sha256);
    let _ = write!(out, ",\"bodyComplete\":{}", response.body_complete);
    out.push_str(",\"markers\":");
    strings(out, &response.markers);
    out.push('}');
}

fn outcome_object(out: &mut String, outcome: &Outcome) {
    out.push_str("{\"status\":");
    string(out, status(outcome.status));
    if let Some(problem) = &outcome.problem {
        out.push_str(",\"error\":");
        problem_object(out, problem);
    }
    out.push_str(",\"validationRecord\":");
    records(out, &outcome.records);
    let _ = write!(out, ",\"elapsedMs\":{}}}", outcome.elapsed_ms);
}

fn finding(out: &mut String, finding: &Finding) {
    out.push_str("{\"code\":");
    string(out, &finding.code);
    field(out, "severity", finding.severity.name());
    field(out, "summary", &finding.summary);
    out.push_str(",\"evidence\":");
    strings(out, &finding.evidence);
    optional(out, "fix", finding.fix.as_deref());
    out.push('}');
}

#[cfg(test)]
mod tests;
