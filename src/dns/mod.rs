//! DNS bytes: the query Boulder's resolver client would send, the response it
//! reads, and Boulder's texts for DNS failures.
//!
//! Sans-IO: the host carries the bytes (over DoH or UDP); this module only
//! encodes and decodes. Every byte of a response is untrusted: decoding is
//! bounded, never panics, and rejects anything malformed.
//!
//! | file | concern | Boulder / Go source |
//! |---|---|---|
//! | `name.rs` | names, compression pointers | miekg/dns `UnpackDomainName` (text form) |
//! | `message.rs` | query encoding, response decoding | `bdns/dns.go` (exchange) |
//! | `record.rs` | records, A/AAAA/CNAME/CAA RDATA | miekg/dns types |
//! | `edns.rs` | OPT record, EDNS options | RFC 6891 |
//! | `reader.rs` | bounds-checked cursor (private) | — |
//! | `decode_error.rs` | why a response was refused | — |
//! | `rcode.rs` | RCODE values and names | miekg/dns `RcodeToString` |
//! | `query_type.rs` | A, AAAA, CAA | miekg/dns `TypeToString` |
//! | `extended_error.rs` | Extended DNS Errors | `bdns/problem.go` |
//! | `problem.rs` | error texts | `bdns/problem.go`, `va/dns.go` |

mod decode_error;
mod edns;
mod extended_error;
mod message;
mod name;
mod problem;
mod query_type;
mod rcode;
mod reader;
mod record;
#[cfg(test)]
mod testing;

pub use decode_error::DecodeError;
pub use edns::EDNS_UDP_PAYLOAD;
pub use extended_error::{ExtendedError, ExtendedErrorTooShort, EDE_OPTION_CODE};
pub use message::{decode_response, encode_query, Message, Question, CLASS_IN, MAX_MESSAGE_LEN};
pub use name::{
    canonical_name, decode_name, encode_name, NameError, MAX_LABEL_LEN, MAX_NAME_LEN, MAX_POINTERS,
};
pub use problem::{wrap_err, DnsFailure, DnsProblem, FamilyFailure, HostLookupFailure};
pub use query_type::QueryType;
pub use rcode::Rcode;
pub(crate) use record::escaped_text;
pub use record::{Record, RecordData, TYPE_A, TYPE_AAAA, TYPE_CAA, TYPE_CNAME, TYPE_OPT};
