use super::render;
use crate::job::{ChallengeType, Expectation};
use crate::report::{
    AddressObservation, AddressRole, CertificateSummary, ConnectResult, Diagnosis, Finding,
    Identity, Lookup, Outcome, Probe, Problem, ProblemType, Report, ResponseSummary, Severity,
    Status, TlsSummary, TraceEvent, ValidationRecord, Verdict,
};

fn record() -> ValidationRecord {
    ValidationRecord {
        url: Some("http://example.com/.well-known/acme-challenge/t".into()),
        hostname: "example.com".into(),
        port: 80,
        addresses_resolved: vec!["2001:db8::1".parse().unwrap()],
        address_used: Some("2001:db8::1".parse().unwrap()),
        addresses_tried: Vec::new(),
    }
}

fn diagnosis() -> Diagnosis {
    Diagnosis {
        identifier: "example.com".into(),
        verdict: Verdict::PassWithFallback,
        summary: "a <b> & \"c\"".into(),
        token: "t".into(),
        expect: Some(Expectation {
            path: "/.well-known/acme-challenge/t".into(),
            content: "x".into(),
        }),
        predicted_ms: 10_002,
        deadline_ms: 20_000,
        timeline: vec![TraceEvent {
            at_ms: 2,
            message: "m".into(),
        }],
        lookups: vec![Lookup {
            record_type: "AAAA".into(),
            records: vec!["2001:db8::1".into()],
            error: None,
            elapsed_ms: 1,
        }],
        addresses: vec![AddressObservation {
            address: "2001:db8::1".parse().unwrap(),
            index: 0,
            role: AddressRole::First,
            ignored: None,
            probe: Some(Probe {
                host: "example.com".into(),
                connect: ConnectResult::Connected,
                connect_ms: 1,
                response: Some(ResponseSummary {
                    status: 404,
                    header_names: vec!["Server".into()],
                    server: Some("nginx".into()),
                    location: None,
                    body_bytes: 0,
                    body_sha256: "e3".into(),
                    body_complete: true,
                    markers: Vec::new(),
                }),
                error: None,
                received_bytes: 40,
                elapsed_ms: 2,
                tls: None,
            }),
            bogus_host: None,
            alone: None,
            https: None,
            acme_tls: Some(Probe {
                host: "example.com".into(),
                connect: ConnectResult::Connected,
                connect_ms: 1,
                response: None,
                error: None,
                received_bytes: 900,
                elapsed_ms: 3,
                tls: Some(TlsSummary {
                    version: "TLS 1.3".into(),
                    alpn: None,
                    certificate: Some(CertificateSummary {
                        sha256: "ab".into(),
                        subject: Some("example.com".into()),
                        names: vec!["example.com".into(), "2001:db8::1".into()],
                        issuer: None,
                        self_issued: true,
                    }),
                }),
            }),
        }],
        identity: Identity::Unknown,
        identity_evidence: vec!["e".into()],
        findings: vec![Finding {
            code: "ipv6-connect-timeout".into(),
            severity: Severity::Warning,
            summary: "s".into(),
            evidence: vec!["v".into()],
            fix: None,
        }],
        pr8905: None,
        tls_alpn01: Some(Outcome {
            status: Status::Invalid,
            problem: Some(Problem::new(ProblemType::Malformed, "m")),
            records: Vec::new(),
            elapsed_ms: 3,
        }),
    }
}

#[test]
fn documented_shape() {
    let report = Report {
        challenge: ChallengeType::Http01,
        status: Status::Invalid,
        problem: Some(Problem::new(ProblemType::Unauthorized, "d")),
        records: vec![record()],
        trace: Vec::new(),
        notes: Vec::new(),
        diagnosis: None,
    };
    let json = render(&report, &diagnosis());
    let expected = concat!(
        r#"{"identifier":"example.com","verdict":"pass-with-fallback","#,
        r#""summary":"a \u003cb\u003e \u0026 \"c\"","challenge":"http-01","status":"invalid","#,
        r#""error":{"type":"urn:ietf:params:acme:error:unauthorized","detail":"d","status":403},"#,
        r#""validationRecord":[{"url":"http://example.com/.well-known/acme-challenge/t","hostname":"example.com","port":"80","addressesResolved":["2001:db8::1"],"addressUsed":"2001:db8::1"}],"#,
        r#""elapsedMs":10002,"deadlineMs":20000,"token":"t","#,
        r#""expect":{"path":"/.well-known/acme-challenge/t","content":"x"},"notes":[],"#,
        r#""timeline":[{"atMs":2,"message":"m"}],"#,
        r#""lookups":[{"type":"AAAA","records":["2001:db8::1"],"elapsedMs":1}],"#,
        r#""addresses":[{"address":"2001:db8::1","family":"ipv6","index":0,"role":"first","#,
        r#""probe":{"host":"example.com","connect":"connected","connectMs":1,"#,
        r#""response":{"status":404,"headerNames":["Server"],"server":"nginx","bodyBytes":0,"bodySha256":"e3","bodyComplete":true,"markers":[]},"#,
        r#""receivedBytes":40,"elapsedMs":2},"#,
        r#""acmeTls":{"host":"example.com","connect":"connected","connectMs":1,"#,
        r#""tls":{"version":"TLS 1.3","certificate":{"sha256":"ab","subject":"example.com","names":["example.com","2001:db8::1"],"selfIssued":true}},"#,
        r#""receivedBytes":900,"elapsedMs":3}}],"#,
        r#""identity":{"verdict":"unknown","evidence":["e"]},"#,
        r#""findings":[{"code":"ipv6-connect-timeout","severity":"warning","summary":"s","evidence":["v"]}],"#,
        r#""tlsAlpn01":{"status":"invalid","error":{"type":"urn:ietf:params:acme:error:malformed","detail":"m","status":400},"validationRecord":[],"elapsedMs":3}}"#,
    );
    assert_eq!(json, expected);
}

#[test]
fn to_json_switches_to_the_diagnosis() {
    let mut report = Report {
        challenge: ChallengeType::Http01,
        status: Status::Valid,
        problem: None,
        records: Vec::new(),
        trace: Vec::new(),
        notes: Vec::new(),
        diagnosis: None,
    };
    assert!(report.to_json().starts_with("{\"type\":\"http-01\"")); // the challenge object
    report.diagnosis = Some(Box::new(diagnosis()));
    assert!(report
        .to_json()
        .starts_with("{\"identifier\":\"example.com\"")); // the diagnosis
}
