//! DEFLATE decoding with Go's rules, fed incrementally: a port of `compress/flate`'s
//! decompressor (`inflate.go`; the decoder is the same from Go 1.7 to at least 1.25, and
//! was checked against Go 1.19's on thousands of corrupt and truncated streams). Go's
//! development tree later reads up to 10 bits further ahead in non-final blocks (ported from
//! klauspost/compress); if a Go release Boulder uses has that, only the N of "corrupt input
//! before offset N" can differ.
//!
//! Why not a library inflater: Go's error for bad data is `flate: corrupt input before offset
//! N`, where N counts the input bytes Go's decoder had read when it noticed, and Go rejects some
//! streams other decoders accept (incomplete Huffman codes, distances before the start of the
//! output). Matching Go byte for byte needs Go's reading strategy: one byte at a time, only
//! while the current Huffman table says more bits may be needed.
//!
//! Go's decoder blocks for input; this one is pushed input instead. Each *step* (a block
//! header, the dynamic tables, one symbol with its extra bits, the stored-block header) either
//! completes with the bytes at hand or is undone and retried when more bytes arrive, so the
//! result does not depend on how the input is split. Stored data is copied as it arrives.
//!
//! Output is handed to an [`Output`] as it is decoded, and `flush` is called where Go's
//! decompressor hands data to its reader (the 32 KiB window is full, or an empty stored
//! block); the end of the stream and errors are returned to the caller, who flushes then.

use super::bits::{read_tables, BitReader, Cursor, Halt, MAX_LENGTHS, MAX_NUM_LIT};
use super::dict::Dict;
use super::error::BodyError;
use super::huffman::Huffman;

/// How the compressed input ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Terminal {
    /// Cleanly (`io.EOF`).
    Eof,
    /// With an error of the layer below (the chunked framing, or a short body).
    Error(BodyError),
}

impl Terminal {
    /// Go's `noEOF`: running out of input inside the stream is `unexpected EOF`.
    pub(super) fn no_eof(&self) -> BodyError {
        match self {
            Terminal::Eof => BodyError::UnexpectedEof,
            Terminal::Error(error) => error.clone(),
        }
    }
}

/// Whether the consumer wants more output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Flow {
    /// Keep going.
    Continue,
    /// Stop: the body is complete as far as the consumer is concerned.
    Stop,
}

/// Where decoded bytes go.
pub(super) trait Output {
    /// Decoded bytes, in order.
    fn write(&mut self, bytes: &[u8]);
    /// Go's decompressor hands the bytes written since the last flush to its reader.
    fn flush(&mut self) -> Flow;
}

/// What [`Inflater::run`] stopped at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Status {
    /// The input is used up (any partial step is kept for later).
    NeedInput,
    /// The final block ended (Go: the last data with `io.EOF`).
    StreamEnd,
    /// The output asked to stop at a flush.
    Stopped,
    /// Corrupt or missing input (Go flushes what it decoded and returns this error).
    Failed(BodyError),
}

/// The next thing to decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    BlockHeader,
    Tables,
    Symbols,
    Copy { length: u32, dist: u32 },
    StoredHeader,
    StoredData { remaining: u32 },
    Finished,
}

/// A symbol of a Huffman block.
enum Symbol {
    Literal(u8),
    EndOfBlock,
    Copy { length: u32, dist: u32 },
}

/// Port of Go's `decompressor` state.
pub(super) struct Inflater {
    step: Step,
    final_block: bool,
    fixed: bool,
    reader: BitReader,
    literal: Huffman,
    distance: Huffman,
    fixed_literal: Huffman,
    lengths: [u32; MAX_LENGTHS],
    dict: Dict,
}

impl Inflater {
    /// A decoder at the start of a DEFLATE stream (Go's `flate.NewReader`).
    pub(super) fn new() -> Inflater {
        Inflater {
            step: Step::BlockHeader,
            final_block: false,
            fixed: false,
            reader: BitReader::default(),
            literal: Huffman::empty(),
            distance: Huffman::empty(),
            fixed_literal: Huffman::fixed(),
            lengths: [0; MAX_LENGTHS],
            dict: Dict::new(),
        }
    }

    /// Decodes from `input`; `end` says how the input ends after it, if it does. Returns the
    /// number of bytes of `input` used (bytes of an unfinished step are not used).
    pub(super) fn run(
        &mut self,
        input: &[u8],
        end: Option<&Terminal>,
        out: &mut impl Output,
    ) -> (usize, Status) {
        let mut cursor = Cursor { input, pos: 0, end };
        loop {
            let snapshot = (cursor.pos, self.reader);
            match self.advance(&mut cursor, out) {
                Ok(None) => {}
                Ok(Some(status)) => return (cursor.pos, status),
                Err(Halt::NeedInput) => {
                    (cursor.pos, self.reader) = snapshot;
                    return (cursor.pos, Status::NeedInput);
                }
                Err(Halt::Fail(error)) => return (cursor.pos, Status::Failed(error)),
            }
        }
    }

    /// Runs one step; `Some` ends the run.
    fn advance(
        &mut self,
        cursor: &mut Cursor<'_>,
        out: &mut impl Output,
    ) -> Result<Option<Status>, Halt> {
        match self.step {
            Step::BlockHeader => self.block_header(cursor)?,
            Step::Tables => {
                let (literal, distance) = read_tables(&mut self.reader, cursor, &mut self.lengths)?;
                self.literal = literal;
                self.distance = distance;
                self.step = Step::Symbols;
            }
            Step::Symbols => match self.symbol(cursor)? {
                Symbol::Literal(byte) => return Ok(stopped(self.dict.write_byte(byte, out))),
                Symbol::EndOfBlock => return Ok(self.finish_block()),
                Symbol::Copy { length, dist } => self.step = Step::Copy { length, dist },
            },
            Step::Copy { length, dist } => return Ok(self.copy(length, dist, out)),
            Step::StoredHeader => return self.stored_header(cursor, out),
            Step::StoredData { remaining } => return self.stored_data(cursor, remaining, out),
            Step::Finished => return Ok(Some(Status::StreamEnd)),
        }
        Ok(None)
    }

    /// Port of `nextBlock`: the 3-bit block header.
    fn block_header(&mut self, cursor: &mut Cursor<'_>) -> Result<(), Halt> {
        self.reader.need(cursor, 3)?;
        self.final_block = self.reader.bits & 1 == 1;
        let kind = (self.reader.bits >> 1) & 3;
        self.reader.take(3);
        self.step = match kind {
            0 => {
                // dataBlock: "Discard current half-byte."
                self.reader.bits = 0;
                self.reader.nbits = 0;
                Step::StoredHeader
            }
            1 => {
                self.fixed = true;
                Step::Symbols
            }
            2 => {
                self.fixed = false;
                Step::Tables
            }
            _ => return Err(self.reader.corrupt()),
        };
        Ok(())
    }

    /// Port of the symbol part of `huffmanBlock`: one literal, end of block, or copy.
    fn symbol(&mut self, cursor: &mut Cursor<'_>) -> Result<Symbol, Halt> {
        let literal = match self.fixed {
            true => &self.fixed_literal,
            false => &self.literal,
        };
        let value = self.reader.huff_sym(cursor, literal)?;
        let (base, extra) = match value {
            0..=255 => return Ok(Symbol::Literal(value as u8)),
            256 => return Ok(Symbol::EndOfBlock),
            257..=264 => (value - 254, 0),
            265..=268 => (value * 2 - 519, 1),
            269..=272 => (value * 4 - 1057, 2),
            273..=276 => (value * 8 - 2149, 3),
            277..=280 => (value * 16 - 4365, 4),
            281..=284 => (value * 32 - 8861, 5),
            _ if value < MAX_NUM_LIT => (258, 0),
            _ => return Err(self.reader.corrupt()),
        };
        let length = base + self.reader.read(cursor, extra)?;
        let code = match self.fixed {
            true => {
                let bits = self.reader.read(cursor, 5)? as u8;
                u32::from((bits << 3).reverse_bits())
            }
            false => self.reader.huff_sym(cursor, &self.distance)?,
        };
        let dist = match code {
            0..=3 => code + 1,
            4..=29 => {
                let nb = (code - 2) >> 1;
                let extra = (code & 1) << nb | self.reader.read(cursor, nb)?;
                (1 << (nb + 1)) + 1 + extra
            }
            _ => return Err(self.reader.corrupt()),
        };
        // "No check on length; encoding can be prescient."
        if dist as usize > self.dict.history() {
            return Err(self.reader.corrupt());
        }
        Ok(Symbol::Copy { length, dist })
    }

    /// Port of `finishBlock`.
    fn finish_block(&mut self) -> Option<Status> {
        if self.final_block {
            self.step = Step::Finished;
            return Some(Status::StreamEnd);
        }
        self.step = Step::BlockHeader;
        None
    }

    /// Port of `copyHistory`: the pending copy, paused when the window fills.
    fn copy(&mut self, length: u32, dist: u32, out: &mut impl Output) -> Option<Status> {
        let (copied, flow) = self.dict.write_copy(dist as usize, length as usize, out);
        let length = length - copied as u32;
        self.step = match length {
            0 => Step::Symbols,
            _ => Step::Copy { length, dist },
        };
        stopped(flow)
    }

    /// Port of the start of `dataBlock`: LEN and NLEN.
    fn stored_header(
        &mut self,
        cursor: &mut Cursor<'_>,
        out: &mut impl Output,
    ) -> Result<Option<Status>, Halt> {
        let mut header = [0u8; 4];
        for byte in header.iter_mut() {
            *byte = cursor.next()?;
            self.reader.roffset += 1;
        }
        let length = u16::from_le_bytes([header[0], header[1]]);
        let check = u16::from_le_bytes([header[2], header[3]]);
        if check != !length {
            return Err(self.reader.corrupt());
        }
        if length == 0 {
            // "0-length block means sync": Go flushes, then finishes the block.
            if out.flush() == Flow::Stop {
                return Ok(Some(Status::Stopped));
            }
            return Ok(self.finish_block());
        }
        self.step = Step::StoredData {
            remaining: u32::from(length),
        };
        Ok(None)
    }

    /// Port of `copyData`: stored bytes, as they arrive.
    fn stored_data(
        &mut self,
        cursor: &mut Cursor<'_>,
        remaining: u32,
        out: &mut impl Output,
    ) -> Result<Option<Status>, Halt> {
        let available = cursor.input.get(cursor.pos..).unwrap_or_default();
        let wanted = available.len().min(remaining as usize);
        if wanted == 0 {
            return Err(cursor.exhausted());
        }
        let (count, flow) = self.dict.write_slice(&available[..wanted], out);
        cursor.pos += count;
        self.reader.roffset += count as u64;
        let remaining = remaining - count as u32;
        self.step = Step::StoredData { remaining };
        if flow == Flow::Stop {
            return Ok(Some(Status::Stopped));
        }
        if remaining == 0 {
            return Ok(self.finish_block());
        }
        Ok(None)
    }
}

/// `Stopped` when the output asked to stop at a flush.
fn stopped(flow: Flow) -> Option<Status> {
    match flow {
        Flow::Stop => Some(Status::Stopped),
        Flow::Continue => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::dict::WINDOW;

    /// Collects the output and where Go's reader would get some of it (a flush with no new
    /// bytes hands nothing out).
    #[derive(Default)]
    struct Record {
        bytes: Vec<u8>,
        flushes: Vec<usize>,
    }

    impl Output for Record {
        fn write(&mut self, bytes: &[u8]) {
            self.bytes.extend_from_slice(bytes);
        }
        fn flush(&mut self) -> Flow {
            if self.bytes.len() > self.flushes.last().copied().unwrap_or(0) {
                self.flushes.push(self.bytes.len());
            }
            Flow::Continue
        }
    }

    /// Inflates `input` pushed in pieces of `step` bytes, then ended with `end`.
    fn inflate(input: &[u8], step: usize, end: Terminal) -> (Record, Result<(), BodyError>) {
        let mut inflater = Inflater::new();
        let mut out = Record::default();
        let mut buffer = Vec::new();
        for piece in input.chunks(step.max(1)) {
            buffer.extend_from_slice(piece);
            let (used, status) = inflater.run(&buffer, None, &mut out);
            buffer.drain(..used);
            match status {
                Status::NeedInput => {}
                Status::StreamEnd => return (out, Ok(())),
                Status::Failed(error) => return (out, Err(error)),
                Status::Stopped => unreachable!("the recorder never stops"),
            }
        }
        match inflater.run(&buffer, Some(&end), &mut out).1 {
            Status::StreamEnd => (out, Ok(())),
            Status::Failed(error) => (out, Err(error)),
            other => panic!("ended input gave {other:?}"),
        }
    }

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len() / 2)
            .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn fails_where_go_fails_with_go_offsets() {
        // (input, output Go flushes with the error, Go's error) from Go's compress/flate.
        let rows: &[(&str, &str, &str)] = &[
            ("3e", "", "flate: corrupt input before offset 1"), // block type 3
            ("823d", "", "flate: corrupt input before offset 2"),
            ("22593d", "", "flate: corrupt input before offset 3"),
            ("1511166e", "", "flate: corrupt input before offset 4"),
            ("0846a42b85", "", "flate: corrupt input before offset 5"),
            ("7ced24734f0df5", "", "flate: corrupt input before offset 7"),
            (
                "b2ea1c21f1ce6c",
                "3a89",
                "flate: corrupt input before offset 6",
            ),
            (
                "3b775b64eb20601b73",
                "cedb14b5",
                "flate: corrupt input before offset 8",
            ),
            (
                "339ee169e84d831b5364fb6415",
                "339849314b",
                "flate: corrupt input before offset 10",
            ),
            (
                "8bfc7c98d9e97b91ddc5e1d1821781d5688174d9",
                "59f3c30342f7723ed1",
                "flate: corrupt input before offset 14",
            ),
            (
                "bb5dfc3383ebf1f10ba71250b1e5204f9a6a",
                "db73f9680ae3c7d0ca60c7d0ca60c7d0ca60c7d0ca60c7d039",
                "flate: corrupt input before offset 17",
            ),
            ("6c", "", "unexpected EOF"),         // cut inside a block
            ("", "", "unexpected EOF"),           // no block at all
            ("01050000", "", "unexpected EOF"),   // stored header cut short
            ("010500faff", "", "unexpected EOF"), // stored data missing
            ("0105000000", "", "flate: corrupt input before offset 5"), // NLEN is not ~LEN
            ("63ad04d8e46254", "0579", ""),       // decodes, Go agrees
        ];
        for (input, output, error) in rows {
            let expected_error = match *error {
                "" => Ok(()),
                "unexpected EOF" => Err(BodyError::UnexpectedEof),
                text => Err(BodyError::FlateCorrupt(
                    text.rsplit(' ').next().unwrap().parse().unwrap(),
                )),
            };
            for step in [input.len(), 1, 2] {
                let (out, result) = inflate(&hex(input), step, Terminal::Eof);
                assert_eq!(
                    (hex_of(&out.bytes), &result),
                    (output.to_string(), &expected_error),
                    "{input} step {step}"
                );
                if let Err(e) = result {
                    assert_eq!(e.go_text(), *error);
                }
            }
        }
    }

    fn hex_of(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn round_trips_what_miniz_oxide_compresses() {
        let text: Vec<u8> = (0..70_000u32)
            .flat_map(|i| format!("token-{} ", i % 977).into_bytes())
            .collect();
        let noise: Vec<u8> = (0..40_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let payloads: [&[u8]; 5] = [b"", b"hello", &text[..300], &text, &noise];
        for payload in payloads {
            for level in [0, 1, 6, 10] {
                let compressed = miniz_oxide::deflate::compress_to_vec(payload, level);
                let steps: &[usize] = if payload.len() < 1000 {
                    &[1, 7, usize::MAX]
                } else {
                    &[4093, usize::MAX]
                };
                for &step in steps {
                    let (out, result) = inflate(&compressed, step, Terminal::Eof);
                    assert_eq!(result, Ok(()), "level {level} len {}", payload.len());
                    assert!(out.bytes == payload, "level {level} len {}", payload.len());
                    // Go hands out each full 32 KiB window; the rest comes with io.EOF.
                    let windows: Vec<usize> =
                        (1..=payload.len() / WINDOW).map(|n| n * WINDOW).collect();
                    assert_eq!(out.flushes, windows, "level {level} len {}", payload.len());
                }
            }
        }
    }

    #[test]
    fn flushes_at_empty_stored_blocks() {
        // A fixed block with "ab", a non-final empty stored block (zlib's sync flush), then
        // a final empty stored block.
        let input = hex("4a4c02000000ffff010000ffff");
        let (out, result) = inflate(&input, 1, Terminal::Eof);
        assert_eq!(result, Ok(()));
        assert_eq!(out.bytes, b"ab");
        // Go's sync flush hands out "ab"; the final empty block has nothing more to hand out.
        assert_eq!(out.flushes, vec![2]);
    }

    #[test]
    fn passes_the_layer_below_its_error() {
        let compressed = miniz_oxide::deflate::compress_to_vec(b"hello hello hello", 6);
        let cut = &compressed[..compressed.len() / 2];
        let (_, result) = inflate(cut, 3, Terminal::Error(BodyError::MalformedChunkedEncoding));
        assert_eq!(result, Err(BodyError::MalformedChunkedEncoding));
    }
}
