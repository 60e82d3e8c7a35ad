//! Findings about the chain Let's Encrypt follows: redirect hops that break on IPv6 (modes
//! 4 and 5), redirects Boulder refuses, the loop Boulder reports after its retry, the time
//! budget (mode 17), PR 8905, and what the final answer says about the challenge path.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use super::facts::Facts;
use super::findings::{
    finding, fix_https_redirect, fix_redirect_target, fix_time, FIX_BLOCKED, FIX_CATCH_ALL,
};
use super::probe::connect_result;
use super::runs::{Run, RunKind};
use crate::http::GoUrl;
use crate::io::DialError;
use crate::report::{Finding, Outcome, ProblemType, Severity};

/// Boulder's refusals of a redirect (`processRedirect`, `extractRequestTarget`).
const REDIRECT_REFUSALS: [&str; 8] = [
    "Too many redirects",
    "received disallowed redirect status code",
    "Invalid protocol scheme in redirect target",
    "Invalid port in redirect target",
    "Invalid empty host in redirect target",
    "Invalid host in redirect target",
    "Redirect target too long",
    "validation attempt was redirected to an HTTPS server",
];

/// Boulder's loop detection.
const LOOP: &str = "Redirect loop detected";

/// The chain findings.
pub(crate) fn findings(facts: &Facts<'_>, pr8905: Option<&Outcome>) -> Vec<Finding> {
    let mut out = hops(facts);
    let Some(main) = facts.main() else {
        return out;
    };
    out.extend(refused_redirect(main));
    out.extend(time_budget(facts, main));
    out.extend(endpoint(facts, main));
    if let Some(other) = pr8905 {
        out.push(pr8905_differs(main, other));
    }
    out
}

/// Dial errors at redirect hops, on IPv6, in the prediction or any address's chain.
fn hops(facts: &Facts<'_>) -> Vec<Finding> {
    let runs = facts
        .runs
        .iter()
        .filter(|r| matches!(r.kind, RunKind::Main | RunKind::Alone(_)));
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for run in runs {
        for (socket, url, error) in hop_dial_errors(run) {
            if !socket.ip().is_ipv6() || !seen.insert(socket) {
                continue;
            }
            let Ok(parsed) = GoUrl::parse(&url) else {
                continue;
            };
            let target = parsed.hostname().to_string();
            let evidence = vec![
                format!("the chain reaches {url}, which resolves to IPv6 {} first", socket.ip()),
                format!("connecting to {socket} fails ({}); redirect hops get no IPv4 retry in Let's Encrypt's documentation, and in Boulder's code the one retry replays the chain from the start", connect_result(Some(&error)).name()),
            ];
            if target == facts.host && parsed.scheme() == "https" {
                out.push(finding(
                    "https-redirect-ipv6-broken",
                    Severity::Error,
                    format!("The redirect to HTTPS breaks on IPv6: {socket} does not accept connections"),
                    evidence,
                    Some(fix_https_redirect(facts.host)),
                ));
            } else if target != facts.host {
                out.push(finding(
                    "redirect-target-ipv6-broken",
                    Severity::Error,
                    format!("The redirect to {target} breaks on IPv6: {socket} does not accept connections"),
                    evidence,
                    Some(fix_redirect_target(&target)),
                ));
            }
        }
    }
    out
}

/// The dial errors of `run` at requests other than the first URL: (address, URL, error).
fn hop_dial_errors(run: &Run) -> Vec<(SocketAddr, String, DialError)> {
    let records = &run.report.records;
    let first_url = records.first().and_then(|r| r.url.clone());
    run.log
        .dials
        .iter()
        .filter_map(|dial| {
            let error = dial.error.clone()?;
            let record = records.iter().rev().find(|r| {
                r.address_used == Some(dial.address.ip()) && r.port == dial.address.port()
            })?;
            let url = record.url.clone()?;
            (Some(&url) != first_url.as_ref()).then_some((dial.address, url, error))
        })
        .collect()
}

/// A redirect Boulder refuses, or the loop it reports after its retry.
fn refused_redirect(main: &Run) -> Option<Finding> {
    let problem = main.report.problem.as_ref()?;
    if problem.problem_type != ProblemType::Connection {
        return None;
    }
    if problem.detail.ends_with(LOOP) && main.used_fallback() {
        return Some(finding(
            "redirect-loop-after-retry",
            Severity::Info,
            "Let's Encrypt will report a redirect loop: a misleading name for a connect failure at a redirect hop".to_string(),
            vec![
                format!("Let's Encrypt: {}", problem.detail),
                "after the failed connect Boulder retries the whole chain from the first URL over IPv4; the IPv4 server redirects to a URL already tried, which Boulder calls a loop (Boulder issue 8949; pull request 8905 would retry the hop itself)".to_string(),
            ],
            None,
        ));
    }
    let refusal = REDIRECT_REFUSALS
        .iter()
        .chain([&LOOP])
        .find(|text| problem.detail.contains(*text))?;
    Some(finding(
        "redirect-refused",
        Severity::Error,
        format!("Let's Encrypt refuses a redirect of the chain: {refusal}"),
        vec![format!("Let's Encrypt: {}", problem.detail)],
        Some("Redirect /.well-known/acme-challenge/ only with 301, 302, 307 or 308, to http or https on ports 80 or 443, to a public name or address, without loops, and at most 10 times; or serve the file directly.".to_string()),
    ))
}

/// The IPv6 timeout's share of the budget (mode 17), when Let's Encrypt goes on after it (a
/// timeout that ends the validation is the dial finding's, and eats nothing else).
fn time_budget(facts: &Facts<'_>, main: &Run) -> Option<Finding> {
    let dials = &main.log.dials;
    let first_timeout = dials
        .iter()
        .position(|d| d.error == Some(DialError::Timeout))?;
    if first_timeout + 1 == dials.len() {
        return None;
    }
    let waited: u64 = dials
        .iter()
        .filter(|d| d.error == Some(DialError::Timeout))
        .map(|d| d.elapsed_ms)
        .sum();
    if waited == 0 {
        return None;
    }
    let budget = facts.options.deadline_ms;
    let failed_on_time = main.report.problem.as_ref().is_some_and(|p| {
        p.detail.contains("Timeout after connect") || p.detail.contains("Timeout during connect")
    }) && main.used_fallback();
    let severity = if failed_on_time {
        Severity::Error
    } else {
        Severity::Warning
    };
    Some(finding(
        "time-budget",
        severity,
        format!(
            "Connect timeouts take {:.1} s of Let's Encrypt's {:.1} s budget",
            waited as f64 / 1000.0,
            f64::from(budget) / 1000.0
        ),
        vec![
            format!("the predicted validation takes {} ms in all", main.elapsed_ms),
            "the budget is the RA-to-VA deadline of Boulder's test configuration; production's is not published".to_string(),
            "remote perspectives validate after the primary, within what is left, and each waits for its own IPv6 timeout first: they may run out of time (\"During secondary validation: ...\")".to_string(),
        ],
        Some(fix_time(facts.host)),
    ))
}

/// What the final answer of the prediction says about the challenge path (no canary).
fn endpoint(facts: &Facts<'_>, main: &Run) -> Option<Finding> {
    if facts.canary || !facts.judge.reached(main) {
        return None;
    }
    let (socket, head) = main.endpoint()?;
    let status = head.status;
    if status == 200 {
        return Some(finding(
            "catch-all-200",
            Severity::Warning,
            format!("{socket} answers 200 for a token that does not exist"),
            vec!["a catch-all (a CMS, a single-page app or a rewrite rule) may answer instead of the ACME client's file".to_string()],
            Some(FIX_CATCH_ALL.to_string()),
        ));
    }
    let blocked = matches!(status, 401 | 403 | 407 | 429) || status >= 500;
    let waf = facts.probed().any(|a| {
        a.probe
            .as_ref()
            .and_then(|p| p.response.as_ref())
            .is_some_and(|r| r.markers.iter().any(|m| m.starts_with("waf:")))
    });
    (blocked && !waf).then(|| {
        finding(
            "challenge-path-blocked",
            Severity::Warning,
            format!("{socket} answers the challenge path with status {status}"),
            vec![
                "a missing token should get 404; this status may also be what the real token gets"
                    .to_string(),
            ],
            Some(FIX_BLOCKED.to_string()),
        )
    })
}

/// Boulder's pending pull request 8905 would decide otherwise.
fn pr8905_differs(main: &Run, other: &Outcome) -> Finding {
    let describe = |problem: Option<&crate::report::Problem>| match problem {
        Some(problem) => format!("invalid: {}", problem.detail),
        None => "valid".to_string(),
    };
    finding(
        "boulder-pr8905-differs",
        Severity::Info,
        "Boulder's pending pull request 8905 (an IPv4 retry at each redirect hop) would change the outcome".to_string(),
        vec![
            format!("Boulder today: {}", describe(main.report.problem.as_ref())),
            format!("with pull request 8905: {}", describe(other.problem.as_ref())),
        ],
        None,
    )
}
