//! The status line and header block of a response, read as `http.ReadResponse` reads them,
//! within the transport's limit on head bytes.

use super::error::{HeadError, MAX_RESPONSE_HEADER_BYTES};
use super::mime::MimeReader;

/// A response head, before the transfer rules (`readTransfer`) are applied.
#[derive(Debug)]
pub(super) struct Head {
    /// The status code (Go's `strconv.Atoi` of three characters: 0 to 999).
    pub(super) status: u16,
    /// The protocol as sent, e.g. `HTTP/1.1`.
    pub(super) proto: String,
    /// The major and minor version (`ParseHTTPVersion`).
    pub(super) version: (u8, u8),
    /// The header fields in arrival order: Go's key and the value bytes.
    pub(super) fields: Vec<(String, Vec<u8>)>,
}

/// Where the reader is within the current response's head.
#[derive(Debug)]
enum Stage {
    /// Reading the status line.
    StatusLine(Vec<u8>),
    /// Reading the header block after the status line.
    Fields {
        status: u16,
        proto: String,
        version: (u8, u8),
        mime: MimeReader,
    },
}

/// Reads heads: one per response, 1xx heads included, sharing one byte budget.
#[derive(Debug)]
pub(super) struct HeadReader {
    consumed: usize,
    stage: Stage,
}

impl HeadReader {
    /// A reader at the first byte of the connection.
    pub(super) fn new() -> HeadReader {
        HeadReader {
            consumed: 0,
            stage: Stage::StatusLine(Vec::new()),
        }
    }

    /// Starts the next response's head (after a 1xx); the byte budget carries over, as
    /// Go's transport does not reset its read limit between 1xx responses.
    pub(super) fn next_response(&mut self) {
        self.stage = Stage::StatusLine(Vec::new());
    }

    /// Reads head bytes from `input`. Returns the head once its blank line is read, with the
    /// number of bytes of `input` it used; `None` with all of `input` used otherwise.
    pub(super) fn push(&mut self, input: &[u8]) -> Result<(Option<Head>, usize), HeadError> {
        let mut used = 0;
        while used < input.len() {
            let budget = MAX_RESPONSE_HEADER_BYTES.saturating_sub(self.consumed);
            if budget == 0 {
                return Err(HeadError::TooLarge);
            }
            let rest = input.get(used..).unwrap_or_default();
            let rest = rest.get(..rest.len().min(budget)).unwrap_or_default();
            let (count, head) = match self.push_some(rest) {
                Ok(progress) => progress,
                Err((count, error)) => {
                    self.consumed += count;
                    return Err(self.over_budget(error));
                }
            };
            self.consumed += count;
            used += count;
            if head.is_some() {
                return Ok((head, used));
            }
        }
        Ok((None, input.len()))
    }

    /// The input ended before the head did: the error Go reports.
    pub(super) fn finish(&mut self) -> HeadError {
        if self.consumed >= MAX_RESPONSE_HEADER_BYTES {
            return HeadError::TooLarge;
        }
        match &mut self.stage {
            // The transport's first `Peek` sees a bare EOF; later heads see a short read.
            Stage::StatusLine(line) if line.is_empty() && self.consumed == 0 => HeadError::Eof,
            Stage::StatusLine(line) if line.is_empty() => HeadError::UnexpectedEof,
            // `bufio.ReadLine` returns a partial last line as a line.
            Stage::StatusLine(line) => match parse_status_line(line) {
                Ok(_) => HeadError::UnexpectedEof,
                Err(error) => error,
            },
            Stage::Fields { mime, .. } => match mime.finish() {
                Ok(()) => HeadError::UnexpectedEof,
                Err(error) => HeadError::Mime(error),
            },
        }
    }

    /// Reads from `rest`: a status line, or header block bytes. Returns the bytes used (on an
    /// error, up to the byte that revealed it) and the head if it is complete.
    fn push_some(&mut self, rest: &[u8]) -> Result<(usize, Option<Head>), (usize, HeadError)> {
        match &mut self.stage {
            Stage::StatusLine(line) => {
                let Some(lf) = rest.iter().position(|&b| b == b'\n') else {
                    line.extend_from_slice(rest);
                    return Ok((rest.len(), None));
                };
                line.extend_from_slice(rest.get(..lf).unwrap_or_default());
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                let (status, proto, version) =
                    parse_status_line(line).map_err(|error| (lf + 1, error))?;
                self.stage = Stage::Fields {
                    status,
                    proto,
                    version,
                    mime: MimeReader::new(),
                };
                Ok((lf + 1, None))
            }
            Stage::Fields { mime, .. } => {
                let count = mime
                    .push_slice(rest)
                    .map_err(|(index, error)| (index + 1, HeadError::Mime(error)))?;
                if !mime.is_done() {
                    return Ok((count, None));
                }
                let stage = std::mem::replace(&mut self.stage, Stage::StatusLine(Vec::new()));
                let Stage::Fields {
                    status,
                    proto,
                    version,
                    mime,
                } = stage
                else {
                    return Ok((count, None));
                };
                let head = Head {
                    status,
                    proto,
                    version,
                    fields: mime.into_fields(),
                };
                Ok((count, Some(head)))
            }
        }
    }

    /// Once the transport has read its whole budget, every head error reads as "too large".
    fn over_budget(&self, error: HeadError) -> HeadError {
        if self.consumed >= MAX_RESPONSE_HEADER_BYTES {
            HeadError::TooLarge
        } else {
            error
        }
    }
}

/// Port of the status-line part of `net/http: ReadResponse`.
fn parse_status_line(line: &[u8]) -> Result<(u16, String, (u8, u8)), HeadError> {
    let Some(space) = line.iter().position(|&b| b == b' ') else {
        return Err(HeadError::MalformedResponse(line.to_vec()));
    };
    let (proto, rest) = line.split_at(space);
    let rest = rest.get(1..).unwrap_or_default();
    let status = rest
        .get(rest.iter().position(|&b| b != b' ').unwrap_or(rest.len())..)
        .unwrap_or_default();
    let code = status.split(|&b| b == b' ').next().unwrap_or_default();
    let parsed = match code.len() {
        3 => go_atoi(code).filter(|n| *n >= 0),
        _ => None,
    };
    let Some(parsed) = parsed else {
        return Err(HeadError::MalformedStatusCode(code.to_vec()));
    };
    let Some(version) = parse_http_version(proto) else {
        return Err(HeadError::MalformedVersion(proto.to_vec()));
    };
    // Three characters give at most 999.
    let status = u16::try_from(parsed).unwrap_or(u16::MAX);
    // A valid version is ASCII.
    let proto = String::from_utf8_lossy(proto).into_owned();
    Ok((status, proto, version))
}

/// Go's `strconv.Atoi` for a short string: an optional sign, then decimal digits.
fn go_atoi(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = digits.iter().try_fold(0i64, |n, d| {
        n.checked_mul(10)?.checked_add(i64::from(d - b'0'))
    })?;
    Some(if negative { -value } else { value })
}

/// Port of `net/http: ParseHTTPVersion`: `HTTP/` then one digit, a dot and one digit.
fn parse_http_version(proto: &[u8]) -> Option<(u8, u8)> {
    match proto {
        b"HTTP/1.1" => return Some((1, 1)),
        b"HTTP/1.0" => return Some((1, 0)),
        _ => {}
    }
    let [b'H', b'T', b'T', b'P', b'/', major, b'.', minor] = proto else {
        return None;
    };
    if !major.is_ascii_digit() || !minor.is_ascii_digit() {
        return None;
    }
    Some((major - b'0', minor - b'0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::error::MimeError;

    #[test]
    fn parses_status_lines_like_read_response() {
        /// A status line and what Go makes of it.
        struct Row(
            &'static [u8],
            Result<(u16, &'static str, (u8, u8)), HeadError>,
        );
        let rows = [
            Row(b"HTTP/1.1 200 OK", Ok((200, "HTTP/1.1", (1, 1)))),
            Row(b"HTTP/1.0 404", Ok((404, "HTTP/1.0", (1, 0)))), // no reason phrase
            Row(b"HTTP/1.1   200  OK", Ok((200, "HTTP/1.1", (1, 1)))), // extra spaces trimmed
            Row(b"HTTP/2.0 200 OK", Ok((200, "HTTP/2.0", (2, 0)))), // any d.d version
            Row(b"HTTP/0.9 200 OK", Ok((200, "HTTP/0.9", (0, 9)))),
            Row(b"HTTP/1.1 +99 x", Ok((99, "HTTP/1.1", (1, 1)))), // Atoi accepts a sign
            Row(b"HTTP/1.1 -00 x", Ok((0, "HTTP/1.1", (1, 1)))),  // minus zero is not negative
            Row(b"HTTP/1.1 000", Ok((0, "HTTP/1.1", (1, 1)))),
            Row(
                b"HTTP/1.1 200\tOK",
                Err(HeadError::MalformedStatusCode(b"200\tOK".to_vec())),
            ),
            Row(
                b"HTTP/1.1",
                Err(HeadError::MalformedResponse(b"HTTP/1.1".to_vec())),
            ),
            Row(b"", Err(HeadError::MalformedResponse(Vec::new()))),
            Row(
                b"HTTP/1.1 20 OK",
                Err(HeadError::MalformedStatusCode(b"20".to_vec())),
            ),
            Row(
                b"HTTP/1.1 2000 OK",
                Err(HeadError::MalformedStatusCode(b"2000".to_vec())),
            ),
            Row(
                b"HTTP/1.1 -12 x",
                Err(HeadError::MalformedStatusCode(b"-12".to_vec())),
            ),
            Row(
                b"HTTP/1.1 2x0 x",
                Err(HeadError::MalformedStatusCode(b"2x0".to_vec())),
            ),
            Row(
                b"HTTP/1.1 ",
                Err(HeadError::MalformedStatusCode(Vec::new())),
            ),
            Row(
                b"HTTP/1 200 OK",
                Err(HeadError::MalformedVersion(b"HTTP/1".to_vec())),
            ),
            Row(
                b"HTTP/10.0 200 OK",
                Err(HeadError::MalformedVersion(b"HTTP/10.0".to_vec())),
            ),
            Row(
                b"http/1.1 200 OK",
                Err(HeadError::MalformedVersion(b"http/1.1".to_vec())),
            ),
            Row(
                b"HTTP/1.x 200 OK",
                Err(HeadError::MalformedVersion(b"HTTP/1.x".to_vec())),
            ),
            Row(
                b"ICY 200 OK",
                Err(HeadError::MalformedVersion(b"ICY".to_vec())),
            ),
            // The status code is checked before the version.
            Row(
                b"FOO 20 OK",
                Err(HeadError::MalformedStatusCode(b"20".to_vec())),
            ),
        ];
        for Row(line, expected) in rows {
            let got = parse_status_line(line);
            let expected = expected.map(|(s, p, v)| (s, p.to_string(), v));
            assert_eq!(got, expected, "{:?}", String::from_utf8_lossy(line));
        }
    }

    /// A head read by a test: status, fields (values as text) and input bytes used.
    #[derive(Debug, PartialEq, Eq)]
    struct Parsed {
        status: u16,
        fields: Vec<(String, String)>,
        used: usize,
    }

    fn parsed(status: u16, fields: &[(&str, &str)], used: usize) -> Parsed {
        let fields = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Parsed {
            status,
            fields,
            used,
        }
    }

    /// Pushes `input` in pieces of `step` bytes, then ends it if no head came.
    fn read(input: &[u8], step: usize) -> Result<Parsed, HeadError> {
        let mut reader = HeadReader::new();
        let mut offset = 0;
        while offset < input.len() {
            let end = (offset + step).min(input.len());
            let (head, used) = reader.push(&input[offset..end])?;
            if let Some(head) = head {
                let fields = head
                    .fields
                    .into_iter()
                    .map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned()))
                    .collect();
                return Ok(Parsed {
                    status: head.status,
                    fields,
                    used: offset + used,
                });
            }
            offset = end;
        }
        Err(reader.finish())
    }

    #[test]
    fn reads_heads_whole_and_in_pieces() {
        /// Input and the head (or error) it gives.
        struct Row(&'static [u8], Result<Parsed, HeadError>);
        let rows = [
            Row(
                b"HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody",
                Ok(parsed(200, &[("A", "b")], 25)),
            ),
            Row(b"HTTP/1.1 204 No Content\n\nrest", Ok(parsed(204, &[], 25))), // bare LFs
            Row(b"", Err(HeadError::Eof)), // closed before any byte
            Row(b"HTTP/1.1 200 OK", Err(HeadError::UnexpectedEof)), // status line at EOF
            Row(b"HTTP/1.1 200 OK\r\n", Err(HeadError::UnexpectedEof)),
            Row(b"HTTP/1.1 200 OK\r\nA: b", Err(HeadError::UnexpectedEof)),
            Row(
                b"HTTP/1.1 2",
                Err(HeadError::MalformedStatusCode(b"2".to_vec())),
            ), // partial line
            Row(
                b"\x00\x00\x12\x04",
                Err(HeadError::MalformedResponse(b"\x00\x00\x12\x04".to_vec())),
            ),
            Row(
                b"HTTP/1.1 200 OK\r\nbad\r\n\r\n",
                Err(HeadError::Mime(MimeError::MissingColon(b"bad".to_vec()))),
            ),
            Row(
                b"HTTP/1.1 200 OK\r\n X\r\n",
                Err(HeadError::Mime(MimeError::InitialLine(b" X".to_vec()))),
            ),
            Row(b"HTTP/1.1 200 OK\r\r\n\r\n", Ok(parsed(200, &[], 20))), // CR kept in the reason
        ];
        for Row(input, expected) in rows {
            for step in [input.len().max(1), 1, 2, 5] {
                assert_eq!(read(input, step), expected, "{input:?} step {step}");
            }
        }
    }

    #[test]
    fn limits_head_bytes_to_ten_mebibytes() {
        let head_of = |len: usize| {
            // "HTTP/1.1 200 OK\r\n" + "X: " + filler + "\r\n\r\n" is exactly `len` bytes.
            let fixed = b"HTTP/1.1 200 OK\r\nX: \r\n\r\n".len();
            let mut head = b"HTTP/1.1 200 OK\r\nX: ".to_vec();
            head.extend(std::iter::repeat_n(b'a', len - fixed));
            head.extend_from_slice(b"\r\n\r\n");
            head
        };
        let limit = MAX_RESPONSE_HEADER_BYTES;
        for (len, ok) in [(limit - 1, true), (limit, true), (limit + 1, false)] {
            let result = read(&head_of(len), 64 * 1024).map(|parsed| parsed.used);
            let expected = if ok {
                Ok(len)
            } else {
                Err(HeadError::TooLarge)
            };
            assert_eq!(result, expected, "head of {len} bytes");
        }
        // A head cut off by EOF at exactly the limit is "too large", not "unexpected EOF".
        let mut cut = head_of(limit + 1);
        cut.truncate(limit);
        assert_eq!(read(&cut, 64 * 1024).map(|_| ()), Err(HeadError::TooLarge));
    }
}
