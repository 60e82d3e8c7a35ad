//! Embeds the checker component into the binary when asked to.
//!
//! - `ACME_PREFLIGHT_EMBED=<path>` at build time embeds that file (relative paths are relative
//!   to this crate's folder).
//! - Else the `embed` feature embeds `../../dist/acme-preflight.wasm`.
//! - Else nothing is embedded, and the binary looks for the component at run time.

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(acme_preflight_embedded)");
    println!("cargo::rerun-if-env-changed=ACME_PREFLIGHT_EMBED");
    let explicit = env::var_os("ACME_PREFLIGHT_EMBED").filter(|value| !value.is_empty());
    let path = match explicit {
        Some(path) => PathBuf::from(path),
        None if env::var_os("CARGO_FEATURE_EMBED").is_some() => {
            PathBuf::from("../../dist/acme-preflight.wasm")
        }
        None => return,
    };
    let Ok(path) = path.canonicalize() else {
        panic!(
            "cannot embed the checker component: {} does not exist (build it first: \
             `cargo build --target wasm32-wasip2 --release` at the root, then copy it to dist/)",
            path.display()
        );
    };
    println!("cargo::rerun-if-changed={}", path.display());
    println!(
        "cargo::rustc-env=ACME_PREFLIGHT_EMBEDDED_PATH={}",
        path.display()
    );
    println!("cargo::rustc-cfg=acme_preflight_embedded");
}
