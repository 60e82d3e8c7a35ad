//! The I/O driver: performs the component's requests concurrently and gathers completions.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpStream;
use tokio::runtime::{Builder, Runtime};
use tokio::sync::Mutex;
use tokio::task::{AbortHandle, JoinError, JoinSet};

use crate::net::{self, Reader, Writer};
use crate::{Completion, DialError, Outcome, Request, RequestKind, StreamError};

/// Performs requests on a current-thread tokio runtime of its own and hands back completions.
///
/// Every method is synchronous: tasks make progress only inside [`Driver::wait`], so the
/// caller can call into the component between waits without being inside the runtime.
/// Dropping the driver abandons every outstanding request and closes every connection.
pub struct Driver {
    /// Outstanding requests, by id.
    live: HashMap<u32, Live>,
    /// Open connections, by the id of the `connect` request that opened them.
    connections: HashMap<u32, Connection>,
    /// Completions known without I/O (a send on an unknown connection), not yet handed out.
    ready: Vec<(Option<u32>, Completion)>,
    /// The running requests; each yields its id and what happened.
    tasks: JoinSet<(u32, Finished)>,
    resolver: Option<SocketAddr>,
    started: Instant,
    runtime: Runtime,
}

/// An outstanding request.
struct Live {
    abort: AbortHandle,
    /// The connection a send or receive uses, or that a connect opens.
    connection: Option<u32>,
    /// Which outcome answers it, should its task fail.
    kind: Kind,
}

/// The request kinds that get a completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    DnsExchange,
    Connect,
    Send,
    Receive,
    Sleep,
}

/// Both halves of an open connection.
struct Connection {
    reader: Reader,
    writer: Writer,
}

/// What a task produced.
enum Finished {
    /// The outcome to hand back as it is.
    Outcome(Outcome),
    /// A connect: on success the stream still has to be registered.
    Connected(Result<TcpStream, DialError>),
}

impl Driver {
    /// A driver whose DNS exchanges go to `resolver` (when `None`, they fail with
    /// `dns-transport-error.other`). Its clock starts now.
    pub fn new(resolver: Option<SocketAddr>) -> io::Result<Self> {
        let runtime = Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        Ok(Driver {
            live: HashMap::new(),
            connections: HashMap::new(),
            ready: Vec::new(),
            tasks: JoinSet::new(),
            resolver,
            started: Instant::now(),
            runtime,
        })
    }

    /// Milliseconds since the driver was created: the session clock.
    pub fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// How many requests await a completion (performed or ready to hand back).
    pub fn outstanding(&self) -> usize {
        self.live.len().saturating_add(self.ready.len())
    }

    /// Starts every request. Fails, starting nothing more, when a request reuses the id of an
    /// outstanding one (the component broke the contract).
    pub fn submit(&mut self, requests: Vec<Request>) -> Result<(), String> {
        for request in requests {
            if self.live.contains_key(&request.id)
                || self.ready.iter().any(|(_, c)| c.id == request.id)
            {
                return Err(format!("the component reused request id {}", request.id));
            }
            self.start(request);
        }
        Ok(())
    }

    /// Waits up to `limit` for at least one completion, then returns every completion ready
    /// at that moment. Returns at once when completions are ready or nothing is outstanding;
    /// may return none before `limit` when a finished request had been abandoned.
    pub fn wait(&mut self, limit: Duration) -> Vec<Completion> {
        let limit = if self.ready.is_empty() {
            limit
        } else {
            Duration::ZERO
        };
        let tasks = &mut self.tasks;
        let finished = self.runtime.block_on(async {
            let mut finished = Vec::new();
            if !limit.is_zero() {
                if let Ok(Some(first)) =
                    tokio::time::timeout(limit, tasks.join_next_with_id()).await
                {
                    finished.push(first);
                }
            }
            // Let the tasks woken meanwhile run, so that simultaneous completions travel together.
            tokio::task::yield_now().await;
            while let Some(next) = tasks.try_join_next_with_id() {
                finished.push(next);
            }
            finished
        });
        for result in finished {
            self.finish(result);
        }
        self.ready
            .drain(..)
            .map(|(_, completion)| completion)
            .collect()
    }

    /// Starts one request, or performs it at once (close, operations on unknown connections).
    fn start(&mut self, request: Request) {
        let id = request.id;
        let resolver = self.resolver;
        let handle = self.runtime.handle().clone();
        let (kind, connection, abort) = match request.kind {
            RequestKind::DnsExchange(exchange) => {
                let task = async move {
                    Finished::Outcome(Outcome::DnsExchanged(
                        net::dns_exchange(resolver, exchange).await,
                    ))
                };
                (
                    Kind::DnsExchange,
                    None,
                    self.tasks.spawn_on(with_id(id, task), &handle),
                )
            }
            RequestKind::Connect(connect) => {
                let task = async move { Finished::Connected(net::connect(connect).await) };
                (
                    Kind::Connect,
                    Some(id),
                    self.tasks.spawn_on(with_id(id, task), &handle),
                )
            }
            RequestKind::Send(send) => {
                let Some(open) = self.connections.get(&send.connection) else {
                    return self.refuse(
                        id,
                        send.connection,
                        Outcome::Sent(Err(StreamError::Closed)),
                    );
                };
                let task = net::send(Arc::clone(&open.writer), send.data, send.timeout_ms);
                let task = async move { Finished::Outcome(Outcome::Sent(task.await)) };
                (
                    Kind::Send,
                    Some(send.connection),
                    self.tasks.spawn_on(with_id(id, task), &handle),
                )
            }
            RequestKind::Receive(receive) => {
                let Some(open) = self.connections.get(&receive.connection) else {
                    return self.refuse(
                        id,
                        receive.connection,
                        Outcome::Received(Err(StreamError::Closed)),
                    );
                };
                let task = net::receive(
                    Arc::clone(&open.reader),
                    receive.max_bytes,
                    receive.timeout_ms,
                );
                let task = async move { Finished::Outcome(Outcome::Received(task.await)) };
                (
                    Kind::Receive,
                    Some(receive.connection),
                    self.tasks.spawn_on(with_id(id, task), &handle),
                )
            }
            RequestKind::Close(connection) => return self.close(connection),
            RequestKind::Sleep(ms) => {
                let task = async move {
                    tokio::time::sleep(net::millis(ms)).await;
                    Finished::Outcome(Outcome::Slept)
                };
                (
                    Kind::Sleep,
                    None,
                    self.tasks.spawn_on(with_id(id, task), &handle),
                )
            }
        };
        self.live.insert(
            id,
            Live {
                abort,
                connection,
                kind,
            },
        );
    }

    /// Queues the completion of a send or receive that cannot start.
    fn refuse(&mut self, id: u32, connection: u32, outcome: Outcome) {
        self.ready
            .push((Some(connection), Completion { id, outcome }));
    }

    /// Closes a connection and abandons its connect, sends and receives: they get no completion.
    fn close(&mut self, connection: u32) {
        self.connections.remove(&connection);
        self.live.retain(|_, live| {
            let abandoned = live.connection == Some(connection);
            if abandoned {
                live.abort.abort();
            }
            !abandoned
        });
        self.ready.retain(|(on, _)| *on != Some(connection));
    }

    /// Turns a finished task into a completion, unless its request was abandoned.
    fn finish(&mut self, result: Result<(tokio::task::Id, (u32, Finished)), JoinError>) {
        let (id, finished) = match result {
            Ok((_, done)) => done,
            Err(error) => match self.failed(&error) {
                Some(id_and_outcome) => id_and_outcome,
                None => return,
            },
        };
        let Some(live) = self.live.remove(&id) else {
            return; // abandoned by a close; a stream it opened is dropped here
        };
        let outcome = match finished {
            Finished::Outcome(outcome) => outcome,
            Finished::Connected(Err(error)) => Outcome::Connected(Err(error)),
            Finished::Connected(Ok(stream)) => {
                let (reader, writer) = stream.into_split();
                let connection = Connection {
                    reader: Arc::new(Mutex::new(reader)),
                    writer: Arc::new(Mutex::new(writer)),
                };
                self.connections.insert(id, connection);
                Outcome::Connected(Ok(()))
            }
        };
        self.ready
            .push((live.connection, Completion { id, outcome }));
    }

    /// The request of a task that panicked, answered with an error of its kind; `None` for a
    /// task cancelled by a close.
    fn failed(&self, error: &JoinError) -> Option<(u32, Finished)> {
        if error.is_cancelled() {
            return None;
        }
        let (&id, live) = self
            .live
            .iter()
            .find(|(_, live)| live.abort.id() == error.id())?;
        let text = format!("host task failed: {error}");
        let outcome = match live.kind {
            Kind::DnsExchange => Outcome::DnsExchanged(Err(crate::DnsTransportError::Other(text))),
            Kind::Connect => Outcome::Connected(Err(DialError::Other(text))),
            Kind::Send => Outcome::Sent(Err(StreamError::Other(text))),
            Kind::Receive => Outcome::Received(Err(StreamError::Other(text))),
            Kind::Sleep => Outcome::Slept,
        };
        Some((id, Finished::Outcome(outcome)))
    }
}

/// Tags a task's result with its request id.
async fn with_id(id: u32, task: impl std::future::Future<Output = Finished>) -> (u32, Finished) {
    (id, task.await)
}

#[cfg(test)]
mod tests;
