//! A response body read as Boulder reads it: through Go's framing and gzip layers, into
//! `io.ReadAll(&io.LimitedReader{R: resp.Body, N: limit})` (`va/http.go`).
//!
//! The limit decides ties between "enough bytes" and "an error" the way Go's readers do:
//! - plain bodies: Go's body reader returns data as soon as it has some, so once `limit`
//!   bytes are there the read is over, whatever follows. (For a chunked body whose error is
//!   already buffered right after exactly `limit` bytes, Go's chunked reader may return the
//!   error with the data; that depends on TCP segmentation, and is not modelled.)
//! - gzip bodies: Go's decompressor hands out data only at flush points (the end of the
//!   stream, a full 32 KiB window, an empty stored block, an error). At such a point the
//!   reader gets at most what the limit still allows; an error or the end of the stream that
//!   comes with the data counts only if all the data fit.
//!
//! A limit of 0 reads nothing (Go never calls `Read`); bytes pushed meanwhile are kept, so
//! the limit can be set once the head is known ([`BodyReader::set_limit`]).

use super::chunked::{ChunkedDecoder, Progress};
use super::error::{BodyError, MAX_RESPONSE_HEADER_BYTES};
use super::gzip::{Delivery, GzipDecoder, Sink};
use super::inflate::{Flow, Terminal};
use super::transfer::{Framing, Transfer};

/// How much of the body is left to frame.
#[derive(Debug)]
enum Frames {
    /// No body.
    None,
    /// `Content-Length` bytes remain.
    Length(u64),
    /// Chunked.
    Chunked(ChunkedDecoder),
    /// Until the connection closes.
    UntilClose,
}

/// The decoded side: coding, limit and result.
struct Decoding {
    gzip: Option<Box<GzipDecoder>>,
    limit: usize,
    body: Vec<u8>,
    delivered: usize,
    pending: usize,
    outcome: Option<Result<(), BodyError>>,
}

/// A body being read.
pub(super) struct BodyReader {
    frames: Frames,
    decoding: Decoding,
    started: bool,
    stash: Vec<u8>,
    stash_eof: bool,
}

impl BodyReader {
    /// A reader for a body with the given transfer, read up to `limit` decoded bytes.
    pub(super) fn new(transfer: Transfer, limit: usize) -> BodyReader {
        let frames = match transfer.framing {
            Framing::None => Frames::None,
            Framing::Length(length) => Frames::Length(length),
            Framing::Chunked => Frames::Chunked(ChunkedDecoder::new()),
            Framing::UntilClose => Frames::UntilClose,
        };
        let gzip = transfer.gzip.then(|| Box::new(GzipDecoder::new()));
        let mut reader = BodyReader {
            frames,
            decoding: Decoding {
                gzip,
                limit,
                body: Vec::new(),
                delivered: 0,
                pending: 0,
                outcome: None,
            },
            started: false,
            stash: Vec::new(),
            stash_eof: false,
        };
        reader.set_limit(limit);
        reader
    }

    /// Sets the limit. Reading starts once it is above 0 (with the bytes kept meanwhile);
    /// later changes only matter while the read is still going on.
    pub(super) fn set_limit(&mut self, limit: usize) {
        self.decoding.limit = limit;
        if self.started || limit == 0 {
            return;
        }
        self.started = true;
        if matches!(self.frames, Frames::None) {
            self.decoding.outcome = Some(Ok(()));
            return;
        }
        let stash = std::mem::take(&mut self.stash);
        self.push(&stash);
        if self.stash_eof {
            self.push_eof();
        }
    }

    /// Whether the read is over (successfully or not).
    pub(super) fn is_done(&self) -> bool {
        !self.started || self.decoding.outcome.is_some()
    }

    /// The decoded bytes kept (never more than the limit).
    pub(super) fn body(&self) -> &[u8] {
        &self.decoding.body
    }

    /// The error that ended the read, if one did.
    pub(super) fn error(&self) -> Option<&BodyError> {
        self.decoding
            .outcome
            .as_ref()
            .and_then(|outcome| outcome.as_ref().err())
    }

    /// Reads more body bytes.
    pub(super) fn push(&mut self, input: &[u8]) {
        if !self.started {
            let room = MAX_RESPONSE_HEADER_BYTES.saturating_sub(self.stash.len());
            self.stash
                .extend_from_slice(&input[..input.len().min(room)]);
            return;
        }
        if self.decoding.outcome.is_some() || input.is_empty() {
            return;
        }
        let decoding = &mut self.decoding;
        match &mut self.frames {
            Frames::None => decoding.outcome = Some(Ok(())),
            Frames::UntilClose => {
                decoding.data(input);
            }
            Frames::Length(remaining) => {
                let count = usize::try_from(*remaining)
                    .unwrap_or(usize::MAX)
                    .min(input.len());
                *remaining -= count as u64;
                let left = *remaining;
                if decoding.data(&input[..count]) == Flow::Continue && left == 0 {
                    decoding.end(Terminal::Eof);
                }
            }
            Frames::Chunked(chunks) => match chunks.push(input, &mut |data| decoding.data(data)) {
                Ok(Progress::Done) => decoding.end(Terminal::Eof),
                Ok(Progress::NeedInput | Progress::Stopped) => {}
                Err(error) => decoding.end(Terminal::Error(error)),
            },
        }
    }

    /// The connection closed.
    pub(super) fn push_eof(&mut self) {
        if !self.started {
            self.stash_eof = true;
            return;
        }
        if self.decoding.outcome.is_some() {
            return;
        }
        let terminal = match &mut self.frames {
            Frames::None | Frames::UntilClose => Terminal::Eof,
            // body.readLocked: an early EOF under Content-Length is io.ErrUnexpectedEOF.
            Frames::Length(_) => Terminal::Error(BodyError::UnexpectedEof),
            Frames::Chunked(chunks) => match chunks.finish() {
                Ok(()) => Terminal::Eof,
                Err(error) => Terminal::Error(error),
            },
        };
        self.decoding.end(terminal);
    }
}

impl Decoding {
    /// Decoded-or-not body bytes from the framing layer.
    fn data(&mut self, bytes: &[u8]) -> Flow {
        if self.outcome.is_some() {
            return Flow::Stop;
        }
        let Some(gzip) = self.gzip.as_mut() else {
            keep(&mut self.body, bytes, self.limit);
            if self.body.len() >= self.limit {
                self.outcome = Some(Ok(()));
                return Flow::Stop;
            }
            return Flow::Continue;
        };
        let mut tracker = Tracker {
            body: &mut self.body,
            limit: self.limit,
            delivered: &mut self.delivered,
            pending: &mut self.pending,
            outcome: &mut self.outcome,
        };
        gzip.push(bytes, &mut tracker)
    }

    /// The framing layer ended, cleanly or not.
    fn end(&mut self, terminal: Terminal) {
        if self.outcome.is_some() {
            return;
        }
        let Some(gzip) = self.gzip.as_mut() else {
            // Plain bodies stop at the limit before any error can show.
            self.outcome = Some(match terminal {
                Terminal::Eof => Ok(()),
                Terminal::Error(error) => Err(error),
            });
            return;
        };
        let mut tracker = Tracker {
            body: &mut self.body,
            limit: self.limit,
            delivered: &mut self.delivered,
            pending: &mut self.pending,
            outcome: &mut self.outcome,
        };
        gzip.finish(terminal, &mut tracker);
        // A decoder that stopped earlier has already set the outcome.
        if self.outcome.is_none() {
            self.outcome = Some(Ok(()));
        }
    }
}

/// Appends what still fits under `limit`.
fn keep(body: &mut Vec<u8>, bytes: &[u8], limit: usize) {
    let room = limit.saturating_sub(body.len());
    body.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

/// The `LimitedReader` and `ReadAll` over Go's gzip reader, judged at delivery points.
struct Tracker<'a> {
    body: &'a mut Vec<u8>,
    limit: usize,
    delivered: &'a mut usize,
    pending: &'a mut usize,
    outcome: &'a mut Option<Result<(), BodyError>>,
}

impl Sink for Tracker<'_> {
    fn data(&mut self, bytes: &[u8]) {
        keep(self.body, bytes, self.limit);
        *self.pending = self.pending.saturating_add(bytes.len());
    }

    fn deliver(&mut self, delivery: Delivery) -> Flow {
        if self.overflows() {
            // Read returns what fits, without the error or EOF; the limit is reached.
            *self.outcome = Some(Ok(()));
            return Flow::Stop;
        }
        *self.delivered += std::mem::take(self.pending);
        match delivery {
            Delivery::Error(error) => *self.outcome = Some(Err(error)),
            Delivery::End => *self.outcome = Some(Ok(())),
            Delivery::More if *self.delivered >= self.limit => *self.outcome = Some(Ok(())),
            Delivery::More => return Flow::Continue,
        }
        Flow::Stop
    }

    fn overflows(&self) -> bool {
        self.delivered.saturating_add(*self.pending) > self.limit
    }
}

#[cfg(test)]
mod tests {
    use crate::http::gzip::tests::member;
    use crate::http::response::tests::{check, concat, failed, ok, run, Seen};
    use crate::http::response::ResponseReader;

    #[test]
    fn stops_at_the_body_limit_like_limited_reader() {
        let text = |n: usize| vec![b'k'; n];
        let plain = |n: usize| {
            concat(&[
                format!("HTTP/1.1 200 OK\r\nContent-Length: {n}\r\n\r\n").as_bytes(),
                &text(n),
            ])
        };
        let cut = |n: usize| concat(&[b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", &text(n)]);
        let gz = |data: &[u8]| {
            concat(&[
                b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n",
                &member(data),
            ])
        };
        let bad_crc = |n: usize| {
            let mut g = gz(&text(n));
            let at = g.len() - 8;
            g[at] ^= 1;
            g
        };
        let cl = |n: usize| vec![("Content-Length".to_string(), n.to_string())];
        let with = |seen: Seen, headers| Seen { headers, ..seen };
        let rows: Vec<(Vec<u8>, bool, Seen)> = vec![
            (
                plain(127),
                false,
                with(ok(200, &[], &text(127), true), cl(127)),
            ),
            (
                plain(128),
                false,
                with(ok(200, &[], &text(128), true), cl(128)),
            ),
            (
                plain(129),
                false,
                with(ok(200, &[], &text(128), true), cl(129)),
            ), // truncated
            // A short body: the limit wins a tie with "unexpected EOF".
            (
                cut(127),
                true,
                with(
                    failed(Some(200), &[], &text(127), "unexpected EOF"),
                    cl(500),
                ),
            ),
            (
                cut(128),
                true,
                with(ok(200, &[], &text(128), true), cl(500)),
            ),
            (
                cut(129),
                true,
                with(ok(200, &[], &text(128), true), cl(500)),
            ),
            // gzip: the limit counts decoded bytes.
            (gz(&text(127)), true, ok(200, &[], &text(127), true)),
            (gz(&text(128)), true, ok(200, &[], &text(128), true)),
            (gz(&text(129)), true, ok(200, &[], &text(128), true)),
            // gzip: an error that comes with the last data counts if all of it fits.
            (
                bad_crc(127),
                true,
                failed(Some(200), &[], &text(127), "gzip: invalid checksum"),
            ),
            (
                bad_crc(128),
                true,
                failed(Some(200), &[], &text(128), "gzip: invalid checksum"),
            ),
            (bad_crc(129), true, ok(200, &[], &text(128), true)),
        ];
        for (input, eof, expected) in rows {
            check(&input, eof, 128, &expected);
        }
    }

    #[test]
    fn reads_the_body_once_the_limit_is_set() {
        // challenge/fetch.rs reads the head with limit 0, then sets the limit.
        let input = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody";
        let mut reader = ResponseReader::new(0);
        reader.push(input).unwrap();
        assert!(reader.is_done(), "limit 0 reads nothing");
        assert_eq!(reader.body(), b"");
        reader.set_body_limit(128).unwrap();
        assert!(reader.is_done());
        assert_eq!(reader.body(), b"body");
        // The same with the end of the connection before the limit is set.
        let mut reader = ResponseReader::new(0);
        reader
            .push(b"HTTP/1.1 200 OK\r\n\r\nclose-delimited")
            .unwrap();
        reader.push_eof().unwrap();
        reader.set_body_limit(128).unwrap();
        assert!(reader.is_done());
        assert_eq!(reader.body(), b"close-delimited");
        // A body error in the kept bytes shows when the limit is set.
        let mut reader = ResponseReader::new(0);
        reader
            .push(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX")
            .unwrap();
        let error = reader.set_body_limit(128).unwrap_err();
        assert_eq!(error.go_text(), "malformed chunked encoding");
        assert!(!reader.is_done());
    }

    #[test]
    fn stays_bounded_on_huge_inputs() {
        // A gzip bomb: 8 MiB of zeros compress to 8 KiB; the reader stops at the first
        // 32 KiB window, keeping 128 bytes.
        let zeros = vec![0u8; 8 << 20];
        let bomb = concat(&[
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n",
            &member(&zeros),
        ]);
        let seen = run(&bomb.chunks(16 * 1024).collect::<Vec<_>>(), true, 128);
        assert_eq!((seen.done, seen.body.len()), (true, 128));
        // Endless plain bytes: done at the limit.
        let mut reader = ResponseReader::new(128);
        reader.push(b"HTTP/1.1 200 OK\r\n\r\n").unwrap();
        reader.push(&vec![b'x'; 1 << 20]).unwrap();
        assert!(reader.is_done());
        assert_eq!(reader.body().len(), 128);
        // Head bytes past 10 MiB are refused.
        let mut reader = ResponseReader::new(128);
        reader.push(b"HTTP/1.1 200 OK\r\nX: ").unwrap();
        let error = reader.push(&vec![b'a'; 10 << 20]).unwrap_err();
        assert_eq!(
            error.go_text(),
            "net/http: server response headers exceeded 10485760 bytes; aborted"
        );
        assert_eq!(reader.push(b"more"), Err(error), "errors are sticky");
    }
}
