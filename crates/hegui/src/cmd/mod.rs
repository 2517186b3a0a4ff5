//! One module per command family.
pub mod calendar;
pub mod catalog;
pub mod profile;
pub mod scan;
