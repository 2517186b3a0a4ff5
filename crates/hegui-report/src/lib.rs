//! hegui-report: the documents hegui produces for auditors. It only reads engagement data.
//!
//! - [`catalog`]: the Guideline catalog as a workbook.
//! - [`workbook`]: an engagement's working-paper workbook (one sheet per focus area, the
//!   rectification ledger, the evidence index).
//! - [`signature`]: detached ed25519 signatures over a report and the manifest of the
//!   evidence it relies on.
//! - [`audit_report`]: the audit report (DOCX, PDF), with the Art. 10 signature block.
//! - [`rectification`]: the rectification report (Art. 11) with the ledger and its due date.
//! - [`document`]: the block model both are built in; [`docx`] renders it as an editable
//!   DOCX and `pdf` (cargo feature `pdf`) typesets it as a PDF.
pub mod audit_report;
pub mod catalog;
pub mod document;
pub mod docx;
pub mod pbc;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod rectification;
mod sheet;
pub mod signature;
pub mod workbook;

/// The warning every page of a report carries when it was rendered from an engagement that
/// failed verification (`--allow-unverified`).
pub const UNVERIFIED_WARNING: &str = "未通过完整性验证：审计数据与活动日志不一致，仅供取证使用 / UNVERIFIED: the engagement's data does not match its activity log — for forensic use only";
