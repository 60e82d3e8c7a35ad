//! The checks of a TLS-ALPN-01 challenge certificate, in Boulder's order and with its texts:
//! port of `va/tlsalpn.go` (`validateTLSALPN01` after the handshake, `checkAcceptableExtensions`,
//! `checkExpectedSAN`, `certAltNames`) at 2d00c8e.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use ring::digest::{digest, SHA256};

use crate::challenge::cause::GENERIC_DETAIL;
use crate::challenge::tls_alpn01::Handshake;
use crate::http::go_quote;
use crate::job::Identifier;
use crate::report::{Problem, ProblemType};
use crate::tls::der::{tag, Reader};
use crate::tls::signature::is_signed_by_own_key;
use crate::tls::x509::{self, Certificate, OID_ACME_IDENTIFIER, OID_SUBJECT_ALT_NAME};

/// The ALPN protocol of TLS-ALPN-01 (`ACMETLS1Protocol`).
pub(crate) const ACME_TLS_1: &[u8] = b"acme-tls/1";

/// The extensions a challenge certificate must have, in Boulder's order, with their text.
const REQUIRED: [(&[u8], &str); 2] = [
    (OID_ACME_IDENTIFIER, "1.3.6.1.5.5.7.1.31"),
    (OID_SUBJECT_ALT_NAME, "2.5.29.17"),
];

/// The checks after a successful handshake with `address`. All failures are **unauthorized**.
pub(crate) fn check_certificate(
    handshake: &Handshake,
    identifier: &Identifier,
    key_authorization: &str,
    address: SocketAddr,
) -> Result<(), Problem> {
    if handshake.alpn.as_deref() != Some(ACME_TLS_1) {
        return Err(Problem::new(
            ProblemType::Unauthorized,
            "Cannot negotiate ALPN protocol \"acme-tls/1\" for tls-alpn-01 challenge",
        ));
    }
    // The handshake parsed the chain already; failing here would be a checker bug.
    let leaf = handshake
        .certificates
        .first()
        .and_then(|der| x509::parse(der).ok())
        .ok_or_else(|| Problem::new(ProblemType::Connection, GENERIC_DETAIL))?;
    let bad_certificate = |message: &str| {
        Problem::new(
            ProblemType::Unauthorized,
            format!(
                "Incorrect validation certificate for tls-alpn-01 challenge. Requested {} from {address}. {message}",
                identifier.host()
            ),
        )
    };
    if !is_signed_by_own_key(&leaf) || leaf.raw_subject != leaf.raw_issuer {
        return Err(bad_certificate(
            "Received certificate which is not self-signed.",
        ));
    }
    if let Some((_, text)) = REQUIRED
        .iter()
        .find(|(oid, _)| !leaf.extensions.iter().any(|e| e.oid == *oid))
    {
        let error = format!("Required extension OID {text} is not present");
        return Err(bad_certificate(&format!(
            "Received certificate with unexpected extensions: {}",
            go_quote(error.as_bytes())
        )));
    }
    if let Err(error) = check_expected_san(&leaf, identifier) {
        let names = cert_alt_names(&leaf).join(", ");
        return Err(bad_certificate(&format!(
            "Received certificate with unexpected identifiers ({}): {}",
            go_quote(names.as_bytes()),
            go_quote(error.as_bytes())
        )));
    }
    check_acme_identifier(&leaf, key_authorization).map_err(|message| bad_certificate(&message))
}

/// The acmeIdentifier extension: critical, an OCTET STRING of SHA-256(key authorization).
fn check_acme_identifier(leaf: &Certificate<'_>, key_authorization: &str) -> Result<(), String> {
    let expected = digest(&SHA256, key_authorization.as_bytes());
    let Some(extension) = leaf
        .extensions
        .iter()
        .find(|e| e.oid == OID_ACME_IDENTIFIER)
    else {
        return Err("Received certificate with no acmeValidationV1 extension.".to_string());
    };
    if !extension.critical {
        return Err(
            "Received certificate with acmeValidationV1 extension that is not Critical."
                .to_string(),
        );
    }
    let mut reader = Reader::new(extension.value);
    let value = reader.read(tag::OCTET_STRING);
    let value = match value {
        Ok(value) if reader.is_empty() && value.len() == expected.as_ref().len() => value,
        _ => {
            return Err(
                "Received certificate with malformed acmeValidationV1 extension value.".to_string(),
            )
        }
    };
    if value != expected.as_ref() {
        return Err(format!(
            "Received certificate with acmeValidationV1 extension value {} but expected {}.",
            hex(value),
            hex(expected.as_ref())
        ));
    }
    Ok(())
}

/// Port of `checkExpectedSAN`: exactly one identifier of the right kind, equal to the
/// identifier, and the SAN extension's bytes exactly as Boulder would encode it.
fn check_expected_san(leaf: &Certificate<'_>, identifier: &Identifier) -> Result<(), &'static str> {
    let names = &leaf.alt_names;
    let (expected_kind, content) = match identifier {
        Identifier::Dns(name) => {
            if names.dns_names.len() != 1 || !names.ip_addresses.is_empty() {
                return Err("wrong number of identifiers");
            }
            if !names.dns_names[0].eq_ignore_ascii_case(name) {
                return Err("identifier does not match expected identifier");
            }
            (0x82, name.as_bytes().to_vec())
        }
        Identifier::Ip(address) => {
            if names.ip_addresses.len() != 1 || !names.dns_names.is_empty() {
                return Err("wrong number of identifiers");
            }
            if ip_from_san(&names.ip_addresses[0]).map(|a| a.to_canonical())
                != Some(address.to_canonical())
            {
                return Err("identifier does not match expected identifier");
            }
            let bytes = match address {
                IpAddr::V4(v4) => v4.octets().to_vec(),
                IpAddr::V6(v6) => v6.octets().to_vec(),
            };
            (0x87, bytes)
        }
    };
    let expected = der_sequence_of_one(expected_kind, &content);
    let san = leaf
        .extensions
        .iter()
        .find(|e| e.oid == OID_SUBJECT_ALT_NAME);
    if san.is_some_and(|extension| extension.value != expected.as_slice()) {
        return Err("SAN extension does not match expected bytes");
    }
    Ok(())
}

/// Port of `certAltNames`: CN, DNS names, emails, IPs and URIs, lowercased, unique, sorted.
fn cert_alt_names(leaf: &Certificate<'_>) -> Vec<String> {
    let names = &leaf.alt_names;
    let mut all: Vec<String> = leaf
        .common_name
        .iter()
        .filter(|cn| !cn.is_empty())
        .cloned()
        .collect();
    all.extend(names.dns_names.iter().cloned());
    all.extend(names.emails.iter().cloned());
    all.extend(
        names
            .ip_addresses
            .iter()
            .filter_map(|bytes| ip_from_san(bytes))
            .map(go_ip_string),
    );
    all.extend(names.uris.iter().cloned());
    let unique: BTreeSet<String> = all
        .iter()
        .map(|name| name.chars().flat_map(char::to_lowercase).collect())
        .collect();
    unique.into_iter().collect()
}

/// A SAN iPAddress (4 or 16 bytes).
fn ip_from_san(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes)
            .ok()
            .map(|b| IpAddr::V4(Ipv4Addr::from(b))),
        16 => <[u8; 16]>::try_from(bytes)
            .ok()
            .map(|b| IpAddr::V6(Ipv6Addr::from(b))),
        _ => None,
    }
}

/// Go's `net.IP.String()`: IPv4-mapped addresses print as IPv4.
fn go_ip_string(address: IpAddr) -> String {
    address.to_canonical().to_string()
}

/// `asn1.Marshal([]asn1.RawValue{{Class: 2, Tag: n, Bytes: content}})`: a SEQUENCE holding
/// one context-specific primitive element.
fn der_sequence_of_one(tag_byte: u8, content: &[u8]) -> Vec<u8> {
    let mut inner = vec![tag_byte];
    push_length(&mut inner, content.len());
    inner.extend_from_slice(content);
    let mut outer = vec![tag::SEQUENCE];
    push_length(&mut outer, inner.len());
    outer.extend_from_slice(&inner);
    outer
}

/// A DER length: short form under 128, else the fewest big-endian bytes.
fn push_length(out: &mut Vec<u8>, length: usize) {
    if length < 128 {
        out.push(length as u8);
        return;
    }
    let bytes = length.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    out.push(0x80 | (bytes.len() - skip) as u8);
    out.extend_from_slice(&bytes[skip..]);
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

#[cfg(test)]
#[path = "tls_alpn01_certificate_tests.rs"]
mod tests;
