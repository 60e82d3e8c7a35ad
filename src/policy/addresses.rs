//! Which addresses Let's Encrypt uses: port of `va/dns.go: getAddrs` and the address choice of
//! `va/http.go: newHTTPValidationTarget`.

use std::net::IpAddr;

use crate::challenge::deadline::Deadline;
use crate::dns::{self, DnsFailure, DnsProblem, FamilyFailure, HostLookupFailure, QueryType};
use crate::io::{DnsTransport, DnsTransportError};
use crate::job::Options;
use crate::join::join;
use crate::network::Network;
use crate::policy::reserved;

/// A host's addresses and the one or two of them Boulder will dial.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HttpValidationTarget {
    /// The DNS name or IP literal.
    pub(crate) host: String,
    /// 80 or 443.
    pub(crate) port: u16,
    /// Every usable address: AAAA answers first, then A, each in answer order.
    pub(crate) available: Vec<IpAddr>,
    /// The address dialed first: the first IPv6 address if there is one, else the first IPv4.
    pub(crate) first: IpAddr,
    /// The only retry address: the first IPv4 address when `first` is IPv6.
    pub(crate) fallback: Option<IpAddr>,
}

impl HttpValidationTarget {
    /// Port of `newHTTPValidationTarget`'s choice: only `v6[0]`, with `v4[0]` as fallback.
    /// `None` when there is no address at all.
    pub(crate) fn new(host: String, port: u16, available: Vec<IpAddr>) -> Option<Self> {
        let first_v6 = available.iter().find(|a| a.is_ipv6()).copied();
        let first_v4 = available.iter().find(|a| a.is_ipv4()).copied();
        let (first, fallback) = match (first_v6, first_v4) {
            (Some(v6), v4) => (v6, v4),
            (None, Some(v4)) => (v4, None),
            (None, None) => return None,
        };
        Some(HttpValidationTarget {
            host,
            port,
            available,
            first,
            fallback,
        })
    }
}

/// Port of `getAddrs`: A and AAAA in parallel; reserved addresses dropped; one family failing
/// is ignored when the other has a usable address; both failing gives `"<A error>; <AAAA error>"`.
pub(crate) async fn get_addrs<N: Network>(
    network: &N,
    host: &str,
    options: &Options,
    deadline: Deadline,
) -> Result<Vec<IpAddr>, HostLookupFailure> {
    network.trace(format!("looking up A and AAAA for {host}"));
    let (a, aaaa) = join(
        lookup_family(network, host, QueryType::A, options, deadline),
        lookup_family(network, host, QueryType::Aaaa, options, deadline),
    )
    .await;
    match (a, aaaa) {
        (Err(a), Err(aaaa)) => Err(HostLookupFailure { a, aaaa }),
        (a, aaaa) => {
            let mut addresses = aaaa.unwrap_or_default();
            addresses.extend(a.unwrap_or_default());
            Ok(addresses)
        }
    }
}

/// One family's usable addresses, or why it has none.
async fn lookup_family<N: Network>(
    network: &N,
    host: &str,
    query_type: QueryType,
    options: &Options,
    deadline: Deadline,
) -> Result<Vec<IpAddr>, FamilyFailure> {
    let answers = match lookup(network, host, query_type, options, deadline).await {
        Ok(answers) => answers,
        Err(cause) => {
            let problem = DnsProblem {
                record_type: query_type,
                hostname: host.to_string(),
                cause,
            };
            network.trace(format!("DNS {query_type} {host}: {problem}"));
            return Err(FamilyFailure::Lookup(problem));
        }
    };
    let mut usable = Vec::with_capacity(answers.len());
    for address in answers {
        match reserved::check(address, &options.allow_reserved) {
            Ok(address) => usable.push(address.into_inner()),
            Err(why) => network.trace(format!("DNS {query_type} {host}: {address} ignored: {why}")),
        }
    }
    if usable.is_empty() {
        network.trace(format!("DNS {query_type} {host}: no usable address"));
        return Err(FamilyFailure::NoValidRecords {
            record_type: query_type,
            hostname: host.to_string(),
        });
    }
    let list: Vec<String> = usable.iter().map(IpAddr::to_string).collect();
    network.trace(format!("DNS {query_type} {host}: {}", list.join(", ")));
    Ok(usable)
}

/// One address query (A or AAAA): every address of exactly that type in the answer, reserved
/// ones included.
pub(crate) async fn lookup<N: Network>(
    network: &N,
    host: &str,
    query_type: QueryType,
    options: &Options,
    deadline: Deadline,
) -> Result<Vec<IpAddr>, DnsFailure> {
    let (id, bytes) = exchange(network, host, query_type, options, deadline).await?;
    addresses_in(&bytes, id, host, query_type)
}

/// The CAA records answered for `host` (RFC 8659), CNAMEs followed by the resolver, so a
/// record's owner may be an alias target. `diagnose` asks this of the name and every parent
/// (Boulder checks CAA after the challenge, climbing the tree).
pub(crate) async fn lookup_caa<N: Network>(
    network: &N,
    host: &str,
    options: &Options,
    deadline: Deadline,
) -> Result<Vec<dns::Record>, DnsFailure> {
    let (id, bytes) = exchange(network, host, QueryType::Caa, options, deadline).await?;
    let message = dns::decode_response(&bytes).map_err(|_| DnsFailure::ServerFailure)?;
    if !message.answers_to(id, host, QueryType::Caa) {
        return Err(DnsFailure::ServerFailure);
    }
    dns::wrap_err(QueryType::Caa, host, &message).map_err(|problem| problem.cause)?;
    let records = message
        .answers
        .into_iter()
        .filter(|record| matches!(record.data, dns::RecordData::Caa { .. }));
    Ok(records.collect())
}

/// One query: datagram first, again over a byte stream when truncated; retried only on
/// timeouts, as `bdns` does, within the validation's deadline. Returns the id and the answer.
async fn exchange<N: Network>(
    network: &N,
    host: &str,
    query_type: QueryType,
    options: &Options,
    deadline: Deadline,
) -> Result<(u16, Vec<u8>), DnsFailure> {
    let id = network.random_u64() as u16;
    let query = dns::encode_query(id, host, query_type).map_err(|_| DnsFailure::ServerFailure)?;
    for _ in 0..options.dns_tries.max(1) {
        let remaining = deadline.remaining_ms(network.now_ms());
        if remaining == 0 {
            break;
        }
        let timeout = options.dns_timeout_ms.min(remaining);
        let mut answer = network
            .exchange_dns(DnsTransport::Datagram, query.clone(), timeout)
            .await;
        if let Ok(bytes) = &answer {
            if dns::decode_response(bytes).is_ok_and(|m| m.truncated) {
                let timeout = options
                    .dns_timeout_ms
                    .min(deadline.remaining_ms(network.now_ms()));
                answer = network
                    .exchange_dns(DnsTransport::ByteStream, query.clone(), timeout)
                    .await;
            }
        }
        match answer {
            Err(DnsTransportError::Timeout) => continue,
            Err(DnsTransportError::Network(_)) => return Err(DnsFailure::NetworkError),
            Err(DnsTransportError::Other(_)) => return Err(DnsFailure::ServerFailure),
            Ok(bytes) => return Ok((id, bytes)),
        }
    }
    Err(DnsFailure::Timeout)
}

/// The answer's addresses of exactly `query_type` (the resolver has chased CNAMEs), or the
/// failure its RCODE means.
fn addresses_in(
    bytes: &[u8],
    id: u16,
    host: &str,
    query_type: QueryType,
) -> Result<Vec<IpAddr>, DnsFailure> {
    let message = dns::decode_response(bytes).map_err(|_| DnsFailure::ServerFailure)?;
    if !message.answers_to(id, host, query_type) {
        return Err(DnsFailure::ServerFailure);
    }
    dns::wrap_err(query_type, host, &message).map_err(|problem| problem.cause)?;
    let addresses = message
        .answers
        .iter()
        .filter_map(|record| match (&record.data, query_type) {
            (dns::RecordData::A(v4), QueryType::A) => Some(IpAddr::V4(*v4)),
            (dns::RecordData::Aaaa(v6), QueryType::Aaaa) => Some(IpAddr::V6(*v6)),
            _ => None,
        });
    Ok(addresses.collect())
}

#[cfg(test)]
mod tests {
    use super::HttpValidationTarget;
    use std::net::IpAddr;

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|a| a.parse().unwrap()).collect()
    }

    #[test]
    fn choice_matches_new_http_validation_target() {
        // (available, first, fallback): port of TestHTTPValidationTarget.
        let rows: [(&[&str], &str, Option<&str>); 4] = [
            (&["198.51.100.1"], "198.51.100.1", None), // only IPv4
            (&["2001:db8::1"], "2001:db8::1", None),   // only IPv6
            (
                &["2001:db8::1", "198.51.100.1"],
                "2001:db8::1",
                Some("198.51.100.1"),
            ), // both
            (
                &["2001:db8::1", "2001:db8::2", "198.51.100.1", "198.51.100.2"],
                "2001:db8::1",
                Some("198.51.100.1"),
            ), // only the first of each
        ];
        for (available, first, fallback) in rows {
            let target = HttpValidationTarget::new("h".into(), 80, ips(available)).unwrap();
            assert_eq!(target.first, first.parse::<IpAddr>().unwrap());
            assert_eq!(target.fallback, fallback.map(|f| f.parse().unwrap()));
        }
        assert!(HttpValidationTarget::new("h".into(), 80, vec![]).is_none());
    }
}
