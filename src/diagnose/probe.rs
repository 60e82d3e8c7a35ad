//! One request pinned to one address: the request Let's Encrypt makes first (port 80, the
//! token path, Let's Encrypt's headers), or the same over HTTPS on port 443 as a redirect hop
//! makes it, with the answer kept whole enough to identify the server, and every failure
//! classified as Boulder does (dial error or after the connect).

use std::net::{IpAddr, SocketAddr};

use super::book::Book;
use super::network::{LeNetwork, RunLog};
use super::signatures;
use crate::challenge::cause::FetchError;
use crate::challenge::deadline::Deadline;
use crate::challenge::fetch::{send_request, Exchange};
use crate::digest::sha256_hex;
use crate::http::ResponseHead;
use crate::io::DialError;
use crate::job::Options;
use crate::network::Network;
use crate::report::{ConnectResult, Probe, ResponseSummary};

/// Body bytes a probe reads: enough to see a large page stall, small in memory.
pub(crate) const PROBE_BODY_LIMIT: usize = 64 * 1024;

/// What to request.
pub(crate) struct Target<'a> {
    /// The address to dial.
    pub(crate) address: IpAddr,
    /// The port: 80, or 443 with `tls_host`.
    pub(crate) port: u16,
    /// For HTTPS, the URL's hostname (Go derives the SNI from it).
    pub(crate) tls_host: Option<&'a str>,
    /// The `Host` header (IPv6 literals in brackets).
    pub(crate) host: &'a str,
    /// The request path.
    pub(crate) path: &'a str,
}

/// Requests `target.path` from `target.address` with `target.host` as `Host`, within one
/// Let's Encrypt budget, and reads up to [`PROBE_BODY_LIMIT`] body bytes.
pub(crate) async fn probe<N: Network>(
    network: &N,
    book: &Book,
    target: &Target<'_>,
    options: &Options,
) -> Probe {
    let network = LeNetwork::new(network, book, None);
    let deadline = Deadline::http01(network.now_ms(), options.deadline_ms);
    let exchange = Exchange {
        address: target.address,
        port: target.port,
        request_uri: target.path,
        host: target.host,
        referer: None,
        user_agent: &options.user_agent,
        tls_host: target.tls_host,
    };
    let sent = send_request(&network, &exchange, deadline, options.connect_timeout_ms).await;
    let (mut response, error) = match sent {
        Ok(response) => (Some(response), None),
        Err(cause) => {
            let scheme = if target.tls_host.is_some() {
                "https"
            } else {
                "http"
            };
            let url = format!("{scheme}://{}{}", target.host, target.path);
            let problem = FetchError { url, cause }.problem(target.address);
            (None, Some(problem.detail))
        }
    };
    let mut summary = None;
    let mut error = error;
    if let Some(response) = response.as_mut() {
        let body = response
            .read_body(&network, deadline, PROBE_BODY_LIMIT)
            .await;
        let body = body.map_err(|failure| {
            format!(
                "{}: Error reading HTTP response body: {}",
                target.address, failure.0
            )
        });
        error = body.as_ref().err().cloned().or(error);
        summary = Some(summarise(response.head(), body.ok()));
    }
    drop(response);
    let log = network.take_log();
    let (connect, connect_ms) = dialled(&log, SocketAddr::new(target.address, target.port));
    let error = match connect {
        // The dial's own result says it all.
        ConnectResult::Connected => error,
        _ => None,
    };
    Probe {
        host: target.host.to_string(),
        connect_ms,
        elapsed_ms: network.elapsed_ms().saturating_sub(connect_ms),
        connect,
        response: summary,
        error,
        received_bytes: log.received_bytes,
        tls: log.handshakes.into_iter().map(|(_, tls)| tls).next(),
    }
}

/// An answer reduced to what identifies the server; `body` is `None` when it failed.
fn summarise(head: &ResponseHead, body: Option<Vec<u8>>) -> ResponseSummary {
    let complete = body
        .as_ref()
        .is_some_and(|bytes| bytes.len() < PROBE_BODY_LIMIT);
    let bytes = body.unwrap_or_default();
    ResponseSummary {
        status: head.status,
        header_names: head.headers.iter().map(|(name, _)| name.clone()).collect(),
        server: head.header("Server").map(str::to_string),
        location: head.header("Location").map(str::to_string),
        body_bytes: bytes.len() as u64,
        body_sha256: sha256_hex(&bytes),
        body_complete: complete,
        markers: signatures::markers(head, &bytes),
    }
}

/// How the run's dial of `address` ended, and Let's Encrypt's time for it.
pub(crate) fn dialled(log: &RunLog, address: SocketAddr) -> (ConnectResult, u64) {
    match log.dials.iter().find(|d| d.address == address) {
        Some(dial) => (connect_result(dial.error.as_ref()), dial.elapsed_ms),
        None => (ConnectResult::Other("not dialled".to_string()), 0),
    }
}

/// A dial's end as the report names it.
pub(crate) fn connect_result(error: Option<&DialError>) -> ConnectResult {
    match error {
        None => ConnectResult::Connected,
        Some(DialError::Timeout) => ConnectResult::Timeout,
        Some(DialError::Refused) => ConnectResult::Refused,
        Some(DialError::NetworkUnreachable) => ConnectResult::NetworkUnreachable,
        Some(DialError::HostUnreachable) => ConnectResult::HostUnreachable,
        Some(DialError::Unclassified(text) | DialError::Other(text)) => {
            ConnectResult::Other(text.clone())
        }
    }
}

/// The `Host` header Let's Encrypt sends for `host` (IPv6 literals in brackets).
pub(crate) fn host_header(host: &str) -> String {
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => format!("[{v6}]"),
        _ => host.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{connect_result, host_header};
    use crate::io::DialError;
    use crate::report::ConnectResult;

    #[test]
    fn dial_errors_keep_their_class() {
        let rows = [
            (None, ConnectResult::Connected),
            (Some(DialError::Timeout), ConnectResult::Timeout),
            (Some(DialError::Refused), ConnectResult::Refused),
            (
                Some(DialError::NetworkUnreachable),
                ConnectResult::NetworkUnreachable,
            ),
            (
                Some(DialError::HostUnreachable),
                ConnectResult::HostUnreachable,
            ),
            (
                Some(DialError::Unclassified("x".into())),
                ConnectResult::Other("x".into()),
            ),
        ];
        for (error, expected) in rows {
            assert_eq!(connect_result(error.as_ref()), expected);
        }
    }

    #[test]
    fn host_headers() {
        assert_eq!(host_header("example.com"), "example.com");
        assert_eq!(host_header("2001:db8::1"), "[2001:db8::1]"); // brackets, as Go sends them
        assert_eq!(host_header("198.51.100.1"), "198.51.100.1");
    }
}
