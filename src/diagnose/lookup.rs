//! The identifier's own lookups: A, AAAA and CAA at once, every answer kept (reserved ones
//! too), each address marked usable or with Boulder's reason for dropping it. CAA is asked of
//! the identifier and of every parent up to its top-level domain, all at once, as a CA climbs
//! the tree for the relevant record set (RFC 8659 section 3, Boulder's `va/caa.go`).

use std::net::IpAddr;

use super::book::Book;
use super::network::LeNetwork;
use crate::challenge::deadline::Deadline;
use crate::dns::{DnsFailure, DnsProblem, QueryType};
use crate::job::Options;
use crate::join::{join, join_all};
use crate::network::Network;
use crate::policy::addresses::{lookup, lookup_caa};
use crate::policy::caa::{self, CaaAnswer, CaaRecord};
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
        caa::tree(host)
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
    CaaAnswer::new(name, answer, network.elapsed_ms())
}

/// Boulder's reason for dropping `address`, `None` when it is usable.
pub(crate) fn ignored_because(address: IpAddr, options: &Options) -> Option<String> {
    reserved::check(address, &options.allow_reserved)
        .err()
        .map(|reserved| reserved.to_string())
}

#[cfg(test)]
mod tests {
    use super::{Family, Lookups};
    use crate::dns::{DnsFailure, Rcode};
    use crate::policy::caa::testing::answer;

    #[test]
    fn the_summary_shows_the_name_s_own_query() {
        let family = Family {
            answer: Ok(Vec::new()),
            elapsed_ms: 1,
        };
        let lookups = Lookups {
            host: "www.example.com".to_string(),
            a: family.clone(),
            aaaa: family,
            caa: vec![
                answer("www.example.com", Err(DnsFailure::Rcode(Rcode::NXDOMAIN))),
                answer("example.com", Ok(&[(128, "issue", "letsencrypt.org")])),
            ],
        };
        let caa = lookups.summaries().pop().unwrap();
        assert_eq!(caa.record_type, "CAA");
        assert!(caa.records.is_empty());
        assert_eq!(
            caa.error.as_deref(),
            Some("DNS problem: NXDOMAIN looking up CAA for www.example.com - check that a DNS record exists for this domain")
        );
    }
}
