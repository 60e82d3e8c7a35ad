//! Whole messages (RFC 1035 §4.1): the query we send and the response we read.
//!
//! ```text
//! header (12 bytes)
//!   ID(16)
//!   QR | Opcode(4) | AA | TC | RD | RA | Z | AD | CD | RCODE(4)
//!   QDCOUNT(16) ANCOUNT(16) NSCOUNT(16) ARCOUNT(16)
//! question   QNAME | QTYPE(16) | QCLASS(16)        x QDCOUNT
//! answer     records                              x ANCOUNT
//! authority  records                              x NSCOUNT
//! additional records (OPT lives here)             x ARCOUNT
//! ```

use super::decode_error::DecodeError;
use super::edns::{extended_errors, extended_rcode, push_opt};
use super::extended_error::ExtendedError;
use super::name::{canonical_name, encode_name, NameError};
use super::query_type::QueryType;
use super::rcode::Rcode;
use super::reader::Reader;
use super::record::{read_record, Record, RecordData, TYPE_OPT};

/// CLASS IN (Internet).
pub const CLASS_IN: u16 = 1;

/// Largest DNS message (the TCP and DoH length limit).
pub const MAX_MESSAGE_LEN: usize = 65_535;

/// Header bit QR (byte 2): this is a response.
const QR: u8 = 0x80;
/// Header bit TC (byte 2): the response was truncated.
const TC: u8 = 0x02;
/// Header bit RD (byte 2): recursion desired.
const RD: u8 = 0x01;

/// A decoded response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// ID from the header.
    pub id: u16,
    /// QR bit.
    pub is_response: bool,
    /// TC bit.
    pub truncated: bool,
    /// Header RCODE combined with the OPT record's EXTENDED-RCODE.
    pub rcode: Rcode,
    /// The question section.
    pub questions: Vec<Question>,
    /// The answer section (authority and additional records are checked,
    /// then dropped).
    pub answers: Vec<Record>,
    /// Extended DNS Errors of the OPT record, in order.
    pub extended_errors: Vec<ExtendedError>,
}

/// One entry of the question section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// QNAME, as [`decode_name`](super::decode_name) gives it.
    pub name: String,
    /// QTYPE.
    pub qtype: u16,
    /// QCLASS.
    pub qclass: u16,
}

/// The query for `name` and `qtype`: one question, class IN, RD set, and an
/// EDNS(0) OPT record (see [`EDNS_UDP_PAYLOAD`](super::EDNS_UDP_PAYLOAD)) so
/// the resolver can return Extended DNS Errors.
pub fn encode_query(id: u16, name: &str, qtype: QueryType) -> Result<Vec<u8>, NameError> {
    let mut out = Vec::with_capacity(name.len().saturating_add(30));
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&[RD, 0]);
    for count in [1u16, 0, 0, 1] {
        out.extend_from_slice(&count.to_be_bytes());
    }
    encode_name(name, &mut out)?;
    out.extend_from_slice(&qtype.code().to_be_bytes());
    out.extend_from_slice(&CLASS_IN.to_be_bytes());
    push_opt(&mut out);
    Ok(out)
}

/// Decodes a whole response.
///
/// Strict: every record the header counts must be present and well formed,
/// and nothing may follow the last one. The RCODE and the Extended DNS
/// Errors come from the last OPT record, as miekg/dns `Msg.IsEdns0` picks it.
pub fn decode_response(bytes: &[u8]) -> Result<Message, DecodeError> {
    if bytes.len() > MAX_MESSAGE_LEN {
        return Err(DecodeError::MessageTooLong { len: bytes.len() });
    }
    let mut r = Reader::new(bytes);
    let id = r.u16()?;
    let [flags, low_flags] = r.array::<2>()?;
    let [qdcount, ancount, nscount, arcount] = [r.u16()?, r.u16()?, r.u16()?, r.u16()?];
    let mut questions = Vec::new();
    for _ in 0..qdcount {
        questions.push(Question {
            name: r.name()?,
            qtype: r.u16()?,
            qclass: r.u16()?,
        });
    }
    let mut answers = Vec::new();
    for _ in 0..ancount {
        answers.push(read_record(&mut r)?);
    }
    for _ in 0..nscount {
        read_record(&mut r)?;
    }
    let mut opt = None;
    for _ in 0..arcount {
        let record = read_record(&mut r)?;
        if record.rtype == TYPE_OPT {
            opt = Some(record);
        }
    }
    if r.remaining() > 0 {
        return Err(DecodeError::TrailingBytes {
            offset: r.pos(),
            count: r.remaining(),
        });
    }
    let (extended, extended_errors) = match opt {
        Some(Record {
            ttl,
            data: RecordData::Other(rdata),
            ..
        }) => (extended_rcode(ttl), extended_errors(&rdata)?),
        _ => (0, Vec::new()),
    };
    Ok(Message {
        id,
        is_response: flags & QR != 0,
        truncated: flags & TC != 0,
        rcode: Rcode::from_parts(low_flags, extended),
        questions,
        answers,
        extended_errors,
    })
}

impl Message {
    /// Whether this is the response to our query: QR set, the same ID, and a
    /// single question for `name` (ASCII case ignored, trailing dot optional),
    /// `qtype` and class IN. Anything else is a stray or spoofed answer.
    pub fn answers_to(&self, id: u16, name: &str, qtype: QueryType) -> bool {
        let [question] = self.questions.as_slice() else {
            return false;
        };
        self.is_response
            && self.id == id
            && question.qtype == qtype.code()
            && question.qclass == CLASS_IN
            && canonical_name(name).is_ok_and(|name| name.eq_ignore_ascii_case(&question.name))
    }
}

#[cfg(test)]
mod tests;
