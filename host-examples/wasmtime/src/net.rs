//! One function per request kind, and the map from OS errors to the WIT error variants.
//!
//! Each function bounds its own work by the request's timeout and never panics: every byte and
//! every error comes from the network or the OS and is only copied or described.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpSocket, TcpStream, UdpSocket};
use tokio::sync::Mutex;
use tokio::time::timeout;

use crate::{
    Connect, DialError, DnsExchange, DnsTransport, DnsTransportError, IpAddress, SocketAddress,
    StreamError,
};

/// The largest DNS message: a UDP payload or a TCP length prefix cannot say more.
const MAX_DNS_MESSAGE: usize = 65535;

/// The most bytes one `receive` returns, whatever `max-bytes` asks (the contract allows fewer).
pub(crate) const MAX_RECEIVE: usize = 64 * 1024;

/// The read side of an open connection, shared by its pending receives.
pub(crate) type Reader = Arc<Mutex<OwnedReadHalf>>;

/// The write side of an open connection, shared by its pending sends.
pub(crate) type Writer = Arc<Mutex<OwnedWriteHalf>>;

/// The standard library's form of a WIT socket address. IPv4-mapped IPv6 addresses stay IPv6.
pub fn std_socket_addr(address: &SocketAddress) -> SocketAddr {
    let ip = match address.address {
        IpAddress::Ipv4((a, b, c, d)) => IpAddr::V4(Ipv4Addr::new(a, b, c, d)),
        IpAddress::Ipv6((a, b, c, d, e, f, g, h)) => {
            IpAddr::V6(Ipv6Addr::new(a, b, c, d, e, f, g, h))
        }
    };
    SocketAddr::new(ip, address.port)
}

/// The WIT form of a standard library socket address (its IPv6 scope and flow are dropped).
pub fn socket_addr(address: SocketAddr) -> SocketAddress {
    let ip = match address.ip() {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            IpAddress::Ipv4((a, b, c, d))
        }
        IpAddr::V6(v6) => {
            let [a, b, c, d, e, f, g, h] = v6.segments();
            IpAddress::Ipv6((a, b, c, d, e, f, g, h))
        }
    };
    SocketAddress {
        address: ip,
        port: address.port(),
    }
}

/// Performs a `dns-exchange` with `resolver`, all of it within the request's timeout.
pub(crate) async fn dns_exchange(
    resolver: Option<SocketAddr>,
    exchange: DnsExchange,
) -> Result<Vec<u8>, DnsTransportError> {
    let Some(resolver) = resolver else {
        return Err(DnsTransportError::Other(
            "no DNS resolver: pass --resolver or provide /etc/resolv.conf".to_string(),
        ));
    };
    let work = async {
        match exchange.transport {
            DnsTransport::Datagram => datagram_exchange(resolver, &exchange.message).await,
            DnsTransport::ByteStream => byte_stream_exchange(resolver, &exchange.message).await,
        }
    };
    match timeout(millis(exchange.timeout_ms), work).await {
        Ok(answer) => answer,
        Err(_) => Err(DnsTransportError::Timeout),
    }
}

/// One UDP datagram each way, from a fresh socket connected to the resolver (so only the
/// resolver's answers arrive).
async fn datagram_exchange(
    resolver: SocketAddr,
    query: &[u8],
) -> Result<Vec<u8>, DnsTransportError> {
    let socket = UdpSocket::bind(unspecified(resolver))
        .await
        .map_err(dns_network)?;
    socket.connect(resolver).await.map_err(dns_network)?;
    socket.send(query).await.map_err(dns_network)?;
    let mut answer = vec![0; MAX_DNS_MESSAGE];
    let length = socket.recv(&mut answer).await.map_err(dns_network)?;
    answer.truncate(length);
    Ok(answer)
}

/// One TCP connection carrying the query and its answer, each behind a two-byte length
/// (RFC 1035 4.2.2).
async fn byte_stream_exchange(
    resolver: SocketAddr,
    query: &[u8],
) -> Result<Vec<u8>, DnsTransportError> {
    let Ok(length) = u16::try_from(query.len()) else {
        return Err(DnsTransportError::Other(format!(
            "DNS query of {} bytes is longer than 65535",
            query.len()
        )));
    };
    let mut framed = Vec::with_capacity(query.len().saturating_add(2));
    framed.extend_from_slice(&length.to_be_bytes());
    framed.extend_from_slice(query);
    let mut stream = TcpStream::connect(resolver).await.map_err(dns_network)?;
    stream.write_all(&framed).await.map_err(dns_network)?;
    let mut prefix = [0; 2];
    stream.read_exact(&mut prefix).await.map_err(dns_network)?;
    let mut answer = vec![0; usize::from(u16::from_be_bytes(prefix))];
    stream.read_exact(&mut answer).await.map_err(dns_network)?;
    Ok(answer)
}

/// Opens a TCP connection to exactly `connect.address` within the request's timeout.
pub(crate) async fn connect(connect: Connect) -> Result<TcpStream, DialError> {
    let address = std_socket_addr(&connect.address);
    let socket = match address {
        SocketAddr::V4(_) => TcpSocket::new_v4(),
        SocketAddr::V6(_) => TcpSocket::new_v6(),
    }
    .map_err(|e| dial_error(&e))?;
    match timeout(millis(connect.timeout_ms), socket.connect(address)).await {
        Ok(connected) => connected.map_err(|e| dial_error(&e)),
        Err(_) => Err(DialError::Timeout),
    }
}

/// Writes all of `data` within `timeout_ms`.
pub(crate) async fn send(
    writer: Writer,
    data: Vec<u8>,
    timeout_ms: u32,
) -> Result<(), StreamError> {
    let work = async {
        let mut writer = writer.lock().await;
        writer.write_all(&data).await
    };
    match timeout(millis(timeout_ms), work).await {
        Ok(written) => written.map_err(|e| stream_error(&e)),
        Err(_) => Err(StreamError::Timeout),
    }
}

/// Reads up to `max_bytes` (at most [`MAX_RECEIVE`]) within `timeout_ms`; empty at end of
/// stream.
pub(crate) async fn receive(
    reader: Reader,
    max_bytes: u32,
    timeout_ms: u32,
) -> Result<Vec<u8>, StreamError> {
    let capacity = usize::try_from(max_bytes)
        .unwrap_or(usize::MAX)
        .min(MAX_RECEIVE);
    if capacity == 0 {
        // A zero-byte read would look like the end of the stream.
        return Err(StreamError::Other("receive asked for 0 bytes".to_string()));
    }
    let work = async {
        let mut buffer = vec![0; capacity];
        let mut reader = reader.lock().await;
        let length = reader.read(&mut buffer).await?;
        buffer.truncate(length);
        Ok::<_, io::Error>(buffer)
    };
    match timeout(millis(timeout_ms), work).await {
        Ok(read) => read.map_err(|e| stream_error(&e)),
        Err(_) => Err(StreamError::Timeout),
    }
}

/// A connect error as the WIT names it (POSIX names in the variants' docs).
pub(crate) fn dial_error(error: &io::Error) -> DialError {
    match error.kind() {
        io::ErrorKind::TimedOut => DialError::Timeout,
        io::ErrorKind::ConnectionRefused => DialError::Refused,
        io::ErrorKind::NetworkUnreachable => DialError::NetworkUnreachable,
        io::ErrorKind::HostUnreachable => DialError::HostUnreachable,
        _ => DialError::Other(error.to_string()),
    }
}

/// A send or receive error as the WIT names it.
pub(crate) fn stream_error(error: &io::Error) -> StreamError {
    match error.kind() {
        io::ErrorKind::TimedOut => StreamError::Timeout,
        io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe => StreamError::Reset,
        io::ErrorKind::NotConnected => StreamError::Closed,
        _ => StreamError::Other(error.to_string()),
    }
}

/// A failure to reach the resolver.
fn dns_network(error: io::Error) -> DnsTransportError {
    DnsTransportError::Network(error.to_string())
}

/// The wildcard address of `peer`'s family, any port.
fn unspecified(peer: SocketAddr) -> SocketAddr {
    match peer {
        SocketAddr::V4(_) => SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)),
        SocketAddr::V6(_) => SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0)),
    }
}

/// A WIT timeout as a duration.
pub(crate) fn millis(ms: u32) -> Duration {
    Duration::from_millis(u64::from(ms))
}

#[cfg(test)]
mod tests;
