//! CAA as Let's Encrypt checks it once the challenge succeeded, for DNS identifiers: port of
//! Boulder's `va/caa.go` (`getCAA`, `selectCAA`, `validateCAA`, `parseCAARecord`) and of
//! `bdns.LookupCAA`'s NXDOMAIN rule.
//!
//! The name and every parent are asked at once; the relevant set is the closest non-empty
//! one, and a failed query before it fails the check (it could hide records). The set allows
//! Let's Encrypt when it has no `issue` property, or an `issue` property naming exactly
//! `letsencrypt.org` whose `validationmethods` (RFC 8657), if any, list the challenge. An
//! unknown property marked critical forbids issuance. `accounturi` is taken to match: the
//! checker does not know the ACME account.

use crate::challenge::deadline::Deadline;
use crate::dns::{escaped_text, DnsFailure, DnsProblem, QueryType, Rcode, RecordData};
use crate::job::{ChallengeType, Options};
use crate::join::join_all;
use crate::network::Network;
use crate::policy::addresses::lookup_caa;
use crate::report::{Problem, ProblemType};

/// The issuer domain Let's Encrypt's CAA checks look for (Boulder's `issuerDomain`).
const ISSUER_DOMAIN: &str = "letsencrypt.org";

/// One CAA record (RFC 8659 section 4.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CaaRecord {
    /// Its owner: the name asked, or where the name's CNAME leads.
    pub(crate) owner: String,
    /// The flags (128, or 1 as many read it: critical).
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
    /// The answer of `name` from the records a lookup returned.
    pub(crate) fn new(
        name: &str,
        answer: Result<Vec<crate::dns::Record>, DnsFailure>,
        elapsed_ms: u64,
    ) -> CaaAnswer {
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
            elapsed_ms,
        }
    }

    /// The record set as Boulder reads it: NXDOMAIN of a name below a top-level domain is an
    /// empty set; `Err` when the query failed otherwise (NXDOMAIN of a top-level domain too).
    pub(crate) fn rrset(&self) -> Result<&[CaaRecord], &DnsFailure> {
        match &self.answer {
            Ok(records) => Ok(records),
            Err(cause) if is_nxdomain(cause) && self.name.contains('.') => Ok(&[]),
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

fn is_nxdomain(cause: &DnsFailure) -> bool {
    matches!(
        cause,
        DnsFailure::Rcode(Rcode::NXDOMAIN)
            | DnsFailure::Extended {
                rcode: Rcode::NXDOMAIN,
                ..
            }
    )
}

/// What the CAA check concludes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision<'a> {
    /// No name up to the top-level domain has CAA records: anyone may issue.
    NoRecords,
    /// The relevant set lets Let's Encrypt issue.
    Allowed(&'a CaaAnswer),
    /// The relevant set does not.
    Forbidden(&'a CaaAnswer),
    /// A query up to the relevant set failed.
    Failed(&'a CaaAnswer, &'a DnsFailure),
}

/// The names whose CAA records may apply to `host`, closest first: the name itself, then each
/// parent up to the top-level domain (Boulder's `parallelCAALookup`).
pub(crate) fn tree(host: &str) -> Vec<&str> {
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

/// Port of `selectCAA` and `validateCAA` for `challenge` (never a wildcard name here).
pub(crate) fn decide(answers: &[CaaAnswer], challenge: ChallengeType) -> Decision<'_> {
    for answer in answers {
        match answer.rrset() {
            Err(cause) => return Decision::Failed(answer, cause),
            Ok([]) => continue,
            Ok(set) if allows(set, challenge) => return Decision::Allowed(answer),
            Ok(_) => return Decision::Forbidden(answer),
        }
    }
    Decision::NoRecords
}

/// `validateCAA` on a non-empty set, for a name that is no wildcard.
fn allows(set: &[CaaRecord], challenge: ChallengeType) -> bool {
    if critical_unknown(set).is_some() {
        return false;
    }
    let mut issue = set.iter().filter(|r| is_issue(r)).peekable();
    if issue.peek().is_none() {
        return true;
    }
    issue.any(|record| {
        parse_record(&record.value).is_some_and(|(domain, parameters)| {
            domain == ISSUER_DOMAIN && methods_match(&parameters, challenge.name())
        })
    })
}

/// An `issue` property (tags compare without case, as Boulder lowercases them).
fn is_issue(record: &CaaRecord) -> bool {
    record.tag.eq_ignore_ascii_case("issue")
}

/// The first property Let's Encrypt does not know that is marked critical (flag 128, or 1 as
/// many read the RFC): Boulder's `criticalUnknown`, which forbids issuance.
fn critical_unknown(set: &[CaaRecord]) -> Option<&CaaRecord> {
    let known = |r: &CaaRecord| {
        ["issue", "issuewild", "iodef"]
            .iter()
            .any(|tag| r.tag.eq_ignore_ascii_case(tag))
    };
    set.iter().find(|r| !known(r) && r.flags & (128 | 1) != 0)
}

/// Why a set that `decide` found forbidding refuses Let's Encrypt, in a sentence.
pub(crate) fn refusal(set: &[CaaRecord], challenge: ChallengeType) -> String {
    if let Some(critical) = critical_unknown(set) {
        return format!(
            "the property {:?} is marked critical and Let's Encrypt does not know it: no one may issue",
            critical.tag
        );
    }
    let named: Vec<(String, Vec<(String, String)>)> = set
        .iter()
        .filter(|r| is_issue(r))
        .filter_map(|r| parse_record(&r.value))
        .collect();
    if named.iter().any(|(domain, _)| domain == ISSUER_DOMAIN) {
        return format!(
            "letsencrypt.org is named, but its validationmethods parameter does not list {} (RFC 8657)",
            challenge.name()
        );
    }
    if named
        .iter()
        .any(|(domain, _)| domain.eq_ignore_ascii_case(ISSUER_DOMAIN))
    {
        return "letsencrypt.org must be written in lowercase: Let's Encrypt compares the issuer domain exactly".to_string();
    }
    "no issue property names letsencrypt.org".to_string()
}

/// Port of `parseCAARecord`: the issuer domain and the `tag=value` parameters, blanks and
/// tabs trimmed; `None` for a malformed value (the record is then skipped).
fn parse_record(value: &[u8]) -> Option<(String, Vec<(String, String)>)> {
    let text = String::from_utf8_lossy(value);
    let blank = |c: char| c == ' ' || c == '\t';
    let mut parts = text.split(';');
    let domain = parts.next().unwrap_or("").trim_matches(blank).to_string();
    let rest: Vec<&str> = parts.collect();
    if let [only] = rest.as_slice() {
        if only.trim_matches(blank).is_empty() {
            return Some((domain, Vec::new()));
        }
    }
    let mut parameters = Vec::with_capacity(rest.len());
    for parameter in rest {
        let (tag, value) = parameter.split_once('=')?;
        let (tag, value) = (tag.trim_matches(blank), value.trim_matches(blank));
        if !tag.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        if !value
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b';')
        {
            return None;
        }
        parameters.push((tag.to_string(), value.to_string()));
    }
    Some((domain, parameters))
}

/// Port of `caaValidationMethodMatches`: no `validationmethods` matches every method; a
/// listed method outside `[A-Za-z0-9-]+` rejects the record.
fn methods_match(parameters: &[(String, String)], method: &str) -> bool {
    // Go's map keeps the last value of a repeated tag.
    let Some((_, list)) = parameters
        .iter()
        .rev()
        .find(|(tag, _)| tag == "validationmethods")
    else {
        return true;
    };
    for listed in list.split(',') {
        let well_formed = !listed.is_empty()
            && listed
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !well_formed {
            return false;
        }
        if listed == method {
            return true;
        }
    }
    false
}

/// The problem Let's Encrypt reports for `host` when the check fails (`IsCAAValid`):
/// `While processing CAA for <host>: …`, type **caa** or **dns**.
pub(crate) fn problem(host: &str, decision: Decision<'_>) -> Option<Problem> {
    let (problem_type, detail) = match decision {
        Decision::NoRecords | Decision::Allowed(_) => return None,
        Decision::Forbidden(answer) => (
            ProblemType::Caa,
            format!("CAA record for {} prevents issuance", answer.name),
        ),
        Decision::Failed(answer, cause) => (ProblemType::Dns, answer.error_text(cause)),
    };
    Some(Problem::new(
        problem_type,
        format!("While processing CAA for {host}: {detail}"),
    ))
}

/// Asks CAA of `host` and of every parent at once.
pub(crate) async fn lookup_tree<N: Network>(
    network: &N,
    host: &str,
    options: &Options,
) -> Vec<CaaAnswer> {
    let deadline = Deadline::http01(network.now_ms(), options.deadline_ms);
    let queries = tree(host).into_iter().map(|name| async move {
        let start = network.now_ms();
        let answer = lookup_caa(network, name, options, deadline).await;
        CaaAnswer::new(name, answer, network.now_ms().saturating_sub(start))
    });
    join_all(queries.collect()).await
}

/// A CAA value in presentation form: in quotes, escaped as miekg/dns shows it.
fn quote(value: &[u8]) -> String {
    format!("\"{}\"", escaped_text(value))
}

/// Test data: CAA answers from `(flags, tag, value)` rows.
#[cfg(test)]
pub(crate) mod testing {
    use super::{CaaAnswer, CaaRecord};
    use crate::dns::DnsFailure;

    /// The CAA answer of `name`: its records, or a failure.
    pub(crate) fn answer(
        name: &str,
        records: Result<&[(u8, &str, &str)], DnsFailure>,
    ) -> CaaAnswer {
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
}

#[cfg(test)]
mod tests;
