//! Why one source could not be read to its end: the error every reader returns, which
//! fails that source and never the scan.

use crate::options::ScanError;

/// Runs a reader whose parsing is a library's (calamine, parquet): a panic in it on a
/// damaged or hostile file is that source's error, not the end of the scan.
pub(crate) fn guarded(
    what: &str,
    read: impl FnOnce() -> Result<(), SourceError>,
) -> Result<(), SourceError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|_| {
        Err(SourceError::Read(format!(
            "the {what} reader failed on this file: damaged or not a {what} file"
        )))
    })
}

/// Why one source could not be read to its end.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SourceError {
    #[error("cannot read: {0}")]
    Read(String),
    #[error("binary file (NUL bytes), not scanned as text")]
    Binary,
    #[error("{0}")]
    Parse(String),
    #[error(transparent)]
    Output(std::io::Error),
}

pub(crate) fn read_err(e: std::io::Error) -> SourceError {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        SourceError::Read("the file is truncated (unexpected end of compressed data)".into())
    } else {
        SourceError::Read(e.to_string())
    }
}

impl From<ScanError> for SourceError {
    fn from(e: ScanError) -> SourceError {
        match e {
            ScanError::Output(e) => SourceError::Output(e),
            other => SourceError::Parse(other.to_string()),
        }
    }
}
