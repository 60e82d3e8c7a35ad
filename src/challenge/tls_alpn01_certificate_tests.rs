//! The certificate checks, one row per Boulder test of `va/tlsalpn_test.go` (the handshake
//! itself is covered by the simulated scenarios).

use super::*;
use rcgen::{CertificateParams, CustomExtension, Issuer, KeyPair, SanType, PKCS_ED25519};

const KA: &str = "token.thumbprint";
const HOST: &str = "example.com";

fn address() -> SocketAddr {
    "198.51.100.7:443".parse().unwrap()
}

fn digest_of(text: &str) -> Vec<u8> {
    digest(&SHA256, text.as_bytes()).as_ref().to_vec()
}

/// A challenge certificate for `sans` with an acmeIdentifier of `digest`, self-signed.
fn params(sans: &[&str], digest: &[u8]) -> CertificateParams {
    let mut params =
        CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    params
        .custom_extensions
        .push(CustomExtension::new_acme_identifier(digest));
    params
}

fn self_signed(params: &CertificateParams) -> Vec<u8> {
    let key = KeyPair::generate_for(&PKCS_ED25519).unwrap();
    params.self_signed(&key).unwrap().der().to_vec()
}

fn check(der: Vec<u8>, identifier: &Identifier, alpn: Option<&[u8]>) -> Result<(), Problem> {
    let handshake = Handshake {
        certificates: vec![der],
        alpn: alpn.map(<[u8]>::to_vec),
    };
    check_certificate(&handshake, identifier, KA, address())
}

fn prefix() -> String {
    format!("Incorrect validation certificate for tls-alpn-01 challenge. Requested {HOST} from 198.51.100.7:443. ")
}

#[test]
fn boulder_certificate_checks() {
    let dns = Identifier::Dns(HOST.to_string());
    let good = digest_of(KA);
    let not_critical = {
        let mut p = CertificateParams::new(vec![HOST.to_string()]).unwrap();
        let mut ext = CustomExtension::from_oid_content(
            &[1, 3, 6, 1, 5, 5, 7, 1, 31],
            vec![0x04, 0x20].into_iter().chain(good.clone()).collect(),
        );
        ext.set_criticality(false);
        p.custom_extensions.push(ext);
        p
    };
    let malformed = {
        let mut p = CertificateParams::new(vec![HOST.to_string()]).unwrap();
        let mut ext =
            CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 31], good.clone());
        ext.set_criticality(true);
        p.custom_extensions.push(ext);
        p
    };
    let obsolete = {
        let mut p = CertificateParams::new(vec![HOST.to_string()]).unwrap();
        let mut ext = CustomExtension::from_oid_content(
            &[1, 3, 6, 1, 5, 5, 7, 1, 30, 1],
            vec![0x04, 0x20].into_iter().chain(good.clone()).collect(),
        );
        ext.set_criticality(true);
        p.custom_extensions.push(ext);
        p
    };
    let wrong = digest_of("other");
    type Row<'a> = (&'a str, Vec<u8>, Option<&'a [u8]>, Result<(), String>);
    let rows: Vec<Row> = vec![
        ("TestTLSALPN01SuccessDNS", self_signed(&params(&[HOST], &good)), Some(ACME_TLS_1), Ok(())),
        ("no ALPN negotiated", self_signed(&params(&[HOST], &good)), None,
            Err("Cannot negotiate ALPN protocol \"acme-tls/1\" for tls-alpn-01 challenge".into())),
        ("TestTLSALPN01WrongName", self_signed(&params(&["other.com"], &good)), Some(ACME_TLS_1),
            Err(format!("{}Received certificate with unexpected identifiers (\"other.com, rcgen self signed cert\"): \"identifier does not match expected identifier\"", prefix()))),
        ("TestTLSALPN01ExtraNames", self_signed(&params(&[HOST, "www.example.com"], &good)), Some(ACME_TLS_1),
            Err(format!("{}Received certificate with unexpected identifiers (\"example.com, rcgen self signed cert, www.example.com\"): \"wrong number of identifiers\"", prefix()))),
        ("TestTLSALPN01TooManyIdentTypes", self_signed(&params(&[HOST, "198.51.100.7"], &good)), Some(ACME_TLS_1),
            Err(format!("{}Received certificate with unexpected identifiers (\"198.51.100.7, example.com, rcgen self signed cert\"): \"wrong number of identifiers\"", prefix()))),
        ("uppercase SAN: EqualFold passes, the bytes do not", self_signed(&params(&["EXAMPLE.com"], &good)), Some(ACME_TLS_1),
            Err(format!("{}Received certificate with unexpected identifiers (\"example.com, rcgen self signed cert\"): \"SAN extension does not match expected bytes\"", prefix()))),
        ("TestValidateTLSALPN01BadChallenge", self_signed(&params(&[HOST], &wrong)), Some(ACME_TLS_1),
            Err(format!("{}Received certificate with acmeValidationV1 extension value {} but expected {}.", prefix(), hex(&wrong), hex(&good)))),
        ("non-critical acmeIdentifier", self_signed(&not_critical), Some(ACME_TLS_1),
            Err(format!("{}Received certificate with acmeValidationV1 extension that is not Critical.", prefix()))),
        ("TestValidateTLSALPN01MalformedExtnValue", self_signed(&malformed), Some(ACME_TLS_1),
            Err(format!("{}Received certificate with malformed acmeValidationV1 extension value.", prefix()))),
        ("TestTLSALPN01ObsoleteFailure", self_signed(&obsolete), Some(ACME_TLS_1),
            Err(format!("{}Received certificate with unexpected extensions: \"Required extension OID 1.3.6.1.5.5.7.1.31 is not present\"", prefix()))),
        ("no SAN at all", self_signed(&params(&[], &good)), Some(ACME_TLS_1),
            Err(format!("{}Received certificate with unexpected extensions: \"Required extension OID 2.5.29.17 is not present\"", prefix()))),
    ];
    for (name, der, alpn, expected) in rows {
        let got = check(der, &dns, alpn).map_err(|p| p.detail);
        assert_eq!(got, expected, "{name}");
    }
}

#[test]
fn not_self_signed() {
    let ca_key = KeyPair::generate_for(&PKCS_ED25519).unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Test CA");
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate_for(&PKCS_ED25519).unwrap();
    let der = params(&[HOST], &digest_of(KA))
        .signed_by(&leaf_key, &issuer)
        .unwrap()
        .der()
        .to_vec();
    let got = check(der, &Identifier::Dns(HOST.into()), Some(ACME_TLS_1)).map_err(|p| p.detail);
    assert_eq!(
        got,
        Err(format!(
            "{}Received certificate which is not self-signed.",
            prefix()
        ))
    );
}

#[test]
fn ip_identifiers() {
    let v4 = Identifier::Ip("198.51.100.7".parse().unwrap());
    let good = digest_of(KA);
    let ok = self_signed(&params(&["198.51.100.7"], &good));
    assert_eq!(check(ok, &v4, Some(ACME_TLS_1)), Ok(())); // TestTLSALPN01SuccessIPv4
    let wrong = self_signed(&params(&["198.51.100.8"], &good));
    let detail = check(wrong, &v4, Some(ACME_TLS_1)).unwrap_err().detail;
    assert!(
        detail.ends_with("\"identifier does not match expected identifier\""),
        "{detail}"
    ); // WrongIPv4
    let dns_for_ip = self_signed(&params(&[HOST], &good));
    let detail = check(dns_for_ip, &v4, Some(ACME_TLS_1)).unwrap_err().detail;
    assert!(
        detail.ends_with("\"wrong number of identifiers\""),
        "{detail}"
    ); // WrongIdentType
    let v6 = Identifier::Ip("2001:db8::7".parse().unwrap());
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.subject_alt_names = vec![SanType::IpAddress("2001:db8::7".parse().unwrap())];
    p.custom_extensions
        .push(CustomExtension::new_acme_identifier(&good));
    let handshake = Handshake {
        certificates: vec![self_signed(&p)],
        alpn: Some(ACME_TLS_1.to_vec()),
    };
    let v6_address: SocketAddr = "[2001:db8::7]:443".parse().unwrap();
    assert_eq!(check_certificate(&handshake, &v6, KA, v6_address), Ok(())); // SuccessIPv6
}

#[test]
fn der_lengths_of_the_expected_san() {
    // Short names use the short form; a 253-byte name needs long forms at both levels.
    assert_eq!(
        der_sequence_of_one(0x82, b"a.b"),
        vec![0x30, 0x05, 0x82, 0x03, b'a', b'.', b'b']
    );
    let long = vec![b'a'; 253];
    let encoded = der_sequence_of_one(0x82, &long);
    assert_eq!(&encoded[..6], &[0x30, 0x82, 0x01, 0x00, 0x82, 0x81]);
    assert_eq!(encoded.len(), 4 + 3 + 253);
    let mut out = Vec::new();
    push_length(&mut out, 127);
    push_length(&mut out, 128);
    assert_eq!(out, vec![0x7f, 0x81, 0x80]); // the limit at 127/128
}
