//! HTTPS redirect targets over real TLS (spec 3.9, catalog rows T1 to T4): the simulated
//! servers speak TLS with rustls, the checker's own TLS client talks to them.

mod support;

use acme_preflight::ProblemType::{Connection, Tls};
use acme_preflight_sim::tls::records;
use acme_preflight_sim::{certs, Reply, Versions, World};
use support::{check_all, run_native, url, Case, KEY_AUTHORIZATION, PATH};

const V6: &str = "2001:db8::7";
const V4: &str = "198.51.100.7";
const HOST: &str = "example.com";

fn https(host: &str) -> String {
    format!("https://{host}{PATH}")
}

/// An IPv4-only host whose port 80 redirects to HTTPS, with `port_443` as its 443.
fn redirecting(port_443: impl FnOnce(World) -> World) -> World {
    port_443(
        World::new()
            .a(HOST, &[V4])
            .serve(V4, &[(PATH, Reply::redirect(301, &https(HOST)))]),
    )
}

fn token() -> [(&'static str, Reply); 1] {
    [(PATH, Reply::ok(KEY_AUTHORIZATION))]
}

fn failing(
    name: &'static str,
    world: World,
    problem: acme_preflight::ProblemType,
    message: &str,
) -> Case {
    Case {
        name,
        world,
        identifier: HOST,
        extra: &[],
        expect: Err((
            problem,
            format!("{V4}: Fetching {}: {message}", https(HOST)),
        )),
        records: vec![(url(HOST), V4), (https(HOST), V4)],
    }
}

#[test]
fn tls_rows() {
    let site = || certs::site(&[HOST]);
    let cases = vec![
        Case {
            name: "HTTP to HTTPS redirect, the token served over TLS (self-signed: never verified)",
            world: redirecting(|w| w.serve_tls(V4, site(), &token())),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V4), (https(HOST), V4)],
        },
        Case {
            name: "a certificate for another name is accepted too (InsecureSkipVerify)",
            world: redirecting(|w| w.serve_tls(V4, certs::site(&["other.example.org"]), &token())),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V4), (https(HOST), V4)],
        },
        Case {
            name: "TLS 1.2-only HTTPS server",
            world: redirecting(|w| w.serve_tls(V4, site().versions(Versions::Tls12), &token())),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V4), (https(HOST), V4)],
        },
        Case {
            name: "TLS 1.3-only HTTPS server",
            world: redirecting(|w| w.serve_tls(V4, site().versions(Versions::Tls13), &token())),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V4), (https(HOST), V4)],
        },
        Case {
            name: "HTTPS answers 404: status of the final (https) URL",
            world: redirecting(|w| w.serve_tls(V4, site(), &[])),
            identifier: HOST, extra: &[],
            expect: Err((acme_preflight::ProblemType::Unauthorized, format!("{V4}: Invalid response from {}: 404", https(HOST)))),
            records: vec![(url(HOST), V4), (https(HOST), V4)],
        },
        failing("T1: handshake_failure alert", redirecting(|w| w.answer(V4, 443, Reply::Bytes(records::fatal_alert(40)))),
            Tls, "remote error: tls: handshake failure"),
        failing("T1: unrecognized_name alert (Go names it)", redirecting(|w| w.answer(V4, 443, Reply::Bytes(records::fatal_alert(112)))),
            Tls, "remote error: tls: unrecognized name"),
        failing("T1: a TLS 1.1-only server refuses TLS 1.2 and 1.3", redirecting(|w| w.answer(V4, 443, Reply::Bytes(records::tls11_only_refusal()))),
            Tls, "remote error: tls: protocol version not supported"),
        failing("T2: the server accepts and never answers the hello: 10 s handshake timeout", redirecting(|w| w.answer(V4, 443, Reply::Hang)),
            Connection, "Timeout after connect (your server may be slow or overloaded)"),
        failing("T3: plain HTTP on 443 (Go: server gave HTTP response to HTTPS client)", redirecting(|w| w.answer(V4, 443, Reply::response(400, &[], b"Bad Request"))),
            Connection, "Error getting validation data"),
        failing("T4: a malformed ServerHello", redirecting(|w| w.answer(V4, 443, Reply::Bytes(records::malformed_server_hello()))),
            Connection, "Error getting validation data"),
        failing("T4: application data before any handshake (a non-HTTP record header error)", redirecting(|w| w.answer(V4, 443, Reply::Bytes(b"\x17\x03\x03\x00\x01\x00".to_vec()))),
            Connection, "Error getting validation data"),
        failing("closed during the handshake (EOF)", redirecting(|w| w.answer(V4, 443, Reply::Close)),
            Connection, "Error getting validation data"),
        failing("reset during the handshake", redirecting(|w| w.answer(V4, 443, Reply::Reset)),
            Connection, "Connection reset by peer"),
        failing("the HTTPS server hangs after the handshake", redirecting(|w| w.serve_tls(V4, site(), &[(PATH, Reply::Hang)])),
            Connection, "Timeout after connect (your server may be slow or overloaded)"),
        Case {
            name: "dual stack, IPv6 443 dropped (Boulder #8949): the IPv4 retry replays the chain and loops",
            world: World::new().a(HOST, &[V4]).aaaa(HOST, &[V6])
                .serve(V6, &[(PATH, Reply::redirect(301, &https(HOST)))])
                .serve(V4, &[(PATH, Reply::redirect(301, &https(HOST)))])
                .drop(V6, 443)
                .serve_tls(V4, site(), &token()),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching {}: Redirect loop detected", https(HOST)))),
            records: vec![(url(HOST), V6), (https(HOST), V6), (url(HOST), V4)],
        },
        Case {
            name: "dual stack, IPv6 443 serves the token over TLS: valid on IPv6 alone",
            world: World::new().a(HOST, &[V4]).aaaa(HOST, &[V6])
                .serve(V6, &[(PATH, Reply::redirect(301, &https(HOST)))])
                .serve_tls(V6, site(), &token()),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V6), (https(HOST), V6)],
        },
        Case {
            name: "the same with PR 8905: the HTTPS hop retries on IPv4 and passes",
            world: World::new().a(HOST, &[V4]).aaaa(HOST, &[V6])
                .serve(V6, &[(PATH, Reply::redirect(301, &https(HOST)))])
                .drop(V6, 443)
                .serve_tls(V4, site(), &token()),
            identifier: HOST, extra: &["--policy", "boulder-pr8905"], expect: Ok(()),
            records: vec![(url(HOST), V6), (https(HOST), V6), (https(HOST), V4)],
        },
        Case {
            name: "a TLS alert on IPv6 443 is final: no IPv4 retry after the connect",
            world: World::new().a(HOST, &[V4]).aaaa(HOST, &[V6])
                .serve(V6, &[(PATH, Reply::redirect(301, &https(HOST)))])
                .answer(V6, 443, Reply::Bytes(records::fatal_alert(40)))
                .serve_tls(V4, site(), &token()),
            identifier: HOST, extra: &[],
            expect: Err((Tls, format!("{V6}: Fetching {}: remote error: tls: handshake failure", https(HOST)))),
            records: vec![(url(HOST), V6), (https(HOST), V6)],
        },
    ];
    check_all(cases);
}

#[test]
fn hello_like_go() {
    // SNI is the URL's host, no ALPN is offered; an IP-literal host gets no SNI.
    let by_name = Case {
        name: "SNI for a name",
        world: redirecting(|w| w.serve_tls(V4, certs::site(&[HOST]), &token())),
        identifier: HOST,
        extra: &[],
        expect: Ok(()),
        records: vec![],
    };
    let hellos = run_native(&by_name).tls_hellos;
    assert_eq!(hellos.len(), 1);
    assert_eq!(hellos[0].1.server_name.as_deref(), Some(HOST));
    assert!(hellos[0].1.alpn.is_empty(), "{hellos:?}");
    let by_ip = Case {
        name: "no SNI for an IP literal",
        world: World::new()
            .a(HOST, &[V4])
            .serve(
                V4,
                &[(PATH, Reply::redirect(302, &format!("https://[{V6}]/ok")))],
            )
            .serve_tls(
                V6,
                certs::site(&[V6]),
                &[("/ok", Reply::ok(KEY_AUTHORIZATION))],
            ),
        identifier: HOST,
        extra: &[],
        expect: Ok(()),
        records: vec![],
    };
    let outcome = run_native(&by_ip);
    assert_eq!(
        outcome.report.status,
        acme_preflight::Status::Valid,
        "{}",
        outcome.report.to_json()
    );
    assert_eq!(outcome.tls_hellos.len(), 1);
    assert_eq!(outcome.tls_hellos[0].1.server_name, None);
}

#[test]
fn handshake_timeout_is_ten_seconds() {
    // Go's transport gives the handshake 10 s (TLSHandshakeTimeout), from the connect.
    let case = failing(
        "T2 timing",
        redirecting(|w| w.answer(V4, 443, Reply::Hang)),
        Connection,
        "",
    );
    let outcome = run_native(&case);
    assert!(
        (10_000..10_100).contains(&outcome.elapsed_ms),
        "{}",
        outcome.elapsed_ms
    );
}
