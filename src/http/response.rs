//! An HTTP/1.1 response read incrementally and within bounds, accepting what Go's `net/http`
//! client accepts and failing where it fails, with its error texts.
//!
//! The host pushes bytes as they arrive ([`ResponseReader::push`]) and the end of the
//! connection ([`ResponseReader::push_eof`]). The reader skips 1xx responses (but 101), as
//! Go's transport does; [`ResponseReader::head`] is the final response's head, with the
//! header as Go's `resp.Header` holds it. The body is de-chunked and, for
//! `Content-Encoding: gzip`, decompressed; [`ResponseReader::body`] keeps at most the body
//! limit. Memory stays bounded: at most Go's 10 MiB of head bytes, the body limit, and small
//! fixed buffers (a 32 KiB window and Huffman tables for gzip).

use super::body::BodyReader;
pub use super::error::{BodyError, HeadError, HttpError, MimeError};
use super::go_quote::go_lossy;
use super::head::{Head, HeadReader};
use super::mime::canonical_key;
use super::transfer::{read_transfer, Framing, Transfer};

/// The status line and header of the final response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseHead {
    /// The status code (Go accepts any three characters `strconv.Atoi` takes: 0 to 999).
    pub status: u16,
    /// The protocol as sent (`HTTP/1.1`).
    pub proto: String,
    /// The header fields in arrival order, with Go's canonical names, as Go's `resp.Header`
    /// holds them (Go drops `Transfer-Encoding`, `Trailer` and `Connection: close`, and
    /// `Content-Encoding` and `Content-Length` when it decompresses). Bytes that are not
    /// UTF-8 are shown as U+FFFD, one per byte; [`ResponseHead::header_bytes`] has the bytes.
    pub headers: Vec<(String, String)>,
    raw_values: Vec<Vec<u8>>,
    content_length: Option<u64>,
}

impl ResponseHead {
    /// Port of `http.Header.Get`: the first value of the field, the name canonicalised.
    pub fn header(&self, name: &str) -> Option<&str> {
        let index = self.index(name)?;
        self.headers.get(index).map(|(_, value)| value.as_str())
    }

    /// Go's `resp.ContentLength`: the body's length when the framing gives it (0 for
    /// responses without a body), `None` for Go's -1 (chunked, until close, or decompressed).
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// Like [`ResponseHead::header`], with the value's bytes as sent.
    pub fn header_bytes(&self, name: &str) -> Option<&[u8]> {
        let index = self.index(name)?;
        self.raw_values.get(index).map(Vec::as_slice)
    }

    /// Where the first field named `name` is.
    fn index(&self, name: &str) -> Option<usize> {
        let key = canonical_key(name);
        self.headers.iter().position(|(k, _)| *k == key)
    }

    /// Builds the head from a parsed head whose header Go's transfer rules have edited.
    fn from_head(head: Head, transfer: Transfer) -> ResponseHead {
        let content_length = match transfer.framing {
            _ if transfer.gzip => None,
            Framing::None => Some(0),
            Framing::Length(length) => Some(length),
            Framing::Chunked | Framing::UntilClose => None,
        };
        let headers = head
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), go_lossy(v)))
            .collect();
        let raw_values = head.fields.into_iter().map(|(_, v)| v).collect();
        ResponseHead {
            status: head.status,
            proto: head.proto,
            headers,
            raw_values,
            content_length,
        }
    }
}

/// Where the reader is.
enum Stage {
    /// Reading heads (1xx ones included).
    Head(HeadReader),
    /// The final head is read; reading the body.
    Body(ResponseHead, Box<BodyReader>),
    /// The response failed.
    Failed(HttpError),
}

/// An incremental, bounded reader of one response, with Go's client rules.
pub struct ResponseReader {
    stage: Stage,
    body_limit: usize,
}

impl ResponseReader {
    /// A reader that keeps at most `body_limit` decoded body bytes. A limit of 0 reads no
    /// body (as `io.LimitedReader` with `N: 0`) until [`ResponseReader::set_body_limit`].
    pub fn new(body_limit: usize) -> ResponseReader {
        ResponseReader {
            stage: Stage::Head(HeadReader::new()),
            body_limit,
        }
    }

    /// Sets the body limit. Call it before the body is read: with the limit at 0, body bytes
    /// pushed with the head are kept (up to 10 MiB) and read once the limit is set, so this
    /// can already end the body, or fail it (the error [`ResponseReader::push`] would give).
    pub fn set_body_limit(&mut self, body_limit: usize) -> Result<(), HttpError> {
        self.body_limit = body_limit;
        if let Stage::Body(_, body) = &mut self.stage {
            body.set_limit(body_limit);
        }
        self.check_body()
    }

    /// Reads bytes from the connection. After an error, returns that error again.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), HttpError> {
        match &mut self.stage {
            Stage::Failed(error) => Err(error.clone()),
            Stage::Head(_) => self.push_head(bytes),
            Stage::Body(_, body) => {
                if body.error().is_none() {
                    body.push(bytes);
                }
                self.check_body()
            }
        }
    }

    /// The connection closed (the peer sent FIN).
    pub fn push_eof(&mut self) -> Result<(), HttpError> {
        match &mut self.stage {
            Stage::Failed(error) => Err(error.clone()),
            Stage::Head(heads) => {
                let error = HttpError::from_head(heads.finish());
                self.stage = Stage::Failed(error.clone());
                Err(error)
            }
            Stage::Body(_, body) => {
                if body.error().is_none() {
                    body.push_eof();
                }
                self.check_body()
            }
        }
    }

    /// The final response's head, once it is complete (it stays available after a body
    /// error).
    pub fn head(&self) -> Option<&ResponseHead> {
        match &self.stage {
            Stage::Body(head, _) => Some(head),
            _ => None,
        }
    }

    /// The decoded body so far, at most the body limit.
    pub fn body(&self) -> &[u8] {
        match &self.stage {
            Stage::Body(_, body) => body.body(),
            _ => &[],
        }
    }

    /// Whether the head is complete and the body read is over: the limit is reached or the
    /// body ended (its length, its last chunk, the connection's end, or no body at all).
    /// False after an error, which `push` keeps returning.
    pub fn is_done(&self) -> bool {
        match &self.stage {
            Stage::Body(_, body) => body.is_done() && body.error().is_none(),
            _ => false,
        }
    }

    /// Reads head bytes; moves on to the body when the final head is complete.
    fn push_head(&mut self, mut bytes: &[u8]) -> Result<(), HttpError> {
        let Stage::Head(heads) = &mut self.stage else {
            return Ok(());
        };
        loop {
            let step = heads.push(bytes).and_then(|(head, used)| match head {
                None => Ok(None),
                Some(mut head) => read_transfer(head.status, head.version, &mut head.fields)
                    .map(|transfer| Some((head, transfer, used))),
            });
            let (head, transfer, used) = match step {
                Ok(None) => return Ok(()),
                Ok(Some(found)) => found,
                Err(error) => return Err(self.fail_head(error)),
            };
            bytes = bytes.get(used..).unwrap_or_default();
            // Go's transport skips informational responses, except 101 Switching Protocols.
            if (100..=199).contains(&head.status) && head.status != 101 {
                heads.next_response();
                continue;
            }
            let mut body = Box::new(BodyReader::new(transfer, self.body_limit));
            body.push(bytes);
            self.stage = Stage::Body(ResponseHead::from_head(head, transfer), body);
            return self.check_body();
        }
    }

    /// Records a head error.
    fn fail_head(&mut self, error: HeadError) -> HttpError {
        let error = HttpError::from_head(error);
        self.stage = Stage::Failed(error.clone());
        error
    }

    /// The body's error, if the read failed.
    fn check_body(&self) -> Result<(), HttpError> {
        match &self.stage {
            Stage::Body(_, body) => match body.error() {
                Some(error) => Err(HttpError::Body(error.clone())),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::http::gzip::tests::member;

    /// What a caller sees after pushing a response the way `challenge/fetch.rs` does:
    /// bytes until an error or `is_done`, then the connection's end if asked.
    #[derive(Debug, PartialEq, Eq)]
    pub(in crate::http) struct Seen {
        pub(in crate::http) status: Option<u16>,
        pub(in crate::http) headers: Vec<(String, String)>,
        pub(in crate::http) body: Vec<u8>,
        pub(in crate::http) done: bool,
        pub(in crate::http) error: Option<String>,
        pub(in crate::http) http2: bool,
    }

    pub(in crate::http) fn run(pieces: &[&[u8]], eof: bool, limit: usize) -> Seen {
        let mut reader = ResponseReader::new(limit);
        let mut result = Ok(());
        for piece in pieces {
            if result.is_err() || reader.is_done() {
                break;
            }
            result = reader.push(piece);
        }
        if eof && result.is_ok() && !reader.is_done() {
            result = reader.push_eof();
        }
        let head = reader.head();
        Seen {
            status: head.map(|h| h.status),
            headers: head.map(|h| h.headers.clone()).unwrap_or_default(),
            body: reader.body().to_vec(),
            done: reader.is_done(),
            error: result.as_ref().err().map(HttpError::go_text),
            http2: result.as_ref().err().is_some_and(HttpError::is_http2),
        }
    }

    /// Runs `input` whole, byte by byte, and split in two at every position: all the same.
    pub(in crate::http) fn check(input: &[u8], eof: bool, limit: usize, expected: &Seen) {
        assert_eq!(
            &run(&[input], eof, limit),
            expected,
            "whole: {:?}",
            String::from_utf8_lossy(input)
        );
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(&run(&bytes, eof, limit), expected, "byte by byte");
        for split in 0..=input.len() {
            let (a, b) = input.split_at(split);
            assert_eq!(&run(&[a, b], eof, limit), expected, "split at {split}");
        }
    }

    pub(in crate::http) fn ok(
        status: u16,
        headers: &[(&str, &str)],
        body: &[u8],
        done: bool,
    ) -> Seen {
        Seen {
            status: Some(status),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.to_vec(),
            done,
            error: None,
            http2: false,
        }
    }

    pub(in crate::http) fn failed(
        status: Option<u16>,
        headers: &[(&str, &str)],
        body: &[u8],
        error: &str,
    ) -> Seen {
        Seen {
            error: Some(error.to_string()),
            done: false,
            ..ok(status.unwrap_or(0), headers, body, false)
        }
        .with_status(status)
    }

    impl Seen {
        fn with_status(mut self, status: Option<u16>) -> Seen {
            self.status = status;
            self
        }
    }

    pub(in crate::http) fn concat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    #[test]
    fn reads_responses_like_go() {
        let gz = member(b"key-authorization");
        let gz_length = format!("Content-Length: {}\r\n", gz.len());
        let gz_chunk = format!("{:x}\r\n", gz.len());
        let cl5: &[(&str, &str)] = &[("Content-Length", "5")];
        // (input, eof after it, expected)
        let rows: Vec<(Vec<u8>, bool, Seen)> = vec![
            // Content-Length: exact, with extra bytes (ignored), cut short.
            (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".to_vec(), false, ok(200, cl5, b"hello", true)),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello, world".to_vec(), false, ok(200, cl5, b"hello", true)),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhello".to_vec(), true,
                failed(Some(200), &[("Content-Length", "9")], b"hello", "unexpected EOF")),
            // Chunked, with extensions and a trailer; Go drops Transfer-Encoding.
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX: y\r\n\r\n5;a=b\r\nhello\r\n1\r\n!\r\n0\r\nT: 1\r\n\r\n".to_vec(),
                false, ok(200, &[("X", "y")], b"hello!", true)),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX".to_vec(), false,
                failed(Some(200), &[], b"hello", "malformed chunked encoding")),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello".to_vec(), false,
                failed(Some(200), &[], b"", "chunked line ends with bare LF")),
            // Close-delimited: done only at the end of the connection.
            (b"HTTP/1.0 200 OK\r\n\r\nabc".to_vec(), true, ok(200, &[], b"abc", true)),
            (b"HTTP/1.1 200 OK\r\n\r\nabc".to_vec(), false, ok(200, &[], b"abc", false)),
            // gzip: decoded, Content-Encoding and Content-Length hidden.
            (concat(&[b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n", gz_length.as_bytes(), b"\r\n", &gz]),
                false, ok(200, &[], b"key-authorization", true)),
            (concat(&[b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
                gz_chunk.as_bytes(), &gz, b"\r\n0\r\n\r\n"]), false, ok(200, &[], b"key-authorization", true)),
            (concat(&[b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n", &gz[..gz.len() - 1]]), true,
                failed(Some(200), &[], b"key-authorization", "unexpected EOF")),
            (b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\nplain text".to_vec(), true,
                failed(Some(200), &[], b"", "gzip: invalid header")),
            // No body: 204, 304, Content-Length: 0 (even with gzip).
            (b"HTTP/1.1 204 No Content\r\n\r\nignored".to_vec(), false, ok(204, &[], b"", true)),
            (b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n".to_vec(), false, ok(304, cl5, b"", true)),
            (b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 0\r\n\r\n".to_vec(), false,
                ok(200, &[("Content-Encoding", "gzip"), ("Content-Length", "0")], b"", true)),
            // 1xx responses are skipped (several, with headers); 101 is final.
            (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec(),
                false, ok(200, &[("Content-Length", "2")], b"ok", true)),
            (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\nframes".to_vec(), false,
                ok(101, &[("Upgrade", "h2c")], b"", true)),
            (b"HTTP/1.1 100 Continue\r\n\r\n".to_vec(), true, failed(None, &[], b"", "unexpected EOF")),
            (b"HTTP/1.1 100 Continue\r\nContent-Length: x\r\n\r\n".to_vec(), false,
                failed(None, &[], b"", r#"bad Content-Length "x""#)),
            // Head errors: transport errors with Go's texts.
            (Vec::new(), true, failed(None, &[], b"", "EOF")),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n".to_vec(), true, failed(None, &[], b"", "unexpected EOF")),
            (b"HTTP/1.1 OK\r\n\r\n".to_vec(), false, failed(None, &[], b"", r#"malformed HTTP status code "OK""#)),
            (b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n".to_vec(), false,
                failed(None, &[], b"", r#"malformed MIME header: missing colon: "no colon""#)),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n".to_vec(), false,
                failed(None, &[], b"", r#"http: message cannot contain multiple Content-Length headers; got ["1" "2"]"#)),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n".to_vec(), false,
                failed(None, &[], b"", r#"unsupported transfer encoding: "gzip""#)),
            (b"SSH-2.0-OpenSSH_9.6\r\n".to_vec(), false, failed(None, &[], b"", r#"malformed HTTP response "SSH-2.0-OpenSSH_9.6""#)),
            (b"SSH-2.0-OpenSSH_9.6 Debian\r\n".to_vec(), false, failed(None, &[], b"", r#"malformed HTTP status code "Debian""#)),
            (b"HTTP/1.1 200 OK".to_vec(), true, failed(None, &[], b"", "unexpected EOF")), // no line end
            (b"<html>\n".to_vec(), false, failed(None, &[], b"", r#"malformed HTTP response "<html>""#)),
        ];
        for (input, eof, expected) in rows {
            check(&input, eof, 128, &expected);
        }
    }

    #[test]
    fn recognises_http2_settings_frames() {
        // nginx with `http2 on` on port 80: SETTINGS (3 settings), then GOAWAY on our request.
        let settings: &[u8] = b"\x00\x00\x12\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x80\x00\x04\x00\x01\x00\x00\x00\x05\x00\xff\xff\xff";
        let goaway: &[u8] = b"\x00\x00\x08\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01";
        let input = [settings, goaway].concat();
        let seen = run(&[&input], true, 128);
        assert!(seen.http2, "{seen:?}");
        assert!(seen
            .error
            .unwrap()
            .starts_with(r#"malformed HTTP response "\x00\x00\x12\x04\x00\x00\x00\x00\x00"#));
        check(&input, true, 128, &run(&[&input], true, 128));
        // A 0x0a byte ends the line early; the frame header still matches.
        let newline = b"\x00\x00\x06\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x0a rest";
        assert!(run(&[newline], false, 128).http2);
        // A frame length whose byte quotes as a letter does not match Boulder's regex.
        assert!(!run(&[b"\x00\x00\x24\x04\x00\x00\x00\x00\x00"], true, 128).http2);
    }

    /// A small deterministic generator (xorshift) for the split test.
    struct Random(u64);

    impl Random {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n.max(1) as u64) as usize
        }

        fn pick<'a>(&mut self, items: &[&'a [u8]]) -> &'a [u8] {
            items[self.below(items.len())]
        }
    }

    /// A random response: a status line, header lines and a body, often malformed.
    fn random_response(random: &mut Random) -> Vec<u8> {
        let status: &[&[u8]] = &[
            b"HTTP/1.1 200 OK\r\n",
            b"HTTP/1.0 200 OK\n",
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n",
            b"HTTP/1.1 204 x\r\n",
            b"HTTP/1.1 20 x\r\n",
            b"\x00\x00\x12\x04\x00\x00\x00\x00\x00\n",
        ];
        let fields: &[&[u8]] = &[
            b"Content-Length: 5\r\n",
            b"Content-Length: 40\r\n",
            b"Transfer-Encoding: chunked\r\n",
            b"Content-Encoding: gzip\r\n",
            b"X: a\r\n b\r\n",
            b"Bad\r\n",
            b"Trailer: T\r\n",
            b"Content-Length: x\r\n",
        ];
        let bodies: &[&[u8]] = &[
            b"hello",
            b"5\r\nhello\r\n0\r\nT: 1\r\n\r\n",
            b"5\r\nhelloXX",
            b"ffffffff\r\n",
            b"",
            b"\x1f\x8b\x08\x00",
        ];
        let mut out = random.pick(status).to_vec();
        for _ in 0..random.below(4) {
            out.extend_from_slice(random.pick(fields));
        }
        out.extend_from_slice(b"\r\n");
        match random.below(3) {
            0 => out.extend(member(random.pick(bodies))),
            _ => out.extend_from_slice(random.pick(bodies)),
        }
        if random.below(4) == 0 {
            let at = random.below(out.len());
            out[at] ^= 1 << random.below(8);
        }
        out
    }

    #[test]
    fn random_splits_see_what_the_whole_input_sees() {
        let mut random = Random(0x2545_F491_4F6C_DD1D);
        for _ in 0..400 {
            let input = random_response(&mut random);
            let eof = random.below(2) == 0;
            let limit = [0, 1, 5, 128][random.below(4)];
            let whole = run(&[&input], eof, limit);
            let mut pieces = Vec::new();
            let mut rest: &[u8] = &input;
            while !rest.is_empty() {
                let (piece, tail) = rest.split_at(1 + random.below(rest.len()).min(9));
                pieces.push(piece);
                rest = tail;
            }
            assert_eq!(
                run(&pieces, eof, limit),
                whole,
                "{input:?} eof {eof} limit {limit}"
            );
        }
    }

    #[test]
    fn looks_headers_up_like_header_get() {
        let mut reader = ResponseReader::new(128);
        reader
            .push(b"HTTP/1.1 301 Moved\r\nlocation: /a\r\nLocation: /b\r\nX: \xff\r\nContent-Length: 0\r\n\r\n")
            .unwrap();
        let head = reader.head().unwrap();
        assert_eq!(head.header("LOCATION"), Some("/a")); // first value, any case
        assert_eq!(head.header("x"), Some("\u{fffd}"));
        assert_eq!(head.header_bytes("X"), Some(&b"\xff"[..]));
        assert_eq!(head.header("Missing"), None);
        assert_eq!(head.proto, "HTTP/1.1");
    }

    #[test]
    fn gives_go_content_length() {
        let rows: [(&[u8], Option<u64>); 6] = [
            (b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n", Some(7)),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", Some(0)),
            (
                b"HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n",
                Some(0),
            ), // no body
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                None,
            ), // Go's -1
            (b"HTTP/1.1 200 OK\r\n\r\n", None), // until close
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\nContent-Encoding: gzip\r\n\r\n",
                None,
            ),
        ];
        for (input, expected) in rows {
            let mut reader = ResponseReader::new(0);
            reader.push(input).unwrap();
            let head = reader.head().unwrap();
            assert_eq!(
                head.content_length(),
                expected,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }
}
