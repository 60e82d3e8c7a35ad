//! The simulated recursive resolver: answers a query message from the `World`.

use crate::world::{DnsAnswer, World};

/// What the resolver does with a query.
pub(crate) enum Exchange {
    /// An answer message.
    Answer(Vec<u8>),
    /// No answer: a timeout.
    Silent,
    /// The host reports a network error.
    Unreachable,
    /// The host reports another transport failure.
    Failure,
}

/// The resolver's reaction to a query message it has seen `earlier` times before.
pub(crate) fn exchange(world: &World, query: &[u8], stream: bool, earlier: usize) -> Exchange {
    let transport_fault = Question::parse(query).and_then(|q| {
        match world.dns.get(&(q.name.clone(), q.record_type)) {
            Some(DnsAnswer::Unreachable) => Some(Exchange::Unreachable),
            Some(DnsAnswer::TransportFailure) => Some(Exchange::Failure),
            _ => None,
        }
    });
    match transport_fault {
        Some(fault) => fault,
        None => answer(world, query, stream, earlier).map_or(Exchange::Silent, Exchange::Answer),
    }
}

/// The answer to a query: `None` when the resolver stays silent (a timeout).
fn answer(world: &World, query: &[u8], stream: bool, earlier: usize) -> Option<Vec<u8>> {
    let question = Question::parse(query)?;
    let mut response = Response::new(&question);
    let mut name = question.name.clone();
    for _ in 0..8 {
        let entry = world
            .dns
            .get(&(name.clone(), question.record_type))
            .cloned();
        let entry = match entry {
            Some(DnsAnswer::LostFirst(_)) if earlier == 0 => return None,
            Some(DnsAnswer::LostFirst(inner)) => Some(*inner),
            other => other,
        };
        let entry = match entry {
            Some(DnsAnswer::Truncated(_)) if !stream => {
                response.truncated = true;
                return Some(response.encode());
            }
            Some(DnsAnswer::Truncated(inner)) => Some(*inner),
            other => other,
        };
        match entry {
            None if world.is_known_name(&name) => return Some(response.encode()),
            None => {
                response.rcode = 3;
                return Some(response.encode());
            }
            Some(DnsAnswer::Timeout | DnsAnswer::Unreachable | DnsAnswer::TransportFailure) => {
                return None
            }
            Some(DnsAnswer::Rcode(rcode)) => {
                response.rcode = rcode;
                return Some(response.encode());
            }
            Some(DnsAnswer::Extended(rcode, code, text)) => {
                response.rcode = rcode;
                response.extended = Some((code, text));
                return Some(response.encode());
            }
            Some(DnsAnswer::Addresses(addresses)) => {
                for address in addresses {
                    let data = match address {
                        std::net::IpAddr::V4(v4) => (1u16, v4.octets().to_vec()),
                        std::net::IpAddr::V6(v6) => (28u16, v6.octets().to_vec()),
                    };
                    response.answers.push((name.clone(), data.0, data.1));
                }
                return Some(response.encode());
            }
            Some(DnsAnswer::Records(list)) => {
                for data in list {
                    response
                        .answers
                        .push((name.clone(), question.record_type, data));
                }
                return Some(response.encode());
            }
            Some(DnsAnswer::Cname(target)) => {
                response
                    .answers
                    .push((name.clone(), 5, encode_name(&target)));
                name = target.to_ascii_lowercase();
            }
            Some(DnsAnswer::Truncated(_) | DnsAnswer::LostFirst(_)) => return None,
        }
    }
    response.rcode = 2; // a CNAME loop: SERVFAIL, as resolvers do
    Some(response.encode())
}

struct Question {
    id: u16,
    name: String,
    record_type: u16,
    raw: Vec<u8>,
}

impl Question {
    /// Reads the id and the (uncompressed) question of a query.
    fn parse(query: &[u8]) -> Option<Question> {
        let id = u16::from_be_bytes([*query.first()?, *query.get(1)?]);
        let mut at = 12;
        let mut labels = Vec::new();
        loop {
            let length = usize::from(*query.get(at)?);
            at += 1;
            if length == 0 {
                break;
            }
            labels.push(String::from_utf8_lossy(query.get(at..at + length)?).to_ascii_lowercase());
            at += length;
        }
        let record_type = u16::from_be_bytes([*query.get(at)?, *query.get(at + 1)?]);
        let raw = query.get(12..at + 4)?.to_vec();
        Some(Question {
            id,
            name: labels.join("."),
            record_type,
            raw,
        })
    }
}

struct Response {
    id: u16,
    question: Vec<u8>,
    rcode: u16,
    truncated: bool,
    answers: Vec<(String, u16, Vec<u8>)>,
    extended: Option<(u16, String)>,
}

impl Response {
    fn new(question: &Question) -> Response {
        Response {
            id: question.id,
            question: question.raw.clone(),
            rcode: 0,
            truncated: false,
            answers: Vec::new(),
            extended: None,
        }
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&self.id.to_be_bytes());
        let flags: u16 =
            0x8000 | 0x0100 | 0x0080 | if self.truncated { 0x0200 } else { 0 } | (self.rcode & 0xF);
        out.extend_from_slice(&flags.to_be_bytes());
        let additional = u16::from(self.extended.is_some());
        for count in [1, self.answers.len() as u16, 0, additional] {
            out.extend_from_slice(&count.to_be_bytes());
        }
        out.extend_from_slice(&self.question);
        for (name, record_type, data) in &self.answers {
            out.extend_from_slice(&encode_name(name));
            out.extend_from_slice(&record_type.to_be_bytes());
            out.extend_from_slice(&1u16.to_be_bytes());
            out.extend_from_slice(&300u32.to_be_bytes());
            out.extend_from_slice(&(data.len() as u16).to_be_bytes());
            out.extend_from_slice(data);
        }
        if let Some((code, text)) = &self.extended {
            out.push(0); // root name
            out.extend_from_slice(&41u16.to_be_bytes()); // OPT
            out.extend_from_slice(&1232u16.to_be_bytes());
            let extended_rcode = ((self.rcode >> 4) as u32) << 24;
            out.extend_from_slice(&extended_rcode.to_be_bytes());
            let option_length = 2 + text.len() as u16;
            out.extend_from_slice(&(4 + option_length).to_be_bytes());
            out.extend_from_slice(&15u16.to_be_bytes());
            out.extend_from_slice(&option_length.to_be_bytes());
            out.extend_from_slice(&code.to_be_bytes());
            out.extend_from_slice(text.as_bytes());
        }
        out
    }
}

fn encode_name(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for label in name.split('.').filter(|l| !l.is_empty()) {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    out
}
