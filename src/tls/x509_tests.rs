//! Tests of the certificate parser: hand-built certificates for each rule of Go's parser,
//! rcgen-made ones for real keys and signatures, and the whole-prefix-flip sweeps.

use super::*;
use crate::tls::signature::is_signed_by_own_key;

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    if content.len() < 128 {
        out.push(content.len() as u8);
    } else if content.len() < 256 {
        out.extend_from_slice(&[0x81, content.len() as u8]);
    } else {
        let length = (content.len() as u16).to_be_bytes();
        out.extend_from_slice(&[0x82, length[0], length[1]]);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

const ED25519_AI: &[u8] = &[0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70];

/// The parts of a hand-built certificate; each test changes one.
struct Parts {
    version: Vec<u8>,
    serial: Vec<u8>,
    inner_algorithm: Vec<u8>,
    outer_algorithm: Vec<u8>,
    issuer: Vec<u8>,
    validity: Vec<u8>,
    subject: Vec<u8>,
    spki: Vec<u8>,
    extensions: Vec<Vec<u8>>,
    trailing: Vec<u8>,
}

fn name(cn: &[u8], string_tag: u8) -> Vec<u8> {
    let attribute = seq(&[&tlv(0x06, &[0x55, 0x04, 0x03]), &tlv(string_tag, cn)]);
    seq(&[&tlv(0x31, &attribute)])
}

fn extension(oid: &[u8], critical: bool, value: &[u8]) -> Vec<u8> {
    let flag = if critical {
        tlv(0x01, &[0xff])
    } else {
        Vec::new()
    };
    seq(&[&tlv(0x06, oid), &flag, &tlv(0x04, value)])
}

fn san_dns(host: &str) -> Vec<u8> {
    seq(&[&tlv(0x82, host.as_bytes())])
}

impl Parts {
    fn good() -> Parts {
        Parts {
            version: tlv(0xa0, &tlv(0x02, &[0x02])),
            serial: tlv(0x02, &[0x01]),
            inner_algorithm: ED25519_AI.to_vec(),
            outer_algorithm: ED25519_AI.to_vec(),
            issuer: name(b"example.com", 0x0c),
            validity: seq(&[&tlv(0x17, b"250101000000Z"), &tlv(0x18, b"20500101000000Z")]),
            subject: name(b"example.com", 0x0c),
            spki: seq(&[
                ED25519_AI,
                &tlv(0x03, &[[0u8].as_slice(), &[7; 32]].concat()),
            ]),
            extensions: vec![extension(
                OID_SUBJECT_ALT_NAME,
                false,
                &san_dns("example.com"),
            )],
            trailing: Vec::new(),
        }
    }

    fn der(&self) -> Vec<u8> {
        let extensions = if self.extensions.is_empty() {
            Vec::new()
        } else {
            let list: Vec<&[u8]> = self.extensions.iter().map(Vec::as_slice).collect();
            tlv(0xa3, &seq(&list))
        };
        let tbs = seq(&[
            &self.version,
            &self.serial,
            &self.inner_algorithm,
            &self.issuer,
            &self.validity,
            &self.subject,
            &self.spki,
            &extensions,
        ]);
        let signature = tlv(0x03, &[0u8; 65]);
        [
            seq(&[&tbs, &self.outer_algorithm, &signature]),
            self.trailing.clone(),
        ]
        .concat()
    }
}

#[test]
fn parses_a_plain_certificate() {
    let der = Parts::good().der();
    let certificate = parse(&der).unwrap();
    assert_eq!(certificate.common_name.as_deref(), Some("example.com"));
    assert_eq!(
        certificate.alt_names.dns_names,
        vec!["example.com".to_string()]
    );
    assert_eq!(certificate.public_key, PublicKey::Ed25519(&[7; 32]));
    assert_eq!(certificate.raw_subject, certificate.raw_issuer);
}

#[test]
fn refuses_what_go_refuses() {
    type Change = fn(&mut Parts);
    let rows: [(&str, Change, bool); 19] = [
        ("version 3 encoded as 2 is v3", |_| {}, true),
        (
            "v1 (no version field) ignores extensions",
            |p| p.version.clear(),
            true,
        ),
        (
            "version 4 does not exist",
            |p| p.version = tlv(0xa0, &tlv(0x02, &[0x03])),
            false,
        ),
        (
            "a negative serial (Go 1.23+)",
            |p| p.serial = tlv(0x02, &[0xff]),
            false,
        ),
        (
            "a zero serial is fine",
            |p| p.serial = tlv(0x02, &[0x00]),
            true,
        ),
        (
            "inner and outer algorithms differ",
            |p| p.outer_algorithm = seq(&[&tlv(0x06, &[0x2b, 0x65, 0x71])]),
            false,
        ),
        (
            "trailing data after the certificate",
            |p| p.trailing = vec![0],
            false,
        ),
        (
            "a PrintableString with '@'",
            |p| p.subject = name(b"a@b", 0x13),
            false,
        ),
        (
            "a PrintableString with '*' (tolerated)",
            |p| p.subject = name(b"*.example.com", 0x13),
            true,
        ),
        (
            "invalid UTF-8 in a UTF8String",
            |p| p.subject = name(b"\xff", 0x0c),
            false,
        ),
        (
            "a BMPString with a surrogate",
            |p| p.subject = name(&[0xd8, 0x00], 0x1e),
            false,
        ),
        (
            "a validity time with a bad month",
            |p| p.validity = seq(&[&tlv(0x17, b"251301000000Z"), &tlv(0x17, b"260101000000Z")]),
            false,
        ),
        (
            "an Ed25519 key of 31 bytes",
            |p| p.spki = seq(&[ED25519_AI, &tlv(0x03, &[0; 32])]),
            false,
        ),
        (
            "an unknown key algorithm is kept, not parsed",
            |p| p.spki = seq(&[&seq(&[&tlv(0x06, &[0x2a, 0x03])]), &tlv(0x03, &[0])]),
            true,
        ),
        (
            "an RSA key without NULL parameters",
            |p| p.spki = seq(&[&seq(&[&tlv(0x06, OID_RSA)]), &tlv(0x03, &[0])]),
            false,
        ),
        (
            "the same extension twice",
            |p| p.extensions.push(p.extensions[0].clone()),
            false,
        ),
        (
            "a SAN IP of 5 bytes",
            |p| {
                p.extensions = vec![extension(
                    OID_SUBJECT_ALT_NAME,
                    false,
                    &seq(&[&tlv(0x87, &[1; 5])]),
                )]
            },
            false,
        ),
        (
            "a SAN dNSName with a non-ASCII byte",
            |p| {
                p.extensions = vec![extension(
                    OID_SUBJECT_ALT_NAME,
                    false,
                    &seq(&[&tlv(0x82, b"\xc3\xa9.com")]),
                )]
            },
            false,
        ),
        (
            "a critical subject key identifier",
            |p| {
                p.extensions
                    .push(extension(&[0x55, 0x1d, 0x0e], true, &tlv(0x04, &[1])))
            },
            false,
        ),
    ];
    for (why, change, ok) in rows {
        let mut parts = Parts::good();
        change(&mut parts);
        assert_eq!(parse(&parts.der()).is_ok(), ok, "{why}");
    }
}

#[test]
fn every_prefix_fails_and_no_byte_flip_panics() {
    let der = Parts::good().der();
    for cut in 0..der.len() {
        assert!(parse(&der[..cut]).is_err(), "prefix {cut}");
    }
    for i in 0..der.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut changed = der.clone();
            changed[i] ^= flip;
            let _ = parse(&changed); // must return, whatever it returns
        }
    }
}

#[test]
fn real_keys_sign_their_own_certificates() {
    for algorithm in [
        &rcgen::PKCS_ED25519,
        &rcgen::PKCS_ECDSA_P256_SHA256,
        &rcgen::PKCS_ECDSA_P384_SHA384,
    ] {
        let key = rcgen::KeyPair::generate_for(algorithm).unwrap();
        let params = rcgen::CertificateParams::new(vec!["example.com".to_string()]).unwrap();
        let der = params.self_signed(&key).unwrap().der().to_vec();
        let certificate = parse(&der).unwrap();
        assert!(is_signed_by_own_key(&certificate), "{algorithm:?}");
        // Another key's certificate with the same fields does not verify with this one.
        let other = rcgen::KeyPair::generate_for(algorithm).unwrap();
        let other_der = params.self_signed(&other).unwrap().der().to_vec();
        let mut forged = parse(&other_der).unwrap();
        forged.public_key = certificate.public_key;
        assert!(!is_signed_by_own_key(&forged), "{algorithm:?} forged");
    }
}
