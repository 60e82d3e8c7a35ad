//! `diagnose`: a scenario for every finding code the other tables do not assert (lookups
//! Let's Encrypt tolerates, reserved A records, CAA as Let's Encrypt reads it, IPv4 failures,
//! what the answer says about the challenge path, more addresses than are probed, and a
//! failure no other finding explains); each scenario runs on the native core and in the
//! component.

#[allow(dead_code)] // The validate runner of the support module is not used here.
mod support;

use acme_preflight::report::Verdict::{Fail, Pass, PassWithFallback};
use acme_preflight_sim::{Behaviour, DnsAnswer, Reply, World};
use support::diagnose::*;

/// DNS type code of CAA.
const CAA: u16 = 257;
/// DNS type code of A.
const A: u16 = 1;
/// DNS type code of AAAA.
const AAAA: u16 = 28;

/// Dual-stack www.example.com, healthy on both families.
fn www() -> World {
    World::new()
        .a(WWW, &[WWW_V4])
        .aaaa(WWW, &[WWW_V6])
        .serve_with(WWW_V6, &[], site_404())
        .serve_with(WWW_V4, &[], site_404())
}

#[test]
fn lookups_let_s_encrypt_tolerates() {
    check_diagnoses(vec![
        DiagnoseCase {
            name: "mode 14: the A lookup fails (SERVFAIL), tolerated while IPv6 works",
            world: healthy(
                World::new()
                    .aaaa(HOST, &[V6])
                    .dns(HOST, A, DnsAnswer::Rcode(2)),
                V6,
            ),
            identifier: HOST,
            extra: &[],
            verdict: Pass,
            codes: &["a-lookup-failed"],
        },
        DiagnoseCase {
            name: "mode 14: a nameserver drops the first AAAA query, the resolver's retry answers",
            world: healthy(
                healthy(
                    World::new().a(HOST, &[V4]).dns(
                        HOST,
                        AAAA,
                        DnsAnswer::LostFirst(Box::new(DnsAnswer::Addresses(vec![V6
                            .parse()
                            .unwrap()]))),
                    ),
                    V6,
                ),
                V4,
            ),
            identifier: HOST,
            extra: &[],
            verdict: Pass,
            codes: &["dns-slow"],
        },
        DiagnoseCase {
            name: "mode 9: the office LAN address published beside the public A record, ignored",
            world: healthy(
                healthy(
                    World::new()
                        .a(HOST, &["192.168.1.20", V4])
                        .aaaa(HOST, &[V6]),
                    V6,
                ),
                V4,
            ),
            identifier: HOST,
            extra: &[],
            verdict: Pass,
            codes: &["a-reserved-ignored"],
        },
        DiagnoseCase {
            name: "a round-robin pool of ten A records: two are not probed",
            world: pool(10),
            identifier: HOST,
            extra: &[],
            verdict: Pass,
            codes: &["not-probed"],
        },
    ]);
}

/// IPv4-only example.com on `count` addresses (198.51.100.10 on), all healthy.
fn pool(count: u8) -> World {
    let addresses: Vec<String> = (0..count)
        .map(|i| format!("198.51.100.{}", 10 + i))
        .collect();
    let listed: Vec<&str> = addresses.iter().map(String::as_str).collect();
    listed
        .iter()
        .fold(World::new().a(HOST, &listed), |world, address| {
            healthy(world, address)
        })
}

#[test]
fn caa_as_let_s_encrypt_reads_it() {
    check_diagnoses(vec![
        DiagnoseCase {
            name: "CAA of the name itself allows only another CA",
            world: healthy(healthy(dual(), V6), V4).caa(HOST, &[(0, "issue", "sectigo.com")]),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &["caa-forbids-letsencrypt"],
        },
        DiagnoseCase {
            name: "CAA of the parent allows only another CA, www has none",
            world: www().caa(HOST, &[(0, "issue", "sectigo.com")]),
            identifier: WWW,
            extra: &[],
            verdict: Fail,
            codes: &["caa-forbids-letsencrypt"],
        },
        DiagnoseCase {
            name: "www's own CAA allows Let's Encrypt, the parent's does not: the closest set wins",
            world: www()
                .caa(WWW, &[(0, "issue", "letsencrypt.org")])
                .caa(HOST, &[(0, "issue", "sectigo.com")]),
            identifier: WWW,
            extra: &[],
            verdict: Pass,
            codes: &[],
        },
        DiagnoseCase {
            name: "the parent allows Let's Encrypt and another CA only for wildcards",
            world: www().caa(
                HOST,
                &[
                    (0, "issue", "letsencrypt.org"),
                    (0, "issuewild", "sectigo.com"),
                ],
            ),
            identifier: WWW,
            extra: &[],
            verdict: Pass,
            codes: &[],
        },
        DiagnoseCase {
            name: "CAA lets Let's Encrypt validate with dns-01 only (RFC 8657)",
            world: healthy(healthy(dual(), V6), V4).caa(
                HOST,
                &[(0, "issue", "letsencrypt.org; validationmethods=dns-01")],
            ),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &["caa-forbids-letsencrypt"],
        },
        DiagnoseCase {
            name: "www is a CNAME to a CDN name whose CAA allows only the CDN's CA",
            world: World::new()
                .cname(WWW, "shop.cdn.example.net")
                .dns(WWW, CAA, DnsAnswer::Cname("shop.cdn.example.net".into()))
                .a("shop.cdn.example.net", &[WWW_V4])
                .aaaa("shop.cdn.example.net", &[WWW_V6])
                .caa("shop.cdn.example.net", &[(0, "issue", "digicert.com")])
                .caa(HOST, &[(0, "issue", "letsencrypt.org")])
                .serve_with(WWW_V6, &[], site_404())
                .serve_with(WWW_V4, &[], site_404()),
            identifier: WWW,
            extra: &[],
            verdict: Fail,
            codes: &["caa-forbids-letsencrypt"],
        },
        DiagnoseCase {
            name: "the DNS provider answers CAA queries with SERVFAIL",
            world: healthy(healthy(dual(), V6), V4).dns(HOST, CAA, DnsAnswer::Rcode(2)),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &["caa-lookup-failed"],
        },
    ]);
}

#[test]
fn ipv4_failures() {
    check_diagnoses(vec![
        DiagnoseCase {
            name: "IPv4-only, the web server is stopped",
            world: World::new().a(HOST, &[V4]).refuse(V4, 80),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &["ipv4-connect-refused"],
        },
        DiagnoseCase {
            name: "IPv4-only, the cloud firewall drops port 80",
            world: World::new().a(HOST, &[V4]).drop(V4, 80),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &["ipv4-connect-timeout"],
        },
        DiagnoseCase {
            name: "IPv4-only, the A record points at a network no longer routed",
            world: World::new()
                .a(HOST, &[V4])
                .listen(V4, 80, Behaviour::NetworkUnreachable),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &["ipv4-unreachable"],
        },
        DiagnoseCase {
            name: "mode 3: the AAAA points at a host that is gone (host unreachable)",
            world: healthy(dual(), V4).listen(V6, 80, Behaviour::HostUnreachable),
            identifier: HOST,
            extra: &[],
            verdict: PassWithFallback,
            codes: &["ipv6-unreachable", "happy-eyeballs-hides-ipv6"],
        },
        DiagnoseCase {
            name: "IPv4-only behind a load balancer without healthy backends: accepted, then reset",
            world: World::new()
                .a(HOST, &[V4])
                .serve_with(V4, &[], Reply::Reset),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &["ipv4-fails-after-connect"],
        },
        DiagnoseCase {
            name: "mode 13 on IPv4: a tunnelled IPv4 path loses large packets",
            world: healthy(dual(), V6).serve_with(V4, &[], stalled_page()),
            identifier: HOST,
            extra: &[],
            verdict: Pass,
            codes: &["ipv4-response-stalls"],
        },
    ]);
}

#[test]
fn what_answers_the_challenge_path() {
    let denied = || {
        Reply::response(
            403,
            &[("Server", "nginx/1.24"), ("Content-Type", "text/html")],
            b"<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1></center></body></html>",
        )
    };
    let plain_http_on_tls = || {
        Reply::response(
            400,
            &[("Server", "nginx/1.24"), ("Content-Type", "text/html")],
            b"<html><head><title>400 The plain HTTP request was sent to HTTPS port</title></head><body><center><h1>400 Bad Request</h1></center><center>The plain HTTP request was sent to HTTPS port</center></body></html>",
        )
    };
    check_diagnoses(vec![
        DiagnoseCase {
            name: "nginx denies every dot-path (`location ~ /\\. { deny all; }`)",
            world: dual()
                .serve_with(V6, &[], denied())
                .serve_with(V4, &[], denied()),
            identifier: HOST,
            extra: &[],
            verdict: Pass,
            codes: &["challenge-path-blocked"],
        },
        // The 400 of a TLS port is never the site: the token cannot be served there.
        DiagnoseCase {
            name: "nginx `listen 80 ssl;`: port 80 speaks TLS on both families",
            world: dual().serve_with(V6, &[], plain_http_on_tls()).serve_with(
                V4,
                &[],
                plain_http_on_tls(),
            ),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &["http-on-https-port"],
        },
        DiagnoseCase {
            name: "a redirect to www, which has no DNS records",
            world: dual()
                .serve_with(V6, &[], Reply::redirect(301, "http://www.example.com/"))
                .serve_with(V4, &[], Reply::redirect(301, "http://www.example.com/")),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &["validation-fails"],
        },
    ]);
}
