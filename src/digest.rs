//! Digests of untrusted bytes, for fingerprints: SHA-256 in lowercase hex.
//!
//! Uses `ring` (already in the build for TLS), so no hash code of our own.

use std::fmt::Write;

/// SHA-256 of `bytes`, 64 lowercase hex digits.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut out = String::with_capacity(64);
    for byte in digest.as_ref() {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sha256_hex;

    #[test]
    fn known_digests() {
        let rows: [(&[u8], &str); 2] = [
            // FIPS 180-2 examples
            (
                b"",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            (
                b"abc",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
        ];
        for (input, expected) in rows {
            assert_eq!(sha256_hex(input), expected);
        }
    }
}
