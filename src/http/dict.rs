//! The DEFLATE history window: a port of `compress/flate: dictDecoder` (`dict_decoder.go`).
//!
//! Go's decoder writes its output into a 32 KiB circular buffer. Copies reach back into it,
//! and when it is full Go hands its contents to the reader (a flush) and starts it over; the
//! flush points matter for the body limit (see `body.rs`), so they are kept exactly.

use super::inflate::{Flow, Output};

/// Go's window size (`maxMatchOffset`).
pub(super) const WINDOW: usize = 1 << 15;

/// The window.
pub(super) struct Dict {
    hist: Box<[u8; WINDOW]>,
    written: usize,
    full: bool,
}

impl Dict {
    /// An empty window (Go's `dict.init(maxMatchOffset, nil)`).
    pub(super) fn new() -> Dict {
        Dict {
            hist: Box::new([0; WINDOW]),
            written: 0,
            full: false,
        }
    }

    /// Port of `histSize`: how far back a copy may reach.
    pub(super) fn history(&self) -> usize {
        if self.full {
            WINDOW
        } else {
            self.written
        }
    }

    /// Room before the window is full (never 0 between calls: a full window is flushed).
    pub(super) fn room(&self) -> usize {
        WINDOW - self.written
    }

    /// Port of `writeByte`, with the flush Go does when the window fills.
    pub(super) fn write_byte(&mut self, byte: u8, out: &mut impl Output) -> Flow {
        self.hist[self.written] = byte;
        self.written += 1;
        out.write(&[byte]);
        self.flush_if_full(out)
    }

    /// Port of `writeCopy`: copies up to `length` bytes from `dist` back, stopping early when
    /// the window fills. Returns the bytes copied and the flow after a flush.
    pub(super) fn write_copy(
        &mut self,
        dist: usize,
        length: usize,
        out: &mut impl Output,
    ) -> (usize, Flow) {
        let start = self.written;
        let count = length.min(self.room());
        for _ in 0..count {
            // A forward copy: overlapping copies repeat the bytes just written, as LZ77 wants.
            let from = (self.written + WINDOW - dist % WINDOW) % WINDOW;
            self.hist[self.written] = self.hist[from];
            self.written += 1;
        }
        out.write(&self.hist[start..self.written]);
        (count, self.flush_if_full(out))
    }

    /// Port of `writeSlice` and `writeMark`: stored bytes, as many as fit.
    pub(super) fn write_slice(&mut self, bytes: &[u8], out: &mut impl Output) -> (usize, Flow) {
        let count = bytes.len().min(self.room());
        let start = self.written;
        self.hist[start..start + count].copy_from_slice(&bytes[..count]);
        self.written += count;
        out.write(&self.hist[start..self.written]);
        (count, self.flush_if_full(out))
    }

    /// When the window is full Go flushes it (`readFlush`) and starts it over.
    fn flush_if_full(&mut self, out: &mut impl Output) -> Flow {
        if self.written < WINDOW {
            return Flow::Continue;
        }
        self.written = 0;
        self.full = true;
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records writes and flush positions.
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
            self.flushes.push(self.bytes.len());
            Flow::Continue
        }
    }

    #[test]
    fn copies_overlap_forward() {
        let mut dict = Dict::new();
        let mut out = Record::default();
        dict.write_slice(b"ab", &mut out);
        assert_eq!(dict.write_copy(2, 5, &mut out), (5, Flow::Continue));
        assert_eq!(out.bytes, b"abababa");
        assert_eq!(dict.history(), 7);
    }

    #[test]
    fn flushes_when_full_and_wraps() {
        let mut dict = Dict::new();
        let mut out = Record::default();
        let block = vec![7u8; WINDOW - 1];
        assert_eq!(
            dict.write_slice(&block, &mut out),
            (WINDOW - 1, Flow::Continue)
        );
        assert!(out.flushes.is_empty());
        dict.write_byte(9, &mut out); // the 32768th byte fills the window
        assert_eq!(out.flushes, vec![WINDOW]);
        assert_eq!(dict.history(), WINDOW); // full history from now on
                                            // A copy across the wrap reads the end of the previous window.
        assert_eq!(dict.write_copy(2, 3, &mut out), (3, Flow::Continue));
        assert_eq!(&out.bytes[WINDOW..], &[7, 9, 7]);
        // A copy stops at the window's end and reports how much it did.
        let mut dict = Dict::new();
        let mut out = Record::default();
        dict.write_slice(&vec![1u8; WINDOW - 2], &mut out);
        assert_eq!(dict.write_copy(1, 10, &mut out), (2, Flow::Continue));
        assert_eq!(out.flushes, vec![WINDOW]);
    }
}
