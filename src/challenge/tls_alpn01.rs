//! TLS-ALPN-01, step by step as Boulder does it: port of `va/tlsalpn.go`
//! (`validateTLSALPN01`, `tryGetChallengeCert`, `getChallengeCert`) at 2d00c8e.
//!
//! One address per family: the first AAAA answer is tried first, and **any** error there
//! (connect, handshake, alert, timeout, unparsable certificate) moves on to the first A
//! answer. One validation record, with `addressesTried` after a fallback.

use std::net::{IpAddr, SocketAddr};

use crate::challenge::cause::{dial_message, tls_message};
use crate::challenge::deadline::Deadline;
use crate::challenge::tls_alpn01_certificate::{check_certificate, ACME_TLS_1};
use crate::http::go_quote;
use crate::io::DialError;
use crate::job::{ChallengeType, Identifier, Options, Validation};
use crate::network::Network;
use crate::policy::addresses::get_addrs;
use crate::policy::limits::HTTPS_PORT;
use crate::report::{Problem, ProblemType, Report, Status, ValidationRecord};
use crate::tls::session::Hello;
use crate::tls::{TlsError, TlsStream};

/// Port of `validateTLSALPN01`: fetch the challenge certificate, then check it.
pub(crate) async fn validate<N: Network>(
    network: &N,
    validation: &Validation,
    options: &Options,
) -> Report {
    let deadline = Deadline::tls_alpn01(network.now_ms(), options.deadline_ms);
    let identifier = &validation.identifier;
    // Boulder makes the record first: a failed lookup returns it with hostname and port alone.
    let mut record = ValidationRecord {
        url: None,
        hostname: identifier.host(),
        port: HTTPS_PORT,
        addresses_resolved: Vec::new(),
        address_used: None,
        addresses_tried: Vec::new(),
    };
    let fetched = try_get_challenge_cert(network, identifier, options, deadline, &mut record);
    let result = match (fetched.await, record.address_used) {
        (Ok(handshake), Some(used)) => check_certificate(
            &handshake,
            identifier,
            &validation.key_authorization,
            SocketAddr::new(used, record.port),
        ),
        (Ok(_), None) => Err(Problem::new(
            ProblemType::Connection,
            "Error getting validation data",
        )),
        (Err(problem), _) => Err(problem),
    };
    let (status, problem) = match result {
        Ok(()) => (Status::Valid, None),
        Err(problem) => (Status::Invalid, Some(problem)),
    };
    Report {
        challenge: ChallengeType::TlsAlpn01,
        status,
        problem,
        records: vec![record],
        trace: Vec::new(),
        notes: Vec::new(),
        diagnosis: None,
    }
}

/// What a completed handshake showed.
pub(crate) struct Handshake {
    /// The server's certificates, leaf first.
    pub(crate) certificates: Vec<Vec<u8>>,
    /// The negotiated ALPN protocol.
    pub(crate) alpn: Option<Vec<u8>>,
}

/// Why one address failed (`getChallengeCert`'s errors).
pub(crate) enum AttemptError {
    /// The TCP connect failed.
    Dial(DialError),
    /// The TLS handshake failed or timed out.
    Tls(TlsError),
    /// The handshake ended without certificates (Boulder's own error, not IP-prefixed).
    NoCertificates,
}

impl AttemptError {
    /// `detailedError` of the attempt's error: `"<ip>: <message>"` (Boulder's `ipError`).
    pub(crate) fn problem(&self, ip: IpAddr) -> Problem {
        let (problem_type, message) = match self {
            AttemptError::Dial(error) => (ProblemType::Connection, dial_message(error).to_string()),
            AttemptError::Tls(error) => tls_message(error),
            AttemptError::NoCertificates => {
                return Problem::new(
                    ProblemType::Unauthorized,
                    "No certs presented for tls-alpn-01 challenge",
                )
            }
        };
        Problem::new(problem_type, format!("{ip}: {message}"))
    }
}

/// Port of `tryGetChallengeCert`: resolve, try `v6[0]`, fall back to `v4[0]` after any error.
async fn try_get_challenge_cert<N: Network>(
    network: &N,
    identifier: &Identifier,
    options: &Options,
    deadline: Deadline,
    record: &mut ValidationRecord,
) -> Result<Handshake, Problem> {
    let addresses = match identifier {
        Identifier::Ip(address) => vec![*address],
        Identifier::Dns(name) => get_addrs(network, name, options, deadline)
            .await
            .map_err(|failure| Problem::new(ProblemType::Dns, failure.to_string()))?,
    };
    record.addresses_resolved.clone_from(&addresses);
    let v6 = addresses.iter().copied().find(IpAddr::is_ipv6);
    let v4 = addresses.iter().copied().find(IpAddr::is_ipv4);
    let host = identifier.host();
    let Some(first) = v6.or(v4) else {
        let detail = format!("no IP addresses found for {}", go_quote(host.as_bytes()));
        return Err(Problem::new(ProblemType::Malformed, detail));
    };
    record.address_used = Some(first);
    if let Some(v6) = v6 {
        match get_challenge_cert(network, identifier, v6, options, deadline).await {
            Ok(handshake) => return Ok(handshake),
            Err(error) => {
                let problem = error.problem(v6);
                network.trace(format!(
                    "IPv6 attempt failed ({}); Let's Encrypt tries the first IPv4 address next",
                    problem.detail
                ));
                record.addresses_tried.push(v6);
            }
        }
    }
    let Some(v4) = v4 else {
        let detail = format!(
            "Unable to contact {} at {}, no IPv4 addresses to try as fallback",
            go_quote(host.as_bytes()),
            go_quote(first.to_string().as_bytes())
        );
        return Err(Problem::new(ProblemType::Malformed, detail));
    };
    record.address_used = Some(v4);
    get_challenge_cert(network, identifier, v4, options, deadline)
        .await
        .map_err(|error| error.problem(v4))
}

/// Port of `getChallengeCert`: connect and handshake within one `singleDialTimeout`, offering
/// only `acme-tls/1`, with the identifier's SNI; the connection is closed afterwards.
pub(crate) async fn get_challenge_cert<N: Network>(
    network: &N,
    identifier: &Identifier,
    ip: IpAddr,
    options: &Options,
    deadline: Deadline,
) -> Result<Handshake, AttemptError> {
    let attempt_deadline = deadline.within(network.now_ms(), options.connect_timeout_ms);
    let address = SocketAddr::new(ip, HTTPS_PORT);
    let timeout = attempt_deadline.remaining_ms(network.now_ms());
    network.trace(format!("connect to {address} (timeout {timeout} ms)"));
    let connection = network.connect(address, timeout).await.map_err(|error| {
        network.trace(format!("connect to {address}: {error:?}"));
        AttemptError::Dial(error)
    })?;
    let server_name = sni_name(identifier);
    let hello = Hello {
        host: &server_name,
        alpn: Some(ACME_TLS_1),
    };
    let stream = TlsStream::handshake(network, connection, address, &hello, attempt_deadline)
        .await
        .map_err(|error| {
            network.trace(format!("TLS handshake with {address}: {error}"));
            AttemptError::Tls(error)
        })?;
    let certificates = stream.peer_certificates();
    if certificates.is_empty() {
        return Err(AttemptError::NoCertificates);
    }
    Ok(Handshake {
        certificates,
        alpn: stream.alpn().map(<[u8]>::to_vec),
    })
}

/// The SNI: the DNS name, or for IP identifiers the reverse-DNS name (miekg/dns
/// `ReverseAddr`, whose trailing dot Go's SNI drops).
pub(crate) fn sni_name(identifier: &Identifier) -> String {
    match identifier {
        Identifier::Dns(name) => name.clone(),
        Identifier::Ip(IpAddr::V4(v4)) => {
            let [a, b, c, d] = v4.octets();
            format!("{d}.{c}.{b}.{a}.in-addr.arpa")
        }
        Identifier::Ip(IpAddr::V6(v6)) => {
            let mut name = String::with_capacity(72);
            for byte in v6.octets().iter().rev() {
                name.push_str(&format!("{:x}.{:x}.", byte & 0x0f, byte >> 4));
            }
            name.push_str("ip6.arpa");
            name
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sni_like_test_tls_alpn01_server_name() {
        let rows = [
            (
                Identifier::Dns("example.com".into()),
                "example.com".to_string(),
            ),
            (
                Identifier::Ip("127.0.0.1".parse().unwrap()),
                "1.0.0.127.in-addr.arpa".into(),
            ),
            (
                Identifier::Ip("::1".parse().unwrap()),
                format!("1.{}ip6.arpa", "0.".repeat(31)),
            ), // TestTLSALPN01ServerName's IPv6 row
            (
                Identifier::Ip("2001:db8::ab".parse().unwrap()),
                format!("b.a.{}8.b.d.0.1.0.0.2.ip6.arpa", "0.".repeat(22)),
            ), // nibbles, low first
        ];
        for (identifier, expected) in rows {
            assert_eq!(sni_name(&identifier), expected);
        }
    }

    #[test]
    fn attempt_errors_carry_the_ip() {
        let ip: IpAddr = "198.51.100.7".parse().unwrap();
        let rows = [
            (
                AttemptError::Dial(DialError::Refused),
                ProblemType::Connection,
                "198.51.100.7: Connection refused",
            ),
            (
                AttemptError::Dial(DialError::Timeout),
                ProblemType::Connection,
                "198.51.100.7: Timeout during connect (likely firewall problem)",
            ),
            (
                AttemptError::Tls(TlsError::Stream(crate::io::StreamError::Timeout)),
                ProblemType::Connection,
                "198.51.100.7: Timeout after connect (your server may be slow or overloaded)",
            ),
            (
                AttemptError::Tls(TlsError::Alert(120)),
                ProblemType::Tls,
                "198.51.100.7: remote error: tls: no application protocol",
            ),
            (
                AttemptError::Tls(TlsError::RecordHeader(*b"HTTP/")),
                ProblemType::Malformed,
                "198.51.100.7: Server only speaks HTTP, not TLS",
            ),
            (
                AttemptError::Tls(TlsError::Other("x".into())),
                ProblemType::Connection,
                "198.51.100.7: Error getting validation data",
            ),
            (
                AttemptError::NoCertificates,
                ProblemType::Unauthorized,
                "No certs presented for tls-alpn-01 challenge",
            ),
        ];
        for (error, problem_type, detail) in rows {
            let problem = error.problem(ip);
            assert_eq!(
                (problem.problem_type, problem.detail.as_str()),
                (problem_type, detail)
            );
        }
    }
}
