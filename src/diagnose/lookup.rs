//! The identifier's own lookups: A, AAAA and CAA at once, every answer kept (reserved ones
//! too), each address marked usable or with Boulder's reason for dropping it.

use std::net::IpAddr;

use super::book::Book;
use super::network::LeNetwork;
use crate::challenge::deadline::Deadline;
use crate::dns::{DnsFailure, DnsProblem, QueryType};
use crate::job::Options;
use crate::join::join;
use crate::network::Network;
use crate::policy::addresses::{lookup, lookup_caa};
use crate::policy::reserved;
use crate::report::Lookup;

/// One address family's lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Family {
    /// Every address answered, in order; or why the query failed.
    pub(crate) answer: Result<Vec<IpAddr>, DnsFailure>,
    /// Milliseconds it took.
    pub(crate) elapsed_ms: u64,
}

impl Family {
    /// The answered addresses (none when the query failed).
    pub(crate) fn all(&self) -> &[IpAddr] {
        self.answer.as_deref().unwrap_or_default()
    }
}

/// The identifier's lookups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Lookups {
    /// The identifier.
    pub(crate) host: String,
    /// A.
    pub(crate) a: Family,
    /// AAAA.
    pub(crate) aaaa: Family,
    /// CAA, in presentation form, for information.
    pub(crate) caa: Result<Vec<String>, DnsFailure>,
    /// Milliseconds the CAA lookup took.
    pub(crate) caa_ms: u64,
}

impl Lookups {
    /// The family of `query_type`.
    pub(crate) fn family(&self, query_type: QueryType) -> &Family {
        match query_type {
            QueryType::Aaaa => &self.aaaa,
            _ => &self.a,
        }
    }

    /// Boulder's text for a failed query of `query_type`.
    pub(crate) fn error_text(&self, query_type: QueryType, cause: &DnsFailure) -> String {
        DnsProblem {
            record_type: query_type,
            hostname: self.host.clone(),
            cause: cause.clone(),
        }
        .to_string()
    }

    /// The lookups as the report shows them.
    pub(crate) fn summaries(&self) -> Vec<Lookup> {
        let mut out = Vec::with_capacity(3);
        for query_type in [QueryType::A, QueryType::Aaaa] {
            let family = self.family(query_type);
            out.push(Lookup {
                record_type: query_type.to_string(),
                records: family.all().iter().map(IpAddr::to_string).collect(),
                error: family
                    .answer
                    .as_ref()
                    .err()
                    .map(|cause| self.error_text(query_type, cause)),
                elapsed_ms: family.elapsed_ms,
            });
        }
        out.push(Lookup {
            record_type: QueryType::Caa.to_string(),
            records: self.caa.clone().unwrap_or_default(),
            error: self
                .caa
                .as_ref()
                .err()
                .map(|cause| self.error_text(QueryType::Caa, cause)),
            elapsed_ms: self.caa_ms,
        });
        out
    }
}

/// Looks up A, AAAA and CAA of `host` concurrently, through the book (so that the predicted
/// validation later sees the very same answers).
pub(crate) async fn lookups<N: Network>(
    network: &N,
    book: &Book,
    host: &str,
    options: &Options,
) -> Lookups {
    let a = family(network, book, host, QueryType::A, options);
    let aaaa = family(network, book, host, QueryType::Aaaa, options);
    let caa = caa(network, book, host, options);
    let ((a, aaaa), (caa, caa_ms)) = join(join(a, aaaa), caa).await;
    Lookups {
        host: host.to_string(),
        a,
        aaaa,
        caa,
        caa_ms,
    }
}

async fn family<N: Network>(
    network: &N,
    book: &Book,
    host: &str,
    query_type: QueryType,
    options: &Options,
) -> Family {
    let network = LeNetwork::new(network, book, None);
    let deadline = Deadline::http01(network.now_ms(), options.deadline_ms);
    let answer = lookup(&network, host, query_type, options, deadline).await;
    Family {
        answer,
        elapsed_ms: network.elapsed_ms(),
    }
}

async fn caa<N: Network>(
    network: &N,
    book: &Book,
    host: &str,
    options: &Options,
) -> (Result<Vec<String>, DnsFailure>, u64) {
    let network = LeNetwork::new(network, book, None);
    let deadline = Deadline::http01(network.now_ms(), options.deadline_ms);
    let records = lookup_caa(&network, host, options, deadline).await;
    let shown = records.map(|list| {
        list.iter()
            .map(|(flags, tag, value)| format!("{flags} {tag} {}", quote(value)))
            .collect()
    });
    (shown, network.elapsed_ms())
}

/// Boulder's reason for dropping `address`, `None` when it is usable.
pub(crate) fn ignored_because(address: IpAddr, options: &Options) -> Option<String> {
    reserved::check(address, &options.allow_reserved)
        .err()
        .map(|reserved| reserved.to_string())
}

/// A CAA value in presentation form: in quotes, `"` and `\` escaped, other bytes outside
/// printable ASCII as `\DDD` (miekg/dns `sprintTxt`).
fn quote(value: &[u8]) -> String {
    let mut out = String::with_capacity(value.len().saturating_add(2));
    out.push('"');
    for &byte in value {
        match byte {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(byte));
            }
            b' '..=b'~' => out.push(char::from(byte)),
            other => out.push_str(&format!("\\{other:03}")),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn caa_values_quote_like_miekg() {
        let rows: [(&[u8], &str); 4] = [
            (b"letsencrypt.org", "\"letsencrypt.org\""), // plain
            (b"a\"b\\c", "\"a\\\"b\\\\c\""),             // quote and backslash
            (b"\x00\xff", "\"\\000\\255\""),             // bytes outside ASCII
            (b"", "\"\""),                               // empty value
        ];
        for (value, expected) in rows {
            assert_eq!(quote(value), expected);
        }
    }
}
