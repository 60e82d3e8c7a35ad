//! `acme-preflight-cli.wasm`: the checker as a command component for `wasmtime run`.
//!
//! ```sh
//! wasmtime run -S inherit-network=y acme-preflight-cli.wasm validate example.org \
//!     --token <TOKEN> --key-authorization <TOKEN>.<THUMBPRINT> --resolver 192.0.2.53
//! ```

#[cfg(target_os = "wasi")]
fn main() {
    // A panic aborts (wasm has no unwinding): say so and exit 3, as the Rust host does when
    // its component traps, instead of leaving wasmtime to report a trap.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("acme-preflight: the checker failed: {info}");
        acme_preflight_command::exit(acme_preflight_command::cli::FAILURE);
    }));
    // WASI arguments are always UTF-8 (they are WIT strings).
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = acme_preflight_command::main_with_args(&args);
    acme_preflight_command::exit(code);
}

#[cfg(not(target_os = "wasi"))]
fn main() -> std::process::ExitCode {
    eprintln!(
        "acme-preflight-cli is a WASI command component: build it with \
         `cargo build --target wasm32-wasip2 --release -p acme-preflight-command` \
         and run it with `wasmtime run`"
    );
    std::process::ExitCode::from(acme_preflight_command::cli::FAILURE)
}
