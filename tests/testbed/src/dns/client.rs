//! A minimal stub resolver for tests and `testbed query`: one question, UDP or TCP.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use crate::dns::wire::{self, Message};

/// Sends one query (with an EDNS OPT record advertising 1232 bytes) and returns the answer.
///
/// Over UDP, datagrams with another ID are ignored until `timeout` ends; a truncated answer
/// is returned as is (the caller decides whether to retry over TCP).
pub fn query(
    server: SocketAddr,
    name: &str,
    qtype: u16,
    tcp: bool,
    timeout: Duration,
) -> io::Result<Message> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let id = (nanos as u16) ^ (std::process::id() as u16);
    let question = Message {
        id,
        rd: true,
        question: (name.trim_end_matches('.').to_string(), qtype),
        edns_udp_size: Some(1232),
        ..Message::default()
    };
    let bytes = wire::encode(&question);
    if tcp {
        return query_tcp(server, &bytes, timeout);
    }
    let bind: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    }
    .parse()
    .map_err(io::Error::other)?;
    let socket = UdpSocket::bind(bind)?;
    socket.connect(server)?;
    socket.send(&bytes)?;
    let deadline = Instant::now() + timeout;
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "no DNS answer"));
        }
        socket.set_read_timeout(Some(left))?;
        let len = socket.recv(&mut buf)?;
        if let Ok(msg) = wire::decode(&buf[..len.min(buf.len())]) {
            if msg.id == id && msg.qr {
                return Ok(msg);
            }
        }
    }
}

fn query_tcp(server: SocketAddr, bytes: &[u8], timeout: Duration) -> io::Result<Message> {
    let mut stream = TcpStream::connect_timeout(&server, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    let len = u16::try_from(bytes.len()).map_err(io::Error::other)?;
    let mut framed = len.to_be_bytes().to_vec();
    framed.extend_from_slice(bytes);
    stream.write_all(&framed)?;
    let mut len = [0u8; 2];
    stream.read_exact(&mut len)?;
    let mut buf = vec![0u8; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut buf)?;
    wire::decode(&buf).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.0))
}
