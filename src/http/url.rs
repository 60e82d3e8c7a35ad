//! URLs exactly as Go's `net/url` parses, resolves and prints them: port of
//! `src/net/url/url.go` (Go 1.26, Boulder's `go.mod`) for what `http.Client` does with a
//! redirect: `req.URL.Parse(location)` (= [`GoUrl::join`]), `URL.String` (= `Display`),
//! `Hostname`, `Port` and `RequestURI`.
//!
//! Fidelity notes:
//! - Go 1.26 refuses colons outside brackets in `http`/`https` hosts (`urlstrictcolons=1`,
//!   its default) and checks bracketed hosts with `netip.ParseAddr`.
//! - Nothing is normalised that Go keeps: `http://h/x` and `http://h:80/x` print differently,
//!   which Boulder's exact-string loop check depends on.
//! - Decoded parts (host, path, user, fragment) are bytes: `%ff` decodes to a byte that is
//!   not UTF-8, as in Go. [`GoUrl::to_bytes`] is Go's `String()` byte for byte; `Display`
//!   shows the same text (lossily only when the input itself was not UTF-8).

mod error;
mod escape;
mod lower;
mod netip;
mod parse;

use std::borrow::Cow;
use std::fmt;

pub use self::error::{UrlError, UrlErrorCause};
use self::escape::{escape, unescape, valid_encoded, Mode};
pub use self::netip::{parse_addr, GoAddr, ParseAddrError};
use self::parse::{parse_reference, valid_optional_port};

/// A parsed URL with Go's `url.URL` fields and rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoUrl {
    scheme: String,
    opaque: Vec<u8>,
    user: Option<Userinfo>,
    host: Vec<u8>,
    path: Vec<u8>,
    raw_path: Vec<u8>,
    omit_host: bool,
    force_query: bool,
    raw_query: Vec<u8>,
    fragment: Vec<u8>,
    raw_fragment: Vec<u8>,
}

/// `url.Userinfo`: a user name and an optional password, both decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Userinfo {
    username: Vec<u8>,
    password: Option<Vec<u8>>,
}

impl GoUrl {
    /// Port of `url.Parse`: an absolute URL or a reference relative to another one.
    pub fn parse(raw: impl AsRef<[u8]>) -> Result<GoUrl, UrlError> {
        let raw = raw.as_ref();
        let (before_fragment, fragment) = cut(raw, b'#');
        let mut url = parse_reference(before_fragment).map_err(|cause| UrlError {
            url: before_fragment.to_vec(),
            cause,
        })?;
        if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
            url.set_fragment(fragment).map_err(|cause| UrlError {
                url: raw.to_vec(),
                cause,
            })?;
        }
        Ok(url)
    }

    /// Go's `url.URL{Scheme: "http", Host: host, Path: path}`, as Boulder builds the first URL
    /// of a validation (`host` already bracketed for IPv6).
    pub fn http(host: &str, path: &str) -> GoUrl {
        GoUrl {
            scheme: "http".to_string(),
            host: host.as_bytes().to_vec(),
            path: path.as_bytes().to_vec(),
            ..GoUrl::default()
        }
    }

    /// Port of `URL.Parse(ref)` as `http.Client` calls it on a `Location` header: parse
    /// `reference`, then resolve it against `self` (RFC 3986 section 5.2, Go's way).
    pub fn join(&self, reference: impl AsRef<[u8]>) -> Result<GoUrl, UrlError> {
        let reference = GoUrl::parse(reference)?;
        Ok(self.resolve_reference(&reference))
    }

    /// Port of `URL.ResolveReference`, including its dot-segment removal (`resolvePath`).
    fn resolve_reference(&self, reference: &GoUrl) -> GoUrl {
        let mut url = reference.clone();
        if reference.scheme.is_empty() {
            url.scheme.clone_from(&self.scheme);
        }
        if !reference.scheme.is_empty() || !reference.host.is_empty() || reference.user.is_some() {
            url.reset_path(&resolve_path(&reference.escaped_path(), b""));
            return url;
        }
        if !reference.opaque.is_empty() {
            (url.user, url.host, url.path) = (None, Vec::new(), Vec::new());
            return url;
        }
        let empty_path = reference.path.is_empty();
        if empty_path && !reference.force_query && reference.raw_query.is_empty() {
            url.raw_query.clone_from(&self.raw_query);
            if reference.fragment.is_empty() {
                url.fragment.clone_from(&self.fragment);
                url.raw_fragment.clone_from(&self.raw_fragment);
            }
        }
        if empty_path && !self.opaque.is_empty() {
            url.opaque.clone_from(&self.opaque);
            (url.user, url.host, url.path) = (None, Vec::new(), Vec::new());
            return url;
        }
        url.host.clone_from(&self.host);
        url.user.clone_from(&self.user);
        url.reset_path(&resolve_path(
            &self.escaped_path(),
            &reference.escaped_path(),
        ));
        url
    }

    /// The scheme, lower-cased (`URL.Scheme`).
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// `URL.Host`: host and port as written, e.g. `example.com:80` or `[::1]`.
    pub fn host(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.host)
    }

    /// `URL.Host` as bytes (it can hold any decoded non-ASCII byte).
    pub fn host_bytes(&self) -> &[u8] {
        &self.host
    }

    /// Replaces `URL.Host`.
    pub fn set_host(&mut self, host: impl AsRef<[u8]>) {
        self.host = host.as_ref().to_vec();
    }

    /// `req.URL.Host = strings.ToLower(req.URL.Host)`, as Boulder's redirect hook does. Go's
    /// `ToLower` turns each invalid UTF-8 byte into U+FFFD, so the host is UTF-8 afterwards.
    pub fn lowercase_host(&mut self) {
        self.host = lower::go_to_lower(&self.host);
    }

    /// Port of `URL.Hostname`: the host without a valid `:port`, brackets removed.
    pub fn hostname(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(split_host_port(&self.host).0)
    }

    /// [`GoUrl::hostname`] as bytes.
    pub fn hostname_bytes(&self) -> &[u8] {
        split_host_port(&self.host).0
    }

    /// Port of `URL.Port`: the digits after the last `:`, or `""` when there are none.
    pub fn port(&self) -> &str {
        std::str::from_utf8(split_host_port(&self.host).1).unwrap_or_default()
    }

    /// `URL.Path`: the path, decoded.
    pub fn path(&self) -> &[u8] {
        &self.path
    }

    /// `URL.RawQuery`: the query as written, without `?`.
    pub fn raw_query(&self) -> &[u8] {
        &self.raw_query
    }

    /// Port of `URL.RequestURI`: the escaped path (`/` when empty) or the opaque part, then
    /// `?` and the query when there is one.
    pub fn request_uri(&self) -> String {
        let mut result = self.opaque.clone();
        if result.is_empty() {
            result = self.escaped_path();
            if result.is_empty() {
                result = b"/".to_vec();
            }
        } else if result.starts_with(b"//") {
            result = [self.scheme.as_bytes(), b":", &result].concat();
        }
        if self.force_query || !self.raw_query.is_empty() {
            result.push(b'?');
            result.extend_from_slice(&self.raw_query);
        }
        String::from_utf8_lossy(&result).into_owned()
    }

    /// The URL without user name and password, as Go's `refererForURL` writes it.
    pub fn without_userinfo(&self) -> GoUrl {
        GoUrl {
            user: None,
            ..self.clone()
        }
    }

    /// Port of `URL.String`, byte for byte.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut buf = Vec::new();
        if !self.scheme.is_empty() {
            buf.extend_from_slice(self.scheme.as_bytes());
            buf.push(b':');
        }
        if !self.opaque.is_empty() {
            buf.extend_from_slice(&self.opaque);
        } else {
            self.write_authority(&mut buf);
            let path = self.escaped_path();
            if path.first().is_some_and(|&c| c != b'/') && !self.host.is_empty() {
                buf.push(b'/');
            }
            if buf.is_empty() && cut(&path, b'/').0.contains(&b':') {
                buf.extend_from_slice(b"./");
            }
            buf.extend_from_slice(&path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            buf.push(b'?');
            buf.extend_from_slice(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            buf.push(b'#');
            buf.extend_from_slice(&self.escaped_fragment());
        }
        buf
    }

    /// `//[userinfo@]host`, with `String`'s rules for when to leave it out.
    fn write_authority(&self, buf: &mut Vec<u8>) {
        if self.scheme.is_empty() && self.host.is_empty() && self.user.is_none() {
            return;
        }
        if self.omit_host && self.host.is_empty() && self.user.is_none() {
            return;
        }
        if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
            buf.extend_from_slice(b"//");
        }
        if let Some(user) = &self.user {
            buf.extend_from_slice(&escape(&user.username, Mode::UserPassword));
            if let Some(password) = &user.password {
                buf.push(b':');
                buf.extend_from_slice(&escape(password, Mode::UserPassword));
            }
            buf.push(b'@');
        }
        buf.extend_from_slice(&escape(&self.host, Mode::Host));
    }

    /// Port of `URL.EscapedPath`: `RawPath` when it is a valid encoding of `Path`.
    fn escaped_path(&self) -> Vec<u8> {
        if !self.raw_path.is_empty()
            && valid_encoded(&self.raw_path, Mode::Path)
            && unescape(&self.raw_path, Mode::Path).is_ok_and(|p| p == self.path)
        {
            return self.raw_path.clone();
        }
        if self.path == b"*" {
            return self.path.clone();
        }
        escape(&self.path, Mode::Path)
    }

    /// Port of `URL.EscapedFragment`.
    fn escaped_fragment(&self) -> Vec<u8> {
        if !self.raw_fragment.is_empty()
            && valid_encoded(&self.raw_fragment, Mode::Fragment)
            && unescape(&self.raw_fragment, Mode::Fragment).is_ok_and(|f| f == self.fragment)
        {
            return self.raw_fragment.clone();
        }
        escape(&self.fragment, Mode::Fragment)
    }

    /// Port of `setPath`: `Path` decoded, `RawPath` kept only when it differs from the
    /// default encoding.
    fn set_path(&mut self, escaped: &[u8]) -> Result<(), UrlErrorCause> {
        self.path = unescape(escaped, Mode::Path)?;
        self.raw_path = if escape(&self.path, Mode::Path) == escaped {
            Vec::new()
        } else {
            escaped.to_vec()
        };
        Ok(())
    }

    /// `setPath` where Go ignores the error (the input is an escaped path already).
    fn reset_path(&mut self, escaped: &[u8]) {
        let _ = self.set_path(escaped);
    }

    /// Port of `setFragment`.
    fn set_fragment(&mut self, escaped: &[u8]) -> Result<(), UrlErrorCause> {
        self.fragment = unescape(escaped, Mode::Fragment)?;
        self.raw_fragment = if escape(&self.fragment, Mode::Fragment) == escaped {
            Vec::new()
        } else {
            escaped.to_vec()
        };
        Ok(())
    }
}

impl fmt::Display for GoUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_bytes()))
    }
}

/// Port of `splitHostPort` (not `net.SplitHostPort`): `(host, port)`; a colon not followed
/// only by digits stays in the host, and surrounding brackets are removed.
fn split_host_port(host_port: &[u8]) -> (&[u8], &[u8]) {
    let (mut host, mut port): (&[u8], &[u8]) = (host_port, b"");
    if let Some(colon) = host_port.iter().rposition(|&c| c == b':') {
        if valid_optional_port(&host_port[colon..]) {
            (host, port) = (&host_port[..colon], &host_port[colon + 1..]);
        }
    }
    if host.len() >= 2 && host.starts_with(b"[") && host.ends_with(b"]") {
        host = &host[1..host.len() - 1];
    }
    (host, port)
}

/// Port of `resolvePath`: merge `reference` into `base`, then remove `.` and `..` segments
/// the way Go does (a leading `..` is dropped, a trailing `.` or `..` keeps a final `/`).
fn resolve_path(base: &[u8], reference: &[u8]) -> Vec<u8> {
    let full: Cow<'_, [u8]> = match reference.first() {
        None => Cow::Borrowed(base),
        Some(b'/') => Cow::Borrowed(reference),
        Some(_) => {
            let keep = base.iter().rposition(|&c| c == b'/').map_or(0, |i| i + 1);
            Cow::Owned([&base[..keep], reference].concat())
        }
    };
    if full.is_empty() {
        return Vec::new();
    }
    let mut dst = vec![b'/'];
    let mut first = true;
    let mut last: &[u8] = b"";
    for elem in full.split(|&c| c == b'/') {
        last = elem;
        if elem == b"." {
            first = false;
        } else if elem == b".." {
            match dst[1..].iter().rposition(|&c| c == b'/') {
                Some(index) => dst.truncate(index + 1),
                None => {
                    dst.truncate(1);
                    first = true;
                }
            }
        } else {
            if !first {
                dst.push(b'/');
            }
            dst.extend_from_slice(elem);
            first = false;
        }
    }
    if last == b"." || last == b".." {
        dst.push(b'/');
    }
    if dst.get(1) == Some(&b'/') {
        dst.remove(0);
    }
    dst
}

/// Go's `strings.Cut` on one byte: before and after the first `sep`, if any.
fn cut(s: &[u8], sep: u8) -> (&[u8], Option<&[u8]>) {
    match s.iter().position(|&c| c == sep) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    }
}

#[cfg(test)]
mod tests;
