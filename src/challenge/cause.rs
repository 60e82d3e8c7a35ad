//! Why an HTTP-01 fetch failed, and how Boulder turns that into a problem document.
//!
//! `Cause` is the error Go's `client.Do` would return (with the URL Go names in it); the one
//! mapping to a problem, [`FetchError::problem`], ports `va/va.go: detailedError` for the
//! errors HTTP-01 can produce. Nothing else builds fetch problems.

use std::net::IpAddr;

use crate::http::HttpError;
use crate::io::{DialError, StreamError};
use crate::policy::redirect::RedirectError;
use crate::report::{Problem, ProblemType};
use crate::tls::TlsError;

/// Boulder's catch-all detail for errors it does not recognise.
pub(crate) const GENERIC_DETAIL: &str = "Error getting validation data";

/// Why one request of the chain failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Cause {
    /// The TCP connect failed: a dial error, the only kind that allows the IPv4 retry.
    Dial(DialError),
    /// Sending the request or reading the response head failed after the connect.
    Stream(StreamError),
    /// The response could not be parsed (or was HTTP/2).
    Http(HttpError),
    /// The TLS handshake with an HTTPS redirect target failed, or TLS failed under the
    /// exchange (rows T1 to T4).
    Tls(TlsError),
    /// The redirect's `Location` could not be parsed (Go's text).
    LocationParse(String),
    /// The redirect hook refused the redirect target.
    Redirect(RedirectError),
    /// `numRedirects > maxRedirect`.
    TooManyRedirects,
    /// The redirect came over TLS older than 1.2 (row R14). Unreachable in practice: Go's
    /// client, like this one, never negotiates less than TLS 1.2.
    RedirectFromOldTls,
    /// A 303 (Go calls the hook for it; Boulder refuses).
    DisallowedRedirectStatus,
    /// The redirect path is longer than `maxPathSize`.
    RedirectTooLong,
    /// The redirect URL equals an earlier record's URL.
    RedirectLoop,
    /// Resolving the redirect host failed: Boulder's DNS problem text.
    RedirectDns(String),
}

impl Cause {
    /// Port of `va/http.go: fallbackErr`: only dial errors (`*net.OpError` with `Op == "dial"`
    /// anywhere in the chain) allow the IPv4 retry. Everything after the connect is final.
    pub(crate) fn allows_fallback(&self) -> bool {
        matches!(self, Cause::Dial(_))
    }

    /// The problem type and the message after the prefixes (`detailedError`'s cases).
    fn classify(&self) -> (ProblemType, String) {
        use ProblemType::{Connection, Dns};
        match self {
            Cause::Dial(error) => (Connection, dial_message(error).to_string()),
            Cause::Stream(error) => (Connection, stream_message(error).to_string()),
            Cause::Http(error) if error.is_http2() => (
                Connection,
                "Server is speaking HTTP/2 over HTTP".to_string(),
            ),
            Cause::Http(_) | Cause::LocationParse(_) => (Connection, GENERIC_DETAIL.to_string()),
            // Go's transport replaces a plain-HTTP answer's RecordHeaderError with its own
            // "server gave HTTP response to HTTPS client", which Boulder does not recognise.
            Cause::Tls(error) if error.is_plain_http() => (Connection, GENERIC_DETAIL.to_string()),
            Cause::Tls(error) => tls_message(error),
            // Boulder returns the raw `strconv.Atoi` error for an out-of-range port, which
            // detailedError does not recognise.
            Cause::Redirect(error) if !error.is_connection_failure() => {
                (Connection, GENERIC_DETAIL.to_string())
            }
            Cause::Redirect(error) => (Connection, error.to_string()),
            Cause::TooManyRedirects => (Connection, "Too many redirects".to_string()),
            Cause::RedirectFromOldTls => (Connection, OLD_TLS_REDIRECT.to_string()),
            Cause::DisallowedRedirectStatus => (
                Connection,
                "received disallowed redirect status code".to_string(),
            ),
            Cause::RedirectTooLong => (Connection, "Redirect target too long".to_string()),
            Cause::RedirectLoop => (Connection, "Redirect loop detected".to_string()),
            Cause::RedirectDns(detail) => (Dns, detail.clone()),
        }
    }
}

/// Boulder's refusal of a redirect issued over TLS older than 1.2 (`processRedirect`).
pub(crate) const OLD_TLS_REDIRECT: &str = "validation attempt was redirected to an HTTPS server that doesn't support TLSv1.2 or better. See https://community.letsencrypt.org/t/rejecting-sha-1-csrs-and-validation-using-tls-1-0-1-1-urls/175144";

/// `detailedError` for TLS failures after the connect: alerts are `*net.OpError`s holding a
/// `tls.alert`, so **tls** with the OpError's text; timeouts are "Timeout after connect";
/// a plain-HTTP answer (a `RecordHeaderError` starting `HTTP/`) is **malformed** "Server
/// only speaks HTTP, not TLS" when it reaches Boulder unwrapped (TLS-ALPN-01); anything else
/// is the catch-all.
pub(crate) fn tls_message(error: &TlsError) -> (ProblemType, String) {
    match error {
        TlsError::Alert(_) | TlsError::Local(_) => {
            (ProblemType::Tls, error.go_text().unwrap_or_default())
        }
        TlsError::Stream(stream) => (ProblemType::Connection, stream_message(stream).to_string()),
        _ if error.is_plain_http() => (
            ProblemType::Malformed,
            "Server only speaks HTTP, not TLS".to_string(),
        ),
        TlsError::RecordHeader(_) | TlsError::Other(_) => {
            (ProblemType::Connection, GENERIC_DETAIL.to_string())
        }
    }
}

/// `detailedError` for dial errors (`*net.OpError` with `Op == "dial"`).
pub(crate) fn dial_message(error: &DialError) -> &'static str {
    match error {
        DialError::Timeout => "Timeout during connect (likely firewall problem)",
        DialError::Refused => "Connection refused",
        DialError::NetworkUnreachable => "Network unreachable",
        // EHOSTUNREACH and other errnos fall through detailedError's switch.
        DialError::HostUnreachable | DialError::Unclassified(_) | DialError::Other(_) => {
            GENERIC_DETAIL
        }
    }
}

/// Boulder's text for a timeout after the connect.
pub(crate) const TIMEOUT_AFTER_CONNECT: &str =
    "Timeout after connect (your server may be slow or overloaded)";

/// `detailedError` for errors after the connect. Go's client has no read timeouts of its
/// own, so a timeout is the context deadline: "Timeout after connect".
fn stream_message(error: &StreamError) -> &'static str {
    match error {
        StreamError::Timeout => TIMEOUT_AFTER_CONNECT,
        StreamError::Reset => "Connection reset by peer",
        StreamError::Closed | StreamError::Other(_) => GENERIC_DETAIL,
    }
}

/// A failed request of the chain: Go's `*url.Error`, the URL it names and its cause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FetchError {
    /// The URL Go puts in the error: the hop's URL for transport errors, the raw `Location`
    /// value for refused redirects.
    pub(crate) url: String,
    /// What went wrong.
    pub(crate) cause: Cause,
}

impl FetchError {
    /// The problem Boulder reports: `"<ip>: Fetching <url>: <message>"`.
    pub(crate) fn problem(&self, ip: IpAddr) -> Problem {
        let (problem_type, message) = self.cause.classify();
        Problem::new(
            problem_type,
            format!("{ip}: Fetching {}: {message}", self.url),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_dial_errors_allow_fallback() {
        // Port of TestFallbackErr: Op == "dial" is the only trigger.
        let rows = [
            (Cause::Dial(DialError::Timeout), true),
            (Cause::Dial(DialError::Refused), true),
            (Cause::Dial(DialError::HostUnreachable), true), // still a dial error
            (Cause::Dial(DialError::Unclassified("x".into())), true),
            (Cause::Stream(StreamError::Reset), false), // after the connect
            (Cause::Stream(StreamError::Timeout), false), // slow server
            (Cause::Stream(StreamError::Closed), false), // EOF
            (Cause::Tls(TlsError::Alert(40)), false),   // TLS errors come after the connect
            (Cause::Tls(TlsError::Stream(StreamError::Timeout)), false), // handshake timeout
            (Cause::TooManyRedirects, false),           // redirect policy
            (Cause::RedirectDns("x".into()), false),    // DNS errors
        ];
        for (cause, expected) in rows {
            assert_eq!(cause.allows_fallback(), expected, "{cause:?}");
        }
    }

    #[test]
    fn details_match_boulder() {
        let ip: IpAddr = "2001:db8::1".parse().unwrap();
        let url = "http://example.com/.well-known/acme-challenge/t".to_string();
        let rows = [
            (
                Cause::Dial(DialError::Timeout),
                ProblemType::Connection,
                "Timeout during connect (likely firewall problem)",
            ), // C1
            (
                Cause::Dial(DialError::Refused),
                ProblemType::Connection,
                "Connection refused",
            ), // C2
            (
                Cause::Dial(DialError::NetworkUnreachable),
                ProblemType::Connection,
                "Network unreachable",
            ), // C3
            (
                Cause::Dial(DialError::HostUnreachable),
                ProblemType::Connection,
                GENERIC_DETAIL,
            ), // C4
            (
                Cause::Stream(StreamError::Reset),
                ProblemType::Connection,
                "Connection reset by peer",
            ), // C5
            (
                Cause::Stream(StreamError::Closed),
                ProblemType::Connection,
                GENERIC_DETAIL,
            ), // C6
            (
                Cause::Stream(StreamError::Timeout),
                ProblemType::Connection,
                "Timeout after connect (your server may be slow or overloaded)",
            ), // C7
            (
                Cause::Tls(TlsError::Alert(40)),
                ProblemType::Tls,
                "remote error: tls: handshake failure",
            ), // T1
            (
                Cause::Tls(TlsError::Stream(StreamError::Timeout)),
                ProblemType::Connection,
                "Timeout after connect (your server may be slow or overloaded)",
            ), // T2
            (
                Cause::Tls(TlsError::RecordHeader(*b"HTTP/")),
                ProblemType::Connection,
                GENERIC_DETAIL,
            ), // T3: Go's transport hides the RecordHeaderError
            (
                Cause::Tls(TlsError::Other("x".into())),
                ProblemType::Connection,
                GENERIC_DETAIL,
            ), // T4
            (
                Cause::RedirectFromOldTls,
                ProblemType::Connection,
                OLD_TLS_REDIRECT,
            ), // R14
            (
                Cause::RedirectLoop,
                ProblemType::Connection,
                "Redirect loop detected",
            ), // R11
            (
                Cause::RedirectDns("DNS problem: x".into()),
                ProblemType::Dns,
                "DNS problem: x",
            ), // R12
        ];
        for (cause, problem_type, message) in rows {
            let problem = FetchError {
                url: url.clone(),
                cause,
            }
            .problem(ip);
            assert_eq!(problem.problem_type, problem_type);
            assert_eq!(
                problem.detail,
                format!("2001:db8::1: Fetching {url}: {message}")
            );
        }
    }
}
