//! Parquet (cargo feature `parquet`, on by default): [`arrow`] reads a file as Arrow record
//! batches and hands each leaf column to the scanner; [`render`] writes numbers, dates
//! and times as text. Without the feature a Parquet file is reported, not read.

#[cfg(feature = "parquet")]
mod arrow;
#[cfg(all(test, feature = "parquet"))]
mod reference;
#[cfg(feature = "parquet")]
mod render;
#[cfg(all(test, feature = "parquet"))]
mod tests;

#[cfg(feature = "parquet")]
pub(crate) use arrow::parquet_rows;

#[cfg(not(feature = "parquet"))]
pub(crate) fn parquet_rows(
    _: &std::path::Path,
    _: &mut crate::pipeline::Ctx,
) -> Result<(), crate::source::error::SourceError> {
    Err(crate::source::error::SourceError::Read(
        "this hegui was built without Parquet support (cargo feature `parquet`)".into(),
    ))
}
