use super::*;

/// `n` labels of `len` bytes each, joined by dots.
fn labels(n: usize, len: usize) -> String {
    vec!["a".repeat(len); n].join(".")
}

#[test]
fn encode_table() {
    #[rustfmt::skip]
    let cases: &[(&str, Result<&[u8], NameError>)] = &[
        // plain name
        ("example.com", Ok(b"\x07example\x03com\x00")),
        // the optional trailing dot is dropped
        ("example.com.", Ok(b"\x07example\x03com\x00")),
        // case is kept on the wire
        ("ExAmple.COM", Ok(b"\x07ExAmple\x03COM\x00")),
        // single label
        ("localhost", Ok(b"\x09localhost\x00")),
        // nothing to look up
        ("", Err(NameError::Empty)),
        // the root alone is refused too
        (".", Err(NameError::Empty)),
        // leading dot
        (".example.com", Err(NameError::EmptyLabel)),
        // double dot
        ("example..com", Err(NameError::EmptyLabel)),
        // two trailing dots leave an empty label
        ("example.com..", Err(NameError::EmptyLabel)),
        // escapes would be ambiguous
        ("a\\.b", Err(NameError::Escape)),
    ];
    for (name, want) in cases {
        let mut out = Vec::new();
        let got = encode_name(name, &mut out).map(|()| out.as_slice());
        assert_eq!(got, want.clone(), "{name:?}");
    }
}

#[test]
fn label_length_limit() {
    for (len, ok) in [(62, true), (63, true), (64, false)] {
        let mut out = Vec::new();
        let got = encode_name(&format!("{}.com", "a".repeat(len)), &mut out);
        assert_eq!(got.is_ok(), ok, "label of {len}");
        if !ok {
            assert_eq!(got, Err(NameError::LabelTooLong { len }));
            assert!(out.is_empty(), "nothing written on error");
        }
    }
}

#[test]
fn name_length_limit() {
    // 3 labels of 63 (3 * 64 = 192) + one label of n (n + 1) + root (1).
    for (last, wire) in [(60, 254), (61, 255), (62, 256)] {
        let name = format!("{}.{}", labels(3, 63), "b".repeat(last));
        let got = encode_name(&name, &mut Vec::new());
        if wire <= MAX_NAME_LEN {
            assert_eq!(got, Ok(()), "wire {wire}");
            let mut out = Vec::new();
            encode_name(&name, &mut out).unwrap();
            assert_eq!(out.len(), wire);
        } else {
            assert_eq!(got, Err(NameError::NameTooLong { len: wire }));
        }
    }
}

#[test]
fn round_trip_keeps_text() {
    for name in ["example.com", "A.b-c.D_e", &labels(4, 61), "x"] {
        let mut wire = Vec::new();
        encode_name(name, &mut wire).unwrap();
        assert_eq!(decode_name(&wire, 0), Ok((name.to_string(), wire.len())));
        assert_eq!(canonical_name(&format!("{name}.")).unwrap(), name);
    }
}

fn check_decode(msg: &[u8], offset: usize, want: Result<(&str, usize), NameError>) {
    let want = want.map(|(s, end)| (s.to_string(), end));
    assert_eq!(decode_name(msg, offset), want, "{msg:?} at {offset}");
}

#[test]
#[rustfmt::skip]
fn decode_table() {
    // the root name is empty text
    check_decode(b"\x00", 0, Ok(("", 1)));
    // a name followed by other bytes stops at its root
    check_decode(b"\x01a\x00\xff", 0, Ok(("a", 3)));
    // backward pointer: the end is just after the pointer
    check_decode(b"\x01a\x00\x01b\xc0\x00", 3, Ok(("b.a", 7)));
    // a pointer straight to the root
    check_decode(b"\x00\xc0\x00", 1, Ok(("", 3)));
    // non-printable bytes become \DDD
    check_decode(b"\x03a\x00\xff\x00", 0, Ok(("a\\000\\255", 5)));
    // specials get a backslash, as in miekg/dns
    check_decode(b"\x04a.b \x00", 0, Ok(("a\\.b\\ ", 6)));
    // empty message
    check_decode(b"", 0, Err(NameError::Truncated { offset: 0 }));
    // label runs past the end
    check_decode(b"\x05ab", 0, Err(NameError::Truncated { offset: 3 }));
    // no root byte
    check_decode(b"\x01a", 0, Err(NameError::Truncated { offset: 2 }));
    // pointer missing its second byte
    check_decode(b"\x00\xc0", 1, Err(NameError::Truncated { offset: 2 }));
    // pointer to itself
    check_decode(b"\xc0\x00", 0, Err(NameError::PointerNotBackward { offset: 0, target: 0 }));
    // forward pointer
    check_decode(b"\xc0\x02\x00", 0, Err(NameError::PointerNotBackward { offset: 0, target: 2 }));
    // pointer outside the message
    check_decode(b"\x00\xff\xff", 1, Err(NameError::PointerOutOfRange { offset: 1, target: 0x3fff }));
    // two pointers bouncing between each other
    check_decode(b"\xc0\x02\xc0\x00", 2, Err(NameError::PointerNotBackward { offset: 0, target: 2 }));
    // label then pointer back to that label: a loop through a label
    check_decode(b"\x01a\xc0\x00", 0, Err(NameError::PointerNotBackward { offset: 2, target: 0 }));
    // reserved label types 01 and 10
    check_decode(b"\x40", 0, Err(NameError::ReservedLabelType { offset: 0, byte: 0x40 }));
    check_decode(b"\x80", 0, Err(NameError::ReservedLabelType { offset: 0, byte: 0x80 }));
}

#[test]
fn decoded_length_limit() {
    // 255 octets decode; 256 do not, even though each label is legal.
    for (last, ok) in [(60, true), (61, true), (62, false)] {
        let name = format!("{}.{}", labels(3, 63), "b".repeat(last));
        let mut wire = Vec::new();
        for label in name.split('.') {
            wire.push(label.len() as u8);
            wire.extend_from_slice(label.as_bytes());
        }
        wire.push(0);
        let got = decode_name(&wire, 0);
        assert_eq!(got.is_ok(), ok, "last label {last}");
        if !ok {
            assert_eq!(got, Err(NameError::NameTooLong { len: 256 }));
        }
    }
}

/// A chain of `n` pointers, each to the one before, ending at a root byte.
fn pointer_chain(n: usize) -> (Vec<u8>, usize) {
    let mut msg = vec![0u8];
    let mut previous = 0usize;
    for _ in 0..n {
        let here = msg.len();
        msg.extend_from_slice(&[0xC0 | (previous >> 8) as u8, previous as u8]);
        previous = here;
    }
    (msg, previous)
}

#[test]
fn pointer_count_limit() {
    for (n, ok) in [
        (MAX_POINTERS - 1, true),
        (MAX_POINTERS, true),
        (MAX_POINTERS + 1, false),
    ] {
        let (msg, start) = pointer_chain(n);
        let got = decode_name(&msg, start);
        assert_eq!(got.is_ok(), ok, "{n} pointers");
        if !ok {
            assert_eq!(got, Err(NameError::TooManyPointers));
        }
    }
}

#[test]
fn every_prefix_is_an_error() {
    let msg = b"\x07example\x03com\x00\x03www\xc0\x00";
    assert_eq!(decode_name(msg, 0), Ok(("example.com".to_string(), 13)));
    assert_eq!(
        decode_name(msg, 13),
        Ok(("www.example.com".to_string(), 19))
    );
    // (start, end of the name's bytes in place)
    for (start, end) in [(0, 13), (13, 19)] {
        for cut in 0..end {
            assert!(
                decode_name(&msg[..cut], start).is_err(),
                "{start} cut {cut}"
            );
        }
    }
}

#[test]
fn garbage_never_panics_and_stays_bounded() {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..20_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let len = (state % 64) as usize;
        let msg: Vec<u8> = (0..len)
            .map(|i| (state >> (i % 8 * 8)) as u8 ^ i as u8)
            .collect();
        for offset in 0..=len {
            if let Ok((text, end)) = decode_name(&msg, offset) {
                assert!(end <= msg.len());
                assert!(text.len() <= 4 * MAX_NAME_LEN);
            }
        }
    }
}
