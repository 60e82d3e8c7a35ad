//! The parsing half of Go's `url.Parse` (Go 1.26): scheme, authority, host and path.

use super::escape::{unescape, Mode};
use super::{cut, parse_addr, GoUrl, UrlErrorCause, Userinfo};

/// Port of the unexported `parse(rawURL, viaRequest=false)`.
pub(super) fn parse_reference(raw: &[u8]) -> Result<GoUrl, UrlErrorCause> {
    if raw.iter().any(|&c| c < b' ' || c == 0x7f) {
        return Err(UrlErrorCause::ControlCharacter);
    }
    let mut url = GoUrl::default();
    if raw == b"*" {
        url.path = b"*".to_vec();
        return Ok(url);
    }
    let (scheme, mut rest) = scheme_of(raw)?;
    url.scheme = String::from_utf8_lossy(scheme).to_ascii_lowercase();
    if rest.ends_with(b"?") && rest.iter().filter(|&&c| c == b'?').count() == 1 {
        url.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else {
        let (before, query) = cut(rest, b'?');
        rest = before;
        url.raw_query = query.unwrap_or_default().to_vec();
    }
    if !rest.starts_with(b"/") {
        if !url.scheme.is_empty() {
            url.opaque = rest.to_vec();
            return Ok(url);
        }
        if cut(rest, b'/').0.contains(&b':') {
            return Err(UrlErrorCause::FirstPathSegmentColon);
        }
    }
    if rest.starts_with(b"//") && (!url.scheme.is_empty() || !rest.starts_with(b"///")) {
        let after = &rest[2..];
        let split = after.iter().position(|&c| c == b'/').unwrap_or(after.len());
        let (authority, path) = after.split_at(split);
        (url.user, url.host) = parse_authority(&url.scheme, authority)?;
        rest = path;
    } else if !url.scheme.is_empty() && rest.starts_with(b"/") {
        url.omit_host = true;
    }
    url.set_path(rest)?;
    Ok(url)
}

/// Port of `getScheme`: `[a-zA-Z][a-zA-Z0-9+.-]*` before the first `:`, if any.
fn scheme_of(raw: &[u8]) -> Result<(&[u8], &[u8]), UrlErrorCause> {
    for (i, &c) in raw.iter().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err(UrlErrorCause::MissingProtocolScheme),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok((b"", raw)),
        }
    }
    Ok((b"", raw))
}

/// Port of `parseAuthority`: `[userinfo@]host[:port]`, split at the last `@`.
fn parse_authority(
    scheme: &str,
    authority: &[u8],
) -> Result<(Option<Userinfo>, Vec<u8>), UrlErrorCause> {
    let at = authority.iter().rposition(|&c| c == b'@');
    let host = parse_host(scheme, at.map_or(authority, |i| &authority[i + 1..]))?;
    let Some(at) = at else {
        return Ok((None, host));
    };
    let userinfo = &authority[..at];
    if !userinfo
        .iter()
        .all(|&c| c.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&c))
    {
        return Err(UrlErrorCause::InvalidUserinfo);
    }
    let (username, password) = cut(userinfo, b':');
    let user = Userinfo {
        username: unescape(username, Mode::UserPassword)?,
        password: password
            .map(|p| unescape(p, Mode::UserPassword))
            .transpose()?,
    };
    Ok((Some(user), host))
}

/// Port of `parseHost` (Go 1.26): a bracketed IPv6 literal must parse as one, and an `http`
/// or `https` host may have only one colon (the port's).
fn parse_host(scheme: &str, host: &[u8]) -> Result<Vec<u8>, UrlErrorCause> {
    match host.iter().rposition(|&c| c == b'[') {
        Some(0) => return parse_ip_literal(host),
        Some(_) => return Err(UrlErrorCause::InvalidIpLiteral),
        None => {}
    }
    if let Some(first) = host.iter().position(|&c| c == b':') {
        let strict = scheme == "http" || scheme == "https";
        let colon = match host.iter().rposition(|&c| c == b':') {
            Some(last) if !strict => last,
            _ => first,
        };
        let colon_port = &host[colon..];
        if !valid_optional_port(colon_port) {
            return Err(UrlErrorCause::InvalidPort {
                colon_port: colon_port.to_vec(),
            });
        }
    }
    unescape(host, Mode::Host)
}

/// The bracketed branch of `parseHost`: `[addr%25zone]:port`, checked by `netip.ParseAddr`.
fn parse_ip_literal(host: &[u8]) -> Result<Vec<u8>, UrlErrorCause> {
    let close = host
        .iter()
        .rposition(|&c| c == b']')
        .ok_or(UrlErrorCause::MissingBracket)?;
    let colon_port = &host[close + 1..];
    if !valid_optional_port(colon_port) {
        return Err(UrlErrorCause::InvalidPort {
            colon_port: colon_port.to_vec(),
        });
    }
    let inside = host.get(1..close).unwrap_or_default();
    let unescaped = match inside.windows(3).position(|w| w == b"%25") {
        Some(zone) => [
            unescape(&inside[..zone], Mode::Host)?,
            unescape(&inside[zone..], Mode::Zone)?,
        ]
        .concat(),
        None => unescape(inside, Mode::Host)?,
    };
    match parse_addr(&unescaped) {
        Err(error) => return Err(UrlErrorCause::InvalidHost(error)),
        Ok(addr) if addr.ip().is_ipv4() => return Err(UrlErrorCause::InvalidIpLiteral),
        Ok(_) => {}
    }
    Ok([b"[", &unescaped[..], b"]", colon_port].concat())
}

/// Port of `validOptionalPort`: empty, or `:` and digits only.
pub(super) fn valid_optional_port(port: &[u8]) -> bool {
    match port.split_first() {
        None => true,
        Some((b':', digits)) => digits.iter().all(u8::is_ascii_digit),
        Some(_) => false,
    }
}
