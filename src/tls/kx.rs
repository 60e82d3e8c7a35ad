//! Ephemeral key exchange (X25519, P-256, P-384) with keys drawn from the connection's seeded
//! generator instead of the operating system.
//!
//! rustls's own ring groups generate keys with ring's `SystemRandom`, which would make the
//! component import `wasi:random` and the sessions non-deterministic. ring's key generation
//! only accepts its own (sealed) randomness trait; ring's `FixedSliceRandom` test helper is
//! the one public implementation that hands ring bytes chosen by the caller, so the seeded
//! bytes go through it. It is marked deprecated ("internal API that will be removed"): a
//! future ring release may need another route (the compiler will say so).

use ring::agreement::{self, EphemeralPrivateKey, PublicKey, UnparsedPublicKey};
use rustls::crypto::{ActiveKeyExchange, GetRandomFailed, SharedSecret, SupportedKxGroup};
use rustls::{Error, NamedGroup, PeerMisbehaved};

use super::random::draw;

/// A key-exchange group whose keys come from the lent generator.
#[derive(Debug)]
pub(crate) struct SeededGroup {
    name: NamedGroup,
    algorithm: &'static agreement::Algorithm,
    /// Bytes ring asks for per private key (its `elem_scalar_seed_len`).
    seed_len: usize,
}

/// X25519 (RFC 7748).
pub(crate) static X25519: SeededGroup = SeededGroup {
    name: NamedGroup::X25519,
    algorithm: &agreement::X25519,
    seed_len: 32,
};

/// secp256r1.
pub(crate) static SECP256R1: SeededGroup = SeededGroup {
    name: NamedGroup::secp256r1,
    algorithm: &agreement::ECDH_P256,
    seed_len: 32,
};

/// secp384r1.
pub(crate) static SECP384R1: SeededGroup = SeededGroup {
    name: NamedGroup::secp384r1,
    algorithm: &agreement::ECDH_P384,
    seed_len: 48,
};

/// Attempts at a NIST private key: a draw is out of range with probability about 2^-32.
const KEY_ATTEMPTS: usize = 4;

impl SeededGroup {
    fn private_key(&self) -> Result<EphemeralPrivateKey, GetRandomFailed> {
        let mut seed = [0u8; 48];
        let seed = seed.get_mut(..self.seed_len).ok_or(GetRandomFailed)?;
        for _ in 0..KEY_ATTEMPTS {
            draw(seed)?;
            #[allow(deprecated)] // see the module documentation
            let fixed = ring::test::rand::FixedSliceRandom { bytes: seed };
            if let Ok(key) = EphemeralPrivateKey::generate(self.algorithm, &fixed) {
                return Ok(key);
            }
        }
        Err(GetRandomFailed)
    }
}

impl SupportedKxGroup for SeededGroup {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let private_key = self.private_key()?;
        let public_key = private_key
            .compute_public_key()
            .map_err(|_| GetRandomFailed)?;
        Ok(Box::new(KeyExchange {
            name: self.name,
            algorithm: self.algorithm,
            private_key,
            public_key,
        }))
    }

    fn name(&self) -> NamedGroup {
        self.name
    }
}

/// One exchange in progress.
struct KeyExchange {
    name: NamedGroup,
    algorithm: &'static agreement::Algorithm,
    private_key: EphemeralPrivateKey,
    public_key: PublicKey,
}

impl ActiveKeyExchange for KeyExchange {
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, Error> {
        // TLS allows only the uncompressed point form for the NIST curves.
        let shape_ok = match self.name {
            NamedGroup::X25519 => peer.len() == 32,
            _ => peer.first() == Some(&0x04),
        };
        if !shape_ok {
            return Err(PeerMisbehaved::InvalidKeyShare.into());
        }
        let peer = UnparsedPublicKey::new(self.algorithm, peer);
        agreement::agree_ephemeral(self.private_key, &peer, |secret| SharedSecret::from(secret))
            .map_err(|_| PeerMisbehaved::InvalidKeyShare.into())
    }

    fn pub_key(&self) -> &[u8] {
        self.public_key.as_ref()
    }

    fn group(&self) -> NamedGroup {
        self.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::random::{with_source, SeededRandom};

    #[test]
    fn every_group_agrees_with_itself_deterministically() {
        // Also proves the seed lengths match what ring asks for (a mismatch would panic).
        for group in [&X25519, &SECP256R1, &SECP384R1] {
            let run = || {
                let mut source = SeededRandom::new(&[1, 2, 3, 4], 9);
                with_source(&mut source, || {
                    let a = group.start().unwrap();
                    let b = group.start().unwrap();
                    let a_pub = a.pub_key().to_vec();
                    let b_pub = b.pub_key().to_vec();
                    let s1 = a.complete(&b_pub).unwrap();
                    let s2 = b.complete(&a_pub).unwrap();
                    assert_eq!(s1.secret_bytes(), s2.secret_bytes());
                    a_pub
                })
            };
            assert_eq!(run(), run(), "{:?}", group.name); // same seed, same key
        }
    }

    #[test]
    fn refuses_malformed_peer_keys_and_missing_randomness() {
        let mut source = SeededRandom::new(&[0; 4], 0);
        with_source(&mut source, || {
            let x = X25519.start().unwrap();
            assert!(x.complete(&[9; 31]).is_err()); // X25519 keys are 32 bytes
            let p = SECP256R1.start().unwrap();
            assert!(p.complete(&[0x02; 33]).is_err()); // compressed points are refused
        });
        assert!(X25519.start().is_err()); // no generator lent: no key
    }
}
