//! Let's Encrypt's own policy (`challenge::http01::validate`), run on the live network: as
//! the resolver answers now, with the pending PR 8905, from each address alone, and with
//! each address first; and its TLS-ALPN-01 validation as the resolver answers now. The policy is never re-implemented here; the runs only change which
//! answer the identifier's first lookups get.

use std::net::{IpAddr, SocketAddr};

use super::book::Book;
use super::lookup::Lookups;
use super::network::{LeNetwork, Override, RunLog};
use crate::challenge::{http01, tls_alpn01};
use crate::dns::QueryType;
use crate::job::{ChallengeType, Identifier, Options, Policy, Validation};
use crate::network::Network;
use crate::report::{Outcome, Report, Status};

/// Addresses probed per family; more are listed but not probed.
pub(crate) const MAX_PROBED_PER_FAMILY: usize = 8;
/// Answer orders tried besides the resolver's own.
pub(crate) const MAX_ORDERS: usize = 16;

/// Which run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RunKind {
    /// The resolver's answers as they are: the prediction.
    Main,
    /// The same with Boulder's pending pull request 8905.
    Pr8905,
    /// This address as the identifier's only one.
    Alone(IpAddr),
    /// This IPv6 address listed first, and this IPv4 address first for the retry.
    Order(IpAddr, IpAddr),
    /// TLS-ALPN-01 instead of HTTP-01, with the resolver's answers as they are.
    TlsAlpn01,
}

/// A finished run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Run {
    /// Which run.
    pub(crate) kind: RunKind,
    /// The policy's report.
    pub(crate) report: Report,
    /// What the run did.
    pub(crate) log: RunLog,
    /// Let's Encrypt's time for it.
    pub(crate) elapsed_ms: u64,
}

impl Run {
    /// The run as an outcome for the report.
    pub(crate) fn outcome(&self) -> Outcome {
        Outcome {
            status: self.report.status,
            problem: self.report.problem.clone(),
            records: self.report.records.clone(),
            elapsed_ms: self.elapsed_ms,
        }
    }

    /// Whether the policy retried on IPv4 after a failed IPv6 connect: a URL requested over
    /// IPv6 is requested again over IPv4.
    pub(crate) fn used_fallback(&self) -> bool {
        let records = &self.report.records;
        records.iter().enumerate().any(|(i, later)| {
            later.address_used.is_some_and(|a| a.is_ipv4())
                && records.get(..i).unwrap_or_default().iter().any(|earlier| {
                    earlier.url == later.url && earlier.address_used.is_some_and(|a| a.is_ipv6())
                })
        })
    }

    /// The last answer the run received: where the chain ended.
    pub(crate) fn endpoint(&self) -> Option<&(SocketAddr, super::fingerprint::HeadPrint)> {
        self.log.responses.last()
    }

    /// Whether the validation got as far as an answer to judge (with the real token in
    /// place it would be valid there): valid, or refused for its status or body only.
    pub(crate) fn answered(&self) -> bool {
        if self.report.status == Status::Valid {
            return true;
        }
        let Some(problem) = &self.report.problem else {
            return false;
        };
        problem.problem_type == crate::ProblemType::Unauthorized
            && !problem.detail.contains("Error reading HTTP response body")
            && self.endpoint().is_some()
    }
}

/// The usable addresses of `query_type`, in answer order, at most the probed number.
pub(crate) fn usable(lookups: &Lookups, query_type: QueryType, options: &Options) -> Vec<IpAddr> {
    lookups
        .family(query_type)
        .all()
        .iter()
        .copied()
        .filter(|a| super::lookup::ignored_because(*a, options).is_none())
        .filter(|a| a.is_ipv6() == (query_type == QueryType::Aaaa))
        .take(MAX_PROBED_PER_FAMILY)
        .collect()
}

/// The runs of a diagnosis: the prediction (both policies), each address alone, and each
/// pair of IPv6 and IPv4 addresses listed first (the resolver's own order is the prediction).
pub(crate) fn plan(v6: &[IpAddr], v4: &[IpAddr]) -> Vec<RunKind> {
    let mut kinds = vec![RunKind::Main, RunKind::Pr8905];
    kinds.extend(v6.iter().chain(v4).map(|a| RunKind::Alone(*a)));
    let (Some(&first6), Some(&first4)) = (v6.first(), v4.first()) else {
        return kinds;
    };
    let mut orders: Vec<RunKind> = Vec::new();
    let mut add = |kind: RunKind| {
        if kind != RunKind::Order(first6, first4) && !orders.contains(&kind) {
            orders.push(kind);
        }
    };
    v6.iter().for_each(|x| add(RunKind::Order(*x, first4)));
    v4.iter().for_each(|y| add(RunKind::Order(first6, *y)));
    for x in v6 {
        v4.iter().for_each(|y| add(RunKind::Order(*x, *y)));
    }
    orders.truncate(MAX_ORDERS);
    kinds.extend(orders);
    kinds
}

/// Runs the policy for `kind`.
pub(crate) async fn run<N: Network>(
    network: &N,
    book: &Book,
    validation: &Validation,
    options: &Options,
    lookups: Option<&Lookups>,
    kind: RunKind,
) -> Run {
    let answers = lookups.and_then(|lookups| answers_for(kind, lookups, &validation.identifier));
    let network = LeNetwork::new(network, book, answers);
    let mut options = options.clone();
    if kind == RunKind::Pr8905 {
        options.policy = Policy::BoulderPr8905;
    }
    let report = if kind == RunKind::TlsAlpn01 {
        let validation = Validation {
            challenge: ChallengeType::TlsAlpn01,
            ..validation.clone()
        };
        tls_alpn01::validate(&network, &validation, &options).await
    } else {
        http01::validate(&network, validation, &options).await
    };
    Run {
        kind,
        report,
        elapsed_ms: network.elapsed_ms(),
        log: network.take_log(),
    }
}

/// The identifier's first answers for a run: `None` for the resolver's own.
fn answers_for(kind: RunKind, lookups: &Lookups, identifier: &Identifier) -> Option<Override> {
    let Identifier::Dns(host) = identifier else {
        return None;
    };
    let first = |address: IpAddr, family: &[IpAddr]| -> Vec<IpAddr> {
        let mut list = vec![address];
        list.extend(family.iter().copied().filter(|a| *a != address));
        list
    };
    let (a, aaaa) = match kind {
        RunKind::Main | RunKind::Pr8905 | RunKind::TlsAlpn01 => return None,
        RunKind::Alone(address) if address.is_ipv6() => (Vec::new(), vec![address]),
        RunKind::Alone(address) => (vec![address], Vec::new()),
        RunKind::Order(v6, v4) => (first(v4, lookups.a.all()), first(v6, lookups.aaaa.all())),
    };
    Some(Override {
        host: host.clone(),
        a: Some(a),
        aaaa: Some(aaaa),
    })
}

#[cfg(test)]
mod tests {
    use super::{plan, RunKind, MAX_ORDERS};
    use std::net::IpAddr;

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|a| a.parse().unwrap()).collect()
    }

    #[test]
    fn plans() {
        // (AAAA, A, number of order runs)
        let rows: [(&[&str], &[&str], usize); 5] = [
            (&["2001:db8::1"], &["198.51.100.1"], 0), // one of each: the prediction is the only order
            (&["2001:db8::1"], &[], 0),               // IPv6 only: alone runs cover the orders
            (&["2001:db8::1", "2001:db8::2"], &["198.51.100.1"], 1), // the second AAAA first
            (
                &["2001:db8::1", "2001:db8::2"],
                &["198.51.100.1", "198.51.100.2"],
                3,
            ), // 2 x 2 - 1
            (
                &[
                    "2001:db8::1",
                    "2001:db8::2",
                    "2001:db8::3",
                    "2001:db8::4",
                    "2001:db8::5",
                ],
                &[
                    "198.51.100.1",
                    "198.51.100.2",
                    "198.51.100.3",
                    "198.51.100.4",
                    "198.51.100.5",
                ],
                MAX_ORDERS,
            ), // 24 capped
        ];
        for (v6, v4, orders) in rows {
            let (v6, v4) = (ips(v6), ips(v4));
            let kinds = plan(&v6, &v4);
            assert_eq!(kinds[..2], [RunKind::Main, RunKind::Pr8905]);
            let alone = kinds
                .iter()
                .filter(|k| matches!(k, RunKind::Alone(_)))
                .count();
            assert_eq!(alone, v6.len() + v4.len());
            let got = kinds
                .iter()
                .filter(|k| matches!(k, RunKind::Order(..)))
                .count();
            assert_eq!(got, orders, "{v6:?} {v4:?}");
        }
    }

    #[test]
    fn single_addresses_first() {
        let kinds = plan(
            &ips(&["2001:db8::1", "2001:db8::2"]),
            &ips(&["198.51.100.1", "198.51.100.2"]),
        );
        let orders: Vec<_> = kinds
            .into_iter()
            .filter(|k| matches!(k, RunKind::Order(..)))
            .collect();
        // Each address first once before the combinations
        assert_eq!(
            orders,
            vec![
                RunKind::Order(
                    "2001:db8::2".parse().unwrap(),
                    "198.51.100.1".parse().unwrap()
                ),
                RunKind::Order(
                    "2001:db8::1".parse().unwrap(),
                    "198.51.100.2".parse().unwrap()
                ),
                RunKind::Order(
                    "2001:db8::2".parse().unwrap(),
                    "198.51.100.2".parse().unwrap()
                ),
            ]
        );
    }
}
