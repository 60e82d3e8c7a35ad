//! One HTTP/1.1 request over one connection, as Go's transport makes it for Boulder.

use std::net::{IpAddr, SocketAddr};

use crate::challenge::cause::Cause;
use crate::challenge::deadline::Deadline;
use crate::http::{encode_request, HttpError, RequestHead, ResponseHead, ResponseReader};
use crate::io::StreamError;
use crate::network::Network;
use crate::policy::limits::RECEIVE_CHUNK;

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
}

/// A response whose head has arrived; the body is read on demand.
pub(crate) struct Response<C> {
    connection: C,
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
            let remaining = deadline.remaining_ms(network.now_ms());
            if remaining == 0 {
                return Err(BodyError("context deadline exceeded".to_string()));
            }
            let received = network
                .receive(&self.connection, RECEIVE_CHUNK, remaining)
                .await;
            let pushed = match received {
                Ok(bytes) if bytes.is_empty() => self.reader.push_eof(),
                Ok(bytes) => self.reader.push(&bytes),
                Err(error) => return Err(BodyError(body_stream_text(&error))),
            };
            pushed.map_err(|error| BodyError(error.go_text()))?;
        }
        let body = self.reader.body();
        Ok(body[..body.len().min(limit)].to_vec())
    }
}

/// Dials, sends the request and reads the response head.
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
            network.trace(format!("connect to {address}: {error:?}"));
            Cause::Dial(error)
        })?;
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
    let remaining = deadline.remaining_ms(network.now_ms());
    network
        .send(&connection, request, remaining)
        .await
        .map_err(Cause::Stream)?;
    let mut reader = ResponseReader::new(0);
    let head = loop {
        if let Some(head) = reader.head() {
            break head.clone();
        }
        let remaining = deadline.remaining_ms(network.now_ms());
        if remaining == 0 {
            return Err(Cause::Stream(StreamError::Timeout));
        }
        let bytes = network
            .receive(&connection, RECEIVE_CHUNK, remaining)
            .await
            .map_err(Cause::Stream)?;
        let pushed = if bytes.is_empty() {
            reader.push_eof()
        } else {
            reader.push(&bytes)
        };
        pushed.map_err(|error: HttpError| Cause::Http(error))?;
    };
    network.trace(format!("{address} answered {} {}", head.proto, head.status));
    Ok(Response {
        connection,
        reader,
        head,
    })
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
