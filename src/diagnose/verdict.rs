//! From the policy's runs to the verdict.
//!
//! Each answer order Let's Encrypt may see (the resolver's own, and every address first) is
//! one run of the exact policy. A run *passes* when it is valid (canary mode) or, without a
//! canary, when the chain ends at an answer from the site (the server the reference address
//! reaches): with the token published there, it would be valid. It passes *with fallback*
//! when it needed the IPv4 retry. The verdict: all pass, pass; all fail, fail; some fail,
//! intermittent; otherwise pass-with-fallback.

use super::fingerprint::{compare, Likeness, Print};
use super::identity;
use super::runs::{Run, RunKind};
use crate::report::{AddressObservation, Status, Verdict};

/// One run's result for the verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RunClass {
    /// Reaches the site without the retry.
    Pass,
    /// Reaches the site only through the IPv4 retry.
    PassWithFallback,
    /// Does not reach the site.
    Fail,
}

/// Judges runs against the site.
pub(crate) struct Judge<'a> {
    /// Canary mode: validity decides.
    canary: bool,
    /// Where the site's chain ends (without a canary).
    site: Option<Print>,
    /// IPv6 addresses that answer as a default server where IPv4 has the name.
    default_servers: Vec<std::net::IpAddr>,
    addresses: &'a [AddressObservation],
}

impl<'a> Judge<'a> {
    /// A judge for these observations; `runs` must hold the alone runs.
    pub(crate) fn new(canary: bool, addresses: &'a [AddressObservation], runs: &[Run]) -> Self {
        let site = identity::reference(addresses).and_then(|reference| {
            let alone = runs
                .iter()
                .find(|run| run.kind == RunKind::Alone(reference.address))?;
            alone.answered().then(|| endpoint_print(alone, addresses))?
        });
        let default_servers = identity::reference(addresses)
            .filter(|reference| reference.address.is_ipv4())
            .map(|reference| {
                addresses
                    .iter()
                    .filter(|a| a.address.is_ipv6() && identity::default_vhost(a, reference))
                    .map(|a| a.address)
                    .collect()
            })
            .unwrap_or_default();
        Judge {
            canary,
            site,
            default_servers,
            addresses,
        }
    }

    /// Whether `run` reached the site, and how.
    pub(crate) fn class(&self, run: &Run) -> RunClass {
        if !self.reached(run) {
            return RunClass::Fail;
        }
        if run.used_fallback() {
            RunClass::PassWithFallback
        } else {
            RunClass::Pass
        }
    }

    /// Whether `run`'s chain ends where the site's does (or is valid, in canary mode).
    pub(crate) fn reached(&self, run: &Run) -> bool {
        if self.canary {
            return run.report.status == Status::Valid;
        }
        if !run.answered() {
            return false;
        }
        let blocked = endpoint_probe(run, self.addresses).is_some_and(|address| {
            if self.default_servers.contains(&address.address) {
                return true;
            }
            let markers = address.probe.as_ref().and_then(|p| p.response.as_ref());
            markers.is_some_and(|r| r.markers.iter().any(|m| is_not_the_site(m)))
        });
        match (&self.site, endpoint_print(run, self.addresses)) {
            _ if blocked => false,
            (Some(site), Some(end)) => !matches!(compare(&end, site), Likeness::Different(_)),
            _ => false,
        }
    }
}

/// Where `run`'s chain ended: its last response head, with the body of the probe of the same
/// request when the chain ended at its first request.
pub(crate) fn endpoint_print(run: &Run, addresses: &[AddressObservation]) -> Option<Print> {
    let (_, head) = run.endpoint()?;
    let body = endpoint_probe(run, addresses)
        .and_then(identity::print)
        .and_then(|probe| probe.body);
    Some(Print {
        head: head.clone(),
        body,
    })
}

/// The probed address whose probe made the same request as the run's last one: when the
/// chain ended at its first request, on port 80, with the same answer.
fn endpoint_probe<'a>(
    run: &Run,
    addresses: &'a [AddressObservation],
) -> Option<&'a AddressObservation> {
    let (socket, head) = run.endpoint()?;
    let first_url = run.report.records.first().and_then(|r| r.url.as_ref());
    let last_url = run.report.records.last().and_then(|r| r.url.as_ref());
    if first_url.is_none() || first_url != last_url || socket.port() != 80 {
        return None;
    }
    addresses
        .iter()
        .find(|a| a.address == socket.ip())
        .filter(|a| identity::print(a).is_some_and(|probe| probe.head == *head))
}

/// The verdict over the runs of every answer order.
pub(crate) fn combine(classes: &[RunClass]) -> Verdict {
    let all = |class: RunClass| classes.iter().all(|c| *c == class);
    if classes.is_empty() || all(RunClass::Fail) {
        Verdict::Fail
    } else if all(RunClass::Pass) {
        Verdict::Pass
    } else if classes.contains(&RunClass::Fail) {
        Verdict::Intermittent
    } else {
        Verdict::PassWithFallback
    }
}

/// The runs that stand for the answer orders: the prediction, the other orders, and, for a
/// single family, each other address alone.
pub(crate) fn order_runs(runs: &[Run]) -> Vec<&Run> {
    let main = runs.iter().filter(|r| r.kind == RunKind::Main);
    let orders: Vec<&Run> = runs
        .iter()
        .filter(|r| matches!(r.kind, RunKind::Order(..)))
        .collect();
    let alone: Vec<&Run> = runs
        .iter()
        .filter(|r| matches!(r.kind, RunKind::Alone(_)))
        .collect();
    let both_families = alone.iter().any(|r| is_v6(r)) && alone.iter().any(|r| !is_v6(r));
    let mut out: Vec<&Run> = main.collect();
    if both_families {
        out.extend(orders);
    } else {
        // The first address alone is the prediction itself.
        out.extend(alone.into_iter().skip(1));
    }
    out
}

fn is_v6(run: &Run) -> bool {
    matches!(run.kind, RunKind::Alone(address) if address.is_ipv6())
}

/// Markers of an answer that can never serve the token: a bot check or block page, a
/// router's interface, or a TLS port answering plain HTTP (the file is never served there).
pub(crate) fn is_not_the_site(marker: &str) -> bool {
    marker.starts_with("waf:") || marker.starts_with("router:") || marker == "http-on-https-port"
}

#[cfg(test)]
mod tests {
    use super::{combine, RunClass::*};
    use crate::report::Verdict;

    #[test]
    fn combining_orders() {
        let rows = [
            (vec![Pass], Verdict::Pass),                         // one order, fine
            (vec![Pass, Pass], Verdict::Pass),                   // every order fine
            (vec![PassWithFallback], Verdict::PassWithFallback), // only via the retry
            (vec![Pass, PassWithFallback], Verdict::PassWithFallback), // some orders need it
            (vec![Fail], Verdict::Fail),                         // always fails
            (vec![Pass, Fail], Verdict::Intermittent),           // depends on the order
            (vec![PassWithFallback, Fail], Verdict::Intermittent), // still depends
            (vec![], Verdict::Fail),                             // nothing ran
        ];
        for (classes, expected) in rows {
            assert_eq!(combine(&classes), expected, "{classes:?}");
        }
    }
}
