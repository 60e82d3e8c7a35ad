//! Distinguished names as Go's `crypto/x509` parses them: port of `parser.go: parseName`,
//! `readASN1Any` and `parseASN1String`, keeping the subject's CommonName.

use super::asn1_time::valid_time;
use super::der::{tag, Element, Reader};
use super::x509::{ParseError, OID_COMMON_NAME};

/// Port of `parseName` plus `FillFromRDNSequence`'s CommonName: the last string CN.
pub(crate) fn parse_name(raw: &[u8]) -> Result<Option<String>, ParseError> {
    let invalid = ParseError("x509: invalid RDNSequence");
    let mut sequence = Reader::new(raw)
        .nested(tag::SEQUENCE)
        .map_err(|_| invalid.clone())?;
    let mut common_name = None;
    while !sequence.is_empty() {
        let mut set = sequence.nested(tag::SET).map_err(|_| invalid.clone())?;
        while !set.is_empty() {
            let mut attribute = set.nested(tag::SEQUENCE).map_err(|_| invalid.clone())?;
            let oid = attribute.read_oid().map_err(|_| invalid.clone())?;
            let value = attribute.read_any().map_err(|_| invalid.clone())?;
            let text = attribute_value(value).ok_or(invalid.clone())?;
            if let (true, Some(text)) = (oid == OID_COMMON_NAME, text) {
                common_name = Some(text);
            }
        }
    }
    Ok(common_name)
}

/// Port of `readASN1Any`: `None` when Go refuses the value, `Some(None)` for a valid
/// non-string value, `Some(Some(text))` for a string.
fn attribute_value(value: Element<'_>) -> Option<Option<String>> {
    let bytes = value.contents;
    let text = match value.tag {
        0x14 => bytes.iter().map(|b| char::from(*b)).collect(), // T61String as Latin-1
        0x13 if bytes.iter().all(|b| is_printable(*b)) => ascii(bytes),
        0x0c => String::from_utf8(bytes.to_vec()).ok()?,
        0x1e => bmp_string(bytes)?,
        0x16 if bytes.is_ascii() => ascii(bytes),
        0x12 if bytes.iter().all(|b| b.is_ascii_digit() || *b == b' ') => ascii(bytes),
        0x13 | 0x16 | 0x12 => return None,
        tag::INTEGER if bytes.len() > 8 => return None,
        tag::INTEGER | tag::BIT_STRING | tag::BOOLEAN | tag::OID => {
            let mut reader = Reader::new(value.raw);
            let ok = match value.tag {
                tag::INTEGER => reader.read_integer().is_ok(),
                tag::BIT_STRING => reader.read_bit_string().is_ok(),
                tag::BOOLEAN => reader.read_boolean().is_ok(),
                _ => reader.read_oid().is_ok(),
            };
            return ok.then_some(None);
        }
        tag::UTC_TIME | tag::GENERALIZED_TIME => {
            return valid_time(value.tag, bytes).then_some(None)
        }
        _ => return Some(None),
    };
    Some(Some(text))
}

/// The PrintableString set, with the `*` and `&` Go tolerates.
fn is_printable(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b" '()+,-./:=?*&".contains(&b)
}

pub(crate) fn ascii(bytes: &[u8]) -> String {
    bytes.iter().map(|b| char::from(*b)).collect()
}

/// A BMPString (UCS-2) without surrogates or noncharacters; a trailing NUL is dropped.
fn bmp_string(bytes: &[u8]) -> Option<String> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let bytes = bytes.strip_suffix(&[0, 0]).unwrap_or(bytes);
    let mut text = String::with_capacity(bytes.len() / 2);
    for pair in bytes.chunks_exact(2) {
        let point = u16::from_be_bytes([pair[0], pair[1]]);
        if point >= 0xfffe || (0xfdd0..=0xfdef).contains(&point) {
            return None;
        }
        text.push(char::from_u32(u32::from(point))?); // surrogates fail here
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn element(tag: u8, contents: &[u8]) -> Element<'_> {
        Element {
            tag,
            contents,
            raw: contents,
        }
    }

    #[test]
    fn string_types_like_go() {
        type Expected<'a> = Option<Option<&'a str>>; // None: refused; Some(None): not a string
        let rows: [(u8, &[u8], Expected); 10] = [
            (0x0c, "é".as_bytes(), Some(Some("é"))), // UTF8String
            (0x0c, b"\xff", None),                   // invalid UTF-8
            (0x13, b"a-b.c", Some(Some("a-b.c"))),   // PrintableString
            (0x13, b"a_b", None),                    // '_' is not printable
            (0x14, b"\xe9", Some(Some("é"))),        // T61String read as Latin-1
            (0x16, b"a@b", Some(Some("a@b"))),       // IA5String
            (0x16, b"\x80", None),                   // not IA5
            (0x12, b"12 3", Some(Some("12 3"))),     // NumericString
            (0x1e, &[0x00, 0x41, 0x00, 0x00], Some(Some("A"))), // BMPString, NUL dropped
            (0x1e, &[0x00], None),                   // odd length
        ];
        for (tag, bytes, expected) in rows {
            let got = attribute_value(element(tag, bytes));
            assert_eq!(
                got,
                expected.map(|o| o.map(str::to_string)),
                "{tag:#x} {bytes:?}"
            );
        }
    }
}
