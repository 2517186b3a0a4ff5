//! hegui-report: the documents hegui produces for auditors. For now: the Guideline catalog
//! as a workbook (XLSX) that opens in Excel and WPS. Audit reports, the working-paper
//! workbook and signatures come with the engagement layer.
pub mod catalog;
