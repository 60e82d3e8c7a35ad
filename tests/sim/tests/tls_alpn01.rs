//! TLS-ALPN-01 (spec section 5, Boulder's `va/tlsalpn_test.go` as listed in spec 7.8):
//! `acme-tls/1` responders with certificates made at test time, correct or broken one way.
//!
//! Not possible here: a real TLS 1.1-only server (rustls speaks TLS 1.2 and 1.3 only); such a
//! server's refusal is played as raw alert bytes, which is what Go's and OpenSSL's servers
//! send to a client offering only TLS 1.2 and 1.3.

#[allow(dead_code)] // TLS-ALPN-01 has no URLs: the HTTP helpers go unused here.
mod support;

use acme_preflight::ProblemType::{Connection, Dns, Malformed, Tls, Unauthorized};
use acme_preflight_sim::certs::{self, Challenge};
use acme_preflight_sim::tls::records;
use acme_preflight_sim::{Reply, Versions, World};
use support::{check_all, run_native, Case, KEY_AUTHORIZATION};

const V6: &str = "2001:db8::7";
const V4: &str = "198.51.100.7";
const HOST: &str = "example.com";
const ALPN: &[&str] = &["--challenge", "tls-alpn-01"];

fn responder(how: Challenge<'static>) -> acme_preflight_sim::TlsServer {
    certs::acme_responder(HOST, KEY_AUTHORIZATION, how)
}

fn v4_host(world: impl FnOnce(World) -> World) -> World {
    world(World::new().a(HOST, &[V4]))
}

fn bad_certificate(message: &str) -> String {
    format!("Incorrect validation certificate for tls-alpn-01 challenge. Requested {HOST} from {V4}:443. {message}")
}

fn case(
    name: &'static str,
    world: World,
    expect: Result<(), (acme_preflight::ProblemType, String)>,
) -> Case {
    Case {
        name,
        world,
        identifier: HOST,
        extra: ALPN,
        expect,
        records: vec![(String::new(), V4)],
    }
}

#[test]
fn boulder_tls_alpn_tests() {
    let serve = |how| v4_host(|w| w.serve_tls(V4, responder(how), &[]));
    let cases = vec![
        case("TestTLSALPN01SuccessDNS", serve(Challenge::Correct), Ok(())),
        case("TLS 1.2-only responder", v4_host(|w| w.serve_tls(V4, responder(Challenge::Correct).versions(Versions::Tls12), &[])), Ok(())),
        case("TLS 1.3-only responder", v4_host(|w| w.serve_tls(V4, responder(Challenge::Correct).versions(Versions::Tls13), &[])), Ok(())),
        case("TestTLSALPNTimeoutAfterConnect: the certificate comes after the 10 s per-address context",
            v4_host(|w| w.serve_tls(V4, responder(Challenge::Correct).delayed(11_000), &[])),
            Err((Connection, format!("{V4}: Timeout after connect (your server may be slow or overloaded)")))),
        case("TestTLSALPN01DialTimeout", v4_host(|w| w.drop(V4, 443)),
            Err((Connection, format!("{V4}: Timeout during connect (likely firewall problem)")))),
        case("TestTLSALPN01Refused", v4_host(|w| w.refuse(V4, 443)),
            Err((Connection, format!("{V4}: Connection refused")))),
        case("TestTLSALPN01TalkingToHTTP", v4_host(|w| w.answer(V4, 443, Reply::response(400, &[], b"Bad Request"))),
            Err((Malformed, format!("{V4}: Server only speaks HTTP, not TLS")))),
        case("TestTLSError: the server fails the handshake with an alert (Go: internal error)", v4_host(|w| w.answer(V4, 443, Reply::Bytes(records::fatal_alert(80)))),
            Err((Tls, format!("{V4}: remote error: tls: internal error")))),
        case("TestValidateTLSALPN01UnawareSrv: the server offers only http/1.1", v4_host(|w| w.serve_tls(V4, certs::site(&[HOST]).alpn(&["http/1.1"]), &[])),
            Err((Tls, format!("{V4}: remote error: tls: no application protocol")))),
        case("a server without ALPN: the handshake succeeds, acme-tls/1 is not negotiated", v4_host(|w| w.serve_tls(V4, certs::site(&[HOST]), &[])),
            Err((Unauthorized, "Cannot negotiate ALPN protocol \"acme-tls/1\" for tls-alpn-01 challenge".to_string()))),
        case("TestTLSALPN01TLSVersion: a TLS 1.1-only server", v4_host(|w| w.answer(V4, 443, Reply::Bytes(records::tls11_only_refusal()))),
            Err((Tls, format!("{V4}: remote error: tls: protocol version not supported")))),
        case("TestTLSALPN01WrongName", serve(Challenge::WrongIdentifier("other.example.com")),
            Err((Unauthorized, bad_certificate("Received certificate with unexpected identifiers (\"other.example.com, rcgen self signed cert\"): \"identifier does not match expected identifier\"")))),
        case("TestTLSALPN01WrongIdentType: an IP SAN for a DNS identifier", serve(Challenge::WrongIdentifier(V4)),
            Err((Unauthorized, bad_certificate(&format!("Received certificate with unexpected identifiers (\"{V4}, rcgen self signed cert\"): \"wrong number of identifiers\""))))),
        case("TestTLSALPN01NotSelfSigned", serve(Challenge::NotSelfSigned),
            Err((Unauthorized, bad_certificate("Received certificate which is not self-signed.")))),
        case("missing acmeIdentifier extension", serve(Challenge::MissingExtension),
            Err((Unauthorized, bad_certificate("Received certificate with unexpected extensions: \"Required extension OID 1.3.6.1.5.5.7.1.31 is not present\"")))),
        case("non-critical acmeIdentifier extension", serve(Challenge::NotCritical),
            Err((Unauthorized, bad_certificate("Received certificate with acmeValidationV1 extension that is not Critical.")))),
        case("TestValidateTLSALPN01BadChallenge: wrong digest", serve(Challenge::WrongDigest),
            Err((Unauthorized, bad_certificate(&format!(
                "Received certificate with acmeValidationV1 extension value {} but expected {}.",
                hex("not the key authorization"), hex(KEY_AUTHORIZATION)))))),
        case("TestValidateTLSALPN01MalformedExtnValue", serve(Challenge::MalformedValue),
            Err((Unauthorized, bad_certificate("Received certificate with malformed acmeValidationV1 extension value.")))),
        case("TestTLSALPN01ExtraAcmeExtensions: Go's parser refuses the certificate in the handshake", serve(Challenge::DuplicateAcmeExtension),
            Err((Connection, format!("{V4}: Error getting validation data")))),
        case("TestTLSALPN01ExtraSANs: likewise", serve(Challenge::DuplicateSan),
            Err((Connection, format!("{V4}: Error getting validation data")))),
        Case { name: "TestDNSError", world: World::new(), identifier: "always.invalid", extra: ALPN,
            expect: Err((Dns, "DNS problem: NXDOMAIN looking up A for always.invalid - check that a DNS record exists for this domain; DNS problem: NXDOMAIN looking up AAAA for always.invalid - check that a DNS record exists for this domain".to_string())),
            records: vec![(String::new(), "")] }, // Boulder's record: hostname and port alone
        Case { name: "TestTLSALPN01SuccessIPv4", identifier: V4, extra: ALPN, expect: Ok(()), records: vec![(String::new(), V4)],
            world: World::new().serve_tls(V4, certs::acme_responder(V4, KEY_AUTHORIZATION, Challenge::Correct), &[]) },
        Case { name: "TestTLSALPN01SuccessIPv6", identifier: V6, extra: ALPN, expect: Ok(()), records: vec![(String::new(), V6)],
            world: World::new().serve_tls(V6, certs::acme_responder(V6, KEY_AUTHORIZATION, Challenge::Correct), &[]) },
    ];
    check_all(cases);
}

#[test]
fn ipv6_first_then_ipv4_after_any_error() {
    let dual = || World::new().a(HOST, &[V4]).aaaa(HOST, &[V6]);
    let good = || responder(Challenge::Correct);
    let both = |name, world, expect, used| Case {
        name,
        world,
        identifier: HOST,
        extra: ALPN,
        expect,
        records: vec![(String::new(), used)],
    };
    let cases = vec![
        both("dual stack, both healthy: IPv6 only", dual().serve_tls(V6, good(), &[]).serve_tls(V4, good(), &[]), Ok(()), V6),
        both("IPv6 refused: the first A is tried", dual().refuse(V6, 443).serve_tls(V4, good(), &[]), Ok(()), V4),
        both("IPv6 times out: the first A after 10 s", dual().drop(V6, 443).serve_tls(V4, good(), &[]), Ok(()), V4),
        both("IPv6 TLS alert (unlike HTTP-01, a handshake error falls back)", dual().serve_tls(V6, certs::site(&[HOST]).alpn(&["h2"]), &[]).serve_tls(V4, good(), &[]), Ok(()), V4),
        both("IPv6 unparsable certificate falls back too", dual().serve_tls(V6, responder(Challenge::DuplicateSan), &[]).serve_tls(V4, good(), &[]), Ok(()), V4),
        both("IPv6 wrong certificate after a good handshake: final, no fallback", dual().serve_tls(V6, responder(Challenge::WrongDigest), &[]).serve_tls(V4, good(), &[]),
            Err((Unauthorized, format!("Incorrect validation certificate for tls-alpn-01 challenge. Requested {HOST} from [{V6}]:443. Received certificate with acmeValidationV1 extension value {} but expected {}.", hex("not the key authorization"), hex(KEY_AUTHORIZATION)))), V6),
        both("both fail: the IPv4 error is reported", dual().refuse(V6, 443).refuse(V4, 443), Err((Connection, format!("{V4}: Connection refused"))), V4),
        both("IPv6-only host whose IPv6 fails: the error is replaced", World::new().aaaa(HOST, &[V6]).refuse(V6, 443),
            Err((Malformed, format!("Unable to contact \"{HOST}\" at \"{V6}\", no IPv4 addresses to try as fallback"))), V6),
        Case { name: "IPv6 identifier whose handshake fails: the same message with the IP", identifier: V6, extra: ALPN, records: vec![(String::new(), V6)],
            world: World::new().refuse(V6, 443),
            expect: Err((Malformed, format!("Unable to contact \"{V6}\" at \"{V6}\", no IPv4 addresses to try as fallback"))) },
    ];
    check_all(cases);
}

#[test]
fn record_and_hello_like_boulder() {
    let case = Case {
        name: "fallback record",
        identifier: HOST,
        extra: ALPN,
        expect: Ok(()),
        records: vec![],
        world: World::new()
            .a(HOST, &[V4])
            .aaaa(HOST, &[V6])
            .refuse(V6, 443)
            .serve_tls(V4, responder(Challenge::Correct), &[]),
    };
    let outcome = run_native(&case);
    let json = outcome.report.to_json();
    // One record, no url, port 443, addressesTried after the fallback.
    assert!(json.contains(&format!("\"validationRecord\":[{{\"hostname\":\"{HOST}\",\"port\":\"443\",\"addressesResolved\":[\"{V6}\",\"{V4}\"],\"addressUsed\":\"{V4}\",\"addressesTried\":[\"{V6}\"]}}]")), "{json}");
    assert!(
        json.starts_with("{\"type\":\"tls-alpn-01\",\"status\":\"valid\""),
        "{json}"
    );
    let hello = &outcome.tls_hellos[0].1;
    assert_eq!(hello.server_name.as_deref(), Some(HOST)); // SNI: the name
    let lookup_failed = Case {
        name: "the record of a failed lookup",
        identifier: "always.invalid",
        extra: ALPN,
        expect: Ok(()),
        records: vec![],
        world: World::new(),
    };
    let json = run_native(&lookup_failed).report.to_json();
    // tryGetChallengeCert returns the record it started with: hostname and port only.
    assert!(
        json.contains(r#""validationRecord":[{"hostname":"always.invalid","port":"443"}]"#),
        "{json}"
    );
    assert_eq!(hello.alpn, vec!["acme-tls/1".to_string()]); // only acme-tls/1
    let by_ip = Case {
        name: "reverse-DNS SNI",
        identifier: V4,
        extra: ALPN,
        expect: Ok(()),
        records: vec![],
        world: World::new().serve_tls(
            V4,
            certs::acme_responder(V4, KEY_AUTHORIZATION, Challenge::Correct),
            &[],
        ),
    };
    let hellos = run_native(&by_ip).tls_hellos;
    assert_eq!(
        hellos[0].1.server_name.as_deref(),
        Some("7.100.51.198.in-addr.arpa")
    );
}

fn hex(text: &str) -> String {
    ring::digest::digest(&ring::digest::SHA256, text.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
