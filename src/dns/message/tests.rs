use std::net::{Ipv4Addr, Ipv6Addr};

use super::super::extended_error::ExtendedErrorTooShort;
use super::super::name::NameError;
use super::super::record::{TYPE_A, TYPE_AAAA, TYPE_CNAME};
use super::super::testing::{wire, Builder};
use super::*;

fn question(name: &str, qtype: u16) -> Question {
    Question {
        name: name.to_string(),
        qtype,
        qclass: CLASS_IN,
    }
}

fn record(name: &str, rtype: u16, ttl: u32, data: RecordData) -> Record {
    Record {
        name: name.to_string(),
        rtype,
        ttl,
        data,
    }
}

fn ede(info_code: u16, extra_text: &str) -> ExtendedError {
    ExtendedError {
        info_code,
        extra_text: extra_text.to_string(),
    }
}

/// `www.example.com` -> `alias.example.net` -> `final.example.net` -> A,
/// with every repeated suffix compressed.
fn cname_chain() -> Vec<u8> {
    let b = Builder::response(7, 0).question(&wire("www.example.com"), 1);
    let alias_at = b.offset() + 2 + 10; // the first CNAME's rdata
    let b = b.answer(
        b"\xc0\x0c",
        TYPE_CNAME,
        300,
        b"\x05alias\x07example\x03net\x00",
    );
    let alias = [0xC0, alias_at as u8];
    let example_net = [0xC0, (alias_at + 6) as u8];
    let mut final_name = b"\x05final".to_vec();
    final_name.extend_from_slice(&example_net);
    let final_at = b.offset() + 2 + 10;
    let b = b.answer(&alias, TYPE_CNAME, 300, &final_name);
    let b = b.answer(&[0xC0, final_at as u8], TYPE_A, 60, &[198, 51, 100, 7]);
    b.opt(0, &[]).build()
}

#[test]
fn query_bytes() {
    let got = encode_query(0x1234, "example.com", QueryType::Aaaa).unwrap();
    let mut want = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x01".to_vec();
    want.extend_from_slice(b"\x07example\x03com\x00\x00\x1c\x00\x01");
    want.extend_from_slice(b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00");
    assert_eq!(got, want);
}

#[test]
fn query_name_errors() {
    #[rustfmt::skip]
    let cases: &[(&str, NameError)] = &[
        // nothing to ask for
        ("", NameError::Empty),
        // empty label
        ("a..b", NameError::EmptyLabel),
        // a 64-octet label
        (&"a".repeat(64), NameError::LabelTooLong { len: 64 }),
    ];
    for (name, want) in cases {
        assert_eq!(encode_query(1, name, QueryType::A), Err(want.clone()));
    }
}

#[test]
fn query_round_trip() {
    for qtype in [QueryType::A, QueryType::Aaaa, QueryType::Caa] {
        let bytes = encode_query(0xBEEF, "Example.COM.", qtype).unwrap();
        let message = decode_response(&bytes).unwrap();
        let want = Message {
            id: 0xBEEF,
            is_response: false,
            truncated: false,
            rcode: Rcode::NOERROR,
            questions: vec![question("Example.COM", qtype.code())],
            answers: vec![],
            extended_errors: vec![],
        };
        assert_eq!(message, want);
        // a query is not an answer, even to itself
        assert!(!message.answers_to(0xBEEF, "example.com", qtype));
    }
}

#[test]
fn cname_chain_and_address() {
    let message = decode_response(&cname_chain()).unwrap();
    assert_eq!(message.rcode, Rcode::NOERROR);
    assert_eq!(message.questions, vec![question("www.example.com", 1)]);
    #[rustfmt::skip]
    let want = vec![
        record("www.example.com", TYPE_CNAME, 300, RecordData::Cname("alias.example.net".into())),
        record("alias.example.net", TYPE_CNAME, 300, RecordData::Cname("final.example.net".into())),
        record("final.example.net", TYPE_A, 60, RecordData::A(Ipv4Addr::new(198, 51, 100, 7))),
    ];
    assert_eq!(message.answers, want);
    assert!(message.answers_to(7, "www.example.com", QueryType::A));
}

#[test]
fn nxdomain_with_soa() {
    let soa = [
        wire("ns.example.com"),
        wire("hostmaster.example.com"),
        vec![0; 20],
    ]
    .concat();
    let bytes = Builder::response(9, 3)
        .question(&wire("nope.example.com"), TYPE_AAAA)
        .authority(&wire("example.com"), 6, &soa)
        .build();
    let message = decode_response(&bytes).unwrap();
    assert_eq!(message.rcode, Rcode::NXDOMAIN);
    assert!(message.answers.is_empty());
    assert!(message.answers_to(9, "NOPE.example.com.", QueryType::Aaaa));
}

#[test]
fn servfail_with_extended_error() {
    let bytes = Builder::response(5, 2)
        .question(&wire("dnssec-failed.org"), 1)
        .opt(0, &[(10, b"cookie!!"), (15, b"\x00\x06DNSSEC Bogus")])
        .build();
    let message = decode_response(&bytes).unwrap();
    assert_eq!(message.rcode, Rcode::SERVFAIL);
    assert_eq!(message.extended_errors, vec![ede(6, "DNSSEC Bogus")]);
}

#[test]
fn rcode_and_extended_errors_come_from_the_last_opt() {
    let bytes = Builder::response(5, 0)
        .question(&wire("a.example"), 1)
        .opt(0, &[(15, b"\x00\x01")])
        .opt(1, &[(15, b"\x00\x02")])
        .build();
    let message = decode_response(&bytes).unwrap();
    // header 0 with EXTENDED-RCODE 1 is 16, BADVERS
    assert_eq!(message.rcode, Rcode::BADVERS);
    assert_eq!(message.extended_errors, vec![ede(2, "")]);
}

#[test]
fn header_flags() {
    #[rustfmt::skip]
    let cases: &[([u8; 2], bool, bool, Rcode)] = &[
        // plain response
        ([0x81, 0x80], true, false, Rcode::NOERROR),
        // TC set
        ([0x83, 0x80], true, true, Rcode::NOERROR),
        // QR clear
        ([0x01, 0x05], false, false, Rcode::REFUSED),
        // every bit set: RCODE 15 has no name
        ([0xFF, 0xFF], true, true, Rcode(15)),
    ];
    for (flags, is_response, truncated, rcode) in cases {
        let bytes = Builder::response(1, 0).flags(*flags).build();
        let message = decode_response(&bytes).unwrap();
        assert_eq!(message.is_response, *is_response, "{flags:?}");
        assert_eq!(message.truncated, *truncated, "{flags:?}");
        assert_eq!(message.rcode, *rcode, "{flags:?}");
    }
}

#[test]
fn malformed_responses() {
    let ok = Builder::response(1, 0).question(&wire("a.example"), 1);
    let mut extra_count = ok.build();
    extra_count[7] = 1; // ANCOUNT 1, no answer follows
    let mut trailing = ok.build();
    trailing.push(0);
    let mut loop_name = Builder::response(1, 0).build();
    loop_name[5] = 1; // QDCOUNT 1: a name that points at itself
    loop_name.extend_from_slice(b"\xc0\x0c\x00\x01\x00\x01");
    let short_a = ok.answer(b"\xc0\x0c", TYPE_A, 1, b"\x01\x02\x03").build();
    let short_ede = Builder::response(1, 2).opt(0, &[(15, b"\x00")]).build();
    #[rustfmt::skip]
    let cases: Vec<(&str, Vec<u8>, DecodeError)> = vec![
        ("empty", vec![], DecodeError::Truncated { offset: 0 }),
        ("header cut", vec![0; 11], DecodeError::Truncated { offset: 11 }),
        ("count larger than records", extra_count, DecodeError::Truncated { offset: 27 }),
        ("trailing byte", trailing, DecodeError::TrailingBytes { offset: 27, count: 1 }),
        ("pointer loop", loop_name, DecodeError::Name(NameError::PointerNotBackward { offset: 12, target: 12 })),
        ("A of 3 bytes", short_a, DecodeError::RdataLength { rtype: 1, expected: 4, actual: 3 }),
        ("EDE of 1 byte", short_ede, DecodeError::ExtendedError(ExtendedErrorTooShort { len: 1 })),
    ];
    for (why, bytes, want) in cases {
        assert_eq!(decode_response(&bytes), Err(want), "{why}");
    }
}

#[test]
fn message_length_limit() {
    let header = 12 + 11; // header + one record with a root owner name
    for (len, ok) in [(MAX_MESSAGE_LEN - 1, true), (MAX_MESSAGE_LEN, true)] {
        let bytes = Builder::response(1, 0)
            .answer(b"\x00", 16, 0, &vec![0; len - header])
            .build();
        assert_eq!(bytes.len(), len);
        assert_eq!(decode_response(&bytes).is_ok(), ok, "{len}");
    }
    let too_long = vec![0; MAX_MESSAGE_LEN + 1];
    let want = DecodeError::MessageTooLong {
        len: MAX_MESSAGE_LEN + 1,
    };
    assert_eq!(decode_response(&too_long), Err(want));
}

#[test]
fn aaaa_answer() {
    let ip = Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 7);
    let bytes = Builder::response(3, 0)
        .question(&wire("v6.example"), TYPE_AAAA)
        .answer(b"\xc0\x0c", TYPE_AAAA, 30, &ip.octets())
        .build();
    let answers = decode_response(&bytes).unwrap().answers;
    assert_eq!(
        answers,
        vec![record("v6.example", TYPE_AAAA, 30, RecordData::Aaaa(ip))]
    );
}

#[test]
fn every_prefix_is_an_error_and_extra_bytes_too() {
    let servfail = Builder::response(5, 2)
        .question(&wire("a.example"), 1)
        .opt(0, &[(15, b"\x00\x06bogus")])
        .build();
    for bytes in [cname_chain(), servfail] {
        assert!(decode_response(&bytes).is_ok());
        for cut in 0..bytes.len() {
            assert!(decode_response(&bytes[..cut]).is_err(), "cut {cut}");
        }
        for extra in [&b"\x00"[..], b"\xc0\x0c", &[0xFF; 40]] {
            let longer = [bytes.as_slice(), extra].concat();
            assert!(decode_response(&longer).is_err());
        }
    }
}

#[test]
fn every_single_byte_change_is_handled() {
    let bytes = cname_chain();
    for at in 0..bytes.len() {
        for value in 0..=255u8 {
            let mut changed = bytes.clone();
            changed[at] = value;
            if let Ok(message) = decode_response(&changed) {
                assert!(message.answers.len() <= 3);
            }
        }
    }
}

#[test]
fn random_garbage_is_an_error_or_a_message() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..20_000 {
        let len = (next() % 200) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        if round % 2 == 0 && bytes.len() >= 12 {
            // small counts, so the records are actually attempted
            for i in [4, 6, 8, 10] {
                bytes[i] = 0;
                bytes[i + 1] %= 4;
            }
        }
        let _ = decode_response(&bytes);
    }
}

#[test]
fn answers_to_table() {
    let one = |flags: [u8; 2], name: &str, qtype: u16| {
        let b = Builder::response(42, 0).flags(flags);
        decode_response(&b.question(&wire(name), qtype).build()).unwrap()
    };
    let response = [0x81, 0x80];
    let two = Builder::response(42, 0)
        .question(&wire("a.example"), 1)
        .question(&wire("a.example"), 1)
        .build();
    let chaos = Builder::response(42, 0).question_in(&wire("a.example"), 1, 3);
    let chaos = decode_response(&chaos.build()).unwrap();
    #[rustfmt::skip]
    let cases: Vec<(&str, Message, u16, &str, QueryType, bool)> = vec![
        ("exact match", one(response, "a.example", 1), 42, "a.example", QueryType::A, true),
        ("case differs", one(response, "A.Example", 1), 42, "a.EXAMPLE", QueryType::A, true),
        ("trailing dot asked", one(response, "a.example", 1), 42, "a.example.", QueryType::A, true),
        ("other id", one(response, "a.example", 1), 43, "a.example", QueryType::A, false),
        ("QR clear", one([0x01, 0x80], "a.example", 1), 42, "a.example", QueryType::A, false),
        ("other name", one(response, "b.example", 1), 42, "a.example", QueryType::A, false),
        ("parent name", one(response, "example", 1), 42, "a.example", QueryType::A, false),
        ("other type", one(response, "a.example", 28), 42, "a.example", QueryType::A, false),
        ("two questions", decode_response(&two).unwrap(), 42, "a.example", QueryType::A, false),
        ("no question", decode_response(&Builder::response(42, 0).build()).unwrap(), 42, "a.example", QueryType::A, false),
        ("class CH", chaos, 42, "a.example", QueryType::A, false),
        ("bad name asked", one(response, "a.example", 1), 42, "a..example", QueryType::A, false),
    ];
    for (why, message, id, name, qtype, want) in cases {
        assert_eq!(message.answers_to(id, name, qtype), want, "{why}");
    }
}
