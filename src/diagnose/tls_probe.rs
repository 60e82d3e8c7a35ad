//! Port 443 of one address: the TLS-ALPN-01 handshake Let's Encrypt makes there (offering
//! only `acme-tls/1`), and what any completed handshake shows about the server.

use std::net::{IpAddr, SocketAddr};

use super::book::Book;
use super::network::LeNetwork;
use super::probe::dialled;
use crate::challenge::deadline::Deadline;
use crate::challenge::tls_alpn01::{get_challenge_cert, sni_name, AttemptError};
use crate::digest::sha256_hex;
use crate::job::{Identifier, Options};
use crate::network::Network;
use crate::policy::limits::HTTPS_PORT;
use crate::report::{CertificateSummary, Probe, TlsSummary};
use crate::tls::x509;

/// Makes Let's Encrypt's TLS-ALPN-01 handshake with `address` alone: connect and handshake
/// within one connect timeout, SNI the identifier's, ALPN `acme-tls/1`. No request follows.
pub(crate) async fn acme_tls<N: Network>(
    network: &N,
    book: &Book,
    identifier: &Identifier,
    address: IpAddr,
    options: &Options,
) -> Probe {
    let network = LeNetwork::new(network, book, None);
    let deadline = Deadline::tls_alpn01(network.now_ms(), options.deadline_ms);
    let attempt = get_challenge_cert(&network, identifier, address, options, deadline).await;
    let error = match attempt {
        Ok(_) | Err(AttemptError::Dial(_)) => None,
        Err(error) => Some(error.problem(address).detail),
    };
    let log = network.take_log();
    let (connect, connect_ms) = dialled(&log, SocketAddr::new(address, HTTPS_PORT));
    Probe {
        host: sni_name(identifier),
        connect,
        connect_ms,
        response: None,
        error,
        received_bytes: log.received_bytes,
        elapsed_ms: network.elapsed_ms().saturating_sub(connect_ms),
        tls: log.handshakes.into_iter().map(|(_, tls)| tls).next(),
    }
}

/// A completed handshake as the report shows it.
pub(crate) fn tls_summary(
    version: Option<u16>,
    alpn: Option<&[u8]>,
    certificates: &[Vec<u8>],
) -> TlsSummary {
    let version = match version {
        Some(0x0304) => "TLS 1.3".to_string(),
        Some(0x0303) => "TLS 1.2".to_string(),
        Some(other) => format!("0x{other:04x}"),
        None => "unknown".to_string(),
    };
    TlsSummary {
        version,
        alpn: alpn.map(|protocol| String::from_utf8_lossy(protocol).into_owned()),
        certificate: certificates
            .first()
            .and_then(|der| certificate_summary(der)),
    }
}

/// The leaf certificate reduced to what identifies it; `None` when Go would not parse it.
fn certificate_summary(der: &[u8]) -> Option<CertificateSummary> {
    let certificate = x509::parse(der).ok()?;
    let names = &certificate.alt_names;
    let addresses = names.ip_addresses.iter().filter_map(|bytes| ip_of(bytes));
    Some(CertificateSummary {
        sha256: sha256_hex(der),
        subject: certificate.common_name.clone(),
        names: names
            .dns_names
            .iter()
            .cloned()
            .chain(addresses.map(|ip| ip.to_string()))
            .collect(),
        issuer: certificate.issuer_common_name.clone(),
        self_issued: certificate.raw_issuer == certificate.raw_subject,
    })
}

/// An iPAddress SAN entry (4 or 16 bytes).
fn ip_of(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}
