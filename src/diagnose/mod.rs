//! `diagnose`: what Let's Encrypt's HTTP-01 validation will do with an identifier before any
//! order, why, and what to change.
//!
//! ```text
//!  lookups      A, AAAA, CAA at once (lookup.rs)
//!     |
//!  all at once  per address: the token request, the same with a made-up Host (probe.rs)
//!               Let's Encrypt's policy: as resolved now, with PR 8905, from each address
//!               alone, with each address first (runs.rs), through one shared book
//!               (book.rs, network.rs) so every dead address costs one timeout
//!     |
//!  judge        identity across families (identity.rs, fingerprint.rs), the verdict over
//!               the answer orders (verdict.rs), findings (rules_*.rs, findings.rs),
//!               the summary (summary.rs)
//! ```
//!
//! The report's validation part is the prediction (Boulder's policy with the diagnosis
//! token); `diagnosis` explains it. A diagnosis takes about one connect timeout plus the
//! servers' time per redirect level, however many addresses there are.

mod book;
mod certificates;
mod dns_answer;
mod facts;
mod findings;
mod fingerprint;
pub(crate) mod human;
mod identity;
pub(crate) mod json;
mod lookup;
mod network;
mod probe;
mod rules_address;
mod rules_chain;
mod rules_dns;
mod rules_family;
mod rules_tls;
mod runs;
mod signatures;
mod summary;
mod tls_probe;
mod verdict;

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use self::book::Book;
use self::facts::Facts;
use self::lookup::Lookups;
use self::probe::Target;
use self::runs::{Run, RunKind};
use self::verdict::Judge;
use crate::dns::QueryType;
use crate::job::{ChallengeType, Diagnose, Identifier, Options, Validation};
use crate::join::{join, join_all};
use crate::network::Network;
use crate::policy::caa;
use crate::policy::limits::{HTTPS_PORT, HTTP_PORT};
use crate::report::{
    AddressObservation, AddressRole, Diagnosis, Finding, Probe, Report, Severity, Status, Verdict,
};

/// A boxed future of one of the diagnosis' concurrent tasks.
type Task<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Runs a diagnosis to its report.
pub(crate) async fn run<N: Network>(network: &N, diagnose: &Diagnose, options: &Options) -> Report {
    let book = Book::default();
    let validation = validation_for(network, diagnose);
    let host = diagnose.identifier.host();
    let path = format!("/.well-known/acme-challenge/{}", validation.token);
    network.trace(format!("diagnosing {host}: requesting {path}"));
    let lookups = match &diagnose.identifier {
        Identifier::Dns(name) => Some(lookup::lookups(network, &book, name, options).await),
        Identifier::Ip(_) => None,
    };
    let (v6, v4) = match (&lookups, &diagnose.identifier) {
        (Some(lookups), _) => (
            runs::usable(lookups, QueryType::Aaaa, options),
            runs::usable(lookups, QueryType::A, options),
        ),
        (None, Identifier::Ip(address)) if address.is_ipv6() => (vec![*address], Vec::new()),
        (None, identifier) => (Vec::new(), vec![ip_of(identifier)]),
    };
    network.trace(format!(
        "probing {} IPv6 and {} IPv4 addresses at once, and running Let's Encrypt's policy",
        v6.len(),
        v4.len()
    ));
    let bogus = format!("acme-preflight-{:016x}.invalid", network.random_u64());
    let probed: Vec<IpAddr> = v6.iter().chain(&v4).copied().collect();
    let book = &book;
    let asked = Asked {
        identifier: &diagnose.identifier,
        host: &host,
        bogus: &bogus,
        path: &path,
    };
    let probe_tasks: Vec<Task<'_, AddressProbes>> = probed
        .iter()
        .map(|address| -> Task<'_, AddressProbes> {
            Box::pin(probe_address(network, book, &asked, *address, options))
        })
        .collect();
    let run_tasks: Vec<Task<'_, Run>> = runs::plan(&v6, &v4)
        .into_iter()
        .map(|kind| -> Task<'_, Run> {
            Box::pin(runs::run(
                network,
                book,
                &validation,
                options,
                lookups.as_ref(),
                kind,
            ))
        })
        .collect();
    let tls_alpn = runs::run(
        network,
        book,
        &validation,
        options,
        lookups.as_ref(),
        RunKind::TlsAlpn01,
    );
    let ((probes, runs), tls_alpn) =
        join(join(join_all(probe_tasks), join_all(run_tasks)), tls_alpn).await;
    network.trace(format!(
        "{} addresses probed on ports 80 and 443, {} policy runs done",
        probes.len(),
        runs.len() + 1
    ));
    let pairs: Vec<(IpAddr, AddressProbes)> = probed.into_iter().zip(probes).collect();
    let addresses = observations(
        &diagnose.identifier,
        lookups.as_ref(),
        pairs,
        &runs,
        options,
    );
    assemble(
        diagnose,
        validation,
        lookups.as_ref(),
        addresses,
        runs,
        tls_alpn,
        options,
    )
}

/// What every address is asked.
struct Asked<'a> {
    identifier: &'a Identifier,
    /// The identifier's host (an IP literal without brackets for IP identifiers).
    host: &'a str,
    /// A made-up host no virtual host serves.
    bogus: &'a str,
    /// The token path.
    path: &'a str,
}

/// The answers of one address.
struct AddressProbes {
    probe: Probe,
    bogus_host: Probe,
    https: Probe,
    acme_tls: Probe,
}

/// Asks `address` everything at once: the token over HTTP with the identifier's and a
/// made-up `Host`, the token over HTTPS, and the TLS-ALPN-01 handshake.
async fn probe_address<N: Network>(
    network: &N,
    book: &Book,
    asked: &Asked<'_>,
    address: IpAddr,
    options: &Options,
) -> AddressProbes {
    let host_header = probe::host_header(asked.host);
    let target = |host, port, tls_host| Target {
        address,
        port,
        tls_host,
        host,
        path: asked.path,
    };
    let real = target(host_header.as_str(), HTTP_PORT, None);
    let bogus = target(asked.bogus, HTTP_PORT, None);
    let https = target(host_header.as_str(), HTTPS_PORT, Some(asked.host));
    let ((probe, bogus_host), (https, acme_tls)) = join(
        join(
            probe::probe(network, book, &real, options),
            probe::probe(network, book, &bogus, options),
        ),
        join(
            probe::probe(network, book, &https, options),
            tls_probe::acme_tls(network, book, asked.identifier, address, options),
        ),
    )
    .await;
    AddressProbes {
        probe,
        bogus_host,
        https,
        acme_tls,
    }
}

/// The validation the diagnosis predicts: the expected file's token and content, or a
/// random token whose file cannot exist.
fn validation_for<N: Network>(network: &N, diagnose: &Diagnose) -> Validation {
    let (token, key_authorization) = match &diagnose.expect {
        Some(expect) => (
            expect.token().to_string(),
            trim_end_whitespace(&expect.content).to_string(),
        ),
        None => {
            let token = format!(
                "preflight-{:016x}{:016x}",
                network.random_u64(),
                network.random_u64()
            );
            let key_authorization = format!("{token}.acme-preflight-diagnosis");
            (token, key_authorization)
        }
    };
    Validation {
        identifier: diagnose.identifier.clone(),
        token,
        key_authorization,
        challenge: ChallengeType::Http01,
    }
}

/// Let's Encrypt trims trailing whitespace off the file; the content to match is trimmed too.
fn trim_end_whitespace(text: &str) -> &str {
    text.trim_end_matches(char::is_whitespace)
}

fn ip_of(identifier: &Identifier) -> IpAddr {
    match identifier {
        Identifier::Ip(address) => *address,
        Identifier::Dns(_) => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
    }
}

/// Every address with its role, probes and alone run: AAAA first, each family in order.
fn observations(
    identifier: &Identifier,
    lookups: Option<&Lookups>,
    mut probes: Vec<(IpAddr, AddressProbes)>,
    runs: &[Run],
    options: &Options,
) -> Vec<AddressObservation> {
    let listed: Vec<(IpAddr, u32)> = match lookups {
        None => vec![(ip_of(identifier), 0)],
        Some(lookups) => [QueryType::Aaaa, QueryType::A]
            .into_iter()
            .flat_map(|t| lookups.family(t).all().iter().copied().zip(0u32..))
            .collect(),
    };
    let first_v6 = probes.iter().find(|(a, _)| a.is_ipv6()).map(|(a, _)| *a);
    let first_v4 = probes.iter().find(|(a, _)| a.is_ipv4()).map(|(a, _)| *a);
    listed
        .into_iter()
        .map(|(address, index)| {
            let ignored = lookup::ignored_because(address, options).filter(|_| lookups.is_some());
            let role = match ignored {
                Some(_) => AddressRole::Ignored,
                None if Some(address) == first_v6 => AddressRole::First,
                None if Some(address) == first_v4 && first_v6.is_none() => AddressRole::First,
                None if Some(address) == first_v4 => AddressRole::Fallback,
                None => AddressRole::Alternate,
            };
            let position = probes.iter().position(|(a, _)| *a == address);
            let asked = position.map(|p| probes.remove(p).1);
            let (probe, bogus_host, https, acme_tls) = match asked {
                Some(p) => (
                    Some(p.probe),
                    Some(p.bogus_host),
                    Some(p.https),
                    Some(p.acme_tls),
                ),
                None => (None, None, None, None),
            };
            let alone = runs
                .iter()
                .find(|r| r.kind == RunKind::Alone(address))
                .map(Run::outcome);
            AddressObservation {
                address,
                index,
                role,
                ignored,
                probe,
                bogus_host,
                alone,
                https,
                acme_tls,
            }
        })
        .collect()
}

/// The report: the prediction, and the diagnosis explaining it.
fn assemble(
    diagnose: &Diagnose,
    validation: Validation,
    lookups: Option<&Lookups>,
    addresses: Vec<AddressObservation>,
    runs: Vec<Run>,
    tls_alpn: Run,
    options: &Options,
) -> Report {
    let canary = diagnose.expect.is_some();
    let judge = Judge::new(canary, &addresses, &runs);
    let classes: Vec<_> = verdict::order_runs(&runs)
        .into_iter()
        .map(|run| judge.class(run))
        .collect();
    let host = diagnose.identifier.host();
    // Let's Encrypt checks CAA once the challenge succeeded: a refusal fails every order.
    let caa_problem =
        lookups.and_then(|l| caa::problem(&host, caa::decide(&l.caa, ChallengeType::Http01)));
    let verdict = match caa_problem {
        Some(_) => Verdict::Fail,
        None => verdict::combine(&classes),
    };
    let facts = Facts {
        host: &host,
        lookups,
        addresses: &addresses,
        runs: &runs,
        tls_alpn: Some(&tls_alpn),
        judge: &judge,
        options,
        canary,
    };
    let main = runs.iter().find(|r| r.kind == RunKind::Main);
    let pr8905 = runs
        .iter()
        .find(|r| r.kind == RunKind::Pr8905)
        .filter(|other| main.is_some_and(|main| differs(&judge, main, other)))
        .map(Run::outcome);
    let findings = findings(&facts, pr8905.as_ref(), verdict, &classes);
    let summary = summary::summary(&facts, verdict, &findings, &classes);
    let (identity, identity_evidence) = identity::assess(&addresses);
    let mut report = main
        .map(|r| r.report.clone())
        .unwrap_or_else(crate::challenge::stalled);
    if let (Some(problem), Status::Valid) = (caa_problem, report.status) {
        report.status = Status::Invalid;
        report.problem = Some(problem);
    }
    report.diagnosis = Some(Box::new(Diagnosis {
        identifier: host.clone(),
        verdict,
        summary,
        token: validation.token,
        expect: diagnose.expect.clone(),
        predicted_ms: main.map_or(0, |r| r.elapsed_ms),
        deadline_ms: options.deadline_ms,
        timeline: main.map(|r| r.log.trace.clone()).unwrap_or_default(),
        lookups: lookups.map(Lookups::summaries).unwrap_or_default(),
        addresses,
        identity,
        identity_evidence,
        findings,
        pr8905,
        tls_alpn01: Some(tls_alpn.outcome()),
    }));
    report
}

/// Whether PR 8905's run ends otherwise than Boulder's.
fn differs(judge: &Judge<'_>, main: &Run, other: &Run) -> bool {
    judge.class(main) != judge.class(other)
        || main.report.status != other.report.status
        || main.report.problem != other.report.problem
}

/// Every rule's findings, errors first; a failing verdict always has an error to show.
fn findings(
    facts: &Facts<'_>,
    pr8905: Option<&crate::report::Outcome>,
    verdict: crate::report::Verdict,
    classes: &[verdict::RunClass],
) -> Vec<Finding> {
    let mut out = rules_dns::findings(facts);
    out.extend(rules_address::findings(facts));
    out.extend(rules_family::findings(facts));
    out.extend(rules_chain::findings(facts, pr8905));
    let tls = rules_tls::findings(facts, &out);
    out.extend(tls);
    let unexplained = classes.contains(&verdict::RunClass::Fail)
        && !out.iter().any(|f| f.severity == Severity::Error);
    if unexplained {
        let detail = facts
            .main()
            .and_then(|r| r.report.problem.as_ref())
            .map(|p| p.detail.clone())
            .unwrap_or_default();
        out.push(findings::finding(
            "validation-fails",
            Severity::Error,
            format!(
                "Let's Encrypt's validation of {} fails{}",
                facts.host,
                match verdict {
                    Verdict::Intermittent => " in some answer orders",
                    _ => "",
                }
            ),
            vec![format!("Let's Encrypt: {detail}")],
            None,
        ));
    }
    let skipped = facts
        .addresses
        .iter()
        .filter(|a| a.role != AddressRole::Ignored && a.probe.is_none() && facts.lookups.is_some())
        .count();
    if skipped > 0 {
        out.push(findings::finding(
            "not-probed",
            Severity::Info,
            format!(
                "{skipped} more addresses were not probed (at most {} per family)",
                runs::MAX_PROBED_PER_FAMILY
            ),
            Vec::new(),
            None,
        ));
    }
    out.sort_by_key(|f| f.severity);
    out
}
