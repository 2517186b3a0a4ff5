//! hegui-scan: personal-information discovery in files and databases.
//!
//! The layers, each standing only on those above it (a test keeps the imports one-way):
//!
//! - [`kind`], [`key`], [`validate`], [`context`]: the kinds found, value keys, exact
//!   validators (checksums, prefixes), keyword and column-name cues.
//! - [`hit`]: what every detector produces ([`hit::Hit`]) and reads ([`hit::Options`]).
//! - [`semantic`]: names, addresses, birth dates and sensitive keywords.
//! - [`detect`]: the byte scanners (digit runs, `@` and `:` tokens, plates) and
//!   [`detect::detect_cells`], which runs them and the semantic pass over a batch of cells.
//! - [`options`]: what a scan is asked to do ([`ScanOptions`]) and where findings go.
//! - `pipeline`: batches of cells detected in parallel, merged in order.
//! - [`source`]: one reader per format (text, CSV/TSV, JSON, workbooks, Parquet,
//!   databases), optionally gzipped, UTF-8 or GBK, within [`source::limits`].
//! - [`scan`]: walking paths and running a scan.
//! - [`count`]: exact and HyperLogLog distinct counting, of value keys.
//! - [`report`]: findings and the [`report::ScanReport`], with the head-count estimate the
//!   obligations engine reads.
pub mod columnar;
pub mod context;
pub mod count;
pub mod detect;
pub mod eval;
pub mod eval_names;
pub mod hit;
pub mod key;
pub mod kind;
pub mod options;
pub(crate) mod pipeline;
pub mod report;
pub use hegui_core::rng;
pub mod scan;
pub mod semantic;
pub mod source;
pub mod synth;
pub mod task;
pub mod validate;

pub use kind::{Kind, KindSet, Likelihood};
pub use report::{Finding, PeopleEstimate, ScanReport};
pub use scan::{scan, Output, Sample, ScanError, ScanOptions};
