//! One HTTP/1.1 request over one connection, plain or over TLS, as Go's transport makes it
//! for Boulder.

use std::net::{IpAddr, SocketAddr};

use crate::challenge::cause::Cause;
use crate::challenge::deadline::Deadline;
use crate::http::{encode_request, HttpError, RequestHead, ResponseHead, ResponseReader};
use crate::io::StreamError;
use crate::network::Network;
use crate::policy::limits::RECEIVE_CHUNK;
use crate::tls::session::Hello;
use crate::tls::{TlsError, TlsStream};

/// Boulder's transport `TLSHandshakeTimeout` (`va/http.go: newHTTPClient`): the handshake with
/// an HTTPS redirect target, on top of the connect.
pub(crate) const TLS_HANDSHAKE_TIMEOUT_MS: u32 = 10_000;

/// What to fetch, and from where.
pub(crate) struct Exchange<'a> {
    /// The address to dial.
    pub(crate) address: IpAddr,
    /// The port to dial.
    pub(crate) port: u16,
    /// Go's `RequestURI()` of the URL.
    pub(crate) request_uri: &'a str,
    /// The Host header (the URL's host, with its port if it has one).
    pub(crate) host: &'a str,
    /// The Referer header, on redirected requests.
    pub(crate) referer: Option<&'a str>,
    /// The User-Agent header.
    pub(crate) user_agent: &'a str,
    /// For `https` URLs, the URL's hostname: the request goes over TLS with Go's SNI for it.
    pub(crate) tls_host: Option<&'a str>,
}

/// The connection a request travels on.
enum Stream<C> {
    /// Plain TCP (`http` URLs).
    Plain(C),
    /// TLS over TCP (`https` URLs).
    Tls(Box<TlsStream<C>>),
}

impl<C> Stream<C> {
    async fn send<N: Network<Connection = C>>(
        &mut self,
        network: &N,
        data: Vec<u8>,
        deadline: Deadline,
    ) -> Result<(), TlsError> {
        match self {
            Stream::Plain(connection) => {
                let remaining = deadline.remaining_ms(network.now_ms());
                let sent = network.send(connection, data, remaining).await;
                sent.map_err(TlsError::Stream)
            }
            Stream::Tls(tls) => tls.send(network, &data, deadline).await,
        }
    }

    async fn receive<N: Network<Connection = C>>(
        &mut self,
        network: &N,
        deadline: Deadline,
    ) -> Result<Vec<u8>, TlsError> {
        let remaining = deadline.remaining_ms(network.now_ms());
        if remaining == 0 {
            return Err(TlsError::Stream(StreamError::Timeout));
        }
        match self {
            Stream::Plain(connection) => network
                .receive(connection, RECEIVE_CHUNK, remaining)
                .await
                .map_err(TlsError::Stream),
            Stream::Tls(tls) => tls.receive(network, RECEIVE_CHUNK as usize, deadline).await,
        }
    }
}

/// A response whose head has arrived; the body is read on demand.
pub(crate) struct Response<C> {
    stream: Stream<C>,
    reader: ResponseReader,
    head: ResponseHead,
}

/// Why reading a body failed: Go's error text (`Error reading HTTP response body: <text>`).
pub(crate) struct BodyError(pub(crate) String);

impl<C> Response<C> {
    /// The status line and headers.
    pub(crate) fn head(&self) -> &ResponseHead {
        &self.head
    }

    /// The TLS version the response came over (0x0303 for TLS 1.2), `None` over plain TCP.
    pub(crate) fn tls_version(&self) -> Option<u16> {
        match &self.stream {
            Stream::Plain(_) => None,
            Stream::Tls(tls) => tls.version(),
        }
    }

    /// Reads the body until `limit` decoded bytes have arrived or it ends.
    pub(crate) async fn read_body<N>(
        &mut self,
        network: &N,
        deadline: Deadline,
        limit: usize,
    ) -> Result<Vec<u8>, BodyError>
    where
        N: Network<Connection = C>,
    {
        self.reader
            .set_body_limit(limit)
            .map_err(|error| BodyError(error.go_text()))?;
        while !self.reader.is_done() {
            let received = self.stream.receive(network, deadline).await;
            let pushed = match received {
                Ok(bytes) if bytes.is_empty() => self.reader.push_eof(),
                Ok(bytes) => self.reader.push(&bytes),
                Err(error) => return Err(BodyError(body_error_text(&error))),
            };
            pushed.map_err(|error| BodyError(error.go_text()))?;
        }
        let body = self.reader.body();
        Ok(body[..body.len().min(limit)].to_vec())
    }
}

/// Dials, makes the TLS handshake for `https` URLs, sends the request and reads the response
/// head.
pub(crate) async fn send_request<N: Network>(
    network: &N,
    exchange: &Exchange<'_>,
    deadline: Deadline,
    connect_timeout_ms: u32,
) -> Result<Response<N::Connection>, Cause> {
    let address = SocketAddr::new(exchange.address, exchange.port);
    let dial_timeout = deadline.dial_timeout_ms(network.now_ms(), connect_timeout_ms);
    network.trace(format!("connect to {address} (timeout {dial_timeout} ms)"));
    let connection = network
        .connect(address, dial_timeout)
        .await
        .map_err(|error| {
            network.trace(format!("connect to {address}: {error}"));
            Cause::Dial(error)
        })?;
    let mut stream = match exchange.tls_host {
        None => Stream::Plain(connection),
        Some(host) => {
            let hello = Hello { host, alpn: None };
            let handshake_deadline = deadline.within(network.now_ms(), TLS_HANDSHAKE_TIMEOUT_MS);
            let tls =
                TlsStream::handshake(network, connection, address, &hello, handshake_deadline)
                    .await
                    .map_err(|error| {
                        network.trace(format!("TLS handshake with {address}: {error}"));
                        Cause::Tls(error)
                    })?;
            Stream::Tls(Box::new(tls))
        }
    };
    network.trace(format!(
        "connected to {address}; GET {}",
        exchange.request_uri
    ));
    let request = encode_request(&RequestHead {
        request_uri: exchange.request_uri,
        host: exchange.host,
        user_agent: exchange.user_agent,
        referer: exchange.referer,
    });
    stream
        .send(network, request, deadline)
        .await
        .map_err(transport_cause)?;
    let mut reader = ResponseReader::new(0);
    let head = loop {
        if let Some(head) = reader.head() {
            break head.clone();
        }
        let bytes = stream
            .receive(network, deadline)
            .await
            .map_err(transport_cause)?;
        let pushed = if bytes.is_empty() {
            reader.push_eof()
        } else {
            reader.push(&bytes)
        };
        pushed.map_err(|error: HttpError| Cause::Http(error))?;
    };
    network.trace(format!("{address} answered {} {}", head.proto, head.status));
    network.observe_response(address, &head);
    Ok(Response {
        stream,
        reader,
        head,
    })
}

/// A transport failure as the cause Go's client reports: stream errors as such, TLS ones as
/// TLS errors.
fn transport_cause(error: TlsError) -> Cause {
    match error {
        TlsError::Stream(stream) => Cause::Stream(stream),
        other => Cause::Tls(other),
    }
}

/// Go's text for a transport failure while reading a body.
fn body_error_text(error: &TlsError) -> String {
    match error {
        TlsError::Stream(stream) => body_stream_text(stream),
        other => other.go_text().unwrap_or_default(),
    }
}

/// Go's text for a stream error while reading a body. Go's own text names the local and
/// remote socket addresses (`read tcp a->b: read: connection reset by peer`), which the
/// checker cannot know; the errno part is kept.
fn body_stream_text(error: &StreamError) -> String {
    match error {
        StreamError::Timeout => "context deadline exceeded".to_string(),
        StreamError::Reset => "read: connection reset by peer".to_string(),
        StreamError::Closed => "unexpected EOF".to_string(),
        StreamError::Other(text) => text.clone(),
    }
}
