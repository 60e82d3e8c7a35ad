//! Answers from the scenario's records and faults, as a recursive resolver would send them.
//!
//! CNAME chains are followed inside the data (at most [`MAX_CHAIN`] hops). A fault matches a
//! query by (name, type) at any step of the chain; the first matching fault wins.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::dns::wire::{self, Caa, Message, Rdata, Record};
use crate::scenario::{Dns, DnsAction, DnsFault, Ede, RecordSet, Transport};

/// Most CNAME hops followed before answering SERVFAIL.
pub const MAX_CHAIN: usize = 16;
/// Response codes used here.
const NOERROR: u8 = 0;
const FORMERR: u8 = 1;
const SERVFAIL: u8 = 2;
const NXDOMAIN: u8 = 3;
const NOTIMP: u8 = 4;
const REFUSED: u8 = 5;

/// The server's data.
#[derive(Debug)]
pub struct Zone {
    ttl: u32,
    records: HashMap<String, RecordSet>,
    faults: Vec<(DnsFault, AtomicU64)>,
}

/// What to do with one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Wait this long first.
    pub delay: Duration,
    /// The answer, or `None` to stay silent.
    pub reply: Option<Message>,
    /// Over UDP, send only a truncated (TC) answer.
    pub truncate_udp: bool,
}

impl Zone {
    /// Builds the lookup tables (names lower-cased).
    pub fn new(dns: &Dns) -> Zone {
        let records = dns
            .records
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect();
        let faults = dns
            .faults
            .iter()
            .map(|f| (f.clone(), AtomicU64::new(0)))
            .collect();
        Zone {
            ttl: dns.ttl,
            records,
            faults,
        }
    }

    /// Decides the answer to `query` received over `transport`.
    pub fn answer(&self, query: &Message, transport: Transport) -> Outcome {
        let mut reply = Message {
            id: query.id,
            qr: true,
            opcode: query.opcode,
            rd: query.rd,
            ra: true,
            question: query.question.clone(),
            edns_udp_size: query.edns_udp_size.map(|_| 1232),
            ..Message::default()
        };
        let mut outcome = Outcome {
            delay: Duration::ZERO,
            reply: None,
            truncate_udp: false,
        };
        if query.qr || query.opcode != 0 {
            let rcode = if query.qr { FORMERR } else { NOTIMP };
            return finish(outcome, with_rcode(reply, rcode));
        }
        let qtype = query.question.1;
        let mut current = query.question.0.to_ascii_lowercase();
        for _ in 0..MAX_CHAIN {
            if let Some(fault) = self.fault(&current, qtype, transport) {
                if let Some(done) = apply_fault(fault, transport, &mut outcome, &mut reply) {
                    return done;
                }
            }
            let Some(set) = self.lookup(&current) else {
                let exists = self.is_empty_non_terminal(&current);
                return finish(
                    outcome,
                    with_rcode(reply, if exists { NOERROR } else { NXDOMAIN }),
                );
            };
            match &set.cname {
                Some(target) if qtype != wire::TYPE_CNAME => {
                    let alias = self.record(&current, Rdata::Cname(target.clone()));
                    reply.answers.push(alias);
                    current = target.to_ascii_lowercase();
                }
                _ => {
                    let records = self.rdatas(set, qtype).into_iter();
                    reply
                        .answers
                        .extend(records.map(|r| self.record(&current, r)));
                    return finish(outcome, reply);
                }
            }
        }
        reply.answers.clear();
        finish(outcome, with_rcode(reply, SERVFAIL))
    }

    fn fault(&self, name: &str, qtype: u16, transport: Transport) -> Option<&DnsFault> {
        for (fault, used) in &self.faults {
            let type_ok = fault.qtype == "*" || wire::qtype_code(&fault.qtype) == Some(qtype);
            let transport_ok = fault.transport.is_none_or(|t| t == transport);
            if !type_ok || !transport_ok || !fault.name.eq_ignore_ascii_case(name) {
                continue;
            }
            let n = used.fetch_add(1, Ordering::SeqCst);
            if fault.count.is_none_or(|limit| n < limit) {
                return Some(fault);
            }
        }
        None
    }

    /// Exact name, else the nearest `*.` wildcard above it.
    fn lookup(&self, name: &str) -> Option<&RecordSet> {
        if let Some(set) = self.records.get(name) {
            return Some(set);
        }
        let mut rest = name;
        while let Some((_, parent)) = rest.split_once('.') {
            if let Some(set) = self.records.get(&format!("*.{parent}")) {
                return Some(set);
            }
            rest = parent;
        }
        None
    }

    fn is_empty_non_terminal(&self, name: &str) -> bool {
        let suffix = format!(".{name}");
        self.records.keys().any(|k| k.ends_with(&suffix))
    }

    fn rdatas(&self, set: &RecordSet, qtype: u16) -> Vec<Rdata> {
        match qtype {
            wire::TYPE_A => set.a.iter().map(|a| Rdata::A(*a)).collect(),
            wire::TYPE_AAAA => set.aaaa.iter().map(|a| Rdata::Aaaa(*a)).collect(),
            wire::TYPE_CNAME => set.cname.iter().map(|c| Rdata::Cname(c.clone())).collect(),
            wire::TYPE_CAA => set
                .caa
                .iter()
                .filter_map(|c| Caa::parse(c))
                .map(Rdata::Caa)
                .collect(),
            wire::TYPE_TXT => set
                .txt
                .iter()
                .map(|t| Rdata::Txt(t.as_bytes().to_vec()))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn record(&self, name: &str, rdata: Rdata) -> Record {
        Record {
            name: name.to_string(),
            ttl: self.ttl,
            rdata,
        }
    }
}

/// Applies a matching fault; returns the final outcome when the fault ends the answer.
fn apply_fault(
    fault: &DnsFault,
    transport: Transport,
    outcome: &mut Outcome,
    reply: &mut Message,
) -> Option<Outcome> {
    outcome.delay = outcome
        .delay
        .saturating_add(Duration::from_millis(fault.delay_ms));
    if let Some(Ede { code, text }) = &fault.ede {
        reply.ede.push((*code, text.clone()));
    }
    let rcode = match fault.action {
        DnsAction::Answer => return None,
        DnsAction::Truncate => {
            outcome.truncate_udp = transport == Transport::Udp;
            return None;
        }
        DnsAction::Timeout => return Some(outcome.clone()),
        DnsAction::Servfail | DnsAction::Refused => {
            reply.answers.clear();
            if fault.action == DnsAction::Servfail {
                SERVFAIL
            } else {
                REFUSED
            }
        }
        DnsAction::Nxdomain => NXDOMAIN,
        DnsAction::Nodata => NOERROR,
    };
    Some(finish(outcome.clone(), with_rcode(reply.clone(), rcode)))
}

fn with_rcode(mut reply: Message, rcode: u8) -> Message {
    reply.rcode = rcode;
    reply
}

fn finish(mut outcome: Outcome, mut reply: Message) -> Outcome {
    if !reply.ede.is_empty() && reply.edns_udp_size.is_none() {
        reply.edns_udp_size = Some(1232);
    }
    outcome.reply = Some(reply);
    outcome
}

/// The short text the log shows for an outcome.
pub fn describe(outcome: &Outcome) -> String {
    let Some(reply) = &outcome.reply else {
        return "timeout (no answer)".to_string();
    };
    let rcode = match reply.rcode {
        NOERROR if reply.answers.is_empty() => "NOERROR (no data)".to_string(),
        NOERROR => format!("NOERROR {} answers", reply.answers.len()),
        FORMERR => "FORMERR".to_string(),
        SERVFAIL => "SERVFAIL".to_string(),
        NXDOMAIN => "NXDOMAIN".to_string(),
        NOTIMP => "NOTIMP".to_string(),
        REFUSED => "REFUSED".to_string(),
        other => format!("RCODE{other}"),
    };
    let mut text = rcode;
    if !reply.ede.is_empty() {
        text.push_str(&format!(" ede={:?}", reply.ede));
    }
    if outcome.truncate_udp {
        text.push_str(" truncated");
    }
    if !outcome.delay.is_zero() {
        text.push_str(&format!(" after {} ms", outcome.delay.as_millis()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    const DATA: &str = r#"{"dns":{"records":{
        "dual.example.com":{"A":["198.51.100.10","198.51.100.11"],"AAAA":["2001:db8::10"]},
        "www.example.com":{"CNAME":"alias.example.com"},
        "alias.example.com":{"CNAME":"dual.example.com"},
        "loop1.example.com":{"CNAME":"loop2.example.com"},
        "loop2.example.com":{"CNAME":"loop1.example.com"},
        "dangling.example.com":{"CNAME":"gone.example.com"},
        "example.com":{"CAA":["0 issue \"letsencrypt.org\""]},
        "*.wild.example.com":{"A":["198.51.100.20"]},
        "deep.under.example.org":{"A":["198.51.100.30"]}},
      "faults":[
        {"name":"dual.example.com","type":"TXT","action":"servfail","ede":{"code":6,"text":"DNSSEC Bogus"}},
        {"name":"alias.example.com","type":"AAAA","action":"refused"},
        {"name":"flaky.example.com","action":"servfail","count":1},
        {"name":"quiet.example.com","action":"timeout","transport":"udp"},
        {"name":"big.example.com","action":"truncate"},
        {"name":"slow.example.com","action":"nodata","delay_ms":300}]}}"#;

    fn ask(zone: &Zone, name: &str, qtype: &str, transport: Transport) -> Outcome {
        let query = Message {
            id: 7,
            rd: true,
            question: (name.to_string(), wire::qtype_code(qtype).unwrap()),
            ..Message::default()
        };
        zone.answer(&query, transport)
    }

    #[test]
    fn answers() {
        let zone = Zone::new(&Scenario::parse(DATA).unwrap().dns);
        let u = Transport::Udp;
        let rows: &[(&str, &str, Transport, &str)] = &[
            ("dual.example.com", "A", u, "NOERROR 2 answers"), // plain, order kept
            ("DUAL.Example.COM", "AAAA", u, "NOERROR 1 answers"), // case-insensitive
            ("dual.example.com", "CAA", u, "NOERROR (no data)"), // name exists, type not
            ("www.example.com", "A", u, "NOERROR 4 answers"),  // 2 CNAMEs + 2 A
            ("www.example.com", "CNAME", u, "NOERROR 1 answers"), // CNAME asked: not followed
            ("www.example.com", "AAAA", u, "REFUSED"),         // fault at chain step 2
            ("loop1.example.com", "A", u, "SERVFAIL"),         // CNAME loop is bounded
            ("dangling.example.com", "A", u, "NXDOMAIN"),      // chain to nowhere
            ("nope.example.com", "A", u, "NXDOMAIN"),          // unknown name
            ("under.example.org", "A", u, "NOERROR (no data)"), // empty non-terminal
            ("x.wild.example.com", "A", u, "NOERROR 1 answers"), // wildcard
            ("example.com", "CAA", u, "NOERROR 1 answers"),    // CAA
            (
                "dual.example.com",
                "TXT",
                u,
                "SERVFAIL ede=[(6, \"DNSSEC Bogus\")]",
            ), // EDE
            ("quiet.example.com", "A", u, "timeout (no answer)"), // silence on UDP
            ("quiet.example.com", "A", Transport::Tcp, "NXDOMAIN"), // but not on TCP
            ("big.example.com", "A", u, "NXDOMAIN truncated"), // TC over UDP
            ("big.example.com", "A", Transport::Tcp, "NXDOMAIN"), // full over TCP
            ("slow.example.com", "A", u, "NOERROR (no data) after 300 ms"), // delay
        ];
        for (name, qtype, transport, want) in rows {
            assert_eq!(
                describe(&ask(&zone, name, qtype, *transport)),
                *want,
                "{name} {qtype}"
            );
        }
    }

    #[test]
    fn count_limits_a_fault() {
        let zone = Zone::new(&Scenario::parse(DATA).unwrap().dns);
        let first = ask(&zone, "flaky.example.com", "A", Transport::Udp);
        let second = ask(&zone, "flaky.example.com", "A", Transport::Udp);
        assert_eq!(describe(&first), "SERVFAIL");
        assert_eq!(describe(&second), "NXDOMAIN");
    }

    #[test]
    fn chain_records_name_each_owner() {
        let zone = Zone::new(&Scenario::parse(DATA).unwrap().dns);
        let reply = ask(&zone, "www.example.com", "A", Transport::Udp)
            .reply
            .unwrap();
        let owners: Vec<&str> = reply.answers.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            owners,
            [
                "www.example.com",
                "alias.example.com",
                "dual.example.com",
                "dual.example.com"
            ]
        );
        assert_eq!(reply.question.0, "www.example.com");
        assert!(reply.ra && reply.rd && reply.qr);
    }
}
