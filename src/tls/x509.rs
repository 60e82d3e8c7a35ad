//! X.509 certificates as Go's `crypto/x509` parses them in a TLS handshake: port of
//! `parser.go: parseCertificate` (structure, version, serial, names, validity, public key,
//! extensions) for what the checker needs.
//!
//! Go parses every certificate the server sends, even with `InsecureSkipVerify`, and a parse
//! failure ends the handshake. So the checker must refuse what Go refuses. Covered exactly:
//! DER lengths, the outer structure, version, negative serials, the inner and outer signature
//! algorithms, names and their string types, validity times, RSA/ECDSA/Ed25519/X25519 keys,
//! duplicate extensions and the subject alternative names. Not covered: the contents of the
//! other extensions Go checks (name constraints, policies, CRL distribution points...) and
//! whether an ECDSA point lies on its curve; such certificates pass here where Go may refuse.

use super::asn1_time::valid_time;
use super::der::{tag, DerError, Reader};
use super::x509_name::{ascii, parse_name};

/// `2.5.29.17`, subjectAltName.
pub(crate) const OID_SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];
/// `1.3.6.1.5.5.7.1.31`, acmeIdentifier (RFC 8737).
pub(crate) const OID_ACME_IDENTIFIER: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x1f];
/// `2.5.4.3`, commonName.
pub(crate) const OID_COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
pub(crate) const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const OID_X25519: &[u8] = &[0x2b, 0x65, 0x6e];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_P224: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x21];
const OID_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
const NULL: &[u8] = &[0x05, 0x00];

/// Why Go's parser refuses a certificate (its texts, for the trace only: Boulder shows none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParseError(pub(crate) &'static str);

impl From<DerError> for ParseError {
    fn from(_: DerError) -> Self {
        ParseError("x509: malformed certificate")
    }
}

/// An AlgorithmIdentifier: the OID's contents and the parameters' whole encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AlgorithmIdentifier<'a> {
    /// The algorithm OID (contents octets).
    pub(crate) oid: &'a [u8],
    /// The parameters element, when present.
    pub(crate) parameters: Option<&'a [u8]>,
}

/// The elliptic curves Go's parser knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Curve {
    /// secp224r1.
    P224,
    /// secp256r1.
    P256,
    /// secp384r1.
    P384,
    /// secp521r1.
    P521,
}

/// The subject public key, as far as signature checks need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PublicKey<'a> {
    /// An RSA key: the RSAPublicKey DER.
    Rsa(&'a [u8]),
    /// An ECDSA key: the curve and the uncompressed point.
    Ec(Curve, &'a [u8]),
    /// An Ed25519 key: 32 bytes.
    Ed25519(&'a [u8]),
    /// Any other algorithm Go parses or ignores (X25519, DSA, ML-DSA, unknown).
    Other,
}

/// One extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Extension<'a> {
    /// The extension OID (contents octets).
    pub(crate) oid: &'a [u8],
    /// The critical flag.
    pub(crate) critical: bool,
    /// The OCTET STRING's contents.
    pub(crate) value: &'a [u8],
}

/// The subject alternative names, in certificate order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct AltNames {
    /// dNSName entries.
    pub(crate) dns_names: Vec<String>,
    /// rfc822Name entries.
    pub(crate) emails: Vec<String>,
    /// iPAddress entries: 4 or 16 bytes each.
    pub(crate) ip_addresses: Vec<Vec<u8>>,
    /// uniformResourceIdentifier entries, as Go's `url.URL.String()` shows them.
    pub(crate) uris: Vec<String>,
}

/// A parsed certificate; borrowed slices point into the DER.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Certificate<'a> {
    /// `RawTBSCertificate`: what the signature covers.
    pub(crate) raw_tbs: &'a [u8],
    /// The signature algorithm.
    pub(crate) signature_algorithm: AlgorithmIdentifier<'a>,
    /// The signature bits.
    pub(crate) signature: &'a [u8],
    /// `RawIssuer`.
    pub(crate) raw_issuer: &'a [u8],
    /// `RawSubject`.
    pub(crate) raw_subject: &'a [u8],
    /// `Subject.CommonName`: the last string-valued CN attribute.
    pub(crate) common_name: Option<String>,
    /// `Issuer.CommonName`, the same way.
    pub(crate) issuer_common_name: Option<String>,
    /// The subject public key.
    pub(crate) public_key: PublicKey<'a>,
    /// The extensions, in order (no two with the same OID).
    pub(crate) extensions: Vec<Extension<'a>>,
    /// The subject alternative names.
    pub(crate) alt_names: AltNames,
}

/// Port of Go's `x509.ParseCertificate`.
pub(crate) fn parse(der: &[u8]) -> Result<Certificate<'_>, ParseError> {
    let mut input = Reader::new(der);
    let mut certificate = input.nested(tag::SEQUENCE)?;
    if !input.is_empty() {
        return Err(ParseError("x509: trailing data"));
    }
    let tbs_element = certificate.read_element(tag::SEQUENCE)?;
    let mut tbs = Reader::new(tbs_element.contents);
    let version = read_version(&mut tbs)?;
    let serial = tbs.read_integer()?;
    if serial.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(ParseError("x509: negative serial number"));
    }
    let inner_algorithm = tbs.read(tag::SEQUENCE)?;
    let outer_algorithm = certificate.read(tag::SEQUENCE)?;
    if inner_algorithm != outer_algorithm {
        return Err(ParseError(
            "x509: inner and outer signature algorithm identifiers don't match",
        ));
    }
    let signature_algorithm = algorithm_identifier(inner_algorithm)?;
    let raw_issuer = tbs.read_element(tag::SEQUENCE)?.raw;
    let issuer_common_name = parse_name(raw_issuer)?;
    let mut validity = tbs.nested(tag::SEQUENCE)?;
    for _ in 0..2 {
        let time = validity.read_any()?;
        if !valid_time(time.tag, time.contents) {
            return Err(ParseError("x509: malformed validity"));
        }
    }
    let raw_subject = tbs.read_element(tag::SEQUENCE)?.raw;
    let common_name = parse_name(raw_subject)?;
    let public_key = parse_public_key(tbs.nested(tag::SEQUENCE)?)?;
    let mut extensions = Vec::new();
    if version > 1 {
        tbs.read_optional(tag::implicit(1))?;
        tbs.read_optional(tag::implicit(2))?;
        if version == 3 {
            if let Some(contents) = tbs.read_optional(tag::explicit(3))? {
                extensions = parse_extensions(contents)?;
            }
        }
    }
    let signature = certificate.read_bit_string()?;
    let alt_names = match extensions.iter().find(|e| e.oid == OID_SUBJECT_ALT_NAME) {
        Some(extension) => parse_alt_names(extension.value)?,
        None => AltNames::default(),
    };
    Ok(Certificate {
        raw_tbs: tbs_element.raw,
        signature_algorithm,
        signature,
        raw_issuer,
        raw_subject,
        common_name,
        issuer_common_name,
        public_key,
        extensions,
        alt_names,
    })
}

/// The one-based version: `[0] EXPLICIT INTEGER DEFAULT v1`, 1 to 3.
fn read_version(tbs: &mut Reader<'_>) -> Result<u8, ParseError> {
    let Some(explicit) = tbs.read_optional(tag::explicit(0))? else {
        return Ok(1);
    };
    let mut inner = Reader::new(explicit);
    let value = inner.read_integer()?;
    match (value, inner.is_empty()) {
        ([v @ 0..=2], true) => Ok(v + 1),
        _ => Err(ParseError("x509: malformed version")),
    }
}

/// Port of `parseAI`.
pub(crate) fn algorithm_identifier(contents: &[u8]) -> Result<AlgorithmIdentifier<'_>, ParseError> {
    let mut reader = Reader::new(contents);
    let oid = reader
        .read_oid()
        .map_err(|_| ParseError("x509: malformed OID"))?;
    let parameters = if reader.is_empty() {
        None
    } else {
        let element = reader
            .read_any()
            .map_err(|_| ParseError("x509: malformed parameters"))?;
        Some(element.raw)
    };
    Ok(AlgorithmIdentifier { oid, parameters })
}

/// Port of the SubjectPublicKeyInfo part of `parseCertificate` and `parsePublicKey`.
fn parse_public_key(mut spki: Reader<'_>) -> Result<PublicKey<'_>, ParseError> {
    let algorithm = algorithm_identifier(spki.read(tag::SEQUENCE)?)?;
    let key = spki
        .read_bit_string()
        .map_err(|_| ParseError("x509: malformed subjectPublicKey"))?;
    match algorithm.oid {
        OID_RSA => {
            if algorithm.parameters != Some(NULL) {
                return Err(ParseError("x509: RSA key missing NULL parameters"));
            }
            let invalid = ParseError("x509: invalid RSA public key");
            let mut sequence = Reader::new(key)
                .nested(tag::SEQUENCE)
                .map_err(|_| invalid.clone())?;
            let modulus = sequence.read_integer().map_err(|_| invalid.clone())?;
            let exponent = sequence.read_integer().map_err(|_| invalid)?;
            if !is_positive(modulus) {
                return Err(ParseError("x509: RSA modulus is not a positive number"));
            }
            if !is_positive(exponent) || exponent.len() > 8 {
                return Err(ParseError(
                    "x509: RSA public exponent is not a positive number",
                ));
            }
            Ok(PublicKey::Rsa(key))
        }
        OID_EC => {
            let curve = match algorithm.parameters.map(|p| Reader::new(p).read_oid()) {
                Some(Ok(OID_P256)) => Curve::P256,
                Some(Ok(OID_P384)) => Curve::P384,
                Some(Ok(OID_P224)) => Curve::P224,
                Some(Ok(OID_P521)) => Curve::P521,
                Some(Ok(_)) => return Err(ParseError("x509: unsupported elliptic curve")),
                _ => return Err(ParseError("x509: invalid ECDSA parameters")),
            };
            let size = match curve {
                Curve::P224 => 28,
                Curve::P256 => 32,
                Curve::P384 => 48,
                Curve::P521 => 66,
            };
            if key.first() != Some(&0x04) || key.len() != 1 + 2 * size {
                return Err(ParseError("x509: failed to unmarshal elliptic curve point"));
            }
            Ok(PublicKey::Ec(curve, key))
        }
        OID_ED25519 | OID_X25519 if algorithm.parameters.is_some() => {
            Err(ParseError("x509: key encoded with illegal parameters"))
        }
        OID_ED25519 if key.len() != 32 => Err(ParseError("x509: wrong Ed25519 public key size")),
        OID_ED25519 => Ok(PublicKey::Ed25519(key)),
        OID_X25519 if key.len() != 32 => Err(ParseError("x509: invalid X25519 public key")),
        _ => Ok(PublicKey::Other),
    }
}

fn is_positive(integer: &[u8]) -> bool {
    integer.first().is_some_and(|b| b & 0x80 == 0) && integer.iter().any(|b| *b != 0)
}

/// The extensions: each parsed as `parseExtension` does, duplicates refused, then the
/// checks of `processExtensions` this parser ports.
fn parse_extensions(explicit: &[u8]) -> Result<Vec<Extension<'_>>, ParseError> {
    let malformed = ParseError("x509: malformed extensions");
    let mut outer = Reader::new(explicit);
    let mut list = outer.nested(tag::SEQUENCE).map_err(|_| malformed.clone())?;
    let mut extensions: Vec<Extension<'_>> = Vec::new();
    while !list.is_empty() {
        let mut fields = list.nested(tag::SEQUENCE).map_err(|_| malformed.clone())?;
        let oid = fields
            .read_oid()
            .map_err(|_| ParseError("x509: malformed extension OID field"))?;
        let critical = match fields.peek_tag() {
            Some(tag::BOOLEAN) => fields
                .read_boolean()
                .map_err(|_| ParseError("x509: malformed extension critical field"))?,
            _ => false,
        };
        let value = fields
            .read(tag::OCTET_STRING)
            .map_err(|_| ParseError("x509: malformed extension value field"))?;
        if extensions.iter().any(|e| e.oid == oid) {
            return Err(ParseError("x509: certificate contains duplicate extension"));
        }
        check_known_extension(oid, critical, value)?;
        extensions.push(Extension {
            oid,
            critical,
            value,
        });
    }
    Ok(extensions)
}

/// The cheap checks of `processExtensions`: identifier extensions that must not be critical,
/// key usage and basic constraints shapes.
fn check_known_extension(oid: &[u8], critical: bool, value: &[u8]) -> Result<(), ParseError> {
    let mut reader = Reader::new(value);
    match oid {
        [0x55, 0x1d, 0x0e] if critical => Err(ParseError(
            "x509: subject key identifier incorrectly marked critical",
        )),
        [0x55, 0x1d, 0x23] if critical => Err(ParseError(
            "x509: authority key identifier incorrectly marked critical",
        )),
        [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01] if critical => Err(ParseError(
            "x509: authority info access incorrectly marked critical",
        )),
        [0x55, 0x1d, 0x0f] => reader
            .read_bit_string()
            .map(drop)
            .map_err(|_| ParseError("x509: invalid key usage")),
        [0x55, 0x1d, 0x13] => reader
            .read(tag::SEQUENCE)
            .map(drop)
            .map_err(|_| ParseError("x509: invalid basic constraints")),
        _ => Ok(()),
    }
}

/// Port of `parseSANExtension`.
fn parse_alt_names(value: &[u8]) -> Result<AltNames, ParseError> {
    let mut names = AltNames::default();
    let mut sequence = Reader::new(value)
        .nested(tag::SEQUENCE)
        .map_err(|_| ParseError("x509: invalid subject alternative names"))?;
    while !sequence.is_empty() {
        let name = sequence
            .read_any()
            .map_err(|_| ParseError("x509: invalid subject alternative name"))?;
        let data = name.contents;
        match name.tag {
            0x81 if data.is_ascii() => names.emails.push(ascii(data)),
            0x81 => return Err(ParseError("x509: SAN rfc822Name is malformed")),
            0x82 if data.is_ascii() => names.dns_names.push(ascii(data)),
            0x82 => return Err(ParseError("x509: SAN dNSName is malformed")),
            0x86 if data.is_ascii() => names.uris.push(uri(data)?),
            0x86 => {
                return Err(ParseError(
                    "x509: SAN uniformResourceIdentifier is malformed",
                ))
            }
            0x87 if data.len() == 4 || data.len() == 16 => names.ip_addresses.push(data.to_vec()),
            0x87 => return Err(ParseError("x509: cannot parse IP address")),
            _ => {}
        }
    }
    Ok(names)
}

/// A SAN URI as Go's `url.Parse(...).String()` shows it; its host must be a valid domain.
fn uri(data: &[u8]) -> Result<String, ParseError> {
    let url = crate::http::GoUrl::parse(data).map_err(|_| ParseError("x509: cannot parse URI"))?;
    let host = url.host();
    let valid_domain = host.is_empty()
        || (!host.ends_with('.')
            && host.split('.').all(|label| !label.is_empty())
            && host.bytes().all(|b| (33..=126).contains(&b)));
    if !valid_domain {
        return Err(ParseError("x509: cannot parse URI: invalid domain"));
    }
    Ok(url.to_string())
}

#[cfg(test)]
#[path = "x509_tests.rs"]
mod tests;
