//! The book every probe and policy run of one diagnosis shares: what each DNS exchange
//! answered and which addresses refuse connections, so that nothing slow happens twice.
//!
//! A dial that failed is not tried again: later dials of that address fail at once with the
//! recorded error (the caller's clock jumps by the time Let's Encrypt would have waited, see
//! `network.rs`). A dial in flight is joined when it ends no later than the joiner's own
//! timeout would. Connections that succeed are never shared: each caller dials its own. DNS
//! exchanges are replayed attempt by attempt, so every run sees the same answers.
//!
//! All of it runs on the session's single thread; waiting means polling the book on every
//! step, with a sleep request outstanding so that the session always has a next step. Filing
//! a result wakes the waiters, so that one that looked earlier in the same pass looks again
//! before the session answers the host (it would otherwise sleep on, and its clock with it).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::task::{Poll, Waker};

use crate::io::{DialError, DnsTransport, DnsTransportError};
use crate::network::Network;

/// Where a result came from, which decides how the caller's clock moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// The caller did the I/O itself and waited for it.
    Fresh,
    /// The caller waited for someone else's I/O in flight.
    Joined,
    /// Known before the caller asked; the original took this long.
    Cached {
        /// The original's duration.
        elapsed_ms: u64,
    },
}

/// What the book knows about dialling one address.
#[derive(Clone, Debug)]
enum Dial {
    /// A dial is running; it ends by `expires_ms` (the host's clock).
    InFlight { expires_ms: u64, owner: u64 },
    /// The address refused, dropped or could not be reached.
    Failed { error: DialError, elapsed_ms: u64 },
    /// A dial succeeded once.
    Connected,
}

/// One DNS exchange of a given query, as the book knows it.
#[derive(Clone, Debug)]
enum Exchange {
    InFlight {
        expires_ms: u64,
        owner: u64,
    },
    Done {
        answer: Result<Vec<u8>, DnsTransportError>,
        elapsed_ms: u64,
    },
}

/// A query as the book files it: the transport and the message without its id.
pub(crate) type DnsKey = (bool, Vec<u8>);

/// The waits a caller makes before giving up on someone else's I/O and doing its own.
const MAX_WAITS: u32 = 64;
/// The first pause after an awaited I/O's expiry passed without its completion.
const FIRST_LATE_PAUSE_MS: u64 = 5;
/// The longest pause after that (the pauses double up to it).
const MAX_LATE_PAUSE_MS: u64 = 1_000;

/// The shared knowledge of one diagnosis.
#[derive(Default)]
pub(crate) struct Book {
    dials: RefCell<BTreeMap<SocketAddr, Dial>>,
    exchanges: RefCell<BTreeMap<DnsKey, Vec<Exchange>>>,
    next_owner: Cell<u64>,
    /// Tasks waiting for someone else's I/O.
    waiters: RefCell<Vec<Waker>>,
}

/// What a wait found.
enum Wait<T> {
    Ready(T),
    Pending { until_ms: u64 },
    Gone,
}

impl Book {
    /// Registers a waiter's waker. Every task of the session shares the session's waker, so
    /// the list keeps the current one only.
    fn wait_with(&self, waker: &Waker) {
        let mut waiters = self.waiters.borrow_mut();
        waiters.retain(|known| known.will_wake(waker));
        if waiters.is_empty() {
            waiters.push(waker.clone());
        }
    }

    /// Wakes every waiter: something was filed.
    fn wake_waiters(&self) {
        for waker in self.waiters.take() {
            waker.wake();
        }
    }

    fn owner(&self) -> u64 {
        let owner = self.next_owner.get().wrapping_add(1);
        self.next_owner.set(owner);
        owner
    }

    /// Dials `address` through `network` unless the book already knows it fails.
    pub(crate) async fn connect<N: Network>(
        &self,
        network: &N,
        address: SocketAddr,
        timeout_ms: u32,
    ) -> (Result<N::Connection, DialError>, Source) {
        let now = network.now_ms();
        let known = self.dials.borrow().get(&address).cloned();
        match known {
            Some(Dial::Failed { error, elapsed_ms }) => {
                return (Err(error), Source::Cached { elapsed_ms })
            }
            Some(Dial::InFlight { expires_ms, .. })
                if expires_ms <= now.saturating_add(u64::from(timeout_ms)) =>
            {
                let check = || match self.dials.borrow().get(&address) {
                    Some(Dial::Failed { error, .. }) => Wait::Ready(Some(error.clone())),
                    Some(Dial::Connected) => Wait::Ready(None),
                    Some(Dial::InFlight { expires_ms, .. }) => Wait::Pending {
                        until_ms: *expires_ms,
                    },
                    None => Wait::Gone,
                };
                if let Some(Some(error)) = wait(network, self, check).await {
                    return (Err(error), Source::Joined);
                }
            }
            _ => {}
        }
        let owner = self.owner();
        self.dials
            .borrow_mut()
            .entry(address)
            .or_insert(Dial::InFlight {
                expires_ms: now.saturating_add(u64::from(timeout_ms)),
                owner,
            });
        let mut guard = DialGuard {
            book: self,
            address,
            owner,
            armed: true,
        };
        let result = network.connect(address, timeout_ms).await;
        let elapsed_ms = network.now_ms().saturating_sub(now);
        self.dialled(address, result.as_ref().err(), elapsed_ms);
        guard.armed = false;
        (result, Source::Fresh)
    }

    /// Files the end of a fresh dial: the first failure is kept for everyone.
    fn dialled(&self, address: SocketAddr, error: Option<&DialError>, elapsed_ms: u64) {
        let mut dials = self.dials.borrow_mut();
        let entry = dials.entry(address).or_insert(Dial::Connected);
        match (error, &*entry) {
            (Some(_), Dial::Failed { .. }) => {}
            (Some(error), _) => {
                *entry = Dial::Failed {
                    error: error.clone(),
                    elapsed_ms,
                }
            }
            (None, Dial::InFlight { .. }) => *entry = Dial::Connected,
            (None, _) => {}
        }
        drop(dials);
        self.wake_waiters();
    }

    /// The `index`-th exchange of `message` (0 = the first attempt), from the book or fresh.
    pub(crate) async fn exchange<N: Network>(
        &self,
        network: &N,
        transport: DnsTransport,
        message: Vec<u8>,
        timeout_ms: u32,
        index: usize,
    ) -> (Result<Vec<u8>, DnsTransportError>, Source) {
        let key = key(transport, &message);
        let known = self.exchange_at(&key, index);
        let now = network.now_ms();
        match known {
            Some(Exchange::Done { answer, elapsed_ms }) => {
                return (with_id(answer, &message), Source::Cached { elapsed_ms })
            }
            Some(Exchange::InFlight { .. }) => {
                let check = || match self.exchange_at(&key, index) {
                    Some(Exchange::Done { answer, .. }) => Wait::Ready(answer),
                    Some(Exchange::InFlight { expires_ms, .. }) => Wait::Pending {
                        until_ms: expires_ms,
                    },
                    None => Wait::Gone,
                };
                if let Some(answer) = wait(network, self, check).await {
                    return (with_id(answer, &message), Source::Joined);
                }
            }
            None => {}
        }
        let owner = self.owner();
        let expires_ms = now.saturating_add(u64::from(timeout_ms));
        let recorded = self.start_exchange(&key, index, expires_ms, owner);
        let mut guard = ExchangeGuard {
            book: self,
            key: key.clone(),
            index,
            owner,
            armed: recorded,
        };
        let answer = network.exchange_dns(transport, message, timeout_ms).await;
        if recorded {
            let elapsed_ms = network.now_ms().saturating_sub(now);
            self.exchanged(&key, index, &answer, elapsed_ms);
        }
        guard.armed = false;
        (answer, Source::Fresh)
    }

    /// Files the answer of the `index`-th exchange of `key`.
    fn exchanged(
        &self,
        key: &DnsKey,
        index: usize,
        answer: &Result<Vec<u8>, DnsTransportError>,
        elapsed_ms: u64,
    ) {
        let mut exchanges = self.exchanges.borrow_mut();
        if let Some(slot) = exchanges.get_mut(key).and_then(|list| list.get_mut(index)) {
            *slot = Exchange::Done {
                answer: answer.clone(),
                elapsed_ms,
            };
        }
        drop(exchanges);
        self.wake_waiters();
    }

    /// Marks the `index`-th exchange of `key` in flight, if it is the next one to file.
    fn start_exchange(&self, key: &DnsKey, index: usize, expires_ms: u64, owner: u64) -> bool {
        let mut exchanges = self.exchanges.borrow_mut();
        let list = exchanges.entry(key.clone()).or_default();
        let fits = list.len() == index;
        if fits {
            list.push(Exchange::InFlight { expires_ms, owner });
        }
        fits
    }

    fn exchange_at(&self, key: &DnsKey, index: usize) -> Option<Exchange> {
        self.exchanges.borrow().get(key)?.get(index).cloned()
    }
}

/// Removes an in-flight dial whose future was dropped, so that waiters dial themselves.
struct DialGuard<'a> {
    book: &'a Book,
    address: SocketAddr,
    owner: u64,
    armed: bool,
}

impl Drop for DialGuard<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let mut dials = self.book.dials.borrow_mut();
        if let Some(Dial::InFlight { owner, .. }) = dials.get(&self.address) {
            if *owner == self.owner {
                dials.remove(&self.address);
            }
        }
        drop(dials);
        self.book.wake_waiters();
    }
}

/// Removes an in-flight exchange (and what follows it) whose future was dropped.
struct ExchangeGuard<'a> {
    book: &'a Book,
    key: DnsKey,
    index: usize,
    owner: u64,
    armed: bool,
}

impl Drop for ExchangeGuard<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let mut exchanges = self.book.exchanges.borrow_mut();
        if let Some(list) = exchanges.get_mut(&self.key) {
            let ours = matches!(list.get(self.index), Some(Exchange::InFlight { owner, .. }) if *owner == self.owner);
            if ours {
                list.truncate(self.index);
            }
        }
        drop(exchanges);
        self.book.wake_waiters();
    }
}

/// The book's key for a query: the transport and the message after its id.
pub(crate) fn key(transport: DnsTransport, message: &[u8]) -> DnsKey {
    (
        transport == DnsTransport::ByteStream,
        message.get(2..).unwrap_or_default().to_vec(),
    )
}

/// `answer` with the id of `query`, as the resolver would have answered it.
fn with_id(
    answer: Result<Vec<u8>, DnsTransportError>,
    query: &[u8],
) -> Result<Vec<u8>, DnsTransportError> {
    answer.map(|mut bytes| {
        if let (Some(slot), Some(id)) = (bytes.get_mut(..2), query.get(..2)) {
            slot.copy_from_slice(id);
        }
        bytes
    })
}

/// Waits until `check` is ready or gone, sleeping towards its expiry meanwhile so that the
/// session keeps stepping. `None` when the awaited I/O vanished or took too long.
async fn wait<N: Network, T>(network: &N, book: &Book, check: impl Fn() -> Wait<T>) -> Option<T> {
    // Past the expiry the owner's completion is due any moment: look again soon, then less
    // and less often.
    let mut late_ms = FIRST_LATE_PAUSE_MS;
    for _ in 0..MAX_WAITS {
        let until_ms = match check() {
            Wait::Ready(value) => return Some(value),
            Wait::Gone => return None,
            Wait::Pending { until_ms } => until_ms,
        };
        let now = network.now_ms();
        let pause = if until_ms > now {
            until_ms - now
        } else {
            let pause = late_ms;
            late_ms = late_ms.saturating_mul(2).min(MAX_LATE_PAUSE_MS);
            pause
        };
        let mut sleep = pin!(network.sleep(u32::try_from(pause).unwrap_or(u32::MAX)));
        let early = std::future::poll_fn(|cx| match check() {
            Wait::Ready(value) => Poll::Ready(Some(Some(value))),
            Wait::Gone => Poll::Ready(Some(None)),
            Wait::Pending { .. } => {
                book.wait_with(cx.waker());
                sleep.as_mut().poll(cx).map(|()| None)
            }
        })
        .await;
        if let Some(found) = early {
            return found;
        }
    }
    None
}

#[cfg(test)]
mod tests;
