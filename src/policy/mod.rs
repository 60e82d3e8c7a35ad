//! What Boulder decides: which addresses, which redirect targets, which limits.

pub(crate) mod addresses;
pub(crate) mod caa;
pub mod limits;
mod public_suffix;
pub mod redirect;
pub mod reserved;
