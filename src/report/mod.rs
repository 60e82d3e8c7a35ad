//! The finished prediction: the challenge object Let's Encrypt would return.

mod diagnosis;
pub(crate) mod json;
mod problem;

use std::net::IpAddr;

pub use diagnosis::{
    AddressObservation, AddressRole, CertificateSummary, ConnectResult, Diagnosis, Finding,
    Identity, Lookup, Outcome, Probe, ResponseSummary, Severity, TlsSummary, Verdict,
};
pub use problem::{Problem, ProblemType};

use crate::job::ChallengeType;

/// Whether Let's Encrypt would accept the challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The challenge would be valid.
    Valid,
    /// The challenge would be invalid, with a problem.
    Invalid,
}

/// One request attempt, as Boulder records it (`core.ValidationRecord`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationRecord {
    /// The absolute request URL (HTTP-01 only).
    pub url: Option<String>,
    /// The DNS name, or the IP literal of an IP identifier or IP redirect target.
    pub hostname: String,
    /// The port, in decimal.
    pub port: u16,
    /// Every usable address, AAAA answers first, in answer order.
    pub addresses_resolved: Vec<IpAddr>,
    /// The address dialed; `None` only in TLS-ALPN-01's record of a failed lookup, which
    /// Boulder returns with hostname and port alone.
    pub address_used: Option<IpAddr>,
    /// Addresses tried before `address_used` (TLS-ALPN-01 only).
    pub addresses_tried: Vec<IpAddr>,
}

/// One line of the human account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEvent {
    /// Milliseconds since the session started.
    pub at_ms: u64,
    /// What happened.
    pub message: String,
}

/// The prediction for one validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The challenge type validated.
    pub challenge: ChallengeType,
    /// Valid or invalid.
    pub status: Status,
    /// The problem, when invalid.
    pub problem: Option<Problem>,
    /// The validation records, in Boulder's order.
    pub records: Vec<ValidationRecord>,
    /// What happened, step by step.
    pub trace: Vec<TraceEvent>,
    /// Where Let's Encrypt's documentation and Boulder's code disagree and the code was followed.
    pub notes: Vec<String>,
    /// For a `diagnose` job: the verdict, the observations and the findings. The fields above
    /// then hold the predicted Let's Encrypt attempt.
    pub diagnosis: Option<Box<Diagnosis>>,
}

impl Report {
    /// The challenge object as Let's Encrypt's API returns it (RFC 8555 field names), as JSON;
    /// for a diagnosis, the diagnosis JSON (docs/diagnose.md), which embeds the predicted
    /// validation records.
    pub fn to_json(&self) -> String {
        match &self.diagnosis {
            Some(diagnosis) => crate::diagnose::json::render(self, diagnosis),
            None => json::challenge_object(self),
        }
    }
}
