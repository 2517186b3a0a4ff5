//! What a scan is asked to do and what it answers with: [`ScanOptions`] (with the row
//! [`Sample`]), the [`Output`] findings stream into, and [`ScanError`]. The readers, the
//! pipeline and the entry point all stand on this module.

use hegui_core::law::Framework;
use jiff::civil::Date;

use crate::kind::{KindSet, Likelihood};
use crate::report::Finding;
use crate::source::limits::Limits;
use crate::source::object::ObjectStore;

/// Which rows of a structured source are scanned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sample {
    /// Every row (needed for head-counts).
    Full,
    /// The first N rows.
    FirstRows(u64),
    /// N rows chosen at random (reservoir sampling, seeded).
    RandomRows { rows: u64, seed: u64 },
    /// Each row with this probability (0–100 %), seeded.
    Percent { percent: f64, seed: u64 },
}

/// Scan settings.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Birth dates after this day are impossible.
    pub today: Date,
    /// Hits below this likelihood are not reported or counted.
    pub min_likelihood: Likelihood,
    /// Sampling of structured sources; text is always read in full.
    pub sample: Sample,
    /// Globs a file under a directory must match (all files when empty).
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub framework: Framework,
    /// Put raw values into findings.
    pub show_values: bool,
    /// Text per batch handed to a worker.
    pub batch_bytes: usize,
    /// Database tables to scan (`name` or `schema.name`); all tables of the schema when empty.
    pub tables: Vec<String>,
    /// Database schema (PostgreSQL default `public`; MySQL default the URL's database).
    pub schema: Option<String>,
    /// The kinds to detect (all by default).
    pub kinds: KindSet,
    /// Put HyperLogLog sketches into the report, for merging with other partitions.
    pub sketches: bool,
    /// Scan only shard `i` of `n` (1-based) of the files found: a store split over `n`
    /// machines, whose reports `scan-merge` puts together.
    pub shard: Option<(u32, u32)>,
    /// Bounds on what a hostile source can make the scanner read or hold.
    pub limits: Limits,
    /// The store `s3://`, `oss://` and `hdfs://` targets are listed and read from (none:
    /// such targets are refused).
    pub objects: Option<std::sync::Arc<dyn ObjectStore>>,
}

impl ScanOptions {
    pub fn new(today: Date) -> ScanOptions {
        ScanOptions {
            today,
            min_likelihood: Likelihood::Possible,
            sample: Sample::FirstRows(1000),
            include: Vec::new(),
            exclude: Vec::new(),
            framework: Framework::Gb45574,
            show_values: false,
            batch_bytes: 1 << 20,
            tables: Vec::new(),
            schema: None,
            kinds: crate::kind::KindSet::ALL,
            sketches: false,
            shard: None,
            limits: crate::source::limits::Limits::default(),
            objects: None,
        }
    }
}

/// Where findings and progress go.
pub trait Output {
    fn finding(&mut self, f: &Finding<'_>) -> std::io::Result<()>;
    /// An output that only counts findings (a summary) says so: it is then told how many
    /// each cell or line had ([`Output::counted`]) instead of being given each one.
    fn counts_only(&self) -> bool {
        false
    }
    /// `n` more findings, for an output that [counts only](Output::counts_only).
    fn counted(&mut self, _n: u64) {}
    /// Called after each batch: the source and the bytes of it read so far.
    fn progress(&mut self, _source: &str, _bytes: u64) {}
}

/// Errors that stop a scan (problems with one source do not).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("{0}: no such file or directory")]
    NotFound(String),
    #[error("bad glob {0:?}: {1}")]
    Glob(String, String),
    #[error("{0}")]
    Shard(String),
    /// An object store URL that could not be listed (no such bucket, access denied).
    #[error("{0}")]
    Objects(String),
    /// A source this build cannot read (a cargo feature is off).
    #[error("{0}")]
    Unsupported(String),
    #[error("writing findings: {0}")]
    Output(#[from] std::io::Error),
    #[error("{0}: {1}")]
    File(String, std::io::Error),
    /// A single line or cell longer than a batch can hold.
    #[error("a line or cell of {0} bytes: longer than hegui scans (4 GiB)")]
    TooLong(usize),
    /// A detector failed on some input: a bug in hegui. The source it was reading is
    /// reported with this error (and what was found before it); the scan goes on.
    #[error("a detector failed on this input (a bug in hegui; please report it): {0}")]
    Detector(String),
    /// Columns handed to `columnar::ColumnScan` that do not hold together (offsets past
    /// the data).
    #[error("columns: {0}")]
    Columns(String),
}
