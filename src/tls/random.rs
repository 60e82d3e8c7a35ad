//! Randomness for TLS from the session's seed, so that a session is deterministic: the same
//! seed and the same network give the same bytes on the wire, natively and in the component.
//!
//! Each connection gets a [`SeededRandom`]: a ChaCha20 key stream (ring's ChaCha20-Poly1305
//! sealing zeros, one fresh nonce per draw) keyed with SHA-256 of the session's seed material
//! and the connection's number. It feeds rustls's client random and session id, and the
//! ephemeral key-exchange keys (see `kx.rs`).
//!
//! **Hosts must pass a fresh random seed per session.** With a fixed seed the handshake keys
//! are predictable. The checker sends nothing secret (the key authorization is public), so
//! predictability costs confidentiality of a public token only, but real hosts should not
//! rely on that.
//!
//! rustls asks for randomness through `'static` objects without a context, so the connection's
//! generator is lent to a thread-local slot for the duration of each synchronous rustls call
//! ([`with_source`]); outside such a call the slot is empty and a draw fails cleanly.

use std::cell::RefCell;

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305};
use ring::digest::{Context, SHA256};
use rustls::crypto::{GetRandomFailed, SecureRandom};

/// Separates this use of the seed from any other.
const DOMAIN: &[u8] = b"acme-preflight tls random v1";

/// A ChaCha20 key stream: one connection's randomness.
pub(crate) struct SeededRandom {
    key: LessSafeKey,
    /// The nonce of the next draw; never reused with this key.
    draws: u64,
}

impl SeededRandom {
    /// A generator keyed by SHA-256 of the seed material and the connection's number.
    pub(crate) fn new(seed_material: &[u64; 4], connection: u64) -> Option<Self> {
        let mut context = Context::new(&SHA256);
        context.update(DOMAIN);
        for word in seed_material {
            context.update(&word.to_be_bytes());
        }
        context.update(&connection.to_be_bytes());
        let digest = context.finish();
        let key = UnboundKey::new(&CHACHA20_POLY1305, digest.as_ref()).ok()?;
        Some(SeededRandom {
            key: LessSafeKey::new(key),
            draws: 0,
        })
    }

    /// Fills `buffer` with the next key-stream bytes of a fresh nonce.
    pub(crate) fn fill(&mut self, buffer: &mut [u8]) -> Result<(), GetRandomFailed> {
        let mut nonce = [0u8; 12];
        nonce[4..].copy_from_slice(&self.draws.to_be_bytes());
        self.draws = self.draws.checked_add(1).ok_or(GetRandomFailed)?;
        buffer.fill(0);
        self.key
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), buffer)
            .map(drop)
            .map_err(|_| GetRandomFailed)
    }
}

thread_local! {
    /// The generator of the connection whose rustls call is running, if any.
    static CURRENT: RefCell<Option<SeededRandom>> = const { RefCell::new(None) };
}

/// Runs `call` with `source` as the randomness rustls sees, and takes it back afterwards.
pub(crate) fn with_source<R>(source: &mut Option<SeededRandom>, call: impl FnOnce() -> R) -> R {
    let lent = source.take();
    let previous = CURRENT.with(|slot| slot.replace(lent));
    let result = call();
    *source = CURRENT.with(|slot| slot.replace(previous));
    result
}

/// Fills `buffer` from the lent generator; fails when none is lent.
pub(crate) fn draw(buffer: &mut [u8]) -> Result<(), GetRandomFailed> {
    CURRENT.with(|slot| match slot.borrow_mut().as_mut() {
        Some(source) => source.fill(buffer),
        None => Err(GetRandomFailed),
    })
}

/// rustls's view of the lent generator.
#[derive(Debug)]
pub(crate) struct LentRandom;

impl SecureRandom for LentRandom {
    fn fill(&self, buffer: &mut [u8]) -> Result<(), GetRandomFailed> {
        draw(buffer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(seed: u64, connection: u64, n: usize) -> Vec<u8> {
        let mut source = SeededRandom::new(&[seed, 0, 0, 0], connection);
        let mut out = vec![0; n];
        with_source(&mut source, || draw(&mut out)).unwrap();
        assert!(source.is_some(), "the generator comes back");
        out
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        assert_eq!(bytes(1, 0, 32), bytes(1, 0, 32)); // deterministic
        assert_ne!(bytes(1, 0, 32), bytes(2, 0, 32)); // the seed matters
        assert_ne!(bytes(1, 0, 32), bytes(1, 1, 32)); // so does the connection
        assert_ne!(bytes(1, 0, 32), vec![0; 32]); // it is not the zeros it seals
    }

    #[test]
    fn successive_draws_differ_and_nothing_is_lent_outside() {
        let mut source = SeededRandom::new(&[7; 4], 0);
        let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
        with_source(&mut source, || {
            draw(&mut a).unwrap();
            draw(&mut b).unwrap();
        });
        assert_ne!(a, b); // a fresh nonce per draw
        assert!(draw(&mut a).is_err()); // no generator outside a call
    }
}
