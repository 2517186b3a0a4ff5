//! hegui-scan: personal-information discovery.
//!
//! - [`detect`]: byte-level detectors that anchor on cheap bytes and validate exactly
//!   ([`validate`]), scored with context ([`context`]) into five likelihood levels.
//! - [`kind`]: the kinds found, their stable ids and the taxonomy items they map to.
pub mod context;
pub mod detect;
pub mod kind;
pub mod validate;
