//! One module per command family.
pub mod bench;
pub mod bench_fuzz;
pub mod bench_report;
pub mod bench_store;
pub mod calendar;
pub mod catalog;
pub mod demo;
pub mod engagement;
pub mod evidence;
pub mod gen;
pub mod key;
pub mod profile;
pub mod report;
pub mod sample;
pub mod scan;
pub mod transfer;
pub mod users;
