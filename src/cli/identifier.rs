//! Turning what a user typed into an ACME identifier, or a clear reason why not.

use std::net::IpAddr;

use crate::job::Identifier;
use crate::policy::reserved::{self, AllowList};
use crate::punycode::encode_label;

/// Longest DNS name Boulder's policy accepts.
const MAX_NAME_LENGTH: usize = 253;
/// Longest DNS label.
const MAX_LABEL_LENGTH: usize = 63;

/// Parses a DNS name or IP literal the way Let's Encrypt would accept it in an order.
/// Unicode names are converted to punycode (lowercased first; full UTS #46 mapping is not
/// applied).
pub fn parse_identifier(text: &str, allow: &AllowList) -> Result<Identifier, String> {
    if text.contains("://") || text.contains('/') {
        return Err(format!(
            "{text:?} looks like a URL; give the domain name only, e.g. {:?}",
            host_of_url(text)
        ));
    }
    let literal = text.trim_start_matches('[').trim_end_matches(']');
    if let Ok(address) = literal.parse::<IpAddr>() {
        if let Err(why) = reserved::check(address, allow) {
            return Err(format!(
                "{address}: {why}; Let's Encrypt does not validate it"
            ));
        }
        return Ok(Identifier::Ip(address));
    }
    dns_name(text).map(Identifier::Dns)
}

fn dns_name(text: &str) -> Result<String, String> {
    if text.is_empty() {
        return Err("the identifier is empty".to_string());
    }
    if text.starts_with("*.") {
        return Err(format!(
            "{text:?} is a wildcard: Let's Encrypt validates wildcard names only with DNS-01, not HTTP-01"
        ));
    }
    if text.ends_with('.') {
        return Err(format!(
            "{text:?} ends with a dot; leave the trailing dot out"
        ));
    }
    let mut labels = Vec::new();
    for label in text.split('.') {
        labels.push(ascii_label(label, text)?);
    }
    let name = labels.join(".");
    if name.len() > MAX_NAME_LENGTH {
        return Err(format!(
            "{text:?} is longer than {MAX_NAME_LENGTH} characters"
        ));
    }
    if labels.len() < 2 {
        return Err(format!("{text:?} is not a fully qualified domain name"));
    }
    Ok(name)
}

fn ascii_label(label: &str, name: &str) -> Result<String, String> {
    if label.is_empty() {
        return Err(format!("{name:?} has an empty label"));
    }
    let lower = label.to_lowercase();
    let ascii = if lower.is_ascii() {
        lower
    } else {
        let encoded = encode_label(&lower).ok_or_else(|| format!("cannot encode {label:?}"))?;
        format!("xn--{encoded}")
    };
    if ascii.len() > MAX_LABEL_LENGTH {
        return Err(format!(
            "{name:?} has a label longer than {MAX_LABEL_LENGTH} characters"
        ));
    }
    if let Some(bad) = ascii
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(format!("{name:?} contains an invalid character {bad:?}"));
    }
    if ascii.starts_with('-') || ascii.ends_with('-') {
        return Err(format!(
            "{name:?} has a label that starts or ends with a hyphen"
        ));
    }
    Ok(ascii)
}

fn host_of_url(text: &str) -> String {
    let rest = text.split_once("://").map_or(text, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6).to_string(),
        None => host.split(':').next().unwrap_or(host).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_identifier;
    use crate::job::Identifier;
    use crate::policy::reserved::AllowList;

    #[test]
    fn accepts_names_and_ips() {
        let allow = AllowList::default();
        let rows = [
            ("example.com", Identifier::Dns("example.com".into())), // plain
            ("WWW.Example.COM", Identifier::Dns("www.example.com".into())), // lowercased
            (
                "bücher.example",
                Identifier::Dns("xn--bcher-kva.example".into()),
            ), // IDN
            ("8.8.8.8", Identifier::Ip("8.8.8.8".parse().unwrap())), // IPv4 identifier
            (
                "[2606:4700::1]",
                Identifier::Ip("2606:4700::1".parse().unwrap()),
            ), // bracketed IPv6
        ];
        for (text, expected) in rows {
            assert_eq!(parse_identifier(text, &allow), Ok(expected), "{text}");
        }
    }

    #[test]
    fn refuses_bad_input_with_a_reason() {
        let allow = AllowList::default();
        let rows = [
            (
                "https://example.com/x",
                "looks like a URL; give the domain name only, e.g. \"example.com\"",
            ),
            ("*.example.com", "wildcard"),
            ("example.com.", "ends with a dot"),
            ("exa_mple.com", "invalid character '_'"),
            ("-a.example.com", "starts or ends with a hyphen"),
            ("a..example.com", "empty label"),
            ("localhost", "not a fully qualified domain name"),
            ("10.0.0.1", "reserved address block"),
            ("", "empty"),
        ];
        for (text, fragment) in rows {
            let error = parse_identifier(text, &allow).unwrap_err();
            assert!(error.contains(fragment), "{text}: {error}");
        }
        let long_label = format!("{}.com", "a".repeat(64));
        assert!(parse_identifier(&long_label, &allow)
            .unwrap_err()
            .contains("longer than 63"));
        let long_name = format!("{}com", "abcdefghi.".repeat(26)); // 263 characters
        assert!(parse_identifier(&long_name, &allow)
            .unwrap_err()
            .contains("longer than 253"));
    }
}
