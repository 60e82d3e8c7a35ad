//! A TLS client over one [`Network`] connection: rustls's unbuffered (sans-IO) client. Records
//! rustls encodes go out with `network.send`, bytes from `network.receive` go into rustls, and
//! every wait is bounded by a [`Deadline`].
//!
//! The unbuffered API is used because rustls's buffered `ClientConnection` needs its `std`
//! feature, whose session cache hashes with std's `RandomState`: that would make the
//! component import `wasi:random`.

use std::net::SocketAddr;

use rustls::client::UnbufferedClientConnection;
use rustls::unbuffered::{
    ConnectionState, EncodeError, EncryptError, InsufficientSizeError, UnbufferedStatus,
};

use super::config::{client_config, server_name};
use super::random::{with_source, SeededRandom};
use super::TlsError;
use crate::challenge::deadline::Deadline;
use crate::io::StreamError;
use crate::network::Network;
use crate::policy::limits::RECEIVE_CHUNK;

/// The bytes of a TLS record header.
const RECORD_HEADER_LEN: usize = 5;
/// rustls steps per batch of input: each step consumes input or produces output, so this
/// only guards against a bug.
const MAX_STEPS: usize = 65_536;
/// The largest buffer an encoded record may ask for (a record plus its overhead, doubled).
const MAX_RECORD_BUFFER: usize = 2 * (16_384 + 2_048);

/// An established TLS connection (or one being established).
pub(crate) struct TlsStream<C> {
    connection: C,
    tls: UnbufferedClientConnection,
    random: Option<SeededRandom>,
    /// Received bytes rustls has not consumed yet.
    incoming: Vec<u8>,
    /// Records to send.
    outgoing: Vec<u8>,
    /// Application data waiting for the handshake to finish.
    to_encrypt: Vec<u8>,
    /// Decrypted bytes not yet returned.
    plaintext: Vec<u8>,
    /// The handshake is complete.
    established: bool,
    /// The server sent close_notify, or ended the stream.
    ended: bool,
    /// An error found after some plaintext; returned once that plaintext is read.
    failure: Option<TlsError>,
}

/// What a handshake offers.
pub(crate) struct Hello<'a> {
    /// The host the SNI is derived from (Go's `hostnameInSNI`).
    pub(crate) host: &'a str,
    /// The one ALPN protocol to offer, if any.
    pub(crate) alpn: Option<&'a [u8]>,
}

impl<C> TlsStream<C> {
    /// Runs the client handshake on `connection` until it completes or `deadline` passes.
    pub(crate) async fn handshake<N: Network<Connection = C>>(
        network: &N,
        connection: C,
        address: SocketAddr,
        hello: &Hello<'_>,
        deadline: Deadline,
    ) -> Result<Self, TlsError> {
        let seed = [(); 4].map(|()| network.random_u64());
        let mut random = SeededRandom::new(&seed, 0);
        let config = client_config(hello.alpn)?;
        let (name, sni) = server_name(hello.host);
        network.trace(format!(
            "TLS handshake with {address} (SNI {}, ALPN {})",
            sni.as_deref().unwrap_or("none"),
            hello.alpn.map_or("none".into(), String::from_utf8_lossy)
        ));
        let tls = with_source(&mut random, || {
            UnbufferedClientConnection::new(config, name)
        })?;
        let mut stream = TlsStream {
            connection,
            tls,
            random,
            incoming: Vec::new(),
            outgoing: Vec::new(),
            to_encrypt: Vec::new(),
            plaintext: Vec::new(),
            established: false,
            ended: false,
            failure: None,
        };
        stream.drive()?;
        let mut first_header_checked = false;
        loop {
            stream.flush(network, deadline).await?;
            if stream.established {
                break;
            }
            if stream.ended {
                return Err(TlsError::Stream(StreamError::Closed));
            }
            let bytes = stream.receive_raw(network, deadline).await?;
            if bytes.is_empty() {
                return Err(TlsError::Stream(StreamError::Closed));
            }
            stream.incoming.extend_from_slice(&bytes);
            if !first_header_checked {
                check_first_header(&stream.incoming)?;
                first_header_checked = stream.incoming.len() >= RECORD_HEADER_LEN;
                if !first_header_checked {
                    continue;
                }
            }
            stream.drive()?;
        }
        network.observe_tls(
            address,
            stream.version(),
            stream.alpn(),
            &stream.peer_certificates(),
        );
        network.trace(format!(
            "TLS established with {address}: {}, cipher suite 0x{:04x}, ALPN {}",
            match stream.version() {
                Some(0x0304) => "TLS 1.3",
                Some(0x0303) => "TLS 1.2",
                _ => "TLS",
            },
            stream
                .tls
                .negotiated_cipher_suite()
                .map_or(0, |suite| u16::from(suite.suite())),
            stream.alpn().map_or("none".into(), String::from_utf8_lossy)
        ));
        Ok(stream)
    }

    /// The negotiated protocol version's code (0x0303 for TLS 1.2, 0x0304 for TLS 1.3).
    pub(crate) fn version(&self) -> Option<u16> {
        self.tls.protocol_version().map(u16::from)
    }

    /// The negotiated ALPN protocol.
    pub(crate) fn alpn(&self) -> Option<&[u8]> {
        self.tls.alpn_protocol()
    }

    /// The server's certificates, leaf first.
    pub(crate) fn peer_certificates(&self) -> Vec<Vec<u8>> {
        self.tls
            .peer_certificates()
            .map(|chain| chain.iter().map(|der| der.to_vec()).collect())
            .unwrap_or_default()
    }

    /// Encrypts and sends all of `data`.
    pub(crate) async fn send<N: Network<Connection = C>>(
        &mut self,
        network: &N,
        data: &[u8],
        deadline: Deadline,
    ) -> Result<(), TlsError> {
        self.to_encrypt.extend_from_slice(data);
        self.drive()?;
        self.flush(network, deadline).await
    }

    /// Up to `max_bytes` of plaintext; empty at the end of the stream (with or without the
    /// server's close_notify, as Go's client does not insist on it).
    pub(crate) async fn receive<N: Network<Connection = C>>(
        &mut self,
        network: &N,
        max_bytes: usize,
        deadline: Deadline,
    ) -> Result<Vec<u8>, TlsError> {
        loop {
            if !self.plaintext.is_empty() {
                let take = self.plaintext.len().min(max_bytes.max(1));
                return Ok(self.plaintext.drain(..take).collect());
            }
            if let Some(failure) = self.failure.take() {
                return Err(failure);
            }
            if self.ended {
                return Ok(Vec::new());
            }
            let bytes = self.receive_raw(network, deadline).await?;
            if bytes.is_empty() {
                self.ended = true;
                continue;
            }
            self.incoming.extend_from_slice(&bytes);
            if let Err(error) = self.drive() {
                if self.plaintext.is_empty() {
                    return Err(error);
                }
                self.failure = Some(error);
            }
            self.flush(network, deadline).await?;
        }
    }

    /// Reads ciphertext from the connection within the deadline.
    async fn receive_raw<N: Network<Connection = C>>(
        &self,
        network: &N,
        deadline: Deadline,
    ) -> Result<Vec<u8>, TlsError> {
        let remaining = deadline.remaining_ms(network.now_ms());
        if remaining == 0 {
            return Err(TlsError::Stream(StreamError::Timeout));
        }
        network
            .receive(&self.connection, RECEIVE_CHUNK, remaining)
            .await
            .map_err(TlsError::Stream)
    }

    /// Sends the records waiting to go out.
    async fn flush<N: Network<Connection = C>>(
        &mut self,
        network: &N,
        deadline: Deadline,
    ) -> Result<(), TlsError> {
        if self.outgoing.is_empty() {
            return Ok(());
        }
        let remaining = deadline.remaining_ms(network.now_ms());
        if remaining == 0 {
            return Err(TlsError::Stream(StreamError::Timeout));
        }
        let records = std::mem::take(&mut self.outgoing);
        network
            .send(&self.connection, records, remaining)
            .await
            .map_err(TlsError::Stream)
    }

    /// Runs rustls over the received bytes until it needs the network: encodes what it has
    /// to send, encrypts waiting application data once it may, collects plaintext.
    fn drive(&mut self) -> Result<(), TlsError> {
        for _ in 0..MAX_STEPS {
            let (tls, incoming) = (&mut self.tls, &mut self.incoming);
            let UnbufferedStatus { mut discard, state } =
                with_source(&mut self.random, move || tls.process_tls_records(incoming));
            let more = match state.map_err(TlsError::from)? {
                ConnectionState::EncodeTlsData(mut data) => {
                    grow_into(&mut self.outgoing, |buffer| match data.encode(buffer) {
                        Err(EncodeError::InsufficientSize(size)) => Err(Some(size)),
                        other => other.map_err(|_| None),
                    })?;
                    true
                }
                ConnectionState::TransmitTlsData(transmit) => {
                    // The records are in `outgoing`; `flush` sends them before any wait.
                    transmit.done();
                    true
                }
                ConnectionState::ReadTraffic(mut traffic) => {
                    while let Some(record) = traffic.next_record() {
                        let record = record?;
                        discard = discard.saturating_add(record.discard);
                        self.plaintext.extend_from_slice(record.payload);
                    }
                    true
                }
                ConnectionState::WriteTraffic(mut traffic) => {
                    self.established = true;
                    if !self.to_encrypt.is_empty() {
                        let data = std::mem::take(&mut self.to_encrypt);
                        grow_into(&mut self.outgoing, |buffer| {
                            match traffic.encrypt(&data, buffer) {
                                Err(EncryptError::InsufficientSize(size)) => Err(Some(size)),
                                other => other.map_err(|_| None),
                            }
                        })?;
                    }
                    false
                }
                ConnectionState::BlockedHandshake => false,
                ConnectionState::PeerClosed | ConnectionState::Closed => {
                    self.ended = true;
                    false
                }
                _ => return Err(TlsError::Other("unexpected TLS state".to_string())),
            };
            self.incoming.drain(..discard.min(self.incoming.len()));
            if !more {
                return Ok(());
            }
        }
        Err(TlsError::Other("TLS made no progress".to_string()))
    }
}

/// Appends what `write` puts into a buffer to `out`, growing the buffer once to the size
/// rustls asks for.
fn grow_into(
    out: &mut Vec<u8>,
    mut write: impl FnMut(&mut [u8]) -> Result<usize, Option<InsufficientSizeError>>,
) -> Result<(), TlsError> {
    let start = out.len();
    let mut size = 4096;
    for _ in 0..2 {
        out.resize(start + size, 0);
        match write(&mut out[start..]) {
            Ok(written) => {
                out.truncate(start + written.min(size));
                return Ok(());
            }
            Err(Some(needed)) if needed.required_size <= MAX_RECORD_BUFFER => {
                size = needed.required_size.max(size);
            }
            Err(_) => break,
        }
    }
    out.truncate(start);
    Err(TlsError::Other("cannot encode a TLS record".to_string()))
}

/// Go's check of the first record before the version is known: a handshake or alert record
/// with a version below 0x1000 (`readRecordOrCCS`). Checked once five bytes are in.
fn check_first_header(received: &[u8]) -> Result<(), TlsError> {
    let Some(header) = received.get(..RECORD_HEADER_LEN) else {
        return Ok(());
    };
    let content_type = header[0];
    let version = u16::from_be_bytes([header[1], header[2]]);
    if (content_type == 21 || content_type == 22) && version < 0x1000 {
        return Ok(());
    }
    let mut bytes = [0u8; RECORD_HEADER_LEN];
    bytes.copy_from_slice(header);
    Err(TlsError::RecordHeader(bytes))
}

#[cfg(test)]
mod tests {
    use super::check_first_header;
    use crate::tls::TlsError;

    #[test]
    fn first_record_like_go() {
        let rows: [(&[u8], Option<&[u8; 5]>); 7] = [
            (b"\x16\x03\x03\x00\x40", None),   // a handshake record
            (b"\x15\x03\x01\x00\x02", None),   // an alert (TLS 1.1-only servers)
            (b"HTTP/1.1 400", Some(b"HTTP/")), // plain HTTP on 443
            (b"\x17\x03\x03\x00\x01", Some(b"\x17\x03\x03\x00\x01")), // application data first
            (b"\x16\x10\x00\x00\x01", Some(b"\x16\x10\x00\x00\x01")), // version 16.0 or above
            (b"\x80\x2e\x01", None),           // too short to judge yet
            (b"", None),                       // nothing yet
        ];
        for (received, expected) in rows {
            let got = check_first_header(received).err();
            assert_eq!(
                got,
                expected.map(|h| TlsError::RecordHeader(*h)),
                "{received:02x?}"
            );
        }
    }
}
