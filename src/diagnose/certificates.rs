//! Port 443's certificates across families: a second, independent sign of whether IPv6
//! reaches the server IPv4 reaches (Let's Encrypt does not check them; people do).

use std::collections::BTreeSet;

use crate::report::{AddressObservation, CertificateSummary, Identity};

/// The certificate an address presented on port 443 to the HTTPS request (the `acme-tls/1`
/// handshake's may be a challenge certificate, so it does not count).
pub(crate) fn certificate(address: &AddressObservation) -> Option<&CertificateSummary> {
    address.https.as_ref()?.tls.as_ref()?.certificate.as_ref()
}

/// How IPv6 address `v6`'s certificate compares with IPv4's `site`, with the evidence line;
/// `None` when either has none.
pub(crate) fn compare(
    v6: &AddressObservation,
    site: &AddressObservation,
) -> Option<(Identity, String)> {
    let (mine, theirs) = (certificate(v6)?, certificate(site)?);
    let (a6, a4) = (v6.address, site.address);
    if mine.sha256 == theirs.sha256 {
        let line = format!(
            "IPv6 {a6} and IPv4 {a4} present the same certificate on port 443 ({})",
            describe(mine)
        );
        return Some((Identity::Same, line));
    }
    if names(mine) == names(theirs) {
        let line = format!(
            "IPv6 {a6} and IPv4 {a4} present different certificates for the same names on port 443 ({}; several servers or a renewal not deployed everywhere)",
            describe(mine)
        );
        return Some((Identity::Unknown, line));
    }
    let line = format!(
        "IPv6 {a6} presents a certificate for {} on port 443 where IPv4 {a4} presents one for {}",
        describe(mine),
        describe(theirs)
    );
    Some((Identity::Different, line))
}

/// The names a certificate covers: its subject alternative names, or the common name when it
/// has none.
fn names(certificate: &CertificateSummary) -> BTreeSet<String> {
    let names = certificate.names.iter().map(|n| n.to_ascii_lowercase());
    let mut set: BTreeSet<String> = names.collect();
    if set.is_empty() {
        set.extend(certificate.subject.iter().map(|n| n.to_ascii_lowercase()));
    }
    set
}

/// `example.com, www.example.com, issued by R11` (or `self-signed`), shortened.
fn describe(certificate: &CertificateSummary) -> String {
    let mut names: Vec<String> = names(certificate).into_iter().collect();
    if names.is_empty() {
        names.push("no names".to_string());
    }
    if names.len() > 4 {
        let more = names.len() - 3;
        names.truncate(3);
        names.push(format!("{more} more"));
    }
    let issuer = match (&certificate.issuer, certificate.self_issued) {
        (_, true) => "self-signed".to_string(),
        (Some(issuer), false) => format!("issued by {issuer}"),
        (None, false) => "issuer without a name".to_string(),
    };
    format!("{}, {issuer}", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::{compare, describe};
    use crate::report::{
        AddressObservation, AddressRole, CertificateSummary, ConnectResult, Identity, Probe,
        TlsSummary,
    };

    fn cert(sha: &str, names: &[&str], issuer: Option<&str>) -> CertificateSummary {
        CertificateSummary {
            sha256: sha.into(),
            subject: names.first().map(|n| n.to_string()),
            names: names.iter().map(|n| n.to_string()).collect(),
            issuer: issuer.map(str::to_string),
            self_issued: issuer.is_none(),
        }
    }

    fn at(ip: &str, certificate: Option<CertificateSummary>) -> AddressObservation {
        let probe = Probe {
            host: "example.com".into(),
            connect: ConnectResult::Connected,
            connect_ms: 1,
            response: None,
            error: None,
            received_bytes: 0,
            elapsed_ms: 1,
            tls: Some(TlsSummary {
                version: "TLS 1.3".into(),
                alpn: None,
                certificate,
            }),
        };
        AddressObservation {
            address: ip.parse().unwrap(),
            index: 0,
            role: AddressRole::First,
            ignored: None,
            probe: None,
            bogus_host: None,
            alone: None,
            https: Some(probe),
            acme_tls: None,
        }
    }

    #[test]
    fn certificates_across_families() {
        let site = at(
            "198.51.100.1",
            Some(cert("aa", &["example.com", "www.example.com"], Some("R11"))),
        );
        let rows = [
            (
                cert("aa", &["example.com", "www.example.com"], Some("R11")),
                Identity::Same,
            ),
            (
                cert("bb", &["WWW.example.com", "example.com"], Some("R10")),
                Identity::Unknown,
            ),
            (cert("cc", &["router.local"], None), Identity::Different),
        ];
        for (certificate, expected) in rows {
            let (identity, line) = compare(&at("2001:db8::1", Some(certificate)), &site).unwrap();
            assert_eq!(identity, expected, "{line}");
        }
        assert_eq!(compare(&at("2001:db8::1", None), &site), None);
    }

    #[test]
    fn descriptions() {
        let many = cert(
            "aa",
            &[
                "a.example",
                "b.example",
                "c.example",
                "d.example",
                "e.example",
            ],
            Some("R11"),
        );
        assert_eq!(
            describe(&many),
            "a.example, b.example, c.example, 2 more, issued by R11"
        );
        assert_eq!(describe(&cert("aa", &[], None)), "no names, self-signed");
    }
}
