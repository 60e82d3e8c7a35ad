//! `Network`: the small I/O trait the policy is written against.
//!
//! The policy (`challenge/`) is ordinary async Rust over this trait. Inside a session the trait
//! is implemented by turning each call into a request for the host (`session/reactor.rs`);
//! nothing here touches a socket or a clock.

use std::net::SocketAddr;

use crate::io::{DialError, DnsTransport, DnsTransportError, StreamError};

/// The operations the checker needs from the outside world.
#[allow(async_fn_in_trait)] // Futures are polled on one thread by the session; no Send needed.
pub trait Network {
    /// An open TCP connection. Dropping it closes it.
    type Connection;

    /// The host's monotonic clock, in milliseconds, as of the current step.
    fn now_ms(&self) -> u64;

    /// A pseudo-random number from the session's seed.
    fn random_u64(&self) -> u64;

    /// Record a line for the human account of the validation.
    fn trace(&self, message: String);

    /// Exchange one DNS message with the resolver.
    async fn exchange_dns(
        &self,
        transport: DnsTransport,
        message: Vec<u8>,
        timeout_ms: u32,
    ) -> Result<Vec<u8>, DnsTransportError>;

    /// Open a TCP connection to exactly `address`.
    async fn connect(
        &self,
        address: SocketAddr,
        timeout_ms: u32,
    ) -> Result<Self::Connection, DialError>;

    /// Write all of `data`.
    async fn send(
        &self,
        connection: &Self::Connection,
        data: Vec<u8>,
        timeout_ms: u32,
    ) -> Result<(), StreamError>;

    /// Read up to `max_bytes`; an empty result is the end of the stream.
    async fn receive(
        &self,
        connection: &Self::Connection,
        max_bytes: u32,
        timeout_ms: u32,
    ) -> Result<Vec<u8>, StreamError>;

    /// Wait `duration_ms`.
    async fn sleep(&self, duration_ms: u32);

    /// Called with the head of every HTTP response the policy reads and the address it came
    /// from. Sessions ignore it; `diagnose` fingerprints the servers of a chain with it.
    fn observe_response(&self, _address: SocketAddr, _head: &crate::http::ResponseHead) {}

    /// Called when a TLS handshake with `address` completes: the version code, the ALPN
    /// protocol and the server's certificates. Sessions ignore it; `diagnose` keeps what port
    /// 443 showed even when the request after the handshake fails.
    fn observe_tls(
        &self,
        _address: SocketAddr,
        _version: Option<u16>,
        _alpn: Option<&[u8]>,
        _certificates: &[Vec<u8>],
    ) {
    }
}
