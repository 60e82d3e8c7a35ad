//! `diagnose` on a real network: the demo scenario's domains, each checked with the token
//! the demo servers publish (canary mode), through the binary inside network namespaces.

use acme_preflight_e2e::{demo_scenario, diagnosis_failure, failures_in_parallel};
use testbed::{Scenario, Testbed};

#[test]
fn demo_domains_diagnosed_end_to_end() {
    let cases: [(&str, i32, &str, &[&str]); 9] = [
        ("dual.example.com", 0, "pass", &[]),
        ("v6-only.example.org", 0, "pass", &[]),
        ("v4-only.example.org", 0, "pass", &[]),
        (
            "v6-timeout.example.com",
            4,
            "pass-with-fallback",
            &[
                "ipv6-connect-timeout",
                "time-budget",
                "happy-eyeballs-hides-ipv6",
            ],
        ),
        (
            "v6-refused.example.com",
            4,
            "pass-with-fallback",
            &["ipv6-connect-refused", "happy-eyeballs-hides-ipv6"],
        ),
        ("v6-404.example.net", 1, "fail", &["expect-mismatch"]),
        (
            "v6-timeout-redirect.example.net",
            1,
            "fail",
            &[
                "expect-mismatch",
                "https-redirect-ipv6-broken",
                "time-budget",
                "ipv6-connect-timeout",
                "happy-eyeballs-hides-ipv6",
                "boulder-pr8905-differs",
            ],
        ),
        ("servfail.example.org", 1, "fail", &["dns-lookup-failed"]),
        ("nxdomain.example.org", 1, "fail", &["dns-lookup-failed"]),
    ];
    let scenario = Scenario::load(&demo_scenario()).expect("demo scenario");
    let bed = Testbed::start(&scenario).expect("testbed (needs root)");
    let failures = failures_in_parallel(cases.to_vec(), |(domain, exit, verdict, codes)| {
        diagnosis_failure(&bed, domain, exit, verdict, codes)
    });
    assert!(
        failures.is_empty(),
        "{} diagnoses failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
