//! The map from WASI errors to the checker's error variants: the same decisions as the wasmtime
//! host's map from OS errors (`host-examples/wasmtime/src/net.rs`), as far as WASI 0.2 tells.
//!
//! wasi:sockets reports connect errors as an `error-code`. Stream errors come as an opaque
//! `wasi:io/error` whose only standard accessor is `to-debug-string`; the way to read its
//! network error code (`network-error-code`) is unstable in WASI 0.2 and off in wasmtime. So
//! stream errors are classified by that text, which wasmtime makes from the OS error
//! (`Connection reset by peer (os error 104)`) or from its own error code (`ConnectionReset`).

use acme_preflight::io::{DialError, DnsTransportError, Outcome, StreamError};
use wasi::sockets::network::ErrorCode;

/// A connect error as the checker names it.
///
/// WASI folds EHOSTUNREACH, EHOSTDOWN, ENETUNREACH and ENETDOWN into `remote-unreachable`, so
/// "Network unreachable" cannot be told apart; it maps to `HostUnreachable`, which gives the
/// generic detail Boulder uses for every errno but ECONNREFUSED and ENETUNREACH.
pub fn dial_error(code: ErrorCode) -> DialError {
    match code {
        ErrorCode::Timeout => DialError::Timeout,
        ErrorCode::ConnectionRefused => DialError::Refused,
        ErrorCode::RemoteUnreachable => DialError::HostUnreachable,
        other => DialError::Other(other.name().to_string()),
    }
}

/// A failure to reach the resolver, described by its error code.
pub fn dns_network(code: ErrorCode) -> DnsTransportError {
    DnsTransportError::Network(code.name().to_string())
}

/// Whether `outcome` failed because the runtime refused the socket (`access-denied`): wasmtime
/// does that to every address unless run with `-S inherit-network=y`. Such a report would
/// blame the domain for the host's settings.
pub fn denied(outcome: &Outcome) -> bool {
    let denied = ErrorCode::AccessDenied.name();
    match outcome {
        Outcome::Connected(Err(DialError::Other(text))) => text == denied,
        Outcome::DnsExchanged(Err(DnsTransportError::Network(text))) => text == denied,
        _ => false,
    }
}

/// A read or write error, from the text of its `wasi:io/error`.
///
/// Matches the wasmtime host's `stream_error`: reset and broken pipe are `Reset`, a timeout is
/// `Timeout`, "not connected" is `Closed`, anything else keeps its first line as its text
/// (the same text Rust gives an OS error: `<strerror> (os error N)`).
pub fn stream_error(debug_text: &str) -> StreamError {
    let line = debug_text.lines().next().unwrap_or("").trim();
    let has = |needles: &[&str]| needles.iter().any(|needle| line.contains(needle));
    if has(&[
        "Connection reset",
        "Broken pipe",
        "ConnectionReset",
        "ConnectionBroken",
    ]) {
        StreamError::Reset
    } else if has(&["timed out", "Timeout"]) {
        StreamError::Timeout
    } else if has(&["not connected", "NotConnected", "InvalidState"]) {
        StreamError::Closed
    } else {
        StreamError::Other(line.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dial_errors() {
        let rows = [
            // The three a dial can end with on its own.
            (ErrorCode::Timeout, DialError::Timeout),
            (ErrorCode::ConnectionRefused, DialError::Refused),
            // EHOSTUNREACH and ENETUNREACH alike: WASI cannot tell them apart.
            (ErrorCode::RemoteUnreachable, DialError::HostUnreachable),
            // Everything else keeps the WIT name as its text.
            (
                ErrorCode::AccessDenied,
                DialError::Other("access-denied".into()),
            ),
            (
                ErrorCode::ConnectionReset,
                DialError::Other("connection-reset".into()),
            ),
            (ErrorCode::Unknown, DialError::Other("unknown".into())),
        ];
        for (code, expected) in rows {
            assert_eq!(dial_error(code), expected, "{code:?}");
        }
    }

    #[test]
    fn dns_network_errors_name_the_code() {
        assert_eq!(
            dns_network(ErrorCode::ConnectionRefused),
            DnsTransportError::Network("connection-refused".into())
        );
    }

    #[test]
    fn denials() {
        let text = || "access-denied".to_string();
        let rows = [
            // A connect or a DNS exchange the runtime refused.
            (
                Outcome::Connected(Err(dial_error(ErrorCode::AccessDenied))),
                true,
            ),
            (
                Outcome::DnsExchanged(Err(dns_network(ErrorCode::AccessDenied))),
                true,
            ),
            // The same text elsewhere is not a denial: only those two carry error codes.
            (Outcome::Received(Err(StreamError::Other(text()))), false),
            (
                Outcome::DnsExchanged(Err(DnsTransportError::Other(text()))),
                false,
            ),
            // Other failures and successes are the network's answers.
            (Outcome::Connected(Err(DialError::Refused)), false),
            (
                Outcome::DnsExchanged(Err(dns_network(ErrorCode::RemoteUnreachable))),
                false,
            ),
            (Outcome::Connected(Ok(())), false),
            (Outcome::Slept, false),
        ];
        for (outcome, expected) in rows {
            assert_eq!(denied(&outcome), expected, "{outcome:?}");
        }
    }

    #[test]
    fn stream_errors() {
        let rows = [
            // Read errors carry the OS error's text (Linux, then macOS numbering).
            (
                "Connection reset by peer (os error 104)",
                StreamError::Reset,
            ),
            ("Connection reset by peer (os error 54)", StreamError::Reset),
            ("Broken pipe (os error 32)", StreamError::Reset),
            ("Connection timed out (os error 110)", StreamError::Timeout),
            ("Operation timed out (os error 60)", StreamError::Timeout),
            (
                "Transport endpoint is not connected (os error 107)",
                StreamError::Closed,
            ),
            // Write errors carry wasmtime's own error code.
            ("ConnectionReset", StreamError::Reset),
            ("ConnectionBroken", StreamError::Reset),
            ("Timeout", StreamError::Timeout),
            ("InvalidState", StreamError::Closed),
            // Other errors keep their first line only (no "Caused by" or backtrace).
            (
                "No route to host (os error 113)\n\nCaused by:\n    x",
                StreamError::Other("No route to host (os error 113)".into()),
            ),
            (
                "Software caused connection abort (os error 103)",
                StreamError::Other("Software caused connection abort (os error 103)".into()),
            ),
            // An empty text is still an error.
            ("", StreamError::Other(String::new())),
            // Only the first line is looked at.
            ("x\nConnection reset", StreamError::Other("x".into())),
        ];
        for (text, expected) in rows {
            assert_eq!(stream_error(text), expected, "{text:?}");
        }
    }
}
