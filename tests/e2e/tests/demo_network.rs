//! The Let's Encrypt IPv6 page's cases on a real network: the binary, real sockets, a DNS
//! server of our own and nftables faults, inside network namespaces (root needed; CI is root).

use acme_preflight_e2e::{
    challenge, challenge_url, demo_scenario, failures_in_parallel, record, validate,
    validation_failure,
};
use testbed::{Scenario, Testbed};

struct Case {
    domain: &'static str,
    exit: i32,
    json: String,
}

fn cases() -> Vec<Case> {
    let http = |d| challenge_url("http", d);
    let dual = ["2001:db8:1::10", "198.51.100.10"];
    let d2 = "servfail.example.org";
    let dnssec = "dnssec-bogus.example.org";
    let nx = "nxdomain.example.org";
    vec![
        Case { domain: "dual.example.com", exit: 0, json: challenge(None, &[record(&http("dual.example.com"), "dual.example.com", 80, &dual, dual[0])]) },
        Case { domain: "www.example.com", exit: 0, json: challenge(None, &[record(&http("www.example.com"), "www.example.com", 80, &dual, dual[0])]) },
        Case {
            domain: "v6-timeout.example.com",
            exit: 0,
            json: challenge(None, &[
                record(&http("v6-timeout.example.com"), "v6-timeout.example.com", 80, &["2001:db8:1::11", "198.51.100.11"], "2001:db8:1::11"),
                record(&http("v6-timeout.example.com"), "v6-timeout.example.com", 80, &["2001:db8:1::11", "198.51.100.11"], "198.51.100.11"),
            ]),
        },
        Case {
            domain: "v6-refused.example.com",
            exit: 0,
            json: challenge(None, &[
                record(&http("v6-refused.example.com"), "v6-refused.example.com", 80, &["2001:db8:1::12", "198.51.100.12"], "2001:db8:1::12"),
                record(&http("v6-refused.example.com"), "v6-refused.example.com", 80, &["2001:db8:1::12", "198.51.100.12"], "198.51.100.12"),
            ]),
        },
        Case {
            domain: "v6-404.example.net",
            exit: 1,
            json: challenge(
                Some(("unauthorized", &format!("2001:db8:1::13: Invalid response from {}: 404", http("v6-404.example.net")), 403)),
                &[record(&http("v6-404.example.net"), "v6-404.example.net", 80, &["2001:db8:1::13", "198.51.100.13"], "2001:db8:1::13")],
            ),
        },
        Case {
            domain: "v6-timeout-redirect.example.net",
            exit: 1,
            json: challenge(
                Some(("connection", &format!("2001:db8:1::14: Fetching {}: Timeout during connect (likely firewall problem)", challenge_url("https", "v6-timeout-redirect.example.net")), 400)),
                &[
                    record(&http("v6-timeout-redirect.example.net"), "v6-timeout-redirect.example.net", 80, &["2001:db8:1::14", "198.51.100.14"], "2001:db8:1::14"),
                    record(&http("v6-timeout-redirect.example.net"), "v6-timeout-redirect.example.net", 80, &["2001:db8:1::14", "198.51.100.14"], "198.51.100.14"),
                    record(&challenge_url("https", "v6-timeout-redirect.example.net"), "v6-timeout-redirect.example.net", 443, &["2001:db8:1::14", "198.51.100.14"], "2001:db8:1::14"),
                ],
            ),
        },
        Case { domain: "v6-only.example.org", exit: 0, json: challenge(None, &[record(&http("v6-only.example.org"), "v6-only.example.org", 80, &["2001:db8:1::15"], "2001:db8:1::15")]) },
        Case { domain: "v4-only.example.org", exit: 0, json: challenge(None, &[record(&http("v4-only.example.org"), "v4-only.example.org", 80, &["198.51.100.16"], "198.51.100.16")]) },
        Case {
            domain: d2,
            exit: 1,
            json: challenge(Some(("dns", &format!("DNS problem: SERVFAIL looking up A for {d2} - the domain's nameservers may be malfunctioning; DNS problem: SERVFAIL looking up AAAA for {d2} - the domain's nameservers may be malfunctioning"), 400)), &[]),
        },
        Case {
            domain: dnssec,
            exit: 1,
            json: challenge(Some(("dns", &format!("DNS problem: looking up A for {dnssec}: DNSSEC: Bogus: DNSSEC Bogus; DNS problem: looking up AAAA for {dnssec}: DNSSEC: Bogus: DNSSEC Bogus"), 400)), &[]),
        },
        Case {
            domain: nx,
            exit: 1,
            json: challenge(Some(("dns", &format!("DNS problem: NXDOMAIN looking up A for {nx} - check that a DNS record exists for this domain; DNS problem: NXDOMAIN looking up AAAA for {nx} - check that a DNS record exists for this domain"), 400)), &[]),
        },
    ]
}

#[test]
fn ipv6_page_cases_end_to_end() {
    let scenario = Scenario::load(&demo_scenario()).expect("demo scenario");
    let bed = Testbed::start(&scenario).expect("testbed (needs root)");
    let failures = failures_in_parallel(cases(), |case| {
        validation_failure(&bed, case.domain, &[], case.exit, &case.json)
    });
    assert!(
        failures.is_empty(),
        "{} end-to-end cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn bad_input_exits_2_with_a_reason() {
    let scenario = Scenario::load(&demo_scenario()).expect("demo scenario");
    let bed = Testbed::start(&scenario).expect("testbed (needs root)");
    let rows = [
        ("https://dual.example.com/x", "looks like a URL"),
        ("*.example.com", "wildcard"),
        ("dual.example.com.", "ends with a dot"),
    ];
    for (identifier, fragment) in rows {
        let output = validate(&bed, identifier, &["--json"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{identifier}: {stderr}");
        assert!(stderr.contains(fragment), "{identifier}: {stderr}");
        assert!(output.stdout.is_empty(), "{identifier}: nothing on stdout");
    }
}
