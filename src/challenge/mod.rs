//! The order of events of each challenge, mirroring Boulder's `va/http.go` and
//! `va/tlsalpn.go`.

pub(crate) mod cause;
pub(crate) mod deadline;
pub(crate) mod fetch;
pub(crate) mod http01;
mod notes;
pub(crate) mod tls_alpn01;
mod tls_alpn01_certificate;

use crate::job::{ChallengeType, Job, Options};
use crate::network::Network;
use crate::report::{Problem, ProblemType, Report, Status};

/// Runs a job to its report.
pub(crate) async fn run<N: Network>(network: N, job: Job, options: Options) -> Report {
    match job {
        Job::Validate(validation) => match validation.challenge {
            ChallengeType::Http01 => http01::validate(&network, &validation, &options).await,
            ChallengeType::TlsAlpn01 => tls_alpn01::validate(&network, &validation, &options).await,
        },
        Job::Diagnose(diagnose) => crate::diagnose::run(&network, &diagnose, &options).await,
    }
}

/// The report for a policy that waits on nothing: a bug in the checker, never a prediction.
pub(crate) fn stalled() -> Report {
    Report {
        challenge: ChallengeType::Http01,
        status: Status::Invalid,
        problem: Some(Problem::new(
            ProblemType::ServerInternal,
            "acme-preflight internal error: the checker stalled",
        )),
        records: Vec::new(),
        trace: Vec::new(),
        notes: Vec::new(),
        diagnosis: None,
    }
}
