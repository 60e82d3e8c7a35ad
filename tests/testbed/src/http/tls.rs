//! HTTPS: one self-signed certificate per testbed (rcgen) served by rustls (ring).

use std::io;
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Instant;

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

/// Handshake steps allowed before giving up (each step is bounded by the socket timeouts).
const MAX_HANDSHAKE_STEPS: usize = 64;

/// A TLS 1.2/1.3 server configuration with a fresh self-signed certificate for `names`.
pub fn server_config(names: &[String]) -> Result<Arc<ServerConfig>, String> {
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
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("tls: {e}"))?
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .map_err(|e| format!("tls: {e}"))?;
    Ok(Arc::new(config))
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
