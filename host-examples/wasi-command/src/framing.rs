//! DNS over TCP framing (RFC 1035 4.2.2): each message behind a two-byte big-endian length.

/// The bytes of a length-prefixed query: the prefix, then the message.
///
/// Fails (with the wasmtime host's text) when the message is longer than a prefix can say.
pub fn frame(message: &[u8]) -> Result<Vec<u8>, String> {
    let Ok(length) = u16::try_from(message.len()) else {
        return Err(format!(
            "DNS query of {} bytes is longer than 65535",
            message.len()
        ));
    };
    let mut framed = Vec::with_capacity(message.len().saturating_add(2));
    framed.extend_from_slice(&length.to_be_bytes());
    framed.extend_from_slice(message);
    Ok(framed)
}

/// Collects one length-prefixed answer from a byte stream, never holding more than the prefix
/// and the message it announces (at most 65537 bytes).
#[derive(Debug, Default)]
pub struct Answer {
    received: Vec<u8>,
}

impl Answer {
    /// How many more bytes complete the prefix, or the message once the prefix is known.
    /// Zero when the answer is complete.
    pub fn wanted(&self) -> usize {
        match self.announced() {
            None => 2usize.saturating_sub(self.received.len()),
            Some(length) => length.saturating_add(2).saturating_sub(self.received.len()),
        }
    }

    /// Appends bytes read from the stream; bytes past the end of the message are ignored.
    pub fn push(&mut self, mut bytes: &[u8]) {
        // Each turn takes at least one byte, the prefix's or the message's: at most two turns.
        while !bytes.is_empty() && self.wanted() > 0 {
            let (now, rest) = bytes.split_at(bytes.len().min(self.wanted()));
            self.received.extend_from_slice(now);
            bytes = rest;
        }
    }

    /// The message, once all of it has arrived.
    pub fn message(&self) -> Option<&[u8]> {
        let length = self.announced()?;
        let end = length.checked_add(2)?;
        self.received.get(2..end)
    }

    /// The length the prefix announces, once both of its bytes have arrived.
    fn announced(&self) -> Option<usize> {
        match self.received.as_slice() {
            [high, low, ..] => Some(usize::from(u16::from_be_bytes([*high, *low]))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_at_the_limits() {
        let rows: [(usize, Result<[u8; 2], ()>); 5] = [
            (0, Ok([0, 0])),         // an empty message still gets its prefix
            (1, Ok([0, 1])),         // the smallest real one
            (300, Ok([1, 44])),      // both prefix bytes used
            (65535, Ok([255, 255])), // the largest a prefix can say
            (65536, Err(())),        // one more: refused, nothing sent
        ];
        for (length, expected) in rows {
            let message = vec![7u8; length];
            match (frame(&message), expected) {
                (Ok(framed), Ok(prefix)) => {
                    assert_eq!(framed.get(..2), Some(&prefix[..]), "{length}");
                    assert_eq!(framed.get(2..), Some(&message[..]), "{length}");
                }
                (Err(text), Err(())) => {
                    assert_eq!(text, "DNS query of 65536 bytes is longer than 65535")
                }
                (got, _) => panic!("{length}: {got:?}"),
            }
        }
    }

    #[test]
    fn collects_an_answer_split_at_every_byte() {
        let wire = [0u8, 3, b'a', b'b', b'c'];
        for split in 0..=wire.len() {
            let mut answer = Answer::default();
            let (first, second) = wire.split_at(split);
            answer.push(first);
            if split < wire.len() {
                // Every prefix of the wire is incomplete.
                assert_eq!(answer.message(), None, "split {split}");
                // Only the prefix is wanted until it is complete.
                let wanted = if split < 2 {
                    2 - split
                } else {
                    wire.len() - split
                };
                assert_eq!(answer.wanted(), wanted, "split {split}");
            }
            answer.push(second);
            assert_eq!(answer.message(), Some(&b"abc"[..]), "split {split}");
            assert_eq!(answer.wanted(), 0, "split {split}");
        }
    }

    /// Bytes pushed one at a time, the message then, and how many bytes are still wanted.
    type Row = (&'static [u8], Option<&'static [u8]>, usize);

    #[test]
    fn byte_by_byte_and_beyond() {
        let rows: [Row; 6] = [
            (&[], None, 2),                    // nothing yet: the prefix is wanted
            (&[0], None, 1),                   // half a prefix
            (&[0, 0], Some(&[]), 0),           // an empty message is complete at once
            (&[0, 2, 9], None, 1),             // one byte of two
            (&[0, 2, 9, 8], Some(&[9, 8]), 0), // complete
            (&[0, 1, 5, 6, 7], Some(&[5]), 0), // extra bytes are not kept
        ];
        for (bytes, message, wanted) in rows {
            let mut answer = Answer::default();
            for byte in bytes {
                answer.push(std::slice::from_ref(byte));
            }
            assert_eq!(answer.message(), message, "{bytes:?}");
            assert_eq!(answer.wanted(), wanted, "{bytes:?}");
        }
    }

    #[test]
    fn the_largest_answer() {
        let mut answer = Answer::default();
        answer.push(&[255, 255]);
        assert_eq!(answer.wanted(), 65535);
        answer.push(&vec![1u8; 70000]);
        assert_eq!(answer.message().map(<[u8]>::len), Some(65535));
        assert_eq!(answer.wanted(), 0);
    }
}
