//! Reading sources: text encodings (more readers live in [`crate::scan`] for now).
pub mod db;
pub mod decode;
pub mod limits;
