//! What goes on the wire (spec 3.5) and the notes where the documentation and Boulder's code
//! disagree (spec 8).

mod support;

use acme_preflight::ProblemType::Connection;
use acme_preflight_sim::{Reply, World};
use support::{check_all, run_component, run_native, url, Case, KEY_AUTHORIZATION, PATH};

const V6: &str = "2001:db8::7";
const V4: &str = "198.51.100.7";
const HOST: &str = "example.com";
const USER_AGENT: &str =
    "Mozilla/5.0 (compatible; Let's Encrypt validation server; +https://www.letsencrypt.org)";

fn case(name: &'static str, world: World) -> Case {
    Case {
        name,
        world,
        identifier: HOST,
        extra: &[],
        expect: Ok(()),
        records: vec![],
    }
}

#[test]
fn requests_are_what_go_sends_for_boulder() {
    let world = World::new().a(HOST, &[V4]).serve(
        V4,
        &[
            (PATH, Reply::redirect(302, "/next?q=1")),
            ("/next?q=1", Reply::ok(KEY_AUTHORIZATION)),
        ],
    );
    let outcome = run_native(&case("redirected request", world));
    let heads: Vec<&str> = outcome
        .http_requests
        .iter()
        .map(|(_, head)| head.as_str())
        .collect();
    let first = format!("GET {PATH} HTTP/1.1\r\nHost: {HOST}\r\nUser-Agent: {USER_AGENT}\r\nAccept: */*\r\nAccept-Encoding: gzip\r\nConnection: close");
    let second = format!("GET /next?q=1 HTTP/1.1\r\nHost: {HOST}\r\nUser-Agent: {USER_AGENT}\r\nAccept: */*\r\nReferer: {}\r\nAccept-Encoding: gzip\r\nConnection: close", url(HOST));
    assert_eq!(heads, vec![first.as_str(), second.as_str()]);
}

#[test]
fn notes_say_where_the_code_differs_from_the_docs() {
    let refused = case(
        "refused IPv6",
        World::new()
            .a(HOST, &[V4])
            .aaaa(HOST, &[V6])
            .refuse(V6, 80)
            .serve(V4, &[(PATH, Reply::ok(KEY_AUTHORIZATION))]),
    );
    let timeout = case(
        "dropped IPv6",
        World::new()
            .a(HOST, &[V4])
            .aaaa(HOST, &[V6])
            .drop(V6, 80)
            .serve(V4, &[(PATH, Reply::ok(KEY_AUTHORIZATION))]),
    );
    let healthy = case(
        "healthy",
        World::new()
            .a(HOST, &[V4])
            .serve(V4, &[(PATH, Reply::ok(KEY_AUTHORIZATION))]),
    );
    for (case, expected) in [(refused, 1), (timeout, 0), (healthy, 0)] {
        let native = run_native(&case);
        assert_eq!(native, run_component(&case), "{}", case.name);
        assert_eq!(
            native.report.notes.len(),
            expected,
            "{}: {:?}",
            case.name,
            native.report.notes
        );
    }
}

#[test]
fn more_redirect_forms() {
    let cases = vec![
        Case {
            name: "307 and 308 are followed like 301 and 302",
            world: World::new().a(HOST, &[V4]).serve(V4, &[(PATH, Reply::redirect(307, "/a")), ("/a", Reply::redirect(308, "/b")), ("/b", Reply::ok(KEY_AUTHORIZATION))]),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V4), (format!("http://{HOST}/a"), V4), (format!("http://{HOST}/b"), V4)],
        },
        Case {
            name: "http on port 443 is plain HTTP to port 443 (any scheme with 80 or 443)",
            world: World::new().a(HOST, &[V4]).serve(V4, &[(PATH, Reply::redirect(301, "http://example.com:443/x"))]).serve_on(V4, 443, &[("/x", Reply::ok(KEY_AUTHORIZATION))]),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V4), ("http://example.com:443/x".to_string(), V4)],
        },
        Case {
            name: "unparsable Location (R13): named by the current URL",
            world: World::new().a(HOST, &[V4]).serve(V4, &[(PATH, Reply::redirect(301, "http://exa mple.com/%zz"))]),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching {}: Error getting validation data", url(HOST)))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "redirect to an IPv4 literal: no DNS, hostname is the address",
            world: World::new().a(HOST, &[V4]).serve(V4, &[(PATH, Reply::redirect(301, "http://198.51.100.9/ok"))]).serve("198.51.100.9", &[("/ok", Reply::ok(KEY_AUTHORIZATION))]),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V4), ("http://198.51.100.9/ok".to_string(), "198.51.100.9")],
        },
        Case {
            name: "initial IPv6 and the hop's IPv6 both fail with PR 8905: each retries on its own IPv4",
            world: World::new().a(HOST, &[V4]).aaaa(HOST, &[V6]).a("www.example.net", &["198.51.100.9"]).aaaa("www.example.net", &["2001:db8::9"])
                .refuse(V6, 80).serve(V4, &[(PATH, Reply::redirect(301, &url("www.example.net")))])
                .refuse("2001:db8::9", 80).serve("198.51.100.9", &[(PATH, Reply::ok(KEY_AUTHORIZATION))]),
            identifier: HOST, extra: &["--policy", "boulder-pr8905"], expect: Ok(()),
            records: vec![(url(HOST), V6), (url(HOST), V4), (url("www.example.net"), "2001:db8::9"), (url("www.example.net"), "198.51.100.9")],
        },
        Case {
            name: "the same with Boulder: the retry is used up, the hop's IPv6 error is final",
            world: World::new().a(HOST, &[V4]).aaaa(HOST, &[V6]).a("www.example.net", &["198.51.100.9"]).aaaa("www.example.net", &["2001:db8::9"])
                .refuse(V6, 80).serve(V4, &[(PATH, Reply::redirect(301, &url("www.example.net")))])
                .refuse("2001:db8::9", 80).serve("198.51.100.9", &[(PATH, Reply::ok(KEY_AUTHORIZATION))]),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("2001:db8::9: Fetching {}: Connection refused", url("www.example.net")))),
            records: vec![(url(HOST), V6), (url(HOST), V4), (url("www.example.net"), "2001:db8::9")],
        },
    ];
    check_all(cases);
}
