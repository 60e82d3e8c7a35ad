//! The reference host of the acme-preflight checker component.
//!
//! The checker (`dist/acme-preflight.wasm`, world `checker-component` in `wit/`) is sans-IO: it
//! never touches a socket or a clock. This crate runs it in wasmtime and performs its I/O with
//! tokio:
//!
//! ```text
//!            session.step(now-ms, completions)
//!   host ──────────────────────────────────────────▶ component
//!    ▲  ◀────────────────────────────────────────── │
//!    │      pending(requests) | done(report)        │
//!    │                                              │
//!    └── Driver: DNS exchanges, TCP connects, sends, receives, sleeps, all at once
//! ```
//!
//! Module map:
//! - [`Checker`] (`checker.rs`): compile or load the component once, then
//!   [`Checker::instantiate`] an [`Instance`] per run and call its exports.
//! - `cache.rs`: the precompiled-component cache under `$XDG_CACHE_HOME/acme-preflight/`.
//! - [`Driver`] (`driver.rs`): performs requests concurrently and gathers completions.
//! - `net.rs`: one function per request kind, and the map from OS errors to WIT errors.
//! - [`run_session`] (`session.rs`): the step loop that ties an instance to a driver.
//!
//! A minimal run:
//!
//! ```no_run
//! use acme_preflight_host::{run_session, std_socket_addr, Cache, Checker, Command, Quiet};
//!
//! let wasm = std::fs::read("dist/acme-preflight.wasm")?;
//! let checker = Checker::load(&wasm, &Cache::Default)?;
//! let mut instance = checker.instantiate()?;
//! let args = vec!["validate".to_string(), "example.org".to_string()];
//! if let Ok(Command::Run(invocation)) = instance.parse_args(&args, None)? {
//!     let resolver = invocation.resolver.as_ref().map(std_socket_addr);
//!     let mut options = invocation.options;
//!     options.seed = 0x5eed; // use a fresh random seed for each session
//!     let report = run_session(&mut instance, &invocation.job, &options, resolver, &mut Quiet)?;
//!     println!("{}", instance.render(&report, invocation.output, false)?);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod cache;
mod checker;
mod driver;
mod net;
mod session;

/// Rust types generated from `wit/` (world `checker-component`).
#[allow(missing_docs)]
pub mod bindings {
    wasmtime::component::bindgen!({ path: "../../wit", world: "checker-component" });
}

pub use bindings::acme_preflight::checker::io::{
    Completion, Connect, DialError, DnsExchange, DnsTransport, DnsTransportError, Outcome, Receive,
    Request, RequestKind, Send, StreamError,
};
pub use bindings::acme_preflight::checker::report::{
    ChallengeStatus, Problem, ProblemType, TraceEvent, ValidationRecord, ValidationReport,
};
pub use bindings::acme_preflight::checker::types::{IpAddress, SocketAddress};
pub use bindings::exports::acme_preflight::checker::checker::{
    ApiMisuse, Cidr, Job, Options, Progress,
};
pub use bindings::exports::acme_preflight::checker::cli::{
    ApiError, Command, Invocation, OutputFormat,
};
pub use cache::Cache;
pub use checker::{Checker, Instance, Session};
pub use driver::Driver;
pub use net::{socket_addr, std_socket_addr};
pub use session::{run_session, Observer, Quiet, SessionError};
