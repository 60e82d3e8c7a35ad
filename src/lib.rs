//! acme-preflight predicts exactly what Let's Encrypt's validation servers will do for a
//! domain: which address they dial first (IPv6), when they retry on IPv4, how they follow
//! redirects, and the problem document they return, with Boulder's own wording.
//!
//! The crate is **sans-IO**: it never opens a socket, reads a clock or draws a random number.
//! A [`Session`] returns the I/O it needs as plain data ([`io::Request`]) and the host hands
//! back the results ([`io::Completion`]) with its clock:
//!
//! ```text
//!  let mut session = Session::new(job, options);
//!  let mut completions = vec![];
//!  loop {
//!      match session.step(now_ms(), completions)? {
//!          Step::Done(report) => break report,
//!          Step::Pending(requests) => start(requests),      // DNS, connect, send, receive...
//!      }
//!      completions = wait_for_at_least_one_completion();
//!  }
//! ```
//!
//! Map of the crate:
//! - `session/`: the executor and the step contract; `network.rs`: the I/O trait the policy uses.
//! - `challenge/`: the order of events of a validation (Boulder's `va/http.go`).
//! - `policy/`: what Boulder decides (addresses, reserved blocks, redirect targets, limits).
//! - `dns/`, `http/`: bytes on the wire, parsed as strictly as Go and miekg/dns do.
//! - `report/`: the challenge object and its JSON; `cli/`: the command line every host shares.
//! - `diagnose/`: what Let's Encrypt will do with a name before any order, and what to change.
//! - `component.rs`: the only file that knows about WIT (wasm32 only).
//!
//! Fidelity target: Boulder at commit 2d00c8e (`BOULDER_COMMIT`).
#![deny(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod api;
pub(crate) mod challenge;
pub mod cli;
pub(crate) mod diagnose;
mod digest;
pub mod dns;
pub mod http;
pub mod io;
pub mod job;
mod join;
pub mod network;
pub mod policy;
mod punycode;
pub mod report;
pub mod session;
pub(crate) mod tls;

// The generated WIT glue is the crate's only unsafe code.
#[cfg(all(target_family = "wasm", feature = "component"))]
#[allow(unsafe_code)]
mod component;

pub use job::{ChallengeType, Diagnose, Expectation, Identifier, Job, Options, Policy, Validation};
pub use report::{Problem, ProblemType, Report, Status, ValidationRecord};
pub use session::{ApiMisuse, Session, Step};

/// The Boulder commit whose behaviour is modelled.
pub const BOULDER_COMMIT: &str = "2d00c8e27919fe945e53b2cf857838e68a1da111";
