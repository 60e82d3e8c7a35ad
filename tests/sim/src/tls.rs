//! TLS servers for the simulated network: rustls on the server side, driven byte by byte by
//! the simulated host, with certificates made at test time by rcgen (see `certs.rs`).
//!
//! Keys are Ed25519, whose signatures are deterministic, and X25519 key shares have a fixed
//! size, so every run exchanges the same number of bytes in the same records: the native core
//! and the component see identical timings.

use std::fmt;
use std::sync::Arc;

use rustls::crypto::ring::default_provider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{Acceptor, ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{ServerConfig, ServerConnection, SupportedProtocolVersion};

/// Which TLS versions a server speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Versions {
    /// TLS 1.2 and 1.3.
    Both,
    /// TLS 1.2 only.
    Tls12,
    /// TLS 1.3 only.
    Tls13,
}

/// A TLS server's configuration: its certificate chain and key, ALPN protocols, versions,
/// and an optional delay of its first flight.
#[derive(Clone)]
pub struct TlsServer {
    key: Arc<CertifiedKey>,
    alpn: Vec<Vec<u8>>,
    versions: Versions,
    delay_ms: u64,
}

impl fmt::Debug for TlsServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsServer")
            .field("certificates", &self.key.cert.len())
            .field("alpn", &self.alpn)
            .field("versions", &self.versions)
            .field("delay_ms", &self.delay_ms)
            .finish()
    }
}

impl PartialEq for TlsServer {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.key, &other.key)
            && self.alpn == other.alpn
            && self.versions == other.versions
            && self.delay_ms == other.delay_ms
    }
}

impl Eq for TlsServer {}

impl TlsServer {
    /// A server presenting `chain` (leaf first, DER) with the PKCS#8 `key`.
    pub fn new(chain: Vec<Vec<u8>>, key: Vec<u8>) -> TlsServer {
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key));
        let signing_key = default_provider()
            .key_provider
            .load_private_key(key)
            .unwrap_or_else(|e| panic!("test key: {e}"));
        let chain = chain.into_iter().map(CertificateDer::from).collect();
        TlsServer {
            key: Arc::new(CertifiedKey::new(chain, signing_key)),
            alpn: Vec::new(),
            versions: Versions::Both,
            delay_ms: 0,
        }
    }

    /// This server, negotiating these ALPN protocols (and refusing clients that offer only
    /// others, with rustls's `no_application_protocol` alert).
    pub fn alpn(mut self, protocols: &[&str]) -> TlsServer {
        self.alpn = protocols.iter().map(|p| p.as_bytes().to_vec()).collect();
        self
    }

    /// This server, speaking only `versions`.
    pub fn versions(mut self, versions: Versions) -> TlsServer {
        self.versions = versions;
        self
    }

    /// This server, sending its first flight `ms` after the client hello arrives.
    pub fn delayed(mut self, ms: u64) -> TlsServer {
        self.delay_ms = ms;
        self
    }

    fn config(&self) -> Arc<ServerConfig> {
        let versions: &[&'static SupportedProtocolVersion] = match self.versions {
            Versions::Both => &[&rustls::version::TLS13, &rustls::version::TLS12],
            Versions::Tls12 => &[&rustls::version::TLS12],
            Versions::Tls13 => &[&rustls::version::TLS13],
        };
        let mut config = ServerConfig::builder_with_provider(Arc::new(default_provider()))
            .with_protocol_versions(versions)
            .unwrap_or_else(|e| panic!("test server: {e}"))
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(Fixed(self.key.clone())));
        config.alpn_protocols = self.alpn.clone();
        Arc::new(config)
    }
}

/// Serves one certificate whatever the client asks (rustls would check the key against the
/// certificate with webpki, which refuses the critical acmeIdentifier extension).
#[derive(Debug)]
struct Fixed(Arc<CertifiedKey>);

impl ResolvesServerCert for Fixed {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}

/// What the client's hello offered, as a server sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelloSeen {
    /// The SNI, if sent.
    pub server_name: Option<String>,
    /// The ALPN protocols offered, in order.
    pub alpn: Vec<String>,
}

/// What one batch of client bytes produced.
#[derive(Default)]
pub(crate) struct Progress {
    /// Bytes for the client.
    pub(crate) output: Vec<u8>,
    /// The client hello, when it was just parsed.
    pub(crate) hello: Option<HelloSeen>,
    /// The first flight's delay, when the hello was just answered.
    pub(crate) delay_ms: u64,
    /// The request head, when it just arrived complete.
    pub(crate) request_head: Option<String>,
}

/// The server side of one TLS connection.
pub(crate) struct TlsConnection {
    server: TlsServer,
    acceptor: Option<Acceptor>,
    connection: Option<ServerConnection>,
    plaintext: Vec<u8>,
    head_seen: bool,
    /// The server sends nothing after its output: EOF follows.
    pub(crate) finished: bool,
}

impl TlsConnection {
    pub(crate) fn new(server: TlsServer) -> TlsConnection {
        TlsConnection {
            server,
            acceptor: Some(Acceptor::default()),
            connection: None,
            plaintext: Vec::new(),
            head_seen: false,
            finished: false,
        }
    }

    /// Feeds bytes from the client.
    pub(crate) fn receive(&mut self, mut data: &[u8]) -> Progress {
        let mut progress = Progress::default();
        if self.finished {
            return progress;
        }
        if let Some(acceptor) = self.acceptor.as_mut() {
            while !data.is_empty() {
                if acceptor.read_tls(&mut data).is_err() {
                    break;
                }
            }
            match acceptor.accept() {
                Ok(None) => return progress,
                Ok(Some(accepted)) => {
                    let hello = accepted.client_hello();
                    progress.hello = Some(HelloSeen {
                        server_name: hello.server_name().map(str::to_string),
                        alpn: hello
                            .alpn()
                            .map(|list| list.map(|p| String::from_utf8_lossy(p).into()).collect())
                            .unwrap_or_default(),
                    });
                    progress.delay_ms = self.server.delay_ms;
                    self.acceptor = None;
                    match accepted.into_connection(self.server.config()) {
                        Ok(connection) => self.connection = Some(connection),
                        Err((_, mut alert)) => {
                            let _ = alert.write_all(&mut progress.output);
                            self.finished = true;
                            return progress;
                        }
                    }
                }
                Err((_, mut alert)) => {
                    let _ = alert.write_all(&mut progress.output);
                    self.finished = true;
                    return progress;
                }
            }
        }
        self.process(data, &mut progress);
        progress
    }

    fn process(&mut self, mut data: &[u8], progress: &mut Progress) {
        let Some(connection) = self.connection.as_mut() else {
            return;
        };
        while !data.is_empty() {
            if connection.read_tls(&mut data).is_err() {
                break;
            }
        }
        if connection.process_new_packets().is_err() {
            self.finished = true;
        }
        let mut chunk = [0u8; 4096];
        while let Ok(n) = std::io::Read::read(&mut connection.reader(), &mut chunk) {
            if n == 0 {
                break;
            }
            self.plaintext.extend_from_slice(&chunk[..n]);
        }
        if !self.head_seen {
            if let Some(end) = crate::host::find(&self.plaintext, b"\r\n\r\n") {
                self.head_seen = true;
                progress.request_head =
                    Some(String::from_utf8_lossy(&self.plaintext[..end]).into());
            }
        }
        drain(connection, &mut progress.output);
    }

    /// Sends `bytes` as application data; `close` ends the stream with close_notify after.
    pub(crate) fn respond(&mut self, bytes: &[u8], close: bool) -> Vec<u8> {
        let mut output = Vec::new();
        if let Some(connection) = self.connection.as_mut() {
            let _ = std::io::Write::write_all(&mut connection.writer(), bytes);
            if close {
                connection.send_close_notify();
                self.finished = true;
            }
            drain(connection, &mut output);
        }
        output
    }
}

fn drain(connection: &mut ServerConnection, output: &mut Vec<u8>) {
    while connection.wants_write() {
        if connection.write_tls(output).is_err() {
            break;
        }
    }
}

/// Raw TLS records for servers rustls cannot play.
pub mod records {
    /// A fatal alert record (`level` 2) with `description`, as a TLS 1.0-1.2 server sends it.
    pub fn fatal_alert(description: u8) -> Vec<u8> {
        vec![0x15, 0x03, 0x01, 0x00, 0x02, 0x02, description]
    }

    /// A TLS 1.1-only server's answer to a client offering only TLS 1.2 and 1.3:
    /// `protocol_version` (as Go's and OpenSSL's servers answer).
    pub fn tls11_only_refusal() -> Vec<u8> {
        fatal_alert(70)
    }

    /// A handshake record holding a truncated ServerHello: a TLS error that is no alert.
    pub fn malformed_server_hello() -> Vec<u8> {
        vec![0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00]
    }
}
