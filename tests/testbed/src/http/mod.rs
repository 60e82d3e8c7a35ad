//! HTTP(S) servers: one dual-stack wildcard listener per port; each connection is answered
//! per dialled address and port (`getsockname()` on AnyIP addresses) and per path.

pub mod gzip;
pub mod request;
pub mod response;
#[cfg(feature = "tls")]
pub mod tls;

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::lifetime::{Lifetime, TICK};
use crate::log::{Event, EventLog};
use crate::scenario::{Endpoint, HttpAction, OnConnect, Response, Scenario};
use crate::sys;
use request::Request;

/// How long one read may block.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a client may take for the TLS handshake and the request head together.
const HEAD_DEADLINE: Duration = Duration::from_secs(10);
/// How long a write may block.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for the client's FIN after our response (avoids resets on unread data).
const LINGER: Duration = Duration::from_secs(1);

/// Shared state of the HTTP threads.
pub struct HttpServer {
    scenario: Arc<Scenario>,
    life: Arc<Lifetime>,
    log: Arc<EventLog>,
    #[cfg(feature = "tls")]
    tls: Option<Arc<rustls::ServerConfig>>,
    /// Endpoints with TLS of their own (TLS-ALPN-01 responders, own certificates or ALPN),
    /// by address and port.
    #[cfg(feature = "tls")]
    own_tls: Vec<(IpAddr, u16, Arc<rustls::ServerConfig>)>,
}

/// A connection after the optional TLS handshake.
trait Conn: Read + Write {
    fn close_notify(&mut self) {}
}

impl Conn for TcpStream {}

#[cfg(feature = "tls")]
impl Conn for rustls::StreamOwned<rustls::ServerConnection, TcpStream> {
    fn close_notify(&mut self) {
        self.conn.send_close_notify();
        let _ = self.flush();
    }
}

impl HttpServer {
    /// A server for `scenario` (a TLS certificate is made when an endpoint needs one).
    pub fn new(
        scenario: Arc<Scenario>,
        life: Arc<Lifetime>,
        log: Arc<EventLog>,
    ) -> Result<Arc<HttpServer>, String> {
        #[cfg(feature = "tls")]
        let tls = if scenario.sockets().any(|(_, port, e)| e.tls_on(port)) {
            let names: Vec<String> = scenario.dns.records.keys().cloned().collect();
            Some(tls::server_config(&names, &[])?)
        } else {
            None
        };
        #[cfg(feature = "tls")]
        let own_tls = {
            let mut configs = Vec::new();
            let names: Vec<String> = scenario.dns.records.keys().cloned().collect();
            for (address, port, endpoint) in scenario.sockets() {
                if !endpoint.tls_on(port) || !endpoint.own_tls() {
                    continue;
                }
                let config = match &endpoint.acme_tls1 {
                    Some(acme) => tls::acme_tls1_config(acme)?,
                    None => {
                        let own = endpoint.certificate.as_ref().unwrap_or(&names);
                        tls::server_config(own, &endpoint.alpn)?
                    }
                };
                configs.push((address, port, config));
            }
            configs
        };
        Ok(Arc::new(HttpServer {
            scenario,
            life,
            log,
            #[cfg(feature = "tls")]
            tls,
            #[cfg(feature = "tls")]
            own_tls,
        }))
    }

    /// Binds `[::]:port` (dual-stack; call from a thread in the server namespace) and accepts
    /// on a new thread until the lifetime ends.
    pub fn serve(self: &Arc<Self>, port: u16) -> std::io::Result<()> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv6Addr::UNSPECIFIED, port)))?;
        let me = Arc::clone(self);
        std::thread::Builder::new()
            .name(format!("http-{port}"))
            .spawn(move || me.accept_loop(listener))?;
        Ok(())
    }

    fn accept_loop(self: Arc<Self>, listener: TcpListener) {
        while !self.life.is_over() {
            if !sys::wait_readable(listener.as_raw_fd(), TICK) {
                continue;
            }
            let Ok((stream, _)) = listener.accept() else {
                // Out of descriptors or similar: do not spin.
                std::thread::sleep(TICK);
                continue;
            };
            let me = Arc::clone(&self);
            let fd_stream = stream.try_clone();
            if !self
                .life
                .spawn_worker("http-conn", move || me.connection(stream))
            {
                if let Ok(s) = fd_stream {
                    let _ = sys::set_linger_zero(s.as_raw_fd());
                }
            }
        }
    }

    fn connection(&self, stream: TcpStream) {
        let canonical = |a: std::io::Result<SocketAddr>| {
            a.map(|a| SocketAddr::new(a.ip().to_canonical(), a.port()))
                .ok()
        };
        let (Some(local), Some(peer)) = (
            canonical(stream.local_addr()),
            canonical(stream.peer_addr()),
        ) else {
            return;
        };
        let mut event = HttpEvent {
            client: Some(peer),
            local: Some(local),
            ..HttpEvent::default()
        };
        let endpoint = self.scenario.endpoint(local.ip(), local.port());
        event.outcome = match endpoint {
            None => reset(&stream, "no endpoint: reset"),
            Some(e) => match e.on_connect {
                OnConnect::Reset => reset(&stream, "on_connect reset"),
                OnConnect::Close => "on_connect close".to_string(),
                OnConnect::Hang => self.hang(&stream, None, "on_connect hang"),
                OnConnect::Raw => self.raw(&stream, &e.default),
                OnConnect::Serve => self.serve_endpoint(&stream, e, local, &mut event),
            },
        };
        self.log.push(event.into_event());
    }

    fn serve_endpoint(
        &self,
        stream: &TcpStream,
        endpoint: &Endpoint,
        local: SocketAddr,
        event: &mut HttpEvent,
    ) -> String {
        let timeouts = stream
            .set_read_timeout(Some(READ_TIMEOUT))
            .and(stream.set_write_timeout(Some(WRITE_TIMEOUT)));
        let Ok(clone) = stream.try_clone().and_then(|c| timeouts.map(|_| c)) else {
            return "socket error".to_string();
        };
        let deadline = Instant::now() + HEAD_DEADLINE;
        let tls = endpoint.tls_on(local.port());
        let mut conn: Box<dyn Conn> = match self.wrap(clone, tls, local, deadline, event) {
            Ok(conn) => conn,
            Err(e) => return format!("tls handshake failed: {e}"),
        };
        let Some(request) = request::read_head(&mut conn, deadline) else {
            return "no request".to_string();
        };
        let response = route(endpoint, &request);
        event.method.clone_from(&request.method);
        event.target.clone_from(&request.target);
        event.host.clone_from(&request.host);
        self.respond(stream, conn.as_mut(), response, &request)
    }

    #[cfg(feature = "tls")]
    fn wrap(
        &self,
        stream: TcpStream,
        tls: bool,
        local: SocketAddr,
        deadline: Instant,
        event: &mut HttpEvent,
    ) -> std::io::Result<Box<dyn Conn>> {
        let own = self
            .own_tls
            .iter()
            .find(|(address, port, _)| *address == local.ip() && *port == local.port())
            .map(|(_, _, config)| config);
        let Some(config) = own.or(self.tls.as_ref()).filter(|_| tls) else {
            return Ok(Box::new(stream));
        };
        let conn = tls::accept(stream, config, deadline)?;
        event.tls = true;
        event.sni = tls::sni(&conn);
        Ok(Box::new(conn))
    }

    #[cfg(not(feature = "tls"))]
    fn wrap(
        &self,
        stream: TcpStream,
        _tls: bool,
        _local: SocketAddr,
        _deadline: Instant,
        _event: &mut HttpEvent,
    ) -> std::io::Result<Box<dyn Conn>> {
        Ok(Box::new(stream))
    }

    fn respond(
        &self,
        stream: &TcpStream,
        conn: &mut dyn Conn,
        response: &Response,
        request: &Request,
    ) -> String {
        if !self.life.sleep(Duration::from_millis(response.delay_ms)) {
            return "stopped".to_string();
        }
        match response.action {
            HttpAction::Hang => return self.hang(stream, response.hang_ms, "hang"),
            HttpAction::Reset => return reset(stream, "reset"),
            HttpAction::Close => return "close".to_string(),
            HttpAction::Raw => {
                let _ = conn
                    .write_all(response.body.as_bytes())
                    .and_then(|_| conn.flush());
            }
            HttpAction::Respond => {
                let rendered = response::render(response, request, &self.scenario.thumbprint);
                if let Err(e) = response::send(conn, &rendered, &self.life) {
                    return format!("{} (write failed: {e})", response.status);
                }
            }
        }
        conn.close_notify();
        let _ = stream.shutdown(Shutdown::Write);
        drain(stream, &self.life);
        match response.action {
            HttpAction::Raw => "raw".to_string(),
            _ => response.status.to_string(),
        }
    }

    /// `on_connect: raw`: waits for the client's first bytes, sends `response.body` verbatim
    /// and closes.
    fn raw(&self, stream: &TcpStream, response: &Response) -> String {
        let mut scratch = [0u8; 4096];
        if !sys::wait_readable(stream.as_raw_fd(), READ_TIMEOUT) {
            return "on_connect raw (nothing arrived)".to_string();
        }
        let _ = (&*stream).read(&mut scratch);
        let _ = (&*stream).write_all(response.body.as_bytes());
        let _ = stream.shutdown(Shutdown::Write);
        drain(stream, &self.life);
        "on_connect raw".to_string()
    }

    /// Holds the connection open without answering until `limit`, the lifetime's end, or the peer closing.
    fn hang(&self, stream: &TcpStream, limit: Option<u64>, label: &str) -> String {
        let end = limit.map(|ms| Instant::now() + Duration::from_millis(ms));
        let mut scratch = [0u8; 1024];
        let _ = stream.set_read_timeout(Some(TICK));
        while !self.life.is_over() && end.is_none_or(|e| Instant::now() < e) {
            if sys::wait_readable(stream.as_raw_fd(), TICK) {
                match (&*stream).read(&mut scratch) {
                    Ok(0) | Err(_) => return format!("{label} (peer closed)"),
                    Ok(_) => {}
                }
            }
        }
        label.to_string()
    }
}

/// The first matching route's response, else the endpoint default.
fn route<'a>(endpoint: &'a Endpoint, request: &Request) -> &'a Response {
    let hit = endpoint.routes.iter().find(|r| {
        let host_matches = r
            .host
            .as_ref()
            .is_none_or(|host| host.eq_ignore_ascii_case(host_name(&request.host)));
        let path_matches = match (&r.path, &r.prefix) {
            (Some(path), _) => *path == request.path,
            (None, Some(prefix)) => request.path.starts_with(prefix.as_str()),
            (None, None) => true,
        };
        host_matches && path_matches
    });
    hit.map_or(&endpoint.default, |r| &r.response)
}

/// A `Host` header without its port (`[v6]:80` keeps its brackets off too).
fn host_name(header: &str) -> &str {
    let without_port = match header.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !name.ends_with(':') => {
            name
        }
        _ => header,
    };
    without_port.trim_start_matches('[').trim_end_matches(']')
}

fn reset(stream: &TcpStream, label: &str) -> String {
    let _ = sys::set_linger_zero(stream.as_raw_fd());
    label.to_string()
}

/// Reads and discards until EOF, for at most [`LINGER`].
fn drain(stream: &TcpStream, life: &Lifetime) {
    let end = Instant::now() + LINGER;
    let mut scratch = [0u8; 4096];
    let _ = stream.set_read_timeout(Some(TICK));
    while Instant::now() < end && !life.is_over() {
        match (&*stream).read(&mut scratch) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return,
        }
    }
}

/// The log entry being filled in.
#[derive(Default)]
struct HttpEvent {
    client: Option<SocketAddr>,
    local: Option<SocketAddr>,
    tls: bool,
    sni: Option<String>,
    method: String,
    target: String,
    host: String,
    outcome: String,
}

impl HttpEvent {
    fn into_event(self) -> Event {
        let unspecified = SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0));
        Event::Http {
            client: self.client.unwrap_or(unspecified),
            local: self.local.unwrap_or(unspecified),
            tls: self.tls,
            sni: self.sni,
            method: self.method,
            target: self.target,
            host: self.host,
            outcome: self.outcome,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::host_name;

    #[test]
    fn host_names_without_ports() {
        let rows = [
            ("a.example", "a.example"),
            ("a.example:8080", "a.example"),
            ("[2001:db8::1]:80", "2001:db8::1"),
            ("[2001:db8::1]", "2001:db8::1"),
            ("198.51.100.1:80", "198.51.100.1"),
        ];
        for (header, name) in rows {
            assert_eq!(host_name(header), name, "{header}");
        }
    }
}
