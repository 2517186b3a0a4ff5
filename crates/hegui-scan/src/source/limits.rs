//! Bounds on what a hostile source can make the scanner read or hold. A source past one of
//! them is a per-source error naming the limit, and the scan goes on with the next: a gzip
//! or zip bomb, a "line" of gigabytes, a JSON document too large to hold, a Parquet file
//! whose metadata promises more than it can be.

use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The bounds, with defaults fit for real data; tests set small ones to build small bombs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest line (a record of a text, CSV or JSON Lines file) the scanner holds.
    pub max_line: u64,
    /// A gzip stream may decompress to this many times its compressed size (real data:
    /// 5–50)…
    pub gzip_ratio: u64,
    /// …once past this much output (small files compress in odd ways).
    pub gzip_floor: u64,
    /// The largest whole JSON document (not JSON Lines), held in memory to be walked.
    pub json_doc: u64,
    /// All the parts of a workbook (XLSX, ODS) together, decompressed.
    pub workbook_total: u64,
    /// One part of a workbook may decompress to this many times its compressed size…
    pub workbook_ratio: u64,
    /// …once past this much output.
    pub workbook_floor: u64,
    /// Parquet: the largest row group (uncompressed bytes, as its metadata says)…
    pub parquet_row_group: i64,
    /// …and the most columns read.
    pub parquet_columns: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: 64 << 20,
            gzip_ratio: 250,
            gzip_floor: 64 << 20,
            json_doc: 1 << 30,
            workbook_total: 512 << 20,
            workbook_ratio: 250,
            workbook_floor: 64 << 20,
            parquet_row_group: 1 << 30,
            parquet_columns: 10_000,
        }
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// Stops a decompressed stream that grows past `ratio` times what was read of the
/// compressed file (`compressed` counts it), once past `floor` bytes.
pub struct RatioGuard<R> {
    inner: R,
    out: u64,
    compressed: Arc<AtomicU64>,
    ratio: u64,
    floor: u64,
}

impl<R> RatioGuard<R> {
    pub fn new(inner: R, compressed: Arc<AtomicU64>, l: &Limits) -> Self {
        RatioGuard {
            inner,
            out: 0,
            compressed,
            ratio: l.gzip_ratio,
            floor: l.gzip_floor,
        }
    }
}

impl<R: Read> Read for RatioGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.out += k as u64;
        let read = self.compressed.load(Ordering::Relaxed).max(1);
        if self.out > self.floor && self.out / read > self.ratio {
            return Err(invalid(format!(
                "decompresses to more than {} times its size ({} MiB from {} KiB): a gzip bomb?",
                self.ratio,
                self.out >> 20,
                read >> 10
            )));
        }
        Ok(k)
    }
}

/// Stops a stream with a line longer than `max`, before it is held whole.
pub struct LineGuard<R> {
    inner: R,
    since_newline: u64,
    max: u64,
}

impl<R> LineGuard<R> {
    pub fn new(inner: R, max: u64) -> Self {
        LineGuard {
            inner,
            since_newline: 0,
            max,
        }
    }
}

impl<R: Read> Read for LineGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        match memchr::memrchr(b'\n', &buf[..k]) {
            Some(i) => self.since_newline = (k - i - 1) as u64,
            None => self.since_newline += k as u64,
        }
        if self.since_newline > self.max {
            return Err(invalid(format!(
                "a line longer than {} MiB: not a text or JSON Lines file hegui can scan",
                self.max >> 20
            )));
        }
        Ok(k)
    }
}

/// Stops a CSV stream with a record longer than `max`: like [`LineGuard`], but a
/// line break inside quotes does not end the record, so a cell of many lines is bounded
/// too. (A quote byte or a line feed is never part of a UTF-8 or GB18030 multi-byte
/// character, so the bytes can be read as they are.)
pub struct CsvGuard<R> {
    inner: R,
    since_record: u64,
    quoted: bool,
    max: u64,
}

impl<R> CsvGuard<R> {
    pub fn new(inner: R, max: u64) -> Self {
        CsvGuard {
            inner,
            since_record: 0,
            quoted: false,
            max,
        }
    }
}

impl<R: Read> Read for CsvGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        let mut start = 0;
        // Each quote toggles (a doubled quote toggles twice); a line feed outside quotes
        // ends the record.
        for i in memchr::memchr2_iter(b'"', b'\n', &buf[..k]) {
            if buf[i] == b'"' {
                self.quoted = !self.quoted;
            } else if !self.quoted {
                self.since_record = 0;
                start = i + 1;
            }
        }
        self.since_record += (k - start) as u64;
        if self.since_record > self.max {
            return Err(invalid(format!(
                "a CSV record longer than {} MiB: not a file hegui can scan",
                self.max >> 20
            )));
        }
        Ok(k)
    }
}

/// Stops a stream past `max` bytes (`what` says what it is, for the error).
pub struct SizeGuard<R> {
    inner: R,
    n: u64,
    max: u64,
    what: &'static str,
}

impl<R> SizeGuard<R> {
    pub fn new(inner: R, max: u64, what: &'static str) -> Self {
        SizeGuard {
            inner,
            n: 0,
            max,
            what,
        }
    }
}

impl<R: Read> Read for SizeGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n += k as u64;
        if self.n > self.max {
            return Err(invalid(format!(
                "{} larger than {} MiB",
                self.what,
                self.max >> 20
            )));
        }
        Ok(k)
    }
}

/// Checks a zip-based workbook (XLSX, ODS) by decompressing every part once, counting:
/// refused when a part grows past its ratio or all of them past the total. Declared sizes
/// are not trusted (a bomb can lie about them). A file that is not a zip is left to the
/// workbook reader (XLS is not one).
pub fn check_zip(path: &Path, l: &Limits) -> Result<(), String> {
    let Ok(file) = std::fs::File::open(path) else {
        return Ok(());
    };
    let Ok(mut zip) = zip::ZipArchive::new(io::BufReader::new(file)) else {
        return Ok(());
    };
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 << 10];
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else {
            continue;
        };
        let compressed = part.compressed_size().max(1);
        let allowed = (compressed.saturating_mul(l.workbook_ratio)).max(l.workbook_floor);
        let name = part.name().to_string();
        let mut out: u64 = 0;
        loop {
            let k = match part.read(&mut buf) {
                Ok(0) => break,
                Ok(k) => k as u64,
                // A damaged part is the workbook reader's to report.
                Err(_) => break,
            };
            out += k;
            total += k;
            if out > allowed {
                return Err(format!(
                    "part {name} decompresses to more than {} times its size: a zip bomb?",
                    l.workbook_ratio
                ));
            }
            if total > l.workbook_total {
                return Err(format!(
                    "the workbook decompresses to more than {} MiB",
                    l.workbook_total >> 20
                ));
            }
        }
    }
    Ok(())
}

/// Checks what a Parquet file's metadata promises before any row is read: the columns
/// and each row group's size (the reader holds a row group's pages).
#[cfg(feature = "parquet")]
pub fn check_parquet(
    meta: &parquet::file::metadata::ParquetMetaData,
    l: &Limits,
) -> Result<(), String> {
    let columns = meta.file_metadata().schema_descr().num_columns();
    if columns > l.parquet_columns {
        return Err(format!(
            "{columns} columns: more than the {} hegui reads",
            l.parquet_columns
        ));
    }
    for (i, rg) in meta.row_groups().iter().enumerate() {
        if rg.total_byte_size() > l.parquet_row_group || rg.total_byte_size() < 0 {
            return Err(format!(
                "row group {} claims {} bytes: larger than {} MiB",
                i + 1,
                rg.total_byte_size(),
                l.parquet_row_group >> 20
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_stopped_and_a_short_one_passes() {
        let mut text = vec![b'a'; 100];
        text.push(b'\n');
        let max = Limits::default().max_line;
        let mut ok = LineGuard::new(&text[..], max);
        assert!(io::copy(&mut ok, &mut io::sink()).is_ok());
        let long = io::repeat(b'x').take(max + 10);
        let err = io::copy(&mut LineGuard::new(long, max), &mut io::sink()).unwrap_err();
        assert!(err.to_string().contains("a line longer than 64 MiB"));
        // Many lines, each short, together longer than the limit: fine.
        let lines = io::repeat(b'\n').take(max + 10);
        assert!(io::copy(&mut LineGuard::new(lines, max), &mut io::sink()).is_ok());
    }

    #[test]
    fn a_csv_cell_of_many_lines_is_bounded_and_quotes_are_followed() {
        // One quoted cell of short lines, together past the limit.
        let max = 1 << 20;
        let head = io::Cursor::new(b"a,\"".to_vec());
        let body = io::repeat(b'\n').take(max + 10);
        let err = io::copy(&mut CsvGuard::new(head.chain(body), max), &mut io::sink()).unwrap_err();
        assert!(err.to_string().contains("a CSV record longer than 1 MiB"));
        // Doubled quotes inside a cell, then many short records: fine.
        let rec = b"x,\"a \"\"quoted\"\" word\"\n".to_vec();
        let many = rec.repeat((max as usize / rec.len()) + 10);
        assert!(io::copy(&mut CsvGuard::new(&many[..], max), &mut io::sink()).is_ok());
    }

    /// A gzip file of `members` copies of one member holding 1 MiB of zeros: a bomb of
    /// `members` MiB made in a few milliseconds.
    fn gzip_bomb(members: usize) -> Vec<u8> {
        use flate2::write::GzEncoder;
        use std::io::Write;
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![0u8; 1 << 20]).unwrap();
        enc.finish().unwrap().repeat(members)
    }

    #[test]
    fn a_gzip_bomb_is_stopped() {
        let gz = gzip_bomb(16);
        let limits = Limits {
            gzip_floor: 4 << 20,
            ..Limits::default()
        };
        let read = Arc::new(AtomicU64::new(0));
        struct Count<'a>(&'a [u8], Arc<AtomicU64>);
        impl Read for Count<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let k = self.0.read(buf)?;
                self.1.fetch_add(k as u64, Ordering::Relaxed);
                Ok(k)
            }
        }
        let dec = flate2::read::MultiGzDecoder::new(Count(&gz, read.clone()));
        let err = io::copy(&mut RatioGuard::new(dec, read, &limits), &mut io::sink()).unwrap_err();
        assert!(err.to_string().contains("gzip bomb"), "{err}");
    }
}
