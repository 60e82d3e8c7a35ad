//! The diagnosis between its plain Rust form and WIT (`diagnose-request` and the report's
//! `diagnosis` field). Conversions only; every field round-trips unchanged.

use super::{ip_from_wit, ip_to_wit, problem_type_from_wit, problem_type_to_wit};
use super::{wit_checker, wit_report};
use crate::job::{Diagnose, Expectation, Job};
use crate::policy::reserved::AllowList;
use crate::report::{
    AddressObservation, AddressRole, CertificateSummary, ConnectResult, Diagnosis, Finding,
    Identity, Lookup, Outcome, Probe, Problem, ResponseSummary, Severity, Status, TlsSummary,
    TraceEvent, ValidationRecord, Verdict,
};

/// `diagnose(diagnose-request)` as a job; the identifier parsed as the command line does.
pub(super) fn job_from_wit(
    request: wit_checker::DiagnoseRequest,
    allow: &AllowList,
) -> Result<Job, String> {
    Ok(Job::Diagnose(Diagnose {
        identifier: crate::cli::parse_identifier(&request.identifier, allow)?,
        expect: request.expect.map(|e| Expectation {
            path: e.path,
            content: e.content,
        }),
    }))
}

/// The job back as `diagnose(diagnose-request)`.
pub(super) fn job_to_wit(diagnose: &Diagnose) -> wit_checker::Job {
    wit_checker::Job::Diagnose(wit_checker::DiagnoseRequest {
        identifier: diagnose.identifier.host(),
        expect: diagnose.expect.as_ref().map(expectation_to_wit),
    })
}

fn expectation_to_wit(expect: &Expectation) -> wit_report::Expectation {
    wit_report::Expectation {
        path: expect.path.clone(),
        content: expect.content.clone(),
    }
}

/// The diagnosis as WIT.
pub(super) fn to_wit(d: &Diagnosis) -> wit_report::Diagnosis {
    wit_report::Diagnosis {
        identifier: d.identifier.clone(),
        verdict: match d.verdict {
            Verdict::Pass => wit_report::Verdict::Pass,
            Verdict::PassWithFallback => wit_report::Verdict::PassWithFallback,
            Verdict::Fail => wit_report::Verdict::Fail,
            Verdict::Intermittent => wit_report::Verdict::Intermittent,
        },
        summary: d.summary.clone(),
        token: d.token.clone(),
        expect: d.expect.as_ref().map(expectation_to_wit),
        predicted_ms: d.predicted_ms,
        deadline_ms: d.deadline_ms,
        timeline: d.timeline.iter().map(event_to_wit).collect(),
        lookups: d.lookups.iter().map(lookup_to_wit).collect(),
        addresses: d.addresses.iter().map(address_to_wit).collect(),
        identity: match d.identity {
            Identity::Same => wit_report::Identity::Same,
            Identity::Different => wit_report::Identity::Different,
            Identity::Unknown => wit_report::Identity::Unknown,
        },
        identity_evidence: d.identity_evidence.clone(),
        findings: d.findings.iter().map(finding_to_wit).collect(),
        pr8905: d.pr8905.as_ref().map(outcome_to_wit),
        tls_alpn01: d.tls_alpn01.as_ref().map(outcome_to_wit),
    }
}

/// The diagnosis back from WIT; `None` when a field is out of range.
pub(super) fn from_wit(d: wit_report::Diagnosis) -> Option<Diagnosis> {
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

fn event_to_wit(event: &TraceEvent) -> wit_report::TraceEvent {
    wit_report::TraceEvent {
        at_ms: event.at_ms,
        message: event.message.clone(),
    }
}

fn event_from_wit(event: wit_report::TraceEvent) -> TraceEvent {
    TraceEvent {
        at_ms: event.at_ms,
        message: event.message,
    }
}

fn lookup_to_wit(lookup: &Lookup) -> wit_report::Lookup {
    wit_report::Lookup {
        record_type: lookup.record_type.clone(),
        records: lookup.records.clone(),
        error: lookup.error.clone(),
        elapsed_ms: lookup.elapsed_ms,
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

fn finding_to_wit(finding: &Finding) -> wit_report::Finding {
    wit_report::Finding {
        code: finding.code.clone(),
        severity: match finding.severity {
            Severity::Error => wit_report::Severity::Error,
            Severity::Warning => wit_report::Severity::Warning,
            Severity::Info => wit_report::Severity::Info,
        },
        summary: finding.summary.clone(),
        evidence: finding.evidence.clone(),
        fix: finding.fix.clone(),
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

fn address_to_wit(a: &AddressObservation) -> wit_report::AddressObservation {
    wit_report::AddressObservation {
        address: ip_to_wit(a.address),
        index: a.index,
        role: match a.role {
            AddressRole::First => wit_report::AddressRole::First,
            AddressRole::Fallback => wit_report::AddressRole::Fallback,
            AddressRole::Alternate => wit_report::AddressRole::Alternate,
            AddressRole::Ignored => wit_report::AddressRole::Ignored,
        },
        ignored: a.ignored.clone(),
        probe: a.probe.as_ref().map(probe_to_wit),
        bogus_host: a.bogus_host.as_ref().map(probe_to_wit),
        alone: a.alone.as_ref().map(outcome_to_wit),
        https: a.https.as_ref().map(probe_to_wit),
        acme_tls: a.acme_tls.as_ref().map(probe_to_wit),
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

fn probe_to_wit(p: &Probe) -> wit_report::Probe {
    wit_report::Probe {
        host: p.host.clone(),
        connect: match &p.connect {
            ConnectResult::Connected => wit_report::ConnectResult::Connected,
            ConnectResult::Timeout => wit_report::ConnectResult::Timeout,
            ConnectResult::Refused => wit_report::ConnectResult::Refused,
            ConnectResult::NetworkUnreachable => wit_report::ConnectResult::NetworkUnreachable,
            ConnectResult::HostUnreachable => wit_report::ConnectResult::HostUnreachable,
            ConnectResult::Other(text) => wit_report::ConnectResult::Other(text.clone()),
        },
        connect_ms: p.connect_ms,
        response: p.response.as_ref().map(|r| wit_report::ResponseSummary {
            status: r.status,
            header_names: r.header_names.clone(),
            server: r.server.clone(),
            location: r.location.clone(),
            body_bytes: r.body_bytes,
            body_sha256: r.body_sha256.clone(),
            body_complete: r.body_complete,
            markers: r.markers.clone(),
        }),
        error: p.error.clone(),
        received_bytes: p.received_bytes,
        elapsed_ms: p.elapsed_ms,
        tls: p.tls.as_ref().map(tls_to_wit),
    }
}

fn tls_to_wit(t: &TlsSummary) -> wit_report::TlsSummary {
    wit_report::TlsSummary {
        version: t.version.clone(),
        alpn: t.alpn.clone(),
        certificate: t
            .certificate
            .as_ref()
            .map(|c| wit_report::CertificateSummary {
                sha256: c.sha256.clone(),
                subject: c.subject.clone(),
                names: c.names.clone(),
                issuer: c.issuer.clone(),
                self_issued: c.self_issued,
            }),
    }
}

fn tls_from_wit(t: wit_report::TlsSummary) -> TlsSummary {
    TlsSummary {
        version: t.version,
        alpn: t.alpn,
        certificate: t.certificate.map(|c| CertificateSummary {
            sha256: c.sha256,
            subject: c.subject,
            names: c.names,
            issuer: c.issuer,
            self_issued: c.self_issued,
        }),
    }
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
        tls: p.tls.map(tls_from_wit),
    }
}

fn outcome_to_wit(o: &Outcome) -> wit_report::Outcome {
    wit_report::Outcome {
        status: match o.status {
            Status::Valid => wit_report::ChallengeStatus::Valid,
            Status::Invalid => wit_report::ChallengeStatus::Invalid,
        },
        error: o.problem.as_ref().map(|problem| wit_report::Problem {
            problem_type: problem_type_to_wit(problem.problem_type),
            detail: problem.detail.clone(),
            status: problem.problem_type.http_status(),
        }),
        validation_records: o.records.iter().map(record_to_wit).collect(),
        elapsed_ms: o.elapsed_ms,
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

/// A validation record in its WIT form (also used for the report's own records).
pub(super) fn record_to_wit(record: &ValidationRecord) -> wit_report::ValidationRecord {
    wit_report::ValidationRecord {
        url: record.url.clone(),
        hostname: record.hostname.clone(),
        port: record.port.to_string(),
        addresses_resolved: record
            .addresses_resolved
            .iter()
            .copied()
            .map(ip_to_wit)
            .collect(),
        address_used: record.address_used.map(ip_to_wit),
        addresses_tried: record
            .addresses_tried
            .iter()
            .copied()
            .map(ip_to_wit)
            .collect(),
    }
}

/// A validation record from its WIT form; `None` when the port is not a number.
pub(super) fn record_from_wit(record: wit_report::ValidationRecord) -> Option<ValidationRecord> {
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
