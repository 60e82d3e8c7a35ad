use std::net::IpAddr;

use super::{assess, default_vhost, host_sensitive, reference};
use crate::report::{
    AddressObservation, AddressRole, ConnectResult, Identity, Probe, ResponseSummary,
};

/// An answer: status, Server, body digest and length.
fn answer(status: u16, server: &str, sha: &str, len: u64) -> ResponseSummary {
    ResponseSummary {
        status,
        header_names: vec!["Server".into(), "Content-Length".into()],
        server: Some(server.into()),
        location: None,
        body_bytes: len,
        body_sha256: sha.into(),
        body_complete: true,
        markers: Vec::new(),
    }
}

fn probe(response: Option<ResponseSummary>) -> Probe {
    Probe {
        host: "example.com".into(),
        connect: if response.is_some() {
            ConnectResult::Connected
        } else {
            ConnectResult::Timeout
        },
        connect_ms: 1,
        response,
        error: None,
        received_bytes: 0,
        elapsed_ms: 1,
        tls: None,
    }
}

/// An address answering `real` for the name and `bogus` for a made-up Host.
fn address(
    ip: &str,
    real: Option<ResponseSummary>,
    bogus: Option<ResponseSummary>,
) -> AddressObservation {
    AddressObservation {
        address: ip.parse::<IpAddr>().unwrap(),
        index: 0,
        role: AddressRole::First,
        ignored: None,
        probe: Some(probe(real)),
        bogus_host: Some(probe(bogus)),
        alone: None,
        https: None,
        acme_tls: None,
    }
}

const V6: &str = "2001:db8::1";
const V4: &str = "198.51.100.1";

#[test]
fn identity_across_families() {
    let site = || Some(answer(404, "nginx", "aa", 100));
    let other = || Some(answer(404, "Apache", "bb", 300));
    let rows = [
        (
            vec![address(V6, site(), other()), address(V4, site(), other())],
            Identity::Same,
        ), // alike
        (
            vec![address(V6, other(), other()), address(V4, site(), other())],
            Identity::Different,
        ), // another server
        (
            vec![
                address(V6, Some(answer(404, "nginx", "cc", 104)), None),
                address(V4, site(), None),
            ],
            Identity::Unknown,
        ), // a few body bytes differ
        (
            vec![address(V6, None, None), address(V4, site(), None)],
            Identity::Unknown,
        ), // IPv6 never answered
        (vec![address(V4, site(), None)], Identity::Unknown), // IPv4 only
        (vec![address(V6, site(), None)], Identity::Unknown), // IPv6 only
        (vec![], Identity::Unknown),                          // nothing at all
    ];
    for (addresses, expected) in rows {
        let (identity, evidence) = assess(&addresses);
        assert_eq!(identity, expected, "{evidence:?}");
        assert!(!evidence.is_empty() || addresses.len() > 1);
    }
}

#[test]
fn default_servers_on_ipv6() {
    let site = || Some(answer(404, "nginx", "aa", 100));
    let default_page = || Some(answer(404, "nginx", "dd", 102));
    let rows = [
        // IPv6 answers the name like a made-up Host, IPv4 tells them apart: mode 6
        (
            address(V6, default_page(), default_page()),
            address(V4, site(), default_page()),
            true,
        ),
        // IPv6 has the virtual host too
        (
            address(V6, site(), default_page()),
            address(V4, site(), default_page()),
            false,
        ),
        // single-site servers on both families, alike: nothing to fix
        (
            address(V6, site(), site()),
            address(V4, site(), site()),
            false,
        ),
        // another Server altogether is another machine (mode 1), not a default vhost
        (
            address(
                V6,
                Some(answer(404, "Apache", "ee", 90)),
                Some(answer(404, "Apache", "ee", 90)),
            ),
            address(V4, site(), default_page()),
            false,
        ),
        // no made-up Host answer: undecided
        (
            address(V6, default_page(), None),
            address(V4, site(), default_page()),
            false,
        ),
    ];
    for (v6, v4, expected) in rows {
        assert_eq!(default_vhost(&v6, &v4), expected, "{v6:?}");
    }
}

#[test]
fn references_and_host_sensitivity() {
    let site = || Some(answer(404, "nginx", "aa", 100));
    let addresses = [
        address(V6, site(), None),
        address(V4, None, None),
        address("198.51.100.2", site(), site()),
    ];
    // the first IPv4 address that answered stands for the site
    assert_eq!(
        reference(&addresses).unwrap().address.to_string(),
        "198.51.100.2"
    );
    assert_eq!(host_sensitive(&addresses[2]), Some(false));
    assert_eq!(host_sensitive(&addresses[0]), None);
    // without IPv4 answers, the first IPv6 one
    assert_eq!(reference(&addresses[..2]).unwrap().address.to_string(), V6);
}
