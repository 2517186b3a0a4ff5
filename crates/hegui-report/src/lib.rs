//! hegui-report: the documents hegui produces for auditors. It only reads engagement data.
//!
//! - [`catalog`]: the Guideline catalog as a workbook.
//! - [`workbook`]: an engagement's working-paper workbook (one sheet per focus area, the
//!   rectification ledger, the evidence index).
//! - [`signature`]: detached ed25519 signatures over a report and the manifest of the
//!   evidence it relies on.
pub mod catalog;
pub mod signature;
pub mod workbook;
