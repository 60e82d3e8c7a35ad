//! The rustls client configuration that behaves like Go's `crypto/tls` client as Boulder sets
//! it up: TLS 1.2 and 1.3, no certificate verification, the handshake signature still checked.
//!
//! Every piece is explicit so that nothing reaches for the operating system: the key exchange
//! and the randomness come from the session's seed (`random.rs`, `kx.rs`), there are no client
//! keys, and time is fixed (`FixedTime`).

use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::Resumption;
use rustls::crypto::ring::cipher_suite as suites;
use rustls::crypto::{CryptoProvider, KeyProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::sign::SigningKey;
use rustls::time_provider::TimeProvider;
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, Error, SignatureScheme};

use super::kx::{SECP256R1, SECP384R1, X25519};
use super::random::LentRandom;
use super::signature::{verify_handshake, OFFERED_SCHEMES};
use super::x509::{self, PublicKey};

/// A client configuration offering `alpn` (none for HTTPS redirect hops, as Go's transport
/// offers none when Boulder sets its own TLS configuration).
pub(crate) fn client_config(alpn: Option<&[u8]>) -> Result<Arc<ClientConfig>, Error> {
    let provider = CryptoProvider {
        // Go's preference order; Go also offers CBC suites, which rustls does not implement.
        cipher_suites: vec![
            suites::TLS13_AES_128_GCM_SHA256,
            suites::TLS13_AES_256_GCM_SHA384,
            suites::TLS13_CHACHA20_POLY1305_SHA256,
            suites::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            suites::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            suites::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            suites::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            suites::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            suites::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ],
        // Go offers X25519MLKEM768 first; ring has no ML-KEM, so X25519 leads.
        kx_groups: vec![&X25519, &SECP256R1, &SECP384R1],
        signature_verification_algorithms: WebPkiSupportedAlgorithms {
            all: &[],
            mapping: &[],
        },
        secure_random: &LentRandom,
        key_provider: &NoKeys,
    };
    let mut config = ClientConfig::builder_with_details(Arc::new(provider), Arc::new(FixedTime))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate))
        .with_no_client_auth();
    config.alpn_protocols = alpn.map(|p| vec![p.to_vec()]).unwrap_or_default();
    config.resumption = Resumption::disabled();
    Ok(Arc::new(config))
}

/// rustls's notion of now. Certificates are never verified (Boulder sets
/// `InsecureSkipVerify`) and session resumption is off, so the value is not used for any
/// decision; the core has no wall clock, and a fixed instant keeps sessions deterministic.
#[derive(Debug)]
struct FixedTime;

/// 2026-01-01T00:00:00Z.
const FIXED_UNIX_SECONDS: u64 = 1_767_225_600;

impl TimeProvider for FixedTime {
    fn current_time(&self) -> Option<UnixTime> {
        Some(UnixTime::since_unix_epoch(Duration::from_secs(
            FIXED_UNIX_SECONDS,
        )))
    }
}

/// The client never authenticates, so it loads no keys.
#[derive(Debug)]
struct NoKeys;

impl KeyProvider for NoKeys {
    fn load_private_key(
        &self,
        _key_der: PrivateKeyDer<'static>,
    ) -> Result<Arc<dyn SigningKey>, Error> {
        Err(Error::General("no client keys".to_string()))
    }
}

/// Go's client with `InsecureSkipVerify`: every certificate must still parse (Go parses the
/// chain before skipping verification) and the leaf must hold an RSA, ECDSA or Ed25519 key;
/// the handshake signature is checked against the leaf's key.
#[derive(Debug)]
struct AcceptAnyCertificate;

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let leaf = x509::parse(end_entity).map_err(|_| bad_encoding())?;
        for certificate in intermediates {
            x509::parse(certificate).map_err(|_| bad_encoding())?;
        }
        match leaf.public_key {
            PublicKey::Rsa(_) | PublicKey::Ec(..) | PublicKey::Ed25519(_) => {
                Ok(ServerCertVerified::assertion())
            }
            PublicKey::Other => Err(Error::InvalidCertificate(CertificateError::BadEncoding)),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        check_signature(message, cert, dss, false)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        check_signature(message, cert, dss, true)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        OFFERED_SCHEMES.to_vec()
    }
}

fn check_signature(
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
    tls13: bool,
) -> Result<HandshakeSignatureValid, Error> {
    let leaf = x509::parse(cert).map_err(|_| bad_encoding())?;
    if verify_handshake(
        &leaf.public_key,
        dss.scheme,
        tls13,
        message,
        dss.signature(),
    ) {
        Ok(HandshakeSignatureValid::assertion())
    } else {
        Err(Error::InvalidCertificate(CertificateError::BadSignature))
    }
}

fn bad_encoding() -> Error {
    Error::InvalidCertificate(CertificateError::BadEncoding)
}

/// The SNI Go sends for `host`, as rustls's server name and as text: none for IP literals,
/// the name without a trailing dot otherwise (`hostnameInSNI`). A name rustls cannot send
/// is sent as no SNI.
pub(crate) fn server_name(host: &str) -> (ServerName<'static>, Option<String>) {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let bare = bare.split('%').next().unwrap_or(bare);
    if let Ok(address) = bare.parse::<std::net::IpAddr>() {
        return (ip_server_name(address), None);
    }
    let name = host.strip_suffix('.').unwrap_or(host);
    match ServerName::try_from(name.to_string()) {
        Ok(server_name) => (server_name, Some(name.to_string())),
        Err(_) => (ip_server_name(std::net::Ipv4Addr::UNSPECIFIED.into()), None),
    }
}

/// rustls sends no SNI for an address.
fn ip_server_name(address: std::net::IpAddr) -> ServerName<'static> {
    use rustls::pki_types::{IpAddr, Ipv4Addr, Ipv6Addr};
    ServerName::IpAddress(match address {
        std::net::IpAddr::V4(v4) => IpAddr::V4(Ipv4Addr::from(v4.octets())),
        std::net::IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(v6.segments())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sni_like_go() {
        let rows = [
            ("example.com", Some("example.com")),  // a name is sent as is
            ("example.com.", Some("example.com")), // without its trailing dot
            ("198.51.100.7", None),                // IP literals get no SNI
            ("[2001:db8::1]", None),               // bracketed IPv6 too
            ("1.0.0.127.in-addr.arpa", Some("1.0.0.127.in-addr.arpa")), // TLS-ALPN-01 reverse names
            ("bad name.example", None),            // rustls cannot send it: no SNI
        ];
        for (host, expected) in rows {
            let (_, sni) = server_name(host);
            assert_eq!(sni.as_deref(), expected, "{host}");
        }
    }

    #[test]
    fn config_builds_for_both_uses() {
        assert!(client_config(None).unwrap().alpn_protocols.is_empty()); // HTTPS hops
        let alpn = client_config(Some(b"acme-tls/1")).unwrap();
        assert_eq!(alpn.alpn_protocols, vec![b"acme-tls/1".to_vec()]); // TLS-ALPN-01
    }
}
