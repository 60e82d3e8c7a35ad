//! The precompiled-component cache.
//!
//! Compiling the component with Cranelift takes a noticeable fraction of a second; loading a
//! precompiled artifact takes a few milliseconds. The artifact of a component lives in
//! `<dir>/<key>.cwasm`, where `<key>` is the SHA-256 of the component bytes and the engine's
//! compatibility hash (which covers the wasmtime version), so a new component, a new wasmtime or a
//! different engine configuration never meets an old artifact. Each file starts with the
//! SHA-256 of the rest, checked before wasmtime sees it, so a truncated or damaged file is
//! ignored (and rewritten) instead of being trusted.
//!
//! Every cache failure is silent: the component is then compiled in memory.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::{env, fs};

use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::Engine;

/// Where [`Checker::load`](crate::Checker::load) keeps precompiled components.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Cache {
    /// `$XDG_CACHE_HOME/acme-preflight/`, else `$HOME/.cache/acme-preflight/`; none when
    /// neither variable is set.
    #[default]
    Default,
    /// This directory (created when missing).
    Dir(PathBuf),
    /// Always compile; read and write nothing.
    Disabled,
}

/// Length of the SHA-256 digest that starts every cache file.
const DIGEST_LEN: usize = 32;

impl Cache {
    /// The directory this setting names, if any.
    pub fn dir(&self) -> Option<PathBuf> {
        match self {
            Cache::Default => default_dir(),
            Cache::Dir(dir) => Some(dir.clone()),
            Cache::Disabled => None,
        }
    }
}

/// Compiles `wasm`, or loads its precompiled artifact from `cache`, and stores a fresh
/// artifact where it can.
pub(crate) fn component(
    engine: &Engine,
    wasm: &[u8],
    cache: &Cache,
) -> wasmtime::Result<Component> {
    let Some(dir) = cache.dir() else {
        return Component::new(engine, wasm);
    };
    let path = dir.join(format!("{}.cwasm", key(engine, wasm)));
    if let Some(component) = load(engine, &path) {
        return Ok(component);
    }
    let component = Component::new(engine, wasm)?;
    if let Ok(artifact) = component.serialize() {
        store(&dir, &path, &artifact);
    }
    Ok(component)
}

/// The cache directory of the XDG base directory specification.
fn default_dir() -> Option<PathBuf> {
    let base = match env::var_os("XDG_CACHE_HOME").filter(|v| Path::new(v).is_absolute()) {
        Some(xdg) => PathBuf::from(xdg),
        None => PathBuf::from(env::var_os("HOME")?).join(".cache"),
    };
    Some(base.join("acme-preflight"))
}

/// The file name of an artifact: what makes it valid for this engine and these bytes.
fn key(engine: &Engine, wasm: &[u8]) -> String {
    let mut compatibility = DefaultHasher::new();
    engine
        .precompile_compatibility_hash()
        .hash(&mut compatibility);
    let mut hasher = Sha256::new();
    hasher.update(wasm);
    // The compatibility hash covers the target, the compiler flags, the wasm features and
    // the wasmtime version (`Config::module_version`).
    hasher.update(compatibility.finish().to_le_bytes());
    hex(&hasher.finalize())
}

/// Reads and checks an artifact; `None` on any failure.
fn load(engine: &Engine, path: &Path) -> Option<Component> {
    let file = fs::read(path).ok()?;
    let (digest, artifact) = file.split_at_checked(DIGEST_LEN)?;
    if Sha256::digest(artifact).as_slice() != digest {
        return None;
    }
    // SAFETY: the artifact was written by `store` below from `Component::serialize` of the
    // same engine configuration (the key says so) and its digest matches, so it is the
    // unmodified output of wasmtime; wasmtime checks its own version and settings again.
    unsafe { Component::deserialize(engine, artifact) }.ok()
}

/// Writes an artifact through a temporary file and a rename, so readers never see half of it.
fn store(dir: &Path, path: &Path, artifact: &[u8]) {
    if fs::create_dir_all(dir).is_err() {
        return;
    }
    let mut file = Vec::with_capacity(DIGEST_LEN.saturating_add(artifact.len()));
    file.extend_from_slice(&Sha256::digest(artifact));
    file.extend_from_slice(artifact);
    let temporary = path.with_extension(format!("tmp{}", std::process::id()));
    if fs::write(&temporary, &file).is_err() || fs::rename(&temporary, path).is_err() {
        let _ = fs::remove_file(&temporary);
    }
}

/// Lower-case hexadecimal digits of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid empty component (the component-model preamble and nothing else).
    const EMPTY_COMPONENT: &[u8] = b"\0asm\x0d\0\x01\0";

    fn engine() -> Engine {
        Engine::default()
    }

    fn scratch_dir(name: &str) -> PathBuf {
        let dir = env::temp_dir().join(format!(
            "acme-preflight-cache-test-{}-{name}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn key_depends_on_the_bytes() {
        let engine = engine();
        // Same bytes, same key; one byte more, another key.
        assert_eq!(key(&engine, b"a"), key(&engine, b"a"));
        assert_ne!(key(&engine, b"a"), key(&engine, b"ab"));
        assert_eq!(key(&engine, b"a").len(), 64);
    }

    #[test]
    fn stores_then_loads() {
        let dir = scratch_dir("roundtrip");
        let cache = Cache::Dir(dir.clone());
        let engine = engine();
        component(&engine, EMPTY_COMPONENT, &cache).unwrap();
        let path = dir.join(format!("{}.cwasm", key(&engine, EMPTY_COMPONENT)));
        // The first load compiled and stored; the artifact now loads by itself.
        assert!(path.is_file());
        assert!(load(&engine, &path).is_some());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn damaged_artifacts_are_ignored() {
        let dir = scratch_dir("damaged");
        let cache = Cache::Dir(dir.clone());
        let engine = engine();
        component(&engine, EMPTY_COMPONENT, &cache).unwrap();
        let path = dir.join(format!("{}.cwasm", key(&engine, EMPTY_COMPONENT)));
        let good = fs::read(&path).unwrap();
        let rows: [(&str, Vec<u8>); 4] = [
            // Empty file: shorter than the digest.
            ("empty", Vec::new()),
            // Digest only, artifact missing.
            ("digest only", good[..DIGEST_LEN].to_vec()),
            // Truncated by one byte.
            ("truncated", good[..good.len() - 1].to_vec()),
            // One flipped bit in the artifact.
            ("flipped", {
                let mut bad = good.clone();
                let last = bad.len() - 1;
                bad[last] ^= 1;
                bad
            }),
        ];
        for (why, bytes) in rows {
            fs::write(&path, &bytes).unwrap();
            assert!(load(&engine, &path).is_none(), "{why}");
            // Loading through the cache still works and repairs the file.
            component(&engine, EMPTY_COMPONENT, &cache).unwrap();
            assert!(load(&engine, &path).is_some(), "{why}: repaired");
        }
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn unwritable_directory_falls_back_silently() {
        // A regular file where the directory should be: create_dir_all fails.
        let blocker = scratch_dir("blocker");
        fs::write(&blocker, b"not a directory").unwrap();
        let cache = Cache::Dir(blocker.join("sub"));
        assert!(component(&engine(), EMPTY_COMPONENT, &cache).is_ok());
        let _ = fs::remove_file(&blocker);
    }

    #[test]
    fn disabled_cache_has_no_directory() {
        assert_eq!(Cache::Disabled.dir(), None);
        assert_eq!(Cache::Dir("/x".into()).dir(), Some(PathBuf::from("/x")));
    }
}
