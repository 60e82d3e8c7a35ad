//! A recursive resolver's answer with chosen addresses, for runs that put one address of the
//! identifier first or alone (as a resolver with another answer order would).

use std::net::IpAddr;

use crate::dns::{TYPE_A, TYPE_AAAA};

/// Header flags of the answer: QR, RD and RA set, NOERROR.
const FLAGS: [u8; 2] = [0x81, 0x80];
/// A name compression pointer to the question's name, right after the 12-byte header.
const QUESTION_NAME: [u8; 2] = [0xC0, 0x0C];
/// Class IN.
const CLASS_IN: [u8; 2] = [0, 1];

/// The answer to `query` (one of our own questions for A or AAAA) holding `addresses` of the
/// question's family, in order: NODATA when none. `None` when `query` is not such a question.
pub(crate) fn encode(query: &[u8], addresses: &[IpAddr]) -> Option<Vec<u8>> {
    let question = question(query)?;
    let qtype = u16::from_be_bytes([
        *question.get(question.len().checked_sub(4)?)?,
        *question.get(question.len().checked_sub(3)?)?,
    ]);
    let records: Vec<(u16, Vec<u8>)> = addresses
        .iter()
        .filter_map(|address| match (address, qtype) {
            (IpAddr::V4(v4), TYPE_A) => Some((TYPE_A, v4.octets().to_vec())),
            (IpAddr::V6(v6), TYPE_AAAA) => Some((TYPE_AAAA, v6.octets().to_vec())),
            _ => None,
        })
        .collect();
    let count = u16::try_from(records.len()).ok()?;
    let mut out = Vec::with_capacity(12 + question.len() + 28 * records.len());
    out.extend_from_slice(query.get(..2)?);
    out.extend_from_slice(&FLAGS);
    for section in [1, count, 0, 0] {
        out.extend_from_slice(&section.to_be_bytes());
    }
    out.extend_from_slice(question);
    for (rtype, data) in records {
        out.extend_from_slice(&QUESTION_NAME);
        out.extend_from_slice(&rtype.to_be_bytes());
        out.extend_from_slice(&CLASS_IN);
        out.extend_from_slice(&0u32.to_be_bytes());
        out.extend_from_slice(&(data.len() as u16).to_be_bytes());
        out.extend_from_slice(&data);
    }
    Some(out)
}

/// The question section of a one-question query: name, type and class.
fn question(query: &[u8]) -> Option<&[u8]> {
    let mut at = 12usize;
    loop {
        let length = usize::from(*query.get(at)?);
        if length == 0 {
            break;
        }
        if length > 63 {
            return None;
        }
        at = at.checked_add(length + 1)?;
    }
    let end = at.checked_add(5)?;
    query.get(12..end)
}

#[cfg(test)]
mod tests {
    use super::encode;
    use crate::dns::{decode_response, encode_query, QueryType, RecordData};
    use std::net::IpAddr;

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|a| a.parse().unwrap()).collect()
    }

    #[test]
    fn answers_decode_as_the_policy_reads_them() {
        let rows: [(QueryType, &[&str], usize); 5] = [
            (QueryType::A, &["198.51.100.1", "198.51.100.2"], 2), // order kept
            (QueryType::Aaaa, &["2001:db8::1"], 1),               // one AAAA
            (QueryType::A, &[], 0),                               // NODATA
            (QueryType::A, &["2001:db8::1", "198.51.100.9"], 1),  // the other family is left out
            (QueryType::Aaaa, &["198.51.100.9"], 0),              // nothing of the family: NODATA
        ];
        for (query_type, addresses, count) in rows {
            let query = encode_query(0x1234, "example.com", query_type).unwrap();
            let answer = encode(&query, &ips(addresses)).unwrap();
            let message = decode_response(&answer).unwrap();
            assert!(message.answers_to(0x1234, "example.com", query_type));
            assert_eq!(message.answers.len(), count, "{addresses:?}");
            let expected: Vec<IpAddr> = ips(addresses)
                .into_iter()
                .filter(|a| a.is_ipv4() == (query_type == QueryType::A))
                .collect();
            let got: Vec<IpAddr> = message
                .answers
                .iter()
                .map(|r| match &r.data {
                    RecordData::A(v4) => IpAddr::V4(*v4),
                    RecordData::Aaaa(v6) => IpAddr::V6(*v6),
                    other => panic!("{other:?}"),
                })
                .collect();
            assert_eq!(got, expected);
        }
    }

    #[test]
    fn refuses_what_is_not_a_question() {
        let query = encode_query(1, "example.com", QueryType::A).unwrap();
        for cut in 0..29 {
            // every prefix that ends before the question does
            assert!(encode(&query[..cut], &[]).is_none(), "{cut}");
        }
        let mut long_label = query.clone();
        long_label[12] = 64; // labels are at most 63 bytes
        assert!(encode(&long_label, &[]).is_none());
    }
}
