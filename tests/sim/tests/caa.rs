//! CAA after the challenge (spec 4.1, "CAA"; Boulder's `va/caa.go`): once the challenge
//! succeeded, Let's Encrypt asks CAA of the name and every parent, and a relevant set that
//! does not allow it, or a failed lookup, makes the challenge invalid. Each case runs on the
//! native core and in the component.

mod support;

use acme_preflight::ProblemType::{Caa, Dns, Unauthorized};
use acme_preflight_sim::certs::{self, Challenge};
use acme_preflight_sim::{DnsAnswer, Reply, World};
use support::{check_all, url, Case, KEY_AUTHORIZATION, PATH};

const V4: &str = "198.51.100.7";
const HOST: &str = "example.com";
const WWW: &str = "www.example.com";

/// `name` on IPv4, serving the key authorization.
fn serving(name: &str) -> World {
    World::new()
        .a(name, &[V4])
        .serve(V4, &[(PATH, Reply::ok(KEY_AUTHORIZATION))])
}

fn case(
    name: &'static str,
    identifier: &'static str,
    world: World,
    expect: Result<(), (acme_preflight::ProblemType, String)>,
) -> Case {
    Case {
        name,
        world,
        identifier,
        extra: &[],
        expect,
        records: vec![(url(identifier), V4)],
    }
}

#[test]
fn caa_after_a_successful_challenge() {
    let sectigo = [(0, "issue", "sectigo.com")];
    let mut tls_alpn = case(
        "TLS-ALPN-01 whose CAA lets Let's Encrypt validate with http-01 only",
        HOST,
        World::new()
            .a(HOST, &[V4])
            .serve_tls(
                V4,
                certs::acme_responder(HOST, KEY_AUTHORIZATION, Challenge::Correct),
                &[],
            )
            .caa(
                HOST,
                &[(0, "issue", "letsencrypt.org; validationmethods=http-01")],
            ),
        Err((
            Caa,
            format!("While processing CAA for {HOST}: CAA record for {HOST} prevents issuance"),
        )),
    );
    tls_alpn.extra = &["--challenge", "tls-alpn-01"];
    tls_alpn.records = vec![(String::new(), V4)];
    check_all(vec![
        case("no CAA anywhere", WWW, serving(WWW), Ok(())),
        case("the name's CAA allows Let's Encrypt", HOST,
            serving(HOST).caa(HOST, &[(0, "issue", "letsencrypt.org")]), Ok(())),
        case("the parent's CAA allows only another CA", WWW, serving(WWW).caa(HOST, &sectigo),
            Err((Caa, format!("While processing CAA for {WWW}: CAA record for {HOST} prevents issuance")))),
        case("the name's own CAA wins over the parent's", WWW,
            serving(WWW).caa(HOST, &sectigo).caa(WWW, &[(0, "issue", "letsencrypt.org")]), Ok(())),
        case("an unknown property marked critical", HOST,
            serving(HOST).caa(HOST, &[(128, "tbs", "x"), (0, "issue", "letsencrypt.org")]),
            Err((Caa, format!("While processing CAA for {HOST}: CAA record for {HOST} prevents issuance")))),
        case("the CAA lookup fails with SERVFAIL", HOST,
            serving(HOST).dns(HOST, 257, DnsAnswer::Rcode(2)),
            Err((Dns, format!("While processing CAA for {HOST}: DNS problem: SERVFAIL looking up CAA for {HOST} - the domain's nameservers may be malfunctioning")))),
        case("a failed challenge is not checked for CAA", HOST,
            World::new().a(HOST, &[V4]).serve(V4, &[]).caa(HOST, &sectigo),
            Err((Unauthorized, format!("{V4}: Invalid response from {}: 404", url(HOST))))),
        case("IP identifiers have no CAA", V4,
            World::new().serve(V4, &[(PATH, Reply::ok(KEY_AUTHORIZATION))]), Ok(())),
        tls_alpn,
    ]);
}
