//! `diagnose` on port 443 per family: the HTTPS handshake a redirect hop would make,
//! certificates compared across families, and TLS-ALPN-01 as Let's Encrypt would run it
//! (failure modes 1, 4, 13 and 16 of ../shared/spec/peers-and-failure-modes.md section 4);
//! each scenario runs on the native core and in the component.

#[allow(dead_code)] // The validate runner of the support module is not used here.
mod support;

use acme_preflight::report::{Identity, Verdict::Pass};
use acme_preflight::Status;
use acme_preflight_sim::certs::{self, Challenge};
use acme_preflight_sim::{Behaviour, Reply, TlsServer, World};
use support::diagnose::*;

/// Healthy on port 80 of both families, with port 443 as `https` sets it up.
fn port_80_healthy(https: impl FnOnce(World) -> World) -> World {
    https(healthy(healthy(dual(), V6), V4))
}

/// The site's HTTPS server on `address`.
fn https(world: World, address: &str, server: TlsServer) -> World {
    world.serve_tls(address, server, &[])
}

/// A case on the identifier with no extra arguments.
fn case(name: &'static str, world: World, codes: &'static [&'static str]) -> DiagnoseCase {
    DiagnoseCase {
        name,
        world,
        identifier: HOST,
        extra: &[],
        verdict: Pass,
        codes,
    }
}

#[test]
fn port_443_per_family() {
    let site = certs::site(&[HOST, WWW]);
    let shared = site.clone();
    check_diagnoses(vec![
        case(
            "healthy dual-stack with the same HTTPS server on both families",
            port_80_healthy(|w| https(https(w, V6, shared.clone()), V4, shared)),
            &[],
        ),
        case(
            "healthy IPv6-only with HTTPS",
            https(
                healthy(World::new().aaaa(HOST, &[V6]), V6),
                V6,
                site.clone(),
            ),
            &[],
        ),
        case(
            "no HTTPS on either family (port 443 dropped everywhere): nothing to say",
            port_80_healthy(|w| w),
            &[],
        ),
        case(
            "mode 4 before the redirect: IPv6 port 443 firewalled, IPv4's works",
            port_80_healthy(|w| https(w, V4, site.clone())),
            &["ipv6-https-broken"],
        ),
        case(
            "mode 4 before the redirect: nothing listens on IPv6 port 443",
            port_80_healthy(|w| https(w, V4, site.clone()).refuse(V6, 443)),
            &["ipv6-https-broken"],
        ),
        case(
            "IPv6 port 443 answers in plain HTTP",
            port_80_healthy(|w| {
                https(w, V4, site.clone()).answer(V6, 443, Reply::response(400, &[], b"plain"))
            }),
            &["ipv6-https-broken"],
        ),
        case(
            "mode 13: the IPv6 TLS handshake stalls after the connect",
            port_80_healthy(|w| {
                https(w, V4, site.clone()).listen(V6, 443, Behaviour::Answer(Reply::Hang))
            }),
            &["ipv6-tls-stalls"],
        ),
        case(
            "mode 1 on port 443: IPv6 presents another site's certificate",
            port_80_healthy(|w| {
                let other = certs::site(&["shop.example.net"]);
                https(https(w, V6, other), V4, site.clone())
            }),
            &["ipv6-other-certificate"],
        ),
        case(
            "mode 16: the acme-tls/1 responder answers on IPv4 only",
            port_80_healthy(|w| {
                let responder = certs::acme_responder(HOST, "elsewhere", Challenge::Correct);
                let refuses_acme = certs::site(&[HOST]).alpn(&["h2", "http/1.1"]);
                https(https(w, V6, refuses_acme), V4, responder)
            }),
            &["tls-alpn-01-ipv4-retry"],
        ),
    ]);
}

#[test]
fn certificates_decide_identity_and_tls_alpn01_is_predicted() {
    let site = certs::site(&[HOST]);
    let rows = [
        // (name, world, identity, TLS-ALPN-01 addresses tried then used, its problem)
        (
            "the same certificate on both families",
            port_80_healthy(|w| https(https(w, V6, site.clone()), V4, site.clone())),
            Identity::Same,
            vec![V6],
            "Cannot negotiate ALPN protocol \"acme-tls/1\" for tls-alpn-01 challenge".to_string(),
        ),
        (
            "another certificate on IPv6",
            port_80_healthy(|w| {
                https(
                    https(w, V6, certs::site(&["shop.example.net"])),
                    V4,
                    site.clone(),
                )
            }),
            Identity::Different,
            vec![V6],
            "Cannot negotiate ALPN protocol \"acme-tls/1\" for tls-alpn-01 challenge".to_string(),
        ),
        (
            "IPv6 port 443 firewalled: the retry reaches IPv4",
            port_80_healthy(|w| https(w, V4, site.clone())),
            Identity::Same,
            vec![V6, V4],
            "Cannot negotiate ALPN protocol \"acme-tls/1\" for tls-alpn-01 challenge".to_string(),
        ),
        (
            "IPv6 port 80 refused; on 443 both families hang after the handshake: the certificates still compare",
            {
                let hanging = |w: World, address: &str| {
                    w.listen(address, 443, Behaviour::Tls {
                        server: site.clone(),
                        routes: Vec::new(),
                        default: Reply::Hang,
                    })
                };
                hanging(hanging(healthy(dual(), V4).refuse(V6, 80), V6), V4)
            },
            Identity::Same,
            vec![V6],
            "Cannot negotiate ALPN protocol \"acme-tls/1\" for tls-alpn-01 challenge".to_string(),
        ),
        (
            "no port 443 anywhere",
            port_80_healthy(|w| w),
            Identity::Same,
            vec![V6, V4],
            format!("{V4}: Timeout during connect (likely firewall problem)"),
        ),
    ];
    for (name, world, identity, tried, problem) in rows {
        let case = case(name, world, &[]);
        let outcome = run_native(&case);
        let diagnosis = outcome.report.diagnosis.expect("a diagnosis");
        assert_eq!(diagnosis.identity, identity, "{name}");
        let tls_alpn = diagnosis.tls_alpn01.expect("a TLS-ALPN-01 prediction");
        assert_eq!(tls_alpn.status, Status::Invalid, "{name}");
        let detail = tls_alpn.problem.map(|p| p.detail).unwrap_or_default();
        assert_eq!(detail, problem, "{name}");
        let record = &tls_alpn.records[0];
        let mut path: Vec<String> = record
            .addresses_tried
            .iter()
            .map(|a| a.to_string())
            .collect();
        path.extend(record.address_used.map(|a| a.to_string()));
        assert_eq!(path, tried, "{name}");
        assert_eq!(record.port, 443, "{name}");
    }
}
