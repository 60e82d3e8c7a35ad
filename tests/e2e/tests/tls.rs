//! TLS on a real network: HTTPS redirect targets (rustls servers with rcgen certificates made
//! at start-up) and `acme-tls/1` responders, checked through the binary, whose TLS runs inside
//! the component over the host's plain TCP; and `diagnose` on port 443 of both families.

use acme_preflight_e2e::{
    alpn_record, challenge, challenge_of, challenge_url, diagnose, diagnosis_failure,
    failures_in_parallel, record, tls_scenario, validation_failure,
};
use testbed::{Scenario, Testbed};

struct Case {
    domain: &'static str,
    extra: &'static [&'static str],
    exit: i32,
    json: String,
}

/// Port 80 redirects to HTTPS on an IPv4-only host; the HTTPS hop fails with `problem`.
fn https_failure(domain: &'static str, v4: &str, kind: &str, message: &str) -> Case {
    let (http, https) = (
        challenge_url("http", domain),
        challenge_url("https", domain),
    );
    let detail = format!("{v4}: Fetching {https}: {message}");
    Case {
        domain,
        extra: &[],
        exit: 1,
        json: challenge(
            Some((kind, &detail, 400)),
            &[
                record(&http, domain, 80, &[v4], v4),
                record(&https, domain, 443, &[v4], v4),
            ],
        ),
    }
}

fn cases() -> Vec<Case> {
    let ok = "https-ok.example.com";
    let ok_addresses = ["2001:db8:1::30", "198.51.100.30"];
    let dropped = "v6-443-dropped.example.com";
    let dropped_addresses = ["2001:db8:1::31", "198.51.100.31"];
    vec![
        Case {
            domain: ok,
            extra: &[],
            exit: 0,
            json: challenge(None, &[
                record(&challenge_url("http", ok), ok, 80, &ok_addresses, ok_addresses[0]),
                record(&challenge_url("https", ok), ok, 443, &ok_addresses, ok_addresses[0]),
            ]),
        },
        Case {
            // Boulder #8949: IPv6 443 dropped, the one IPv4 retry replays the chain and loops.
            domain: dropped,
            extra: &[],
            exit: 1,
            json: challenge(
                Some(("connection", &format!("{}: Fetching {}: Redirect loop detected", dropped_addresses[1], challenge_url("https", dropped)), 400)),
                &[
                    record(&challenge_url("http", dropped), dropped, 80, &dropped_addresses, dropped_addresses[0]),
                    record(&challenge_url("https", dropped), dropped, 443, &dropped_addresses, dropped_addresses[0]),
                    record(&challenge_url("http", dropped), dropped, 80, &dropped_addresses, dropped_addresses[1]),
                ],
            ),
        },
        https_failure("plain-443.example.com", "198.51.100.32", "connection", "Error getting validation data"),
        https_failure("tls11-only.example.com", "198.51.100.33", "tls", "remote error: tls: protocol version not supported"),
        Case {
            domain: "alpn-ok.example.com",
            extra: &["--challenge", "tls-alpn-01"],
            exit: 0,
            json: challenge_of("tls-alpn-01", None, &[alpn_record(
                "alpn-ok.example.com",
                &["2001:db8:1::34", "198.51.100.34"],
                "198.51.100.34",
                &["2001:db8:1::34"],
            )]),
        },
        Case {
            domain: "alpn-wrong.example.com",
            extra: &["--challenge", "tls-alpn-01"],
            exit: 1,
            json: challenge_of(
                "tls-alpn-01",
                Some(("unauthorized", "Incorrect validation certificate for tls-alpn-01 challenge. Requested alpn-wrong.example.com from 198.51.100.35:443. Received certificate with acmeValidationV1 extension value 8ca3792036e21a895468106e760296afd45c7d3e1b9d80e179719ce96cdfd0b0 but expected db6c8a7ad078af4c126c32137f584e3179d7275eaedbb997a49a32c38745f058.", 403)),
                &[alpn_record("alpn-wrong.example.com", &["198.51.100.35"], "198.51.100.35", &[])],
            ),
        },
    ]
}

/// `diagnose` on port 443 per family: (domain, exit, verdict, finding codes, a piece of the
/// JSON that must appear).
fn diagnoses() -> Vec<(
    &'static str,
    i32,
    &'static str,
    &'static [&'static str],
    &'static str,
)> {
    vec![
        // Port 80 redirects to HTTPS, the same certificate on both families.
        (
            "https-ok.example.com",
            0,
            "pass",
            &[],
            r#""identity":{"verdict":"same""#,
        ),
        // IPv6 443 dropped behind working port 80s: the redirect to HTTPS that would break.
        (
            "https-v4-only.example.com",
            0,
            "pass",
            &["ipv6-https-broken"],
            r#""addressesTried":["2001:db8:1::36"]"#,
        ),
        // Another site's certificate on IPv6 443.
        (
            "https-other-cert.example.com",
            0,
            "pass",
            &["ipv6-other-certificate"],
            r#""identity":{"verdict":"different""#,
        ),
        // Mode 16: acme-tls/1 answered on IPv4 only; TLS-ALPN-01 is valid through the retry.
        (
            "alpn-v4-only.example.com",
            0,
            "pass",
            &["tls-alpn-01-ipv4-retry"],
            r#""tlsAlpn01":{"status":"valid","validationRecord":[{"hostname":"alpn-v4-only.example.com","port":"443","addressesResolved":["2001:db8:1::38","198.51.100.38"],"addressUsed":"198.51.100.38","addressesTried":["2001:db8:1::38"]}]"#,
        ),
    ]
}

#[test]
fn tls_cases_end_to_end() {
    let scenario = Scenario::load(&tls_scenario()).expect("tls scenario");
    let bed = Testbed::start(&scenario).expect("testbed (needs root)");
    let mut failures = failures_in_parallel(cases(), |case| {
        validation_failure(&bed, case.domain, case.extra, case.exit, &case.json)
    });
    failures.extend(failures_in_parallel(
        diagnoses(),
        |(domain, exit, verdict, codes, piece)| {
            diagnosis_failure(&bed, domain, exit, verdict, codes).or_else(|| {
                let json = String::from_utf8_lossy(&diagnose(&bed, domain).stdout).to_string();
                (!json.contains(piece)).then(|| format!("{domain}: no {piece} in\n  {json}"))
            })
        },
    ));
    assert!(
        failures.is_empty(),
        "{} end-to-end TLS cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
