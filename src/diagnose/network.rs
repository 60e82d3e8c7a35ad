//! `LeNetwork`: the `Network` one probe or one policy run of a diagnosis sees.
//!
//! - I/O goes through the shared [`Book`], so a dead address costs its timeout once per
//!   diagnosis, not once per run.
//! - Its clock is Let's Encrypt's: when the book answers at once what Let's Encrypt would have
//!   waited for (a connect timeout, a DNS timeout), the clock jumps by that time. Deadlines
//!   computed by the policy therefore match Let's Encrypt's, while the diagnosis waits once.
//! - It can answer the first A and AAAA queries for the identifier itself (to put one address
//!   first, or alone), as a resolver with another answer order would.
//! - It keeps a log: the trace on its own clock, every dial and every response head.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use super::book::{self, Book, DnsKey, Source};
use super::dns_answer;
use super::fingerprint::{self, HeadPrint};
use super::tls_probe::tls_summary;
use crate::dns::QueryType;
use crate::http::ResponseHead;
use crate::io::{DialError, DnsTransport, DnsTransportError, StreamError};
use crate::network::Network;
use crate::report::{TlsSummary, TraceEvent};

/// The identifier's first answers for one run: `Some(list)` replaces the resolver's answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Override {
    /// The identifier (a DNS name).
    pub(crate) host: String,
    /// The A answer to give, in order.
    pub(crate) a: Option<Vec<IpAddr>>,
    /// The AAAA answer to give, in order.
    pub(crate) aaaa: Option<Vec<IpAddr>>,
}

/// One dial as the run saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DialLog {
    /// The address dialled.
    pub(crate) address: SocketAddr,
    /// `None` when connected.
    pub(crate) error: Option<DialError>,
    /// Let's Encrypt's time for it.
    pub(crate) elapsed_ms: u64,
}

/// What one run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RunLog {
    /// The trace, on Let's Encrypt's clock from the run's start.
    pub(crate) trace: Vec<TraceEvent>,
    /// Every dial, in order.
    pub(crate) dials: Vec<DialLog>,
    /// Every response head, with the address it came from.
    pub(crate) responses: Vec<(SocketAddr, HeadPrint)>,
    /// Bytes received over all connections.
    pub(crate) received_bytes: u64,
    /// Every completed TLS handshake, with the address it was made with.
    pub(crate) handshakes: Vec<(SocketAddr, TlsSummary)>,
}

/// The network of one run.
pub(crate) struct LeNetwork<'a, N> {
    inner: &'a N,
    book: &'a Book,
    offset_ms: Cell<u64>,
    start_ms: u64,
    /// The override's answers not given yet: (query key, response without id).
    pending: RefCell<Vec<(DnsKey, Vec<u8>)>>,
    /// How many times this run sent each query (the book replays attempt by attempt).
    attempts: RefCell<BTreeMap<DnsKey, usize>>,
    log: RefCell<RunLog>,
}

impl<'a, N: Network> LeNetwork<'a, N> {
    /// A run starting now, answering the identifier's first lookups from `answers` if given.
    pub(crate) fn new(inner: &'a N, book: &'a Book, answers: Option<Override>) -> Self {
        let pending = answers.as_ref().map(synthesized).unwrap_or_default();
        LeNetwork {
            inner,
            book,
            offset_ms: Cell::new(0),
            start_ms: inner.now_ms(),
            pending: RefCell::new(pending),
            attempts: RefCell::new(BTreeMap::new()),
            log: RefCell::new(RunLog::default()),
        }
    }

    /// Let's Encrypt's milliseconds since the run started.
    pub(crate) fn elapsed_ms(&self) -> u64 {
        self.now_ms().saturating_sub(self.start_ms)
    }

    /// The log so far.
    pub(crate) fn take_log(&self) -> RunLog {
        std::mem::take(&mut self.log.borrow_mut())
    }

    /// Moves the clock so that an operation started at `started_ms` (this clock) ends where
    /// Let's Encrypt's would: a timeout after the full `timeout_ms`, a cached result after
    /// the original's duration.
    fn settle(&self, started_ms: u64, timeout_ms: u32, timed_out: bool, source: Source) {
        let target = match (timed_out, source) {
            (true, _) => started_ms.saturating_add(u64::from(timeout_ms)),
            (false, Source::Cached { elapsed_ms }) => started_ms.saturating_add(elapsed_ms),
            (false, _) => return,
        };
        let gap = target.saturating_sub(self.inner.now_ms());
        self.offset_ms.set(self.offset_ms.get().max(gap));
    }

    /// The override's answer to `message`, if it is one of the identifier's first queries.
    fn answer_from_override(&self, transport: DnsTransport, message: &[u8]) -> Option<Vec<u8>> {
        let key = book::key(transport, message);
        let mut pending = self.pending.borrow_mut();
        let position = pending.iter().position(|(k, _)| *k == key)?;
        let (_, mut answer) = pending.remove(position);
        if let (Some(slot), Some(id)) = (answer.get_mut(..2), message.get(..2)) {
            slot.copy_from_slice(id);
        }
        Some(answer)
    }
}

/// The override's (query key, answer) pairs, for each family it replaces.
fn synthesized(answers: &Override) -> Vec<(DnsKey, Vec<u8>)> {
    let families = [(QueryType::A, &answers.a), (QueryType::Aaaa, &answers.aaaa)];
    families
        .into_iter()
        .filter_map(|(query_type, list)| {
            let list = list.as_ref()?;
            let query = crate::dns::encode_query(0, &answers.host, query_type).ok()?;
            let answer = dns_answer::encode(&query, list)?;
            Some((book::key(DnsTransport::Datagram, &query), answer))
        })
        .collect()
}

impl<N: Network> Network for LeNetwork<'_, N> {
    type Connection = N::Connection;

    fn now_ms(&self) -> u64 {
        self.inner.now_ms().saturating_add(self.offset_ms.get())
    }

    fn random_u64(&self) -> u64 {
        self.inner.random_u64()
    }

    fn trace(&self, message: String) {
        let at_ms = self.elapsed_ms();
        self.log
            .borrow_mut()
            .trace
            .push(TraceEvent { at_ms, message });
    }

    async fn exchange_dns(
        &self,
        transport: DnsTransport,
        message: Vec<u8>,
        timeout_ms: u32,
    ) -> Result<Vec<u8>, DnsTransportError> {
        if let Some(answer) = self.answer_from_override(transport, &message) {
            return Ok(answer);
        }
        let key = book::key(transport, &message);
        let index = {
            let mut attempts = self.attempts.borrow_mut();
            let count = attempts.entry(key).or_insert(0);
            let index = *count;
            *count = count.saturating_add(1);
            index
        };
        let started = self.now_ms();
        let (answer, source) = self
            .book
            .exchange(self.inner, transport, message, timeout_ms, index)
            .await;
        let timed_out = matches!(answer, Err(DnsTransportError::Timeout));
        self.settle(started, timeout_ms, timed_out, source);
        answer
    }

    async fn connect(
        &self,
        address: SocketAddr,
        timeout_ms: u32,
    ) -> Result<N::Connection, DialError> {
        let started = self.now_ms();
        let (result, source) = self.book.connect(self.inner, address, timeout_ms).await;
        let error = result.as_ref().err().cloned();
        self.settle(
            started,
            timeout_ms,
            error == Some(DialError::Timeout),
            source,
        );
        let elapsed_ms = self.now_ms().saturating_sub(started);
        self.log.borrow_mut().dials.push(DialLog {
            address,
            error,
            elapsed_ms,
        });
        result
    }

    async fn send(
        &self,
        connection: &N::Connection,
        data: Vec<u8>,
        timeout_ms: u32,
    ) -> Result<(), StreamError> {
        self.inner.send(connection, data, timeout_ms).await
    }

    async fn receive(
        &self,
        connection: &N::Connection,
        max_bytes: u32,
        timeout_ms: u32,
    ) -> Result<Vec<u8>, StreamError> {
        let received = self.inner.receive(connection, max_bytes, timeout_ms).await;
        if let Ok(bytes) = &received {
            let mut log = self.log.borrow_mut();
            log.received_bytes = log.received_bytes.saturating_add(bytes.len() as u64);
        }
        received
    }

    async fn sleep(&self, duration_ms: u32) {
        self.inner.sleep(duration_ms).await
    }

    fn observe_response(&self, address: SocketAddr, head: &ResponseHead) {
        let print = fingerprint::head_print(head);
        self.log.borrow_mut().responses.push((address, print));
    }

    fn observe_tls(
        &self,
        address: SocketAddr,
        version: Option<u16>,
        alpn: Option<&[u8]>,
        certificates: &[Vec<u8>],
    ) {
        let summary = tls_summary(version, alpn, certificates);
        self.log.borrow_mut().handshakes.push((address, summary));
    }
}
