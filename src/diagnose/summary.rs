//! The verdict in a sentence or two, as an expert would say it.

use super::facts::{family, Facts};
use super::probe::connect_result;
use super::verdict::RunClass;
use crate::report::{Finding, Severity, Verdict};

/// The summary line of a diagnosis.
pub(crate) fn summary(
    facts: &Facts<'_>,
    verdict: Verdict,
    findings: &[Finding],
    classes: &[RunClass],
) -> String {
    let host = facts.host;
    let first_error = findings
        .iter()
        .find(|f| f.severity == Severity::Error)
        .map(|f| f.summary.clone());
    match verdict {
        Verdict::Pass => pass(facts),
        Verdict::PassWithFallback => with_fallback(facts),
        Verdict::Fail => match first_error {
            Some(why) => format!("Let's Encrypt will not validate {host}: {why}."),
            None => format!("Let's Encrypt will not validate {host}."),
        },
        Verdict::Intermittent => {
            let failing = classes.iter().filter(|c| **c == RunClass::Fail).count();
            let why = first_error
                .map(|why| format!(" {why}."))
                .unwrap_or_default();
            format!(
                "Let's Encrypt's result for {host} depends on which address the resolver lists first: {failing} of {} answer orders fail.{why}",
                classes.len()
            )
        }
    }
}

fn pass(facts: &Facts<'_>) -> String {
    let host = facts.host;
    let Some(main) = facts.main() else {
        return format!("Let's Encrypt will validate {host}.");
    };
    let Some(used) = main.report.records.first().and_then(|r| r.address_used) else {
        return format!("Let's Encrypt will validate {host}.");
    };
    let first = format!("{} {used}", family(used));
    if facts.canary {
        return format!(
            "Let's Encrypt will connect to {first} and find the expected file: {host} validates."
        );
    }
    let end = main
        .endpoint()
        .map(|(socket, head)| format!(" (the chain ends at {socket} with status {})", head.status))
        .unwrap_or_default();
    format!(
        "Let's Encrypt will connect to {first} and reach the site{end}: {host} validates once the ACME client publishes the token there."
    )
}

fn with_fallback(facts: &Facts<'_>) -> String {
    let host = facts.host;
    let failed = facts
        .main()
        .and_then(|main| main.log.dials.iter().find(|d| d.error.is_some()));
    let retry = facts.main().and_then(|main| {
        main.report
            .records
            .iter()
            .find_map(|r| r.address_used.filter(|a| a.is_ipv4()))
    });
    match (failed, retry) {
        (Some(dial), Some(retry)) => format!(
            "Let's Encrypt's IPv6 connect to {} fails ({} after {} ms); it reaches the site only through its one IPv4 retry on {}. That costs time and breaks as soon as a redirect hop needs IPv6: fix IPv6 for {host}.",
            dial.address,
            connect_result(dial.error.as_ref()).name(),
            dial.elapsed_ms,
            retry
        ),
        _ => format!(
            "Let's Encrypt reaches the site of {host} only through its one IPv4 retry after a failed IPv6 connect in some answer orders: fix IPv6 for {host}."
        ),
    }
}
