//! Bounds on what a hostile source can make the scanner read or hold. A source past one of
//! them is a per-source error naming the limit, and the scan goes on with the next: a gzip
//! or zip bomb, a "line" of gigabytes, a JSON document too large to hold, a Parquet file
//! whose metadata promises more than it can be.

use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The longest line (a record of a text, CSV or JSON Lines file) the scanner holds.
pub const MAX_LINE: u64 = 64 << 20;
/// A gzip stream may decompress to this many times its compressed size (real data: 5–50)…
pub const GZIP_MAX_RATIO: u64 = 1000;
/// …once past this much output (small files compress in odd ways).
pub const GZIP_FLOOR: u64 = 64 << 20;
/// The largest whole JSON document (not JSON Lines), which is held in memory to be walked.
pub const JSON_DOC_MAX: u64 = 1 << 30;
/// All the parts of a workbook (XLSX, ODS) together, decompressed.
pub const WORKBOOK_MAX_UNZIPPED: u64 = 512 << 20;
/// One part of a workbook may decompress to this many times its compressed size…
pub const WORKBOOK_MAX_RATIO: u64 = 250;
/// …once past this much output.
pub const WORKBOOK_FLOOR: u64 = 64 << 20;
/// Parquet: the largest row group (uncompressed bytes, as its metadata says) and the most
/// columns read.
pub const PARQUET_MAX_ROW_GROUP: i64 = 1 << 30;
pub const PARQUET_MAX_COLUMNS: usize = 10_000;

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// Stops a decompressed stream that grows past [`GZIP_MAX_RATIO`] times what was read of
/// the compressed file (`compressed` counts it).
pub struct RatioGuard<R> {
    inner: R,
    out: u64,
    compressed: Arc<AtomicU64>,
}

impl<R> RatioGuard<R> {
    pub fn new(inner: R, compressed: Arc<AtomicU64>) -> Self {
        RatioGuard {
            inner,
            out: 0,
            compressed,
        }
    }
}

impl<R: Read> Read for RatioGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.out += k as u64;
        let read = self.compressed.load(Ordering::Relaxed).max(1);
        if self.out > GZIP_FLOOR && self.out / read > GZIP_MAX_RATIO {
            return Err(invalid(format!(
                "decompresses to more than {GZIP_MAX_RATIO} times its size ({} MiB from {} KiB): a gzip bomb?",
                self.out >> 20,
                read >> 10
            )));
        }
        Ok(k)
    }
}

/// Stops a stream with a line longer than [`MAX_LINE`], before it is held whole.
pub struct LineGuard<R> {
    inner: R,
    since_newline: u64,
}

impl<R> LineGuard<R> {
    pub fn new(inner: R) -> Self {
        LineGuard {
            inner,
            since_newline: 0,
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
        if self.since_newline > MAX_LINE {
            return Err(invalid(format!(
                "a line longer than {} MiB: not a text, CSV or JSON Lines file hegui can scan",
                MAX_LINE >> 20
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
pub fn check_zip(path: &Path) -> Result<(), String> {
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
        let allowed = (compressed.saturating_mul(WORKBOOK_MAX_RATIO)).max(WORKBOOK_FLOOR);
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
                    WORKBOOK_MAX_RATIO
                ));
            }
            if total > WORKBOOK_MAX_UNZIPPED {
                return Err(format!(
                    "the workbook decompresses to more than {} MiB",
                    WORKBOOK_MAX_UNZIPPED >> 20
                ));
            }
        }
    }
    Ok(())
}

/// Checks what a Parquet file's metadata promises before any row is read: the columns
/// and each row group's size (the reader holds a row group's pages).
#[cfg(feature = "parquet")]
pub fn check_parquet(meta: &parquet::file::metadata::ParquetMetaData) -> Result<(), String> {
    let columns = meta.file_metadata().schema_descr().num_columns();
    if columns > PARQUET_MAX_COLUMNS {
        return Err(format!(
            "{columns} columns: more than the {PARQUET_MAX_COLUMNS} hegui reads"
        ));
    }
    for (i, rg) in meta.row_groups().iter().enumerate() {
        if rg.total_byte_size() > PARQUET_MAX_ROW_GROUP || rg.total_byte_size() < 0 {
            return Err(format!(
                "row group {} claims {} bytes: larger than {} MiB",
                i + 1,
                rg.total_byte_size(),
                PARQUET_MAX_ROW_GROUP >> 20
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
        let mut ok = LineGuard::new(&text[..]);
        assert!(io::copy(&mut ok, &mut io::sink()).is_ok());
        let long = io::repeat(b'x').take(MAX_LINE + 10);
        let err = io::copy(&mut LineGuard::new(long), &mut io::sink()).unwrap_err();
        assert!(err.to_string().contains("a line longer than 64 MiB"));
        // Many lines, each short, together longer than the limit: fine.
        let lines = io::repeat(b'\n').take(MAX_LINE + 10);
        assert!(io::copy(&mut LineGuard::new(lines), &mut io::sink()).is_ok());
    }

    #[test]
    fn a_gzip_bomb_is_stopped() {
        use flate2::write::GzEncoder;
        use std::io::Write;
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..200 {
            enc.write_all(&zeros).unwrap();
        }
        let gz = enc.finish().unwrap();
        assert!(gz.len() < 1 << 20);
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
        let err = io::copy(&mut RatioGuard::new(dec, read), &mut io::sink()).unwrap_err();
        assert!(err.to_string().contains("gzip bomb"), "{err}");
    }
}
