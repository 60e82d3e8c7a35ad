//! Turning a scenario [`Response`] into bytes on the wire.

use std::io::Write;
use std::time::Duration;

use crate::http::gzip::gzip;
use crate::http::request::Request;
use crate::lifetime::Lifetime;
use crate::scenario::{Framing, Response};

/// A response ready to send: the head, then body pieces (already framed) with a pause before each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Status line and headers, ending with the blank line.
    pub head: Vec<u8>,
    /// Body pieces in order (chunk framing included; the last chunked piece is `0\r\n\r\n`).
    pub pieces: Vec<Vec<u8>>,
    /// Pause before each piece.
    pub interval: Duration,
}

/// Builds the response for `request`; `thumbprint` is the scenario's default.
pub fn render(response: &Response, request: &Request, thumbprint: &str) -> Rendered {
    let mut body = if response.token {
        let thumb = response.thumbprint.as_deref().unwrap_or(thumbprint);
        format!("{}.{thumb}", request.token()).into_bytes()
    } else {
        response.body.as_bytes().to_vec()
    };
    let mut head = format!("HTTP/1.1 {} {}\r\n", response.status, reason(response)).into_bytes();
    let mut has_connection = false;
    for (name, value) in &response.headers {
        has_connection |= name.eq_ignore_ascii_case("connection");
        let value = expand(value, request);
        head.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    if response.gzip {
        body = gzip(&body);
        head.extend_from_slice(b"Content-Encoding: gzip\r\n");
    }
    match response.framing {
        Framing::Length => {
            head.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes())
        }
        Framing::Chunked => head.extend_from_slice(b"Transfer-Encoding: chunked\r\n"),
        Framing::Close => {}
    }
    if !has_connection {
        head.extend_from_slice(b"Connection: close\r\n");
    }
    head.extend_from_slice(b"\r\n");
    let size = response
        .slow
        .map_or(body.len().max(1), |s| s.chunk_bytes.max(1));
    let mut pieces: Vec<Vec<u8>> = body
        .chunks(size)
        .map(|c| frame(c, response.framing))
        .collect();
    if response.framing == Framing::Chunked {
        pieces.push(b"0\r\n\r\n".to_vec());
    }
    let interval = Duration::from_millis(response.slow.map_or(0, |s| s.interval_ms));
    Rendered {
        head,
        pieces,
        interval,
    }
}

/// Replaces `{target}`, `{path}`, `{token}` and `{host}` with the request's (for `Location`).
fn expand(value: &str, request: &Request) -> String {
    value
        .replace("{target}", &request.target)
        .replace("{path}", &request.path)
        .replace("{token}", request.token())
        .replace("{host}", &request.host)
}

fn frame(piece: &[u8], framing: Framing) -> Vec<u8> {
    if framing != Framing::Chunked {
        return piece.to_vec();
    }
    let mut out = format!("{:x}\r\n", piece.len()).into_bytes();
    out.extend_from_slice(piece);
    out.extend_from_slice(b"\r\n");
    out
}

/// Writes `rendered`, pausing between pieces; stops early when the lifetime ends or a write fails.
pub fn send(writer: &mut dyn Write, rendered: &Rendered, life: &Lifetime) -> std::io::Result<()> {
    writer.write_all(&rendered.head)?;
    writer.flush()?;
    for piece in &rendered.pieces {
        if !rendered.interval.is_zero() && !life.sleep(rendered.interval) {
            return Ok(());
        }
        writer.write_all(piece)?;
        writer.flush()?;
    }
    Ok(())
}

/// The reason phrase: the scenario's, else the standard one, else "Status".
fn reason(response: &Response) -> &str {
    if let Some(reason) = &response.reason {
        return reason;
    }
    match response.status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Slow;

    fn request(path: &str) -> Request {
        Request {
            method: "GET".into(),
            target: path.into(),
            path: path.into(),
            host: "h".into(),
        }
    }

    fn text(r: &Rendered) -> String {
        let mut all = r.head.clone();
        r.pieces.iter().for_each(|p| all.extend_from_slice(p));
        String::from_utf8_lossy(&all).into_owned()
    }

    #[test]
    fn rows() {
        let token = Response {
            token: true,
            ..Response::status(200, "")
        };
        let redirect = Response {
            headers: vec![("Location".into(), "https://{host}/x{path}".into())],
            ..Response::status(301, "")
        };
        let chunked = Response {
            framing: Framing::Chunked,
            ..Response::status(200, "abc")
        };
        let slow = Response {
            slow: Some(Slow {
                chunk_bytes: 2,
                interval_ms: 5,
            }),
            ..Response::status(200, "abcde")
        };
        let close = Response {
            framing: Framing::Close,
            reason: Some("Fine".into()),
            ..Response::status(299, "x")
        };
        let keep = Response {
            headers: vec![("Connection".into(), "keep-alive".into())],
            ..Response::status(200, "")
        };
        let rows: &[(&Response, &str, &str)] = &[
            // Token body from the last path segment and the default thumbprint.
            (&token, "/.well-known/acme-challenge/T1", "HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nT1.thumb"),
            (&redirect, "/y", "HTTP/1.1 301 Moved Permanently\r\nLocation: https://h/x/y\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
            (&chunked, "/", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
            (&slow, "/", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nabcde"),
            (&close, "/", "HTTP/1.1 299 Fine\r\nConnection: close\r\n\r\nx"),
            // A scenario's own Connection header replaces the default one.
            (&keep, "/", "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"),
        ];
        for (response, path, want) in rows {
            assert_eq!(text(&render(response, &request(path), "thumb")), *want);
        }
        let pieces = render(&slow, &request("/"), "").pieces;
        assert_eq!(pieces, [b"ab".to_vec(), b"cd".to_vec(), b"e".to_vec()]);
    }

    #[test]
    fn gzip_body() {
        let response = Response {
            gzip: true,
            ..Response::status(200, "hello")
        };
        let r = render(&response, &request("/"), "");
        let head = String::from_utf8_lossy(&r.head).into_owned();
        assert!(head.contains("Content-Encoding: gzip\r\n"));
        let body = r.pieces.concat();
        assert!(head.contains(&format!("Content-Length: {}\r\n", body.len())));
        assert_eq!(
            miniz_oxide::inflate::decompress_to_vec(&body[10..body.len() - 8]).unwrap(),
            b"hello"
        );
    }

    #[test]
    fn send_stops_when_lifetime_ends() {
        let life = Lifetime::new(Duration::from_secs(60));
        life.stop();
        let slow = Response {
            slow: Some(Slow {
                chunk_bytes: 1,
                interval_ms: 1000,
            }),
            ..Response::status(200, "abc")
        };
        let mut out = Vec::new();
        send(&mut out, &render(&slow, &request("/"), ""), &life).unwrap();
        assert!(out.ends_with(b"\r\n\r\n"));
    }
}
