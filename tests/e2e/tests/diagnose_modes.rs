//! `diagnose` on a real network for the failure modes of
//! ../shared/spec/peers-and-failure-modes.md section 4 that the other end-to-end tests do not
//! reach: a redirect to a name whose IPv6 drops (5), a router on IPv6 (7), several AAAA (8),
//! reserved and non-global AAAA (9), a NAT64 AAAA (10), a CDN's bot check on IPv6 (11), an
//! IPv6 TLS handshake that stalls (13), AAAA lookups that fail or are slow (14), running out
//! of Let's Encrypt's time budget (17), a default server on IPv6 (6), and a parent's CAA that
//! forbids Let's Encrypt. The domains of scenarios/diagnose.json are checked with the token
//! their servers publish
//! (canary mode, `--expect`), through the binary inside network namespaces, all at once; the
//! real timeouts make it take about 20 s (mode 17 runs into the budget).
//!
//! Mode 6 (a default server on IPv6, the site a virtual host on IPv4 only) is asked without
//! `--expect`: the made-up `Host` comparison is what shows it, where canary mode would only
//! see `expect-mismatch`. Not here: mode 12 (one vantage point).
use std::path::PathBuf;

use acme_preflight_e2e::{diagnosis_failure_in, failures_in_parallel, Mode};
use testbed::{Scenario, Testbed};

/// The scenario of this test.
fn scenario() -> PathBuf {
    manifest_dir().join("../testbed/scenarios/diagnose.json")
}

/// (domain, exit code, verdict, finding codes in the report's order).
type Case = (&'static str, i32, &'static str, &'static [&'static str]);

/// Cases asked without `--expect`: what only the random token shows.
fn blind_cases() -> Vec<Case> {
    vec![
        // Mode 6: the site is a name-based virtual host on IPv4 only; IPv6 port 80 reaches the
        // same nginx's default server, which answers the name like a made-up Host.
        ("v6-default.example.org", 1, "fail", &["ipv6-default-vhost"]),
    ]
}

/// Cases asked with `--expect` (the servers publish the token).
fn cases() -> Vec<Case> {
    vec![
        // Mode 5: the apex redirects to www on both families; www's AAAA drops port 80. The
        // hop gets no retry of its own: Boulder's one retry replays the chain from the apex
        // over IPv4 and calls the second visit to www a loop (Boulder issue 8949). Each apex
        // address alone fails too: IPv6 first (an error), IPv4 (a warning).
        (
            "to-www.example.org",
            1,
            "fail",
            &[
                "expect-mismatch",
                "redirect-target-ipv6-broken",
                "expect-mismatch",
                "time-budget",
                "redirect-loop-after-retry",
                "boulder-pr8905-differs",
            ],
        ),
        // Mode 7: IPv4 port-forwarded to the web server, IPv6 reaches a FRITZ!Box login page.
        (
            "v6-router.example.com",
            1,
            "fail",
            &["expect-mismatch", "router-web-interface"],
        ),
        // Mode 8: two AAAA, the second (a stale prefix) dropped; IPv4 as the retry.
        (
            "two-aaaa.example.net",
            4,
            "pass-with-fallback",
            &[
                "ipv6-connect-timeout",
                "several-aaaa-disagree",
                "happy-eyeballs-hides-ipv6",
            ],
        ),
        // Mode 8 without IPv4: the answer order decides.
        (
            "two-aaaa-v6-only.example.net",
            4,
            "intermittent",
            &["ipv6-connect-timeout", "several-aaaa-disagree"],
        ),
        // Mode 9: a link-local AAAA next to a working A, ignored.
        (
            "v6-link-local.example.org",
            0,
            "pass",
            &["aaaa-reserved-ignored"],
        ),
        // Mode 9: an IPv4-mapped AAAA next to a working A, ignored.
        ("v6-mapped.example.org", 0, "pass", &["aaaa-ipv4-mapped"]),
        // Mode 9: only a ULA and a link-local AAAA: nothing usable.
        (
            "v6-ula-only.example.org",
            1,
            "fail",
            &[
                "no-usable-address",
                "aaaa-reserved-ignored",
                "aaaa-reserved-ignored",
            ],
        ),
        // Mode 10: a NAT64 AAAA copied into the zone next to a working A, ignored.
        ("nat64.example.org", 0, "pass", &["aaaa-nat64"]),
        // Mode 11: A at the origin, AAAA at the CDN whose bot check answers.
        (
            "v6-cdn-challenge.example.com",
            1,
            "fail",
            &["expect-mismatch", "waf-challenge-page", "cdn-on-one-family"],
        ),
        // Mode 13: port 80 works on both families; IPv6 443 accepts and the handshake stalls.
        ("v6-tls-stall.example.com", 0, "pass", &["ipv6-tls-stalls"]),
        // Mode 14: AAAA queries SERVFAIL, A works.
        (
            "aaaa-servfail.example.net",
            0,
            "pass",
            &["aaaa-lookup-failed"],
        ),
        // Mode 14: the first AAAA query is lost, the resolver's retry answers.
        ("aaaa-lost.example.net", 0, "pass", &["dns-slow"]),
        // Mode 17: IPv6 dropped (10 s), then IPv4 answers after 12 s: past the 20 s budget
        // ("Timeout after connect" on the IPv4 retry).
        (
            "v6-timeout-slow-v4.example.com",
            1,
            "fail",
            &[
                "time-budget",
                "ipv6-connect-timeout",
                "happy-eyeballs-hides-ipv6",
            ],
        ),
        // CAA: the parent's `0 issue "sectigo.com"` forbids Let's Encrypt; the challenge
        // itself succeeds, then the CAA check after it makes it invalid.
        (
            "portal.corp.example.net",
            1,
            "fail",
            &["caa-forbids-letsencrypt"],
        ),
    ]
}

#[test]
fn failure_modes_diagnosed_end_to_end() {
    let scenario = Scenario::load(&scenario()).expect("diagnose scenario");
    let bed = Testbed::start(&scenario).expect("testbed (needs root)");
    let bed = &bed;
    let asked = |mode| {
        move |(domain, exit, verdict, codes): Case| {
            diagnosis_failure_in(bed, domain, mode, exit, verdict, codes)
        }
    };
    let mut failures = failures_in_parallel(cases(), asked(Mode::Canary));
    failures.extend(failures_in_parallel(blind_cases(), asked(Mode::Blind)));
    assert!(
        failures.is_empty(),
        "{} diagnoses failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// This crate's folder as `cargo` gives it to the running test: the checkout being tested
/// (a target folder shared by two checkouts may hold a binary compiled in the other one).
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}
