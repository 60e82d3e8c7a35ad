//! Certificates made at test time (rcgen, Ed25519 keys): ordinary self-signed ones for HTTPS
//! sites, and TLS-ALPN-01 challenge certificates, correct or broken in one chosen way.

use rcgen::{CertificateParams, CustomExtension, DnType, Issuer, KeyPair, SanType, PKCS_ED25519};
use ring::digest::{digest, SHA256};

use crate::tls::TlsServer;

/// The acmeIdentifier extension's OID (RFC 8737).
const ACME_IDENTIFIER: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 1, 31];
/// The subjectAltName extension's OID.
const SUBJECT_ALT_NAME: &[u64] = &[2, 5, 29, 17];

/// How a TLS-ALPN-01 challenge certificate is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Challenge<'a> {
    /// Right: self-signed, one SAN for the identifier, critical acmeIdentifier of
    /// SHA-256(key authorization).
    Correct,
    /// The SAN names this identifier instead (a DNS name or an IP literal).
    WrongIdentifier(&'a str),
    /// Signed by a separate CA key and name.
    NotSelfSigned,
    /// No acmeIdentifier extension.
    MissingExtension,
    /// The acmeIdentifier extension is not critical.
    NotCritical,
    /// The acmeIdentifier holds SHA-256 of another text.
    WrongDigest,
    /// The acmeIdentifier holds the bare digest, not an OCTET STRING.
    MalformedValue,
    /// Two acmeIdentifier extensions (Go's parser refuses the certificate).
    DuplicateAcmeExtension,
    /// Two subjectAltName extensions (Go's parser refuses the certificate).
    DuplicateSan,
}

/// A self-signed certificate for `names` (DNS names or IP literals) and its server.
pub fn site(names: &[&str]) -> TlsServer {
    let key = KeyPair::generate_for(&PKCS_ED25519).unwrap_or_else(|e| panic!("key: {e}"));
    let params = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        .unwrap_or_else(|e| panic!("params: {e}"));
    let certificate = params
        .self_signed(&key)
        .unwrap_or_else(|e| panic!("certificate: {e}"));
    TlsServer::new(vec![certificate.der().to_vec()], key.serialize_der())
}

/// A TLS-ALPN-01 responder (ALPN `acme-tls/1` only) for `identifier` and `key_authorization`,
/// with a certificate made as `how` says.
pub fn acme_responder(identifier: &str, key_authorization: &str, how: Challenge<'_>) -> TlsServer {
    let key = KeyPair::generate_for(&PKCS_ED25519).unwrap_or_else(|e| panic!("key: {e}"));
    let der = challenge_certificate(identifier, key_authorization, how, &key);
    TlsServer::new(vec![der], key.serialize_der()).alpn(&["acme-tls/1"])
}

/// The DER of a challenge certificate signed with `key` (or by a CA for `NotSelfSigned`).
pub fn challenge_certificate(
    identifier: &str,
    key_authorization: &str,
    how: Challenge<'_>,
    key: &KeyPair,
) -> Vec<u8> {
    let san = match how {
        Challenge::WrongIdentifier(other) => other,
        _ => identifier,
    };
    let mut params =
        CertificateParams::new(vec![san.to_string()]).unwrap_or_else(|e| panic!("params: {e}"));
    let good = digest(&SHA256, key_authorization.as_bytes())
        .as_ref()
        .to_vec();
    let octet_string = |bytes: &[u8]| [&[0x04, bytes.len() as u8][..], bytes].concat();
    let acme = |value: Vec<u8>, critical: bool| {
        let mut extension = CustomExtension::from_oid_content(ACME_IDENTIFIER, value);
        extension.set_criticality(critical);
        extension
    };
    let extensions = match how {
        Challenge::MissingExtension => vec![],
        Challenge::NotCritical => vec![acme(octet_string(&good), false)],
        Challenge::WrongDigest => {
            let wrong = digest(&SHA256, b"not the key authorization");
            vec![acme(octet_string(wrong.as_ref()), true)]
        }
        Challenge::MalformedValue => vec![acme(good.clone(), true)],
        Challenge::DuplicateAcmeExtension => {
            vec![
                acme(octet_string(&good), true),
                acme(octet_string(&good), true),
            ]
        }
        Challenge::DuplicateSan => vec![
            acme(octet_string(&good), true),
            CustomExtension::from_oid_content(SUBJECT_ALT_NAME, san_der(&params.subject_alt_names)),
        ],
        _ => vec![acme(octet_string(&good), true)],
    };
    params.custom_extensions = extensions;
    let certificate = if how == Challenge::NotSelfSigned {
        let ca_key = KeyPair::generate_for(&PKCS_ED25519).unwrap_or_else(|e| panic!("key: {e}"));
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|e| panic!("{e}"));
        ca.distinguished_name
            .push(DnType::CommonName, "Simulated CA");
        params.signed_by(key, &Issuer::new(ca, ca_key))
    } else {
        params.self_signed(key)
    };
    certificate
        .unwrap_or_else(|e| panic!("certificate: {e}"))
        .der()
        .to_vec()
}

/// A subjectAltName value for one DNS name or IP address.
fn san_der(names: &[SanType]) -> Vec<u8> {
    let (tag, bytes) = match names.first() {
        Some(SanType::IpAddress(std::net::IpAddr::V4(v4))) => (0x87, v4.octets().to_vec()),
        Some(SanType::IpAddress(std::net::IpAddr::V6(v6))) => (0x87, v6.octets().to_vec()),
        Some(SanType::DnsName(name)) => (0x82, name.as_str().as_bytes().to_vec()),
        _ => (0x82, Vec::new()),
    };
    let inner = [&[tag, bytes.len() as u8][..], &bytes].concat();
    [&[0x30, inner.len() as u8][..], &inner].concat()
}
