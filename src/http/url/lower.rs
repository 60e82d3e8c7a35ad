//! Go's `strings.ToLower`, which Boulder applies to a redirect's host.

/// Port of `strings.ToLower` (Go 1.26): ASCII fast path; otherwise each rune is mapped with
/// Unicode simple lower-casing and **each invalid UTF-8 byte becomes U+FFFD** (`strings.Map`
/// decodes it as `utf8.RuneError`). The result is therefore always valid UTF-8.
///
/// Differences that remain: Rust's Unicode tables may be a newer version than Go's (15.0).
pub(super) fn go_to_lower(s: &[u8]) -> Vec<u8> {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for chunk in s.utf8_chunks() {
        for c in chunk.valid().chars() {
            // Simple case mapping: the only rune whose full lower-case form has more than
            // one rune is U+0130, and its simple mapping is the first of them ('i').
            out.push(c.to_lowercase().next().unwrap_or(c));
        }
        for _ in chunk.invalid() {
            out.push(char::REPLACEMENT_CHARACTER);
        }
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::go_to_lower;

    #[test]
    fn lowers_like_go() {
        #[rustfmt::skip]
        let rows: [(&[u8], &str); 8] = [
            (b"Example.COM", "example.com"),     // ASCII fast path
            (b"example.com", "example.com"),     // nothing to do
            ("ÉCOLE.fr".as_bytes(), "école.fr"), // Unicode simple mapping
            ("İ".as_bytes(), "i"),               // U+0130: Go maps to plain 'i'
            ("ΣΑΣ".as_bytes(), "σασ"),           // no final-sigma rule in Go
            (b"a\xffB", "a\u{fffd}b"),           // an invalid byte becomes U+FFFD
            (b"\xe4\xb8", "\u{fffd}\u{fffd}"),   // one U+FFFD per byte, as strings.Map
            ("\u{fffd}".as_bytes(), "\u{fffd}"), // a real U+FFFD is kept
        ];
        for (input, expected) in rows {
            assert_eq!(go_to_lower(input), expected.as_bytes(), "{input:?}");
        }
    }
}
