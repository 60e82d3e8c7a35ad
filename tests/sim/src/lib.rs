//! A simulated network for acme-preflight: DNS data per name and type, behaviour per address
//! and port, and a host that answers a session's requests from it on a virtual clock.
//!
//! A [`World`] is the scenario; [`run`] drives any [`Driver`] (the native core or the built
//! component inside wasmtime) against it until the report, jumping the clock from event to
//! event, so a 10-second connect timeout costs no real time.

pub mod certs;
mod component;
mod dns_server;
mod host;
pub mod tls;
mod vhosts;
mod world;

pub use component::{ComponentDriver, ComponentLoader};
pub use host::{run, Driver, NativeDriver, Outcome as RunOutcome};
pub use tls::{HelloSeen, TlsServer, Versions};
pub use vhosts::site;
pub use world::{Behaviour, DnsAnswer, Reply, World};
