//! Huffman decoding tables laid out exactly as Go's `compress/flate: huffmanDecoder`.
//!
//! The layout matters beyond speed: Go's decoder reads input bytes while the table says the
//! code may be longer than the bits it holds, so the number of bytes read before a corrupt
//! code is found (the `N` in `flate: corrupt input before offset N`) depends on the table.
//!
//! A chunk is `value << 4 | length`. Codes of up to 9 bits fill every matching slot of the
//! 512-entry table; longer codes go through a link table. Unfilled slots are 0, which the
//! decoder reports as corrupt input.

/// Width of the main table (`huffmanChunkBits`).
pub(super) const CHUNK_BITS: u32 = 9;
/// Entries in the main table (`huffmanNumChunks`).
const NUM_CHUNKS: usize = 1 << CHUNK_BITS;
/// Mask of the length part of a chunk (`huffmanCountMask`).
pub(super) const COUNT_MASK: u32 = 15;
/// Shift of the value part of a chunk (`huffmanValueShift`).
pub(super) const VALUE_SHIFT: u32 = 4;
/// Longest code plus one (`maxCodeLen`).
const MAX_CODE_LEN: usize = 16;

/// Port of `huffmanDecoder`.
#[derive(Clone, Debug)]
pub(super) struct Huffman {
    /// The shortest code length, raised by the caller for literal/length trees.
    pub(super) min: u32,
    chunks: Box<[u32; NUM_CHUNKS]>,
    links: Vec<Vec<u32>>,
    link_mask: u32,
}

impl Huffman {
    /// An empty decoder: every lookup is corrupt input.
    pub(super) fn empty() -> Huffman {
        Huffman {
            min: 0,
            chunks: Box::new([0; NUM_CHUNKS]),
            links: Vec::new(),
            link_mask: 0,
        }
    }

    /// The fixed literal/length code of RFC 1951 section 3.2.6.
    pub(super) fn fixed() -> Huffman {
        let mut lengths = [0u32; 288];
        for (symbol, length) in lengths.iter_mut().enumerate() {
            *length = match symbol {
                0..=143 => 8,
                144..=255 => 9,
                256..=279 => 7,
                _ => 8,
            };
        }
        // The fixed code is complete, so building it cannot fail.
        Huffman::build(&lengths).unwrap_or_else(Huffman::empty)
    }

    /// Port of `huffmanDecoder.init`: `None` for an over-subscribed or incomplete code
    /// (a single code of length 1 is accepted, as zlib does; an empty code is accepted and
    /// fails when used).
    pub(super) fn build(lengths: &[u32]) -> Option<Huffman> {
        let mut count = [0u32; MAX_CODE_LEN];
        let (mut min, mut max) = (0u32, 0u32);
        for &n in lengths.iter().filter(|&&n| n != 0) {
            if min == 0 || n < min {
                min = n;
            }
            max = max.max(n);
            *count.get_mut(n as usize)? += 1;
        }
        let mut huffman = Huffman::empty();
        if max == 0 {
            return Some(huffman);
        }
        let mut code = 0u32;
        let mut next_code = [0u32; MAX_CODE_LEN];
        for length in min..=max {
            code <<= 1;
            next_code[length as usize] = code;
            code += count[length as usize];
        }
        if code != 1 << max && !(code == 1 && max == 1) {
            return None;
        }
        huffman.min = min;
        if max > CHUNK_BITS {
            huffman.add_link_tables(max, &next_code)?;
        }
        for (symbol, &n) in lengths.iter().enumerate().filter(|(_, &n)| n != 0) {
            let code = next_code[n as usize];
            next_code[n as usize] += 1;
            let chunk = (symbol as u32) << VALUE_SHIFT | n;
            let reverse = u32::from(reverse16(code)) >> (16 - n);
            huffman.fill(reverse, n, chunk)?;
        }
        Some(huffman)
    }

    /// Creates the link tables for codes longer than 9 bits, and points the main table at them.
    fn add_link_tables(&mut self, max: u32, next_code: &[u32; MAX_CODE_LEN]) -> Option<()> {
        let num_links = 1usize << (max - CHUNK_BITS);
        self.link_mask = (num_links - 1) as u32;
        let link = (next_code[CHUNK_BITS as usize + 1] >> 1) as usize;
        let tables = NUM_CHUNKS.checked_sub(link)?;
        self.links = vec![vec![0; num_links]; tables];
        for j in link..NUM_CHUNKS {
            let reverse = usize::from(reverse16(j as u32) >> (16 - CHUNK_BITS));
            let off = (j - link) as u32;
            *self.chunks.get_mut(reverse)? = off << VALUE_SHIFT | (CHUNK_BITS + 1);
        }
        Some(())
    }

    /// Stores `chunk` for the bit-reversed code `reverse` of length `n`.
    fn fill(&mut self, reverse: u32, n: u32, chunk: u32) -> Option<()> {
        if n <= CHUNK_BITS {
            let mut off = reverse as usize;
            while off < NUM_CHUNKS {
                self.chunks[off] = chunk;
                off += 1 << n;
            }
            return Some(());
        }
        let table = self.chunks.get((reverse as usize) & (NUM_CHUNKS - 1))? >> VALUE_SHIFT;
        let links = self.links.get_mut(table as usize)?;
        let mut off = (reverse >> CHUNK_BITS) as usize;
        while off < links.len() {
            links[off] = chunk;
            off += 1 << (n - CHUNK_BITS);
        }
        Some(())
    }

    /// The chunk for the low bits of `bits` (`chunks[b & 511]`, then the link table).
    pub(super) fn lookup(&self, bits: u32) -> u32 {
        let chunk = self.chunks[(bits as usize) & (NUM_CHUNKS - 1)];
        if chunk & COUNT_MASK <= CHUNK_BITS {
            return chunk;
        }
        let table = (chunk >> VALUE_SHIFT) as usize;
        let index = ((bits >> CHUNK_BITS) & self.link_mask) as usize;
        // Link entries exist for every pointer the main table holds; 0 means corrupt.
        self.links
            .get(table)
            .and_then(|links| links.get(index))
            .copied()
            .unwrap_or(0)
    }
}

/// Go's `bits.Reverse16`.
fn reverse16(value: u32) -> u16 {
    (value as u16).reverse_bits()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `bits` (LSB first) with `huffman` when at least `have` bits are valid.
    fn decode(huffman: &Huffman, bits: u32) -> (u32, u32) {
        let chunk = huffman.lookup(bits);
        (chunk >> VALUE_SHIFT, chunk & COUNT_MASK)
    }

    #[test]
    fn builds_codes_like_go() {
        // Lengths 2,1,3,3 give codes 10, 0, 110, 111 (RFC 1951 example, MSB first).
        let huffman = Huffman::build(&[2, 1, 3, 3]).unwrap();
        assert_eq!(huffman.min, 1);
        assert_eq!(decode(&huffman, 0b0), (1, 1)); // "0"
        assert_eq!(decode(&huffman, 0b01), (0, 2)); // "10" read LSB first
        assert_eq!(decode(&huffman, 0b011), (2, 3)); // "110"
        assert_eq!(decode(&huffman, 0b111), (3, 3)); // "111"
    }

    #[test]
    fn accepts_and_rejects_codes_like_go() {
        let rows: &[(&[u32], bool)] = &[
            (&[1, 1], true),     // complete
            (&[1], true),        // degenerate single code of length 1
            (&[2], false),       // single code of length 2: incomplete
            (&[1, 2], false),    // incomplete
            (&[1, 1, 1], false), // over-subscribed
            (&[0, 0, 0], true),  // empty: accepted, fails when used
            (&[], true),         // empty
        ];
        for (lengths, ok) in rows {
            assert_eq!(Huffman::build(lengths).is_some(), *ok, "{lengths:?}");
        }
    }

    #[test]
    fn empty_and_degenerate_slots_are_zero() {
        assert_eq!(Huffman::build(&[0, 0]).unwrap().lookup(0), 0);
        let single = Huffman::build(&[0, 1]).unwrap();
        assert_eq!(decode(&single, 0), (1, 1)); // "0" is the code
        assert_eq!(single.lookup(1), 0); // "1" is not
    }

    #[test]
    fn long_codes_go_through_link_tables() {
        // 9 symbols of length 4 would not fit; use lengths 1..=15 plus a final 15.
        let mut lengths: Vec<u32> = (1..=15).collect();
        lengths.push(15);
        let huffman = Huffman::build(&lengths).unwrap();
        // The 15-bit codes are 111111111111110 and 111111111111111 (MSB first).
        let code = |msb_first: u32, n: u32| msb_first.reverse_bits() >> (32 - n);
        assert_eq!(decode(&huffman, code(0b111_1111_1111_1110, 15)), (14, 15));
        assert_eq!(decode(&huffman, code(0b111_1111_1111_1111, 15)), (15, 15));
        assert_eq!(decode(&huffman, code(0b10, 2)), (1, 2));
    }

    #[test]
    fn fixed_code_has_go_minimum() {
        let fixed = Huffman::fixed();
        assert_eq!(fixed.min, 7);
        // End of block is 0000000 (7 bits).
        assert_eq!(decode(&fixed, 0), (256, 7));
    }
}
