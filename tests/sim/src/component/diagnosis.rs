//! The report's `diagnosis` field back from WIT, as the component's own conversion does it.

use ::acme_preflight::report::{
    AddressObservation, AddressRole, CertificateSummary, ConnectResult, Diagnosis, Finding,
    Identity, Lookup, Outcome, Probe, ResponseSummary, Severity, TlsSummary, TraceEvent, Verdict,
};
use ::acme_preflight::{Expectation, Problem, Status, ValidationRecord};

use super::{ip_from_wit, problem_type_from_wit, wit_report};

/// The diagnosis back from WIT; `None` when a field is out of range.
pub(super) fn diagnosis_from_wit(d: wit_report::Diagnosis) -> Option<Diagnosis> {
    let mut addresses = Vec::with_capacity(d.addresses.len());
    for address in d.addresses {
        addresses.push(address_from_wit(address)?);
    }
    Some(Diagnosis {
        identifier: d.identifier,
        verdict: match d.verdict {
            wit_report::Verdict::Pass => Verdict::Pass,
            wit_report::Verdict::PassWithFallback => Verdict::PassWithFallback,
            wit_report::Verdict::Fail => Verdict::Fail,
            wit_report::Verdict::Intermittent => Verdict::Intermittent,
        },
        summary: d.summary,
        token: d.token,
        expect: d.expect.map(|e| Expectation {
            path: e.path,
            content: e.content,
        }),
        predicted_ms: d.predicted_ms,
        deadline_ms: d.deadline_ms,
        timeline: d.timeline.into_iter().map(event_from_wit).collect(),
        lookups: d.lookups.into_iter().map(lookup_from_wit).collect(),
        addresses,
        identity: match d.identity {
            wit_report::Identity::Same => Identity::Same,
            wit_report::Identity::Different => Identity::Different,
            wit_report::Identity::Unknown => Identity::Unknown,
        },
        identity_evidence: d.identity_evidence,
        findings: d.findings.into_iter().map(finding_from_wit).collect(),
        pr8905: match d.pr8905 {
            Some(outcome) => Some(outcome_from_wit(outcome)?),
            None => None,
        },
        tls_alpn01: match d.tls_alpn01 {
            Some(outcome) => Some(outcome_from_wit(outcome)?),
            None => None,
        },
    })
}

fn event_from_wit(event: wit_report::TraceEvent) -> TraceEvent {
    TraceEvent {
        at_ms: event.at_ms,
        message: event.message,
    }
}

fn lookup_from_wit(lookup: wit_report::Lookup) -> Lookup {
    Lookup {
        record_type: lookup.record_type,
        records: lookup.records,
        error: lookup.error,
        elapsed_ms: lookup.elapsed_ms,
    }
}

fn finding_from_wit(finding: wit_report::Finding) -> Finding {
    Finding {
        code: finding.code,
        severity: match finding.severity {
            wit_report::Severity::Error => Severity::Error,
            wit_report::Severity::Warning => Severity::Warning,
            wit_report::Severity::Info => Severity::Info,
        },
        summary: finding.summary,
        evidence: finding.evidence,
        fix: finding.fix,
    }
}

fn address_from_wit(a: wit_report::AddressObservation) -> Option<AddressObservation> {
    Some(AddressObservation {
        address: ip_from_wit(a.address),
        index: a.index,
        role: match a.role {
            wit_report::AddressRole::First => AddressRole::First,
            wit_report::AddressRole::Fallback => AddressRole::Fallback,
            wit_report::AddressRole::Alternate => AddressRole::Alternate,
            wit_report::AddressRole::Ignored => AddressRole::Ignored,
        },
        ignored: a.ignored,
        probe: a.probe.map(probe_from_wit),
        bogus_host: a.bogus_host.map(probe_from_wit),
        alone: match a.alone {
            Some(outcome) => Some(outcome_from_wit(outcome)?),
            None => None,
        },
        https: a.https.map(probe_from_wit),
        acme_tls: a.acme_tls.map(probe_from_wit),
    })
}

fn probe_from_wit(p: wit_report::Probe) -> Probe {
    Probe {
        host: p.host,
        connect: match p.connect {
            wit_report::ConnectResult::Connected => ConnectResult::Connected,
            wit_report::ConnectResult::Timeout => ConnectResult::Timeout,
            wit_report::ConnectResult::Refused => ConnectResult::Refused,
            wit_report::ConnectResult::NetworkUnreachable => ConnectResult::NetworkUnreachable,
            wit_report::ConnectResult::HostUnreachable => ConnectResult::HostUnreachable,
            wit_report::ConnectResult::Other(text) => ConnectResult::Other(text),
        },
        connect_ms: p.connect_ms,
        response: p.response.map(|r| ResponseSummary {
            status: r.status,
            header_names: r.header_names,
            server: r.server,
            location: r.location,
            body_bytes: r.body_bytes,
            body_sha256: r.body_sha256,
            body_complete: r.body_complete,
            markers: r.markers,
        }),
        error: p.error,
        received_bytes: p.received_bytes,
        elapsed_ms: p.elapsed_ms,
        tls: p.tls.map(|t| TlsSummary {
            version: t.version,
            alpn: t.alpn,
            certificate: t.certificate.map(|c| CertificateSummary {
                sha256: c.sha256,
                subject: c.subject,
                names: c.names,
                issuer: c.issuer,
                self_issued: c.self_issued,
            }),
        }),
    }
}

fn outcome_from_wit(o: wit_report::Outcome) -> Option<Outcome> {
    let mut records = Vec::with_capacity(o.validation_records.len());
    for record in o.validation_records {
        records.push(record_from_wit(record)?);
    }
    Some(Outcome {
        status: match o.status {
            wit_report::ChallengeStatus::Valid => Status::Valid,
            wit_report::ChallengeStatus::Invalid => Status::Invalid,
        },
        problem: o
            .error
            .map(|p| Problem::new(problem_type_from_wit(p.problem_type), p.detail)),
        records,
        elapsed_ms: o.elapsed_ms,
    })
}

fn record_from_wit(record: wit_report::ValidationRecord) -> Option<ValidationRecord> {
    Some(ValidationRecord {
        url: record.url,
        hostname: record.hostname,
        port: record.port.parse().ok()?,
        addresses_resolved: record
            .addresses_resolved
            .into_iter()
            .map(ip_from_wit)
            .collect(),
        address_used: record.address_used.map(ip_from_wit),
        addresses_tried: record
            .addresses_tried
            .into_iter()
            .map(ip_from_wit)
            .collect(),
    })
}
