//! Redirect rules (spec 3.7, 3.8) and response rules (spec 3.10), as Boulder's
//! `TestFetchHTTP` and `TestHTTP` cases adapted to production ports.

mod support;

use acme_preflight::ProblemType::{Connection, Dns, Unauthorized};
use acme_preflight_sim::{Reply, World};
use support::{check_all, url, Case, KEY_AUTHORIZATION, PATH};

const V6: &str = "2001:db8::7";
const V4: &str = "198.51.100.7";
const WWW_V6: &str = "2001:db8::9";
const WWW_V4: &str = "198.51.100.9";
const HOST: &str = "example.com";
const WWW: &str = "www.example.net";

fn v4_site(routes: &[(&str, Reply)]) -> World {
    World::new().a(HOST, &[V4]).serve(V4, routes)
}

fn hop(n: u32) -> String {
    format!("/max-redirect/{n}")
}

#[test]
fn redirects() {
    let long_path = format!("/{}", "a".repeat(2000));
    let mut chain: Vec<(String, Reply)> = (0..=12)
        .map(|n| (hop(n), Reply::redirect(301, &hop(n + 1))))
        .collect();
    chain.push((PATH.to_string(), Reply::redirect(301, &hop(0))));
    let chain_routes: Vec<(&str, Reply)> =
        chain.iter().map(|(p, r)| (p.as_str(), r.clone())).collect();
    let mut too_many_records = vec![(url(HOST), V4)];
    too_many_records.extend((0..11).map(|n| (format!("http://{HOST}{}", hop(n)), V4)));
    let cases = vec![
        Case {
            name: "301 to another path on the same host: resolved again, two records",
            world: v4_site(&[(PATH, Reply::redirect(301, "/ok")), ("/ok", Reply::ok(KEY_AUTHORIZATION))]),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V4), (format!("http://{HOST}/ok"), V4)],
        },
        Case {
            name: "Too many redirects (TestFetchHTTP): 11 followed (to /max-redirect/10), the 12th refused, 12 records",
            world: v4_site(&chain_routes),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching {}: Too many redirects", hop(11)))),
            records: too_many_records,
        },
        Case {
            name: "Redirect loop (TestFetchHTTP): :80 spelled out is a different URL string first",
            world: v4_site(&[(PATH, Reply::redirect(301, "http://example.com:80/loop")), ("/loop", Reply::redirect(301, "http://example.com:80/loop"))]),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching http://example.com:80/loop: Redirect loop detected"))),
            records: vec![(url(HOST), V4), ("http://example.com:80/loop".to_string(), V4)],
        },
        Case {
            name: "HTTP status code 303 redirect: refused",
            world: v4_site(&[(PATH, Reply::redirect(303, "http://example.org/303-see-other"))]),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching http://example.org/303-see-other: received disallowed redirect status code"))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "Redirect to bad protocol: the raw Location is named",
            world: v4_site(&[(PATH, Reply::redirect(301, "gopher://example.com"))]),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching gopher://example.com: Invalid protocol scheme in redirect target. Only \"http\" and \"https\" protocol schemes are supported, not \"gopher\""))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "Redirect to bad port",
            world: v4_site(&[(PATH, Reply::redirect(301, "https://example.com:1987"))]),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching https://example.com:1987: Invalid port in redirect target. Only ports 80 and 443 are supported, not 1987"))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "missing '/' before .well-known in the redirect (integration test)",
            world: v4_site(&[(PATH, Reply::redirect(301, "http://example.com.well-known/acme-challenge/bad-bad-bad"))]),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching http://example.com.well-known/acme-challenge/bad-bad-bad: Invalid host in redirect target \"example.com.well-known\". Check webserver config for missing '/' in redirect target."))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "redirect to a name outside the ICANN suffixes (TestHTTPRedirectLookup c)",
            world: v4_site(&[(PATH, Reply::redirect(302, "http://invalid.invalid/path"))]),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching http://invalid.invalid/path: Invalid host in redirect target, must end in IANA registered TLD"))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "redirect to a reserved IP literal",
            world: v4_site(&[(PATH, Reply::redirect(302, "http://10.10.10.10/x"))]),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching http://10.10.10.10/x: Invalid host in redirect target: IP address is in a reserved address block: [RFC1918]: Private-Use"))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "Redirect to bare IPv6 address: used directly, no DNS",
            world: v4_site(&[(PATH, Reply::redirect(301, "http://[2001:db8::9]/ok"))]).serve(WWW_V6, &[("/ok", Reply::ok(KEY_AUTHORIZATION))]),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V4), ("http://[2001:db8::9]/ok".to_string(), WWW_V6)],
        },
        Case {
            name: "Redirect to long path: over 2000 bytes refused",
            world: v4_site(&[(PATH, Reply::redirect(301, &long_path))]),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching {long_path}: Redirect target too long"))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "Redirect to uppercase Public Suffix: host lowercased in the record",
            world: v4_site(&[(PATH, Reply::redirect(301, "http://example.COM/ok")), ("/ok", Reply::ok(KEY_AUTHORIZATION))]),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V4), ("http://example.com/ok".to_string(), V4)],
        },
        Case {
            name: "redirect host NXDOMAIN: dns problem with the previous hop's address",
            world: v4_site(&[(PATH, Reply::redirect(302, "http://gone.example.org/x"))]),
            identifier: HOST, extra: &[],
            expect: Err((Dns, format!("{V4}: Fetching http://gone.example.org/x: DNS problem: NXDOMAIN looking up A for gone.example.org - check that a DNS record exists for this domain; DNS problem: NXDOMAIN looking up AAAA for gone.example.org - check that a DNS record exists for this domain"))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "302 without Location is an ordinary response: status 302",
            world: v4_site(&[(PATH, Reply::response(302, &[], b""))]),
            identifier: HOST, extra: &[],
            expect: Err((Unauthorized, format!("{V4}: Invalid response from {}: 302", url(HOST)))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "redirect to a host with a broken AAAA (Boulder): fallback replays, IPv4 redirects again: loop",
            world: World::new().a(HOST, &[V4]).aaaa(HOST, &[V6]).a(WWW, &[WWW_V4]).aaaa(WWW, &[WWW_V6])
                .serve(V6, &[(PATH, Reply::redirect(301, &url(WWW)))])
                .serve(V4, &[(PATH, Reply::redirect(301, &url(WWW)))])
                .refuse(WWW_V6, 80)
                .serve(WWW_V4, &[(PATH, Reply::ok(KEY_AUTHORIZATION))]),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching {}: Redirect loop detected", url(WWW)))),
            records: vec![(url(HOST), V6), (url(WWW), WWW_V6), (url(HOST), V4)],
        },
        Case {
            name: "the same with PR 8905: the hop retries on its own IPv4 and passes",
            world: World::new().a(HOST, &[V4]).aaaa(HOST, &[V6]).a(WWW, &[WWW_V4]).aaaa(WWW, &[WWW_V6])
                .serve(V6, &[(PATH, Reply::redirect(301, &url(WWW)))])
                .serve(V4, &[(PATH, Reply::redirect(301, &url(WWW)))])
                .refuse(WWW_V6, 80)
                .serve(WWW_V4, &[(PATH, Reply::ok(KEY_AUTHORIZATION))]),
            identifier: HOST, extra: &["--policy", "boulder-pr8905"], expect: Ok(()),
            records: vec![(url(HOST), V6), (url(WWW), WWW_V6), (url(WWW), WWW_V4)],
        },
        Case {
            name: "broken hop IPv6, the IPv4 of the first host answers directly (Boulder): success",
            world: World::new().a(HOST, &[V4]).aaaa(HOST, &[V6]).a(WWW, &[WWW_V4]).aaaa(WWW, &[WWW_V6])
                .serve(V6, &[(PATH, Reply::redirect(301, &url(WWW)))])
                .serve(V4, &[(PATH, Reply::ok(KEY_AUTHORIZATION))])
                .drop(WWW_V6, 80),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V6), (url(WWW), WWW_V6), (url(HOST), V4)],
        },
        Case {
            name: "IPv6 page case: AAAA times out everywhere, then a redirect to HTTPS whose IPv6 times out",
            world: World::new().a(HOST, &[V4]).aaaa(HOST, &[V6])
                .drop(V6, 80).drop(V6, 443)
                .serve(V4, &[(PATH, Reply::redirect(301, &format!("https://{HOST}{PATH}")))]),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V6}: Fetching https://{HOST}{PATH}: Timeout during connect (likely firewall problem)"))),
            records: vec![(url(HOST), V6), (url(HOST), V4), (format!("https://{HOST}{PATH}"), V6)],
        },
    ];
    check_all(cases);
}

#[test]
fn responses() {
    let big = "a".repeat(138);
    let cases = vec![
        Case {
            name: "Wrong HTTP status code: 410",
            world: v4_site(&[(PATH, Reply::response(410, &[], b"gone"))]),
            identifier: HOST, extra: &[],
            expect: Err((Unauthorized, format!("{V4}: Invalid response from {}: 410", url(HOST)))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "Response too large: the first 128 bytes, quoted",
            world: v4_site(&[(PATH, Reply::ok(&big))]),
            identifier: HOST, extra: &[],
            expect: Err((Unauthorized, format!("{V4}: Invalid response from {}: \"{}\"", url(HOST), "a".repeat(128)))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "key authorization plus trailing whitespace (TestHTTP): trimmed",
            world: v4_site(&[(PATH, Reply::ok(&format!("{KEY_AUTHORIZATION}\n\r \t")))]),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "leading whitespace is not trimmed",
            world: v4_site(&[(PATH, Reply::ok(&format!(" {KEY_AUTHORIZATION}")))]),
            identifier: HOST, extra: &[],
            expect: Err((Unauthorized, format!("The key authorization file from the server did not match this challenge. Expected \"{KEY_AUTHORIZATION}\" (got \" {KEY_AUTHORIZATION}\")"))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "TestHTTPKeyAuthorizationFileMismatch: invalid UTF-8 quoted as Go does",
            world: v4_site(&[(PATH, Reply::response(200, &[], b"\xef\xffAABBCC"))]),
            identifier: HOST, extra: &[],
            expect: Err((Unauthorized, format!("The key authorization file from the server did not match this challenge. Expected \"{KEY_AUTHORIZATION}\" (got \"\\xef\\xffAABBCC\")"))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "TestHTTPTimeout: no answer before the deadline",
            world: v4_site(&[(PATH, Reply::Hang)]),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching {}: Timeout after connect (your server may be slow or overloaded)", url(HOST)))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "server closes without a response (C6)",
            world: v4_site(&[(PATH, Reply::Close)]),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching {}: Error getting validation data", url(HOST)))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "HTTP/2 prior knowledge on port 80 (C9)",
            world: v4_site(&[(PATH, Reply::Bytes(b"\x00\x00\x12\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x64".to_vec()))]),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching {}: Server is speaking HTTP/2 over HTTP", url(HOST)))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "malformed status line (C10)",
            world: v4_site(&[(PATH, Reply::Bytes(b"HTTP/1.1 2000 OK\r\n\r\n".to_vec()))]),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching {}: Error getting validation data", url(HOST)))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "body cut short of its Content-Length (B2)",
            world: v4_site(&[(PATH, Reply::Bytes(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort".to_vec()))]),
            identifier: HOST, extra: &[],
            expect: Err((Unauthorized, format!("{V4}: Error reading HTTP response body: unexpected EOF"))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "chunked body with the key authorization",
            world: v4_site(&[(PATH, Reply::Bytes(format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{KEY_AUTHORIZATION}\r\n0\r\n\r\n", KEY_AUTHORIZATION.len()).into_bytes()))]),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "close-delimited body",
            world: v4_site(&[(PATH, Reply::Bytes(format!("HTTP/1.0 200 OK\r\n\r\n{KEY_AUTHORIZATION}").into_bytes()))]),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V4)],
        },
    ];
    check_all(cases);
}
