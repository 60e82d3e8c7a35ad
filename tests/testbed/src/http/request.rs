//! Reading an HTTP/1.x request head (bounded; the body is never read).

use std::io::Read;
use std::time::Instant;

/// Largest request head read.
pub const MAX_HEAD: usize = 16 * 1024;

/// The parts of a request the servers use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    /// Method, e.g. `GET`.
    pub method: String,
    /// Request target as sent.
    pub target: String,
    /// Target without query string.
    pub path: String,
    /// `Host` header value (empty when absent).
    pub host: String,
}

impl Request {
    /// The ACME token: the last path segment.
    pub fn token(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or("")
    }
}

/// Reads until the blank line ending the head, EOF, an error, [`MAX_HEAD`] bytes or
/// `deadline` (checked between reads). Returns `None` when no complete head arrived.
pub fn read_head(reader: &mut dyn Read, deadline: Instant) -> Option<Request> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while buf.len() < MAX_HEAD && Instant::now() < deadline {
        let n = reader.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n.min(chunk.len())]);
        if let Some(end) = find_head_end(&buf) {
            return parse_head(&buf[..end]);
        }
    }
    None
}

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| buf.windows(2).position(|w| w == b"\n\n"))
}

/// Parses the request line and headers (lenient: LF or CRLF line ends).
pub fn parse_head(head: &[u8]) -> Option<Request> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split('\n').map(|l| l.trim_end_matches('\r'));
    let mut first = lines.next()?.split(' ');
    let method = first.next().filter(|m| !m.is_empty())?.to_string();
    let target = first.next().filter(|t| !t.is_empty())?.to_string();
    let version = first.next()?;
    if !version.starts_with("HTTP/") || first.next().is_some() {
        return None;
    }
    let mut host = String::new();
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("host") {
                host = value.trim().to_string();
            }
        }
    }
    let path = target.split('?').next().unwrap_or("").to_string();
    Some(Request {
        method,
        target,
        path,
        host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const GOOD: &[u8] = b"GET /.well-known/acme-challenge/tok?x=1 HTTP/1.1\r\nHost: a.example.com\r\nAccept: */*\r\n\r\n";

    #[test]
    fn parse_rows() {
        struct Row(
            &'static [u8],
            Option<(&'static str, &'static str, &'static str)>,
        );
        let rows = [
            Row(
                GOOD,
                Some(("GET", "/.well-known/acme-challenge/tok", "a.example.com")),
            ), // normal
            Row(b"GET / HTTP/1.0\n\n", Some(("GET", "/", ""))), // LF only, no Host
            Row(b"GET /  HTTP/1.1\r\n\r\n", None),              // double space
            Row(b"GET / FTP/1.1\r\n\r\n", None),                // not HTTP
            Row(b"GET\r\n\r\n", None),                          // no target
            Row(
                b"GET / HTTP/1.1\r\nhOsT:x \r\n\r\n",
                Some(("GET", "/", "x")),
            ), // header case
        ];
        for Row(bytes, want) in rows {
            let got = parse_head(bytes);
            let got = got
                .as_ref()
                .map(|r| (r.method.as_str(), r.path.as_str(), r.host.as_str()));
            assert_eq!(got, want, "{:?}", String::from_utf8_lossy(bytes));
        }
        assert_eq!(parse_head(GOOD).unwrap().token(), "tok");
    }

    fn later() -> Instant {
        Instant::now() + Duration::from_secs(60)
    }

    #[test]
    fn deadline_passed() {
        assert_eq!(read_head(&mut &GOOD[..], Instant::now()), None);
    }

    #[test]
    fn every_prefix_is_incomplete() {
        for n in 0..GOOD.len() {
            assert_eq!(read_head(&mut &GOOD[..n], later()), None, "prefix {n}");
        }
        assert!(read_head(&mut &GOOD[..], later()).is_some());
    }

    #[test]
    fn byte_by_byte() {
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let Some((first, rest)) = self.0.split_first() else {
                    return Ok(0);
                };
                out[0] = *first;
                self.0 = rest;
                Ok(1)
            }
        }
        assert_eq!(read_head(&mut OneByte(GOOD), later()), parse_head(GOOD));
    }

    #[test]
    fn head_size_limit() {
        let mut big = b"GET / HTTP/1.1\r\nX: ".to_vec();
        big.resize(MAX_HEAD + 10, b'a');
        big.extend_from_slice(b"\r\n\r\n");
        assert_eq!(read_head(&mut &big[..], later()), None);
    }
}
