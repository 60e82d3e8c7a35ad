//! A gzip member header, read one byte at a time: a port of `compress/gzip:
//! (*Reader).readHeader` (Go 1.19 to 1.26), and the CRC-32 gzip uses.

use super::error::BodyError;
use super::inflate::Terminal;

/// Header flags (RFC 1952).
const FLAG_HEADER_CRC: u8 = 1 << 1;
const FLAG_EXTRA: u8 = 1 << 2;
const FLAG_NAME: u8 = 1 << 3;
const FLAG_COMMENT: u8 = 1 << 4;
/// Go's `gzip.Reader.buf` size bounds names and comments.
const STRING_LIMIT: usize = 512;

/// Progress within a member header.
#[derive(Debug, Default)]
pub(super) struct Header {
    fixed: Vec<u8>,
    flags: u8,
    part: Part,
    pair: Vec<u8>,
    digest: u32,
}

/// The variable part of the header being read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Part {
    #[default]
    Fixed,
    ExtraLength,
    Extra(usize),
    Name(usize),
    Comment(usize),
    HeaderCrc,
}

/// How a header ended.
pub(super) enum HeaderEnd {
    /// The header is complete: the member's DEFLATE data follows.
    Complete,
    /// The body ended before the header's first byte: no more members.
    CleanEnd,
    /// The header is bad, or the body ended inside it.
    Failed(BodyError),
}

impl Header {
    /// Port of `gzip.Reader.readHeader`, one byte at a time: reads from `rest`, which `end`
    /// follows if the body ends there. Returns the bytes used and, once the header is over,
    /// how it ended.
    pub(super) fn push(
        &mut self,
        rest: &[u8],
        end: Option<&Terminal>,
    ) -> (usize, Option<HeaderEnd>) {
        for (index, &byte) in rest.iter().enumerate() {
            if let Some(outcome) = self.push_byte(byte) {
                return (index + 1, Some(outcome));
            }
        }
        let outcome = end.map(|end| self.end_of_input(end));
        (rest.len(), outcome)
    }

    /// Reads one header byte.
    fn push_byte(&mut self, byte: u8) -> Option<HeaderEnd> {
        if self.part != Part::HeaderCrc {
            self.digest = crc32_update(self.digest, &[byte]);
        }
        match self.part {
            Part::Fixed => {
                self.fixed.push(byte);
                if self.fixed.len() < 10 {
                    return None;
                }
                if self.fixed[..3] != [0x1f, 0x8b, 8] {
                    return Some(HeaderEnd::Failed(BodyError::GzipHeader));
                }
                self.flags = self.fixed[3];
                self.part = Part::ExtraLength;
                self.next_part()
            }
            Part::ExtraLength => {
                self.pair.push(byte);
                if self.pair.len() < 2 {
                    return None;
                }
                let length = usize::from(u16::from_le_bytes([self.pair[0], self.pair[1]]));
                self.pair.clear();
                self.part = Part::Extra(length);
                self.next_part()
            }
            Part::Extra(left) => {
                self.part = Part::Extra(left.saturating_sub(1));
                self.next_part()
            }
            Part::Name(count) | Part::Comment(count) => self.push_string_byte(byte, count),
            Part::HeaderCrc => {
                self.pair.push(byte);
                if self.pair.len() < 2 {
                    return None;
                }
                let sum = u16::from_le_bytes([self.pair[0], self.pair[1]]);
                if u32::from(sum) != self.digest & 0xFFFF {
                    return Some(HeaderEnd::Failed(BodyError::GzipHeader));
                }
                Some(HeaderEnd::Complete)
            }
        }
    }

    /// Port of `readString` for the name or comment: `count` bytes before this one.
    fn push_string_byte(&mut self, byte: u8, count: usize) -> Option<HeaderEnd> {
        let name = matches!(self.part, Part::Name(_));
        if byte == 0 {
            self.part = if name {
                Part::Comment(0)
            } else {
                Part::HeaderCrc
            };
            return self.next_part();
        }
        // Go's buffer holds 512 bytes, NUL included.
        if count + 1 >= STRING_LIMIT {
            return Some(HeaderEnd::Failed(BodyError::GzipHeader));
        }
        self.part = if name {
            Part::Name(count + 1)
        } else {
            Part::Comment(count + 1)
        };
        None
    }

    /// Skips the parts the flags leave out; `Complete` after the last one.
    fn next_part(&mut self) -> Option<HeaderEnd> {
        loop {
            let present = match self.part {
                Part::ExtraLength => self.flags & FLAG_EXTRA != 0,
                Part::Extra(left) => left > 0,
                Part::Name(_) => self.flags & FLAG_NAME != 0,
                Part::Comment(_) => self.flags & FLAG_COMMENT != 0,
                Part::HeaderCrc => self.flags & FLAG_HEADER_CRC != 0,
                Part::Fixed => true,
            };
            if present {
                return None;
            }
            self.part = match self.part {
                Part::ExtraLength | Part::Extra(_) => Part::Name(0),
                Part::Name(_) => Part::Comment(0),
                Part::Comment(_) => Part::HeaderCrc,
                Part::HeaderCrc | Part::Fixed => return Some(HeaderEnd::Complete),
            };
        }
    }

    /// The body ended inside (or before) the header.
    fn end_of_input(&self, end: &Terminal) -> HeaderEnd {
        match end {
            // No byte of a member: the stream is over (`io.ReadFull` returns `io.EOF`).
            Terminal::Eof if self.part == Part::Fixed && self.fixed.is_empty() => {
                HeaderEnd::CleanEnd
            }
            // Everywhere else, Go's `noEOF` (or `io.ReadFull`'s short read) applies.
            _ => HeaderEnd::Failed(end.no_eof()),
        }
    }
}

/// CRC-32 (IEEE), as `hash/crc32.Update(crc, IEEETable, bytes)`.
pub(super) fn crc32_update(crc: u32, bytes: &[u8]) -> u32 {
    let mut crc = !crc;
    for &byte in bytes {
        crc = CRC_TABLE[((crc ^ u32::from(byte)) & 0xFF) as usize] ^ (crc >> 8);
    }
    !crc
}

/// The byte-wise table of the reflected IEEE polynomial.
const CRC_TABLE: [u32; 256] = crc_table();

/// Builds [`CRC_TABLE`].
const fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header with the given flags' fields, and a correct header CRC when asked.
    fn header(name: &[u8], comment: &[u8], extra: &[u8], header_crc: bool) -> Vec<u8> {
        let mut flags = 0;
        for (present, flag) in [
            (!extra.is_empty(), FLAG_EXTRA),
            (!name.is_empty(), FLAG_NAME),
            (!comment.is_empty(), FLAG_COMMENT),
            (header_crc, FLAG_HEADER_CRC),
        ] {
            if present {
                flags |= flag;
            }
        }
        let mut out = vec![0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 255];
        if !extra.is_empty() {
            out.extend_from_slice(&(extra.len() as u16).to_le_bytes());
            out.extend_from_slice(extra);
        }
        for field in [name, comment] {
            if !field.is_empty() {
                out.extend_from_slice(field);
                out.push(0);
            }
        }
        if header_crc {
            let sum = crc32_update(0, &out) as u16;
            out.extend_from_slice(&sum.to_le_bytes());
        }
        out
    }

    /// Reads `input`, then ends it with `end` if the header is not over.
    fn read(input: &[u8], end: Terminal) -> (usize, String) {
        let mut parsed = Header::default();
        for (index, byte) in input.iter().enumerate() {
            if let (_, Some(outcome)) = parsed.push(std::slice::from_ref(byte), None) {
                return (index + 1, describe(outcome));
            }
        }
        match parsed.push(&[], Some(&end)) {
            (_, Some(outcome)) => (input.len(), describe(outcome)),
            (_, None) => (input.len(), "pending".to_string()),
        }
    }

    fn describe(outcome: HeaderEnd) -> String {
        match outcome {
            HeaderEnd::Complete => "complete".to_string(),
            HeaderEnd::CleanEnd => "clean end".to_string(),
            HeaderEnd::Failed(error) => error.go_text(),
        }
    }

    #[test]
    fn computes_crc32_ieee() {
        assert_eq!(crc32_update(0, b"123456789"), 0xCBF4_3926); // the standard check value
        assert_eq!(
            crc32_update(crc32_update(0, b"1234"), b"56789"),
            0xCBF4_3926
        ); // incremental
        assert_eq!(crc32_update(0, b""), 0);
    }

    #[test]
    fn reads_headers_like_go() {
        let full = header(b"file.txt", b"comment", b"xyz", true);
        let mut bad_crc = full.clone();
        *bad_crc.last_mut().unwrap() ^= 1;
        let long = |n: usize| header(&vec![b'a'; n], b"", b"", false);
        let rows: Vec<(Vec<u8>, Terminal, (usize, &str))> = vec![
            (
                header(b"", b"", b"", false),
                Terminal::Eof,
                (10, "complete"),
            ), // plain
            (full.clone(), Terminal::Eof, (full.len(), "complete")), // every field, CRC right
            (
                bad_crc.clone(),
                Terminal::Eof,
                (bad_crc.len(), "gzip: invalid header"),
            ), // CRC covers all
            (long(511), Terminal::Eof, (10 + 512, "complete")),      // NUL is the 512th byte
            (long(512), Terminal::Eof, (10 + 512, "gzip: invalid header")), // no NUL in 512 bytes
            (
                vec![0x1f, 0x8b, 9, 0, 0, 0, 0, 0, 0, 0],
                Terminal::Eof,
                (10, "gzip: invalid header"),
            ), // method
            (
                b"\x1f\x8c\x08\x00\x00\x00\x00\x00\x00\x00".to_vec(),
                Terminal::Eof,
                (10, "gzip: invalid header"),
            ),
            (Vec::new(), Terminal::Eof, (0, "clean end")), // no member at all
            (
                Vec::new(),
                Terminal::Error(BodyError::MalformedChunkedEncoding),
                (0, "malformed chunked encoding"),
            ),
            (full[..5].to_vec(), Terminal::Eof, (5, "unexpected EOF")), // cut in the fixed part
            (full[..11].to_vec(), Terminal::Eof, (11, "unexpected EOF")), // cut in the extra length
            (full[..16].to_vec(), Terminal::Eof, (16, "unexpected EOF")), // cut in the name
            (
                full[..16].to_vec(),
                Terminal::Error(BodyError::UnexpectedEof),
                (16, "unexpected EOF"),
            ),
            (
                full[..full.len() - 1].to_vec(),
                Terminal::Eof,
                (full.len() - 1, "unexpected EOF"),
            ), // cut in the CRC
        ];
        for (input, end, (used, outcome)) in rows {
            assert_eq!(
                read(&input, end.clone()),
                (used, outcome.to_string()),
                "{input:?} {end:?}"
            );
        }
    }
}
