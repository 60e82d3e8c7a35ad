//! Percent-encoding as Go's `net/url` does it: port of `shouldEscape`, `escape`, `unescape`
//! and `validEncoded` (Go 1.26, `src/net/url/url.go`), for the parts of a URL a redirect uses.

use super::UrlErrorCause;

/// Which part of the URL is being escaped or unescaped (Go's `encoding`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    /// `encodePath`: the whole path.
    Path,
    /// `encodeHost`: `host[:port]`.
    Host,
    /// `encodeZone`: the zone of an IPv6 literal, after `%25`.
    Zone,
    /// `encodeUserPassword`: user name or password.
    UserPassword,
    /// `encodeFragment`: after `#`.
    Fragment,
}

/// Port of `shouldEscape`: whether `c` must be written as `%XX` in `mode`.
pub(super) fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if matches!(mode, Mode::Host | Mode::Zone) && b"!$&'()*+,;=:[]<>\"".contains(&c) {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Mode::Path => return c == b'?',
            Mode::UserPassword => return matches!(c, b'@' | b'/' | b'?' | b':'),
            Mode::Fragment => return false,
            Mode::Host | Mode::Zone => {}
        },
        _ => {}
    }
    if mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
        return false;
    }
    true
}

/// Port of `escape`: every byte that [`should_escape`] as `%XX`, upper-case hex.
pub(super) fn escape(s: &[u8], mode: Mode) -> Vec<u8> {
    const UPPER_HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(s.len());
    for &c in s {
        if should_escape(c, mode) {
            out.extend_from_slice(&[
                b'%',
                UPPER_HEX[usize::from(c >> 4)],
                UPPER_HEX[usize::from(c & 15)],
            ]);
        } else {
            out.push(c);
        }
    }
    out
}

/// Port of `unescape` (no `+` handling: the query is never unescaped here). Hosts may only
/// escape non-ASCII bytes (and `%25`); zones may escape only what a host could spell out.
pub(super) fn unescape(s: &[u8], mode: Mode) -> Result<Vec<u8>, UrlErrorCause> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        if c != b'%' {
            if matches!(mode, Mode::Host | Mode::Zone) && c < 0x80 && should_escape(c, mode) {
                return Err(UrlErrorCause::InvalidHostCharacter { byte: c });
            }
            out.push(c);
            i += 1;
            continue;
        }
        let escape = s.get(i..i + 3).unwrap_or(&s[i..]);
        let (Some(&high), Some(&low)) = (escape.get(1), escape.get(2)) else {
            return Err(bad_escape(escape));
        };
        let (Some(high), Some(low)) = (hex_value(high), hex_value(low)) else {
            return Err(bad_escape(escape));
        };
        let value = high << 4 | low;
        let percent = escape == b"%25";
        if mode == Mode::Host && high < 8 && !percent {
            return Err(bad_escape(escape));
        }
        if mode == Mode::Zone && !percent && value != b' ' && should_escape(value, Mode::Host) {
            return Err(bad_escape(escape));
        }
        out.push(value);
        i += 3;
    }
    Ok(out)
}

/// Port of `validEncoded`: no byte that would need escaping, sub-delims and `%` allowed.
pub(super) fn valid_encoded(s: &[u8], mode: Mode) -> bool {
    s.iter()
        .all(|&c| b"!$&'()*+,;=:@[]%".contains(&c) || !should_escape(c, mode))
}

fn bad_escape(escape: &[u8]) -> UrlErrorCause {
    UrlErrorCause::Escape {
        escape: escape.to_vec(),
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_escape_per_mode() {
        // (byte, path, host, user/password, fragment) as Go's shouldEscape answers.
        #[rustfmt::skip]
        let rows: [(u8, bool, bool, bool, bool); 16] = [
            (b'a', false, false, false, false), // alphanumerics never
            (b'-', false, false, false, false), // unreserved marks never
            (b'~', false, false, false, false),
            (b'?', true, true, true, false), // the one reserved byte a path escapes
            (b'/', false, true, true, false), // a host may not hold '/'
            (b'@', false, true, true, false),
            (b':', false, false, true, false), // host keeps ':' for the port
            (b'$', false, false, false, false), // sub-delim allowed in host and path
            (b'!', true, false, true, false),  // path escapes it; validEncoded allows it
            (b'*', true, false, true, false),
            (b'\'', true, false, true, true), // fragments still escape the quote (issue 19917)
            (b'[', true, false, true, true),  // only hosts keep brackets
            (b'"', true, false, true, true),
            (b'%', true, true, true, true),
            (b' ', true, true, true, true),
            (0xff, true, true, true, true), // non-ASCII always
        ];
        for (c, path, host, user, fragment) in rows {
            assert_eq!(should_escape(c, Mode::Path), path, "path {c:#x}");
            assert_eq!(should_escape(c, Mode::Host), host, "host {c:#x}");
            assert_eq!(should_escape(c, Mode::Zone), host, "zone {c:#x}");
            assert_eq!(should_escape(c, Mode::UserPassword), user, "user {c:#x}");
            assert_eq!(
                should_escape(c, Mode::Fragment),
                fragment,
                "fragment {c:#x}"
            );
        }
    }

    #[test]
    fn unescape_table() {
        // (input, mode, decoded)
        #[rustfmt::skip]
        let decoded: [(&[u8], Mode, &[u8]); 7] = [
            (b"/a%20b", Mode::Path, b"/a b"),
            (b"/a+b", Mode::Path, b"/a+b"), // '+' is not a space outside queries
            (b"%2f", Mode::Path, b"/"),     // lower-case hex accepted
            (b"%25", Mode::Host, b"%"),     // RFC 6874 exception
            (b"%c3%a9", Mode::Host, "é".as_bytes()), // non-ASCII may be escaped
            (b"%20", Mode::Zone, b" "),     // Windows zone names have spaces
            (b"%41", Mode::Zone, b"A"),     // a zone may escape what a host allows
        ];
        for (input, mode, expected) in decoded {
            assert_eq!(unescape(input, mode), Ok(expected.to_vec()), "{input:?}");
        }
        // (input, mode, Go's error text)
        #[rustfmt::skip]
        let refused: [(&[u8], Mode, &str); 8] = [
            (b"%", Mode::Path, "invalid URL escape \"%\""), // cut at the end
            (b"%4", Mode::Path, "invalid URL escape \"%4\""),
            (b"%zz", Mode::Path, "invalid URL escape \"%zz\""),
            (b"a%4zb", Mode::Path, "invalid URL escape \"%4z\""), // three bytes shown
            (b"%41", Mode::Host, "invalid URL escape \"%41\""),   // ASCII escape in a host
            (b"a b", Mode::Host, "invalid character \" \" in host name"),
            (b"%2f", Mode::Zone, "invalid URL escape \"%2f\""),
            (b"x\x01", Mode::Zone, "invalid character \"\\x01\" in host name"),
        ];
        for (input, mode, expected) in refused {
            let error = unescape(input, mode).unwrap_err();
            assert_eq!(error.to_string(), expected, "{input:?}");
        }
    }

    #[test]
    fn escape_round_trips_every_byte() {
        for mode in [Mode::Path, Mode::Host, Mode::UserPassword, Mode::Fragment] {
            for c in 0..=255u8 {
                let escaped = escape(&[c], mode);
                // Hosts and zones refuse some bytes in their unescaped form only.
                assert_eq!(
                    unescape(&escaped, Mode::Path),
                    Ok(vec![c]),
                    "{mode:?} {c:#x}"
                );
                assert!(valid_encoded(&escaped, mode), "{mode:?} {c:#x}");
            }
        }
    }

    #[test]
    fn valid_encoded_table() {
        #[rustfmt::skip]
        let rows: [(&[u8], bool); 5] = [
            (b"/a!b", true),   // sub-delims are valid though escape() would escape them
            (b"/a%2Fb", true), // escapes are fine
            (b"/a b", false),  // a space needs escaping
            (b"/[x]", true),   // brackets tolerated as browsers do
            (b"/a?b", false),  // '?' would start the query
        ];
        for (input, expected) in rows {
            assert_eq!(valid_encoded(input, Mode::Path), expected, "{input:?}");
        }
    }
}
