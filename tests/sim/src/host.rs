//! The simulated host: answers a session's requests from a `World` on a virtual clock.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::net::SocketAddr;

use acme_preflight::io::{
    Completion, DialError, DnsTransport, DnsTransportError, Outcome as IoOutcome, Request,
    RequestId, StreamError,
};
use acme_preflight::{Report, Session, Step};

use crate::dns_server::{self, Exchange};
use crate::tls::{HelloSeen, TlsConnection};
use crate::world::{Behaviour, Reply, World};

/// Something that runs sessions step by step: the native core or the component.
pub trait Driver {
    /// One step of the session.
    fn step(&mut self, now_ms: u64, completions: Vec<Completion>) -> Result<Step, String>;
}

/// The native core.
pub struct NativeDriver(pub Session);

impl Driver for NativeDriver {
    fn step(&mut self, now_ms: u64, completions: Vec<Completion>) -> Result<Step, String> {
        self.0
            .step(now_ms, completions)
            .map_err(|misuse| misuse.to_string())
    }
}

/// What a run produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The session's report.
    pub report: Report,
    /// Virtual milliseconds from the first step to the report.
    pub elapsed_ms: u64,
    /// Every HTTP request head the servers received (decrypted for HTTPS), with the address
    /// dialed.
    pub http_requests: Vec<(SocketAddr, String)>,
    /// Every TLS client hello the servers received, with the address dialed.
    pub tls_hellos: Vec<(SocketAddr, HelloSeen)>,
    /// The number of DNS exchanges.
    pub dns_exchanges: usize,
}

/// Milliseconds every answered operation takes (one round trip on the simulated network).
const ROUND_TRIP_MS: u64 = 1;
/// The most steps a session may take before the run is declared stuck.
const MAX_STEPS: usize = 100_000;

/// Runs `driver` against `world` until it reports.
pub fn run(world: &World, driver: &mut dyn Driver) -> Result<Outcome, String> {
    let mut host = SimHost {
        world,
        now: 0,
        sequence: 0,
        events: BinaryHeap::new(),
        pending: BTreeMap::new(),
        connections: BTreeMap::new(),
        http_requests: Vec::new(),
        tls_hellos: Vec::new(),
        dns_exchanges: 0,
        dns_questions: BTreeMap::new(),
    };
    let mut completions = Vec::new();
    for _ in 0..MAX_STEPS {
        match driver.step(host.now, completions)? {
            Step::Done(report) => {
                return Ok(Outcome {
                    report,
                    elapsed_ms: host.now,
                    http_requests: host.http_requests,
                    tls_hellos: host.tls_hellos,
                    dns_exchanges: host.dns_exchanges,
                })
            }
            Step::Pending(requests) => {
                for outbound in requests {
                    host.perform(outbound.id, outbound.request);
                }
            }
        }
        completions = host
            .advance()
            .ok_or("the session waits but nothing is outstanding")?;
    }
    Err("the session did not finish within the step limit".to_string())
}

struct Connection {
    address: SocketAddr,
    received: Vec<u8>,
    reply: Option<Reply>,
    /// Bytes the server has sent that the client has not read yet.
    output: Vec<u8>,
    /// When the output becomes readable.
    ready_at: u64,
    /// The server side of TLS, on TLS listeners.
    tls: Option<TlsConnection>,
}

struct SimHost<'a> {
    world: &'a World,
    now: u64,
    sequence: u64,
    events: BinaryHeap<Reverse<(u64, u64, u32)>>,
    /// Outcomes waiting for their event, by request id.
    pending: BTreeMap<u32, IoOutcome>,
    connections: BTreeMap<RequestId, Connection>,
    http_requests: Vec<(SocketAddr, String)>,
    tls_hellos: Vec<(SocketAddr, HelloSeen)>,
    dns_exchanges: usize,
    /// How often each question (the query after its id) was asked.
    dns_questions: BTreeMap<Vec<u8>, usize>,
}

impl SimHost<'_> {
    fn complete(&mut self, id: RequestId, at: u64, outcome: IoOutcome) {
        self.sequence += 1;
        self.events.push(Reverse((at, self.sequence, id.0)));
        self.pending.insert(id.0, outcome);
    }

    /// Moves the clock to the next event and returns every completion due then.
    fn advance(&mut self) -> Option<Vec<Completion>> {
        let Reverse((at, _, _)) = *self.events.peek()?;
        self.now = at;
        let mut due = Vec::new();
        while let Some(Reverse((time, _, id))) = self.events.peek().copied() {
            if time != at {
                break;
            }
            self.events.pop();
            if let Some(outcome) = self.pending.remove(&id) {
                due.push(Completion {
                    id: RequestId(id),
                    outcome,
                });
            }
        }
        Some(due)
    }

    fn perform(&mut self, id: RequestId, request: Request) {
        let now = self.now;
        match request {
            Request::ExchangeDns {
                transport,
                message,
                timeout_ms,
            } => {
                self.dns_exchanges += 1;
                let stream = transport == DnsTransport::ByteStream;
                let asked = self
                    .dns_questions
                    .entry(message.get(2..).unwrap_or_default().to_vec())
                    .or_default();
                let earlier = *asked;
                *asked += 1;
                let (at, result) = match dns_server::exchange(self.world, &message, stream, earlier)
                {
                    Exchange::Answer(bytes) => (now + ROUND_TRIP_MS, Ok(bytes)),
                    Exchange::Silent => {
                        (now + u64::from(timeout_ms), Err(DnsTransportError::Timeout))
                    }
                    Exchange::Unreachable => (
                        now + ROUND_TRIP_MS,
                        Err(DnsTransportError::Network("network is unreachable".into())),
                    ),
                    Exchange::Failure => (
                        now + ROUND_TRIP_MS,
                        Err(DnsTransportError::Other("HTTP 502".into())),
                    ),
                };
                self.complete(id, at, IoOutcome::DnsExchanged(result));
            }
            Request::Connect {
                address,
                timeout_ms,
            } => self.connect(id, address, timeout_ms),
            Request::Send {
                connection, data, ..
            } => self.send(id, connection, data),
            Request::Receive {
                connection,
                max_bytes,
                timeout_ms,
            } => self.receive(id, connection, max_bytes, timeout_ms),
            Request::Close { connection } => {
                self.connections.remove(&connection);
            }
            Request::Sleep { duration_ms } => {
                self.complete(id, now + u64::from(duration_ms), IoOutcome::Slept)
            }
        }
    }

    fn connect(&mut self, id: RequestId, address: SocketAddr, timeout_ms: u32) {
        let at = self.now + ROUND_TRIP_MS;
        let failed = |error| IoOutcome::Connected(Err(error));
        match self.world.behaviour(address.ip(), address.port()) {
            Behaviour::Refuse => self.complete(id, at, failed(DialError::Refused)),
            Behaviour::NetworkUnreachable => {
                self.complete(id, at, failed(DialError::NetworkUnreachable))
            }
            Behaviour::HostUnreachable => self.complete(id, at, failed(DialError::HostUnreachable)),
            Behaviour::Drop => self.complete(
                id,
                self.now + u64::from(timeout_ms),
                failed(DialError::Timeout),
            ),
            behaviour @ (Behaviour::Serve { .. }
            | Behaviour::Vhosts { .. }
            | Behaviour::Tls { .. }
            | Behaviour::Answer(_)) => {
                let tls = match behaviour {
                    Behaviour::Tls { server, .. } => Some(TlsConnection::new(server)),
                    _ => None,
                };
                self.connections.insert(
                    id,
                    Connection {
                        address,
                        received: Vec::new(),
                        reply: None,
                        output: Vec::new(),
                        ready_at: 0,
                        tls,
                    },
                );
                self.complete(id, at, IoOutcome::Connected(Ok(())));
            }
        }
    }

    fn send(&mut self, id: RequestId, connection: RequestId, data: Vec<u8>) {
        let now = self.now;
        let Some(conn) = self.connections.get_mut(&connection) else {
            return self.complete(
                id,
                now + ROUND_TRIP_MS,
                IoOutcome::Sent(Err(StreamError::Closed)),
            );
        };
        if conn.tls.is_some() {
            return self.send_tls(id, connection, data);
        }
        conn.received.extend_from_slice(&data);
        if conn.reply.is_none() {
            if let Behaviour::Answer(reply) =
                self.world.behaviour(conn.address.ip(), conn.address.port())
            {
                let (reply, delay) = match reply {
                    Reply::Delayed(ms, inner) => (*inner, ms),
                    other => (other, 0),
                };
                conn.ready_at = now + ROUND_TRIP_MS + delay;
                if let Reply::Bytes(bytes) | Reply::BytesThenHang(bytes) = &reply {
                    conn.output = bytes.clone();
                }
                conn.reply = Some(reply);
            }
        }
        if conn.reply.is_none() {
            if let Some(end) = find(&conn.received, b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&conn.received[..end]).to_string();
                let uri = head.split(' ').nth(1).unwrap_or("").to_string();
                let reply = self
                    .world
                    .behaviour(conn.address.ip(), conn.address.port())
                    .reply(&uri, &head)
                    .unwrap_or(Reply::Close);
                let (reply, delay) = match reply {
                    Reply::Delayed(ms, inner) => (*inner, ms),
                    other => (other, 0),
                };
                conn.ready_at = now + ROUND_TRIP_MS + delay;
                if let Reply::Bytes(bytes) | Reply::BytesThenHang(bytes) = &reply {
                    conn.output = bytes.clone();
                }
                conn.reply = Some(reply);
                self.http_requests.push((conn.address, head));
            }
        }
        self.complete(id, now + ROUND_TRIP_MS, IoOutcome::Sent(Ok(())));
    }

    fn receive(&mut self, id: RequestId, connection: RequestId, max_bytes: u32, timeout_ms: u32) {
        let now = self.now;
        let deadline = now + u64::from(timeout_ms);
        let timed_out = IoOutcome::Received(Err(StreamError::Timeout));
        let Some(conn) = self.connections.get_mut(&connection) else {
            return self.complete(
                id,
                now + ROUND_TRIP_MS,
                IoOutcome::Received(Err(StreamError::Closed)),
            );
        };
        if let Some(tls) = &conn.tls {
            let at = conn.ready_at.max(now + ROUND_TRIP_MS);
            let outcome = if !conn.output.is_empty() {
                let take = conn.output.len().min(max_bytes as usize);
                IoOutcome::Received(Ok(conn.output.drain(..take).collect()))
            } else if conn.reply == Some(Reply::Reset) {
                IoOutcome::Received(Err(StreamError::Reset))
            } else if tls.finished {
                IoOutcome::Received(Ok(Vec::new()))
            } else {
                return self.complete(id, deadline, timed_out);
            };
            if at > deadline {
                return self.complete(id, deadline, timed_out);
            }
            return self.complete(id, at, outcome);
        }
        let Some(reply) = conn.reply.clone() else {
            return self.complete(id, deadline, timed_out);
        };
        let at = conn.ready_at.max(now + ROUND_TRIP_MS);
        if at > deadline {
            return self.complete(id, deadline, timed_out);
        }
        let outcome = if !conn.output.is_empty() {
            let take = conn.output.len().min(max_bytes as usize);
            IoOutcome::Received(Ok(conn.output.drain(..take).collect()))
        } else {
            match reply {
                Reply::Bytes(_) | Reply::Close => IoOutcome::Received(Ok(Vec::new())),
                Reply::Reset => IoOutcome::Received(Err(StreamError::Reset)),
                Reply::Hang | Reply::BytesThenHang(_) | Reply::Delayed(..) => {
                    return self.complete(id, deadline, timed_out)
                }
            }
        };
        self.complete(id, at, outcome);
    }
}

impl SimHost<'_> {
    /// Client bytes on a TLS connection: the server's handshake, then HTTP over TLS.
    fn send_tls(&mut self, id: RequestId, connection: RequestId, data: Vec<u8>) {
        let now = self.now;
        let Some(conn) = self.connections.get_mut(&connection) else {
            return;
        };
        let Some(tls) = conn.tls.as_mut() else {
            return;
        };
        let progress = tls.receive(&data);
        if let Some(hello) = progress.hello {
            self.tls_hellos.push((conn.address, hello));
        }
        if conn.output.is_empty() {
            conn.ready_at = now + ROUND_TRIP_MS + progress.delay_ms;
        }
        conn.output.extend_from_slice(&progress.output);
        if let Some(head) = progress.request_head {
            let uri = head.split(' ').nth(1).unwrap_or("").to_string();
            let reply = match self.world.behaviour(conn.address.ip(), conn.address.port()) {
                Behaviour::Tls {
                    routes, default, ..
                } => routes
                    .into_iter()
                    .find(|(route, _)| *route == uri)
                    .map_or(default, |(_, reply)| reply),
                _ => Reply::Close,
            };
            let (reply, delay) = match reply {
                Reply::Delayed(ms, inner) => (*inner, ms),
                other => (other, 0),
            };
            let bytes = match &reply {
                Reply::Bytes(bytes) => tls.respond(bytes, true),
                Reply::BytesThenHang(bytes) => tls.respond(bytes, false),
                Reply::Close => tls.respond(b"", true),
                _ => Vec::new(),
            };
            if conn.output.is_empty() {
                conn.ready_at = now + ROUND_TRIP_MS + delay;
            }
            conn.output.extend_from_slice(&bytes);
            conn.reply = Some(reply);
            self.http_requests.push((conn.address, head));
        }
        self.complete(id, now + ROUND_TRIP_MS, IoOutcome::Sent(Ok(())));
    }
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
