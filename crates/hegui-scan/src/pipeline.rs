//! The batch pipeline: readers fill batches of cells, workers detect in parallel, and the
//! results are merged in order so findings stream out with their rows.

use std::io::Read;
use std::sync::Arc;

use crate::context::field_cues;
use crate::detect::{detect_cells, Cell, Hit, Options};
use crate::kind::Likelihood;
use crate::options::{Output, ScanError, ScanOptions};
use crate::report::{Finding, SourceAcc, Totals};

/// Units to detect together and what was found in them. A unit (a cell, or a block of
/// lines) is a [`Cell`] of `text`: its range and its field, 12 bytes, which detection reads
/// as it is (a batch of short CSV cells holds some 60,000). Every buffer is kept when the
/// batch is recycled, so a scan does not allocate per batch.
#[derive(Default)]
pub(crate) struct Batch {
    pub(crate) text: String,
    pub(crate) cells: Vec<Cell>,
    pub(crate) origins: Vec<Origin>,
    /// The rows of repeated units ([`Origin::Repeated`]): one value of a column that
    /// stands for several rows is detected once.
    pub(crate) rows: Vec<u64>,
    /// What detection found: the hits (offsets within their unit) in unit order, the units
    /// with hits with where their hits end, and the units (lines) scanned per field. The
    /// merge only visits units with hits: counting cells per field is the workers' job.
    pub(crate) hits: Vec<Hit>,
    pub(crate) with_hits: Vec<(u32, usize)>,
    pub(crate) counts: Vec<u64>,
}

impl Batch {
    pub(crate) fn text(&self, c: &Cell) -> &str {
        &self.text[c.start as usize..c.end as usize]
    }

    /// Appends one unit of `field`: its text, then a line break, as units are detected
    /// together, one line each (see `detect_cells`). The caller has made room (the text
    /// stays within `BATCH_TEXT_MAX`, so its offsets fit in `u32`).
    #[inline]
    pub(crate) fn append(&mut self, field: u32, text: &str) {
        let start = self.text.len();
        self.text.push_str(text);
        self.cells.push(Cell {
            start: start as u32,
            end: self.text.len() as u32,
            options: field,
        });
        self.text.push('\n');
    }

    /// Empties it for reuse, keeping its buffers.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.cells.clear();
        self.origins.clear();
        self.rows.clear();
        self.hits.clear();
        self.with_hits.clear();
        self.counts.clear();
    }
}

/// The longest text a batch holds: units are `u32` offsets into it.
pub(crate) const BATCH_TEXT_MAX: usize = u32::MAX as usize;

/// Counts bytes read from the underlying file (for progress and the report).
pub(crate) struct Counting<R> {
    pub(crate) inner: R,
    pub(crate) n: Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n
            .fetch_add(k as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(k)
    }
}

pub(crate) struct Ctx<'a> {
    pub(crate) source: String,
    pub(crate) opts: &'a ScanOptions,
    pub(crate) acc: SourceAcc,
    pub(crate) totals: &'a mut Totals,
    pub(crate) out: &'a mut dyn Output,
    pub(crate) read: Arc<std::sync::atomic::AtomicU64>,
    pub(crate) batch: Batch,
    /// Emptied batches, reused.
    pub(crate) spare: Vec<Batch>,
    /// The batches being detected on the pool while the reader fills the next ones, oldest
    /// first: they are merged in this order.
    pub(crate) in_flight: std::collections::VecDeque<std::sync::mpsc::Receiver<Detected>>,
    /// How many batches may be in flight before the reader waits for the oldest.
    pub(crate) ahead: usize,
    /// Field names by id, and the ids of JSON paths seen so far.
    pub(crate) fields: Vec<Arc<str>>,
    /// The detection options of each field, by id: what its name says (kinds it supports,
    /// order/serial number) and the scan's settings. Shared with the detecting workers;
    /// replaced (not mutated) when a field is added.
    pub(crate) options: Arc<Vec<Options>>,
    pub(crate) field_ids: std::collections::HashMap<Arc<str>, u32>,
    /// A detector failed: nothing more of this source is detected or reported.
    pub(crate) failed: bool,
    /// The output only counts findings: none is built.
    pub(crate) counts_only: bool,
    /// The keys of every unmasked hit (field, kind, key), kept for an engine that counts
    /// distinct values across tasks itself ([`crate::task::Task`]); `None` in a scan.
    pub(crate) keys: Option<Vec<(u32, crate::kind::Kind, u64)>>,
}

/// A batch with what was detected in it (or why detection failed).
pub(crate) type Detected = (Batch, Result<(), String>);

/// How many batches the reader may have in flight before it waits for the oldest: enough
/// to keep every worker busy while it reads. A reader that is the pool's only thread (a
/// one-core scan) detects each batch as soon as it is full, while its text is in cache.
pub(crate) fn batches_ahead() -> usize {
    let threads = rayon::current_num_threads();
    if threads == 1 && rayon::current_thread_index().is_some() {
        0
    } else {
        2 * threads
    }
}

impl<'a> Ctx<'a> {
    /// A source's reading state, before anything is read.
    pub(crate) fn new(
        source: String,
        opts: &'a ScanOptions,
        totals: &'a mut Totals,
        out: &'a mut dyn Output,
        read: Arc<std::sync::atomic::AtomicU64>,
    ) -> Self {
        let counts_only = out.counts_only();
        Ctx {
            source,
            opts,
            acc: SourceAcc::default(),
            totals,
            out,
            read,
            batch: Batch::default(),
            spare: Vec::new(),
            in_flight: std::collections::VecDeque::new(),
            ahead: batches_ahead(),
            fields: Vec::new(),
            options: Arc::new(Vec::new()),
            field_ids: std::collections::HashMap::new(),
            failed: false,
            counts_only,
            keys: None,
        }
    }

    /// The id of a field, registering it when new.
    pub(crate) fn field_id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.field_ids.get(name) {
            return id;
        }
        let id = self.fields.len() as u32;
        let name: Arc<str> = Arc::from(name);
        // Copied only while a batch in flight still shares the old list.
        let (field_kinds, field_negative) = field_cues(&name);
        Arc::make_mut(&mut self.options).push(Options {
            today: self.opts.today,
            field_kinds,
            field_negative,
            kinds: self.opts.kinds,
        });
        self.fields.push(name.clone());
        self.field_ids.insert(name.clone(), id);
        self.acc.declare(id as usize, &name);
        id
    }

    /// Queues one cell of data row `row` (1-based).
    pub(crate) fn push(&mut self, row: u64, field: u32, text: &str) -> Result<(), ScanError> {
        self.push_unit(Origin::Record { first: 0, row }, field, text)
    }

    /// Queues one value of a column (row `row`, 1-based): a reader that hands over a
    /// column at a time. Values of consecutive rows share one origin, as a record's cells
    /// do, so a column without gaps costs one origin per batch, not one per value.
    #[inline(always)]
    pub(crate) fn push_column_value(
        &mut self,
        row: u64,
        field: u32,
        text: &str,
    ) -> Result<(), ScanError> {
        // While the batch has room (it stays below `full`'s mark with this value and its
        // line break, and below `BATCH_TEXT_MAX`), the value goes in here; otherwise
        // `push_unit` queues the batch or starts one first. A column's values are many
        // and short: the checks are made once, inline, not in three calls.
        let limit = self.opts.batch_bytes.min(BATCH_TEXT_MAX);
        let b = &mut self.batch;
        if b.text.capacity() == 0
            || b.text.len() + text.len() + 1 + 16 * (b.cells.len() + 1) >= limit
        {
            return self.push_column_value_slow(row, field, text);
        }
        let unit = b.cells.len() as u32;
        let in_run = matches!(b.origins.last(),
            Some(&Origin::Rows { first, row: r }) if row.checked_sub(r) == Some(u64::from(unit - first)));
        if !in_run {
            b.origins.push(Origin::Rows { first: unit, row });
        }
        b.append(field, text);
        Ok(())
    }

    /// A column value that does not fit the batch as it is: out of line, so the fast path
    /// above stays small enough to inline into each reader's loop.
    #[cold]
    #[inline(never)]
    fn push_column_value_slow(
        &mut self,
        row: u64,
        field: u32,
        text: &str,
    ) -> Result<(), ScanError> {
        self.push_unit(Origin::Rows { first: 0, row }, field, text)
    }

    /// Queues one value of a column that `rows` (1-based, ascending, at least one) all hold:
    /// detected once, counted and reported once per row, as if each row had its own cell.
    /// A dictionary-encoded column hands its values over this way.
    pub(crate) fn push_repeated(
        &mut self,
        rows: &[u64],
        field: u32,
        text: &str,
    ) -> Result<(), ScanError> {
        match rows {
            [] => Ok(()),
            &[row] => self.push_column_value(row, field, text),
            _ => {
                self.room(text.len() + 8 * rows.len())?;
                let b = &mut self.batch;
                b.origins.push(Origin::Repeated {
                    unit: b.cells.len() as u32,
                    at: b.rows.len() as u32,
                    n: rows.len() as u32,
                });
                b.rows.extend_from_slice(rows);
                b.append(field, text);
                self.full()
            }
        }
    }

    /// Queues the non-empty cells of one record of valid UTF-8 text cut at an ASCII
    /// delimiter, laid out as [`Ctx::push`] lays out each cell: one call per record, not
    /// per cell. Cells past the header get numbered columns.
    pub(crate) fn push_record(
        &mut self,
        row: u64,
        record: &str,
        delim: u8,
        columns: &mut Vec<u32>,
    ) -> Result<(), ScanError> {
        debug_assert!(
            delim.is_ascii(),
            "cells of a text are cut on character boundaries"
        );
        self.room(record.len())?;
        self.origin(Origin::Record {
            first: self.batch.cells.len() as u32,
            row,
        });
        // The record is copied whole and its delimiters become line breaks: each cell is
        // then followed by a line break, as `push` lays cells out, in one copy instead of
        // one per cell. An empty cell leaves an empty line, which holds nothing to detect
        // and is no unit.
        let base = self.batch.text.len();
        self.batch.text.push_str(record);
        self.batch.text.push('\n');
        let mut start = 0;
        for (i, end) in delimiters(record.as_bytes(), delim).enumerate() {
            if end < record.len() {
                // SAFETY: an ASCII byte becomes another ASCII byte: the text stays UTF-8.
                unsafe { self.batch.text.as_mut_vec()[base + end] = b'\n' };
            }
            if end > start {
                let options = self.column(columns, i);
                // In range: `room` keeps the batch's text within `BATCH_TEXT_MAX`.
                self.batch.cells.push(Cell {
                    start: (base + start) as u32,
                    end: (base + end) as u32,
                    options,
                });
            }
            start = end + 1;
        }
        self.full()
    }

    /// The field of column `i` (0-based) of a record: rows longer than the header get
    /// numbered columns.
    #[inline]
    pub(crate) fn column(&mut self, columns: &mut Vec<u32>, i: usize) -> u32 {
        match columns.get(i) {
            Some(&id) => id,
            None => self.numbered_column(columns, i),
        }
    }

    /// Numbers the columns up to `i` of a row longer than the header (rare).
    #[cold]
    pub(crate) fn numbered_column(&mut self, columns: &mut Vec<u32>, i: usize) -> u32 {
        while columns.len() <= i {
            let id = self.field_id(&format!("column {}", columns.len() + 1));
            columns.push(id);
        }
        columns[i]
    }

    /// Makes room in the batch for `len` more bytes of text (and a line break), from the
    /// recycled buffers when there are any. A batch's text stays within
    /// `BATCH_TEXT_MAX`: a batch that cannot take the text is queued first, and a text
    /// that no batch can hold is an error.
    pub(crate) fn room(&mut self, len: usize) -> Result<(), ScanError> {
        if len >= BATCH_TEXT_MAX {
            return Err(ScanError::TooLong(len));
        }
        if self.batch.text.len() + len >= BATCH_TEXT_MAX {
            self.queue()?;
        }
        if self.batch.text.capacity() == 0 {
            // A whole batch's room at once, from the recycled buffers when there are any:
            // growing each batch from empty and freeing it fragments the heap, and the
            // process would grow with the input.
            self.batch = self.spare.pop().unwrap_or_else(|| Batch {
                text: String::with_capacity(self.opts.batch_bytes + (64 << 10)),
                cells: Vec::with_capacity(self.opts.batch_bytes / 32),
                ..Batch::default()
            });
        }
        Ok(())
    }

    /// Records where the next units come from (a record's cells share one origin).
    pub(crate) fn origin(&mut self, o: Origin) {
        let origins = &mut self.batch.origins;
        match (origins.last(), o) {
            (Some(Origin::Record { row: last, .. }), Origin::Record { row, .. })
                if *last == row => {}
            (
                Some(&Origin::Rows { first, row }),
                Origin::Rows {
                    first: unit,
                    row: next,
                },
            ) if next.checked_sub(row) == Some(u64::from(unit - first)) => {}
            _ => origins.push(o),
        }
    }

    pub(crate) fn push_unit(
        &mut self,
        origin: Origin,
        field: u32,
        text: &str,
    ) -> Result<(), ScanError> {
        self.room(text.len())?;
        // The origin names the unit about to be pushed (the batch may be a new one).
        self.origin(match origin {
            Origin::Record { row, .. } => Origin::Record {
                first: self.batch.cells.len() as u32,
                row,
            },
            Origin::Rows { row, .. } => Origin::Rows {
                first: self.batch.cells.len() as u32,
                row,
            },
            Origin::Lines { line, cells, .. } => Origin::Lines {
                unit: self.batch.cells.len() as u32,
                line,
                cells,
            },
            Origin::Repeated { at, n, .. } => Origin::Repeated {
                unit: self.batch.cells.len() as u32,
                at,
                n,
            },
        });
        self.batch.append(field, text);
        self.full()
    }

    /// Starts detecting the batch when it is full.
    pub(crate) fn full(&mut self) -> Result<(), ScanError> {
        let b = &self.batch;
        if b.text.len() + 16 * b.cells.len() + 8 * b.rows.len() >= self.opts.batch_bytes {
            self.queue()?;
        }
        Ok(())
    }

    /// Starts detecting the batch on the pool, merges the batches before it that are done
    /// (in order), and waits for the oldest when too many are in flight: reading,
    /// detecting and merging overlap, and the workers are never without a batch while the
    /// reader is ahead.
    pub(crate) fn queue(&mut self) -> Result<(), ScanError> {
        if self.batch.cells.is_empty() {
            return Ok(());
        }
        let mut batch = std::mem::take(&mut self.batch);
        if self.failed {
            return Ok(());
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let options = Arc::clone(&self.options);
        let min_likelihood = self.opts.min_likelihood;
        rayon::spawn(move || {
            // A panic in a detector fails this source, not the whole scan.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                detect_batch(&mut batch, &options, min_likelihood)
            }))
            .map_err(|p| panic_message(&*p));
            // The receiver is gone only when the scan stopped early; nothing to do.
            let _ = tx.send((batch, result));
        });
        self.in_flight.push_back(rx);
        while let Some(done) = self.in_flight.front().and_then(|rx| rx.try_recv().ok()) {
            self.in_flight.pop_front();
            self.merge(done)?;
        }
        while self.in_flight.len() > self.ahead {
            let rx = self.in_flight.pop_front().expect("batches in flight");
            self.merge(wait(&rx))?;
        }
        Ok(())
    }

    /// Queues a block of text lines (`text` holds whole lines, each ending in '\n';
    /// `cells` of them are not empty) as one unit: one detection call for many lines.
    /// Findings are mapped back to their lines when merged.
    pub(crate) fn push_block(
        &mut self,
        first_line: u64,
        cells: u32,
        text: &str,
    ) -> Result<(), ScanError> {
        let field = self.field_id("");
        let origin = Origin::Lines {
            unit: 0,
            line: first_line,
            cells,
        };
        self.push_unit(origin, field, text)
    }

    /// Detects what is still queued and merges everything in flight.
    pub(crate) fn flush(&mut self) -> Result<(), ScanError> {
        self.queue()?;
        while let Some(rx) = self.in_flight.pop_front() {
            self.merge(wait(&rx))?;
        }
        Ok(())
    }

    /// Writes the findings of one line or cell (`base`: where it starts in `text`).
    pub(crate) fn emit(
        &mut self,
        row: Option<u64>,
        line: Option<u64>,
        field: u32,
        base: usize,
        text: &str,
        hs: &[Hit],
    ) -> Result<(), ScanError> {
        if self.counts_only {
            self.out.counted(hs.len() as u64);
            return Ok(());
        }
        for h in hs {
            let f = Finding {
                source: &self.source,
                kind: h.kind.id(),
                row,
                column: row.map(|_| &*self.fields[field as usize]),
                line,
                start: h.start - base,
                end: h.end - base,
                likelihood: h.likelihood.id(),
                masked: h.masked,
                value: self.opts.show_values.then(|| &text[h.start..h.end]),
            };
            self.out.finding(&f)?;
        }
        Ok(())
    }

    /// Merges a block of lines: its hits (in text order) are grouped by the line they are
    /// on, each line counts as one cell, and offsets become offsets within the line.
    pub(crate) fn merge_block(
        &mut self,
        text: &str,
        field: u32,
        first: u64,
        hs: &[Hit],
    ) -> Result<(), ScanError> {
        let bytes = text.as_bytes();
        let mut line = first;
        let mut line_start = 0;
        let mut i = 0;
        while i < hs.len() {
            // Move to the line holding the next hit.
            let at = hs[i].start;
            let gap = &bytes[line_start..at];
            line += memchr::memchr_iter(b'\n', gap).count() as u64;
            if let Some(p) = memchr::memrchr(b'\n', gap) {
                line_start += p + 1;
            }
            let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |p| at + p);
            let n = hs[i..].iter().take_while(|h| h.start < line_end).count();
            let on_line = &hs[i..i + n];
            self.hits(field, on_line);
            self.emit(None, Some(line), field, line_start, text, on_line)?;
            i += n;
        }
        Ok(())
    }

    /// Counts the hits of one cell or line; keeps their keys too when a task's engine
    /// counts them ([`Ctx::keys`]).
    fn hits(&mut self, field: u32, hs: &[Hit]) {
        self.acc.hits(field as usize, hs, self.totals);
        if let Some(keys) = &mut self.keys {
            let unmasked = hs.iter().filter(|h| !h.masked);
            keys.extend(unmasked.map(|h| (field, h.kind, h.key)));
        }
    }

    /// Folds one detected batch into the source's statistics and writes its findings.
    pub(crate) fn merge_batch(&mut self, batch: &Batch) -> Result<(), ScanError> {
        for (field, &n) in batch.counts.iter().enumerate() {
            if n > 0 {
                self.acc.cells(field, n);
            }
        }
        // Most cells hold nothing: only those with hits are visited, and their origins
        // (both in unit order) found by a cursor.
        let mut from = 0;
        let mut o = 0;
        for &(unit, to) in &batch.with_hits {
            let c = &batch.cells[unit as usize];
            let hs = &batch.hits[from..to];
            from = to;
            while batch.origins.get(o + 1).is_some_and(|n| n.first() <= unit) {
                o += 1;
            }
            match batch.origins[o] {
                Origin::Lines { line, cells, .. } if cells > 0 => {
                    self.merge_block(batch.text(c), c.options, line, hs)?
                }
                Origin::Lines { line, .. } => {
                    self.hits(c.options, hs);
                    self.emit(None, Some(line), c.options, 0, batch.text(c), hs)?;
                }
                Origin::Record { row, .. } => {
                    self.hits(c.options, hs);
                    self.emit(Some(row), None, c.options, 0, batch.text(c), hs)?;
                }
                Origin::Rows { first, row } => {
                    let row = row + u64::from(unit - first);
                    self.hits(c.options, hs);
                    self.emit(Some(row), None, c.options, 0, batch.text(c), hs)?;
                }
                Origin::Repeated { at, n, .. } => {
                    for &row in &batch.rows[at as usize..(at + n) as usize] {
                        self.hits(c.options, hs);
                        self.emit(Some(row), None, c.options, 0, batch.text(c), hs)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Folds a detected batch into the source's statistics and writes its findings.
    pub(crate) fn merge(&mut self, (mut batch, result): Detected) -> Result<(), ScanError> {
        if let Err(e) = result {
            // Findings after the failure are dropped too, so none are out of order.
            self.failed = true;
            self.in_flight.clear();
            return Err(ScanError::Detector(e));
        }
        self.merge_batch(&batch)?;
        self.totals.send_keys();
        // Keep the buffers for the next batches.
        batch.clear();
        self.spare.push(batch);
        let read = self.read.load(std::sync::atomic::Ordering::Relaxed);
        self.out.progress(&self.source, read);
        Ok(())
    }
}

/// What a panic said (its message, when it is text).
pub(crate) fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// Waits for a batch being detected. A reader that is itself a worker of the pool
/// (a scan run inside `ThreadPool::install`, as the benchmark does) works on the pool's
/// jobs while it waits, so a one-thread pool cannot deadlock.
pub(crate) fn wait(rx: &std::sync::mpsc::Receiver<Detected>) -> Detected {
    loop {
        match rx.try_recv() {
            Ok(d) => return d,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                panic!("a detection worker panicked")
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => match rayon::yield_now() {
                Some(rayon::Yield::Executed) => {}
                // A worker with nothing to help with now: wait a little, then look again
                // (the detecting job may split off work this thread can take).
                Some(rayon::Yield::Idle) => {
                    if let Ok(d) = rx.recv_timeout(std::time::Duration::from_millis(1)) {
                        return d;
                    }
                }
                // Not a pool worker: block until the pool is done.
                None => return rx.recv().expect("a detection worker panicked"),
            },
        }
    }
}

/// Detects in one batch, writing what it finds into the batch. The units are detected
/// together (each is a line of the batch's text), with offsets made relative to each unit.
pub(crate) fn detect_batch(batch: &mut Batch, options: &[Options], min_likelihood: Likelihood) {
    #[cfg(test)]
    if batch.text.contains(PANIC_CELL) {
        panic!("injected for a test");
    }
    // Each worker keeps its buffers from batch to batch: grown once, not per batch.
    thread_local! {
        static SCRATCH: std::cell::RefCell<crate::detect::Scratch> = Default::default();
    }
    let Batch {
        text,
        cells,
        origins,
        rows: _,
        hits,
        with_hits,
        counts,
    } = batch;
    SCRATCH.with_borrow_mut(|scratch| detect_cells(text.as_bytes(), cells, options, scratch, hits));
    hits.retain(|h| h.masked || h.likelihood >= min_likelihood);
    // A block counts its lines that are not empty; a line or cell counts once.
    counts.resize(options.len(), 0);
    for c in cells.iter() {
        counts[c.options as usize] += 1;
    }
    for o in origins.iter() {
        // A block of lines, or a value that several rows hold, counts each of them.
        if let Origin::Lines { unit, cells: n, .. } | Origin::Repeated { unit, n, .. } = *o {
            counts[cells[unit as usize].options as usize] += u64::from(n.saturating_sub(1));
        }
    }
    let mut i = 0;
    let mut unit = 0;
    while i < hits.len() {
        // Hits are in text order, and so are the units: find the unit of the next hit.
        while cells[unit].end as usize <= hits[i].start {
            unit += 1;
        }
        let c = &cells[unit];
        let (start, end) = (c.start as usize, c.end as usize);
        while i < hits.len() && hits[i].start < end {
            hits[i].start -= start;
            hits[i].end -= start;
            i += 1;
        }
        with_hits.push((unit as u32, i));
        unit += 1;
    }
}

/// Where units of a batch come from, in unit order: the cells of one record share one
/// origin; a block of text lines has its own. Only the merge reads origins, and only for
/// units with hits.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Origin {
    /// The cells of data row `row` (1-based), from unit `first` on.
    Record { first: u32, row: u64 },
    /// Values of one column from unit `first` on, one per row: unit `first + k` is row
    /// `row + k`.
    Rows { first: u32, row: u64 },
    /// Unit `unit`: a block of whole text lines from line `line`, `cells` of them not
    /// empty. A block whose lines are all empty counts as one line, read as a line.
    Lines { unit: u32, line: u64, cells: u32 },
    /// Unit `unit`: one value of a column held by `n` rows, listed in the batch's `rows`
    /// from `at` on.
    Repeated { unit: u32, at: u32, n: u32 },
}

impl Origin {
    /// The first unit it covers.
    pub(crate) fn first(&self) -> u32 {
        match *self {
            Origin::Record { first, .. } | Origin::Rows { first, .. } => first,
            Origin::Lines { unit, .. } | Origin::Repeated { unit, .. } => unit,
        }
    }
}

/// The places of the delimiters in a line, then the line's end.
pub(crate) fn delimiters(line: &[u8], delim: u8) -> Delimiters<'_> {
    Delimiters {
        line,
        delim,
        base: 0,
        mask: delimiter_mask(line, delim),
        done: false,
    }
}

/// The places of a delimiter in a line, then the line's end.
pub(crate) struct Delimiters<'a> {
    pub(crate) line: &'a [u8],
    pub(crate) delim: u8,
    /// The current block's start, and its delimiters not yet returned (bit j: `base + j`).
    pub(crate) base: usize,
    pub(crate) mask: u64,
    pub(crate) done: bool,
}

impl Iterator for Delimiters<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        loop {
            if self.mask != 0 {
                let p = self.base + self.mask.trailing_zeros() as usize;
                self.mask &= self.mask - 1;
                return Some(p);
            }
            let next = self.base + 64;
            if next >= self.line.len() {
                if self.done {
                    return None;
                }
                self.done = true;
                return Some(self.line.len());
            }
            self.base = next;
            self.mask = delimiter_mask(&self.line[next..], self.delim);
        }
    }
}

/// The delimiters among the first 64 bytes (bit j for byte j).
pub(crate) fn delimiter_mask(bytes: &[u8], delim: u8) -> u64 {
    let mut padded = [!delim; 64];
    let block = match bytes.first_chunk::<64>() {
        Some(block) => block,
        None => {
            // The last bytes, padded with a byte that is no delimiter.
            padded[..bytes.len()].copy_from_slice(bytes);
            &padded
        }
    };
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of the x86-64 baseline.
        unsafe { sse2_delimiter_mask(block, delim) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        block
            .iter()
            .enumerate()
            .fold(0, |m, (j, &b)| m | u64::from(b == delim) << j)
    }
}

/// [`delimiter_mask`] of a whole block: four 16-byte compares.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
pub(crate) fn sse2_delimiter_mask(block: &[u8; 64], delim: u8) -> u64 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    let d = _mm_set1_epi8(delim as i8);
    let mut m = 0u64;
    for (k, lane) in block.chunks_exact(16).enumerate() {
        // SAFETY: `lane` is 16 readable bytes; the load is unaligned.
        let v = unsafe { _mm_loadu_si128(lane.as_ptr().cast()) };
        m |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, d)) as u16) << (16 * k);
    }
    m
}

/// A cell that makes detection panic (in test builds only), to test that a detector
/// failure fails its source and not the scan.
#[cfg(test)]
pub(crate) const PANIC_CELL: &str = "panic-for-a-test-8d1f";
