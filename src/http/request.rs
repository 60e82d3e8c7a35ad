//! The GET request Boulder's HTTP-01 client writes, byte for byte.
//!
//! Boulder builds the request with `http.NewRequest("GET", url, nil)`, sets `User-Agent` and
//! `Accept: */*` (`va/http.go: setupHTTPValidation`), and Go's client adds `Referer` on
//! redirected requests. Go's transport then adds `Accept-Encoding: gzip` (compression is not
//! disabled) and `Connection: close` (`DisableKeepAlives: true`) as *extra* headers, and
//! `(*Request).write` puts the bytes on the wire.

/// The `User-Agent` Let's Encrypt's validation authorities send.
pub const LETS_ENCRYPT_USER_AGENT: &str =
    "Mozilla/5.0 (compatible; Let's Encrypt validation server; +https://www.letsencrypt.org)";

/// Go's default `User-Agent`, sent when the request sets none (Boulder with an empty
/// `userAgent` setting does not set the header).
const GO_DEFAULT_USER_AGENT: &str = "Go-http-client/1.1";

/// The parts of Boulder's GET that vary between requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestHead<'a> {
    /// Go's `URL.RequestURI()`: the escaped path and query (`/.well-known/acme-challenge/x`).
    pub request_uri: &'a str,
    /// The `Host` header: the URL's host, with its port when the URL has one; IPv6 literals
    /// in brackets.
    pub host: &'a str,
    /// The `User-Agent` header; empty means Go's default.
    pub user_agent: &'a str,
    /// The `Referer` Go's client sets on a redirected request.
    pub referer: Option<&'a str>,
}

/// Port of `net/http: (*Request).write` for Boulder's GET: the exact request bytes.
///
/// Why this order: `write` emits the request line, then `Host`, then `User-Agent` (both
/// written by name, ahead of everything else), then the transfer headers (none for a GET
/// without a body), then `r.Header` minus `Host`, `User-Agent`, `Content-Length`,
/// `Transfer-Encoding` and `Trailer`, **sorted by key** (`Header.writeSubset` uses
/// `sortedKeyValues`): `Accept` before `Referer`. Last come the transport's extra headers,
/// again sorted by key: `Accept-Encoding` (`persistConn.roundTrip` asks for gzip when the
/// request has no `Accept-Encoding` or `Range` and is not a HEAD) before `Connection: close`
/// (added because the transport has `DisableKeepAlives`). A blank line ends the head.
/// Values are cleaned as Go cleans them: CR and LF become spaces, then surrounding ASCII
/// white space is trimmed.
pub fn encode_request(head: &RequestHead<'_>) -> Vec<u8> {
    let user_agent = if head.user_agent.is_empty() {
        GO_DEFAULT_USER_AGENT.to_string()
    } else {
        clean_value(head.user_agent)
    };
    let mut out = String::with_capacity(256);
    out.push_str("GET ");
    out.push_str(head.request_uri);
    out.push_str(" HTTP/1.1\r\n");
    push_field(&mut out, "Host", &remove_zone(head.host));
    if !user_agent.is_empty() {
        push_field(&mut out, "User-Agent", &user_agent);
    }
    // r.Header, sorted by key.
    push_field(&mut out, "Accept", "*/*");
    if let Some(referer) = head.referer {
        push_field(&mut out, "Referer", &clean_value(referer));
    }
    // The transport's extra headers, sorted by key.
    push_field(&mut out, "Accept-Encoding", "gzip");
    push_field(&mut out, "Connection", "close");
    out.push_str("\r\n");
    out.into_bytes()
}

/// Appends `name: value\r\n`.
fn push_field(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str(": ");
    out.push_str(value);
    out.push_str("\r\n");
}

/// Go's `headerNewlineToSpace.Replace` then `textproto.TrimString`.
fn clean_value(value: &str) -> String {
    let spaced: String = value
        .chars()
        .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
        .collect();
    spaced
        .trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
        .to_string()
}

/// Port of `net/http: removeZone`: drops an IPv6 zone (`[fe80::1%eth0]` → `[fe80::1]`).
fn remove_zone(host: &str) -> String {
    if !host.starts_with('[') {
        return host.to_string();
    }
    let Some(close) = host.rfind(']') else {
        return host.to_string();
    };
    match host[..close].rfind('%') {
        Some(zone) => format!("{}{}", &host[..zone], &host[close..]),
        None => host.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN_URI: &str = "/.well-known/acme-challenge/token";

    #[test]
    fn writes_the_bytes_go_writes() {
        let rows: &[(RequestHead<'_>, &str)] = &[
            // The initial request for a DNS name (spec 3.5).
            (
                RequestHead {
                    request_uri: TOKEN_URI,
                    host: "example.com",
                    user_agent: LETS_ENCRYPT_USER_AGENT,
                    referer: None,
                },
                "GET /.well-known/acme-challenge/token HTTP/1.1\r\n\
                 Host: example.com\r\n\
                 User-Agent: Mozilla/5.0 (compatible; Let's Encrypt validation server; +https://www.letsencrypt.org)\r\n\
                 Accept: */*\r\n\
                 Accept-Encoding: gzip\r\n\
                 Connection: close\r\n\
                 \r\n",
            ),
            // A redirected request: Referer sorts after Accept, before the extra headers.
            (
                RequestHead {
                    request_uri: "/ok?x=1",
                    host: "[::1]",
                    user_agent: "ua",
                    referer: Some("http://example.com/.well-known/acme-challenge/token"),
                },
                "GET /ok?x=1 HTTP/1.1\r\n\
                 Host: [::1]\r\n\
                 User-Agent: ua\r\n\
                 Accept: */*\r\n\
                 Referer: http://example.com/.well-known/acme-challenge/token\r\n\
                 Accept-Encoding: gzip\r\n\
                 Connection: close\r\n\
                 \r\n",
            ),
            // Empty User-Agent: Boulder sets none, so Go sends its default.
            (
                RequestHead {
                    request_uri: "/",
                    host: "127.0.0.1:443",
                    user_agent: "",
                    referer: None,
                },
                "GET / HTTP/1.1\r\n\
                 Host: 127.0.0.1:443\r\n\
                 User-Agent: Go-http-client/1.1\r\n\
                 Accept: */*\r\n\
                 Accept-Encoding: gzip\r\n\
                 Connection: close\r\n\
                 \r\n",
            ),
            // Go's value cleaning and zone removal.
            (
                RequestHead {
                    request_uri: "/",
                    host: "[fe80::1%eth0]",
                    user_agent: " a\r\nb\t",
                    referer: Some("x\ny"),
                },
                "GET / HTTP/1.1\r\n\
                 Host: [fe80::1]\r\n\
                 User-Agent: a  b\r\n\
                 Accept: */*\r\n\
                 Referer: x y\r\n\
                 Accept-Encoding: gzip\r\n\
                 Connection: close\r\n\
                 \r\n",
            ),
        ];
        for (head, expected) in rows {
            let bytes = encode_request(head);
            assert_eq!(String::from_utf8_lossy(&bytes), *expected, "{head:?}");
        }
    }

    #[test]
    fn removes_zones_like_go() {
        let rows = [
            ("example.com", "example.com"),       // not a literal
            ("[::1]", "[::1]"),                   // no zone
            ("[fe80::1%25en0]", "[fe80::1]"),     // zone removed up to the bracket
            ("[fe80::1%en0]:80", "[fe80::1]:80"), // the port stays
            ("[broken", "[broken"),               // no closing bracket: unchanged
        ];
        for (host, expected) in rows {
            assert_eq!(remove_zone(host), expected, "{host}");
        }
    }
}
