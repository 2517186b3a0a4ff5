//! Reading sources, one module per format: [`text`], [`delimited`] (CSV/TSV), [`json`],
//! [`workbook`], [`parquet`] (Parquet) and [`database`] (SQLite files, PostgreSQL, MySQL);
//! [`file`] decides which reader a file goes to; [`object`] is what a network object
//! store (S3, OSS, HDFS) must provide for its objects to be read as files. [`db`] holds
//! the database connections, [`decode`] text encodings and [`limits`] the bounds every
//! reader keeps.
#[cfg(feature = "databases")]
pub(crate) mod database;
#[cfg(feature = "databases")]
pub mod db;
pub mod decode;
pub(crate) mod delimited;
pub(crate) mod error;
pub(crate) mod file;
pub(crate) mod json;
pub mod limits;
pub mod object;
pub(crate) mod parquet;
pub(crate) mod sampling;
pub(crate) mod text;
pub(crate) mod workbook;
