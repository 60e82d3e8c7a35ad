//! Server identity across families: does IPv6 reach the web server IPv4 reaches?
//!
//! The first IPv4 address that answered stands for the site (Let's Encrypt's own advice
//! assumes the ACME client runs where IPv4 points). Every IPv6 answer is compared with it,
//! and each address is asked a second time with a made-up `Host`: a server that answers
//! both alike has no virtual host for the name (a default server), which matters when
//! IPv4's server does tell them apart. Port 443's certificates are compared too
//! (`certificates.rs`).

use super::certificates;
use super::fingerprint::{compare, describe, print_of, Likeness, Print};
use crate::report::{AddressObservation, Identity};

/// The print of an address's answer with the identifier as `Host`.
pub(crate) fn print(address: &AddressObservation) -> Option<Print> {
    address.probe.as_ref()?.response.as_ref().map(print_of)
}

/// Whether the address answers a made-up `Host` differently from the identifier:
/// `Some(false)` for a default server, `None` when either request got no answer.
pub(crate) fn host_sensitive(address: &AddressObservation) -> Option<bool> {
    let real = print(address)?;
    let bogus = address
        .bogus_host
        .as_ref()?
        .response
        .as_ref()
        .map(print_of)?;
    Some(!matches!(compare(&real, &bogus), Likeness::Same))
}

/// The address standing for the site: the first IPv4 address with an answer, else the first
/// IPv6 one.
pub(crate) fn reference(addresses: &[AddressObservation]) -> Option<&AddressObservation> {
    let answered = |v6: bool| {
        addresses
            .iter()
            .find(|a| a.address.is_ipv6() == v6 && print(a).is_some())
    };
    answered(false).or_else(|| answered(true))
}

/// Whether IPv6 address `v6` is a default server of the same web server software where
/// IPv4's `site` has the name (mode 6): it answers a made-up `Host` exactly like the
/// identifier, names the same `Server`, and either looks different from `site` or `site`
/// tells the two names apart. Another `Server` is another machine (mode 1).
pub(crate) fn default_vhost(v6: &AddressObservation, site: &AddressObservation) -> bool {
    if host_sensitive(v6) != Some(false) {
        return false;
    }
    let (Some(v6_print), Some(site_print)) = (print(v6), print(site)) else {
        return false;
    };
    if v6_print.head.server != site_print.head.server {
        return false;
    }
    let looks_different = !matches!(compare(&v6_print, &site_print), Likeness::Same);
    looks_different || host_sensitive(site) == Some(true)
}

/// The identity verdict and its evidence: the port 80 answers, then port 443's
/// certificates. Either one seeing another server decides; a certificate shared across
/// families decides when port 80 has nothing to compare.
pub(crate) fn assess(addresses: &[AddressObservation]) -> (Identity, Vec<String>) {
    let (answers, mut evidence) = by_answers(addresses);
    let site = addresses
        .iter()
        .find(|a| a.address.is_ipv4() && certificates::certificate(a).is_some());
    let by_certificate: Vec<Identity> = addresses
        .iter()
        .filter(|a| a.address.is_ipv6())
        .filter_map(|a| certificates::compare(a, site?))
        .map(|(identity, line)| {
            evidence.push(line);
            identity
        })
        .collect();
    let identity = match answers {
        _ if by_certificate.contains(&Identity::Different) => Identity::Different,
        Some(answers) => answers,
        None if !by_certificate.is_empty()
            && by_certificate.iter().all(|i| *i == Identity::Same) =>
        {
            Identity::Same
        }
        None => Identity::Unknown,
    };
    (identity, evidence)
}

/// The verdict of the port 80 answers (`None`: nothing to compare) and its evidence.
fn by_answers(addresses: &[AddressObservation]) -> (Option<Identity>, Vec<String>) {
    let v4 = addresses
        .iter()
        .find(|a| a.address.is_ipv4() && print(a).is_some());
    let v6: Vec<&AddressObservation> = addresses
        .iter()
        .filter(|a| a.address.is_ipv6() && print(a).is_some())
        .collect();
    let Some(site) = v4 else {
        let why = if v6.is_empty() {
            "no address answered on port 80, so there is nothing to compare"
        } else {
            "no IPv4 address answered on port 80, so IPv6 cannot be compared with it"
        };
        return (None, vec![why.to_string()]);
    };
    if v6.is_empty() {
        let why = "no IPv6 address answered on port 80, so IPv4 cannot be compared with it";
        return (None, vec![why.to_string()]);
    }
    let Some(site_print) = print(site) else {
        return (None, Vec::new());
    };
    let mut evidence = Vec::new();
    let mut verdicts = Vec::new();
    for address in v6 {
        let Some(this) = print(address) else { continue };
        let likeness = compare(&this, &site_print);
        let (verdict, line) = match &likeness {
            Likeness::Same => (
                Identity::Same,
                format!(
                    "IPv6 {} and IPv4 {} answer alike: {}",
                    address.address,
                    site.address,
                    describe(&this)
                ),
            ),
            Likeness::Similar(diffs) => (
                Identity::Unknown,
                format!(
                    "IPv6 {} and IPv4 {} answer almost alike ({})",
                    address.address,
                    site.address,
                    diffs.join("; ")
                ),
            ),
            Likeness::Different(diffs) => (
                Identity::Different,
                format!(
                    "IPv6 {} and IPv4 {} answer differently: {}",
                    address.address,
                    site.address,
                    diffs.join("; ")
                ),
            ),
        };
        evidence.push(line);
        let verdict = if default_vhost(address, site) {
            evidence.push(format!(
                "IPv6 {} answers Host {} exactly as a made-up Host: a default server, not a virtual host for the name",
                address.address,
                address.probe.as_ref().map_or("", |p| p.host.as_str())
            ));
            Identity::Different
        } else {
            verdict
        };
        verdicts.push(verdict);
    }
    let identity = if verdicts.contains(&Identity::Different) {
        Identity::Different
    } else if verdicts.iter().all(|v| *v == Identity::Same) {
        Identity::Same
    } else {
        Identity::Unknown
    };
    (Some(identity), evidence)
}

#[cfg(test)]
mod tests;
