//! CSV and TSV: records (quotes followed across lines), a fast path for unquoted lines,
//! and the column names as context.

use std::io::{BufRead, BufReader, Read};

use crate::options::Sample;
use crate::pipeline::delimiters;
use crate::pipeline::Ctx;
use crate::source::decode::{strip_bom, Encoding};
use crate::source::error::{read_err, SourceError};
use crate::source::sampling::Sampler;

pub(crate) fn csv_rows<R: Read>(
    mut r: BufReader<R>,
    enc: Encoding,
    delim: u8,
    ctx: &mut Ctx,
) -> Result<(), SourceError> {
    let random = matches!(
        ctx.opts.sample,
        Sample::RandomRows { .. } | Sample::Percent { .. }
    );
    // Files without quotes (most exports) are split on delimiters and line ends directly;
    // the first quote hands the rest to the CSV parser.
    let sample = r.fill_buf().map_err(read_err)?;
    if !random && memchr::memchr(b'"', sample).is_none() {
        return csv_unquoted(r, enc, delim, ctx);
    }
    csv_parsed(csv_reader(r, delim, true), None, (0, 0), enc, ctx)
}

/// Reads with the CSV parser: the header first when `columns` are not known yet, then
/// the records, numbered on from `before` (data rows and lines already read).
pub(crate) fn csv_parsed<R: Read>(
    mut rdr: csv::Reader<R>,
    columns: Option<Vec<u32>>,
    before: (u64, u64),
    enc: Encoding,
    ctx: &mut Ctx,
) -> Result<(), SourceError> {
    let mut columns = match columns {
        Some(c) => c,
        None => {
            let header = rdr
                .byte_headers()
                .map_err(|e| SourceError::Parse(format!("header: {e}")))?
                .clone();
            csv_columns(&header, enc, ctx)
        }
    };
    csv_records(&mut rdr, before, &mut columns, enc, ctx)
}

/// A CSV parser over a buffered file; its buffer is as large as the file's, so reads
/// bypass the file's buffer (one copy).
pub(crate) fn csv_reader<R: Read>(
    r: BufReader<R>,
    delim: u8,
    headers: bool,
) -> csv::Reader<BufReader<R>> {
    csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .has_headers(headers)
        .buffer_capacity(r.capacity())
        .from_reader(r)
}

/// The field ids of a header's columns (empty names become `column N`).
pub(crate) fn csv_columns(header: &csv::ByteRecord, enc: Encoding, ctx: &mut Ctx) -> Vec<u32> {
    header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = if i == 0 { strip_bom(h) } else { h };
            let (s, _) = enc.decode(h);
            let s = s.trim();
            let name = if s.is_empty() {
                format!("column {}", i + 1)
            } else {
                s.to_string()
            };
            ctx.field_id(&name)
        })
        .collect()
}

/// The data records of a CSV parser, numbered on from `before`.
pub(crate) fn csv_records<R: Read>(
    rdr: &mut csv::Reader<R>,
    (rows_before, lines_before): (u64, u64),
    columns: &mut Vec<u32>,
    enc: Encoding,
    ctx: &mut Ctx,
) -> Result<(), SourceError> {
    let random = matches!(
        ctx.opts.sample,
        Sample::RandomRows { .. } | Sample::Percent { .. }
    );
    let mut sampler: Sampler<(u64, csv::ByteRecord)> = Sampler::new(ctx.opts.sample);
    let mut rec = csv::ByteRecord::new();
    let mut row = rows_before;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e
                    .position()
                    .map(|p| format!(" (data row {}, line {})", row + 1, lines_before + p.line()))
                    .unwrap_or_default();
                return Err(match e.kind() {
                    csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
                        SourceError::Read(format!("the file is truncated{at}"))
                    }
                    _ => SourceError::Parse(format!("CSV{at}: {e}")),
                });
            }
        }
        row += 1;
        if !random {
            // First rows or everything: no copy of the record.
            if matches!(ctx.opts.sample, Sample::FirstRows(n) if row > n) {
                break;
            }
            csv_record(row, &rec, columns, enc, ctx)?;
            continue;
        }
        if let Ok(Some((n, r))) = sampler.offer((row, rec.clone())) {
            csv_record(n, &r, columns, enc, ctx)?;
        }
    }
    let mut rest = sampler.finish();
    rest.sort_by_key(|(n, _)| *n);
    for (n, r) in rest {
        csv_record(n, &r, columns, enc, ctx)?;
    }
    Ok(())
}

/// CSV without quotes, straight from the read buffer: records end at `\n` (or `\r\n`),
/// fields at the delimiter, blank lines are skipped: what the CSV parser does with such
/// text. A buffer with a quote or a lone `\r` hands the rest of the file to the parser.
pub(crate) fn csv_unquoted<R: Read>(
    mut r: BufReader<R>,
    enc: Encoding,
    delim: u8,
    ctx: &mut Ctx,
) -> Result<(), SourceError> {
    let mut state = UnquotedLines {
        columns: None,
        row: 0,
        line: 0,
        delim,
        enc,
    };
    let mut first_fill = true;
    // A line begun in one fill of the buffer and finished in a later one.
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(SourceError::Read(format!(
                    "the file is truncated (data row {}, line {})",
                    state.row + 1,
                    state.line + 1
                )))
            }
            Err(e) => return Err(read_err(e)),
        };
        let len = buf.len();
        let at_end = len == 0;
        // Finish the carried line (or carry on with it).
        let mut from = 0;
        if std::mem::take(&mut first_fill) && buf.starts_with(b"\xEF\xBB\xBF") {
            // A BOM before anything else is not text (the parser drops it too).
            from = 3;
        }
        if !carry.is_empty() && !at_end {
            match memchr::memchr(b'\n', buf) {
                Some(i) => {
                    carry.extend_from_slice(&buf[..=i]);
                    from = i + 1;
                }
                None => {
                    carry.extend_from_slice(buf);
                    r.consume(len);
                    continue;
                }
            }
        }
        // Then the whole lines of this fill; the unfinished one is carried.
        let end = memchr::memrchr(b'\n', &buf[from..]).map_or(from, |i| from + i + 1);
        let lone_cr = |t: &[u8]| {
            memchr::memchr_iter(b'\r', t).any(|i| t.get(i + 1).is_some_and(|&b| b != b'\n'))
        };
        let plain = |t: &[u8]| memchr::memchr(b'"', t).is_none() && !lone_cr(t);
        if !plain(&carry) || !plain(&buf[from..end]) {
            // Hand what is left (the carried line, this fill, the rest) to the parser.
            let mut rest = std::mem::take(&mut carry);
            rest.extend_from_slice(&buf[from..]);
            r.consume(len);
            let cap = r.capacity();
            let src = BufReader::with_capacity(cap, std::io::Cursor::new(rest).chain(r));
            let rdr = csv_reader(src, delim, state.columns.is_none());
            return csv_parsed(rdr, state.columns, (state.row, state.line), enc, ctx);
        }
        let carried = std::mem::take(&mut carry);
        if !carried.is_empty() && state.lines(&carried, ctx)? == Flow::Stop {
            return Ok(());
        }
        if state.lines(&buf[from..end], ctx)? == Flow::Stop {
            return Ok(());
        }
        if at_end {
            return Ok(());
        }
        carry.extend_from_slice(&buf[end..]);
        r.consume(len);
    }
}

/// Whether reading goes on after some lines (it stops after the first rows asked for).
#[derive(PartialEq, Eq)]
pub(crate) enum Flow {
    Go,
    Stop,
}

/// The reading state of [`csv_unquoted`]: the header's columns once read, the last data
/// row and line numbers.
pub(crate) struct UnquotedLines {
    pub(crate) columns: Option<Vec<u32>>,
    pub(crate) row: u64,
    pub(crate) line: u64,
    pub(crate) delim: u8,
    pub(crate) enc: Encoding,
}

impl UnquotedLines {
    /// Reads whole lines (each ending in `\n`, the last one perhaps not). Lines are found
    /// with memchr, and UTF-8 is checked once for all of them: a line of valid UTF-8 text
    /// cut at line breaks is valid by itself.
    pub(crate) fn lines(&mut self, text: &[u8], ctx: &mut Ctx) -> Result<Flow, SourceError> {
        let valid = utf8_text(self.enc, text);
        let mut start = 0;
        let ends = memchr::memchr_iter(b'\n', text).map(|i| i + 1);
        let last = (!text.is_empty() && text.last() != Some(&b'\n')).then_some(text.len());
        for end in ends.chain(last) {
            let (s, e) = (start, end);
            start = end;
            self.line += 1;
            let mut l = &text[s..e];
            l = l.strip_suffix(b"\n").unwrap_or(l);
            l = l.strip_suffix(b"\r").unwrap_or(l);
            if l.is_empty() {
                continue;
            }
            let Some(cols) = self.columns.as_mut() else {
                let cells = l.split(|&b| b == self.delim).collect::<Vec<_>>();
                self.columns = Some(csv_columns(&csv::ByteRecord::from(cells), self.enc, ctx));
                continue;
            };
            self.row += 1;
            if matches!(ctx.opts.sample, Sample::FirstRows(n) if self.row > n) {
                return Ok(Flow::Stop);
            }
            let whole = match valid {
                Some(v) => v.get(s..s + l.len()),
                None => utf8_text(self.enc, l),
            };
            csv_line(self.row, l, whole, self.delim, cols, self.enc, ctx)?;
        }
        Ok(Flow::Go)
    }
}

/// The bytes as text, when the source is UTF-8 and they are valid.
pub(crate) fn utf8_text(enc: Encoding, bytes: &[u8]) -> Option<&str> {
    match enc {
        Encoding::Utf8 | Encoding::Utf8Bom => crate::source::decode::utf8(bytes),
        Encoding::Gb18030 => None,
    }
}

/// One unquoted record (`whole`: the record as text, when it is valid UTF-8).
pub(crate) fn csv_line(
    n: u64,
    line: &[u8],
    whole: Option<&str>,
    delim: u8,
    columns: &mut Vec<u32>,
    enc: Encoding,
    ctx: &mut Ctx,
) -> Result<(), SourceError> {
    ctx.acc.records += 1;
    if let Some(record) = whole {
        return Ok(ctx.push_record(n, record, delim, columns)?);
    }
    // Not UTF-8 (GBK, or bytes that are not text): each cell is decoded by itself.
    for (i, cell) in cells(line, delim) {
        let field = ctx.column(columns, i);
        let (s, bad) = enc.decode(&line[cell]);
        ctx.acc.replaced += bad as u64;
        ctx.push(n, field, &s)?;
    }
    Ok(())
}

/// The non-empty cells of an unquoted record, with their column (0-based): byte ranges
/// between delimiters. Delimiters are found 64 bytes at a time as a bit mask (a call per
/// cell to find the next one cost more than the cell's own work).
pub(crate) fn cells(
    line: &[u8],
    delim: u8,
) -> impl Iterator<Item = (usize, std::ops::Range<usize>)> + '_ {
    let mut start = 0;
    delimiters(line, delim)
        .enumerate()
        .map(move |(i, end)| {
            let cell = start..end;
            start = end + 1;
            (i, cell)
        })
        .filter(|(_, cell)| !cell.is_empty())
}

pub(crate) fn csv_record(
    n: u64,
    rec: &csv::ByteRecord,
    columns: &mut Vec<u32>,
    enc: Encoding,
    ctx: &mut Ctx,
) -> Result<(), SourceError> {
    ctx.acc.records += 1;
    // UTF-8 is checked once per record: a field of valid UTF-8 that starts and ends on
    // character boundaries is valid by itself.
    let whole = utf8_text(enc, rec.as_slice());
    for (i, cell) in rec.iter().enumerate() {
        if cell.is_empty() {
            continue;
        }
        let field = ctx.column(columns, i);
        if let Some(s) = whole.and_then(|w| w.get(rec.range(i)?)) {
            ctx.push(n, field, s)?;
            continue;
        }
        let (s, bad) = enc.decode(cell);
        ctx.acc.replaced += bad as u64;
        ctx.push(n, field, &s)?;
    }
    Ok(())
}
