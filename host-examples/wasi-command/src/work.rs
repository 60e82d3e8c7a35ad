//! What one outstanding request is doing, and its turn: as much progress as it can make
//! without blocking, mapped to the checker's outcomes.

use acme_preflight::io::{DialError, DnsTransportError, Outcome, StreamError};
use wasi::io::poll::Pollable;
use wasi::io::streams::StreamError as WasiStreamError;

use crate::errors::{dial_error, dns_network, stream_error};
use crate::ops::{self, Connection, DatagramExchange, Dial, Outgoing, Progress, StreamExchange};

/// The work of one outstanding request.
pub enum Work {
    /// A DNS exchange over UDP.
    Datagram(DatagramExchange),
    /// A DNS exchange over TCP.
    ByteStream(StreamExchange),
    /// A TCP connect.
    Connect(Dial),
    /// Bytes to write on a connection.
    Send(Outgoing),
    /// A read of at most this many bytes from a connection.
    Receive(u64),
    /// Waiting for its deadline.
    Sleep,
}

/// The result of one turn.
pub enum Turn {
    /// Finished with this outcome.
    Done(Outcome),
    /// A connect succeeded: the driver registers the connection.
    Connected(Connection),
    /// Blocked on this pollable.
    Wait(Pollable),
    /// Waiting for time only.
    Idle,
}

impl Work {
    /// The queue a send or receive waits in on `connection`: the connection and whether it
    /// sends. Requests in one queue take turns in the order they were issued.
    pub fn lane(&self, connection: Option<u32>) -> Option<(u32, bool)> {
        match (self, connection) {
            (Work::Send(_), Some(connection)) => Some((connection, true)),
            (Work::Receive(_), Some(connection)) => Some((connection, false)),
            _ => None,
        }
    }

    /// Advances as far as possible without blocking. `open` is the connection a send or
    /// receive uses (`None`: it is not open); `due` says the deadline has passed (a sleep ends).
    pub fn advance(&mut self, open: Option<&Connection>, due: bool) -> Turn {
        match self {
            Work::Datagram(exchange) => match exchange.advance() {
                Progress::Ready(answer) => {
                    Turn::Done(Outcome::DnsExchanged(answer.map_err(dns_network)))
                }
                Progress::Wait(pollable) => Turn::Wait(pollable),
            },
            Work::ByteStream(exchange) => match exchange.advance() {
                Progress::Ready(answer) => Turn::Done(Outcome::DnsExchanged(
                    answer.map_err(DnsTransportError::Network),
                )),
                Progress::Wait(pollable) => Turn::Wait(pollable),
            },
            Work::Connect(dial) => match dial.advance() {
                Progress::Ready(Ok(open)) => Turn::Connected(open),
                Progress::Ready(Err(code)) => Turn::Done(Outcome::Connected(Err(dial_error(code)))),
                Progress::Wait(pollable) => Turn::Wait(pollable),
            },
            Work::Send(outgoing) => match open {
                None => Turn::Done(Outcome::Sent(Err(StreamError::Closed))),
                Some(open) => match outgoing.advance(&open.output) {
                    // wasmtime reports EPIPE on a write as the stream being closed.
                    Progress::Ready(sent) => Turn::Done(Outcome::Sent(
                        sent.map_err(|e| failure(e, StreamError::Reset)),
                    )),
                    Progress::Wait(pollable) => Turn::Wait(pollable),
                },
            },
            Work::Receive(max_bytes) => match open {
                None => Turn::Done(Outcome::Received(Err(StreamError::Closed))),
                Some(open) => match ops::read(&open.input, *max_bytes) {
                    Progress::Ready(read) => Turn::Done(Outcome::Received(
                        read.map_err(|e| failure(e, StreamError::Closed)),
                    )),
                    Progress::Wait(pollable) => Turn::Wait(pollable),
                },
            },
            Work::Sleep if due => Turn::Done(Outcome::Slept),
            Work::Sleep => Turn::Idle,
        }
    }

    /// The outcome once the deadline has passed: the kind's timeout (a sleep: slept).
    pub fn timed_out(&self) -> Outcome {
        match self {
            Work::Datagram(_) | Work::ByteStream(_) => {
                Outcome::DnsExchanged(Err(DnsTransportError::Timeout))
            }
            Work::Connect(_) => Outcome::Connected(Err(DialError::Timeout)),
            Work::Send(_) => Outcome::Sent(Err(StreamError::Timeout)),
            Work::Receive(_) => Outcome::Received(Err(StreamError::Timeout)),
            Work::Sleep => Outcome::Slept,
        }
    }
}

/// A stream error as the checker names it; `closed` stands for the stream being closed.
fn failure(error: WasiStreamError, closed: StreamError) -> StreamError {
    match error {
        WasiStreamError::Closed => closed,
        WasiStreamError::LastOperationFailed(error) => stream_error(&error.to_debug_string()),
    }
}
