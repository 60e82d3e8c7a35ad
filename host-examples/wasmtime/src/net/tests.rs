//! Tests of `net.rs`.

use std::io::{Read, Write};
use std::net::{TcpListener, UdpSocket as StdUdpSocket};
use std::thread;

use super::*;

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(future)
}

fn exchange(transport: DnsTransport, message: Vec<u8>, timeout_ms: u32) -> DnsExchange {
    DnsExchange {
        transport,
        message,
        timeout_ms,
    }
}

#[test]
fn socket_addresses_round_trip() {
    let rows = [
        // Plain IPv4, the usual port.
        "198.51.100.7:80",
        // Lowest port, all-zero address.
        "0.0.0.0:0",
        // Highest port, all-ones address.
        "255.255.255.255:65535",
        // IPv6 with every group distinct: group order must survive.
        "[2001:db8:1:2:3:4:5:6]:443",
        // IPv4-mapped IPv6 stays IPv6 (Boulder dials it as IPv6).
        "[::ffff:198.51.100.7]:80",
    ];
    for row in rows {
        let address: SocketAddr = row.parse().unwrap();
        assert_eq!(std_socket_addr(&socket_addr(address)), address, "{row}");
    }
    let mapped = socket_addr("[::ffff:1.2.3.4]:80".parse().unwrap());
    assert!(matches!(mapped.address, IpAddress::Ipv6(_)));
}

#[test]
fn dial_errors_map_by_kind() {
    use io::ErrorKind as K;
    let rows = [
        // ETIMEDOUT from the kernel, like the host's own timer.
        (K::TimedOut, DialError::Timeout),
        // ECONNREFUSED: a TCP reset.
        (K::ConnectionRefused, DialError::Refused),
        // ENETUNREACH.
        (K::NetworkUnreachable, DialError::NetworkUnreachable),
        // EHOSTUNREACH.
        (K::HostUnreachable, DialError::HostUnreachable),
        // Anything else keeps the OS text.
        (K::AddrNotAvailable, DialError::Other("boom".to_string())),
    ];
    for (kind, expected) in rows {
        let got = dial_error(&io::Error::new(kind, "boom"));
        assert_eq!(format!("{got:?}"), format!("{expected:?}"), "{kind:?}");
    }
}

#[test]
fn stream_errors_map_by_kind() {
    use io::ErrorKind as K;
    let rows = [
        // Kernel retransmission timeout.
        (K::TimedOut, StreamError::Timeout),
        // ECONNRESET.
        (K::ConnectionReset, StreamError::Reset),
        // EPIPE: writing after the peer's reset.
        (K::BrokenPipe, StreamError::Reset),
        // ENOTCONN.
        (K::NotConnected, StreamError::Closed),
        // Anything else keeps the OS text.
        (K::ConnectionAborted, StreamError::Other("boom".to_string())),
    ];
    for (kind, expected) in rows {
        let got = stream_error(&io::Error::new(kind, "boom"));
        assert_eq!(format!("{got:?}"), format!("{expected:?}"), "{kind:?}");
    }
}

#[test]
fn datagram_exchange_returns_the_answer() {
    let server = StdUdpSocket::bind("127.0.0.1:0").unwrap();
    let resolver = server.local_addr().unwrap();
    let echo = thread::spawn(move || {
        let mut buffer = [0u8; 512];
        let (length, peer) = server.recv_from(&mut buffer).unwrap();
        let mut answer = buffer[..length].to_vec();
        answer.extend_from_slice(b"+answer");
        server.send_to(&answer, peer).unwrap();
    });
    let answer = block_on(dns_exchange(
        Some(resolver),
        exchange(DnsTransport::Datagram, b"query".to_vec(), 2000),
    ));
    assert_eq!(answer.unwrap(), b"query+answer");
    echo.join().unwrap();
}

#[test]
fn byte_stream_exchange_frames_both_ways() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let resolver = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut prefix = [0u8; 2];
        stream.read_exact(&mut prefix).unwrap();
        let mut query = vec![0; usize::from(u16::from_be_bytes(prefix))];
        stream.read_exact(&mut query).unwrap();
        // The answer arrives in two writes: the reader must gather it.
        stream.write_all(&[0, 3, b'a']).unwrap();
        stream.flush().unwrap();
        thread::sleep(Duration::from_millis(20));
        stream.write_all(b"ns").unwrap();
        query
    });
    let answer = block_on(dns_exchange(
        Some(resolver),
        exchange(DnsTransport::ByteStream, b"q1".to_vec(), 2000),
    ));
    assert_eq!(answer.unwrap(), b"ans");
    assert_eq!(server.join().unwrap(), b"q1");
}

#[test]
fn dns_exchange_failures() {
    // A socket that never answers.
    let silent = StdUdpSocket::bind("127.0.0.1:0").unwrap();
    let silent_address = silent.local_addr().unwrap();
    // A TCP port with nothing listening.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let too_long = vec![0u8; 65536];
    let rows = [
        // No answer within the timeout.
        (
            Some(silent_address),
            DnsTransport::Datagram,
            vec![1],
            "DnsTransportError::Timeout",
        ),
        // No resolver configured at all.
        (
            None,
            DnsTransport::Datagram,
            vec![1],
            "DnsTransportError::Other(\"no DNS resolver",
        ),
        // Connection refused reaching the resolver over TCP.
        (
            Some(closed),
            DnsTransport::ByteStream,
            vec![1],
            "DnsTransportError::Network(",
        ),
        // 65536 bytes cannot carry a two-byte length.
        (
            Some(closed),
            DnsTransport::ByteStream,
            too_long,
            "DnsTransportError::Other(\"DNS query of 65536 bytes",
        ),
    ];
    for (resolver, transport, message, expected) in rows {
        let got = block_on(dns_exchange(resolver, exchange(transport, message, 100)));
        let got = format!("{:?}", got.unwrap_err());
        assert!(
            got.starts_with(expected),
            "{got} should start with {expected}"
        );
    }
    drop(silent);
}

#[test]
fn connect_outcomes() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let open = socket_addr(listener.local_addr().unwrap());
    let closed = socket_addr(
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap(),
    );
    // A listener that is there: connected.
    assert!(block_on(connect(Connect {
        address: open,
        timeout_ms: 2000
    }))
    .is_ok());
    // Nothing listening: refused at once.
    let refused = block_on(connect(Connect {
        address: closed,
        timeout_ms: 2000,
    }));
    assert!(matches!(refused, Err(DialError::Refused)), "{refused:?}");
}

#[test]
fn connect_times_out_on_a_full_backlog() {
    block_on(async {
        // listen(0) takes one connection into its queue and drops further SYNs.
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(0).unwrap();
        let address = socket_addr(listener.local_addr().unwrap());
        let _filler = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let _filler2 = timeout(
            millis(300),
            TcpStream::connect(listener.local_addr().unwrap()),
        )
        .await;
        let got = connect(Connect {
            address,
            timeout_ms: 200,
        })
        .await;
        assert!(matches!(got, Err(DialError::Timeout)), "{got:?}");
    });
}

#[test]
fn send_and_receive() {
    block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = socket_addr(listener.local_addr().unwrap());
        let client = connect(Connect {
            address,
            timeout_ms: 2000,
        })
        .await
        .unwrap();
        let (mut peer, _) = listener.accept().await.unwrap();
        let (reader, writer) = client.into_split();
        let reader: Reader = Arc::new(Mutex::new(reader));
        let writer: Writer = Arc::new(Mutex::new(writer));

        send(Arc::clone(&writer), b"ping".to_vec(), 1000)
            .await
            .unwrap();
        let mut got = [0u8; 4];
        peer.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"ping");

        // Nothing to read yet: timeout.
        let idle = receive(Arc::clone(&reader), 10, 50).await;
        assert!(matches!(idle, Err(StreamError::Timeout)), "{idle:?}");
        // Zero bytes asked: an error, never a false end of stream.
        let zero = receive(Arc::clone(&reader), 0, 50).await;
        assert!(matches!(zero, Err(StreamError::Other(_))), "{zero:?}");

        // More than MAX_RECEIVE available, u32::MAX asked: at most MAX_RECEIVE returned.
        peer.write_all(&vec![7u8; MAX_RECEIVE + 10]).await.unwrap();
        let mut total = 0;
        while total < MAX_RECEIVE + 10 {
            let chunk = receive(Arc::clone(&reader), u32::MAX, 1000).await.unwrap();
            assert!(!chunk.is_empty() && chunk.len() <= MAX_RECEIVE);
            total += chunk.len();
        }
        // max-bytes is respected: 3 asked, 3 given from 5 available.
        peer.write_all(b"abcde").await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(receive(Arc::clone(&reader), 3, 1000).await.unwrap(), b"abc");
        assert_eq!(receive(Arc::clone(&reader), 3, 1000).await.unwrap(), b"de");
        // The peer closes: end of stream is an empty list.
        drop(peer);
        assert_eq!(receive(Arc::clone(&reader), 3, 1000).await.unwrap(), b"");
    });
}

#[test]
fn receive_after_a_reset() {
    block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = socket_addr(listener.local_addr().unwrap());
        let client = connect(Connect {
            address,
            timeout_ms: 2000,
        })
        .await
        .unwrap();
        let (peer, _) = listener.accept().await.unwrap();
        // SO_LINGER 0: close sends a reset.
        socket2_linger_zero(&peer);
        drop(peer);
        tokio::time::sleep(Duration::from_millis(20)).await;
        let (reader, _writer) = client.into_split();
        let got = receive(Arc::new(Mutex::new(reader)), 10, 1000).await;
        assert!(matches!(got, Err(StreamError::Reset)), "{got:?}");
    });
}

#[allow(deprecated)]
fn socket2_linger_zero(stream: &TcpStream) {
    stream.set_linger(Some(Duration::ZERO)).unwrap();
}
