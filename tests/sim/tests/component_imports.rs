//! The component imports only what the WIT and Rust's standard library require.

use acme_preflight_sim::ComponentLoader;

/// Interfaces Rust's std pulls in for its panic, print and environment paths, and the
/// type-only interfaces of our own package that the exported ones `use`.
const ALLOWED: &[&str] = &[
    "acme-preflight:checker/types@0.1.0",
    "acme-preflight:checker/io@0.1.0",
    "acme-preflight:checker/report@0.1.0",
    "wasi:cli/environment@",
    "wasi:cli/exit@",
    "wasi:cli/stdin@",
    "wasi:cli/stdout@",
    "wasi:cli/stderr@",
    "wasi:cli/terminal-",
    "wasi:io/error@",
    "wasi:io/poll@",
    "wasi:io/streams@",
];

#[test]
fn imports_nothing_else() {
    let path = manifest_dir().join("../../dist/acme-preflight.wasm");
    let loader = ComponentLoader::new(&path).expect("run `make build` first");
    let imports = loader.imports();
    println!("imports: {imports:#?}");
    let unexpected: Vec<&String> = imports
        .iter()
        .filter(|name| !ALLOWED.iter().any(|allowed| name.starts_with(allowed)))
        .collect();
    assert!(unexpected.is_empty(), "unexpected imports: {unexpected:?}");
    for forbidden in [
        "wasi:sockets",
        "wasi:clocks",
        "wasi:random",
        "wasi:filesystem",
        "wasi:http",
    ] {
        assert!(
            !imports.iter().any(|name| name.starts_with(forbidden)),
            "{forbidden} is imported"
        );
    }
}

/// This crate's folder as `cargo` gives it to the running test: the checkout being tested
/// (a target folder shared by two checkouts may hold a binary compiled in the other one).
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}
