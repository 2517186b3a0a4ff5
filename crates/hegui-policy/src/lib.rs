//! hegui-policy: published processing rules (个人信息处理规则 / 隐私政策) read and judged
//! element by element against the rubric in hegui-core's `law/policy-rubric.toml`.
//!
//! - [`document`]: a policy as blocks of text with their heading paths.
//! - [`extract`]: HTML, PDF, DOCX, Markdown and plain text (UTF-8 or GBK) into a document.
//! - [`cues`]: how each element and fact is recognised (`data/cues.toml`: cue patterns,
//!   what makes it present, what makes it deficient and why) — data a reviewer can read.
//! - [`clause`]: the document cut into clauses, and negation.
//! - [`judge`]: facts and per-element status (present, deficient, absent,
//!   not_applicable), each with the passages it rests on.
//! - [`crosscheck`]: recipients, overseas recipients, categories, retention periods and the
//!   PIPO's contact, policy against profile.
//! - [`diff`]: two versions compared element by element.
//! - [`given`]: facts from the profile, and one file's whole analysis.
//! - [`bench`]: precision, recall and F1 of the flags on a labelled set.

pub mod bench;
pub mod clause;
pub mod crosscheck;
pub mod cues;
pub mod diff;
pub mod document;
pub mod extract;
pub mod given;
pub mod judge;

pub use given::{analyse, Given};
pub use judge::{check, Analysis, Evidence, FactValue, Status, Verdict};

/// Why a file could not be analysed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Io(std::io::Error),
    #[error(
        "{0} bytes: larger than a policy (8 MiB of HTML, Markdown or text; 32 MiB of PDF or DOCX)"
    )]
    TooLarge(u64),
    #[error("{0}")]
    Parse(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("no text found (an image-only or empty file)")]
    NoText,
    #[error("not a privacy policy: {0}")]
    NotAPolicy(String),
}
