//! How a response's body is framed and coded: ports of `net/http: readTransfer` and its
//! helpers, plus the transport's gzip decision (`persistConn.readLoop`).
//!
//! These run on every head, 1xx heads included, so their errors fail the request even for
//! responses without a body. They also edit the header as Go does, so that the
//! [`super::response::ResponseHead`] shows what Boulder's `resp.Header` holds.

use super::error::HeadError;
use super::mime::{canonical_key, trim};

/// How the body is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Framing {
    /// No body (`NoBody`): 1xx, 204, 304, or `Content-Length: 0`.
    None,
    /// `Content-Length` bytes.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// Until the server closes the connection.
    UntilClose,
}

/// What `readTransfer` and the transport decided for one head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Transfer {
    /// The body's framing.
    pub(super) framing: Framing,
    /// Whether the transport decodes the body with gzip (`Content-Encoding: gzip`).
    pub(super) gzip: bool,
}

/// Applies Go's transfer rules to a head with `status` and `version`, editing `fields` as
/// Go edits `resp.Header`.
pub(super) fn read_transfer(
    status: u16,
    version: (u8, u8),
    fields: &mut Vec<(String, Vec<u8>)>,
) -> Result<Transfer, HeadError> {
    // ReadResponse: fixPragmaCacheControl.
    if first(fields, "Pragma").is_some_and(|v| v == b"no-cache")
        && first(fields, "Cache-Control").is_none()
    {
        fields.push(("Cache-Control".to_string(), b"no-cache".to_vec()));
    }
    // shouldClose(major, minor, header, removeCloseHeader = true).
    if version.0 >= 1 && version != (1, 0) && values_contain_token(fields, "Connection", "close") {
        delete(fields, "Connection");
    }
    // "Default to HTTP/1.1" for the Transfer-Encoding rule only.
    let version = if version == (0, 0) { (1, 1) } else { version };
    let chunked = parse_transfer_encoding(version, fields)?;
    let length = fix_length(status, fields, chunked)?;
    fix_trailer(fields, chunked)?;
    let framing = if chunked {
        match body_allowed(status) {
            true => Framing::Chunked,
            false => Framing::None,
        }
    } else {
        match length {
            Some(0) => Framing::None,
            Some(n) => Framing::Length(n),
            None => Framing::UntilClose,
        }
    };
    // readLoop: `hasBody` is `resp.ContentLength != 0`; gzip only then.
    let has_body = length != Some(0);
    let gzip = has_body
        && first(fields, "Content-Encoding").is_some_and(|v| v.eq_ignore_ascii_case(b"gzip"));
    if gzip {
        delete(fields, "Content-Encoding");
        delete(fields, "Content-Length");
    }
    Ok(Transfer { framing, gzip })
}

/// Port of `transferReader.parseTransferEncoding`: whether the body is chunked.
fn parse_transfer_encoding(
    version: (u8, u8),
    fields: &mut Vec<(String, Vec<u8>)>,
) -> Result<bool, HeadError> {
    let raw = values(fields, "Transfer-Encoding");
    if raw.is_empty() {
        return Ok(false);
    }
    delete(fields, "Transfer-Encoding");
    // Issue 12785: ignore Transfer-Encoding on HTTP/1.0.
    if version < (1, 1) {
        return Ok(false);
    }
    match raw.as_slice() {
        [single] if single.eq_ignore_ascii_case(b"chunked") => Ok(true),
        [single] => Err(HeadError::UnsupportedTransferEncoding(single.clone())),
        _ => Err(HeadError::TooManyTransferEncodings(raw)),
    }
}

/// Port of `fixLength` for a response to a GET: `None` means "until close".
fn fix_length(
    status: u16,
    fields: &mut Vec<(String, Vec<u8>)>,
    chunked: bool,
) -> Result<Option<u64>, HeadError> {
    let mut lengths = values(fields, "Content-Length");
    if lengths.len() > 1 {
        let first = trim_ascii(&lengths[0]).to_vec();
        if lengths[1..]
            .iter()
            .any(|other| trim_ascii(other) != first.as_slice())
        {
            return Err(HeadError::ConflictingContentLength(lengths));
        }
        delete(fields, "Content-Length");
        fields.push(("Content-Length".to_string(), first.clone()));
        lengths = vec![first];
    }
    let mut length = 0;
    if let Some(value) = lengths.first() {
        length = parse_content_length(value)?;
    }
    if !body_allowed(status) {
        return Ok(Some(0));
    }
    if chunked {
        delete(fields, "Content-Length");
        return Ok(None);
    }
    if lengths.is_empty() {
        return Ok(None);
    }
    Ok(Some(length))
}

/// Port of `parseContentLength` (with `httplaxcontentlength=0`, Go's default).
fn parse_content_length(value: &[u8]) -> Result<u64, HeadError> {
    let value = trim_ascii(value);
    if value.is_empty() {
        return Err(HeadError::EmptyContentLength);
    }
    // strconv.ParseUint(value, 10, 63): digits only, below 2^63.
    let parsed = value
        .iter()
        .try_fold(0u64, |n, &d| {
            if !d.is_ascii_digit() {
                return None;
            }
            n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        })
        .filter(|n| *n < 1 << 63);
    parsed.ok_or_else(|| HeadError::BadContentLength(value.to_vec()))
}

/// Port of `fixTrailer`: only checks the announced trailer keys (and drops the field).
fn fix_trailer(fields: &mut Vec<(String, Vec<u8>)>, chunked: bool) -> Result<(), HeadError> {
    let announced = values(fields, "Trailer");
    if announced.is_empty() || !chunked {
        return Ok(());
    }
    delete(fields, "Trailer");
    for value in &announced {
        for element in value.split(|&b| b == b',') {
            let element = trim_ascii(element);
            if element.is_empty() {
                continue;
            }
            let key = canonical_key(&String::from_utf8_lossy(element));
            if matches!(
                key.as_str(),
                "Transfer-Encoding" | "Trailer" | "Content-Length"
            ) {
                return Err(HeadError::BadTrailerKey(key.into_bytes()));
            }
        }
    }
    Ok(())
}

/// Port of `bodyAllowedForStatus`.
fn body_allowed(status: u16) -> bool {
    !matches!(status, 100..=199 | 204 | 304)
}

/// Port of `httpguts.HeaderValuesContainsToken` for the values of `key`.
fn values_contain_token(fields: &[(String, Vec<u8>)], key: &str, token: &str) -> bool {
    fields
        .iter()
        .filter(|(k, _)| k == key)
        .flat_map(|(_, v)| v.split(|&b| b == b','))
        .any(|element| {
            let element = trim(element);
            element.is_ascii() && element.eq_ignore_ascii_case(token.as_bytes())
        })
}

/// The first value of `key` (Go's `Header.Get` with a canonical key).
fn first<'a>(fields: &'a [(String, Vec<u8>)], key: &str) -> Option<&'a [u8]> {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_slice())
}

/// All values of `key`, in order.
fn values(fields: &[(String, Vec<u8>)], key: &str) -> Vec<Vec<u8>> {
    fields
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .collect()
}

/// Go's `Header.Del` with a canonical key.
fn delete(fields: &mut Vec<(String, Vec<u8>)>, key: &str) {
    fields.retain(|(k, _)| k != key);
}

/// Port of `textproto.TrimString`: drops leading and trailing ASCII white space.
fn trim_ascii(bytes: &[u8]) -> &[u8] {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let start = bytes
        .iter()
        .position(|b| !is_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |i| i + 1);
    bytes.get(start..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        status: u16,
        version: (u8, u8),
        fields: &[(&str, &str)],
    ) -> (Result<Transfer, HeadError>, Vec<(String, String)>) {
        let mut fields: Vec<(String, Vec<u8>)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect();
        let result = read_transfer(status, version, &mut fields);
        let left = fields
            .into_iter()
            .map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned()))
            .collect();
        (result, left)
    }

    fn plain(framing: Framing) -> Result<Transfer, HeadError> {
        Ok(Transfer {
            framing,
            gzip: false,
        })
    }

    #[test]
    fn frames_bodies_like_read_transfer() {
        let v11 = (1, 1);
        /// Status, version, header fields, and Go's transfer decision.
        struct Row(
            u16,
            (u8, u8),
            &'static [(&'static str, &'static str)],
            Result<Transfer, HeadError>,
        );
        let rows = [
            Row(200, v11, &[], plain(Framing::UntilClose)), // no length: until close
            Row(
                200,
                v11,
                &[("Content-Length", "5")],
                plain(Framing::Length(5)),
            ),
            Row(
                200,
                v11,
                &[("Content-Length", " 007 ")],
                plain(Framing::Length(7)),
            ), // trimmed, zeros
            Row(200, v11, &[("Content-Length", "0")], plain(Framing::None)),
            Row(
                200,
                v11,
                &[("Content-Length", "5"), ("Content-Length", "5")],
                plain(Framing::Length(5)),
            ), // duplicates
            Row(
                200,
                v11,
                &[("Content-Length", "1"), ("Content-Length", "2")],
                Err(HeadError::ConflictingContentLength(vec![
                    b"1".to_vec(),
                    b"2".to_vec(),
                ])),
            ),
            Row(
                200,
                v11,
                &[("Content-Length", "")],
                Err(HeadError::EmptyContentLength),
            ),
            Row(
                200,
                v11,
                &[("Content-Length", "+5")],
                Err(HeadError::BadContentLength(b"+5".to_vec())),
            ),
            Row(
                200,
                v11,
                &[("Content-Length", "-1")],
                Err(HeadError::BadContentLength(b"-1".to_vec())),
            ),
            Row(
                200,
                v11,
                &[("Content-Length", "9223372036854775807")],
                plain(Framing::Length(9223372036854775807)),
            ), // 2^63-1
            Row(
                200,
                v11,
                &[("Content-Length", "9223372036854775808")],
                Err(HeadError::BadContentLength(b"9223372036854775808".to_vec())),
            ), // 2^63
            Row(
                204,
                v11,
                &[("Content-Length", "x")],
                Err(HeadError::BadContentLength(b"x".to_vec())),
            ), // checked even without body
            Row(204, v11, &[("Content-Length", "5")], plain(Framing::None)),
            Row(304, v11, &[], plain(Framing::None)),
            Row(100, v11, &[], plain(Framing::None)),
            Row(
                200,
                v11,
                &[("Transfer-Encoding", "chunked")],
                plain(Framing::Chunked),
            ),
            Row(
                200,
                v11,
                &[("Transfer-Encoding", "CHUNKED"), ("Content-Length", "5")],
                plain(Framing::Chunked),
            ), // TE wins
            Row(
                200,
                v11,
                &[("Transfer-Encoding", "chunked"), ("Content-Length", "x")],
                Err(HeadError::BadContentLength(b"x".to_vec())),
            ), // CL still validated
            Row(
                200,
                v11,
                &[("Transfer-Encoding", "gzip, chunked")],
                Err(HeadError::UnsupportedTransferEncoding(
                    b"gzip, chunked".to_vec(),
                )),
            ),
            Row(
                200,
                v11,
                &[("Transfer-Encoding", "identity")],
                Err(HeadError::UnsupportedTransferEncoding(b"identity".to_vec())),
            ),
            Row(
                200,
                v11,
                &[
                    ("Transfer-Encoding", "chunked"),
                    ("Transfer-Encoding", "chunked"),
                ],
                Err(HeadError::TooManyTransferEncodings(vec![
                    b"chunked".to_vec(),
                    b"chunked".to_vec(),
                ])),
            ),
            Row(
                200,
                (1, 0),
                &[("Transfer-Encoding", "chunked")],
                plain(Framing::UntilClose),
            ), // ignored on 1.0
            Row(
                200,
                (1, 0),
                &[("Transfer-Encoding", "bogus")],
                plain(Framing::UntilClose),
            ),
            Row(
                200,
                (0, 0),
                &[("Transfer-Encoding", "chunked")],
                plain(Framing::Chunked),
            ), // 0.0 counts as 1.1
            Row(
                204,
                v11,
                &[("Transfer-Encoding", "chunked")],
                plain(Framing::None),
            ),
            Row(
                200,
                v11,
                &[
                    ("Transfer-Encoding", "chunked"),
                    ("Trailer", "X, content-length"),
                ],
                Err(HeadError::BadTrailerKey(b"Content-Length".to_vec())),
            ),
            Row(
                200,
                v11,
                &[("Trailer", "Content-Length")],
                plain(Framing::UntilClose),
            ), // ignored unchunked
            Row(
                200,
                v11,
                &[("Content-Encoding", "gzip")],
                Ok(Transfer {
                    framing: Framing::UntilClose,
                    gzip: true,
                }),
            ),
            Row(
                200,
                v11,
                &[("Content-Encoding", "GZip"), ("Content-Length", "9")],
                Ok(Transfer {
                    framing: Framing::Length(9),
                    gzip: true,
                }),
            ),
            Row(
                200,
                v11,
                &[("Content-Encoding", "gzip"), ("Content-Length", "0")],
                plain(Framing::None),
            ), // no body: no gzip
            Row(
                204,
                v11,
                &[("Content-Encoding", "gzip")],
                plain(Framing::None),
            ),
            Row(
                200,
                v11,
                &[("Content-Encoding", "x-gzip")],
                plain(Framing::UntilClose),
            ), // only "gzip"
        ];
        for Row(status, version, fields, expected) in rows {
            assert_eq!(
                run(status, version, fields).0,
                expected,
                "{status} {fields:?}"
            );
        }
    }

    #[test]
    fn edits_the_header_like_go() {
        let s = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        /// Header fields, version, and the fields Go leaves in `resp.Header`.
        struct Row(
            &'static [(&'static str, &'static str)],
            (u8, u8),
            &'static [(&'static str, &'static str)],
        );
        let rows = [
            // Chunked: Transfer-Encoding, Content-Length and Trailer go.
            Row(
                &[
                    ("Transfer-Encoding", "chunked"),
                    ("Content-Length", "5"),
                    ("Trailer", "X"),
                    ("A", "1"),
                ],
                (1, 1),
                &[("A", "1")],
            ),
            // Connection: close goes on HTTP/1.1, stays on HTTP/1.0.
            Row(&[("Connection", "keep-alive, Close")], (1, 1), &[]),
            Row(
                &[("Connection", "close")],
                (1, 0),
                &[("Connection", "close")],
            ),
            Row(
                &[("Connection", "closed")],
                (1, 1),
                &[("Connection", "closed")],
            ),
            // Pragma: no-cache adds Cache-Control.
            Row(
                &[("Pragma", "no-cache")],
                (1, 1),
                &[("Pragma", "no-cache"), ("Cache-Control", "no-cache")],
            ),
            // Duplicate lengths are merged into one.
            Row(
                &[("Content-Length", "3"), ("Content-Length", "3")],
                (1, 1),
                &[("Content-Length", "3")],
            ),
            // gzip hides Content-Encoding and Content-Length.
            Row(
                &[
                    ("Content-Encoding", "gzip"),
                    ("Content-Length", "9"),
                    ("B", "2"),
                ],
                (1, 1),
                &[("B", "2")],
            ),
        ];
        for Row(fields, version, expected) in rows {
            assert_eq!(run(200, version, fields).1, s(expected), "{fields:?}");
        }
    }
}
