//! HTTPS: one self-signed certificate per testbed (rcgen) served by rustls (ring), and
//! TLS-ALPN-01 responders with their own challenge certificates.

use std::io;
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Instant;

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{ServerConfig, ServerConnection, StreamOwned};

use crate::scenario::AcmeTls1;

/// Handshake steps allowed before giving up (each step is bounded by the socket timeouts).
const MAX_HANDSHAKE_STEPS: usize = 64;

/// A TLS 1.2/1.3 server configuration with a fresh self-signed certificate for `names`,
/// negotiating the `alpn` protocols (none: ALPN ignored).
pub fn server_config(names: &[String], alpn: &[String]) -> Result<Arc<ServerConfig>, String> {
    let mut names: Vec<String> = names.to_vec();
    if names.is_empty() {
        names.push("testbed.invalid".to_string());
    }
    let certified =
        rcgen::generate_simple_self_signed(names).map_err(|e| format!("certificate: {e}"))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("tls: {e}"))?
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .map_err(|e| format!("tls: {e}"))?;
    config.alpn_protocols = alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
    Ok(Arc::new(config))
}

/// A TLS-ALPN-01 responder: ALPN `acme-tls/1` only (other clients get rustls's
/// `no_application_protocol` alert), a fresh self-signed certificate naming
/// `acme.identifier` with a critical acmeIdentifier extension of SHA-256(key authorization).
pub fn acme_tls1_config(acme: &AcmeTls1) -> Result<Arc<ServerConfig>, String> {
    let key = rcgen::KeyPair::generate().map_err(|e| format!("key: {e}"))?;
    let mut params = rcgen::CertificateParams::new(vec![acme.identifier.clone()])
        .map_err(|e| format!("acme_tls1 identifier: {e}"))?;
    let digest = ring::digest::digest(&ring::digest::SHA256, acme.key_authorization.as_bytes());
    params
        .custom_extensions
        .push(rcgen::CustomExtension::new_acme_identifier(digest.as_ref()));
    let certificate = params
        .self_signed(&key)
        .map_err(|e| format!("certificate: {e}"))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let signing_key = provider
        .key_provider
        .load_private_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            key.serialize_der(),
        )))
        .map_err(|e| format!("tls: {e}"))?;
    let certified = CertifiedKey::new(vec![certificate.der().clone()], signing_key);
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("tls: {e}"))?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(OneCertificate(Arc::new(certified))));
    config.alpn_protocols = vec![b"acme-tls/1".to_vec()];
    Ok(Arc::new(config))
}

/// Presents one certificate to every client. (`with_single_cert` would check it with webpki,
/// which refuses the critical acmeIdentifier extension it does not know.)
#[derive(Debug)]
struct OneCertificate(Arc<CertifiedKey>);

impl ResolvesServerCert for OneCertificate {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.0))
    }
}

/// Runs the server handshake on `stream`, giving up at `deadline` (checked between steps).
pub fn accept(
    stream: TcpStream,
    config: &Arc<ServerConfig>,
    deadline: Instant,
) -> io::Result<StreamOwned<ServerConnection, TcpStream>> {
    let mut conn = ServerConnection::new(Arc::clone(config)).map_err(io::Error::other)?;
    let mut sock = stream;
    for _ in 0..MAX_HANDSHAKE_STEPS {
        if Instant::now() >= deadline {
            break;
        }
        if !conn.is_handshaking() {
            return Ok(StreamOwned::new(conn, sock));
        }
        let (read, written) = conn.complete_io(&mut sock)?;
        if read == 0 && written == 0 && conn.is_handshaking() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "peer closed during handshake",
            ));
        }
    }
    Err(io::Error::other("handshake did not finish"))
}

/// The SNI the client sent.
pub fn sni(stream: &StreamOwned<ServerConnection, TcpStream>) -> Option<String> {
    stream.conn.server_name().map(str::to_string)
}
