//! acme-preflight as a WASI 0.2 command component: the checker core, linked in, driven over
//! standard WASI only.
//!
//! ```text
//!  wasi:cli/run ─▶ cli::run ─▶ acme_preflight::cli::parse_args ─▶ session::run_session
//!                                                                    │ Session::step
//!  Driver (driver.rs, work.rs): every outstanding request at once ◀──┘
//!    DNS   wasi:sockets/udp (tcp + length prefix when asked)    ops.rs, framing.rs
//!    HTTP  wasi:sockets/tcp, connect timeouts                   errors.rs (WASI → checker)
//!    wait  wasi:io/poll over socket/stream pollables and a monotonic-clock timer
//! ```
//!
//! The behaviour matches the wasmtime host (`host-examples/wasmtime`): the same command line,
//! output bytes and exit codes (0 valid, 1 invalid, 2 usage, 3 failure). Built natively, the
//! binary only says that it is meant for wasm32-wasip2; the modules still build and their
//! pure parts are tested natively.
#![warn(missing_docs)]
#![deny(unsafe_code)]

pub mod addr;
pub mod cli;
pub mod driver;
pub mod errors;
pub mod framing;
pub mod ops;
pub mod session;
pub mod work;

use std::io::Write;

/// Runs the command and returns its exit code, having printed any failure as
/// `acme-preflight: <message>` on standard error.
pub fn main_with_args(args: &[String]) -> u8 {
    match cli::run(args) {
        Ok(code) => code,
        Err((code, message)) => {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "acme-preflight: {}", message.trim_end());
            let _ = stderr.flush();
            code
        }
    }
}

/// Ends the instance with `code` through `wasi:cli/exit` (`exit-with-code`, WASI 0.2.12):
/// `std::process::exit` can only say success or failure there. Returns for 0.
pub fn exit(code: u8) {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    if code != 0 {
        wasi::cli::exit::exit_with_code(code);
    }
}
