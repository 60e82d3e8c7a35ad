//! Which address Let's Encrypt dials, and when it retries on IPv4 (spec 3.2-3.4, 3.8).

mod support;

use acme_preflight::ProblemType::{Connection, Dns, Unauthorized};
use acme_preflight_sim::{Behaviour, DnsAnswer, Reply, World};
use support::{check_all, url, Case, KEY_AUTHORIZATION, PATH};

const V6: &str = "2001:db8::7";
const V6_B: &str = "2001:db8::8";
const V4: &str = "198.51.100.7";
const V4_B: &str = "198.51.100.8";
const HOST: &str = "example.com";

fn token_site() -> [(&'static str, Reply); 1] {
    [(PATH, Reply::ok(KEY_AUTHORIZATION))]
}

fn dual_stack() -> World {
    World::new().a(HOST, &[V4]).aaaa(HOST, &[V6])
}

#[test]
fn address_choice_and_fallback() {
    let cases = vec![
        Case {
            name: "dual-stack, both healthy: IPv6 first, one record",
            world: dual_stack().serve(V6, &token_site()).serve(V4, &token_site()),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V6)],
        },
        Case {
            name: "Dual homed w/ broken IPv6, working IPv4 (TestFetchHTTP): refused, then the IPv4 retry",
            world: dual_stack().refuse(V6, 80).serve(V4, &token_site()),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V6), (url(HOST), V4)],
        },
        Case {
            name: "IPv6 connect times out, IPv4 works: passes after the retry",
            world: dual_stack().drop(V6, 80).serve(V4, &token_site()),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V6), (url(HOST), V4)],
        },
        Case {
            name: "IPv6 network unreachable also triggers the retry",
            world: dual_stack().listen(V6, 80, Behaviour::NetworkUnreachable).serve(V4, &token_site()),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V6), (url(HOST), V4)],
        },
        Case {
            name: "IPv6 web server without the file: 404 is final, no retry",
            world: dual_stack().serve(V6, &[]).serve(V4, &token_site()),
            identifier: HOST, extra: &[],
            expect: Err((Unauthorized, format!("{V6}: Invalid response from {}: 404", url(HOST)))),
            records: vec![(url(HOST), V6)],
        },
        Case {
            name: "IPv6 resets after connect: final, no retry",
            world: dual_stack().serve(V6, &[(PATH, Reply::Reset)]).serve(V4, &token_site()),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V6}: Fetching {}: Connection reset by peer", url(HOST)))),
            records: vec![(url(HOST), V6)],
        },
        Case {
            name: "Broken IPv6 only (TestFetchHTTP): refused, no fallback",
            world: World::new().aaaa(HOST, &[V6]).refuse(V6, 80),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V6}: Fetching {}: Connection refused", url(HOST)))),
            records: vec![(url(HOST), V6)],
        },
        Case {
            name: "IPv4 only, connect timeout",
            world: World::new().a(HOST, &[V4]).drop(V4, 80),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching {}: Timeout during connect (likely firewall problem)", url(HOST)))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "both broken: the IPv4 retry's error is the one reported",
            world: dual_stack().drop(V6, 80).refuse(V4, 80),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching {}: Connection refused", url(HOST)))),
            records: vec![(url(HOST), V6), (url(HOST), V4)],
        },
        Case {
            name: "host unreachable: a dial error Boulder does not name",
            world: World::new().a(HOST, &[V4]).listen(V4, 80, Behaviour::HostUnreachable),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching {}: Error getting validation data", url(HOST)))),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "several AAAA records: only the first is tried, the second good one never",
            world: World::new().a(HOST, &[V4]).aaaa(HOST, &[V6, V6_B]).refuse(V6, 80).serve(V6_B, &token_site()).refuse(V4, 80),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching {}: Connection refused", url(HOST)))),
            records: vec![(url(HOST), V6), (url(HOST), V4)],
        },
        Case {
            name: "several A records: only the first is the fallback",
            world: World::new().a(HOST, &[V4, V4_B]).aaaa(HOST, &[V6]).refuse(V6, 80).refuse(V4, 80).serve(V4_B, &token_site()),
            identifier: HOST, extra: &[],
            expect: Err((Connection, format!("{V4}: Fetching {}: Connection refused", url(HOST)))),
            records: vec![(url(HOST), V6), (url(HOST), V4)],
        },
        Case {
            name: "reserved AAAA (loopback) with a good A: ignored, IPv4 used, no retry",
            world: World::new().a(HOST, &[V4]).aaaa(HOST, &["::1"]).serve(V4, &token_site()),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "IPv4-mapped AAAA is reserved (::ffff:0:0/96): ignored",
            world: World::new().a(HOST, &[V4]).aaaa(HOST, &["::ffff:198.51.100.7"]).serve(V4, &token_site()),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "only reserved addresses in both families: no valid records",
            world: World::new().a(HOST, &["10.0.0.1"]).aaaa(HOST, &["fe80::1"]),
            identifier: HOST, extra: &[],
            expect: Err((Dns, format!("no valid A records found for {HOST}; no valid AAAA records found for {HOST}"))),
            records: vec![],
        },
        Case {
            name: "CNAME chain to a dual-stack name",
            world: World::new().cname(HOST, "cdn.example.net").cname("cdn.example.net", "edge.example.org").a("edge.example.org", &[V4]).aaaa("edge.example.org", &[V6]).serve(V6, &token_site()),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V6)],
        },
        Case {
            name: "IPv4 identifier: no DNS, no fallback",
            world: World::new().serve(V4, &token_site()),
            identifier: V4, extra: &[], expect: Ok(()),
            records: vec![(url(V4), V4)],
        },
        Case {
            name: "IPv6 identifier: URL host in brackets",
            world: World::new().refuse(V6, 80),
            identifier: V6, extra: &[],
            expect: Err((Connection, format!("{V6}: Fetching {}: Connection refused", url(&format!("[{V6}]"))))),
            records: vec![(url(&format!("[{V6}]")), V6)],
        },
    ];
    check_all(cases);
}

#[test]
fn dns_outcomes() {
    let cases = vec![
        Case {
            name: "both NXDOMAIN (D1)",
            world: World::new(),
            identifier: HOST, extra: &[],
            expect: Err((Dns, format!("DNS problem: NXDOMAIN looking up A for {HOST} - check that a DNS record exists for this domain; DNS problem: NXDOMAIN looking up AAAA for {HOST} - check that a DNS record exists for this domain"))),
            records: vec![],
        },
        Case {
            name: "both SERVFAIL (D2)",
            world: World::new().dns(HOST, 1, DnsAnswer::Rcode(2)).dns(HOST, 28, DnsAnswer::Rcode(2)),
            identifier: HOST, extra: &[],
            expect: Err((Dns, format!("DNS problem: SERVFAIL looking up A for {HOST} - the domain's nameservers may be malfunctioning; DNS problem: SERVFAIL looking up AAAA for {HOST} - the domain's nameservers may be malfunctioning"))),
            records: vec![],
        },
        Case {
            name: "both time out (D3)",
            world: World::new().dns(HOST, 1, DnsAnswer::Timeout).dns(HOST, 28, DnsAnswer::Timeout),
            identifier: HOST, extra: &[],
            expect: Err((Dns, format!("DNS problem: query timed out looking up A for {HOST}; DNS problem: query timed out looking up AAAA for {HOST}"))),
            records: vec![],
        },
        Case {
            name: "resolver unreachable (D5)",
            world: World::new().dns(HOST, 1, DnsAnswer::Unreachable).dns(HOST, 28, DnsAnswer::Unreachable),
            identifier: HOST, extra: &[],
            expect: Err((Dns, format!("DNS problem: networking error looking up A for {HOST}; DNS problem: networking error looking up AAAA for {HOST}"))),
            records: vec![],
        },
        Case {
            name: "other resolver failure, e.g. DoH status 502 (D6)",
            world: World::new().dns(HOST, 1, DnsAnswer::TransportFailure).dns(HOST, 28, DnsAnswer::TransportFailure),
            identifier: HOST, extra: &[],
            expect: Err((Dns, format!("DNS problem: server failure at resolver looking up A for {HOST}; DNS problem: server failure at resolver looking up AAAA for {HOST}"))),
            records: vec![],
        },
        Case {
            name: "REFUSED has no explanation suffix (D7)",
            world: World::new().dns(HOST, 1, DnsAnswer::Rcode(5)).dns(HOST, 28, DnsAnswer::Rcode(5)),
            identifier: HOST, extra: &[],
            expect: Err((Dns, format!("DNS problem: REFUSED looking up A for {HOST}; DNS problem: REFUSED looking up AAAA for {HOST}"))),
            records: vec![],
        },
        Case {
            name: "SERVFAIL with Extended DNS Error 6 (D8)",
            world: World::new().dns(HOST, 1, DnsAnswer::Extended(2, 6, "signature invalid".into())).dns(HOST, 28, DnsAnswer::Extended(2, 6, String::new())),
            identifier: HOST, extra: &[],
            expect: Err((Dns, format!("DNS problem: looking up A for {HOST}: DNSSEC: Bogus: signature invalid; DNS problem: looking up AAAA for {HOST}: DNSSEC: Bogus"))),
            records: vec![],
        },
        Case {
            name: "A NXDOMAIN and AAAA empty: mixed texts (D10)",
            world: World::new().dns(HOST, 1, DnsAnswer::Rcode(3)).aaaa(HOST, &[]),
            identifier: HOST, extra: &[],
            expect: Err((Dns, format!("DNS problem: NXDOMAIN looking up A for {HOST} - check that a DNS record exists for this domain; no valid AAAA records found for {HOST}"))),
            records: vec![],
        },
        Case {
            name: "AAAA SERVFAIL with a good A: tolerated, IPv4 only (D11)",
            world: World::new().a(HOST, &[V4]).dns(HOST, 28, DnsAnswer::Rcode(2)).serve(V4, &token_site()),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "AAAA lookup times out, A good: tolerated after the retries",
            world: World::new().a(HOST, &[V4]).dns(HOST, 28, DnsAnswer::Timeout).serve(V4, &token_site()),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V4)],
        },
        Case {
            name: "truncated datagram answer: asked again over a stream",
            world: World::new().dns(HOST, 1, DnsAnswer::Truncated(Box::new(DnsAnswer::Addresses(vec![V4.parse().unwrap()])))).aaaa(HOST, &[]).serve(V4, &token_site()),
            identifier: HOST, extra: &[], expect: Ok(()),
            records: vec![(url(HOST), V4)],
        },
    ];
    check_all(cases);
}
