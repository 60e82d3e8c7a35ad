//! Why reading a response failed, with Go's exact error texts.
//!
//! Boulder treats three kinds of failure differently (`va/va.go: detailedError`,
//! `va/http.go: processHTTPValidation`), so [`HttpError`] has one variant for each:
//! errors before the head is complete are transport errors ("Error getting validation data"),
//! a head that is really an HTTP/2 SETTINGS frame has its own message, and errors while
//! reading the body are shown to the user (`Error reading HTTP response body: <text>`).

use super::go_quote::{go_lossy, go_quote, go_quote_list};

/// Go's `net/http` default `Transport.MaxResponseHeaderBytes`: `10 << 20`.
pub(super) const MAX_RESPONSE_HEADER_BYTES: usize = 10 << 20;

/// A response Go's client would reject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpError {
    /// The head could not be read: Boulder reports "Error getting validation data".
    Transport(HeadError),
    /// The first line was an HTTP/2 SETTINGS frame, the answer of a prior-knowledge h2c
    /// server: Boulder reports "Server is speaking HTTP/2 over HTTP". Holds the line.
    Http2Settings(Vec<u8>),
    /// The body could not be read: Boulder reports `Error reading HTTP response body: <text>`.
    Body(BodyError),
}

impl HttpError {
    /// Go's `err.Error()` text for this failure (without the `net/http: HTTP/1.x transport
    /// connection broken: ` prefix Go sometimes adds to head errors; Boulder ignores it).
    pub fn go_text(&self) -> String {
        match self {
            HttpError::Transport(error) => error.go_text(),
            HttpError::Http2Settings(line) => malformed_response_text(line),
            HttpError::Body(error) => error.go_text(),
        }
    }

    /// Whether Boulder's `h2SettingsFrameErrRegex` matches this error.
    pub fn is_http2(&self) -> bool {
        matches!(self, HttpError::Http2Settings(_))
    }

    /// Classifies a head error, detecting the HTTP/2 SETTINGS frame as Boulder's regex does.
    pub(super) fn from_head(error: HeadError) -> HttpError {
        match error {
            HeadError::MalformedResponse(line) if is_settings_frame(&line) => {
                HttpError::Http2Settings(line)
            }
            other => HttpError::Transport(other),
        }
    }
}

/// Go's `badStringError("malformed HTTP response", line)`.
fn malformed_response_text(line: &[u8]) -> String {
    format!("malformed HTTP response {}", go_quote(line))
}

/// Port of Boulder's `h2SettingsFrameErrRegex` (`va/va.go`), applied to the `%q` of the line
/// in `malformed HTTP response %q`: the quoted text must start with
/// `\x00\x00\x..\x04\x00\x00\x00\x00\x00`, where `..` is two lower-case hex digits.
fn is_settings_frame(line: &[u8]) -> bool {
    let quoted = go_quote(line);
    let Some(inner) = quoted.strip_prefix("\"\\x00\\x00\\x") else {
        return false;
    };
    let mut chars = inner.chars();
    let hex = |c: Option<char>| matches!(c, Some('0'..='9' | 'a'..='f'));
    hex(chars.next())
        && hex(chars.next())
        && chars.as_str().starts_with("\\x04\\x00\\x00\\x00\\x00\\x00")
}

/// A failure of `http.ReadResponse` (or of the transport around it) while reading a head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeadError {
    /// The connection closed before any byte arrived: `EOF`.
    Eof,
    /// The connection closed inside a head: `unexpected EOF`.
    UnexpectedEof,
    /// The status line has no space: `malformed HTTP response %q`.
    MalformedResponse(Vec<u8>),
    /// The status code is not three digits: `malformed HTTP status code %q`.
    MalformedStatusCode(Vec<u8>),
    /// The protocol is not `HTTP/d.d`: `malformed HTTP version %q`.
    MalformedVersion(Vec<u8>),
    /// A header line is malformed.
    Mime(MimeError),
    /// More than `MaxResponseHeaderBytes` were needed for the heads (1xx heads included).
    TooLarge,
    /// Several different `Content-Length` values.
    ConflictingContentLength(Vec<Vec<u8>>),
    /// An empty `Content-Length`: `invalid empty Content-Length ""`.
    EmptyContentLength,
    /// A `Content-Length` that is not a number below 2^63: `bad Content-Length %q`.
    BadContentLength(Vec<u8>),
    /// Several `Transfer-Encoding` fields: `too many transfer encodings: %q`.
    TooManyTransferEncodings(Vec<Vec<u8>>),
    /// A `Transfer-Encoding` other than `chunked`: `unsupported transfer encoding: %q`.
    UnsupportedTransferEncoding(Vec<u8>),
    /// A `Trailer` naming a forbidden field: `bad trailer key %q`.
    BadTrailerKey(Vec<u8>),
}

impl HeadError {
    /// Go's error text.
    pub fn go_text(&self) -> String {
        match self {
            HeadError::Eof => "EOF".to_string(),
            HeadError::UnexpectedEof => UNEXPECTED_EOF.to_string(),
            HeadError::MalformedResponse(line) => malformed_response_text(line),
            HeadError::MalformedStatusCode(code) => {
                format!("malformed HTTP status code {}", go_quote(code))
            }
            HeadError::MalformedVersion(proto) => {
                format!("malformed HTTP version {}", go_quote(proto))
            }
            HeadError::Mime(error) => error.go_text(),
            HeadError::TooLarge => format!(
                "net/http: server response headers exceeded {MAX_RESPONSE_HEADER_BYTES} bytes; aborted"
            ),
            HeadError::ConflictingContentLength(values) => format!(
                "http: message cannot contain multiple Content-Length headers; got {}",
                go_quote_list(values)
            ),
            HeadError::EmptyContentLength => "invalid empty Content-Length \"\"".to_string(),
            HeadError::BadContentLength(value) => {
                format!("bad Content-Length {}", go_quote(value))
            }
            HeadError::TooManyTransferEncodings(values) => {
                format!("too many transfer encodings: {}", go_quote_list(values))
            }
            HeadError::UnsupportedTransferEncoding(value) => {
                format!("unsupported transfer encoding: {}", go_quote(value))
            }
            HeadError::BadTrailerKey(key) => format!("bad trailer key {}", go_quote(key)),
        }
    }
}

/// A malformed header block (`net/textproto: readMIMEHeader`), in a head or in trailers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MimeError {
    /// The block starts with white space: `malformed MIME header initial line: <line>`.
    InitialLine(Vec<u8>),
    /// That first line is longer than 80 bytes: `message too large`.
    InitialLineTooLong,
    /// A field line without a colon: `malformed MIME header: missing colon: %q`.
    MissingColon(Vec<u8>),
    /// A bad field name or value byte: `malformed MIME header line: <line>`.
    MalformedLine(Vec<u8>),
}

impl MimeError {
    /// Go's error text. Go writes the raw line bytes; bytes that are not UTF-8 become U+FFFD
    /// here, as they do in Boulder's JSON problem documents.
    pub fn go_text(&self) -> String {
        match self {
            MimeError::InitialLine(line) => {
                format!("malformed MIME header initial line: {}", go_lossy(line))
            }
            MimeError::InitialLineTooLong => "message too large".to_string(),
            MimeError::MissingColon(line) => {
                format!("malformed MIME header: missing colon: {}", go_quote(line))
            }
            MimeError::MalformedLine(line) => {
                format!("malformed MIME header line: {}", go_lossy(line))
            }
        }
    }
}

/// Go's `io.ErrUnexpectedEOF`.
const UNEXPECTED_EOF: &str = "unexpected EOF";

/// A failure while reading a body: the chunked framing, the trailer, or the gzip coding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyError {
    /// The body ended early (`io.ErrUnexpectedEOF`): `unexpected EOF`.
    UnexpectedEof,
    /// A chunk's data is not followed by CRLF: `malformed chunked encoding`.
    MalformedChunkedEncoding,
    /// A chunk-size line ends in a bare LF: `chunked line ends with bare LF`.
    ChunkLineBareLf,
    /// A CR inside a chunk-size line: `invalid CR in chunked line`.
    ChunkLineInvalidCr,
    /// A chunk-size line of 4096 bytes or more: `header line too long`.
    ChunkLineTooLong,
    /// An empty chunk size: `empty hex number for chunk length`.
    EmptyChunkLength,
    /// A chunk size with a non-hex byte: `invalid byte in chunk length`.
    InvalidChunkLength,
    /// A chunk size of more than 16 hex digits: `http chunk length too large`.
    ChunkLengthTooLarge,
    /// Too much framing for the data: `chunked encoding contains too much non-data`.
    TooMuchNonData,
    /// The body ended inside the trailer: `http: unexpected EOF reading trailer`.
    TrailerEof,
    /// No blank line within 4096 trailer bytes:
    /// `http: suspiciously long trailer after chunked body`.
    TrailerTooLong,
    /// A malformed trailer field.
    Trailer(MimeError),
    /// `gzip: invalid header`.
    GzipHeader,
    /// `gzip: invalid checksum`.
    GzipChecksum,
    /// `flate: corrupt input before offset N` (N counts the bytes of this gzip member's
    /// deflate data that the decompressor had read).
    FlateCorrupt(u64),
}

impl BodyError {
    /// Go's error text.
    pub fn go_text(&self) -> String {
        let text = match self {
            BodyError::UnexpectedEof => UNEXPECTED_EOF,
            BodyError::MalformedChunkedEncoding => "malformed chunked encoding",
            BodyError::ChunkLineBareLf => "chunked line ends with bare LF",
            BodyError::ChunkLineInvalidCr => "invalid CR in chunked line",
            BodyError::ChunkLineTooLong => "header line too long",
            BodyError::EmptyChunkLength => "empty hex number for chunk length",
            BodyError::InvalidChunkLength => "invalid byte in chunk length",
            BodyError::ChunkLengthTooLarge => "http chunk length too large",
            BodyError::TooMuchNonData => "chunked encoding contains too much non-data",
            BodyError::TrailerEof => "http: unexpected EOF reading trailer",
            BodyError::TrailerTooLong => "http: suspiciously long trailer after chunked body",
            BodyError::Trailer(error) => return error.go_text(),
            BodyError::GzipHeader => "gzip: invalid header",
            BodyError::GzipChecksum => "gzip: invalid checksum",
            BodyError::FlateCorrupt(offset) => {
                return format!("flate: corrupt input before offset {offset}")
            }
        };
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_settings_frames_like_boulders_regex() {
        let rows: &[(&[u8], bool)] = &[
            (
                b"\x00\x00\x12\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x80",
                true,
            ), // nginx h2c
            (b"\x00\x00\x00\x04\x00\x00\x00\x00\x00", true), // empty SETTINGS
            (b"\x00\x00\x06\x04\x00\x00\x00\x00\x00\xff", true), // 0x06 quotes as \x06
            (b"\x00\x00\x0c\x04\x00\x00\x00\x00\x00", false), // 0x0c quotes as \f
            (b"\x00\x00\x24\x04\x00\x00\x00\x00\x00", false), // 0x24 quotes as $
            (b"\x00\x00\xc2\x04\x00\x00\x00\x00\x00", true), // invalid UTF-8 quotes as \xc2
            (b"\x00\x00\x12\x04\x01\x00\x00\x00\x00", false), // an ACK flag is not matched
            (b"\x00\x00\x12\x07\x00\x00\x00\x00\x00", false), // GOAWAY is not matched
            (b"\x00\x00\x12\x04\x00\x00\x00\x00", false),    // too short
            (b"HTTP/1.1", false),                            // an HTTP/1 line
        ];
        for (line, expected) in rows {
            let error = HttpError::from_head(HeadError::MalformedResponse(line.to_vec()));
            assert_eq!(error.is_http2(), *expected, "{line:?}");
        }
    }

    #[test]
    fn renders_go_texts() {
        let rows: &[(HttpError, &str)] = &[
            (HttpError::Transport(HeadError::Eof), "EOF"),
            (
                HttpError::Transport(HeadError::UnexpectedEof),
                "unexpected EOF",
            ),
            (
                HttpError::Transport(HeadError::MalformedResponse(b"HTTP/1.1".to_vec())),
                r#"malformed HTTP response "HTTP/1.1""#,
            ),
            (
                HttpError::Http2Settings(b"\x00\x00\x12\x04\x00\x00\x00\x00\x00".to_vec()),
                r#"malformed HTTP response "\x00\x00\x12\x04\x00\x00\x00\x00\x00""#,
            ),
            (
                HttpError::Transport(HeadError::MalformedStatusCode(b"20".to_vec())),
                r#"malformed HTTP status code "20""#,
            ),
            (
                HttpError::Transport(HeadError::MalformedVersion(b"HTTP/1".to_vec())),
                r#"malformed HTTP version "HTTP/1""#,
            ),
            (
                HttpError::Transport(HeadError::TooLarge),
                "net/http: server response headers exceeded 10485760 bytes; aborted",
            ),
            (
                HttpError::Transport(HeadError::ConflictingContentLength(vec![
                    b"1".to_vec(),
                    b"2".to_vec(),
                ])),
                r#"http: message cannot contain multiple Content-Length headers; got ["1" "2"]"#,
            ),
            (
                HttpError::Transport(HeadError::EmptyContentLength),
                r#"invalid empty Content-Length """#,
            ),
            (
                HttpError::Transport(HeadError::BadContentLength(b"-1".to_vec())),
                r#"bad Content-Length "-1""#,
            ),
            (
                HttpError::Transport(HeadError::TooManyTransferEncodings(vec![
                    b"chunked".to_vec(),
                    b"chunked".to_vec(),
                ])),
                r#"too many transfer encodings: ["chunked" "chunked"]"#,
            ),
            (
                HttpError::Transport(HeadError::UnsupportedTransferEncoding(b"gzip".to_vec())),
                r#"unsupported transfer encoding: "gzip""#,
            ),
            (
                HttpError::Transport(HeadError::BadTrailerKey(b"Content-Length".to_vec())),
                r#"bad trailer key "Content-Length""#,
            ),
            (
                HttpError::Transport(HeadError::Mime(MimeError::MissingColon(b"abc".to_vec()))),
                r#"malformed MIME header: missing colon: "abc""#,
            ),
            (
                HttpError::Transport(HeadError::Mime(MimeError::MalformedLine(
                    b"a b\x01".to_vec(),
                ))),
                "malformed MIME header line: a b\u{1}",
            ),
            (
                HttpError::Transport(HeadError::Mime(MimeError::InitialLine(b" x".to_vec()))),
                "malformed MIME header initial line:  x",
            ),
            (
                HttpError::Body(BodyError::FlateCorrupt(7)),
                "flate: corrupt input before offset 7",
            ),
            (
                HttpError::Body(BodyError::GzipChecksum),
                "gzip: invalid checksum",
            ),
            (
                HttpError::Body(BodyError::Trailer(MimeError::InitialLineTooLong)),
                "message too large",
            ),
        ];
        for (error, expected) in rows {
            assert_eq!(error.go_text(), *expected, "{error:?}");
        }
    }
}
