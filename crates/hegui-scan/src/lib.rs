//! hegui-scan: personal-information discovery in files (and, later, databases).
//!
//! - [`detect`]: byte-level detectors that anchor on cheap bytes and validate exactly
//!   ([`validate`]), scored with context ([`context`]) into five likelihood levels.
//! - [`kind`]: the kinds found, their stable ids and the taxonomy items they map to.
//! - [`scan`]: walking paths and running a scan; `scan::pipeline` detects in parallel
//!   batches and streams findings in order.
//! - [`source`]: one reader per format (text, CSV/TSV, JSON, workbooks, Parquet,
//!   databases), optionally gzipped, UTF-8 or GBK, within [`source::limits`].
//! - [`count`]: exact and HyperLogLog distinct counting, of value keys ([`key`]).
//! - [`report`]: findings and the [`report::ScanReport`], with the head-count estimate the
//!   obligations engine reads.
pub mod context;
pub mod count;
pub mod detect;
pub mod eval;
pub mod key;
pub mod kind;
pub mod report;
pub use hegui_core::rng;
pub mod scan;
pub mod semantic;
pub mod source;
pub mod synth;
pub mod validate;

pub use kind::{Kind, KindSet, Likelihood};
pub use report::{Finding, PeopleEstimate, ScanReport};
pub use scan::{scan, Output, Sample, ScanError, ScanOptions};
