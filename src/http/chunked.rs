//! `Transfer-Encoding: chunked`, read as Go reads it: `net/http/internal: chunkedReader`
//! followed by `(*body).readTrailer`.
//!
//! Rules ported from Go:
//! - a chunk-size line must end in CRLF, with no other CR (`readChunkLine`), and fit in
//!   `bufio`'s 4096-byte buffer (`header line too long`);
//! - trailing spaces and tabs go, then anything from the first `;` (extensions); what is
//!   left must be 1 to 16 hex digits (`parseHexUint`);
//! - Go counts framing overhead: 16 bytes per chunk plus twice the chunk's data are free,
//!   more than 16 KiB of excess is `chunked encoding contains too much non-data`;
//! - each chunk's data must be followed by exactly CRLF (`malformed chunked encoding`);
//! - after the last chunk comes the trailer: CRLF alone, or a header block whose end
//!   (CRLF CRLF) lies within 4096 bytes.

use super::error::BodyError;
use super::inflate::Flow;
use super::mime::MimeReader;

/// `bufio`'s default size: the longest chunk-size line and trailer Go can look at.
const BUFFER: usize = 4096;
/// Go tolerates this much excess framing (`16*1024`).
const MAX_EXCESS: i64 = 16 * 1024;

/// Where the decoder is in the chunked body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Reading a chunk-size line.
    SizeLine,
    /// Inside a chunk's data.
    Data(u64),
    /// Reading the two bytes after a chunk's data.
    DataEnd,
    /// Reading the trailer after the last chunk.
    Trailer,
    /// The body is complete.
    Done,
}

/// What [`ChunkedDecoder::push`] ended with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Progress {
    /// All input was used; the body goes on.
    NeedInput,
    /// The body is complete.
    Done,
    /// The data consumer asked to stop.
    Stopped,
}

/// An incremental chunked-body decoder.
#[derive(Debug)]
pub(super) struct ChunkedDecoder {
    state: State,
    line: Vec<u8>,
    excess: i64,
}

impl ChunkedDecoder {
    /// A decoder at the first chunk-size line.
    pub(super) fn new() -> ChunkedDecoder {
        ChunkedDecoder {
            state: State::SizeLine,
            line: Vec::new(),
            excess: 0,
        }
    }

    /// Decodes `input`, passing chunk data to `data`.
    pub(super) fn push(
        &mut self,
        mut input: &[u8],
        data: &mut impl FnMut(&[u8]) -> Flow,
    ) -> Result<Progress, BodyError> {
        while !input.is_empty() {
            match self.state {
                State::Done => return Ok(Progress::Done),
                State::Data(remaining) => {
                    let count = usize::try_from(remaining)
                        .unwrap_or(usize::MAX)
                        .min(input.len());
                    let (chunk, rest) = input.split_at(count);
                    input = rest;
                    let remaining = remaining - count as u64;
                    self.state = match remaining {
                        0 => State::DataEnd,
                        _ => State::Data(remaining),
                    };
                    if data(chunk) == Flow::Stop {
                        return Ok(Progress::Stopped);
                    }
                }
                State::SizeLine | State::DataEnd | State::Trailer => {
                    let (&byte, rest) = input.split_first().unwrap_or((&0, &[]));
                    input = rest;
                    self.push_framing(byte)?;
                }
            }
        }
        Ok(match self.state {
            State::Done => Progress::Done,
            _ => Progress::NeedInput,
        })
    }

    /// The connection closed: Go's error for ending in the current state.
    pub(super) fn finish(&mut self) -> Result<(), BodyError> {
        match self.state {
            State::Done => Ok(()),
            State::SizeLine | State::Data(_) | State::DataEnd => Err(BodyError::UnexpectedEof),
            // Peek(2) came up short, or no blank line was found before the end.
            State::Trailer if self.line.len() < 2 => Err(BodyError::TrailerEof),
            State::Trailer => Err(BodyError::TrailerTooLong),
        }
    }

    /// One byte of a chunk-size line, a chunk's CRLF, or the trailer.
    fn push_framing(&mut self, byte: u8) -> Result<(), BodyError> {
        self.line.push(byte);
        match self.state {
            State::SizeLine if byte == b'\n' => self.begin_chunk(),
            State::SizeLine if self.line.len() >= BUFFER => Err(BodyError::ChunkLineTooLong),
            State::DataEnd if self.line.len() == 2 => {
                if self.line != b"\r\n" {
                    return Err(BodyError::MalformedChunkedEncoding);
                }
                self.line.clear();
                self.state = State::SizeLine;
                Ok(())
            }
            State::Trailer => self.read_trailer(),
            _ => Ok(()),
        }
    }

    /// Port of `readChunkLine` and `beginChunk`, on a line that ends in LF.
    fn begin_chunk(&mut self) -> Result<(), BodyError> {
        let line = std::mem::take(&mut self.line);
        match line.iter().position(|&b| b == b'\r') {
            None => return Err(BodyError::ChunkLineBareLf),
            Some(cr) if cr + 2 != line.len() => return Err(BodyError::ChunkLineInvalidCr),
            Some(_) => {}
        }
        let content = line.get(..line.len() - 2).unwrap_or_default();
        self.excess = self.excess.wrapping_add(content.len() as i64 + 2);
        let end = content
            .iter()
            .rposition(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .map_or(0, |i| i + 1);
        let size = content[..end]
            .split(|&b| b == b';')
            .next()
            .unwrap_or_default();
        let size = parse_hex(size)?;
        // Go's int64 arithmetic, wrapping as Go's does for huge sizes.
        let allowance = 16i64.wrapping_add(2i64.wrapping_mul(size as i64));
        self.excess = self.excess.wrapping_sub(allowance).max(0);
        if size == 0 {
            self.state = State::Trailer;
            return Ok(());
        }
        if self.excess > MAX_EXCESS {
            return Err(BodyError::TooMuchNonData);
        }
        self.state = State::Data(size);
        Ok(())
    }

    /// Port of `readTrailer` and `seeUpcomingDoubleCRLF`, run as trailer bytes arrive.
    fn read_trailer(&mut self) -> Result<(), BodyError> {
        if self.line == b"\r\n" {
            self.state = State::Done;
            return Ok(());
        }
        if self.line.ends_with(b"\r\n\r\n") {
            let mut mime = MimeReader::new();
            for &byte in &self.line {
                mime.push(byte).map_err(BodyError::Trailer)?;
                if mime.is_done() {
                    break;
                }
            }
            self.line.clear();
            self.state = State::Done;
            return Ok(());
        }
        if self.line.len() >= BUFFER {
            return Err(BodyError::TrailerTooLong);
        }
        Ok(())
    }
}

/// Port of `parseHexUint`.
fn parse_hex(digits: &[u8]) -> Result<u64, BodyError> {
    if digits.is_empty() {
        return Err(BodyError::EmptyChunkLength);
    }
    let mut value = 0u64;
    for (index, &byte) in digits.iter().enumerate() {
        let digit = char::from(byte)
            .to_digit(16)
            .ok_or(BodyError::InvalidChunkLength)?;
        if index == 16 {
            return Err(BodyError::ChunkLengthTooLarge);
        }
        value = value << 4 | u64::from(digit);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `input` in pieces of `step` bytes, then ends it if needed.
    fn decode(input: &[u8], step: usize) -> (Vec<u8>, Result<(), BodyError>) {
        let mut decoder = ChunkedDecoder::new();
        let mut body = Vec::new();
        for piece in input.chunks(step.max(1)) {
            let progress = decoder.push(piece, &mut |bytes: &[u8]| {
                body.extend_from_slice(bytes);
                Flow::Continue
            });
            match progress {
                Err(error) => return (body, Err(error)),
                Ok(Progress::Done) => return (body, Ok(())),
                Ok(_) => {}
            }
        }
        let end = decoder.finish();
        (body, end)
    }

    #[test]
    fn decodes_like_go() {
        use BodyError::*;
        /// Input, the data it decodes to, and how the body ends.
        struct Row(&'static [u8], &'static [u8], Result<(), BodyError>);
        let rows = [
            Row(b"5\r\nhello\r\n0\r\n\r\n", b"hello", Ok(())),
            Row(b"5;ext=1\r\nhello\r\n0;x\r\n\r\n", b"hello", Ok(())), // extensions dropped
            Row(b"5 \t\r\nhello\r\n0\r\n\r\n", b"hello", Ok(())),      // trailing white space
            Row(
                b"A\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n",
                b"01234567890123456789",
                Ok(()),
            ),
            Row(b"0\r\nX-T: 1\r\n\r\n", b"", Ok(())), // a trailer
            Row(b"0\r\n\r\nextra", b"", Ok(())),      // bytes after the body are ignored
            Row(b"5\r\nhel", b"hel", Err(UnexpectedEof)), // cut in the data
            Row(b"5\r\nhello", b"hello", Err(UnexpectedEof)), // cut before the CRLF
            Row(b"5\r\nhello\r", b"hello", Err(UnexpectedEof)), // half a CRLF
            Row(
                b"5\r\nhelloXY0\r\n",
                b"hello",
                Err(MalformedChunkedEncoding),
            ),
            Row(b"5\r\nhello\r\n", b"hello", Err(UnexpectedEof)), // no last chunk
            Row(b"5", b"", Err(UnexpectedEof)),                   // cut in a size line
            Row(b"5\nhello\r\n", b"", Err(ChunkLineBareLf)),
            Row(b"5\r\r\nhello\r\n", b"", Err(ChunkLineInvalidCr)),
            Row(b"5\rx\r\nhello\r\n", b"", Err(ChunkLineInvalidCr)),
            Row(b"\r\n", b"", Err(EmptyChunkLength)),
            Row(b";x\r\n", b"", Err(EmptyChunkLength)),
            Row(b"5 ;x\r\nhello", b"", Err(InvalidChunkLength)), // space before the extension
            Row(b" 5\r\nhello", b"", Err(InvalidChunkLength)),   // leading space
            Row(b"0x5\r\nhello", b"", Err(InvalidChunkLength)),
            Row(b"00000000000000005\r\n", b"", Err(ChunkLengthTooLarge)), // 17 digits
            Row(b"0000000000000000g\r\n", b"", Err(InvalidChunkLength)),  // checked before length
            Row(b"0\r\n", b"", Err(TrailerEof)), // nothing after the last chunk
            Row(b"0\r\n\r", b"", Err(TrailerEof)), // one byte of trailer
            Row(b"0\r\nX: 1\r\n", b"", Err(TrailerTooLong)), // no blank line before the end
            Row(b"0\r\nX: 1\n\n", b"", Err(TrailerTooLong)), // bare LFs never match CRLF CRLF
            Row(
                b"0\r\nbad\r\n\r\n",
                b"",
                Err(Trailer(crate::http::error::MimeError::MissingColon(
                    b"bad".to_vec(),
                ))),
            ),
        ];
        for Row(input, body, end) in rows {
            for step in [input.len(), 1, 3] {
                assert_eq!(
                    decode(input, step),
                    (body.to_vec(), end.clone()),
                    "{input:?} step {step}"
                );
            }
        }
    }

    #[test]
    fn limits_size_lines_to_the_bufio_buffer() {
        // The line with its LF must fit in 4096 bytes.
        for (len, ok) in [(4095, true), (4096, true), (4097, false)] {
            let mut input = b"1;".to_vec();
            input.extend(std::iter::repeat_n(b'x', len - 4));
            input.extend_from_slice(b"\r\nZ\r\n0\r\n\r\n");
            let (_, end) = decode(&input, 100);
            let expected = if ok {
                Ok(())
            } else {
                Err(BodyError::ChunkLineTooLong)
            };
            assert_eq!(end, expected, "line of {len} bytes plus LF");
        }
    }

    #[test]
    fn limits_trailers_to_the_bufio_buffer() {
        // The blank line must end within 4096 bytes of the trailer's start.
        for (len, ok) in [(4095, true), (4096, true), (4097, false)] {
            let mut input = b"0\r\nX: ".to_vec();
            input.extend(std::iter::repeat_n(b'a', len - 7));
            input.extend_from_slice(b"\r\n\r\n");
            let (_, end) = decode(&input, 1000);
            let expected = if ok {
                Ok(())
            } else {
                Err(BodyError::TrailerTooLong)
            };
            assert_eq!(end, expected, "trailer of {len} bytes");
        }
    }

    #[test]
    fn counts_excess_framing_like_go() {
        // One-byte chunks with long extensions: each costs line + 2 - (16 + 2) bytes.
        let chunk = |ext: usize| {
            let mut c = b"1;".to_vec();
            c.extend(std::iter::repeat_n(b'e', ext));
            c.extend_from_slice(b"\r\nZ\r\n");
            c
        };
        // 1000-byte extensions: excess grows by (1002 + 2) - (16 + 2) = 986 per chunk.
        let mut input = Vec::new();
        for _ in 0..17 {
            input.extend(chunk(1000));
        }
        let (body, end) = decode(&input, 512);
        assert_eq!(end, Err(BodyError::TooMuchNonData));
        assert_eq!(
            body.len(),
            16,
            "16 chunks fit (16 * 986 = 15776), the 17th does not"
        );
        // Small chunks never trip it.
        let mut input = Vec::new();
        for _ in 0..10_000 {
            input.extend(chunk(0));
        }
        input.extend_from_slice(b"0\r\n\r\n");
        assert_eq!(decode(&input, 4096).1, Ok(()));
    }
}
