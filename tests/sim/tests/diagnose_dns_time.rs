//! `diagnose`, failure modes 9 to 17 of ../shared/spec/peers-and-failure-modes.md section 4
//! (DNS shapes, time and size) and canary mode; each scenario runs on the native core and in
//! the component.

#[allow(dead_code)] // The validate runner of the support module is not used here.
mod support;

use acme_preflight::report::Verdict::{Fail, Pass};
use acme_preflight_sim::{DnsAnswer, Reply, World};
use support::diagnose::*;

#[test]
fn dns_shapes() {
    check_diagnoses(vec![
        DiagnoseCase {
            name: "mode 9: link-local AAAA, ignored",
            world: healthy(World::new().a(HOST, &[V4]).aaaa(HOST, &["fe80::1"]), V4),
            identifier: HOST,
            extra: &[],
            verdict: Pass,
            codes: &["aaaa-reserved-ignored"],
        },
        DiagnoseCase {
            name: "mode 9: IPv4-mapped AAAA, ignored",
            world: healthy(
                World::new()
                    .a(HOST, &[V4])
                    .aaaa(HOST, &["::ffff:198.51.100.7"]),
                V4,
            ),
            identifier: HOST,
            extra: &[],
            verdict: Pass,
            codes: &["aaaa-ipv4-mapped"],
        },
        DiagnoseCase {
            name: "mode 10: NAT64 AAAA copied into the zone, ignored",
            world: healthy(
                World::new()
                    .a(HOST, &[V4])
                    .aaaa(HOST, &["64:ff9b::c633:6407"]),
                V4,
            ),
            identifier: HOST,
            extra: &[],
            verdict: Pass,
            codes: &["aaaa-nat64"],
        },
        DiagnoseCase {
            name: "mode 9: nothing usable left",
            world: World::new().aaaa(HOST, &["fe80::1", "fd00::1"]),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &[
                "no-usable-address",
                "aaaa-reserved-ignored",
                "aaaa-reserved-ignored",
            ],
        },
        DiagnoseCase {
            name: "mode 14: AAAA SERVFAIL, tolerated",
            world: healthy(
                World::new()
                    .a(HOST, &[V4])
                    .dns(HOST, 28, DnsAnswer::Rcode(2)),
                V4,
            ),
            identifier: HOST,
            extra: &[],
            verdict: Pass,
            codes: &["aaaa-lookup-failed"],
        },
        DiagnoseCase {
            name: "mode 14: AAAA lookups time out, tolerated but slow",
            world: healthy(
                World::new()
                    .a(HOST, &[V4])
                    .dns(HOST, 28, DnsAnswer::Timeout),
                V4,
            ),
            identifier: HOST,
            extra: &[],
            verdict: Pass,
            codes: &["aaaa-lookup-failed"],
        },
        DiagnoseCase {
            name: "NXDOMAIN",
            world: World::new(),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &["dns-lookup-failed"],
        },
    ]);
}

#[test]
fn time_and_size() {
    check_diagnoses(vec![
        DiagnoseCase {
            name: "mode 13: a large answer stalls over IPv6",
            world: healthy(dual(), V4).serve_with(V6, &[], stalled_page()),
            identifier: HOST,
            extra: &[],
            verdict: Pass,
            codes: &["ipv6-response-stalls"],
        },
        DiagnoseCase {
            name: "mode 17: IPv6 timeout, then a slow IPv4 server",
            world: dual().drop(V6, 80).serve_with(
                V4,
                &[],
                Reply::Delayed(12_000, Box::new(site_404())),
            ),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &[
                "time-budget",
                "ipv6-connect-timeout",
                "happy-eyeballs-hides-ipv6",
            ],
        },
        DiagnoseCase {
            name: "a catch-all answers 200 for any path",
            world: dual()
                .serve_with(V6, &[], Reply::ok("<html>app</html>"))
                .serve_with(V4, &[], Reply::ok("<html>app</html>")),
            identifier: HOST,
            extra: &[],
            verdict: Pass,
            codes: &["catch-all-200"],
        },
    ]);
}

const CANARY: &str = "/.well-known/acme-challenge/canary-1";

#[test]
fn canary_mode() {
    let file = || [(CANARY, Reply::ok("hello\n"))];
    check_diagnoses(vec![
        DiagnoseCase {
            name: "the published file on both families",
            world: dual()
                .serve_with(V6, &file(), site_404())
                .serve_with(V4, &file(), site_404()),
            identifier: HOST,
            extra: &["--expect", "/.well-known/acme-challenge/canary-1=hello"],
            verdict: Pass,
            codes: &[],
        },
        DiagnoseCase {
            name: "the published file missing on IPv6",
            world: dual()
                .serve_with(V6, &[], site_404())
                .serve_with(V4, &file(), site_404()),
            identifier: HOST,
            extra: &["--expect", "canary-1=hello"],
            verdict: Fail,
            codes: &["expect-mismatch"],
        },
        DiagnoseCase {
            name: "the published file missing on IPv4 only: Let's Encrypt never goes there",
            world: dual()
                .serve_with(V6, &file(), site_404())
                .serve_with(V4, &[], site_404()),
            identifier: HOST,
            extra: &["--expect", "canary-1=hello"],
            verdict: Pass,
            codes: &["expect-mismatch"],
        },
    ]);
}
