//! The reactor: where the policy's `Network` calls become requests for the host and where
//! the host's completions wait to be picked up.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::io::{
    Completion, DialError, DnsTransport, DnsTransportError, Outbound, Outcome, OutcomeKind,
    Request, RequestId, StreamError,
};
use crate::network::Network;
use crate::report::TraceEvent;

use super::ApiMisuse;

/// Shared state between the session and the futures of its policy.
#[derive(Default)]
pub(crate) struct Reactor {
    now_ms: u64,
    start_ms: u64,
    next_id: u32,
    random_state: u64,
    /// Requests issued since the last step, in order.
    issued: Vec<Outbound>,
    /// Requests waiting for a completion, with the outcome kind that answers them.
    outstanding: BTreeMap<RequestId, OutcomeKind>,
    /// Requests whose future was dropped: a late completion is accepted and ignored.
    abandoned: BTreeSet<RequestId>,
    /// Close requests issued (they never get a completion).
    closed: BTreeSet<RequestId>,
    /// Completions not yet picked up by their future.
    ready: BTreeMap<RequestId, Outcome>,
    /// The human account.
    pub(crate) trace: Vec<TraceEvent>,
}

impl Reactor {
    pub(crate) fn new(seed: u64) -> Self {
        Reactor {
            random_state: seed,
            next_id: 1,
            ..Reactor::default()
        }
    }

    /// Sets the clock; the first call fixes time zero.
    pub(crate) fn set_now(&mut self, now_ms: u64, first: bool) -> Result<(), ApiMisuse> {
        if first {
            self.start_ms = now_ms;
        } else if now_ms < self.now_ms {
            return Err(ApiMisuse::TimeWentBackwards);
        }
        self.now_ms = now_ms;
        Ok(())
    }

    /// Checks a completion against what was issued and files it for its future.
    pub(crate) fn accept(&mut self, completion: Completion) -> Result<(), ApiMisuse> {
        let id = completion.id;
        if self.abandoned.remove(&id) {
            return Ok(());
        }
        if self.closed.contains(&id) {
            return Err(ApiMisuse::CompletedClose(id));
        }
        let Some(expected) = self.outstanding.get(&id) else {
            return Err(ApiMisuse::UnknownRequest(id));
        };
        if *expected != completion.outcome.kind() {
            return Err(ApiMisuse::MismatchedOutcome(id));
        }
        self.outstanding.remove(&id);
        self.ready.insert(id, completion.outcome);
        Ok(())
    }

    pub(crate) fn take_issued(&mut self) -> Vec<Outbound> {
        std::mem::take(&mut self.issued)
    }

    /// True when nothing is outstanding: a pending policy could never wake again.
    pub(crate) fn is_idle(&self) -> bool {
        self.outstanding.is_empty() && self.ready.is_empty() && self.issued.is_empty()
    }

    fn issue(&mut self, request: Request) -> RequestId {
        let id = RequestId(self.next_id);
        self.next_id = self.next_id.saturating_add(1);
        match request.expected_outcome() {
            Some(kind) => {
                self.outstanding.insert(id, kind);
            }
            None => {
                self.closed.insert(id);
            }
        }
        self.issued.push(Outbound { id, request });
        id
    }

    fn elapsed_ms(&self) -> u64 {
        self.now_ms.saturating_sub(self.start_ms)
    }
}

/// The `Network` the policy sees inside a session.
#[derive(Clone)]
pub(crate) struct SessionNetwork {
    pub(crate) reactor: Rc<RefCell<Reactor>>,
}

/// A connection opened through the session; dropping it asks the host to close it.
pub struct SessionConnection {
    id: RequestId,
    reactor: Rc<RefCell<Reactor>>,
}

impl Drop for SessionConnection {
    fn drop(&mut self) {
        let mut reactor = self.reactor.borrow_mut();
        reactor.issue(Request::Close {
            connection: self.id,
        });
    }
}

/// Waits for the completion of one request.
struct Completed {
    id: RequestId,
    reactor: Rc<RefCell<Reactor>>,
    done: bool,
}

impl Future for Completed {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Outcome> {
        let taken = self.reactor.borrow_mut().ready.remove(&self.id);
        match taken {
            Some(outcome) => {
                self.done = true;
                Poll::Ready(outcome)
            }
            None => Poll::Pending,
        }
    }
}

impl Drop for Completed {
    fn drop(&mut self) {
        if !self.done {
            let mut reactor = self.reactor.borrow_mut();
            if reactor.outstanding.remove(&self.id).is_some() {
                reactor.abandoned.insert(self.id);
            }
            reactor.ready.remove(&self.id);
        }
    }
}

impl SessionNetwork {
    fn request(&self, request: Request) -> Completed {
        let id = self.reactor.borrow_mut().issue(request);
        Completed {
            id,
            reactor: self.reactor.clone(),
            done: false,
        }
    }
}

impl Network for SessionNetwork {
    type Connection = SessionConnection;

    fn now_ms(&self) -> u64 {
        self.reactor.borrow().now_ms
    }

    fn random_u64(&self) -> u64 {
        // SplitMix64: tiny, and good enough for DNS ids.
        let mut reactor = self.reactor.borrow_mut();
        reactor.random_state = reactor.random_state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = reactor.random_state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn trace(&self, message: String) {
        let mut reactor = self.reactor.borrow_mut();
        let at_ms = reactor.elapsed_ms();
        reactor.trace.push(TraceEvent { at_ms, message });
    }

    async fn exchange_dns(
        &self,
        transport: DnsTransport,
        message: Vec<u8>,
        timeout_ms: u32,
    ) -> Result<Vec<u8>, DnsTransportError> {
        let request = Request::ExchangeDns {
            transport,
            message,
            timeout_ms,
        };
        match self.request(request).await {
            Outcome::DnsExchanged(result) => result,
            _ => Err(DnsTransportError::Other("mismatched outcome".into())),
        }
    }

    async fn connect(
        &self,
        address: SocketAddr,
        timeout_ms: u32,
    ) -> Result<SessionConnection, DialError> {
        let completed = self.request(Request::Connect {
            address,
            timeout_ms,
        });
        let id = completed.id;
        match completed.await {
            Outcome::Connected(Ok(())) => Ok(SessionConnection {
                id,
                reactor: self.reactor.clone(),
            }),
            Outcome::Connected(Err(error)) => Err(error),
            _ => Err(DialError::Other("mismatched outcome".into())),
        }
    }

    async fn send(
        &self,
        connection: &SessionConnection,
        data: Vec<u8>,
        timeout_ms: u32,
    ) -> Result<(), StreamError> {
        let request = Request::Send {
            connection: connection.id,
            data,
            timeout_ms,
        };
        match self.request(request).await {
            Outcome::Sent(result) => result,
            _ => Err(StreamError::Other("mismatched outcome".into())),
        }
    }

    async fn receive(
        &self,
        connection: &SessionConnection,
        max_bytes: u32,
        timeout_ms: u32,
    ) -> Result<Vec<u8>, StreamError> {
        let request = Request::Receive {
            connection: connection.id,
            max_bytes,
            timeout_ms,
        };
        match self.request(request).await {
            Outcome::Received(result) => result,
            _ => Err(StreamError::Other("mismatched outcome".into())),
        }
    }

    async fn sleep(&self, duration_ms: u32) {
        let _ = self.request(Request::Sleep { duration_ms }).await;
    }
}
