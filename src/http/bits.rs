//! Reading DEFLATE input bit by bit, as Go's `compress/flate` decompressor does, and the
//! dynamic Huffman tables read that way (ports of `moreBits`, `huffSym` and `readHuffman`).
//!
//! Go reads one input byte at a time, only when the bits it holds are too few; its byte count
//! (`roffset`) is the offset in `flate: corrupt input before offset N`. A step that runs out
//! of input is undone by restoring a copy of the [`BitReader`] and the [`Cursor`] position.

use super::error::BodyError;
use super::huffman::{Huffman, COUNT_MASK, VALUE_SHIFT};
use super::inflate::Terminal;

/// `maxNumLit`: literal/length codes 286 and 287 never occur.
pub(super) const MAX_NUM_LIT: u32 = 286;
/// `maxNumDist`: distance codes 30 and 31 never occur.
const MAX_NUM_DIST: u32 = 30;
/// The order of the code-length code lengths (RFC 1951 section 3.2.7).
const CODE_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];
/// Room for `HLIT + 257 + HDIST + 1` code lengths.
pub(super) const MAX_LENGTHS: usize = 316;

/// Why a step could not complete.
pub(super) enum Halt {
    /// Not enough input yet: undo the step.
    NeedInput,
    /// The stream is bad or ended early.
    Fail(BodyError),
}

/// The input of one decoding call.
pub(super) struct Cursor<'a> {
    /// The bytes at hand.
    pub(super) input: &'a [u8],
    /// How many of them are used.
    pub(super) pos: usize,
    /// How the input ends after them, if it does.
    pub(super) end: Option<&'a Terminal>,
}

impl Cursor<'_> {
    /// The next input byte; at the end, either "wait" or the terminal error.
    pub(super) fn next(&mut self) -> Result<u8, Halt> {
        match self.input.get(self.pos) {
            Some(&byte) => {
                self.pos += 1;
                Ok(byte)
            }
            None => Err(self.exhausted()),
        }
    }

    /// What running out of input means here: wait, or Go's `noEOF` error.
    pub(super) fn exhausted(&self) -> Halt {
        match self.end {
            None => Halt::NeedInput,
            Some(end) => Halt::Fail(end.no_eof()),
        }
    }
}

/// Go's bit buffer (`f.b`, `f.nb`) and input byte count (`f.roffset`).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct BitReader {
    /// The bits held, least significant first.
    pub(super) bits: u32,
    /// How many bits are held.
    pub(super) nbits: u32,
    /// How many input bytes were read.
    pub(super) roffset: u64,
}

impl BitReader {
    /// Port of `moreBits` in a loop: reads bytes until `count` bits are held.
    pub(super) fn need(&mut self, cursor: &mut Cursor<'_>, count: u32) -> Result<(), Halt> {
        while self.nbits < count {
            let byte = cursor.next()?;
            self.roffset += 1;
            self.bits |= u32::from(byte).wrapping_shl(self.nbits & 31);
            self.nbits += 8;
        }
        Ok(())
    }

    /// Drops `count` bits that are held.
    pub(super) fn take(&mut self, count: u32) {
        self.bits = self.bits.wrapping_shr(count & 31);
        self.nbits = self.nbits.saturating_sub(count);
    }

    /// Reads `count` bits (at most 13) as a number.
    pub(super) fn read(&mut self, cursor: &mut Cursor<'_>, count: u32) -> Result<u32, Halt> {
        self.need(cursor, count)?;
        let value = self.bits & ((1 << count) - 1);
        self.take(count);
        Ok(value)
    }

    /// `CorruptInputError(f.roffset)`.
    pub(super) fn corrupt(&self) -> Halt {
        Halt::Fail(BodyError::FlateCorrupt(self.roffset))
    }

    /// Port of `huffSym`: reads bytes while the table says the code may be longer.
    pub(super) fn huff_sym(
        &mut self,
        cursor: &mut Cursor<'_>,
        huffman: &Huffman,
    ) -> Result<u32, Halt> {
        let mut n = huffman.min;
        loop {
            self.need(cursor, n)?;
            let chunk = huffman.lookup(self.bits);
            n = chunk & COUNT_MASK;
            if n <= self.nbits {
                if n == 0 {
                    return Err(self.corrupt());
                }
                self.take(n);
                return Ok(chunk >> VALUE_SHIFT);
            }
        }
    }
}

/// Port of `readHuffman`: the dynamic literal/length and distance codes of a block.
/// `lengths` is scratch space, as Go's `f.bits`.
pub(super) fn read_tables(
    reader: &mut BitReader,
    cursor: &mut Cursor<'_>,
    lengths: &mut [u32; MAX_LENGTHS],
) -> Result<(Huffman, Huffman), Halt> {
    reader.need(cursor, 5 + 5 + 4)?;
    let nlit = (reader.bits & 0x1F) + 257;
    if nlit > MAX_NUM_LIT {
        return Err(reader.corrupt());
    }
    let ndist = ((reader.bits >> 5) & 0x1F) + 1;
    if ndist > MAX_NUM_DIST {
        return Err(reader.corrupt());
    }
    let nclen = ((reader.bits >> 10) & 0xF) + 4;
    reader.take(14);
    let mut code_lengths = [0u32; 19];
    for &index in CODE_ORDER.iter().take(nclen as usize) {
        code_lengths[index] = reader.read(cursor, 3)?;
    }
    let code = Huffman::build(&code_lengths).ok_or_else(|| reader.corrupt())?;
    let total = (nlit + ndist) as usize;
    let mut i = 0;
    while i < total {
        let symbol = reader.huff_sym(cursor, &code)?;
        if symbol < 16 {
            lengths[i] = symbol;
            i += 1;
            continue;
        }
        let (base, extra, value) = match symbol {
            16 if i == 0 => return Err(reader.corrupt()),
            16 => (3, 2, lengths[i - 1]),
            17 => (3, 3, 0),
            _ => (11, 7, 0),
        };
        let repeat = base + reader.read(cursor, extra)? as usize;
        if i + repeat > total {
            return Err(reader.corrupt());
        }
        lengths[i..i + repeat].fill(value);
        i += repeat;
    }
    let (literal_lengths, distance_lengths) = lengths[..total].split_at(nlit as usize);
    let (Some(mut literal), Some(distance)) = (
        Huffman::build(literal_lengths),
        Huffman::build(distance_lengths),
    ) else {
        return Err(reader.corrupt());
    };
    // Every block ends with the end-of-block code, so Go reads at least its length.
    literal.min = literal.min.max(lengths[256]);
    Ok((literal, distance))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bits_least_significant_first() {
        let end = Terminal::Eof;
        let mut cursor = Cursor {
            input: &[0b1010_1100, 0xFF],
            pos: 0,
            end: Some(&end),
        };
        let mut reader = BitReader::default();
        assert!(matches!(reader.read(&mut cursor, 3), Ok(0b100)));
        assert_eq!((reader.nbits, reader.roffset), (5, 1)); // one byte read so far
        assert!(matches!(reader.read(&mut cursor, 7), Ok(0b11_10101)));
        assert_eq!((reader.nbits, reader.roffset), (6, 2));
        assert!(matches!(
            reader.read(&mut cursor, 7),
            Err(Halt::Fail(BodyError::UnexpectedEof))
        ));
    }

    #[test]
    fn waits_for_input_without_an_end() {
        let mut cursor = Cursor {
            input: &[1],
            pos: 0,
            end: None,
        };
        let mut reader = BitReader::default();
        assert!(matches!(reader.read(&mut cursor, 9), Err(Halt::NeedInput)));
    }

    #[test]
    fn rejects_bad_table_headers_at_go_offsets() {
        // (HLIT, HDIST, HCLEN bits in two bytes, Go's offset)
        let rows: [([u8; 2], u64); 2] = [
            ([0x1E, 0x00], 2), // HLIT 30 + 257 = 287 > 286
            ([0xE0, 0x03], 2), // HDIST 31 + 1 = 32 > 30
        ];
        for (input, offset) in rows {
            let mut cursor = Cursor {
                input: &input,
                pos: 0,
                end: None,
            };
            let mut reader = BitReader::default();
            let mut lengths = [0; MAX_LENGTHS];
            let result = read_tables(&mut reader, &mut cursor, &mut lengths);
            assert!(
                matches!(result, Err(Halt::Fail(BodyError::FlateCorrupt(o))) if o == offset),
                "{input:?}"
            );
        }
    }
}
