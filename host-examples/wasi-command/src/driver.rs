//! The I/O driver: performs the session's requests concurrently over wasi:sockets and gathers
//! completions, waiting on all of them at once with `wasi:io/poll`.
//!
//! The same contract as the wasmtime host's driver (`host-examples/wasmtime/src/driver.rs`):
//! each request runs within its own timeout from the moment it is submitted; sends and
//! receives on one connection take turns in the order they were issued; a close abandons the
//! connection's connect, sends and receives (they get no completion); operations on a
//! connection that is not open fail with `closed` at once.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;

use acme_preflight::io::{
    Completion, DnsTransport, DnsTransportError, Outbound, Outcome, Request, RequestId, StreamError,
};
use wasi::clocks::monotonic_clock;
use wasi::io::poll::{poll, Pollable};
use wasi::sockets::instance_network::instance_network;
use wasi::sockets::network::Network;

use crate::errors::{denied, dial_error, dns_network};
use crate::framing::frame;
use crate::ops::{Connection, DatagramExchange, Dial, Outgoing, StreamExchange};
use crate::work::{Turn, Work};

/// The most bytes one receive returns, whatever `max_bytes` asks (as the wasmtime host).
const MAX_RECEIVE: u32 = 64 * 1024;

/// Nanoseconds per millisecond.
const NANOS_PER_MS: u64 = 1_000_000;

/// Performs requests and hands back completions. Fields are in drop order: requests and
/// connections (children of the network) before the network.
pub struct Driver {
    /// Outstanding requests, by id (ascending = issue order).
    live: BTreeMap<u32, Live>,
    /// Open connections, by the id of the connect request that opened them.
    connections: HashMap<u32, Connection>,
    /// Completions not yet handed out, with the connection they concern.
    ready: Vec<(Option<u32>, Completion)>,
    resolver: Option<SocketAddr>,
    /// The monotonic clock when the driver was made: the session clock's zero.
    started: u64,
    /// Whether the runtime refused a socket (see [`Driver::denied`]).
    denied: bool,
    network: Network,
}

/// An outstanding request.
struct Live {
    /// The connection a send or receive uses, or that a connect opens.
    connection: Option<u32>,
    /// When it times out (a sleep: when it is done), on the monotonic clock.
    deadline: u64,
    work: Work,
}

impl Driver {
    /// A driver whose DNS exchanges go to `resolver` (when `None`, they fail with
    /// `DnsTransportError::Other`). Its clock starts now.
    pub fn new(resolver: Option<SocketAddr>) -> Driver {
        Driver {
            live: BTreeMap::new(),
            connections: HashMap::new(),
            ready: Vec::new(),
            resolver,
            started: monotonic_clock::now(),
            denied: false,
            network: instance_network(),
        }
    }

    /// Milliseconds since the driver was made: the session clock.
    pub fn now_ms(&self) -> u64 {
        monotonic_clock::now().saturating_sub(self.started) / NANOS_PER_MS
    }

    /// Whether the runtime refused a socket (`access-denied`) since the driver was made.
    pub fn denied(&self) -> bool {
        self.denied
    }

    /// How many requests await a completion (performed or ready to hand back).
    pub fn outstanding(&self) -> usize {
        self.live.len().saturating_add(self.ready.len())
    }

    /// Starts every request. Fails, starting nothing more, when a request reuses the id of an
    /// outstanding one (the session broke the contract).
    pub fn submit(&mut self, requests: Vec<Outbound>) -> Result<(), String> {
        for outbound in requests {
            let id = outbound.id.0;
            if self.live.contains_key(&id) || self.ready.iter().any(|(_, c)| c.id.0 == id) {
                return Err(format!("the checker reused request id {id}"));
            }
            self.start(id, outbound.request, monotonic_clock::now());
        }
        Ok(())
    }

    /// Waits up to `limit_ms` for at least one completion, then returns every completion ready
    /// at that moment. Returns at once when completions are ready or nothing is outstanding.
    pub fn wait(&mut self, limit_ms: u64) -> Vec<Completion> {
        let now = monotonic_clock::now();
        let until = if self.ready.is_empty() {
            now.saturating_add(limit_ms.saturating_mul(NANOS_PER_MS))
        } else {
            now
        };
        // Each turn blocks in `poll` until a pollable or the timer fires; `until` ends it.
        loop {
            let now = monotonic_clock::now();
            let waits = self.advance_all(now);
            if !self.ready.is_empty() || now >= until || self.live.is_empty() {
                break;
            }
            let wake = self
                .live
                .values()
                .map(|live| live.deadline)
                .fold(until, u64::min);
            let timer = monotonic_clock::subscribe_instant(wake);
            let mut pollables: Vec<&Pollable> = waits.iter().collect();
            pollables.push(&timer);
            poll(&pollables);
        }
        self.ready
            .drain(..)
            .map(|(_, completion)| completion)
            .collect()
    }

    /// Gives every outstanding request a turn; returns the pollables of those that wait.
    fn advance_all(&mut self, now: u64) -> Vec<Pollable> {
        let mut waits = Vec::new();
        // (connection, is-send) pairs whose earliest send or receive is still going.
        let mut busy: HashSet<(u32, bool)> = HashSet::new();
        let ids: Vec<u32> = self.live.keys().copied().collect();
        for id in ids {
            let Some(live) = self.live.get_mut(&id) else {
                continue;
            };
            let lane = live.work.lane(live.connection);
            let turn = if lane.is_some_and(|lane| busy.contains(&lane)) {
                Turn::Idle
            } else {
                let open = live.connection.and_then(|c| self.connections.get(&c));
                live.work.advance(open, now >= live.deadline)
            };
            let (connection, deadline) = (live.connection, live.deadline);
            match turn {
                Turn::Done(outcome) => self.complete(id, connection, outcome),
                Turn::Connected(open) => {
                    self.connections.insert(id, open);
                    self.complete(id, connection, Outcome::Connected(Ok(())));
                }
                Turn::Wait(pollable) if now < deadline => {
                    waits.push(pollable);
                    busy.extend(lane);
                }
                Turn::Idle if now < deadline => busy.extend(lane),
                Turn::Wait(pollable) => {
                    // The pollable is a child of the request's resources: drop it first.
                    drop(pollable);
                    self.time_out(id);
                }
                Turn::Idle => self.time_out(id),
            }
        }
        waits
    }

    /// Ends a request with `outcome`.
    fn complete(&mut self, id: u32, connection: Option<u32>, outcome: Outcome) {
        self.live.remove(&id);
        self.answer(id, connection, outcome);
    }

    /// Ends a request whose deadline has passed with its kind's timeout (a sleep: slept).
    fn time_out(&mut self, id: u32) {
        if let Some(live) = self.live.remove(&id) {
            let completion = Completion {
                id: RequestId(id),
                outcome: live.work.timed_out(),
            };
            self.ready.push((live.connection, completion));
        }
    }

    /// Starts one request, or answers it at once (close, failures to start).
    fn start(&mut self, id: u32, request: Request, now: u64) {
        let deadline = |ms: u32| now.saturating_add(u64::from(ms).saturating_mul(NANOS_PER_MS));
        let (connection, deadline, work) = match request {
            Request::ExchangeDns {
                transport,
                message,
                timeout_ms,
            } => match self.dns_work(transport, message) {
                Ok(work) => (None, deadline(timeout_ms), work),
                Err(error) => return self.answer(id, None, Outcome::DnsExchanged(Err(error))),
            },
            Request::Connect {
                address,
                timeout_ms,
            } => match Dial::start(&self.network, address) {
                Ok(dial) => (Some(id), deadline(timeout_ms), Work::Connect(dial)),
                Err(code) => {
                    return self.answer(id, Some(id), Outcome::Connected(Err(dial_error(code))))
                }
            },
            Request::Send {
                connection,
                data,
                timeout_ms,
            } => {
                if !self.connections.contains_key(&connection.0) {
                    let closed = Outcome::Sent(Err(StreamError::Closed));
                    return self.answer(id, Some(connection.0), closed);
                }
                let work = Work::Send(Outgoing::new(data));
                (Some(connection.0), deadline(timeout_ms), work)
            }
            Request::Receive {
                connection,
                max_bytes,
                timeout_ms,
            } => {
                let on = Some(connection.0);
                if !self.connections.contains_key(&connection.0) {
                    return self.answer(id, on, Outcome::Received(Err(StreamError::Closed)));
                }
                if max_bytes == 0 {
                    // A zero-byte read would look like the end of the stream.
                    let text = "receive asked for 0 bytes".to_string();
                    return self.answer(id, on, Outcome::Received(Err(StreamError::Other(text))));
                }
                let work = Work::Receive(u64::from(max_bytes.min(MAX_RECEIVE)));
                (on, deadline(timeout_ms), work)
            }
            Request::Close { connection } => return self.close(connection.0),
            Request::Sleep { duration_ms } => (None, deadline(duration_ms), Work::Sleep),
        };
        let live = Live {
            connection,
            deadline,
            work,
        };
        self.live.insert(id, live);
    }

    /// The work of a DNS exchange, or why it cannot start.
    fn dns_work(
        &self,
        transport: DnsTransport,
        message: Vec<u8>,
    ) -> Result<Work, DnsTransportError> {
        let Some(resolver) = self.resolver else {
            return Err(DnsTransportError::Other(
                "no DNS resolver: pass --resolver or provide /etc/resolv.conf".to_string(),
            ));
        };
        match transport {
            DnsTransport::Datagram => DatagramExchange::start(&self.network, resolver, message)
                .map(Work::Datagram)
                .map_err(dns_network),
            DnsTransport::ByteStream => {
                let framed = frame(&message).map_err(DnsTransportError::Other)?;
                StreamExchange::start(&self.network, resolver, framed)
                    .map(Work::ByteStream)
                    .map_err(dns_network)
            }
        }
    }

    /// Queues a completion, noting a refusal by the runtime.
    fn answer(&mut self, id: u32, connection: Option<u32>, outcome: Outcome) {
        self.denied |= denied(&outcome);
        let completion = Completion {
            id: RequestId(id),
            outcome,
        };
        self.ready.push((connection, completion));
    }

    /// Closes a connection and abandons its connect, sends and receives: they get no completion.
    fn close(&mut self, connection: u32) {
        self.live
            .retain(|_, live| live.connection != Some(connection));
        self.connections.remove(&connection);
        self.ready.retain(|(on, _)| *on != Some(connection));
    }
}
