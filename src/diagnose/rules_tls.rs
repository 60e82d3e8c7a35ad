//! Port 443 per family: IPv6 port 443 broken while IPv4's works (a redirect to HTTPS would
//! fail, mode 4 before it happens; a handshake that stalls, mode 13), another certificate on
//! IPv6 (mode 1), and TLS-ALPN-01 reaching its responder only through the IPv4 retry
//! (mode 16).

use super::certificates;
use super::facts::{connected, family, Facts};
use super::findings::{
    finding, fix_firewalled, fix_ipv6_tls, fix_not_listening, fix_tls_alpn01, FIX_STALL,
};
use crate::challenge::cause::TIMEOUT_AFTER_CONNECT;
use crate::report::{AddressObservation, ConnectResult, Finding, Identity, Probe, Severity};

/// Codes that already say IPv6 reaches another server.
const OTHER_SERVER_CODES: [&str; 4] = [
    "aaaa-other-server",
    "ipv6-default-vhost",
    "router-web-interface",
    "cdn-on-one-family",
];

/// The port 443 findings; `earlier` are the other rules' findings.
pub(crate) fn findings(facts: &Facts<'_>, earlier: &[Finding]) -> Vec<Finding> {
    let mut out = Vec::new();
    // A chain that already goes over HTTPS is judged by the chain's own findings.
    if !main_uses_https(facts) && v4_tls_works(facts) {
        out.extend(broken(facts, |s| s.is_stall(), "ipv6-tls-stalls"));
        out.extend(broken(facts, |s| s.fails_outright(), "ipv6-https-broken"));
    }
    if !OTHER_SERVER_CODES
        .iter()
        .any(|code| earlier.iter().any(|f| f.code == *code))
    {
        out.extend(other_certificate(facts));
    }
    out.extend(tls_alpn_retry(facts));
    out
}

/// How a probe of port 443 ended.
#[derive(Debug, PartialEq, Eq)]
enum State<'a> {
    /// The handshake completed.
    Works,
    /// The connect failed.
    Dial(&'a ConnectResult),
    /// Connected, then the handshake got no answer in time (large packets lost?).
    Stalled,
    /// Connected, then the handshake failed (Boulder's text).
    Failed(&'a str),
}

impl State<'_> {
    fn of(probe: &Probe) -> State<'_> {
        match (&probe.connect, &probe.tls, probe.error.as_deref()) {
            (_, Some(_), _) => State::Works,
            (ConnectResult::Connected, None, Some(e)) if e.ends_with(TIMEOUT_AFTER_CONNECT) => {
                State::Stalled
            }
            (ConnectResult::Connected, None, error) => State::Failed(error.unwrap_or("no answer")),
            (connect, None, _) => State::Dial(connect),
        }
    }

    /// Connected, then nothing came back (mode 13).
    fn is_stall(&self) -> bool {
        *self == State::Stalled
    }

    /// Not reachable, or TLS failed otherwise than by stalling.
    fn fails_outright(&self) -> bool {
        !matches!(self, State::Works | State::Stalled)
    }

    /// How the state reads in evidence.
    fn words(&self) -> String {
        match self {
            State::Works => "completes the TLS handshake".to_string(),
            State::Dial(ConnectResult::Refused) => "refuses the connection".to_string(),
            State::Dial(ConnectResult::Timeout) => {
                "does not answer the connect (dropped)".to_string()
            }
            State::Dial(other) => format!("cannot be reached ({})", other.name()),
            State::Stalled => "accepts the connection, then the TLS handshake stalls".to_string(),
            State::Failed(error) => format!("accepts the connection, then TLS fails: {error}"),
        }
    }
}

/// Whether Let's Encrypt's predicted chain already makes a request over HTTPS.
fn main_uses_https(facts: &Facts<'_>) -> bool {
    facts.main().is_some_and(|run| {
        run.report
            .records
            .iter()
            .any(|r| r.url.as_deref().is_some_and(|u| u.starts_with("https:")))
    })
}

/// Whether some IPv4 address completes a TLS handshake on port 443 for the name.
fn v4_tls_works(facts: &Facts<'_>) -> bool {
    facts.probed().filter(|a| a.address.is_ipv4()).any(|a| {
        a.https
            .as_ref()
            .is_some_and(|p| State::of(p) == State::Works)
    })
}

/// The IPv6 addresses whose port 443 is in a state `pick` selects, as one finding.
fn broken(facts: &Facts<'_>, pick: fn(&State<'_>) -> bool, code: &str) -> Option<Finding> {
    // An address whose port 80 does not connect either is down as a whole: the port 80
    // findings say so.
    let hit: Vec<(&AddressObservation, State<'_>)> = facts
        .probed()
        .filter(|a| a.address.is_ipv6() && connected(a))
        .filter_map(|a| Some((a, State::of(a.https.as_ref()?))))
        .filter(|(_, state)| pick(state))
        .collect();
    let (_, first) = hit.first()?;
    let mut evidence: Vec<String> = hit
        .iter()
        .map(|(a, state)| format!("[{}]:443 {}", a.address, state.words()))
        .collect();
    evidence.extend(works_on_v4(facts));
    evidence.extend(tls_alpn_line(facts));
    let fix = match first {
        State::Stalled => FIX_STALL.to_string(),
        State::Dial(ConnectResult::Refused) => fix_not_listening(facts.host, 443),
        State::Dial(_) => fix_firewalled(facts.host, 443),
        State::Failed(_) | State::Works => fix_ipv6_tls(facts.host),
    };
    Some(finding(
        code,
        Severity::Warning,
        format!(
            "IPv6 port 443 of {} {} while IPv4's works: a redirect to HTTPS would fail Let's Encrypt's validation, and browsers hide it",
            facts.host,
            first.words()
        ),
        evidence,
        Some(fix),
    ))
}

/// The IPv4 addresses whose handshake completes, as evidence.
fn works_on_v4(facts: &Facts<'_>) -> Vec<String> {
    facts
        .probed()
        .filter(|a| a.address.is_ipv4())
        .filter_map(|a| {
            let tls = a.https.as_ref()?.tls.as_ref()?;
            Some(format!(
                "{}:443 completes the TLS handshake ({})",
                a.address, tls.version
            ))
        })
        .collect()
}

/// What TLS-ALPN-01 does, when it retries on IPv4.
fn tls_alpn_line(facts: &Facts<'_>) -> Option<String> {
    let record = facts.tls_alpn?.report.records.first()?;
    let tried = record.addresses_tried.first()?;
    let used = record.address_used?;
    Some(format!(
        "TLS-ALPN-01: Let's Encrypt would try [{tried}]:443 first and, after its error, retry on {used} (failure mode 16)"
    ))
}

/// An IPv6 certificate for other names than IPv4's (mode 1 seen on port 443).
fn other_certificate(facts: &Facts<'_>) -> Option<Finding> {
    let site = facts
        .probed()
        .find(|a| a.address.is_ipv4() && certificates::certificate(a).is_some())?;
    let evidence: Vec<String> = facts
        .probed()
        .filter(|a| a.address.is_ipv6())
        .filter_map(|a| certificates::compare(a, site))
        .filter(|(identity, _)| *identity == Identity::Different)
        .map(|(_, line)| line)
        .collect();
    if evidence.is_empty() {
        return None;
    }
    Some(finding(
        "ipv6-other-certificate",
        Severity::Warning,
        format!(
            "IPv6 port 443 of {} presents another certificate than IPv4: the AAAA record likely points at another server",
            facts.host
        ),
        evidence,
        Some(fix_ipv6_tls(facts.host)),
    ))
}

/// TLS-ALPN-01 fails on IPv6 and reaches a TLS server only through its IPv4 retry, while
/// plain TLS works on IPv6 (the `acme-tls/1` responder listens on IPv4 only).
fn tls_alpn_retry(facts: &Facts<'_>) -> Option<Finding> {
    let record = facts.tls_alpn?.report.records.first()?;
    let tried = *record.addresses_tried.first()?;
    let at = |ip| facts.addresses.iter().find(|a| a.address == ip);
    let (v6, v4) = (at(tried)?, at(record.address_used?)?);
    let v4_state = State::of(v4.acme_tls.as_ref()?);
    if v4_state != State::Works {
        return None;
    }
    let plain_tls_works = v6.https.as_ref().map(State::of) == Some(State::Works);
    if !plain_tls_works {
        return None; // Port 443 itself is broken on IPv6: `ipv6-https-broken` says it.
    }
    let v6_state = State::of(v6.acme_tls.as_ref()?);
    let alpn = |a: &AddressObservation| {
        let tls = a.acme_tls.as_ref()?.tls.as_ref()?;
        Some(tls.alpn.clone().unwrap_or_else(|| "no protocol".into()))
    };
    let evidence = vec![
        format!("[{tried}]:443 with ALPN acme-tls/1 {}", v6_state.words()),
        format!(
            "{}:443 with ALPN acme-tls/1 completes the handshake (ALPN: {})",
            v4.address,
            alpn(v4).unwrap_or_default()
        ),
    ];
    Some(finding(
        "tls-alpn-01-ipv4-retry",
        Severity::Warning,
        format!(
            "TLS-ALPN-01 for {} reaches a TLS server only through Let's Encrypt's retry on {}: the {} attempt fails",
            facts.host,
            family(v4.address),
            family(tried)
        ),
        evidence,
        Some(fix_tls_alpn01(facts.host)),
    ))
}
