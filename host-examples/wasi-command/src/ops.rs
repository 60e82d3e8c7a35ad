//! The I/O of one request over wasi:sockets, as small state machines that never block.
//!
//! Each `advance` makes what progress it can at once and returns [`Progress::Ready`], or
//! [`Progress::Wait`] with the pollable that must become ready before it can go on; the
//! driver polls all of them together. Structs list child resources before their parents
//! (streams before the socket they came from): Rust drops fields in that order, and WASI
//! refuses to drop a socket whose streams are alive.

use std::net::SocketAddr;

use wasi::io::poll::Pollable;
use wasi::io::streams::{InputStream, OutputStream, StreamError as WasiStreamError};
use wasi::sockets::network::{ErrorCode, IpSocketAddress, Network};
use wasi::sockets::tcp::TcpSocket;
use wasi::sockets::tcp_create_socket::create_tcp_socket;
use wasi::sockets::udp::{
    IncomingDatagramStream, OutgoingDatagram, OutgoingDatagramStream, UdpSocket,
};
use wasi::sockets::udp_create_socket::create_udp_socket;

use crate::addr;
use crate::framing::Answer;

/// Where a state machine stands after one `advance`.
pub enum Progress<T> {
    /// Finished, with this result.
    Ready(T),
    /// Blocked until this pollable is ready.
    Wait(Pollable),
}

/// An open TCP connection: its two streams, then the socket they belong to.
pub struct Connection {
    /// Bytes from the peer.
    pub input: InputStream,
    /// Bytes to the peer.
    pub output: OutputStream,
    /// Kept only to outlive the streams.
    _socket: TcpSocket,
}

/// A TCP connect in progress.
pub struct Dial {
    /// `None` once the connect has finished.
    socket: Option<TcpSocket>,
}

impl Dial {
    /// Creates a socket of the address's family and starts connecting it to exactly `address`.
    pub fn start(network: &Network, address: SocketAddr) -> Result<Dial, ErrorCode> {
        let socket = create_tcp_socket(addr::family(address))?;
        socket.start_connect(network, addr::to_wasi(address))?;
        Ok(Dial {
            socket: Some(socket),
        })
    }

    /// The open connection, the connect's error, or what to wait on.
    pub fn advance(&mut self) -> Progress<Result<Connection, ErrorCode>> {
        let Some(socket) = self.socket.take() else {
            return Progress::Ready(Err(ErrorCode::InvalidState));
        };
        match socket.finish_connect() {
            Ok((input, output)) => Progress::Ready(Ok(Connection {
                input,
                output,
                _socket: socket,
            })),
            Err(ErrorCode::WouldBlock) => {
                let pollable = socket.subscribe();
                self.socket = Some(socket);
                Progress::Wait(pollable)
            }
            Err(code) => Progress::Ready(Err(code)),
        }
    }
}

/// Bytes being written to an output stream, then flushed.
pub struct Outgoing {
    data: Vec<u8>,
    written: usize,
    flushed: bool,
    done: bool,
}

impl Outgoing {
    /// All of `data`, none written yet.
    pub fn new(data: Vec<u8>) -> Outgoing {
        Outgoing {
            data,
            written: 0,
            flushed: false,
            done: false,
        }
    }

    /// Writes as much as the stream accepts; ready once everything is written and flushed.
    pub fn advance(&mut self, output: &OutputStream) -> Progress<Result<(), WasiStreamError>> {
        // Each turn returns, flushes (once) or writes at least one byte: the loop is bounded.
        while !self.done {
            let permit = match output.check_write() {
                Ok(0) => return Progress::Wait(output.subscribe()),
                Ok(permit) => permit,
                Err(error) => return Progress::Ready(Err(error)),
            };
            let rest = self.data.get(self.written..).unwrap_or_default();
            if rest.is_empty() {
                if self.flushed {
                    self.done = true;
                    break;
                }
                if let Err(error) = output.flush() {
                    return Progress::Ready(Err(error));
                }
                self.flushed = true;
                continue;
            }
            let take = rest
                .len()
                .min(usize::try_from(permit).unwrap_or(usize::MAX));
            if let Err(error) = output.write(rest.get(..take).unwrap_or_default()) {
                return Progress::Ready(Err(error));
            }
            self.written = self.written.saturating_add(take);
        }
        Progress::Ready(Ok(()))
    }
}

/// Reads up to `max_bytes` (more than 0): what arrived, empty at the end of the stream.
pub fn read(input: &InputStream, max_bytes: u64) -> Progress<Result<Vec<u8>, WasiStreamError>> {
    match input.read(max_bytes) {
        Ok(bytes) if bytes.is_empty() => Progress::Wait(input.subscribe()),
        Ok(bytes) => Progress::Ready(Ok(bytes)),
        Err(WasiStreamError::Closed) => Progress::Ready(Ok(Vec::new())),
        Err(error) => Progress::Ready(Err(error)),
    }
}

/// One DNS message each way over UDP, from a fresh socket whose stream is bound to the
/// resolver (so only the resolver's answers arrive).
pub struct DatagramExchange {
    /// Set once the socket is bound.
    streams: Option<(IncomingDatagramStream, OutgoingDatagramStream)>,
    socket: UdpSocket,
    resolver: IpSocketAddress,
    /// `None` once sent.
    query: Option<Vec<u8>>,
}

impl DatagramExchange {
    /// Creates the socket and starts binding it to the wildcard address of the resolver's family.
    pub fn start(
        network: &Network,
        resolver: SocketAddr,
        query: Vec<u8>,
    ) -> Result<DatagramExchange, ErrorCode> {
        let family = addr::family(resolver);
        let socket = create_udp_socket(family)?;
        socket.start_bind(network, addr::unspecified(family))?;
        Ok(DatagramExchange {
            streams: None,
            socket,
            resolver: addr::to_wasi(resolver),
            query: Some(query),
        })
    }

    /// The answer, an error, or what to wait on.
    pub fn advance(&mut self) -> Progress<Result<Vec<u8>, ErrorCode>> {
        if self.streams.is_none() {
            match self.socket.finish_bind() {
                Ok(()) => {}
                Err(ErrorCode::WouldBlock) => return Progress::Wait(self.socket.subscribe()),
                Err(code) => return Progress::Ready(Err(code)),
            }
            match self.socket.stream(Some(self.resolver)) {
                Ok(streams) => self.streams = Some(streams),
                Err(code) => return Progress::Ready(Err(code)),
            }
        }
        let Some((incoming, outgoing)) = &self.streams else {
            return Progress::Ready(Err(ErrorCode::InvalidState));
        };
        if let Some(query) = &self.query {
            match outgoing.check_send() {
                Ok(0) => return Progress::Wait(outgoing.subscribe()),
                Ok(_) => {}
                Err(code) => return Progress::Ready(Err(code)),
            }
            let datagram = OutgoingDatagram {
                data: query.clone(),
                remote_address: None,
            };
            match outgoing.send(&[datagram]) {
                Ok(0) => return Progress::Wait(outgoing.subscribe()),
                Ok(_) => self.query = None,
                Err(code) => return Progress::Ready(Err(code)),
            }
        }
        match incoming.receive(1) {
            Ok(datagrams) => match datagrams.into_iter().next() {
                Some(datagram) => Progress::Ready(Ok(datagram.data)),
                None => Progress::Wait(incoming.subscribe()),
            },
            Err(code) => Progress::Ready(Err(code)),
        }
    }
}

/// One DNS message each way over a TCP connection of its own, behind length prefixes.
pub struct StreamExchange {
    stage: Stage,
}

/// How far a [`StreamExchange`] has come.
enum Stage {
    /// Connecting; the framed query waits.
    Dialing(Dial, Vec<u8>),
    /// Connected: writing the query, then reading the answer.
    Talking {
        connection: Connection,
        query: Outgoing,
        answer: Answer,
    },
}

impl StreamExchange {
    /// Starts connecting to the resolver; `framed` is the query with its length prefix.
    pub fn start(
        network: &Network,
        resolver: SocketAddr,
        framed: Vec<u8>,
    ) -> Result<StreamExchange, ErrorCode> {
        Ok(StreamExchange {
            stage: Stage::Dialing(Dial::start(network, resolver)?, framed),
        })
    }

    /// The answer (without its prefix), an error's text, or what to wait on.
    pub fn advance(&mut self) -> Progress<Result<Vec<u8>, String>> {
        if let Stage::Dialing(dial, framed) = &mut self.stage {
            match dial.advance() {
                Progress::Ready(Ok(connection)) => {
                    let query = Outgoing::new(std::mem::take(framed));
                    self.stage = Stage::Talking {
                        connection,
                        query,
                        answer: Answer::default(),
                    };
                }
                Progress::Ready(Err(code)) => return Progress::Ready(Err(code.name().to_string())),
                Progress::Wait(pollable) => return Progress::Wait(pollable),
            }
        }
        let Stage::Talking {
            connection,
            query,
            answer,
        } = &mut self.stage
        else {
            return Progress::Ready(Err("DNS exchange in an impossible state".to_string()));
        };
        match query.advance(&connection.output) {
            Progress::Ready(Ok(())) => {}
            Progress::Ready(Err(error)) => return Progress::Ready(Err(error_text(error))),
            Progress::Wait(pollable) => return Progress::Wait(pollable),
        }
        read_answer(&connection.input, answer)
    }
}

/// Reads until `answer` is complete; every turn adds at least one byte (65537 at most).
fn read_answer(input: &InputStream, answer: &mut Answer) -> Progress<Result<Vec<u8>, String>> {
    loop {
        if let Some(message) = answer.message() {
            return Progress::Ready(Ok(message.to_vec()));
        }
        let wanted = u64::try_from(answer.wanted()).unwrap_or(u64::MAX);
        match read(input, wanted) {
            Progress::Ready(Ok(bytes)) if bytes.is_empty() => {
                return Progress::Ready(Err("early eof".to_string()))
            }
            Progress::Ready(Ok(bytes)) => answer.push(&bytes),
            Progress::Ready(Err(error)) => return Progress::Ready(Err(error_text(error))),
            Progress::Wait(pollable) => return Progress::Wait(pollable),
        }
    }
}

/// The text of a stream error: the host's description, or "closed".
pub fn error_text(error: WasiStreamError) -> String {
    match error {
        WasiStreamError::LastOperationFailed(error) => error.to_debug_string(),
        WasiStreamError::Closed => "stream closed".to_string(),
    }
}
