//! `hegui._hegui`: hegui's scanner for Python, as Spark's `mapInArrow` calls it.
//!
//! - `Task(source, today=…, min_likelihood=…, kinds=…, framework=…)` scans Arrow record
//!   batches of string columns (`scan(batch)`), hands back the keys of what it found
//!   (`drain_keys()`, a `pyarrow.RecordBatch` in [`KEYS_SCHEMA`]'s shape) and, at the end,
//!   the partition's statistics as JSON (`finish()`).
//! - `report(parts, counts, …)` builds the standard scan report from every task's parts
//!   and what Spark counted from the keys.
//!
//! The detection, keys and statistics are `hegui_scan`'s (`task::Task` over
//! `columnar::ColumnScan`): the same as `hegui scan`'s for the same rows.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{
    Array, ArrayRef, Int32Array, Int64Array, RecordBatch, StringArray, StringViewArray,
};
use arrow_schema::{DataType, Field, Schema};
use hegui_core::law::Framework;
use hegui_scan::columnar::ColumnScan;
use hegui_scan::task::{lake_report, LakeCounts, TaskParts};
use hegui_scan::{Kind, KindSet, Likelihood, ScanError, ScanOptions};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3_arrow::PyRecordBatch;

/// The columns of a keys batch, and of everything a Spark task yields: key rows, then
/// one row carrying the task's parts (`parts` set, the rest null).
/// Columns and kinds are numbers (the column's place in the batches, the kind's in
/// `KINDS`): rows of the shuffle are small.
const KEYS_SCHEMA: [(&str, DataType); 6] = [
    ("column", DataType::Int32),
    ("kind", DataType::Int32),
    ("key", DataType::Int64),
    ("register", DataType::Int32),
    ("rank", DataType::Int32),
    ("parts", DataType::Utf8),
];

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(
        KEYS_SCHEMA
            .iter()
            .map(|(n, t)| Field::new(*n, t.clone(), true))
            .collect::<Vec<_>>(),
    ))
}

/// Scan options from the Python arguments.
fn options(
    today: Option<&str>,
    min_likelihood: &str,
    kinds: Option<Vec<String>>,
    framework: &str,
    sketches: bool,
) -> PyResult<ScanOptions> {
    let today = match today {
        Some(d) => d
            .parse::<jiff::civil::Date>()
            .map_err(|e| PyValueError::new_err(format!("today={d:?}: {e}")))?,
        None => jiff::Zoned::now().date(),
    };
    let mut o = ScanOptions::new(today);
    o.sketches = sketches;
    o.min_likelihood = Likelihood::from_id(min_likelihood).ok_or_else(|| {
        PyValueError::new_err(format!(
            "min_likelihood={min_likelihood:?}: expected very_unlikely, unlikely, possible, \
             likely or very_likely"
        ))
    })?;
    o.framework = match framework {
        "gb45574" => Framework::Gb45574,
        "gb35273" => Framework::Gb35273,
        other => {
            return Err(PyValueError::new_err(format!(
                "framework={other:?}: expected gb45574 or gb35273"
            )))
        }
    };
    if let Some(ids) = kinds {
        let ks = ids
            .iter()
            .map(|id| {
                Kind::from_id(id)
                    .ok_or_else(|| PyValueError::new_err(format!("kinds: unknown kind {id:?}")))
            })
            .collect::<PyResult<Vec<Kind>>>()?;
        o.kinds = KindSet::of(&ks);
    }
    Ok(o)
}

/// One Spark task's scan of a partition of one table.
#[pyclass(module = "hegui._hegui")]
struct Task {
    inner: Option<hegui_scan::task::Task>,
}

fn done() -> PyErr {
    PyRuntimeError::new_err("this task is finished")
}

fn scan_error(e: ScanError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

#[pymethods]
impl Task {
    #[new]
    #[pyo3(signature = (source, today=None, min_likelihood="possible", kinds=None, framework="gb45574"))]
    fn new(
        source: &str,
        today: Option<&str>,
        min_likelihood: &str,
        kinds: Option<Vec<String>>,
        framework: &str,
    ) -> PyResult<Self> {
        let o = options(today, min_likelihood, kinds, framework, true)?;
        let inner = hegui_scan::task::Task::new(source, &o).map_err(scan_error)?;
        Ok(Task { inner: Some(inner) })
    }

    /// Scans one record batch of string columns (`utf8`, `large_utf8` or `utf8_view`);
    /// the scanning runs without the GIL.
    fn scan(&mut self, py: Python<'_>, batch: PyRecordBatch) -> PyResult<()> {
        let task = self.inner.as_mut().ok_or_else(done)?;
        let batch = batch.into_inner();
        py.detach(|| task.batch(|s| feed(s, &batch)))
            .map_err(scan_error)
    }

    /// The keys found since the last call, as a `pyarrow.RecordBatch` (columns
    /// `column, kind, key, register, rank, parts`: the column's index in `columns()`, the
    /// kind's in `KINDS`; `parts` null).
    fn drain_keys<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let task = self.inner.as_mut().ok_or_else(done)?;
        let keys = task.drain_keys();
        let column: Int32Array = keys.iter().map(|k| Some(k.column as i32)).collect();
        let kind: Int32Array = keys.iter().map(|k| Some(k.kind as i32)).collect();
        // The 64-bit key as Spark's LONG: the bits, not the number, are what is counted.
        let key: Int64Array = keys.iter().map(|k| Some(k.key as i64)).collect();
        let register: Int32Array = keys.iter().map(|k| Some(k.register as i32)).collect();
        let rank: Int32Array = keys.iter().map(|k| Some(i32::from(k.rank))).collect();
        let parts = StringArray::new_null(keys.len());
        let columns: Vec<ArrayRef> = vec![
            Arc::new(column),
            Arc::new(kind),
            Arc::new(key),
            Arc::new(register),
            Arc::new(rank),
            Arc::new(parts),
        ];
        let batch = RecordBatch::try_new(schema(), columns)
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        PyRecordBatch::new(batch).into_pyarrow(py)
    }

    /// The names of the columns scanned so far, in the order `drain_keys` numbers them.
    fn columns(&self) -> PyResult<Vec<String>> {
        let task = self.inner.as_ref().ok_or_else(done)?;
        Ok(task.columns().map(String::from).collect())
    }

    /// The partition's statistics as JSON; the task cannot scan after this.
    fn finish(&mut self) -> PyResult<String> {
        let task = self.inner.take().ok_or_else(done)?;
        serde_json::to_string(&task.finish()).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }
}

/// Hands every column of `batch` to the scan, by name.
fn feed(s: &mut ColumnScan<'_>, batch: &RecordBatch) -> Result<(), ScanError> {
    let schema = batch.schema();
    for (field, a) in schema.fields().iter().zip(batch.columns()) {
        let col = s.column(field.name());
        // The validity bits from bit 0 (a sliced array's bitmap may start mid-byte).
        let validity = a.nulls().map(|n| n.inner().sliced());
        let validity = validity.as_ref().map(|b| b.as_slice());
        match a.data_type() {
            DataType::Utf8 => {
                let a = a.as_string::<i32>();
                s.utf8(col, a.value_offsets(), a.value_data(), validity, 0, a.len())?
            }
            DataType::LargeUtf8 => {
                let a = a.as_string::<i64>();
                s.large_utf8(col, a.value_offsets(), a.value_data(), validity, 0, a.len())?
            }
            DataType::Utf8View => {
                let (offsets, data) = contiguous(a.as_string_view());
                s.large_utf8(col, &offsets, &data, validity, 0, a.len())?
            }
            DataType::Null => {}
            other => {
                return Err(ScanError::Columns(format!(
                    "column {:?} is {other}: hegui scans strings (hegui.spark renders every \
                     column as a string first)",
                    field.name()
                )))
            }
        }
    }
    Ok(())
}

/// A string-view array in the offsets-and-data layout.
fn contiguous(a: &StringViewArray) -> (Vec<i64>, Vec<u8>) {
    let mut offsets = Vec::with_capacity(a.len() + 1);
    let mut data = Vec::new();
    offsets.push(0);
    for i in 0..a.len() {
        if a.is_valid(i) {
            data.extend_from_slice(a.value(i).as_bytes());
        }
        offsets.push(data.len() as i64);
    }
    (offsets, data)
}

/// The scan report (JSON) of a job: every task's `finish()` and what Spark counted
/// (`counts`: JSON with `kinds`, `columns` and `registers`, as `hegui.spark` builds it).
#[pyfunction]
#[pyo3(signature = (parts, counts, today=None, min_likelihood="possible", framework="gb45574", sketches=true))]
fn report(
    py: Python<'_>,
    parts: Vec<String>,
    counts: &str,
    today: Option<&str>,
    min_likelihood: &str,
    framework: &str,
    sketches: bool,
) -> PyResult<String> {
    let o = options(today, min_likelihood, None, framework, sketches)?;
    let parts = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            serde_json::from_str::<TaskParts>(p)
                .map_err(|e| PyValueError::new_err(format!("parts of task {}: {e}", i + 1)))
        })
        .collect::<PyResult<Vec<_>>>()?;
    let counts: LakeCounts =
        serde_json::from_str(counts).map_err(|e| PyValueError::new_err(format!("counts: {e}")))?;
    py.detach(|| {
        let r = lake_report(&o, &parts, &counts)?;
        serde_json::to_string_pretty(&r).map_err(|e| e.to_string())
    })
    .map_err(PyValueError::new_err)
}

#[pymodule]
fn _hegui(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Task>()?;
    m.add_function(wrap_pyfunction!(report, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.id()).collect();
    m.add("KINDS", kinds)?;
    Ok(())
}
