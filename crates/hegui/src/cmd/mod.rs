//! One module per command family.
pub mod bench;
pub mod calendar;
pub mod catalog;
pub mod gen;
pub mod profile;
pub mod scan;
