//! `World`: the scenario. DNS data per name and type, behaviour per address and port.

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::tls::TlsServer;

/// What the resolver answers for one name and type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsAnswer {
    /// NOERROR with these addresses (of the queried family; an empty list is NODATA).
    Addresses(Vec<IpAddr>),
    /// NOERROR with a CNAME to this name, followed by the target's answer (as a recursive
    /// resolver returns it).
    Cname(String),
    /// This RCODE, no answers.
    Rcode(u16),
    /// This RCODE with an Extended DNS Error (info code, extra text).
    Extended(u16, u16, String),
    /// No answer at all: every exchange times out.
    Timeout,
    /// The resolver cannot be reached (the host reports a network error).
    Unreachable,
    /// The transport fails otherwise (e.g. DNS over HTTPS answering HTTP 502).
    TransportFailure,
    /// The datagram answer is truncated (TC bit, no records); the stream answer is this.
    Truncated(Box<DnsAnswer>),
    /// NOERROR with records of the queried type, each given by its RDATA (e.g. CAA).
    Records(Vec<Vec<u8>>),
    /// The first exchange of the question goes unanswered (a timeout: the resolver is still
    /// recursing to a slow nameserver); every later one gets this answer (from its cache).
    LostFirst(Box<DnsAnswer>),
}

/// What happens after the request arrives on an accepted connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// Send these bytes, then close.
    Bytes(Vec<u8>),
    /// Accept and never answer.
    Hang,
    /// Close without sending anything.
    Close,
    /// Reset the connection without sending anything.
    Reset,
    /// Send these bytes, then keep the connection open without sending more.
    BytesThenHang(Vec<u8>),
    /// Wait this many milliseconds, then reply.
    Delayed(u64, Box<Reply>),
}

impl Reply {
    /// `200 OK` with `body` and a Content-Length.
    pub fn ok(body: &str) -> Reply {
        Reply::response(200, &[], body.as_bytes())
    }

    /// A response with `status`, extra headers, and `body` with a Content-Length.
    pub fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut bytes = format!("HTTP/1.1 {status} {}\r\n", reason(status)).into_bytes();
        for (name, value) in headers {
            bytes.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        bytes.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        bytes.extend_from_slice(body);
        Reply::Bytes(bytes)
    }

    /// A redirect with `status` to `location`.
    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::response(status, &[("Location", location)], b"")
    }

    /// `404 Not Found`.
    pub fn not_found() -> Reply {
        Reply::response(404, &[], b"not found")
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        404 => "Not Found",
        _ => "Status",
    }
}

/// What an address and port do when dialed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// TCP reset: connection refused at once.
    Refuse,
    /// SYN dropped: the connect times out.
    Drop,
    /// ENETUNREACH.
    NetworkUnreachable,
    /// EHOSTUNREACH.
    HostUnreachable,
    /// A web server: reply per request URI (path and query), `default` for the others.
    Serve {
        /// Replies by request URI.
        routes: Vec<(String, Reply)>,
        /// The reply for any other URI.
        default: Reply,
    },
    /// An HTTPS server: the TLS handshake as `server` plays it, then HTTP as `Serve` does.
    Tls {
        /// The TLS side.
        server: TlsServer,
        /// Replies by request URI.
        routes: Vec<(String, Reply)>,
        /// The reply for any other URI.
        default: Reply,
    },
    /// Accepts and answers the client's first bytes with this reply, whatever they are (a
    /// plain HTTP server on a TLS port, a TLS 1.1-only server's alert, garbage).
    Answer(Reply),
    /// Name-based virtual hosts (see `vhosts.rs`): the site named by the request's `Host`,
    /// else the default server.
    Vhosts {
        /// Sites by host name, each a `Serve`.
        sites: Vec<(String, Box<Behaviour>)>,
        /// The server for any other `Host`.
        default: Box<Behaviour>,
    },
}

/// The scenario: DNS data and the behaviour of every address and port.
/// Unknown names are NXDOMAIN; a known name without data for a type is NODATA; an address
/// and port without behaviour drops SYNs (a black hole).
#[derive(Clone, Debug, Default)]
pub struct World {
    pub(crate) dns: BTreeMap<(String, u16), DnsAnswer>,
    pub(crate) listeners: BTreeMap<(IpAddr, u16), Behaviour>,
}

/// DNS type codes.
pub(crate) const TYPE_A: u16 = 1;
pub(crate) const TYPE_AAAA: u16 = 28;
pub(crate) const TYPE_CAA: u16 = 257;

impl World {
    /// An empty world.
    pub fn new() -> World {
        World::default()
    }

    /// A records for `name`.
    pub fn a(self, name: &str, addresses: &[&str]) -> World {
        self.dns(name, TYPE_A, DnsAnswer::Addresses(ips(addresses)))
    }

    /// AAAA records for `name`.
    pub fn aaaa(self, name: &str, addresses: &[&str]) -> World {
        self.dns(name, TYPE_AAAA, DnsAnswer::Addresses(ips(addresses)))
    }

    /// A CNAME for both families.
    pub fn cname(self, name: &str, target: &str) -> World {
        self.dns(name, TYPE_A, DnsAnswer::Cname(target.to_string()))
            .dns(name, TYPE_AAAA, DnsAnswer::Cname(target.to_string()))
    }

    /// CAA records for `name`, each `(flags, tag, value)` (RFC 8659 section 4.1).
    pub fn caa(self, name: &str, records: &[(u8, &str, &str)]) -> World {
        let rdata = records
            .iter()
            .map(|(flags, tag, value)| {
                let mut data = vec![*flags, tag.len() as u8];
                data.extend_from_slice(tag.as_bytes());
                data.extend_from_slice(value.as_bytes());
                data
            })
            .collect();
        self.dns(name, TYPE_CAA, DnsAnswer::Records(rdata))
    }

    /// Any answer for `name` and type code (1 = A, 28 = AAAA, 257 = CAA).
    pub fn dns(mut self, name: &str, record_type: u16, answer: DnsAnswer) -> World {
        self.dns
            .insert((name.to_ascii_lowercase(), record_type), answer);
        self
    }

    /// The behaviour of `address` on `port`.
    pub fn listen(mut self, address: &str, port: u16, behaviour: Behaviour) -> World {
        let address = address
            .parse()
            .unwrap_or_else(|_| panic!("bad address {address}"));
        self.listeners.insert((address, port), behaviour);
        self
    }

    /// A web server on port 80 of `address` with `routes`, 404 for anything else.
    pub fn serve(self, address: &str, routes: &[(&str, Reply)]) -> World {
        self.serve_on(address, 80, routes)
    }

    /// A web server on `port` of `address` with `routes`, 404 for anything else.
    pub fn serve_on(self, address: &str, port: u16, routes: &[(&str, Reply)]) -> World {
        let routes = routes
            .iter()
            .map(|(uri, reply)| (uri.to_string(), reply.clone()))
            .collect();
        self.listen(
            address,
            port,
            Behaviour::Serve {
                routes,
                default: Reply::not_found(),
            },
        )
    }

    /// An HTTPS server on port 443 of `address`: `server`'s TLS, then `routes`, 404 for
    /// anything else.
    pub fn serve_tls(self, address: &str, server: TlsServer, routes: &[(&str, Reply)]) -> World {
        let routes = routes
            .iter()
            .map(|(uri, reply)| (uri.to_string(), reply.clone()))
            .collect();
        self.listen(
            address,
            443,
            Behaviour::Tls {
                server,
                routes,
                default: Reply::not_found(),
            },
        )
    }

    /// `address` answers the first bytes on `port` with `reply`.
    pub fn answer(self, address: &str, port: u16, reply: Reply) -> World {
        self.listen(address, port, Behaviour::Answer(reply))
    }

    /// `address` refuses connections on `port`.
    pub fn refuse(self, address: &str, port: u16) -> World {
        self.listen(address, port, Behaviour::Refuse)
    }

    /// `address` drops SYNs on `port` (explicitly; it is also the default).
    pub fn drop(self, address: &str, port: u16) -> World {
        self.listen(address, port, Behaviour::Drop)
    }

    /// Whether `name` exists: it has data, or names below it have (an empty non-terminal,
    /// like `com` above `example.com`).
    pub(crate) fn is_known_name(&self, name: &str) -> bool {
        let below = format!(".{name}");
        self.dns
            .keys()
            .any(|(known, _)| known == name || known.ends_with(&below))
    }

    pub(crate) fn behaviour(&self, address: IpAddr, port: u16) -> Behaviour {
        self.listeners
            .get(&(address, port))
            .cloned()
            .unwrap_or(Behaviour::Drop)
    }
}

fn ips(addresses: &[&str]) -> Vec<IpAddr> {
    addresses
        .iter()
        .map(|a| a.parse().unwrap_or_else(|_| panic!("bad address {a}")))
        .collect()
}
