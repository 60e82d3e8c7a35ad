//! End-to-end test network for acme-preflight.
//!
//! [`Testbed::start`] turns a [`Scenario`] into two network namespaces joined by a veth
//! pair (addresses in [`net_plan`]):
//!
//! ```text
//!   client ns ──veth── server ns
//!   (tests run here)   DNS 198.51.100.53 / 2001:db8::53 (UDP+TCP, faults per name/type)
//!                      HTTP(S) on every scenario address/port (AnyIP, per-address behaviour)
//!                      nftables faults: drop, tcp reset, ICMP unreachable
//! ```
//!
//! The servers are threads of the calling process that entered the server namespace
//! (`setns`), so the testbed needs root (or a user namespace that maps root). Everything
//! stops by itself after the scenario's `lifetime_secs`, and on drop.
//!
//! ```no_run
//! let scenario = testbed::Scenario::load("tests/testbed/scenarios/demo.json".as_ref()).unwrap();
//! let bed = testbed::Testbed::start(&scenario).unwrap();
//! let out = bed.run_in_client(&["curl", "-s", "http://dual.example.com/"]).unwrap();
//! assert!(out.status.success());
//! ```
#![warn(missing_docs)]

pub mod dns;
pub mod firewall;
pub mod http;
pub mod lifetime;
pub mod log;
pub mod net_plan;
pub mod netns;
pub mod scenario;
pub mod sys;
mod testbed;

pub use log::Event;
pub use scenario::Scenario;
pub use testbed::{wait_bounded, Error, Testbed};
