//! Go's `strconv.Quote` (the `%q` verb) for byte strings that may hold invalid UTF-8.
//!
//! Boulder shows response bodies and Go shows malformed lines with `%q`, so the checker must
//! escape exactly as Go does: `\"` and `\\`, the C escapes `\a \b \f \n \r \t \v`, `\xff` for
//! each byte that is not part of valid UTF-8 and for ASCII controls, and `\u00a0` / `\U0001f600`
//! for runes Go does not consider printable.
//!
//! # The printable test
//!
//! Go keeps a rune as it is when `strconv.IsPrint` (equal to `unicode.IsPrint`) says yes: letters,
//! marks, numbers, punctuation, symbols and U+0020. Go decides with Unicode tables of a few
//! kilobytes. Here the same decision is made from std's classification plus small ranges:
//! a rune is escaped when it is a control (`char::is_control`), a space other than U+0020
//! (`char::is_whitespace`, which covers the Zs, Zl and Zp categories), a format character (Cf,
//! listed below), a private-use character (Co) or a noncharacter. The one approximation:
//! code points unassigned in Unicode (Cn, other than noncharacters) are treated as printable,
//! where Go escapes them. ASCII is exact.

use std::fmt::Write as _;

/// Port of Go's `strconv.Quote` applied to `string(bytes)`: the `%q` of a byte string.
pub fn go_quote(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().saturating_add(2));
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for rune in chunk.valid().chars() {
            push_escaped_rune(&mut out, rune);
        }
        // Go decodes an invalid byte as RuneError of width 1 and shows it as `\x..`; every
        // byte of an invalid sequence is such a byte, because Go restarts decoding after it.
        for byte in chunk.invalid() {
            push_hex_byte(&mut out, *byte);
        }
    }
    out.push('"');
    out
}

/// Go's bytes as valid UTF-8 the way Go's `encoding/json` makes them: each byte that is not
/// part of valid UTF-8 becomes U+FFFD (where Rust's lossy conversion replaces a whole invalid
/// sequence with one).
pub(super) fn go_lossy(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for _ in chunk.invalid() {
            out.push(char::REPLACEMENT_CHARACTER);
        }
    }
    out
}

/// Go's `%q` of a `[]string`: `["a" "b"]`.
pub fn go_quote_list<T: AsRef<[u8]>>(items: &[T]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| go_quote(item.as_ref())).collect();
    format!("[{}]", quoted.join(" "))
}

/// Port of `strconv.appendEscapedRune` with `quote = '"'`, `ASCIIonly = graphicOnly = false`.
fn push_escaped_rune(out: &mut String, rune: char) {
    if rune == '"' || rune == '\\' {
        out.push('\\');
        out.push(rune);
        return;
    }
    if is_print(rune) {
        out.push(rune);
        return;
    }
    match rune {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        _ => {
            let code = u32::from(rune);
            if code < 0x20 || code == 0x7f {
                // Both are ASCII, so the byte conversion is lossless.
                push_hex_byte(out, code as u8);
            } else if code < 0x10000 {
                let _ = write!(out, "\\u{code:04x}");
            } else {
                let _ = write!(out, "\\U{code:08x}");
            }
        }
    }
}

/// Go's `\x..` escape, with lower-case hex digits.
fn push_hex_byte(out: &mut String, byte: u8) {
    let _ = write!(out, "\\x{byte:02x}");
}

/// Go's `strconv.IsPrint`, approximated as the module documentation explains.
fn is_print(rune: char) -> bool {
    if rune == ' ' {
        return true;
    }
    !(rune.is_control()
        || rune.is_whitespace()
        || is_format(rune)
        || is_private_use(rune)
        || is_noncharacter(rune))
}

/// The Unicode 15 format characters (general category Cf), which Go escapes.
const FORMAT_RANGES: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

/// Whether `rune` is a format character (Cf).
fn is_format(rune: char) -> bool {
    let code = u32::from(rune);
    FORMAT_RANGES
        .iter()
        .any(|&(low, high)| (low..=high).contains(&code))
}

/// Whether `rune` is a private-use character (Co).
fn is_private_use(rune: char) -> bool {
    matches!(u32::from(rune), 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
}

/// Whether `rune` is one of the 66 noncharacters (unassigned, so not printable in Go).
fn is_noncharacter(rune: char) -> bool {
    let code = u32::from(rune);
    (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_go() {
        // (input, Go's strconv.Quote of string(input))
        let rows: &[(&[u8], &str)] = &[
            (b"", r#""""#),                                       // empty
            (b"abc", r#""abc""#),                                 // plain ASCII
            (b"a\"b\\c", r#""a\"b\\c""#),                         // the two always-escaped
            (b"\x07\x08\x0c\n\r\t\x0b", r#""\a\b\f\n\r\t\v""#),   // C escapes
            (b"\x00\x01\x1f\x7f", r#""\x00\x01\x1f\x7f""#),       // other ASCII controls
            (b" ~", r#"" ~""#),                                   // ASCII printable edges
            (b"'", r#""'""#),                                     // single quote is not escaped
            (b"\xff", r#""\xff""#),                               // invalid byte
            (b"\xef\xffAABBCC", r#""\xef\xffAABBCC""#), // TestHTTPKeyAuthorizationFileMismatch
            (b"\xe2\x82", r#""\xe2\x82""#),             // truncated sequence: byte by byte
            (b"\xe2\x82A", r#""\xe2\x82A""#),           // truncated then ASCII
            (b"\xed\xa0\x80", r#""\xed\xa0\x80""#),     // surrogate encodings are invalid
            (b"\xc0\xaf", r#""\xc0\xaf""#),             // overlong encoding is invalid
            ("é€😀".as_bytes(), "\"é€😀\""),            // printable non-ASCII kept
            ("\u{a0}".as_bytes(), r#""\u00a0""#),       // NO-BREAK SPACE
            ("\u{85}".as_bytes(), r#""\u0085""#),       // NEL is a C1 control
            ("\u{2028}\u{3000}".as_bytes(), r#""\u2028\u3000""#), // Zl and Zs
            (
                "\u{200b}\u{feff}\u{ad}".as_bytes(),
                r#""\u200b\ufeff\u00ad""#,
            ), // Cf
            ("\u{e000}".as_bytes(), r#""\ue000""#),     // private use
            ("\u{fffe}".as_bytes(), r#""\ufffe""#),     // noncharacter
            ("\u{10fffd}".as_bytes(), r#""\U0010fffd""#), // private use beyond the BMP
            ("\u{e0001}".as_bytes(), r#""\U000e0001""#), // Cf beyond the BMP
            ("\u{fffd}".as_bytes(), "\"\u{fffd}\""),    // a real U+FFFD is printable
            (b"%2F.well-known", r#""%2F.well-known""#), // printf verbs stay literal
        ];
        for (input, expected) in rows {
            assert_eq!(go_quote(input), *expected, "{input:?}");
        }
    }

    #[test]
    fn replaces_invalid_bytes_one_by_one() {
        assert_eq!(go_lossy(b"a\xe2\x82b"), "a\u{fffd}\u{fffd}b"); // Rust's lossy gives one
        assert_eq!(go_lossy("é".as_bytes()), "é");
        assert_eq!(go_lossy(b"\xff"), "\u{fffd}");
    }

    #[test]
    fn quotes_string_lists_like_go() {
        assert_eq!(go_quote_list(&["1", "2"]), r#"["1" "2"]"#);
        assert_eq!(go_quote_list::<&str>(&[]), "[]");
        assert_eq!(go_quote_list(&[b"a\x00".as_slice()]), r#"["a\x00"]"#);
    }

    #[test]
    fn every_ascii_byte_matches_go() {
        // Go's %q of each single ASCII byte, written out from strconv's rules.
        for byte in 0u8..0x80 {
            let expected = match byte {
                b'"' => "\\\"".to_string(),
                b'\\' => "\\\\".to_string(),
                0x07 => "\\a".to_string(),
                0x08 => "\\b".to_string(),
                0x0c => "\\f".to_string(),
                b'\n' => "\\n".to_string(),
                b'\r' => "\\r".to_string(),
                b'\t' => "\\t".to_string(),
                0x0b => "\\v".to_string(),
                0x20..=0x7e => char::from(byte).to_string(),
                _ => format!("\\x{byte:02x}"),
            };
            assert_eq!(
                go_quote(&[byte]),
                format!("\"{expected}\""),
                "byte {byte:#x}"
            );
        }
    }
}
