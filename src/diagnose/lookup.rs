//! The identifier's own lookups: A, AAAA and CAA at once, every answer kept (reserved ones
//! too), each address marked usable or with Boulder's reason for dropping it. CAA is asked of
//! the identifier and of every parent up to its top-level domain, all at once, as a CA climbs
//! the tree for the relevant record set (RFC 8659 section 3, Boulder's `va/caa.go`).

use std::net::IpAddr;

use super::book::Book;
use super::network::LeNetwork;
use crate::challenge::deadline::Deadline;
use crate::dns::{DnsFailure, DnsProblem, QueryType, Rcode, RecordData};
use crate::job::Options;
use crate::join::{join, join_all};
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
    /// CAA of the identifier, then of each parent up to its top-level domain, closest first.
    pub(crate) caa: Vec<CaaAnswer>,
}

/// One CAA record (RFC 8659 section 4.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CaaRecord {
    /// Its owner: the name asked, or where the name's CNAME leads.
    pub(crate) owner: String,
    /// The flags (128: critical).
    pub(crate) flags: u8,
    /// The property tag, as miekg/dns shows it.
    pub(crate) tag: String,
    /// The property value.
    pub(crate) value: Vec<u8>,
}

impl CaaRecord {
    /// The record in presentation form: `flags tag "value"`.
    pub(crate) fn presentation(&self) -> String {
        format!("{} {} {}", self.flags, self.tag, quote(&self.value))
    }
}

/// The CAA query of one name of the climb.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CaaAnswer {
    /// The name asked (the resolver follows its CNAMEs).
    pub(crate) name: String,
    /// Its CAA records, or why the query failed.
    pub(crate) answer: Result<Vec<CaaRecord>, DnsFailure>,
    /// Milliseconds it took.
    pub(crate) elapsed_ms: u64,
}

impl CaaAnswer {
    /// The record set as a CA reads it: a name that does not exist has an empty one; `Err`
    /// when the query failed otherwise.
    pub(crate) fn rrset(&self) -> Result<&[CaaRecord], &DnsFailure> {
        match &self.answer {
            Ok(records) => Ok(records),
            Err(DnsFailure::Rcode(Rcode::NXDOMAIN))
            | Err(DnsFailure::Extended {
                rcode: Rcode::NXDOMAIN,
                ..
            }) => Ok(&[]),
            Err(cause) => Err(cause),
        }
    }

    /// Where the records were found when the name is an alias (a CNAME the resolver
    /// followed): the owner of the first record that is not the name itself.
    pub(crate) fn alias(&self) -> Option<&str> {
        let records = self.answer.as_deref().unwrap_or_default();
        records
            .iter()
            .find(|r| !r.owner.eq_ignore_ascii_case(&self.name))
            .map(|r| r.owner.as_str())
    }

    /// Boulder's text for the failed query.
    pub(crate) fn error_text(&self, cause: &DnsFailure) -> String {
        DnsProblem {
            record_type: QueryType::Caa,
            hostname: self.name.clone(),
            cause: cause.clone(),
        }
        .to_string()
    }
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

    /// The relevant CAA answer (RFC 8659 section 3; Boulder's `selectCAA`): the closest name
    /// with a non-empty record set, or a failed query before it (it might hide records).
    /// `None` when no name up to the top-level domain has CAA records.
    pub(crate) fn relevant_caa(&self) -> Option<&CaaAnswer> {
        self.caa
            .iter()
            .find(|answer| answer.rrset().map_or(true, |set| !set.is_empty()))
    }

    /// The lookups as the report shows them (CAA: the identifier's own query).
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
        if let Some(own) = self.caa.first() {
            out.push(Lookup {
                record_type: QueryType::Caa.to_string(),
                records: own
                    .answer
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .map(CaaRecord::presentation)
                    .collect(),
                error: own.answer.as_ref().err().map(|cause| own.error_text(cause)),
                elapsed_ms: own.elapsed_ms,
            });
        }
        out
    }
}

/// Looks up A, AAAA and CAA of `host`, and CAA of its parents, concurrently, through the
/// book (so that the predicted validation later sees the very same answers).
pub(crate) async fn lookups<N: Network>(
    network: &N,
    book: &Book,
    host: &str,
    options: &Options,
) -> Lookups {
    let a = family(network, book, host, QueryType::A, options);
    let aaaa = family(network, book, host, QueryType::Aaaa, options);
    let caa = join_all(
        caa_tree(host)
            .into_iter()
            .map(|name| caa(network, book, name, options))
            .collect(),
    );
    let ((a, aaaa), caa) = join(join(a, aaaa), caa).await;
    Lookups {
        host: host.to_string(),
        a,
        aaaa,
        caa,
    }
}

/// The names whose CAA records may apply to `host`, closest first: the name itself, then each
/// parent up to, not including, the root.
fn caa_tree(host: &str) -> Vec<&str> {
    let mut names = vec![host];
    let mut rest = host;
    while let Some((_, parent)) = rest.split_once('.') {
        if parent.is_empty() {
            break;
        }
        names.push(parent);
        rest = parent;
    }
    names
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

/// The CAA query of one name of the climb.
async fn caa<N: Network>(network: &N, book: &Book, name: &str, options: &Options) -> CaaAnswer {
    let network = LeNetwork::new(network, book, None);
    let deadline = Deadline::http01(network.now_ms(), options.deadline_ms);
    let answer = lookup_caa(&network, name, options, deadline).await;
    let records = answer.map(|list| {
        list.into_iter()
            .filter_map(|record| match record.data {
                RecordData::Caa { flags, tag, value } => Some(CaaRecord {
                    owner: record.name,
                    flags,
                    tag,
                    value,
                }),
                _ => None,
            })
            .collect()
    });
    CaaAnswer {
        name: name.to_string(),
        answer: records,
        elapsed_ms: network.elapsed_ms(),
    }
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
    use super::{caa_tree, quote, CaaAnswer, CaaRecord, Family, Lookups};
    use crate::dns::{DnsFailure, Rcode};

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

    #[test]
    fn caa_climbs_to_the_top_level_domain() {
        let rows: [(&str, &[&str]); 3] = [
            (
                "www.example.com",
                &["www.example.com", "example.com", "com"],
            ), // two parents
            ("example.com", &["example.com", "com"]), // one parent
            ("localhost", &["localhost"]),            // a single label
        ];
        for (host, names) in rows {
            assert_eq!(caa_tree(host), names, "{host}");
        }
    }

    /// A CAA answer of the climb: records as `(flags, tag, value)`, or a failure.
    fn answer(name: &str, records: Result<&[(u8, &str, &str)], DnsFailure>) -> CaaAnswer {
        let records = records.map(|list| {
            list.iter()
                .map(|(flags, tag, value)| CaaRecord {
                    owner: name.to_string(),
                    flags: *flags,
                    tag: tag.to_string(),
                    value: value.as_bytes().to_vec(),
                })
                .collect()
        });
        CaaAnswer {
            name: name.to_string(),
            answer: records,
            elapsed_ms: 1,
        }
    }

    /// Lookups of www.example.com with this climb.
    fn lookups(caa: Vec<CaaAnswer>) -> Lookups {
        let family = Family {
            answer: Ok(Vec::new()),
            elapsed_ms: 1,
        };
        Lookups {
            host: "www.example.com".to_string(),
            a: family.clone(),
            aaaa: family,
            caa,
        }
    }

    #[test]
    fn the_closest_non_empty_set_is_relevant() {
        let sectigo: &[(u8, &str, &str)] = &[(0, "issue", "sectigo.com")];
        let le: &[(u8, &str, &str)] = &[(0, "issue", "letsencrypt.org")];
        let none: &[(u8, &str, &str)] = &[];
        let nxdomain = || Err(DnsFailure::Rcode(Rcode::NXDOMAIN));
        let servfail = || Err(DnsFailure::Rcode(Rcode::SERVFAIL));
        // (www.example.com, example.com, com) -> the relevant name
        let rows = [
            ([Ok(le), Ok(sectigo), Ok(none)], Some("www.example.com")), // the name's own wins
            ([Ok(none), Ok(sectigo), Ok(le)], Some("example.com")),     // the closest parent
            ([nxdomain(), Ok(none), Ok(le)], Some("com")),              // NXDOMAIN is empty
            ([Ok(none), servfail(), Ok(le)], Some("example.com")), // a failure may hide records
            ([Ok(sectigo), servfail(), Ok(none)], Some("www.example.com")), // found before the failure
            ([Ok(none), Ok(none), nxdomain()], None),                       // no CAA anywhere
        ];
        for (answers, relevant) in rows {
            let climb = ["www.example.com", "example.com", "com"]
                .into_iter()
                .zip(answers)
                .map(|(name, records)| answer(name, records))
                .collect();
            let lookups = lookups(climb);
            let found = lookups.relevant_caa().map(|a| a.name.as_str());
            assert_eq!(found, relevant, "{:?}", lookups.caa);
        }
    }

    #[test]
    fn the_summary_shows_the_name_s_own_query() {
        let lookups = lookups(vec![
            answer("www.example.com", Err(DnsFailure::Rcode(Rcode::NXDOMAIN))),
            answer("example.com", Ok(&[(128, "issue", "letsencrypt.org")])),
        ]);
        let caa = lookups.summaries().pop().unwrap();
        assert_eq!(caa.record_type, "CAA");
        assert!(caa.records.is_empty());
        assert_eq!(
            caa.error.as_deref(),
            Some("DNS problem: NXDOMAIN looking up CAA for www.example.com - check that a DNS record exists for this domain")
        );
    }
}
