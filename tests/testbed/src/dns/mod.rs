//! The testbed's own DNS: wire codec, zone logic with faults, server and a tiny client.

pub mod client;
pub mod server;
pub mod wire;
pub mod zone;
