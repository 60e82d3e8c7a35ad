//! A small, bounded DER reader: the subset of Go's `golang.org/x/crypto/cryptobyte` ASN.1
//! reading that certificate parsing needs.
//!
//! Like cryptobyte it accepts single-byte tags only, definite lengths in their shortest form
//! (at most four length bytes), and never reads past its input: every step either consumes
//! a whole element or fails without panicking.

/// The input was not the DER expected; Go's parser fails at the same point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DerError;

/// Universal and context-specific tags used by X.509.
pub(crate) mod tag {
    /// BOOLEAN.
    pub(crate) const BOOLEAN: u8 = 0x01;
    /// INTEGER.
    pub(crate) const INTEGER: u8 = 0x02;
    /// BIT STRING.
    pub(crate) const BIT_STRING: u8 = 0x03;
    /// OCTET STRING.
    pub(crate) const OCTET_STRING: u8 = 0x04;
    /// OBJECT IDENTIFIER.
    pub(crate) const OID: u8 = 0x06;
    /// UTCTime.
    pub(crate) const UTC_TIME: u8 = 0x17;
    /// GeneralizedTime.
    pub(crate) const GENERALIZED_TIME: u8 = 0x18;
    /// SEQUENCE (constructed).
    pub(crate) const SEQUENCE: u8 = 0x30;
    /// SET (constructed).
    pub(crate) const SET: u8 = 0x31;

    /// `[n]` context-specific, constructed.
    pub(crate) const fn explicit(n: u8) -> u8 {
        0xa0 | n
    }

    /// `[n]` context-specific, primitive.
    pub(crate) const fn implicit(n: u8) -> u8 {
        0x80 | n
    }
}

/// One element: its tag, its contents and its whole encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Element<'a> {
    /// The identifier octet.
    pub(crate) tag: u8,
    /// The contents octets.
    pub(crate) contents: &'a [u8],
    /// Identifier, length and contents.
    pub(crate) raw: &'a [u8],
}

/// Reads elements from the front of a byte string.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reader<'a> {
    input: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `input`.
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Reader { input }
    }

    /// True when everything has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.input.is_empty()
    }

    /// The tag of the next element, if any.
    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.input.first().copied()
    }

    /// Port of cryptobyte's `ReadAnyASN1Element`: the next element, whatever its tag.
    pub(crate) fn read_any(&mut self) -> Result<Element<'a>, DerError> {
        let (&tag, rest) = self.input.split_first().ok_or(DerError)?;
        if tag & 0x1f == 0x1f {
            return Err(DerError); // high-tag-number form: not supported by cryptobyte either
        }
        let (&first, rest) = rest.split_first().ok_or(DerError)?;
        let (length, rest) = if first & 0x80 == 0 {
            (usize::from(first), rest)
        } else {
            long_length(first & 0x7f, rest)?
        };
        let header = self.input.len() - rest.len();
        if rest.len() < length {
            return Err(DerError);
        }
        let total = header.checked_add(length).ok_or(DerError)?;
        let (raw, remaining) = self.input.split_at(total);
        self.input = remaining;
        Ok(Element {
            tag,
            contents: &raw[header..],
            raw,
        })
    }

    /// The next element, which must have `tag`.
    pub(crate) fn read_element(&mut self, tag: u8) -> Result<Element<'a>, DerError> {
        if self.peek_tag() != Some(tag) {
            return Err(DerError);
        }
        self.read_any()
    }

    /// The contents of the next element, which must have `tag`.
    pub(crate) fn read(&mut self, tag: u8) -> Result<&'a [u8], DerError> {
        self.read_element(tag).map(|element| element.contents)
    }

    /// The contents of the next element if it has `tag`; nothing is read otherwise.
    pub(crate) fn read_optional(&mut self, tag: u8) -> Result<Option<&'a [u8]>, DerError> {
        if self.peek_tag() == Some(tag) {
            self.read(tag).map(Some)
        } else {
            Ok(None)
        }
    }

    /// A nested reader over the contents of the next element, which must have `tag`.
    pub(crate) fn nested(&mut self, tag: u8) -> Result<Reader<'a>, DerError> {
        self.read(tag).map(Reader::new)
    }

    /// An INTEGER's contents, checked as cryptobyte's `checkASN1Integer` does: not empty, and
    /// in its shortest two's-complement form.
    pub(crate) fn read_integer(&mut self) -> Result<&'a [u8], DerError> {
        let bytes = self.read(tag::INTEGER)?;
        match bytes {
            [] => Err(DerError),
            [0x00, next, ..] if next & 0x80 == 0 => Err(DerError),
            [0xff, next, ..] if next & 0x80 != 0 => Err(DerError),
            _ => Ok(bytes),
        }
    }

    /// A BIT STRING with no unused bits set, as cryptobyte's `ReadASN1BitString` reads it;
    /// returns the bytes after the unused-bits octet.
    pub(crate) fn read_bit_string(&mut self) -> Result<&'a [u8], DerError> {
        let contents = self.read(tag::BIT_STRING)?;
        let (&unused, bytes) = contents.split_first().ok_or(DerError)?;
        let last = bytes.last().copied().unwrap_or(0);
        if unused > 7 || (bytes.is_empty() && unused > 0) || last & ((1u8 << unused) - 1) != 0 {
            return Err(DerError);
        }
        Ok(bytes)
    }

    /// A BOOLEAN: 0x00 or 0xff only.
    pub(crate) fn read_boolean(&mut self) -> Result<bool, DerError> {
        match self.read(tag::BOOLEAN)? {
            [0x00] => Ok(false),
            [0xff] => Ok(true),
            _ => Err(DerError),
        }
    }

    /// An OBJECT IDENTIFIER's contents, checked as cryptobyte checks it: not empty, every
    /// arc in shortest base-128 form and no larger than 2^31 - 1.
    pub(crate) fn read_oid(&mut self) -> Result<&'a [u8], DerError> {
        let bytes = self.read(tag::OID)?;
        if bytes.is_empty() || bytes.last().is_some_and(|b| b & 0x80 != 0) {
            return Err(DerError);
        }
        let mut arc: u32 = 0;
        let mut start = true;
        for &byte in bytes {
            if start && byte == 0x80 {
                return Err(DerError); // a leading 0x80 is not the shortest form
            }
            arc = arc
                .checked_mul(128)
                .and_then(|a| a.checked_add(u32::from(byte & 0x7f)))
                .filter(|a| *a <= i32::MAX as u32)
                .ok_or(DerError)?;
            start = byte & 0x80 == 0;
            if start {
                arc = 0;
            }
        }
        Ok(bytes)
    }
}

/// The long form of a length: 1 to 4 bytes, no leading zero, at least 128.
fn long_length(count: u8, input: &[u8]) -> Result<(usize, &[u8]), DerError> {
    if count == 0 || count > 4 || input.len() < usize::from(count) {
        return Err(DerError);
    }
    let (bytes, rest) = input.split_at(usize::from(count));
    if bytes.first() == Some(&0) {
        return Err(DerError);
    }
    let length = bytes.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
    if length < 128 {
        return Err(DerError);
    }
    let length = usize::try_from(length).map_err(|_| DerError)?;
    Ok((length, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_like_cryptobyte() {
        let long = [vec![0x04, 0x81, 0x80], vec![0; 128]].concat();
        let rows: [(&[u8], Option<usize>); 9] = [
            (&[0x04, 0x00], Some(0)),             // empty contents
            (&[0x04, 0x01, 0xaa], Some(1)),       // short form
            (&long, Some(128)),                   // long form at the smallest legal value
            (&[0x04, 0x81, 0x7f], None),          // long form for a short length
            (&[0x04, 0x82, 0x00, 0x80], None),    // leading zero length byte
            (&[0x04, 0x80], None),                // indefinite length
            (&[0x04, 0x85, 1, 0, 0, 0, 0], None), // five length bytes
            (&[0x04, 0x02, 0xaa], None),          // contents cut short
            (&[0x1f, 0x01, 0x00], None),          // high-tag-number form
        ];
        for (input, expected) in rows {
            let got = Reader::new(input).read_any().ok().map(|e| e.contents.len());
            assert_eq!(got, expected, "{input:02x?}");
        }
    }

    #[test]
    fn every_prefix_of_an_element_fails() {
        let whole = [0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0xff];
        assert!(Reader::new(&whole).read_any().is_ok());
        for cut in 0..whole.len() {
            assert!(Reader::new(&whole[..cut]).read_any().is_err(), "{cut}");
        }
    }

    #[test]
    fn integers_bits_booleans_and_oids() {
        let ok = |input: &[u8], f: fn(&mut Reader) -> bool| f(&mut Reader::new(input));
        let int = |r: &mut Reader| r.read_integer().is_ok();
        let bits = |r: &mut Reader| r.read_bit_string().is_ok();
        let boolean = |r: &mut Reader| r.read_boolean().is_ok();
        let oid = |r: &mut Reader| r.read_oid().is_ok();
        type Read = fn(&mut Reader) -> bool;
        let rows: [(&[u8], Read, bool); 15] = [
            (&[0x02, 0x01, 0x00], int, true),                          // zero
            (&[0x02, 0x02, 0x00, 0x80], int, true),                    // 128 needs its leading zero
            (&[0x02, 0x02, 0x00, 0x7f], int, false),                   // needless leading zero
            (&[0x02, 0x02, 0xff, 0x80], int, false),                   // needless leading 0xff
            (&[0x02, 0x00], int, false),                               // empty
            (&[0x03, 0x02, 0x00, 0xff], bits, true),                   // no unused bits
            (&[0x03, 0x02, 0x01, 0xfe], bits, true),                   // one unused bit, clear
            (&[0x03, 0x02, 0x01, 0xff], bits, false),                  // unused bit set
            (&[0x03, 0x01, 0x01], bits, false),                        // unused bits with no byte
            (&[0x01, 0x01, 0xff], boolean, true),                      // TRUE
            (&[0x01, 0x01, 0x01], boolean, false),                     // not DER
            (&[0x06, 0x03, 0x55, 0x1d, 0x11], oid, true),              // 2.5.29.17
            (&[0x06, 0x02, 0x80, 0x01], oid, false),                   // non-minimal arc
            (&[0x06, 0x01, 0x81], oid, false),                         // unterminated arc
            (&[0x06, 0x05, 0x88, 0x80, 0x80, 0x80, 0x00], oid, false), // arc over 2^31
        ];
        for (input, f, expected) in rows {
            assert_eq!(ok(input, f), expected, "{input:02x?}");
        }
    }
}
