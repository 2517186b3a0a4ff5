//! What every detector produces and reads: a [`Hit`] and the [`Options`] of a cell. The
//! byte scanners ([`crate::detect`]) and the semantic pass ([`crate::semantic`]) both stand
//! on this module and on nothing of each other's.

use jiff::civil::Date;

use crate::kind::{Kind, KindSet, Likelihood};

/// One detected value in a line or cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub kind: Kind,
    /// UTF-8 byte offsets within the line or cell.
    pub start: usize,
    pub end: usize,
    pub likelihood: Likelihood,
    /// The value is masked (`138****5678`): evidence of de-identification, not PI.
    pub masked: bool,
    /// A 64-bit key of the normalised value, for distinct counting (0 for masked values).
    pub key: u64,
}

/// What the detectors need besides the text.
#[derive(Debug, Clone)]
pub struct Options {
    /// Birth dates after this day are impossible (normally today).
    pub today: Date,
    /// Kinds a column name or JSON path supports, and whether it names an order/serial.
    pub field_kinds: Vec<Kind>,
    pub field_negative: bool,
    /// The kinds to detect; scanners whose kinds are all off do not run.
    pub kinds: KindSet,
}

impl Options {
    pub fn new(today: Date) -> Options {
        Options {
            today,
            field_kinds: Vec::new(),
            field_negative: false,
            kinds: KindSet::ALL,
        }
    }
}
