//! A bounds-checked cursor over a received message. Every read either
//! returns the bytes or [`DecodeError::Truncated`]; nothing indexes directly.

use super::decode_error::DecodeError;
use super::name::{decode_name, NameError};

/// Reads big-endian fields from a message, front to back.
pub(super) struct Reader<'a> {
    msg: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at offset 0 of `msg`.
    pub(super) fn new(msg: &'a [u8]) -> Self {
        Self { msg, pos: 0 }
    }

    /// The whole message (names may point anywhere before the cursor).
    pub(super) fn msg(&self) -> &'a [u8] {
        self.msg
    }

    /// Current offset.
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes not read yet.
    pub(super) fn remaining(&self) -> usize {
        self.msg.len().saturating_sub(self.pos)
    }

    /// The next `n` bytes.
    pub(super) fn bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.saturating_add(n);
        let bytes = self.msg.get(self.pos..end).ok_or(DecodeError::Truncated {
            offset: self.msg.len().min(end),
        })?;
        self.pos = end;
        Ok(bytes)
    }

    /// The next `N` bytes as an array.
    pub(super) fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let offset = self.pos;
        let bytes = self.bytes(N)?;
        <[u8; N]>::try_from(bytes).map_err(|_| DecodeError::Truncated { offset })
    }

    /// A big-endian 16-bit field.
    pub(super) fn u16(&mut self) -> Result<u16, DecodeError> {
        self.array().map(u16::from_be_bytes)
    }

    /// A big-endian 32-bit field.
    pub(super) fn u32(&mut self) -> Result<u32, DecodeError> {
        self.array().map(u32::from_be_bytes)
    }

    /// A domain name, possibly compressed. A name cut off by the end of the
    /// message is [`DecodeError::Truncated`], like any other field.
    pub(super) fn name(&mut self) -> Result<String, DecodeError> {
        let (name, end) = decode_name(self.msg, self.pos).map_err(|error| match error {
            NameError::Truncated { offset } => DecodeError::Truncated { offset },
            other => DecodeError::Name(other),
        })?;
        self.pos = end;
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_stops_at_the_end() {
        let mut r = Reader::new(b"\x01\x02\x03\x04\x05\x06\x07");
        assert_eq!(r.bytes(1), Ok(&b"\x01"[..]));
        assert_eq!(r.u16(), Ok(0x0203));
        assert_eq!(r.remaining(), 4);
        // 4 bytes left, 5 asked: the cursor does not move
        assert_eq!(r.bytes(5), Err(DecodeError::Truncated { offset: 7 }));
        assert_eq!(r.pos(), 3);
        assert_eq!(r.u32(), Ok(0x0405_0607));
        assert_eq!(r.u16(), Err(DecodeError::Truncated { offset: 7 }));
        // a huge length cannot overflow
        assert_eq!(
            r.bytes(usize::MAX),
            Err(DecodeError::Truncated { offset: 7 })
        );
    }
}
