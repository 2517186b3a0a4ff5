//! Scanning where another engine counts: a [`Task`] scans one partition of a table (Spark's
//! `mapInArrow` hands it Arrow batches) and gives back two things, never findings:
//!
//! - the **keys** of the values it found ([`Key`]: column, kind, 64-bit key, and the
//!   sketch register and rank of the key), which the engine counts distinct across every
//!   partition of every table of the job (`count(DISTINCT key)` per kind and per column,
//!   `max(rank)` per kind and register);
//! - the partition's **parts** ([`TaskParts`]): rows, and per column its cells and per kind
//!   the matches, masked matches, cells with a match and best likelihood. Parts add up.
//!
//! [`lake_report`] puts the parts and the engine's counts together into the report
//! `hegui scan --full --sketches` gives for the same rows: `scan-merge` and
//! `hegui obligations --scan` take it as they take any scan report.
//!
//! Keys are personal information (a phone number's key can be found by trying every phone
//! number): the engine keeps them in executor storage and its shuffle, never in a table.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::columnar::ColumnScan;
use crate::count::Hll;
use crate::kind::{Kind, Likelihood};
use crate::options::{Output, ScanError, ScanOptions};
use crate::report::{FieldAcc, KindAcc, ScanReport, SourceAcc, SourceReport, Totals};

/// One partition's scan.
pub struct Task {
    opts: ScanOptions,
    source: String,
    /// A task is one core's work (Spark gives each task one): detection runs on a pool of
    /// one thread, not on every core of the executor.
    pool: rayon::ThreadPool,
    /// The columns by the index keys name, with their statistics so far.
    columns: Vec<(Arc<str>, FieldAcc)>,
    records: u64,
    bytes: u64,
    replaced: u64,
    matches: [u64; Kind::COUNT],
    masked: [u64; Kind::COUNT],
    keys: Vec<Key>,
    /// The keys handed out lately, so that a value repeated in the partition (one
    /// customer's phone on a thousand orders) is handed out once, not a thousand times:
    /// the engine shuffles fewer rows. Bounded: emptied when it reaches [`SEEN_MAX`] (a
    /// key handed out again is one more duplicate the engine's distinct count drops).
    seen: std::collections::HashSet<(u32, Kind, u64)>,
}

/// The most keys a task remembers as handed out (some 40 MB).
const SEEN_MAX: usize = 1 << 20;

/// The key of one value found (unmasked: masked values are no people).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// Index into [`Task::columns`].
    pub column: u32,
    pub kind: Kind,
    pub key: u64,
    /// Where the key falls in the report's sketch, and its rank there.
    pub register: u32,
    pub rank: u8,
}

/// An output that only counts: a task writes no findings.
struct Discard;

impl Output for Discard {
    fn finding(&mut self, _: &crate::report::Finding<'_>) -> std::io::Result<()> {
        Ok(())
    }
    fn counts_only(&self) -> bool {
        true
    }
}

impl Task {
    /// A task scanning part of `source` (a table's name) with `opts` (its kinds, date,
    /// likelihood floor; sampling does not apply: a task scans what it is given).
    pub fn new(source: &str, opts: &ScanOptions) -> Result<Task, ScanError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .map_err(|e| ScanError::Columns(format!("cannot start the task's thread: {e}")))?;
        Ok(Task {
            opts: opts.clone(),
            source: source.to_string(),
            pool,
            columns: Vec::new(),
            records: 0,
            bytes: 0,
            replaced: 0,
            matches: [0; Kind::COUNT],
            masked: [0; Kind::COUNT],
            keys: Vec::new(),
            seen: std::collections::HashSet::new(),
        })
    }

    /// Scans one batch of rows: `feed` declares its columns and gives their values (all
    /// columns of a batch have the same rows, as in an Arrow record batch).
    pub fn batch(
        &mut self,
        feed: impl FnOnce(&mut ColumnScan<'_>) -> Result<(), ScanError> + Send,
    ) -> Result<(), ScanError> {
        // The engine counts distinct values from the keys: no set here takes them.
        let mut totals = Totals::default();
        totals.keys_elsewhere = true;
        let (opts, source) = (&self.opts, self.source.as_str());
        let (acc, keys) = self.pool.install(|| {
            let mut out = Discard;
            let mut scan = ColumnScan::new(source, "spark", opts, &mut totals, &mut out);
            scan.keep_keys();
            feed(&mut scan)?;
            scan.into_parts()
        })?;
        self.add(acc, keys);
        for i in 0..Kind::COUNT {
            self.matches[i] += totals.matches[i];
            self.masked[i] += totals.masked[i];
        }
        Ok(())
    }

    /// Folds a batch's statistics in, by column name, and keeps its keys.
    fn add(&mut self, acc: SourceAcc, keys: Vec<(u32, Kind, u64)>) {
        self.records += acc.records;
        self.bytes += acc.bytes;
        self.replaced += acc.replaced;
        let index: Vec<u32> = acc
            .fields
            .into_iter()
            .map(|(name, f)| {
                let i = match self.columns.iter().position(|(n, _)| *n == name) {
                    Some(i) => i,
                    None => {
                        self.columns.push((name, FieldAcc::default()));
                        self.columns.len() - 1
                    }
                };
                merge_field(&mut self.columns[i].1, &f);
                i as u32
            })
            .collect();
        for (field, kind, key) in keys {
            let column = index[field as usize];
            if self.seen.len() >= SEEN_MAX {
                self.seen.clear();
            }
            if !self.seen.insert((column, kind, key)) {
                continue;
            }
            let (register, rank) = Hll::position(key);
            self.keys.push(Key {
                column,
                kind,
                key,
                register,
                rank,
            });
        }
    }

    /// The names of the columns seen so far, as [`Key::column`] indexes them.
    pub fn columns(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|(n, _)| &**n)
    }

    /// The keys found since the last call, each (column, kind, key) once in a while (see
    /// `seen`): hand them to the engine batch by batch, so a task holds no more than a
    /// batch's keys.
    pub fn drain_keys(&mut self) -> Vec<Key> {
        std::mem::take(&mut self.keys)
    }

    /// The partition's statistics.
    pub fn finish(self) -> TaskParts {
        let columns = self
            .columns
            .iter()
            .map(|(name, f)| ColumnParts {
                name: name.to_string(),
                cells: f.cells,
                kinds: f
                    .kinds()
                    .map(|(k, a)| KindParts {
                        kind: k.id().to_string(),
                        matches: a.matches,
                        masked: a.masked,
                        cells_with: a.cells_with,
                        likelihood: a.best.map(Likelihood::id).unwrap_or("possible").into(),
                    })
                    .collect(),
            })
            .collect();
        let kinds = Kind::ALL
            .iter()
            .filter(|k| self.matches[**k as usize] > 0)
            .map(|&k| KindTotal {
                kind: k.id().to_string(),
                matches: self.matches[k as usize],
                masked: self.masked[k as usize],
            })
            .collect();
        TaskParts {
            source: self.source,
            records: self.records,
            bytes: self.bytes,
            invalid_sequences: self.replaced,
            columns,
            kinds,
        }
    }
}

/// Adds one column's statistics to another's (distinct values are the engine's count).
fn merge_field(into: &mut FieldAcc, from: &FieldAcc) {
    into.cells += from.cells;
    for (k, a) in from.kinds() {
        let to = into.kinds[k as usize].get_or_insert_with(Box::default);
        to.matches += a.matches;
        to.masked += a.masked;
        to.cells_with += a.cells_with;
        to.best = to.best.max(a.best);
    }
}

/// What a task found in its partition, as JSON between the executors and the driver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskParts {
    /// The table.
    pub source: String,
    pub records: u64,
    /// Bytes of text scanned.
    pub bytes: u64,
    pub invalid_sequences: u64,
    pub columns: Vec<ColumnParts>,
    /// Matches and masked matches per kind.
    pub kinds: Vec<KindTotal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnParts {
    pub name: String,
    pub cells: u64,
    pub kinds: Vec<KindParts>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindParts {
    pub kind: String,
    pub matches: u64,
    pub masked: u64,
    pub cells_with: u64,
    pub likelihood: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindTotal {
    pub kind: String,
    pub matches: u64,
    pub masked: u64,
}

/// What the engine counted from every task's keys.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LakeCounts {
    /// Distinct keys per kind across every table.
    pub kinds: BTreeMap<String, u64>,
    /// Distinct keys per table, column and kind.
    pub columns: Vec<ColumnCount>,
    /// Per kind, each register's highest rank (`max(rank) GROUP BY kind, register`).
    pub registers: BTreeMap<String, Vec<(u32, u8)>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnCount {
    pub source: String,
    pub column: String,
    pub kind: String,
    pub distinct: u64,
}

/// The scan report of every table of a job: its tasks' parts (in any order) and what the
/// engine counted. Per-column distinct counts are exact here (the CLI's are estimates past
/// 65,536 values); `bytes` are of text scanned, not of files.
pub fn lake_report(
    opts: &ScanOptions,
    parts: &[TaskParts],
    counts: &LakeCounts,
) -> Result<ScanReport, String> {
    let kind = |id: &str| Kind::from_id(id).ok_or_else(|| format!("unknown kind {id:?}"));
    let mut sources: BTreeMap<&str, (SourceAcc, Vec<Arc<str>>)> = BTreeMap::new();
    let (mut matches, mut masked) = ([0; Kind::COUNT], [0; Kind::COUNT]);
    for p in parts {
        let (acc, names) = sources.entry(&p.source).or_default();
        acc.records += p.records;
        acc.bytes += p.bytes;
        acc.replaced += p.invalid_sequences;
        for c in &p.columns {
            let i = match names.iter().position(|n| **n == *c.name) {
                Some(i) => i,
                None => {
                    let name: Arc<str> = Arc::from(c.name.as_str());
                    names.push(name.clone());
                    acc.fields.push((name, FieldAcc::default()));
                    names.len() - 1
                }
            };
            let f = &mut acc.fields[i].1;
            f.cells += c.cells;
            for k in &c.kinds {
                let a: &mut KindAcc =
                    f.kinds[kind(&k.kind)? as usize].get_or_insert_with(Box::default);
                a.matches += k.matches;
                a.masked += k.masked;
                a.cells_with += k.cells_with;
                a.best = a.best.max(Likelihood::from_id(&k.likelihood));
            }
        }
        for k in &p.kinds {
            let i = kind(&k.kind)? as usize;
            matches[i] += k.matches;
            masked[i] += k.masked;
        }
    }
    let column_distinct: BTreeMap<(&str, &str, &str), u64> = counts
        .columns
        .iter()
        .map(|c| ((&*c.source, &*c.column, &*c.kind), c.distinct))
        .collect();
    let reports: Vec<SourceReport> = sources
        .into_iter()
        .map(|(source, (acc, _))| {
            let mut fields: Vec<_> = acc
                .fields
                .iter()
                .map(|(name, f)| f.report(name, opts.framework))
                .filter(|f| !f.kinds.is_empty())
                .collect();
            for f in &mut fields {
                for k in &mut f.kinds {
                    let key = (source, f.name.as_str(), k.kind);
                    k.distinct = column_distinct.get(&key).copied().unwrap_or(0);
                    k.distinct_exact = true;
                }
            }
            SourceReport {
                source: source.to_string(),
                format: "spark",
                encoding: Some("utf-8"),
                compression: None,
                records: acc.records,
                bytes: acc.bytes,
                sampled: false,
                invalid_sequences: acc.replaced,
                error: None,
                fields,
            }
        })
        .collect();
    let mut distinct = [0; Kind::COUNT];
    for (id, n) in &counts.kinds {
        distinct[kind(id)? as usize] = *n;
    }
    let (totals, estimate) =
        crate::report::totals_from((&matches, &masked, &distinct), opts.framework, true);
    let sketches = if opts.sketches {
        let mut out = BTreeMap::new();
        for (id, registers) in &counts.registers {
            let k = kind(id)?;
            let mut h = Hll::default();
            for &(register, rank) in registers {
                h.raise(register, rank).ok_or_else(|| {
                    format!("{id}: register {register} rank {rank} is not a sketch's")
                })?;
            }
            if distinct[k as usize] > 0 {
                out.insert(
                    id.clone(),
                    format!("{}{}", crate::report::SKETCH_PREFIX, h.to_hex()),
                );
            }
        }
        Some(out)
    } else {
        None
    };
    Ok(ScanReport {
        tool: "hegui",
        version: env!("CARGO_PKG_VERSION"),
        framework: opts.framework.name(),
        min_likelihood: opts.min_likelihood.id(),
        sources: reports,
        totals,
        estimate,
        sketches,
        shard: None,
    })
}
