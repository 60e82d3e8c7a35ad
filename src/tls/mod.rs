//! TLS inside the checker: rustls driven sans-IO over the session's connections, set up to
//! behave like the Go `crypto/tls` client Boulder uses.
//!
//! - `session.rs`: a TLS client over a [`Network`](crate::network::Network) connection, the
//!   handshake bounded by a deadline.
//! - `config.rs`: TLS 1.2 and 1.3, no certificate verification (Boulder sets
//!   `InsecureSkipVerify`), handshake signatures still checked, Go's SNI rule.
//! - `random.rs`, `kx.rs`: randomness and key exchange from the session's seed.
//! - `x509.rs`, `x509_name.rs`, `der.rs`, `asn1_time.rs`, `signature.rs`: certificates as Go
//!   parses them, and signature checks with ring.
//! - `alert.rs`: Go's alert texts.
//!
//! Costs and limits: the handshake (rustls and ring) adds about 230 KB to the component, the
//! certificate parsing and checks a little more. ring needs clang to build for
//! wasm32-wasip2. Go features rustls lacks are not offered:
//! X25519MLKEM768 key shares, CBC cipher suites, ECDSA P-521; servers that accept only those
//! fail here where Go would succeed.
//!
//! For other probes (a diagnosis of port 443, say): `TlsStream::handshake` with a `Hello`
//! (SNI host, optional ALPN) over any connection gives the negotiated version and ALPN and the
//! server's certificates; `x509::parse` reads them as Go would.

pub(crate) mod alert;
mod asn1_time;
pub(crate) mod config;
pub(crate) mod der;
mod kx;
mod random;
pub(crate) mod session;
pub(crate) mod signature;
pub(crate) mod x509;
mod x509_name;

use std::fmt;

use crate::io::StreamError;

pub(crate) use session::TlsStream;

/// `HTTP/`: the first bytes of a plain HTTP response (Boulder's `badTLSHeader`).
const HTTP_RECORD_HEADER: [u8; 5] = *b"HTTP/";

/// Why a TLS connection failed, in the terms Boulder's `detailedError` distinguishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TlsError {
    /// The server sent a fatal alert: Go's `remote error: tls: <text>`.
    Alert(u8),
    /// The client refused a record and sent this alert: Go's `local error: tls: <text>`
    /// (a record that fails to decrypt).
    Local(u8),
    /// The server's first bytes are no TLS record header (Go's `RecordHeaderError`).
    RecordHeader([u8; 5]),
    /// The connection failed under the handshake or the exchange; `Timeout` when the
    /// handshake timeout or the validation's deadline ran out.
    Stream(StreamError),
    /// Any other TLS failure. Go's texts for these differ case by case and Boulder shows
    /// none of them ("Error getting validation data"); rustls's description is kept for the
    /// trace.
    Other(String),
}

impl TlsError {
    /// True when the server answered in plain HTTP (Boulder: "Server only speaks HTTP, not
    /// TLS", for TLS-ALPN-01 only).
    pub(crate) fn is_plain_http(&self) -> bool {
        *self == TlsError::RecordHeader(HTTP_RECORD_HEADER)
    }

    /// Go's text for the error when it ends a body read, for the errors that are TLS's own
    /// (`None` for stream errors, which have their own texts).
    pub(crate) fn go_text(&self) -> Option<String> {
        match self {
            TlsError::Alert(code) => Some(format!("remote error: {}", alert::alert_text(*code))),
            TlsError::Local(code) => Some(format!("local error: {}", alert::alert_text(*code))),
            TlsError::RecordHeader(_) => {
                Some("tls: first record does not look like a TLS handshake".to_string())
            }
            TlsError::Other(text) => Some(text.clone()),
            TlsError::Stream(_) => None,
        }
    }
}

/// For the trace: what happened, in words.
impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::Alert(code) => {
                write!(f, "the server sent the alert {}", alert::alert_text(*code))
            }
            TlsError::Local(code) => write!(f, "refused a record ({})", alert::alert_text(*code)),
            TlsError::RecordHeader(_) if self.is_plain_http() => {
                write!(f, "the server answered in plain HTTP")
            }
            TlsError::RecordHeader(header) => {
                write!(
                    f,
                    "the server's first bytes are no TLS record: {header:02x?}"
                )
            }
            TlsError::Stream(StreamError::Timeout) => write!(f, "timed out"),
            TlsError::Stream(StreamError::Reset) => write!(f, "the connection was reset"),
            TlsError::Stream(StreamError::Closed) => write!(f, "the server closed the connection"),
            TlsError::Stream(StreamError::Other(text)) | TlsError::Other(text) => {
                write!(f, "{text}")
            }
        }
    }
}

impl From<rustls::Error> for TlsError {
    fn from(error: rustls::Error) -> Self {
        match error {
            rustls::Error::AlertReceived(description) => TlsError::Alert(u8::from(description)),
            // Go: `c.sendAlert(alertBadRecordMAC)` returned as the error.
            rustls::Error::DecryptError => TlsError::Local(20),
            other => TlsError::Other(describe(&other).to_string()),
        }
    }
}

/// A short description of a rustls error for the trace. Formatting rustls's errors (or any
/// of its enums) with `Display`/`Debug` would link their large formatting tables into the
/// component, so only the kind is named.
fn describe(error: &rustls::Error) -> &'static str {
    use rustls::Error as E;
    match error {
        E::InappropriateMessage { .. } | E::InappropriateHandshakeMessage { .. } => {
            "the server sent an unexpected message"
        }
        E::InvalidMessage(_) => "the server sent a malformed message",
        E::NoCertificatesPresented => "the server sent no certificate",
        E::PeerIncompatible(_) => "the server's choices are incompatible with the client's",
        E::PeerMisbehaved(_) => "the server broke the protocol",
        E::InvalidCertificate(_) => {
            "the server's certificate does not parse or its signature fails"
        }
        E::PeerSentOversizedRecord => "the server sent an oversized record",
        E::NoApplicationProtocol => "the server selected an ALPN protocol that was not offered",
        E::FailedToGetRandomBytes => "no randomness available",
        _ => "TLS error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_rustls_errors_like_go() {
        use rustls::AlertDescription;
        let rows = [
            (
                rustls::Error::AlertReceived(AlertDescription::HandshakeFailure),
                Some("remote error: tls: handshake failure"),
            ), // T1: an alert from the server
            (
                rustls::Error::AlertReceived(AlertDescription::Unknown(200)),
                Some("remote error: tls: alert(200)"),
            ), // an alert Go has no name for
            (
                rustls::Error::DecryptError,
                Some("local error: tls: bad record MAC"),
            ), // a record that does not decrypt
        ];
        for (error, text) in rows {
            assert_eq!(TlsError::from(error).go_text().as_deref(), text);
        }
        assert!(TlsError::RecordHeader(*b"HTTP/").is_plain_http()); // T3
        assert!(!TlsError::RecordHeader(*b"\x17\x03\x03\x00\x01").is_plain_http());
        // T4
    }
}
