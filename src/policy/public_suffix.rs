//! The ICANN section of the Public Suffix List, matched as Boulder's `iana.ExtractSuffix`
//! matches it through publicsuffix-go: `Find(name, {IgnorePrivate: true, DefaultRule: nil})`.
//!
//! The list is data (`data/public_suffix_list_icann.dat`, rules already in punycode), parsed
//! on first use into a map keyed by each rule's value, as publicsuffix-go keys its rules.

use std::collections::BTreeMap;
use std::sync::OnceLock;

const LIST: &str = include_str!("data/public_suffix_list_icann.dat");

/// How a rule matches (publicsuffix-go's rule types).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `example`: the name is the value or ends in `.value`.
    Normal,
    /// `*.example`: the name ends in `.value` (one label more at least).
    Wildcard,
    /// `!www.example`: an exception; it matches like a normal rule.
    Exception,
}

fn rules() -> &'static BTreeMap<&'static [u8], Kind> {
    static RULES: OnceLock<BTreeMap<&'static [u8], Kind>> = OnceLock::new();
    RULES.get_or_init(|| {
        LIST.lines()
            .filter(|line| !line.is_empty() && !line.starts_with("//"))
            .map(
                |line| match (line.strip_prefix("*."), line.strip_prefix('!')) {
                    (Some(value), _) => (value.as_bytes(), Kind::Wildcard),
                    (_, Some(value)) => (value.as_bytes(), Kind::Exception),
                    _ => (line.as_bytes(), Kind::Normal),
                },
            )
            .collect()
    })
}

/// True when an ICANN rule matches `name` (lowercase, no trailing dot): port of
/// publicsuffix-go's `List.Find`, which tries `a.b.c`, then `b.c`, then `c` as keys and
/// takes the first rule that matches the whole name. Keys are ASCII, so labels with other
/// bytes match no rule themselves.
pub(crate) fn has_icann_suffix(name: &[u8]) -> bool {
    let rules = rules();
    let mut part = name;
    loop {
        if let Some(kind) = rules.get(part) {
            let longer = name.len() > part.len();
            if longer || *kind != Kind::Wildcard {
                return true;
            }
        }
        match part.iter().position(|&byte| byte == b'.') {
            Some(dot) => part = &part[dot + 1..],
            None => return false,
        }
    }
}
