//! The order of events of each challenge, mirroring Boulder's `va/http.go` and
//! `va/tlsalpn.go`.

pub(crate) mod cause;
pub(crate) mod deadline;
pub(crate) mod fetch;
pub(crate) mod http01;
mod notes;
pub(crate) mod tls_alpn01;
mod tls_alpn01_certificate;

use crate::job::{ChallengeType, Identifier, Job, Options, Validation};
use crate::network::Network;
use crate::policy::caa;
use crate::report::{Problem, ProblemType, Report, Status};

/// Runs a job to its report.
pub(crate) async fn run<N: Network>(network: N, job: Job, options: Options) -> Report {
    match job {
        Job::Validate(validation) => {
            let report = match validation.challenge {
                ChallengeType::Http01 => http01::validate(&network, &validation, &options).await,
                ChallengeType::TlsAlpn01 => {
                    tls_alpn01::validate(&network, &validation, &options).await
                }
            };
            check_caa(&network, &validation, &options, report).await
        }
        Job::Diagnose(diagnose) => crate::diagnose::run(&network, &diagnose, &options).await,
    }
}

/// Let's Encrypt checks CAA once the challenge succeeded, for DNS names (Boulder's RA asks the
/// VA's `DoCAA` after `DoDCV`): a set that forbids it, or a failed lookup, makes the challenge
/// invalid with that problem.
async fn check_caa<N: Network>(
    network: &N,
    validation: &Validation,
    options: &Options,
    mut report: Report,
) -> Report {
    let Identifier::Dns(name) = &validation.identifier else {
        return report;
    };
    if report.status != Status::Valid {
        return report;
    }
    network.trace(format!(
        "the challenge succeeded: Let's Encrypt checks CAA of {name} and its parents"
    ));
    let answers = caa::lookup_tree(network, name, options).await;
    match caa::problem(name, caa::decide(&answers, validation.challenge)) {
        Some(problem) => {
            network.trace(format!("CAA: {}", problem.detail));
            report.status = Status::Invalid;
            report.problem = Some(problem);
        }
        None => network.trace("CAA allows Let's Encrypt".to_string()),
    }
    report
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
