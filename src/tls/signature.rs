//! Signature checks with ring: a certificate's signature by its own key (Go's
//! `Certificate.CheckSignature`, for TLS-ALPN-01's self-signed test) and the server's
//! handshake signature (Go's `verifyHandshakeSignature`).
//!
//! ring lacks a few combinations Go accepts (P-521, ECDSA with SHA-512, RSA-PSS keys under
//! 2048 bits, RSA keys over 8192 bits); those signatures fail here. SHA-1 and MD5 fail in
//! both, as Go (since 1.24) refuses them.

use ring::signature::{self as ring_sig, VerificationAlgorithm};
use rustls::SignatureScheme;

use super::der::{tag, Reader};
use super::x509::{algorithm_identifier, Certificate, Curve, PublicKey, OID_ED25519};

/// The schemes offered, in Go's order (`defaultSupportedSignatureAlgorithms`), less those
/// ring cannot verify (ECDSA P-521) and the SHA-1 ones Go no longer offers.
pub(crate) const OFFERED_SCHEMES: [SignatureScheme; 9] = [
    SignatureScheme::RSA_PSS_SHA256,
    SignatureScheme::ECDSA_NISTP256_SHA256,
    SignatureScheme::ED25519,
    SignatureScheme::RSA_PSS_SHA384,
    SignatureScheme::RSA_PSS_SHA512,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
    SignatureScheme::ECDSA_NISTP384_SHA384,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

/// How a signature is made: the padding or curve family and the hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    Pkcs1(Hash),
    Pss(Hash),
    Ecdsa(Hash),
    Ed25519,
}

/// Port of Go's `CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate,
/// cert.Signature)` with the certificate's own key.
pub(crate) fn is_signed_by_own_key(certificate: &Certificate<'_>) -> bool {
    let Some(method) = certificate_method(certificate) else {
        return false;
    };
    verify(
        &certificate.public_key,
        method,
        certificate.raw_tbs,
        certificate.signature,
    )
}

/// Port of `verifyHandshakeSignature`: `signature` over `message` by `key` with `scheme`.
/// PKCS#1 v1.5 is for TLS 1.2 only.
pub(crate) fn verify_handshake(
    key: &PublicKey<'_>,
    scheme: SignatureScheme,
    tls13: bool,
    message: &[u8],
    signature: &[u8],
) -> bool {
    let method = match scheme {
        SignatureScheme::RSA_PSS_SHA256 => Method::Pss(Hash::Sha256),
        SignatureScheme::RSA_PSS_SHA384 => Method::Pss(Hash::Sha384),
        SignatureScheme::RSA_PSS_SHA512 => Method::Pss(Hash::Sha512),
        SignatureScheme::RSA_PKCS1_SHA256 if !tls13 => Method::Pkcs1(Hash::Sha256),
        SignatureScheme::RSA_PKCS1_SHA384 if !tls13 => Method::Pkcs1(Hash::Sha384),
        SignatureScheme::RSA_PKCS1_SHA512 if !tls13 => Method::Pkcs1(Hash::Sha512),
        // Go checks the hash, not that the curve matches the scheme's name.
        SignatureScheme::ECDSA_NISTP256_SHA256 => Method::Ecdsa(Hash::Sha256),
        SignatureScheme::ECDSA_NISTP384_SHA384 => Method::Ecdsa(Hash::Sha384),
        SignatureScheme::ED25519 => Method::Ed25519,
        _ => return false,
    };
    verify(key, method, message, signature)
}

fn verify(key: &PublicKey<'_>, method: Method, message: &[u8], signature: &[u8]) -> bool {
    let (algorithm, key_bytes): (&dyn VerificationAlgorithm, &[u8]) = match (key, method) {
        (PublicKey::Rsa(key), Method::Pkcs1(hash)) => (pkcs1(hash), key),
        (PublicKey::Rsa(key), Method::Pss(hash)) => (pss(hash), key),
        (PublicKey::Ec(curve, point), Method::Ecdsa(hash)) => match ecdsa(*curve, hash) {
            Some(algorithm) => (algorithm, point),
            None => return false,
        },
        (PublicKey::Ed25519(key), Method::Ed25519) => (&ring_sig::ED25519, key),
        _ => return false,
    };
    ring_sig::UnparsedPublicKey::new(algorithm, key_bytes)
        .verify(message, signature)
        .is_ok()
}

fn pkcs1(hash: Hash) -> &'static dyn VerificationAlgorithm {
    match hash {
        Hash::Sha256 => &ring_sig::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        Hash::Sha384 => &ring_sig::RSA_PKCS1_2048_8192_SHA384,
        Hash::Sha512 => &ring_sig::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
    }
}

fn pss(hash: Hash) -> &'static dyn VerificationAlgorithm {
    match hash {
        Hash::Sha256 => &ring_sig::RSA_PSS_2048_8192_SHA256,
        Hash::Sha384 => &ring_sig::RSA_PSS_2048_8192_SHA384,
        Hash::Sha512 => &ring_sig::RSA_PSS_2048_8192_SHA512,
    }
}

fn ecdsa(curve: Curve, hash: Hash) -> Option<&'static dyn VerificationAlgorithm> {
    match (curve, hash) {
        (Curve::P256, Hash::Sha256) => Some(&ring_sig::ECDSA_P256_SHA256_ASN1),
        (Curve::P256, Hash::Sha384) => Some(&ring_sig::ECDSA_P256_SHA384_ASN1),
        (Curve::P384, Hash::Sha256) => Some(&ring_sig::ECDSA_P384_SHA256_ASN1),
        (Curve::P384, Hash::Sha384) => Some(&ring_sig::ECDSA_P384_SHA384_ASN1),
        _ => None,
    }
}

const OID_PKCS1: [u8; 8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01];
const OID_ECDSA_SHA2: [u8; 7] = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03];
const OID_SHA2: [u8; 8] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02];
const NULL: &[u8] = &[0x05, 0x00];

/// Port of `getSignatureAlgorithmFromAI` for the algorithms Go still verifies.
fn certificate_method(certificate: &Certificate<'_>) -> Option<Method> {
    let algorithm = certificate.signature_algorithm;
    match algorithm.oid {
        OID_ED25519 if algorithm.parameters.is_none() => Some(Method::Ed25519),
        [prefix @ .., 0x0b] if *prefix == OID_PKCS1 => Some(Method::Pkcs1(Hash::Sha256)),
        [prefix @ .., 0x0c] if *prefix == OID_PKCS1 => Some(Method::Pkcs1(Hash::Sha384)),
        [prefix @ .., 0x0d] if *prefix == OID_PKCS1 => Some(Method::Pkcs1(Hash::Sha512)),
        [prefix @ .., 0x0a] if *prefix == OID_PKCS1 => {
            pss_hash(algorithm.parameters?).map(Method::Pss)
        }
        [prefix @ .., 0x02] if *prefix == OID_ECDSA_SHA2 => Some(Method::Ecdsa(Hash::Sha256)),
        [prefix @ .., 0x03] if *prefix == OID_ECDSA_SHA2 => Some(Method::Ecdsa(Hash::Sha384)),
        [prefix @ .., 0x04] if *prefix == OID_ECDSA_SHA2 => Some(Method::Ecdsa(Hash::Sha512)),
        _ => None,
    }
}

/// RSASSA-PSS parameters as Go accepts them: explicit hash, MGF1 with the same hash,
/// NULL or absent hash parameters, a salt as long as the hash, trailer field 1.
fn pss_hash(parameters: &[u8]) -> Option<Hash> {
    let mut fields = Reader::new(parameters).nested(tag::SEQUENCE).ok()?;
    let hash = explicit_algorithm(&mut fields, 0)?;
    let mgf = explicit_algorithm(&mut fields, 1)?;
    let salt = Reader::new(fields.read(tag::explicit(2)).ok()?)
        .read_integer()
        .ok()?;
    let trailer_ok = match fields.read_optional(tag::explicit(3)).ok()? {
        None => true,
        Some(trailer) => Reader::new(trailer).read_integer().ok()? == [1],
    };
    let mgf_hash =
        algorithm_identifier(Reader::new(mgf.parameters?).read(tag::SEQUENCE).ok()?).ok()?;
    let null_or_absent = |p: Option<&[u8]>| p.is_none() || p == Some(NULL);
    let consistent = mgf.oid == [OID_PKCS1.as_slice(), &[0x08]].concat()
        && mgf_hash.oid == hash.oid
        && null_or_absent(hash.parameters)
        && null_or_absent(mgf_hash.parameters)
        && trailer_ok;
    let (sha2, last) = hash.oid.split_at(hash.oid.len().checked_sub(1)?);
    match (consistent && sha2 == OID_SHA2, last, salt) {
        (true, [0x01], [32]) => Some(Hash::Sha256),
        (true, [0x02], [48]) => Some(Hash::Sha384),
        (true, [0x03], [64]) => Some(Hash::Sha512),
        _ => None,
    }
}

fn explicit_algorithm<'a>(
    fields: &mut Reader<'a>,
    number: u8,
) -> Option<super::x509::AlgorithmIdentifier<'a>> {
    let inner = fields.read(tag::explicit(number)).ok()?;
    algorithm_identifier(Reader::new(inner).read(tag::SEQUENCE).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pss_parameters_like_go() {
        // SEQUENCE { [0] sha256, [1] mgf1(sha256), [2] 32 }
        let sha256 = [
            0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
            0x00,
        ];
        let mgf1 = [
            &[
                0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08,
            ][..],
            &sha256,
        ]
        .concat();
        let build = |salt: u8| {
            let body = [
                &[0xa0, sha256.len() as u8][..],
                &sha256,
                &[0xa1, mgf1.len() as u8],
                &mgf1,
                &[0xa2, 0x03, 0x02, 0x01, salt],
            ]
            .concat();
            [&[0x30, body.len() as u8][..], &body].concat()
        };
        assert_eq!(pss_hash(&build(32)), Some(Hash::Sha256)); // the standard SHA-256 form
        assert_eq!(pss_hash(&build(20)), None); // salt shorter than the hash
        let whole = build(32);
        for cut in 0..whole.len() {
            assert_eq!(pss_hash(&whole[..cut]), None, "{cut}"); // every prefix fails
        }
    }

    #[test]
    fn schemes_need_the_right_key() {
        let rsa = PublicKey::Rsa(&[0x30, 0x00]);
        let ed = PublicKey::Ed25519(&[0; 32]);
        // A wrong key type fails before any arithmetic; PKCS#1 is refused in TLS 1.3.
        assert!(!verify_handshake(
            &ed,
            SignatureScheme::RSA_PSS_SHA256,
            true,
            b"m",
            b"s"
        ));
        assert!(!verify_handshake(
            &rsa,
            SignatureScheme::ED25519,
            true,
            b"m",
            b"s"
        ));
        assert!(!verify_handshake(
            &rsa,
            SignatureScheme::RSA_PKCS1_SHA256,
            true,
            b"m",
            b"s"
        ));
        assert!(!verify_handshake(
            &rsa,
            SignatureScheme::RSA_PKCS1_SHA1,
            false,
            b"m",
            b"s"
        ));
    }
}
