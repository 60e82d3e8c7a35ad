//! The I/O vocabulary between the checker and its host, as plain Rust data.
//!
//! Requests are imperative (`connect`, `send`, ...); the host's answers are past tense
//! (`Connected`, `Sent`, ...). `component.rs` converts these to and from the WIT types of
//! `wit/io.wit`, which documents each case for host authors.

use std::fmt;
use std::net::SocketAddr;

/// Names one request; the checker numbers them 1, 2, 3, ... and never reuses a number.
/// A connect request's id also names the connection it opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub u32);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// How a DNS message travels to the resolver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DnsTransport {
    /// UDP (or DNS over HTTPS): one message each way.
    Datagram,
    /// TCP with a two-byte length prefix (or DNS over HTTPS).
    ByteStream,
}

/// What the checker asks the host to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// Exchange one DNS message with the resolver.
    ExchangeDns {
        /// The transport to use.
        transport: DnsTransport,
        /// The query message in wire format.
        message: Vec<u8>,
        /// Timeout in milliseconds.
        timeout_ms: u32,
    },
    /// Open a TCP connection to exactly this address.
    Connect {
        /// Address and port.
        address: SocketAddr,
        /// Timeout in milliseconds.
        timeout_ms: u32,
    },
    /// Write all of `data` to a connection.
    Send {
        /// The connect request that opened the connection.
        connection: RequestId,
        /// The bytes.
        data: Vec<u8>,
        /// Timeout in milliseconds.
        timeout_ms: u32,
    },
    /// Read up to `max_bytes` from a connection (empty = end of stream).
    Receive {
        /// The connect request that opened the connection.
        connection: RequestId,
        /// The most bytes to return.
        max_bytes: u32,
        /// Timeout in milliseconds.
        timeout_ms: u32,
    },
    /// Close a connection. Gets no completion.
    Close {
        /// The connect request that opened the connection.
        connection: RequestId,
    },
    /// Complete after this many milliseconds.
    Sleep {
        /// Duration in milliseconds.
        duration_ms: u32,
    },
}

impl Request {
    /// Which outcome answers this request, or `None` for `Close`.
    pub fn expected_outcome(&self) -> Option<OutcomeKind> {
        match self {
            Request::ExchangeDns { .. } => Some(OutcomeKind::DnsExchanged),
            Request::Connect { .. } => Some(OutcomeKind::Connected),
            Request::Send { .. } => Some(OutcomeKind::Sent),
            Request::Receive { .. } => Some(OutcomeKind::Received),
            Request::Close { .. } => None,
            Request::Sleep { .. } => Some(OutcomeKind::Slept),
        }
    }
}

/// A request with its id, as handed to the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outbound {
    /// Quote this id in the completion.
    pub id: RequestId,
    /// What to do.
    pub request: Request,
}

/// Why a DNS exchange failed at the transport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsTransportError {
    /// No answer in time.
    Timeout,
    /// The resolver could not be reached (the host's text).
    Network(String),
    /// Anything else, e.g. a DNS-over-HTTPS status other than 200 (the host's text).
    Other(String),
}

/// Why a TCP connect failed. Every case is a dial error (`Op == "dial"` in Go).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DialError {
    /// No answer within the timeout.
    Timeout,
    /// ECONNREFUSED: the peer sent a reset.
    Refused,
    /// ENETUNREACH.
    NetworkUnreachable,
    /// EHOSTUNREACH.
    HostUnreachable,
    /// The host cannot tell refused from blocked (workerd).
    Unclassified(String),
    /// Any other connect error.
    Other(String),
}

impl fmt::Display for DialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DialError::Timeout => write!(f, "timed out"),
            DialError::Refused => write!(f, "refused"),
            DialError::NetworkUnreachable => write!(f, "network unreachable"),
            DialError::HostUnreachable => write!(f, "host unreachable"),
            DialError::Unclassified(text) => write!(f, "failed ({text}; refused or blocked)"),
            DialError::Other(text) => write!(f, "failed ({text})"),
        }
    }
}

/// Why a send or receive failed on an open connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamError {
    /// Nothing happened within the timeout.
    Timeout,
    /// ECONNRESET / EPIPE.
    Reset,
    /// The connection is not open.
    Closed,
    /// Anything else (the host's text).
    Other(String),
}

/// The host's answer to one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Answer to `ExchangeDns`.
    DnsExchanged(Result<Vec<u8>, DnsTransportError>),
    /// Answer to `Connect`.
    Connected(Result<(), DialError>),
    /// Answer to `Send`.
    Sent(Result<(), StreamError>),
    /// Answer to `Receive` (empty = end of stream).
    Received(Result<Vec<u8>, StreamError>),
    /// Answer to `Sleep`.
    Slept,
}

impl Outcome {
    /// The kind of this outcome, to match it against its request.
    pub fn kind(&self) -> OutcomeKind {
        match self {
            Outcome::DnsExchanged(_) => OutcomeKind::DnsExchanged,
            Outcome::Connected(_) => OutcomeKind::Connected,
            Outcome::Sent(_) => OutcomeKind::Sent,
            Outcome::Received(_) => OutcomeKind::Received,
            Outcome::Slept => OutcomeKind::Slept,
        }
    }
}

/// The kinds of `Outcome`, without their payloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutcomeKind {
    /// `Outcome::DnsExchanged`.
    DnsExchanged,
    /// `Outcome::Connected`.
    Connected,
    /// `Outcome::Sent`.
    Sent,
    /// `Outcome::Received`.
    Received,
    /// `Outcome::Slept`.
    Slept,
}

/// A finished request, handed back to the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// The request this answers.
    pub id: RequestId,
    /// What happened.
    pub outcome: Outcome,
}
