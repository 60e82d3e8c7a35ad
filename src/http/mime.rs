//! A MIME header block read byte by byte, as `net/textproto: (*Reader).ReadMIMEHeader` reads it.
//!
//! Rules ported from Go (`net/textproto/reader.go`):
//! - lines end at LF; one CR before the LF is dropped (`bufio.ReadLine`); other CRs stay;
//! - the block must not start with a space or tab (`malformed MIME header initial line`);
//! - a line starting with a space or tab continues the previous field: its leading white
//!   space is skipped, the rest is trimmed and joined with a single space;
//! - a field's first line must contain a colon (`missing colon`); the name is everything
//!   before the first colon, and must be token bytes (spaces are accepted but then the name
//!   is not canonicalised); every value byte must be a tab, visible ASCII, space or >= 0x80;
//! - the value is the rest after the colon without its leading spaces and tabs;
//! - an empty line ends the block; at the end of input a partial line counts as a line.

use super::error::MimeError;

/// Go reads the line that starts with white space with a limit of 80 bytes.
const INITIAL_LINE_LIMIT: usize = 80;

/// Where the reader is within the current line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// At the start of a line (possibly the block's first).
    LineStart,
    /// Inside a line that starts a new field (or is the blank line).
    NewLine,
    /// Inside a continuation line, still skipping its leading white space.
    ContinuationSpace,
    /// Inside a continuation line, after its leading white space.
    Continuation,
    /// Inside a first line that starts with white space (an error in the making).
    InitialLine,
    /// The blank line was read.
    Done,
}

/// A header block being read.
#[derive(Debug)]
pub(super) struct MimeReader {
    state: State,
    started: bool,
    line: Vec<u8>,
    field: Option<Vec<u8>>,
    fields: Vec<(String, Vec<u8>)>,
}

impl MimeReader {
    /// A reader at the start of a block.
    pub(super) fn new() -> MimeReader {
        MimeReader {
            state: State::LineStart,
            started: false,
            line: Vec::new(),
            field: None,
            fields: Vec::new(),
        }
    }

    /// Whether the blank line ending the block has been read.
    pub(super) fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// The fields read, in order: Go's canonical key (or the raw name when it has a space)
    /// and the value bytes.
    pub(super) fn into_fields(self) -> Vec<(String, Vec<u8>)> {
        self.fields
    }

    /// Reads bytes until the block is done. Returns how many were used; on an error, the
    /// index of the byte that revealed it.
    pub(super) fn push_slice(&mut self, bytes: &[u8]) -> Result<usize, (usize, MimeError)> {
        let mut index = 0;
        while index < bytes.len() && !self.is_done() {
            let in_line = matches!(self.state, State::NewLine | State::Continuation);
            let rest = bytes.get(index..).unwrap_or_default();
            // Inside a line, everything up to the LF is just stored.
            let stored = match (in_line, rest.iter().position(|&b| b == b'\n')) {
                (true, Some(lf)) => lf,
                (true, None) => rest.len(),
                (false, _) => 0,
            };
            self.line
                .extend_from_slice(rest.get(..stored).unwrap_or_default());
            index += stored;
            if let Some(&byte) = bytes.get(index) {
                self.push(byte).map_err(|error| (index, error))?;
                index += 1;
            }
        }
        Ok(index)
    }

    /// Reads one byte. Must not be called once [`MimeReader::is_done`].
    pub(super) fn push(&mut self, byte: u8) -> Result<(), MimeError> {
        match self.state {
            State::LineStart => self.start_line(byte),
            State::ContinuationSpace if byte == b' ' || byte == b'\t' => Ok(()),
            State::InitialLine => self.push_initial(byte),
            State::Done => Ok(()),
            State::NewLine | State::ContinuationSpace | State::Continuation => {
                if self.state == State::ContinuationSpace {
                    self.state = State::Continuation;
                }
                if byte == b'\n' {
                    strip_cr(&mut self.line);
                    self.end_line()
                } else {
                    self.line.push(byte);
                    Ok(())
                }
            }
        }
    }

    /// The input ended: Go returns a partial last line as a line, then reports the end.
    /// `Ok` means the block ended with the input (the caller reports its EOF error).
    pub(super) fn finish(&mut self) -> Result<(), MimeError> {
        match self.state {
            State::LineStart | State::Done => {}
            State::InitialLine => return Err(initial_line_error(&self.line)),
            State::NewLine | State::ContinuationSpace | State::Continuation => {
                self.end_line()?;
            }
        }
        if self.state != State::Done {
            self.finish_field()?;
        }
        Ok(())
    }

    /// The first byte of a line decides what the line is.
    fn start_line(&mut self, byte: u8) -> Result<(), MimeError> {
        let space = byte == b' ' || byte == b'\t';
        if !self.started {
            self.started = true;
            if space {
                self.state = State::InitialLine;
                self.line.push(byte);
                return Ok(());
            }
        }
        if space && self.field.is_some() {
            self.state = State::ContinuationSpace;
            return Ok(());
        }
        self.finish_field()?;
        self.state = State::NewLine;
        self.push(byte)
    }

    /// Collects the line that starts with white space, up to Go's limit.
    fn push_initial(&mut self, byte: u8) -> Result<(), MimeError> {
        if byte == b'\n' {
            strip_cr(&mut self.line);
            return Err(initial_line_error(&self.line));
        }
        self.line.push(byte);
        // Even with a CR LF to come, the line is now longer than the limit.
        if self.line.len() > INITIAL_LINE_LIMIT + 1 {
            return Err(MimeError::InitialLineTooLong);
        }
        Ok(())
    }

    /// A whole line (without its line ending) was read.
    fn end_line(&mut self) -> Result<(), MimeError> {
        let line = std::mem::take(&mut self.line);
        let continuation = self.state != State::NewLine;
        self.state = State::LineStart;
        if continuation {
            if let Some(field) = self.field.as_mut() {
                field.push(b' ');
                field.extend_from_slice(trim(&line));
            }
            return Ok(());
        }
        if line.is_empty() {
            self.state = State::Done;
            return Ok(());
        }
        if !line.contains(&b':') {
            return Err(MimeError::MissingColon(line));
        }
        self.field = Some(trim(&line).to_vec());
        Ok(())
    }

    /// The field being read has no more continuation lines: check and store it.
    fn finish_field(&mut self) -> Result<(), MimeError> {
        let Some(field) = self.field.take() else {
            return Ok(());
        };
        let Some(colon) = field.iter().position(|&b| b == b':') else {
            return Err(MimeError::MalformedLine(field));
        };
        let (name, rest) = field.split_at(colon);
        let value = rest.get(1..).unwrap_or_default();
        let Some(key) = read_key(name) else {
            return Err(MimeError::MalformedLine(field));
        };
        if !value.iter().all(|&b| valid_header_value_byte(b)) {
            return Err(MimeError::MalformedLine(field));
        }
        let start = value
            .iter()
            .position(|&b| b != b' ' && b != b'\t')
            .unwrap_or(value.len());
        let value = value.get(start..).unwrap_or_default().to_vec();
        self.fields.push((key, value));
        Ok(())
    }
}

/// `bufio.ReadLine` drops one CR before the LF.
fn strip_cr(line: &mut Vec<u8>) {
    if line.last() == Some(&b'\r') {
        line.pop();
    }
}

/// The error for a block whose first line starts with white space.
fn initial_line_error(line: &[u8]) -> MimeError {
    if line.len() > INITIAL_LINE_LIMIT {
        MimeError::InitialLineTooLong
    } else {
        MimeError::InitialLine(line.to_vec())
    }
}

/// Port of `textproto: trim`: drops leading and trailing spaces and tabs.
pub(super) fn trim(bytes: &[u8]) -> &[u8] {
    let is_space = |b: &u8| *b == b' ' || *b == b'\t';
    let start = bytes
        .iter()
        .position(|b| !is_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |i| i + 1);
    bytes.get(start..end).unwrap_or_default()
}

/// Port of `textproto: canonicalMIMEHeaderKey` for a field name read from the wire:
/// `None` when Go rejects it; a name with spaces is kept as it is.
fn read_key(name: &[u8]) -> Option<String> {
    if name.is_empty() {
        return None;
    }
    let mut has_space = false;
    for &b in name {
        if b == b' ' {
            has_space = true;
        } else if !valid_header_field_byte(b) {
            return None;
        }
    }
    // Token bytes and spaces are ASCII.
    let name = String::from_utf8_lossy(name).into_owned();
    if has_space {
        return Some(name);
    }
    Some(canonicalize(&name))
}

/// Port of `textproto.CanonicalMIMEHeaderKey`: `content-length` → `Content-Length`; a key
/// with any byte that is not a token byte is returned unchanged.
pub(super) fn canonical_key(key: &str) -> String {
    if !key.bytes().all(valid_header_field_byte) {
        return key.to_string();
    }
    canonicalize(key)
}

/// Upper case for the first letter and each letter after a dash, lower case elsewhere.
fn canonicalize(key: &str) -> String {
    let mut upper = true;
    key.chars()
        .map(|c| {
            let out = if upper {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            };
            upper = c == '-';
            out
        })
        .collect()
}

/// Port of `textproto: validHeaderFieldByte`: RFC 7230 token characters.
pub(super) fn valid_header_field_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Port of `textproto: validHeaderValueByte`: HTAB, SP, VCHAR and obs-text.
fn valid_header_value_byte(b: u8) -> bool {
    b == b'\t' || (0x20..0x7f).contains(&b) || b >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fields of a complete block.
    #[derive(Debug, PartialEq, Eq)]
    struct Fields(Vec<(String, Vec<u8>)>);

    /// Reads `input` whole, then (if the block is not done) ends the input.
    /// `Ok(Some(fields))` for a complete block, `Ok(None)` for the end of input.
    fn read(input: &[u8]) -> Result<Option<Fields>, MimeError> {
        let mut reader = MimeReader::new();
        for &b in input {
            if reader.is_done() {
                break;
            }
            reader.push(b)?;
        }
        if reader.is_done() {
            return Ok(Some(Fields(reader.into_fields())));
        }
        reader.finish()?;
        Ok(None)
    }

    fn fields(list: &[(&str, &str)]) -> Option<Fields> {
        Some(Fields(
            list.iter()
                .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                .collect(),
        ))
    }

    #[test]
    fn reads_blocks_like_textproto() {
        /// A header block and what Go makes of it.
        struct Row(&'static [u8], Result<Option<Fields>, MimeError>);
        let rows = [
            Row(b"\r\n", Ok(fields(&[]))),                   // empty block
            Row(b"\n", Ok(fields(&[]))),                     // bare LF blank line
            Row(b"a: b\r\n\r\n", Ok(fields(&[("A", "b")]))), // canonicalised key
            Row(
                b"content-LENGTH:  5 \r\n\r\n",
                Ok(fields(&[("Content-Length", "5")])),
            ), // trims
            Row(b"X: a\r\n  b\r\n\tc\r\n\r\n", Ok(fields(&[("X", "a b c")]))), // continuations
            Row(b"X: a\r\n \r\n\r\n", Ok(fields(&[("X", "a ")]))), // empty continuation keeps a space
            Row(b"X:\r\n\r\n", Ok(fields(&[("X", "")]))),          // empty value
            Row(b"X y: 1\r\n\r\n", Ok(fields(&[("X y", "1")]))),   // space in name: kept raw
            Row(b"X: a:b\r\n\r\n", Ok(fields(&[("X", "a:b")]))),   // name ends at first colon
            Row(
                b"X: \xff\x80\r\n\r\n",
                Ok(Some(Fields(vec![("X".to_string(), b"\xff\x80".to_vec())]))),
            ), // obs-text
            Row(b"A: 1\nB: 2\n\n", Ok(fields(&[("A", "1"), ("B", "2")]))), // bare LF lines
            Row(
                b"abc\r\n\r\n",
                Err(MimeError::MissingColon(b"abc".to_vec())),
            ),
            Row(b"abc \r\n", Err(MimeError::MissingColon(b"abc ".to_vec()))), // untrimmed in %q
            Row(
                b": x\r\n\r\n",
                Err(MimeError::MalformedLine(b": x".to_vec())),
            ), // empty name
            Row(
                b"a\tb: x\r\n\r\n",
                Err(MimeError::MalformedLine(b"a\tb: x".to_vec())),
            ), // tab in name
            Row(
                b"a(b: x\r\n\r\n",
                Err(MimeError::MalformedLine(b"a(b: x".to_vec())),
            ), // separator
            Row(
                b"X: a\x01\r\n\r\n",
                Err(MimeError::MalformedLine(b"X: a\x01".to_vec())),
            ), // control
            Row(
                b"X: a\rb\r\n\r\n",
                Err(MimeError::MalformedLine(b"X: a\rb".to_vec())),
            ), // inner CR
            Row(
                b"X: a\x7f\r\n\r\n",
                Err(MimeError::MalformedLine(b"X: a\x7f".to_vec())),
            ), // DEL
            Row(
                b" X: a\r\n\r\n",
                Err(MimeError::InitialLine(b" X: a".to_vec())),
            ), // leading space
            Row(b"\tX\r\n", Err(MimeError::InitialLine(b"\tX".to_vec()))),    // leading tab
            Row(b"X: a\r\n", Ok(None)), // the input ends after a field
            Row(b"X: a", Ok(None)),     // the input ends inside a field
            Row(b"X", Err(MimeError::MissingColon(b"X".to_vec()))), // partial last line counts
            Row(b"X: a\r\n y", Ok(None)), // partial continuation counts
            Row(
                b"X: a\x01",
                Err(MimeError::MalformedLine(b"X: a\x01".to_vec())),
            ), // checked at end
            Row(b"", Ok(None)),         // nothing at all
            Row(b"\r", Err(MimeError::MissingColon(b"\r".to_vec()))), // a lone CR is a line
        ];
        for Row(input, expected) in rows {
            assert_eq!(
                read(input),
                expected,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn limits_the_initial_line_to_80_bytes() {
        let line = |n: usize| {
            let mut l = vec![b' '];
            l.extend(std::iter::repeat_n(b'x', n - 1));
            l
        };
        for (len, too_long) in [(79, false), (80, false), (81, true)] {
            let mut input = line(len);
            input.extend_from_slice(b"\r\n");
            let expected = if too_long {
                MimeError::InitialLineTooLong
            } else {
                MimeError::InitialLine(line(len))
            };
            assert_eq!(read(&input), Err(expected.clone()), "length {len}");
            // Without the line ending, the partial line at the end of input counts.
            assert_eq!(read(&line(len)), Err(expected), "length {len} at EOF");
        }
    }

    #[test]
    fn canonicalises_keys_like_go() {
        let rows = [
            ("content-length", "Content-Length"),
            ("LOCATION", "Location"),
            ("x-a-b", "X-A-B"),
            ("x--y", "X--Y"),
            ("a b", "a b"), // not a token: unchanged
            ("ünï", "ünï"), // not ASCII: unchanged
            ("1a", "1a"),   // digits have no case
        ];
        for (key, expected) in rows {
            assert_eq!(canonical_key(key), expected, "{key}");
        }
    }

    #[test]
    fn trims_spaces_and_tabs_only() {
        assert_eq!(trim(b" \t a b \t"), b"a b");
        assert_eq!(trim(b"\r a\r"), b"\r a\r");
        assert_eq!(trim(b"   "), b"");
    }
}
