//! The DNS server: UDP and TCP on port 53 of each DNS address, in the server namespace.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::Duration;

use crate::dns::wire::{self, Message};
use crate::dns::zone::{describe, Outcome, Zone};
use crate::lifetime::{Lifetime, TICK};
use crate::log::{Event, EventLog};
use crate::scenario::Transport;
use crate::sys;

/// Largest UDP answer without EDNS (RFC 1035).
const CLASSIC_UDP: usize = 512;
/// Largest UDP answer this server sends even when more is advertised.
const MAX_UDP: usize = 4096;
/// Queries answered per TCP connection.
const MAX_TCP_QUERIES: usize = 32;
/// Idle time after which a TCP connection is closed.
const TCP_IDLE: Duration = Duration::from_secs(10);

/// Shared state of the DNS threads.
pub struct DnsServer {
    zone: Zone,
    life: Arc<Lifetime>,
    log: Arc<EventLog>,
}

impl DnsServer {
    /// Binds UDP and TCP sockets on `addr`:53 (call from a thread inside the server
    /// namespace) and serves them on new threads until the lifetime ends.
    pub fn serve(self: &Arc<Self>, addr: IpAddr) -> std::io::Result<()> {
        let socket = UdpSocket::bind(SocketAddr::new(addr, 53))?;
        socket.set_read_timeout(Some(TICK))?;
        let listener = TcpListener::bind(SocketAddr::new(addr, 53))?;
        let me = Arc::clone(self);
        std::thread::Builder::new()
            .name(format!("dns-udp-{addr}"))
            .spawn(move || me.udp_loop(socket))?;
        let me = Arc::clone(self);
        std::thread::Builder::new()
            .name(format!("dns-tcp-{addr}"))
            .spawn(move || me.tcp_loop(listener))?;
        Ok(())
    }

    /// A server for `zone`.
    pub fn new(zone: Zone, life: Arc<Lifetime>, log: Arc<EventLog>) -> Arc<DnsServer> {
        Arc::new(DnsServer { zone, life, log })
    }

    fn udp_loop(self: Arc<Self>, socket: UdpSocket) {
        let mut buf = [0u8; 4096];
        while !self.life.is_over() {
            let Ok((len, peer)) = socket.recv_from(&mut buf) else {
                continue;
            };
            let Some(query) = self.decode(&buf[..len.min(buf.len())]) else {
                continue;
            };
            let outcome = self.decide(&query, Transport::Udp, peer);
            let Some(reply) = outcome.reply.as_ref() else {
                continue;
            };
            let bytes = udp_bytes(&query, reply, outcome.truncate_udp);
            if outcome.delay.is_zero() {
                let _ = socket.send_to(&bytes, peer);
                continue;
            }
            let Ok(sender) = socket.try_clone() else {
                continue;
            };
            let (life, delay) = (Arc::clone(&self.life), outcome.delay);
            self.life.spawn_worker("dns-delay", move || {
                if life.sleep(delay) {
                    let _ = sender.send_to(&bytes, peer);
                }
            });
        }
    }

    fn tcp_loop(self: Arc<Self>, listener: TcpListener) {
        while !self.life.is_over() {
            if !sys::wait_readable(listener.as_raw_fd(), TICK) {
                continue;
            }
            let Ok((stream, peer)) = listener.accept() else {
                std::thread::sleep(TICK);
                continue;
            };
            let me = Arc::clone(&self);
            self.life
                .spawn_worker("dns-tcp-conn", move || me.tcp_connection(stream, peer));
        }
    }

    fn tcp_connection(&self, mut stream: TcpStream, peer: SocketAddr) {
        if stream.set_read_timeout(Some(TCP_IDLE)).is_err() {
            return;
        }
        for _ in 0..MAX_TCP_QUERIES {
            let mut len = [0u8; 2];
            if stream.read_exact(&mut len).is_err() {
                return;
            }
            let mut buf = vec![0u8; usize::from(u16::from_be_bytes(len))];
            if stream.read_exact(&mut buf).is_err() {
                return;
            }
            let Some(query) = self.decode(&buf) else {
                return;
            };
            let outcome = self.decide(&query, Transport::Tcp, peer);
            if !self.life.sleep(outcome.delay) {
                return;
            }
            let Some(reply) = outcome.reply else {
                continue;
            };
            let bytes = wire::encode(&reply);
            let framed_len = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
            let mut framed = framed_len.to_be_bytes().to_vec();
            framed.extend_from_slice(&bytes[..usize::from(framed_len)]);
            if stream.write_all(&framed).is_err() {
                return;
            }
        }
    }

    fn decode(&self, bytes: &[u8]) -> Option<Message> {
        wire::decode(bytes).ok()
    }

    fn decide(&self, query: &Message, transport: Transport, peer: SocketAddr) -> Outcome {
        let outcome = self.zone.answer(query, transport);
        self.log.push(Event::Dns {
            transport: match transport {
                Transport::Udp => "udp",
                Transport::Tcp => "tcp",
            },
            client: peer,
            name: query.question.0.clone(),
            qtype: wire::qtype_name(query.question.1),
            outcome: describe(&outcome),
        });
        outcome
    }
}

/// The UDP datagram: the full answer, or a TC answer when asked or when it does not fit.
fn udp_bytes(query: &Message, reply: &Message, truncate: bool) -> Vec<u8> {
    let limit = query.edns_udp_size.map_or(CLASSIC_UDP, |size| {
        usize::from(size).clamp(CLASSIC_UDP, MAX_UDP)
    });
    let full = wire::encode(reply);
    if truncate || full.len() > limit {
        return wire::truncated(reply);
    }
    full
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::wire::{Rdata, Record};

    fn reply_with(n: usize) -> Message {
        let answers = (0..n)
            .map(|i| Record {
                name: "many.example.com".into(),
                ttl: 1,
                rdata: Rdata::Aaaa(std::net::Ipv6Addr::new(
                    0x2001, 0xdb8, 0, 0, 0, 0, 0, i as u16,
                )),
            })
            .collect();
        Message {
            qr: true,
            question: ("many.example.com".into(), wire::TYPE_AAAA),
            answers,
            ..Message::default()
        }
    }

    #[test]
    fn udp_size_limit() {
        let plain = Message::default();
        let edns = Message {
            edns_udp_size: Some(4096),
            ..Message::default()
        };
        // Header 12 + question 22 + 44 per AAAA record with an uncompressed 18-byte name.
        let fits = (CLASSIC_UDP - 34) / 44;
        let rows: &[(&Message, usize, bool)] = &[
            (&plain, fits, false),    // N: fits in 512
            (&plain, fits + 1, true), // N+1: truncated without EDNS
            (&edns, fits + 1, false), // EDNS 4096 lets it through
        ];
        for (query, n, tc) in rows {
            let bytes = udp_bytes(query, &reply_with(*n), false);
            let msg = wire::decode(&bytes).unwrap();
            assert_eq!(msg.tc, *tc, "{n} records");
            assert!(bytes.len() <= CLASSIC_UDP || query.edns_udp_size.is_some());
        }
        assert!(
            wire::decode(&udp_bytes(&plain, &reply_with(1), true))
                .unwrap()
                .tc
        );
    }
}
