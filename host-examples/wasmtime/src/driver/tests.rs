//! Tests of `driver.rs`.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;

use super::*;
use crate::{Connect, DnsExchange, DnsTransport, Receive, Send};

fn request(id: u32, kind: RequestKind) -> Request {
    Request { id, kind }
}

fn connect(id: u32, address: SocketAddr) -> Request {
    request(
        id,
        RequestKind::Connect(Connect {
            address: net::socket_addr(address),
            timeout_ms: 2000,
        }),
    )
}

fn receive(id: u32, connection: u32, timeout_ms: u32) -> Request {
    request(
        id,
        RequestKind::Receive(Receive {
            connection,
            max_bytes: 100,
            timeout_ms,
        }),
    )
}

fn send(id: u32, connection: u32, data: &[u8]) -> Request {
    request(
        id,
        RequestKind::Send(Send {
            connection,
            data: data.to_vec(),
            timeout_ms: 2000,
        }),
    )
}

/// Waits (bounded) until `count` completions arrived.
fn collect(driver: &mut Driver, count: usize) -> Vec<Completion> {
    let mut all = Vec::new();
    for _ in 0..100 {
        if all.len() >= count {
            break;
        }
        all.extend(driver.wait(Duration::from_millis(100)));
    }
    all
}

fn debug(completions: &[Completion]) -> Vec<String> {
    completions
        .iter()
        .map(|c| format!("{} {:?}", c.id, c.outcome))
        .collect()
}

#[test]
fn operations_on_unknown_connections_complete_closed() {
    let mut driver = Driver::new(None).unwrap();
    driver
        .submit(vec![send(1, 9, b"x"), receive(2, 9, 100)])
        .unwrap();
    // Both answered at once, with `closed`, in request order.
    assert_eq!(driver.outstanding(), 2);
    let got = debug(&driver.wait(Duration::from_secs(5)));
    assert_eq!(
        got,
        [
            "1 Outcome::Sent(Err(StreamError::Closed))",
            "2 Outcome::Received(Err(StreamError::Closed))"
        ]
    );
    assert_eq!(driver.outstanding(), 0);
}

#[test]
fn reused_ids_are_refused() {
    let mut driver = Driver::new(None).unwrap();
    driver
        .submit(vec![request(1, RequestKind::Sleep(1000))])
        .unwrap();
    // Same id while the first is outstanding: the component broke the contract.
    let reused = driver.submit(vec![request(1, RequestKind::Sleep(1))]);
    assert_eq!(reused.unwrap_err(), "the component reused request id 1");
    // Same id as a completion not yet handed back.
    driver.submit(vec![send(2, 9, b"x")]).unwrap();
    assert!(driver.submit(vec![send(2, 9, b"x")]).is_err());
}

#[test]
fn sleeps_complete_in_time_order() {
    let mut driver = Driver::new(None).unwrap();
    driver
        .submit(vec![
            request(1, RequestKind::Sleep(300)),
            request(2, RequestKind::Sleep(10)),
        ])
        .unwrap();
    let first = driver.wait(Duration::from_secs(5));
    // The short sleep alone comes first; the long one has not finished.
    assert_eq!(debug(&first), ["2 Outcome::Slept"]);
    let second = driver.wait(Duration::from_secs(5));
    assert_eq!(debug(&second), ["1 Outcome::Slept"]);
    assert!(driver.now_ms() >= 300);
}

#[test]
fn wait_returns_at_once_with_nothing_outstanding() {
    let mut driver = Driver::new(None).unwrap();
    let before = Instant::now();
    assert!(driver.wait(Duration::from_secs(5)).is_empty());
    assert!(before.elapsed() < Duration::from_secs(1));
}

#[test]
fn dns_without_resolver_fails_other() {
    let mut driver = Driver::new(None).unwrap();
    let exchange = DnsExchange {
        transport: DnsTransport::Datagram,
        message: vec![0; 12],
        timeout_ms: 1000,
    };
    driver
        .submit(vec![request(1, RequestKind::DnsExchange(exchange))])
        .unwrap();
    let got = debug(&collect(&mut driver, 1));
    assert_eq!(got.len(), 1);
    assert!(
        got[0].starts_with("1 Outcome::DnsExchanged(Err(DnsTransportError::Other("),
        "{got:?}"
    );
}

#[test]
fn connect_send_receive_close() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut got = [0u8; 4];
        stream.read_exact(&mut got).unwrap();
        stream.write_all(b"pong").unwrap();
        // Wait for the client's close: read returns 0.
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest);
        got
    });
    let mut driver = Driver::new(None).unwrap();
    driver.submit(vec![connect(1, address)]).unwrap();
    assert_eq!(
        debug(&collect(&mut driver, 1)),
        ["1 Outcome::Connected(Ok(()))"]
    );
    driver
        .submit(vec![send(2, 1, b"ping"), receive(3, 1, 2000)])
        .unwrap();
    let mut got = debug(&collect(&mut driver, 2));
    got.sort();
    assert_eq!(
        got,
        [
            "2 Outcome::Sent(Ok(()))",
            "3 Outcome::Received(Ok([112, 111, 110, 103]))"
        ]
    );
    // A receive left pending, then close: no completion for either, and the peer sees EOF.
    driver
        .submit(vec![receive(4, 1, 5000), request(5, RequestKind::Close(1))])
        .unwrap();
    assert_eq!(driver.outstanding(), 0);
    assert!(driver.wait(Duration::from_millis(100)).is_empty());
    assert_eq!(&server.join().unwrap(), b"ping");
    // The connection is gone: further sends complete `closed`.
    driver.submit(vec![send(6, 1, b"x")]).unwrap();
    assert_eq!(
        debug(&driver.wait(Duration::from_secs(1))),
        ["6 Outcome::Sent(Err(StreamError::Closed))"]
    );
}

#[test]
fn close_abandons_a_pending_connect() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut driver = Driver::new(None).unwrap();
    driver
        .submit(vec![
            connect(1, listener.local_addr().unwrap()),
            request(2, RequestKind::Close(1)),
        ])
        .unwrap();
    // The connect is abandoned before it ran: nothing outstanding, nothing completes.
    assert_eq!(driver.outstanding(), 0);
    assert!(driver.wait(Duration::from_millis(100)).is_empty());
    // Closing an unknown connection is harmless.
    driver
        .submit(vec![request(3, RequestKind::Close(42))])
        .unwrap();
    assert_eq!(driver.outstanding(), 0);
}

#[test]
fn close_drops_queued_completions_of_its_connection() {
    let mut driver = Driver::new(None).unwrap();
    // A send on unknown connection 7 is queued as `closed`, then 7 is closed: abandoned too.
    driver
        .submit(vec![
            send(1, 7, b"x"),
            send(2, 8, b"y"),
            request(3, RequestKind::Close(7)),
        ])
        .unwrap();
    assert_eq!(
        debug(&driver.wait(Duration::from_secs(1))),
        ["2 Outcome::Sent(Err(StreamError::Closed))"]
    );
}
