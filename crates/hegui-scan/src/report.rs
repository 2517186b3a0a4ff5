//! What a scan produces: findings (one per detected value, streamed) and the
//! [`ScanReport`] (per source and per column or field: kind, matches, distinct values,
//! share of rows, masked share, sensitivity, likelihood; store-wide distinct counts and the
//! people estimates that feed the obligations engine).

use hegui_core::law::{Framework, Law, Sensitivity};
use serde::Serialize;

use crate::count::{Distinct, Exact};
use crate::detect::Hit;
use crate::kind::{Kind, Likelihood};

/// One detected value, as `--format jsonl` prints it. It borrows from the scan, so that
/// producing one costs no allocation.
#[derive(Debug, Clone, Serialize)]
pub struct Finding<'a> {
    pub source: &'a str,
    pub kind: &'static str,
    /// 1-based data row (header excluded), for structured sources.
    pub row: Option<u64>,
    /// Header or field path, for structured sources.
    pub column: Option<&'a str>,
    /// 1-based line, for text.
    pub line: Option<u64>,
    /// UTF-8 byte offsets within the cell or the line.
    pub start: usize,
    pub end: usize,
    pub likelihood: &'static str,
    pub masked: bool,
    /// The raw value: only with `--show-values`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<&'a str>,
}

/// Per-kind statistics of one column or field.
#[derive(Debug, Default, Clone)]
pub(crate) struct KindAcc {
    pub(crate) matches: u64,
    pub(crate) masked: u64,
    pub(crate) cells_with: u64,
    pub(crate) distinct: Distinct,
    pub(crate) best: Option<Likelihood>,
}

/// Statistics of one column, field path, or (for text) the whole file.
#[derive(Debug, Default, Clone)]
pub(crate) struct FieldAcc {
    pub(crate) cells: u64,
    /// Indexed by `Kind as usize`.
    pub(crate) kinds: [Option<Box<KindAcc>>; Kind::COUNT],
}

impl FieldAcc {
    pub(crate) fn kinds(&self) -> impl Iterator<Item = (Kind, &KindAcc)> {
        self.kinds
            .iter()
            .enumerate()
            .filter_map(|(i, k)| k.as_deref().map(|k| (Kind::ALL[i], k)))
    }
}

/// Statistics of one source while it is scanned. Fields are numbered by the reader
/// (CSV columns, interned JSON paths; 0 for text).
#[derive(Debug, Default, Clone)]
pub(crate) struct SourceAcc {
    pub(crate) fields: Vec<(std::sync::Arc<str>, FieldAcc)>,
    pub(crate) records: u64,
    pub(crate) bytes: u64,
    pub(crate) replaced: u64,
}

impl SourceAcc {
    /// Makes sure field `id` exists, named `name`.
    pub(crate) fn declare(&mut self, id: usize, name: &std::sync::Arc<str>) {
        while self.fields.len() <= id {
            self.fields.push((name.clone(), FieldAcc::default()));
        }
    }

    /// Counts `n` scanned cells (or lines) of field `id`, with hits or without.
    pub(crate) fn cells(&mut self, id: usize, n: u64) {
        self.fields[id].1.cells += n;
    }

    /// Records the hits reported for one cell (or line) of field `id`, which is counted
    /// by [`SourceAcc::cells`].
    pub(crate) fn hits(&mut self, id: usize, hits: &[Hit], totals: &mut Totals) {
        let f = &mut self.fields[id].1;
        let mut seen = 0u32;
        for h in hits {
            let ki = h.kind as usize;
            let k = f.kinds[ki].get_or_insert_with(Box::default);
            k.matches += 1;
            if h.masked {
                k.masked += 1;
            } else {
                // Both sets take keys in batches and drop repeats then.
                if !totals.keys_elsewhere {
                    k.distinct.insert(h.key);
                    totals.count(ki, h.key);
                }
            }
            k.best = k.best.max(Some(h.likelihood));
            if seen & (1 << ki) == 0 {
                seen |= 1 << ki;
                k.cells_with += 1;
            }
            totals.matches[ki] += 1;
            totals.masked[ki] += h.masked as u64;
        }
    }
}

/// Store-wide accumulators, indexed by `Kind as usize`.
#[derive(Debug, Default)]
pub(crate) struct Totals {
    pub(crate) exact: [Exact; Kind::COUNT],
    pub(crate) matches: [u64; Kind::COUNT],
    pub(crate) masked: [u64; Kind::COUNT],
    /// When a counting thread owns `exact` (scans on more than one thread): keys waiting
    /// to be sent to it, and where to send them.
    pending: Vec<(u8, u64)>,
    /// Distinct values are counted by someone else (a task's engine, from the keys it is
    /// handed): neither the store-wide sets nor the columns' sets take keys.
    pub(crate) keys_elsewhere: bool,
    counter: Option<std::sync::mpsc::Sender<Vec<(u8, u64)>>>,
}

impl Totals {
    /// Counts a key of kind `ki` in the store-wide set, or queues it for the counting thread.
    fn count(&mut self, ki: usize, key: u64) {
        if self.counter.is_some() {
            self.pending.push((ki as u8, key));
        } else {
            self.exact[ki].insert(key);
        }
    }

    /// Sends the queued keys to the counting thread.
    pub(crate) fn send_keys(&mut self) {
        if let Some(tx) = &self.counter {
            if !self.pending.is_empty() {
                // The thread outlives every sender: sending cannot fail.
                let _ = tx.send(std::mem::take(&mut self.pending));
            }
        }
    }

    /// Runs `scan` with the store-wide sets owned by a thread of their own, which counts
    /// the keys merges send it: the inserts (a cache miss each in large sets) leave the
    /// reading thread. Only when the scan has more than one thread: a one-core scan stays
    /// on one core.
    pub(crate) fn with_counting_thread<T>(&mut self, scan: impl FnOnce(&mut Totals) -> T) -> T {
        if rayon::current_num_threads() < 2 {
            return scan(self);
        }
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::channel::<Vec<(u8, u64)>>();
            let mut exact = std::mem::take(&mut self.exact);
            let counting = s.spawn(move || {
                for keys in rx {
                    for (ki, key) in keys {
                        exact[ki as usize].insert(key);
                    }
                }
                exact
            });
            self.counter = Some(tx);
            // The sender is dropped however `scan` ends (even by a panic), which ends the
            // thread: the scope's join cannot wait forever.
            let guard = Disconnect(self);
            let result = scan(guard.0);
            guard.0.send_keys();
            drop(guard);
            self.exact = counting.join().expect("the counting thread does not panic");
            result
        })
    }
}

/// Drops the counting thread's sender when dropped.
struct Disconnect<'t>(&'t mut Totals);

impl Drop for Disconnect<'_> {
    fn drop(&mut self) {
        self.0.counter = None;
    }
}

/// The sensitivity of a kind's taxonomy item under a framework.
#[derive(Debug, Clone, Serialize)]
pub struct SensitivityInfo {
    pub taxonomy: &'static str,
    pub framework: &'static str,
    /// `sensitive`, `conditional` or `not_listed`.
    pub level: &'static str,
    /// The PIPL Art. 28 category, when the item belongs to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipl28: Option<String>,
}

pub fn sensitivity(kind: Kind, framework: Framework) -> SensitivityInfo {
    let item = Law::get().taxonomy.item(kind.taxonomy());
    let level = match item.map(|i| i.sensitivity(framework)) {
        Some(Sensitivity::Sensitive) => "sensitive",
        Some(Sensitivity::Conditional) => "conditional",
        _ => "not_listed",
    };
    SensitivityInfo {
        taxonomy: kind.taxonomy(),
        framework: framework.name(),
        level,
        pipl28: item.and_then(|i| i.pipl28.clone()),
    }
}

/// One kind in one column.
#[derive(Debug, Clone, Serialize)]
pub struct KindReport {
    pub kind: &'static str,
    pub matches: u64,
    pub distinct: u64,
    /// Whether `distinct` is exact (else a HyperLogLog estimate, ±1 %).
    pub distinct_exact: bool,
    /// Share of the column's non-empty cells with at least one match.
    pub share_of_rows: f64,
    /// Share of the matches that are masked values.
    pub masked_share: f64,
    pub likelihood: &'static str,
    pub sensitivity: SensitivityInfo,
}

/// One column (or JSON field path, or a text file as a whole).
#[derive(Debug, Clone, Serialize)]
pub struct FieldReport {
    /// Header or field path; empty for a text file.
    pub name: String,
    pub cells: u64,
    /// The column's kind, when most of its cells are one kind (or a name-supported share).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classified_as: Option<&'static str>,
    pub kinds: Vec<KindReport>,
}

/// One scanned source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    pub source: String,
    /// text, csv, tsv, jsonl, json.
    pub format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compression: Option<&'static str>,
    /// Lines (text) or data rows (structured) scanned.
    pub records: u64,
    pub bytes: u64,
    /// Rows were sampled: counts describe the sample, not the store.
    pub sampled: bool,
    /// Bytes that were not valid in the encoding (replaced, not dropped silently).
    pub invalid_sequences: u64,
    /// Why the source could not be (fully) read; the scan went on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub fields: Vec<FieldReport>,
}

/// A kind across all sources.
#[derive(Debug, Clone, Serialize)]
pub struct TotalReport {
    pub kind: &'static str,
    pub matches: u64,
    pub masked: u64,
    /// Exact distinct values across every source.
    pub distinct: u64,
    pub sensitivity: SensitivityInfo,
}

/// Head-count estimates for the obligations engine (`hegui obligations --scan`).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct PeopleEstimate {
    /// Distinct natural persons: the largest exact distinct count among person
    /// identifiers (resident id, mobile, e-mail, passport, bank card).
    pub people: u64,
    pub people_by: Option<String>,
    /// Distinct persons with sensitive PI: the largest distinct count among kinds that are
    /// sensitive under the framework or PIPL Art. 28.
    pub sensitive: u64,
    pub sensitive_by: Option<String>,
    /// False when any structured source was sampled (the estimate is then a lower bound).
    pub complete: bool,
    /// When `people` comes from merged sketches and lies within their error of a legal
    /// threshold ([`near_threshold`]): that threshold. Such an estimate cannot tell which
    /// side of it the count is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people_near: Option<u64>,
}

/// How far, as a share of the threshold, a sketch estimate can lie from the true count:
/// three standard errors of a HyperLogLog with 2^14 registers (1.04 / √16384 ≈ 0.81 %).
pub const SKETCH_BAND: f64 = 0.024;

/// The first of `thresholds` that `estimate` lies within [`SKETCH_BAND`] of (inclusive).
pub fn near_threshold(estimate: u64, thresholds: &[u64]) -> Option<u64> {
    thresholds.iter().copied().find(|&t| {
        let band = t as f64 * SKETCH_BAND;
        (estimate as f64 - t as f64).abs() <= band
    })
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    pub tool: &'static str,
    pub version: &'static str,
    pub framework: &'static str,
    pub min_likelihood: &'static str,
    pub sources: Vec<SourceReport>,
    pub totals: Vec<TotalReport>,
    pub estimate: PeopleEstimate,
    /// HyperLogLog sketches per kind (`k2:` and hex: the key version, then the registers),
    /// with `--sketches`: reports of partitions of one
    /// store merge into distinct counts with `hegui scan-merge`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sketches: Option<std::collections::BTreeMap<String, String>>,
    /// `I/N` when only shard I of N of the files was scanned (`--shard`): its counts are
    /// of that shard alone; `scan-merge` of every shard's report counts the store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
}

/// Sketches of the kinds found, from the exact sets.
pub(crate) fn sketches(t: &Totals) -> std::collections::BTreeMap<String, String> {
    Kind::ALL
        .iter()
        .filter(|k| !t.exact[**k as usize].is_empty())
        .map(|k| {
            let mut h = crate::count::Hll::default();
            t.exact[*k as usize].keys().for_each(|x| h.insert(x));
            (k.id().to_string(), format!("{SKETCH_PREFIX}{}", h.to_hex()))
        })
        .collect()
}

/// What starts every sketch in a report: the version of the keys it counts. Sketches of
/// keys made by another version cannot be merged (one value would count twice).
pub(crate) const SKETCH_PREFIX: &str = "k2:";
const _: () = assert!(
    crate::key::KEY_VERSION == 2,
    "SKETCH_PREFIX names KEY_VERSION"
);

/// A report's sketch, or why it cannot be merged (`report`: the report's name).
fn read_sketch(report: &str, kind: &str, s: &str) -> Result<crate::count::Hll, String> {
    let Some(hex) = s.strip_prefix(SKETCH_PREFIX) else {
        // Sketches before version 2 were bare hex; a version after this one has another
        // prefix.
        let made_by = match s.split_once(':') {
            Some((v, _)) => format!("key version {}", v.trim_start_matches('k')),
            None => "key version 1 (an earlier hegui)".to_string(),
        };
        return Err(format!(
            "{report}: the {kind} sketch was made with {made_by}; this hegui makes \
             key version {}: scan that partition again with this hegui",
            crate::key::KEY_VERSION
        ));
    };
    crate::count::Hll::from_hex(hex)
        .ok_or_else(|| format!("{report}: the {kind} sketch is damaged"))
}

/// The reports whose sketch of `kind` holds any key: the partitions whose people a merged
/// count of that kind is made of.
pub fn holding(
    reports: &[(String, std::collections::BTreeMap<String, String>)],
    kind: &str,
) -> Vec<String> {
    reports
        .iter()
        .filter(|(name, r)| {
            r.get(kind)
                .and_then(|s| read_sketch(name, kind, s).ok())
                .is_some_and(|h| h.estimate() > 0)
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// The union of several reports' sketches (each with the report's name, for errors):
/// per-kind distinct estimates and the people estimate, as [`totals_report`] computes it
/// for one scan.
pub fn merge_sketches(
    reports: &[(String, std::collections::BTreeMap<String, String>)],
    framework: Framework,
) -> Result<(Vec<(String, u64)>, PeopleEstimate), String> {
    let mut merged: std::collections::BTreeMap<String, crate::count::Hll> =
        std::collections::BTreeMap::new();
    for (name, r) in reports {
        for (kind, hex) in r {
            let h = read_sketch(name, kind, hex)?;
            merged.entry(kind.clone()).or_default().merge(&h);
        }
    }
    let counts: Vec<(String, u64)> = merged
        .iter()
        .map(|(k, h)| (k.clone(), h.estimate()))
        .collect();
    let best = |pred: &dyn Fn(Kind) -> bool| {
        counts
            .iter()
            .filter_map(|(k, n)| {
                Kind::from_id(k)
                    .filter(|k| pred(*k))
                    .map(|_| (*n, k.clone()))
            })
            .max()
    };
    let people = best(&|k| PERSON_IDS.contains(&k));
    let sensitive = best(&|k| {
        let s = sensitivity(k, framework);
        s.level == "sensitive" || s.pipl28.is_some()
    });
    Ok((
        counts,
        PeopleEstimate {
            people: people.as_ref().map(|p| p.0).unwrap_or(0),
            people_by: people.map(|p| p.1),
            sensitive: sensitive.as_ref().map(|p| p.0).unwrap_or(0),
            sensitive_by: sensitive.map(|p| p.1),
            complete: true,
            people_near: None,
        },
    ))
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        ((a as f64 / b as f64) * 10_000.0).round() / 10_000.0
    }
}

impl FieldAcc {
    pub(crate) fn report(&self, name: &str, framework: Framework) -> FieldReport {
        let kinds: Vec<KindReport> = self
            .kinds()
            .map(|(k, a)| KindReport {
                kind: k.id(),
                matches: a.matches,
                distinct: a.distinct.count(),
                distinct_exact: a.distinct.is_exact(),
                share_of_rows: ratio(a.cells_with, self.cells),
                masked_share: ratio(a.masked, a.matches),
                likelihood: a.best.map(Likelihood::id).unwrap_or("possible"),
                sensitivity: sensitivity(k, framework),
            })
            .collect();
        FieldReport {
            name: name.to_string(),
            cells: self.cells,
            classified_as: if name.is_empty() {
                None
            } else {
                self.classify(name)
            },
            kinds,
        }
    }

    /// The column's kind: at least half of its non-empty cells, or a tenth when the column
    /// name supports the kind (as cloud DLP column classifiers do).
    fn classify(&self, name: &str) -> Option<&'static str> {
        let (named, _) = crate::context::field_cues(name);
        self.kinds()
            .map(|(k, a)| (k, ratio(a.cells_with, self.cells)))
            .filter(|(k, share)| *share >= 0.5 || (*share >= 0.1 && named.contains(k)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(k, _)| k.id())
    }
}

/// Everything known about a source once it is scanned.
pub(crate) struct SourceMeta {
    pub source: String,
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    pub compression: Option<&'static str>,
    pub sampled: bool,
    pub error: Option<String>,
}

pub(crate) fn source_report(
    meta: SourceMeta,
    acc: &SourceAcc,
    framework: Framework,
) -> SourceReport {
    SourceReport {
        source: meta.source,
        format: meta.format,
        encoding: meta.encoding,
        compression: meta.compression,
        records: acc.records,
        bytes: acc.bytes,
        sampled: meta.sampled,
        invalid_sequences: acc.replaced,
        error: meta.error,
        fields: acc
            .fields
            .iter()
            .map(|(n, f)| f.report(n, framework))
            .filter(|f| !f.kinds.is_empty())
            .collect(),
    }
}

const PERSON_IDS: [Kind; 5] = [
    Kind::CnResidentId,
    Kind::CnMobile,
    Kind::Email,
    Kind::CnPassport,
    Kind::BankCard,
];

pub(crate) fn totals_report(
    t: &Totals,
    framework: Framework,
    complete: bool,
) -> (Vec<TotalReport>, PeopleEstimate) {
    let distinct: [u64; Kind::COUNT] = std::array::from_fn(|i| t.exact[i].len());
    totals_from((&t.matches, &t.masked, &distinct), framework, complete)
}

/// The totals and the people estimate from per-kind matches, masked matches and exact
/// distinct counts (indexed by `Kind as usize`), however they were counted.
pub(crate) fn totals_from(
    (matches, masked, distinct): (
        &[u64; Kind::COUNT],
        &[u64; Kind::COUNT],
        &[u64; Kind::COUNT],
    ),
    framework: Framework,
    complete: bool,
) -> (Vec<TotalReport>, PeopleEstimate) {
    let totals: Vec<TotalReport> = Kind::ALL
        .iter()
        .filter(|k| matches[**k as usize] > 0)
        .map(|&k| TotalReport {
            kind: k.id(),
            matches: matches[k as usize],
            masked: masked[k as usize],
            distinct: distinct[k as usize],
            sensitivity: sensitivity(k, framework),
        })
        .collect();
    let best = |pred: &dyn Fn(Kind) -> bool| {
        Kind::ALL
            .iter()
            .filter(|k| pred(**k) && distinct[**k as usize] > 0)
            .map(|k| (distinct[*k as usize], k.id().to_string()))
            .max()
    };
    let people = best(&|k| PERSON_IDS.contains(&k));
    let sensitive = best(&|k| {
        let s = sensitivity(k, framework);
        s.level == "sensitive" || s.pipl28.is_some()
    });
    let estimate = PeopleEstimate {
        people: people.as_ref().map(|p| p.0).unwrap_or(0),
        people_by: people.map(|p| p.1),
        sensitive: sensitive.as_ref().map(|p| p.0).unwrap_or(0),
        sensitive_by: sensitive.map(|p| p.1),
        complete,
        // Counted exactly: nothing to be near.
        people_near: None,
    };
    (totals, estimate)
}

/// The report of a finished scan: its sources and what `totals` counted across them.
/// `(framework, min_likelihood, sketches)` are the scan's options of those names.
pub(crate) fn scan_report(
    (framework, min_likelihood, with_sketches): (Framework, crate::kind::Likelihood, bool),
    sources: Vec<SourceReport>,
    totals: &Totals,
) -> ScanReport {
    let complete = sources.iter().all(|s| !s.sampled);
    let (totals_r, estimate) = totals_report(totals, framework, complete);
    ScanReport {
        tool: "hegui",
        version: env!("CARGO_PKG_VERSION"),
        framework: framework.name(),
        min_likelihood: min_likelihood.id(),
        sources,
        totals: totals_r,
        estimate,
        sketches: with_sketches.then(|| sketches(totals)),
        shard: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_a_threshold_is_within_the_sketch_band_inclusive() {
        let t = [1_000_000, 10_000_000];
        assert_eq!(near_threshold(976_000, &t), Some(1_000_000));
        assert_eq!(near_threshold(975_999, &t), None);
        assert_eq!(near_threshold(1_024_000, &t), Some(1_000_000));
        assert_eq!(near_threshold(1_024_001, &t), None);
        assert_eq!(near_threshold(10_240_000, &t), Some(10_000_000));
        assert_eq!(near_threshold(9_759_999, &t), None);
        assert_eq!(near_threshold(0, &t), None);
    }

    fn two_threads<T: Send>(f: impl FnOnce() -> T + Send) -> T {
        rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
            .install(f)
    }

    #[test]
    fn the_counting_thread_counts_what_is_sent_and_ends_with_a_panic() {
        let mut t = Totals::default();
        let ki = Kind::CnMobile as usize;
        two_threads(|| {
            t.with_counting_thread(|t| {
                assert!(t.counter.is_some(), "two threads: a counting thread");
                for key in [5, 6, 5, 7] {
                    t.count(ki, key);
                }
                t.send_keys();
                t.count(ki, 8);
            })
        });
        assert_eq!(t.exact[ki].len(), 4, "keys sent at the end are counted too");
        assert!(t.counter.is_none());
        // A panic while scanning ends the thread: this returns instead of hanging.
        let r = two_threads(|| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                t.with_counting_thread(|_| panic!("a bug"))
            }))
        });
        assert!(r.is_err());
    }
}
