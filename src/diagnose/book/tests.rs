use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use super::{Book, Source};
use crate::io::{DialError, DnsTransport, DnsTransportError, StreamError};
use crate::network::Network;

/// A network whose connects and exchanges end when the test says so.
#[derive(Default)]
struct Fake {
    now: Cell<u64>,
    /// The result each address's connects get, once set.
    dials: RefCell<BTreeMap<SocketAddr, Result<(), DialError>>>,
    /// The answer every exchange gets, once set.
    answer: RefCell<Option<Result<Vec<u8>, DnsTransportError>>>,
    connects: Cell<u32>,
    exchanges: Cell<u32>,
}

impl Network for Fake {
    type Connection = ();

    fn now_ms(&self) -> u64 {
        self.now.get()
    }

    fn random_u64(&self) -> u64 {
        4
    }

    fn trace(&self, _message: String) {}

    async fn exchange_dns(
        &self,
        _transport: DnsTransport,
        _message: Vec<u8>,
        _timeout_ms: u32,
    ) -> Result<Vec<u8>, DnsTransportError> {
        self.exchanges.set(self.exchanges.get() + 1);
        std::future::poll_fn(|_| match self.answer.borrow().clone() {
            Some(answer) => Poll::Ready(answer),
            None => Poll::Pending,
        })
        .await
    }

    async fn connect(&self, address: SocketAddr, _timeout_ms: u32) -> Result<(), DialError> {
        self.connects.set(self.connects.get() + 1);
        std::future::poll_fn(|_| match self.dials.borrow().get(&address) {
            Some(result) => Poll::Ready(result.clone()),
            None => Poll::Pending,
        })
        .await
    }

    async fn send(&self, _: &(), _: Vec<u8>, _: u32) -> Result<(), StreamError> {
        Ok(())
    }

    async fn receive(&self, _: &(), _: u32, _: u32) -> Result<Vec<u8>, StreamError> {
        Ok(Vec::new())
    }

    async fn sleep(&self, _duration_ms: u32) {
        std::future::pending::<()>().await
    }
}

fn poll<F: Future>(future: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match poll(future.as_mut()) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("not ready"),
    }
}

const A: &str = "[2001:db8::1]:80";

fn address() -> SocketAddr {
    A.parse().unwrap()
}

#[test]
fn failed_dials_are_not_repeated() {
    let (network, book) = (Fake::default(), Book::default());
    network
        .dials
        .borrow_mut()
        .insert(address(), Err(DialError::Refused));
    network.now.set(5);
    let (first, source) = ready(book.connect(&network, address(), 10_000));
    assert_eq!((first, source), (Err(DialError::Refused), Source::Fresh));
    let (again, source) = ready(book.connect(&network, address(), 10_000));
    assert_eq!(again, Err(DialError::Refused)); // the book's answer
    assert_eq!(source, Source::Cached { elapsed_ms: 0 });
    assert_eq!(network.connects.get(), 1); // the address was dialled once
}

#[test]
fn connections_are_never_shared() {
    let (network, book) = (Fake::default(), Book::default());
    network.dials.borrow_mut().insert(address(), Ok(()));
    for _ in 0..2 {
        let (result, source) = ready(book.connect(&network, address(), 10_000));
        assert_eq!((result, source), (Ok(()), Source::Fresh));
    }
    assert_eq!(network.connects.get(), 2); // each caller dials its own
}

#[test]
fn a_dial_in_flight_is_joined_and_its_failure_shared() {
    let (network, book) = (Fake::default(), Book::default());
    let mut owner = pin!(book.connect(&network, address(), 10_000));
    assert!(poll(owner.as_mut()).is_pending());
    let mut joiner = pin!(book.connect(&network, address(), 10_000));
    assert!(poll(joiner.as_mut()).is_pending());
    network
        .dials
        .borrow_mut()
        .insert(address(), Err(DialError::Timeout));
    network.now.set(10_000);
    assert!(matches!(
        poll(owner.as_mut()),
        Poll::Ready((Err(DialError::Timeout), Source::Fresh))
    ));
    assert!(matches!(
        poll(joiner.as_mut()),
        Poll::Ready((Err(DialError::Timeout), Source::Joined))
    ));
    assert_eq!(network.connects.get(), 1); // the joiner never dialled
}

/// Counts its wakes.
#[derive(Default)]
struct Wakes(std::sync::atomic::AtomicU32);

impl std::task::Wake for Wakes {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

#[test]
fn filing_a_result_wakes_the_joiners() {
    let (network, book) = (Fake::default(), Book::default());
    let wakes = std::sync::Arc::new(Wakes::default());
    let waker = Waker::from(std::sync::Arc::clone(&wakes));
    let mut cx = Context::from_waker(&waker);
    let mut owner = pin!(book.connect(&network, address(), 10_000));
    assert!(owner.as_mut().poll(&mut cx).is_pending());
    let mut joiner = pin!(book.connect(&network, address(), 10_000));
    assert!(joiner.as_mut().poll(&mut cx).is_pending()); // looks first, sleeps
    network
        .dials
        .borrow_mut()
        .insert(address(), Err(DialError::Refused));
    assert!(owner.as_mut().poll(&mut cx).is_ready()); // files the failure later in the pass
    let woken = wakes.0.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(woken, 1, "the joiner must be polled again in this step");
    assert!(matches!(
        joiner.as_mut().poll(&mut cx),
        Poll::Ready((Err(DialError::Refused), Source::Joined))
    ));
}

#[test]
fn a_dial_ending_after_the_joiners_timeout_is_not_joined() {
    let (network, book) = (Fake::default(), Book::default());
    let mut owner = pin!(book.connect(&network, address(), 10_000));
    assert!(poll(owner.as_mut()).is_pending());
    let mut other = pin!(book.connect(&network, address(), 5_000)); // would wait too long
    assert!(poll(other.as_mut()).is_pending());
    assert_eq!(network.connects.get(), 2); // it dialled itself
}

#[test]
fn a_dropped_dial_lets_others_dial() {
    let (network, book) = (Fake::default(), Book::default());
    {
        let mut owner = pin!(book.connect(&network, address(), 10_000));
        assert!(poll(owner.as_mut()).is_pending());
    } // dropped while in flight
    network.dials.borrow_mut().insert(address(), Ok(()));
    let (result, source) = ready(book.connect(&network, address(), 10_000));
    assert_eq!((result, source), (Ok(()), Source::Fresh));
}

#[test]
fn exchanges_replay_attempt_by_attempt_with_the_callers_id() {
    let (network, book) = (Fake::default(), Book::default());
    *network.answer.borrow_mut() = Some(Ok(vec![0xAA, 0xBB, 1, 2, 3]));
    let query = |id: u8| vec![0, id, 9, 9];
    let (first, source) =
        ready(book.exchange(&network, DnsTransport::Datagram, query(1), 1_000, 0));
    assert_eq!(
        (first, source),
        (Ok(vec![0xAA, 0xBB, 1, 2, 3]), Source::Fresh)
    );
    let (replayed, source) =
        ready(book.exchange(&network, DnsTransport::Datagram, query(7), 1_000, 0));
    assert_eq!(replayed, Ok(vec![0, 7, 1, 2, 3])); // the id of the new query
    assert!(matches!(source, Source::Cached { .. }));
    let (_, source) = ready(book.exchange(&network, DnsTransport::Datagram, query(7), 1_000, 1));
    assert_eq!(source, Source::Fresh); // a second attempt is a new exchange
    let (_, source) = ready(book.exchange(&network, DnsTransport::ByteStream, query(7), 1_000, 0));
    assert_eq!(source, Source::Fresh); // another transport is another query
    assert_eq!(network.exchanges.get(), 3);
}
