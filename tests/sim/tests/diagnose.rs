//! `diagnose`, failure modes 1 to 8 of ../shared/spec/peers-and-failure-modes.md section 4
//! (what answers on IPv6, redirect chains, several addresses), and the healthy shapes; each
//! scenario runs on the native core and in the component.

#[allow(dead_code)] // The validate runner of the support module is not used here.
mod support;

use acme_preflight::report::Verdict::{Fail, Intermittent, Pass, PassWithFallback};
use acme_preflight_sim::{site, Reply, World};
use support::diagnose::*;

#[test]
fn healthy_domains_pass_without_warnings() {
    check_diagnoses(vec![
        DiagnoseCase {
            name: "healthy dual-stack",
            world: healthy(healthy(dual(), V6), V4),
            identifier: HOST,
            extra: &[],
            verdict: Pass,
            codes: &[],
        },
        DiagnoseCase {
            name: "healthy IPv4-only",
            world: healthy(World::new().a(HOST, &[V4]), V4),
            identifier: HOST,
            extra: &[],
            verdict: Pass,
            codes: &[],
        },
        DiagnoseCase {
            name: "healthy IPv6-only",
            world: healthy(World::new().aaaa(HOST, &[V6]), V6),
            identifier: HOST,
            extra: &[],
            verdict: Pass,
            codes: &[],
        },
        DiagnoseCase {
            name: "healthy dual-stack with virtual hosts on both families",
            world: dual()
                .vhosts(V6, &[(HOST, site(&[], site_404()))], site(&[], other_404()))
                .vhosts(V4, &[(HOST, site(&[], site_404()))], site(&[], other_404())),
            identifier: HOST,
            extra: &[],
            verdict: Pass,
            codes: &[],
        },
        DiagnoseCase {
            name: "healthy IP identifier",
            world: healthy(World::new(), V6),
            identifier: V6,
            extra: &[],
            verdict: Pass,
            codes: &[],
        },
    ]);
}

#[test]
fn ipv6_addresses_that_do_not_answer() {
    check_diagnoses(vec![
        DiagnoseCase {
            name: "mode 1: stale AAAA, another server answers",
            world: dual()
                .serve_with(V6, &[], other_404())
                .serve_with(V4, &[], site_404()),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &["aaaa-other-server"],
        },
        DiagnoseCase {
            name: "mode 2: web server not listening on IPv6",
            world: healthy(dual().refuse(V6, 80), V4),
            identifier: HOST,
            extra: &[],
            verdict: PassWithFallback,
            codes: &["ipv6-connect-refused", "happy-eyeballs-hides-ipv6"],
        },
        DiagnoseCase {
            name: "mode 3: IPv6 firewall drops",
            world: healthy(dual().drop(V6, 80), V4),
            identifier: HOST,
            extra: &[],
            verdict: PassWithFallback,
            codes: &[
                "ipv6-connect-timeout",
                "time-budget",
                "happy-eyeballs-hides-ipv6",
            ],
        },
        DiagnoseCase {
            name: "IPv6-only and not listening",
            world: World::new().aaaa(HOST, &[V6]).refuse(V6, 80),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &["ipv6-connect-refused"],
        },
        DiagnoseCase {
            name: "IPv6 accepts, then resets: no retry",
            world: dual()
                .serve_with(V6, &[], Reply::Reset)
                .serve_with(V4, &[], site_404()),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &["ipv6-fails-after-connect", "happy-eyeballs-hides-ipv6"],
        },
    ]);
}

#[test]
fn redirect_chains() {
    check_diagnoses(vec![
        DiagnoseCase {
            name: "healthy dual-stack behind an HTTP to HTTPS redirect",
            world: https_site(https_site(to_https(to_https(dual(), V6), V4), V6), V4),
            identifier: HOST,
            extra: &[],
            verdict: Pass,
            codes: &[],
        },
        DiagnoseCase {
            name: "mode 4: HTTP to HTTPS redirect, IPv6 port 443 firewalled",
            world: https_site(to_https(to_https(dual(), V6), V4).drop(V6, 443), V4),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &[
                "https-redirect-ipv6-broken",
                "time-budget",
                "redirect-loop-after-retry",
                "boulder-pr8905-differs",
            ],
        },
        DiagnoseCase {
            name: "mode 5: redirect to www, whose AAAA is broken",
            world: dual()
                .serve_with(V6, &[], Reply::redirect(301, "http://www.example.com/"))
                .serve_with(V4, &[], Reply::redirect(301, "http://www.example.com/"))
                .a(WWW, &[WWW_V4])
                .aaaa(WWW, &[WWW_V6])
                .refuse(WWW_V6, 80)
                .serve_with(WWW_V4, &[], site_404()),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &[
                "redirect-target-ipv6-broken",
                "redirect-loop-after-retry",
                "boulder-pr8905-differs",
            ],
        },
        DiagnoseCase {
            name: "a 303 redirect, refused by Boulder",
            world: dual()
                .serve_with(V6, &[], Reply::redirect(303, "/elsewhere"))
                .serve_with(V4, &[], Reply::redirect(303, "/elsewhere")),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &["redirect-refused"],
        },
    ]);
}

#[test]
fn ipv6_reaches_the_wrong_place() {
    let nginx_default = || {
        site(
            &[],
            Reply::response(
                404,
                &[("Server", "nginx/1.24"), ("Content-Type", "text/html")],
                b"<center>nginx default server</center>",
            ),
        )
    };
    let router = Reply::response(
        200,
        &[("Server", "micro_httpd")],
        b"<html><title>Router login</title></html>",
    );
    let challenge = Reply::response(
        403,
        &[("Server", "cloudflare"), ("Cf-Ray", "8a-AMS"), ("Cf-Mitigated", "challenge")],
        b"<title>Just a moment...</title><script src=\"/cdn-cgi/challenge-platform/x.js\"></script>",
    );
    let via_cdn = Reply::response(
        404,
        &[("Server", "cloudflare"), ("Cf-Ray", "8a-AMS")],
        b"<h1>example.com: no such page</h1>",
    );
    check_diagnoses(vec![
        DiagnoseCase {
            name: "mode 6: default virtual host on IPv6",
            world: dual().vhosts(V6, &[], nginx_default()).vhosts(
                V4,
                &[(HOST, site(&[], site_404()))],
                nginx_default(),
            ),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &["ipv6-default-vhost"],
        },
        DiagnoseCase {
            name: "mode 7: IPv4 port-forwarded, IPv6 lands on the router",
            world: dual()
                .serve_with(V6, &[], router)
                .serve_with(V4, &[], site_404()),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &["router-web-interface"],
        },
        DiagnoseCase {
            name: "mode 11: a bot check on the challenge path",
            world: dual()
                .serve_with(V6, &[], challenge.clone())
                .serve_with(V4, &[], challenge),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &["waf-challenge-page"],
        },
        DiagnoseCase {
            name: "mode 11: A proxied by the CDN, AAAA straight at the origin",
            world: dual()
                .serve_with(V6, &[], site_404())
                .serve_with(V4, &[], via_cdn),
            identifier: HOST,
            extra: &[],
            verdict: Fail,
            codes: &["aaaa-other-server", "cdn-on-one-family"],
        },
    ]);
}

#[test]
fn several_addresses() {
    check_diagnoses(vec![
        DiagnoseCase {
            name: "mode 8: two AAAA, the second dead, IPv4 as the retry",
            world: healthy(
                healthy(World::new().a(HOST, &[V4]).aaaa(HOST, &[V6, V6_B]), V6),
                V4,
            )
            .drop(V6_B, 80),
            identifier: HOST,
            extra: &[],
            verdict: PassWithFallback,
            codes: &[
                "ipv6-connect-timeout",
                "several-aaaa-disagree",
                "happy-eyeballs-hides-ipv6",
            ],
        },
        DiagnoseCase {
            name: "mode 8: two AAAA, the second a stale server",
            world: healthy(
                healthy(World::new().a(HOST, &[V4]).aaaa(HOST, &[V6, V6_B]), V6),
                V4,
            )
            .serve_with(V6_B, &[], other_404()),
            identifier: HOST,
            extra: &[],
            verdict: Intermittent,
            codes: &["aaaa-other-server", "several-aaaa-disagree"],
        },
        DiagnoseCase {
            name: "mode 8: IPv6-only with one of two AAAA dead",
            world: healthy(World::new().aaaa(HOST, &[V6, V6_B]), V6).drop(V6_B, 80),
            identifier: HOST,
            extra: &[],
            verdict: Intermittent,
            codes: &["ipv6-connect-timeout", "several-aaaa-disagree"],
        },
        DiagnoseCase {
            name: "two A records, the second dead, AAAA healthy",
            world: healthy(
                healthy(World::new().a(HOST, &[V4, V4_B]).aaaa(HOST, &[V6]), V6),
                V4,
            )
            .refuse(V4_B, 80),
            identifier: HOST,
            extra: &[],
            verdict: Pass,
            codes: &["ipv4-connect-refused", "several-a-disagree"],
        },
    ]);
}
