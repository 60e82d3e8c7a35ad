//! `diagnose` on a real network: the demo scenario's domains, each checked with the token
//! the demo servers publish (canary mode), through the binary inside network namespaces.

use acme_preflight_e2e::{binary, demo_scenario, failures_in_parallel, ALLOW, THUMBPRINT, TOKEN};
use testbed::{Scenario, Testbed};

/// `acme-preflight diagnose <domain> --json --expect TOKEN=TOKEN.THUMBPRINT`, in the client
/// namespace.
fn diagnose(bed: &Testbed, domain: &str) -> std::process::Output {
    let binary = binary();
    let expect = format!("{TOKEN}={TOKEN}.{THUMBPRINT}");
    let args = [
        binary.to_str().expect("utf-8 path"),
        "diagnose",
        domain,
        "--json",
        "--expect",
        &expect,
        "--resolver",
        "198.51.100.53",
        "--allow-reserved",
        ALLOW,
    ];
    bed.run_in_client(&args)
        .expect("run in the client namespace")
}

/// The value of `"verdict"` and the `"code"` values, in order, from the diagnosis JSON.
fn verdict_and_codes(json: &str) -> (String, Vec<String>) {
    let value_after = |key: &str, from: &str| -> Option<(String, usize)> {
        let start = from.find(key)? + key.len();
        let end = from.get(start..)?.find('"')? + start;
        Some((from.get(start..end)?.to_string(), end))
    };
    let verdict = value_after("\"verdict\":\"", json)
        .map(|v| v.0)
        .unwrap_or_default();
    let findings = json.find("\"findings\":[").map_or("", |at| &json[at..]);
    let mut codes = Vec::new();
    let mut rest = findings;
    while let Some((code, end)) = value_after("\"code\":\"", rest) {
        codes.push(code);
        rest = &rest[end..];
    }
    (verdict, codes)
}

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
        let output = diagnose(&bed, domain);
        let stdout = String::from_utf8_lossy(&output.stdout).to_string();
        let code = output.status.code().unwrap_or(-1);
        let (got_verdict, got_codes) = verdict_and_codes(&stdout);
        let ok = code == exit && got_verdict == verdict && got_codes == codes;
        (!ok).then(|| {
            format!(
                "{domain}: exit {code} (expected {exit}), verdict {got_verdict} (expected {verdict}), codes {got_codes:?} (expected {codes:?})\n  {stdout}\n  stderr: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        })
    });
    assert!(
        failures.is_empty(),
        "{} diagnoses failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
