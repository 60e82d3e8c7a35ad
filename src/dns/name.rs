//! Domain names on the wire (RFC 1035 §3.1, §4.1.4).
//!
//! ```text
//! name  = *label root
//! label = len(1..=63) octets          top two bits of len: 00
//! ptr   = 11 offset(14 bits)          "the rest of the name is at offset"
//! root  = 0x00
//! ```
//!
//! Encoding never compresses. Decoding follows compression pointers, but only
//! backwards: every pointer must land before the start of the stretch of
//! labels that contains it, so the walk always makes progress towards offset 0
//! and cannot loop.

use std::fmt::{self, Write};

/// Longest label, in octets (RFC 1035 §2.3.4).
pub const MAX_LABEL_LEN: usize = 63;

/// Longest name in wire form, in octets, including length bytes and the root
/// (RFC 1035 §2.3.4).
pub const MAX_NAME_LEN: usize = 255;

/// Most compression pointers followed for one name. miekg/dns uses the same
/// bound (`maxCompressionPointers` = 126): a legal name has at most 127 labels.
pub const MAX_POINTERS: usize = 126;

/// Why a name could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    /// The name is empty (or only the root `.`): there is nothing to look up.
    Empty,
    /// Two dots in a row, or a leading dot.
    EmptyLabel,
    /// A label is longer than [`MAX_LABEL_LEN`] octets.
    LabelTooLong {
        /// Length of the offending label.
        len: usize,
    },
    /// The wire form is longer than [`MAX_NAME_LEN`] octets.
    NameTooLong {
        /// Wire length reached when the limit was crossed.
        len: usize,
    },
    /// A backslash: escapes in presentation form are not supported.
    Escape,
    /// The message ended inside the name.
    Truncated {
        /// Offset that could not be read.
        offset: usize,
    },
    /// A length byte starting with `01` or `10` (reserved label types).
    ReservedLabelType {
        /// Offset of the length byte.
        offset: usize,
        /// The length byte.
        byte: u8,
    },
    /// A compression pointer to an offset outside the message.
    PointerOutOfRange {
        /// Offset of the pointer.
        offset: usize,
        /// Where it points.
        target: usize,
    },
    /// A compression pointer that does not point backwards (forward pointers
    /// and loops).
    PointerNotBackward {
        /// Offset of the pointer.
        offset: usize,
        /// Where it points.
        target: usize,
    },
    /// More than [`MAX_POINTERS`] compression pointers in one name.
    TooManyPointers,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "empty domain name"),
            Self::EmptyLabel => write!(f, "empty label in domain name"),
            Self::LabelTooLong { len } => {
                write!(f, "label of {len} octets (limit {MAX_LABEL_LEN})")
            }
            Self::NameTooLong { len } => {
                write!(f, "name of {len} octets (limit {MAX_NAME_LEN})")
            }
            Self::Escape => write!(f, "escapes are not supported in domain names"),
            Self::Truncated { offset } => write!(f, "name truncated at offset {offset}"),
            Self::ReservedLabelType { offset, byte } => {
                write!(f, "reserved label type {byte:#04x} at offset {offset}")
            }
            Self::PointerOutOfRange { offset, target } => {
                write!(f, "pointer at {offset} to {target} is outside the message")
            }
            Self::PointerNotBackward { offset, target } => {
                write!(
                    f,
                    "pointer at {offset} to {target} does not point backwards"
                )
            }
            Self::TooManyPointers => {
                write!(f, "more than {MAX_POINTERS} compression pointers")
            }
        }
    }
}

impl std::error::Error for NameError {}

/// Appends the uncompressed wire form of `name` to `out`.
///
/// `name` is dotted text with an optional trailing dot. Each label is copied
/// byte for byte (no IDNA, no case change). On error `out` is left unchanged.
pub fn encode_name(name: &str, out: &mut Vec<u8>) -> Result<(), NameError> {
    let text = name.strip_suffix('.').unwrap_or(name);
    if text.is_empty() {
        return Err(NameError::Empty);
    }
    if text.contains('\\') {
        return Err(NameError::Escape);
    }
    let mut wire = Vec::with_capacity(text.len().saturating_add(2));
    for label in text.split('.') {
        if label.is_empty() {
            return Err(NameError::EmptyLabel);
        }
        let len = u8::try_from(label.len())
            .ok()
            .filter(|len| usize::from(*len) <= MAX_LABEL_LEN)
            .ok_or(NameError::LabelTooLong { len: label.len() })?;
        wire.push(len);
        wire.extend_from_slice(label.as_bytes());
    }
    wire.push(0);
    if wire.len() > MAX_NAME_LEN {
        return Err(NameError::NameTooLong { len: wire.len() });
    }
    out.extend_from_slice(&wire);
    Ok(())
}

/// Reads the name starting at `offset` in `msg`.
///
/// Returns the name as text and the offset just after it in place (after the
/// root byte, or after the first pointer). The text has no trailing dot (the
/// root name is `""`), keeps the case of the wire, and escapes like miekg/dns
/// `UnpackDomainName`: `. space ' @ ; ( ) " \` get a backslash, other bytes
/// outside `' '..='~'` become `\DDD`.
pub fn decode_name(msg: &[u8], offset: usize) -> Result<(String, usize), NameError> {
    let mut text = String::new();
    let mut pos = offset;
    let mut segment_start = offset;
    let mut end_in_place = None;
    let mut wire_len: usize = 1; // the root byte
    let mut pointers: usize = 0;
    loop {
        let len = *msg.get(pos).ok_or(NameError::Truncated { offset: pos })?;
        match len & 0xC0 {
            0x00 if len == 0 => break,
            0x00 => {
                let start = pos.saturating_add(1);
                let stop = start.saturating_add(usize::from(len));
                let label = msg
                    .get(start..stop)
                    .ok_or(NameError::Truncated { offset: msg.len() })?;
                wire_len = wire_len.saturating_add(usize::from(len) + 1);
                if wire_len > MAX_NAME_LEN {
                    return Err(NameError::NameTooLong { len: wire_len });
                }
                if !text.is_empty() {
                    text.push('.');
                }
                for &b in label {
                    push_name_byte(&mut text, b);
                }
                pos = stop;
            }
            0xC0 => {
                let target = pointer_target(msg, pos, segment_start)?;
                pointers = pointers.saturating_add(1);
                if pointers > MAX_POINTERS {
                    return Err(NameError::TooManyPointers);
                }
                end_in_place.get_or_insert(pos.saturating_add(2));
                segment_start = target;
                pos = target;
            }
            _ => {
                return Err(NameError::ReservedLabelType {
                    offset: pos,
                    byte: len,
                })
            }
        }
    }
    Ok((text, end_in_place.unwrap_or(pos.saturating_add(1))))
}

/// Where the compression pointer at `pos` leads. It must point before
/// `segment_start`, the first byte of the run of labels it ends, so that
/// every jump lands strictly earlier than the one before.
fn pointer_target(msg: &[u8], pos: usize, segment_start: usize) -> Result<usize, NameError> {
    let pointer = msg
        .get(pos..pos.saturating_add(2))
        .and_then(|bytes| <[u8; 2]>::try_from(bytes).ok())
        .ok_or(NameError::Truncated {
            offset: pos.saturating_add(1),
        })?;
    let target = usize::from(u16::from_be_bytes(pointer) & 0x3FFF);
    if target >= msg.len() {
        return Err(NameError::PointerOutOfRange {
            offset: pos,
            target,
        });
    }
    if target >= segment_start {
        return Err(NameError::PointerNotBackward {
            offset: pos,
            target,
        });
    }
    Ok(target)
}

/// The text form a name takes after a trip through the wire: what
/// [`decode_name`] gives for what [`encode_name`] writes.
pub fn canonical_name(name: &str) -> Result<String, NameError> {
    let mut wire = Vec::new();
    encode_name(name, &mut wire)?;
    decode_name(&wire, 0).map(|(text, _)| text)
}

/// Appends one label byte in miekg/dns presentation form.
fn push_name_byte(out: &mut String, b: u8) {
    match b {
        b'.' | b' ' | b'\'' | b'@' | b';' | b'(' | b')' | b'"' | b'\\' => {
            out.push('\\');
            out.push(char::from(b));
        }
        b' '..=b'~' => out.push(char::from(b)),
        _ => push_ddd(out, b),
    }
}

/// Appends `\DDD` (three decimal digits), miekg/dns `escapeByte`.
pub(super) fn push_ddd(out: &mut String, b: u8) {
    // Writing to a `String` cannot fail.
    let _ = write!(out, "\\{b:03}");
}

#[cfg(test)]
mod tests;
