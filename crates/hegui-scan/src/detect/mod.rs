//! The detectors: byte-level scanners that anchor on cheap bytes (digit runs, `@`, `:`,
//! province characters), validate each candidate exactly, then score it with context.
//!
//! Text is never matched with Unicode `\b`: a CJK character next to a digit is a boundary
//! here, an ASCII letter or digit is not. A digit run inside a longer run is never an
//! identifier (runs are maximal).

use crate::context::Hits;
pub use crate::hit::{Hit, Options};
use crate::kind::{Kind, KindSet};

mod digits;
mod emit;
mod plates;
#[cfg(test)]
mod tests;
mod tokens;

use digits::digit_runs;
use plates::plates;
use tokens::{colon_tokens, emails};

const DIGIT_KINDS: &[Kind] = &[
    Kind::CnResidentId,
    Kind::CnMobile,
    Kind::CnLandline,
    Kind::BankCard,
    Kind::CnPassport,
    Kind::HkMacauTravelPermit,
    Kind::MainlandTravelPermit,
    Kind::Ipv4,
    Kind::Imei,
    Kind::GpsCoordinate,
];
const SEMANTIC_KINDS: &[Kind] = &[
    Kind::PersonName,
    Kind::Address,
    Kind::BirthDate,
    Kind::SensitiveHealth,
    Kind::SensitiveReligion,
    Kind::SensitiveBiometric,
    Kind::SensitiveFinancial,
    Kind::SensitiveCriminal,
    Kind::SensitiveSexualOrientation,
    Kind::SensitiveMinor,
];

pub use crate::key::key_of;

/// Detects every kind in one line or cell.
pub fn detect(text: &[u8], opts: &Options) -> Vec<Hit> {
    let mut out = Vec::new();
    detect_into(text, opts, &mut Scratch::default(), &mut out);
    out
}

/// Buffers [`detect_into`] reuses between calls, so a scan does not allocate per line.
#[derive(Debug, Default)]
pub struct Scratch {
    raw: Vec<Hit>,
    scored: Vec<(Hit, bool)>,
    spans: Vec<(usize, usize)>,
    sorted: Vec<(usize, usize)>,
    keywords: Hits,
    facts: crate::semantic::TextFacts,
    /// Per options: whether its cells may be read whole (a name, address or date column).
    whole: Vec<bool>,
}

/// Detects every kind in one line or cell (or a block of lines) of at most 4 GiB.
pub fn detect_into(text: &[u8], opts: &Options, scratch: &mut Scratch, out: &mut Vec<Hit>) {
    let cell = Cell {
        start: 0,
        end: u32::try_from(text.len()).expect("a text of at most 4 GiB"),
        options: 0,
    };
    detect_cells(text, &[cell], std::slice::from_ref(opts), scratch, out);
}

/// One cell of [`detect_cells`]' text: its range, and the index of its column's options.
/// Offsets are 32-bit (a text of cells is at most 4 GiB): a scan holds tens of thousands
/// of cells per batch, and reads them at every step.
#[derive(Debug, Clone, Copy)]
pub struct Cell {
    pub start: u32,
    pub end: u32,
    pub options: u32,
}

impl Cell {
    fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Detects every kind in many cells at once. The byte scanners (digit runs, `@`, `:`,
/// plates) each make one pass over the whole text, instead of starting anew per cell; only
/// what depends on a cell's column (names, addresses and dates of named columns, column
/// cues) is done per cell.
///
/// `cells` are in text order and each is followed by a line break (or the text's end).
/// Nothing is matched across a line break and context windows stop at one, so this finds
/// exactly what detecting each cell alone finds. Every option must share `today` and
/// `kinds`. Hits come out in text order, with offsets in `text`.
pub fn detect_cells(
    text: &[u8],
    cells: &[Cell],
    options: &[Options],
    scratch: &mut Scratch,
    out: &mut Vec<Hit>,
) {
    let Some(global) = options.first() else {
        return;
    };
    debug_assert!(options
        .iter()
        .all(|o| o.kinds == global.kinds && o.today == global.today));
    let raw = &mut scratch.raw;
    raw.clear();
    let on = global.kinds;
    if on.any(DIGIT_KINDS) {
        digit_runs(text, global, raw);
    }
    if on.contains(Kind::Email) {
        emails(text, raw);
    }
    if on.any(&[Kind::MacAddress, Kind::Ipv6]) {
        colon_tokens(text, raw);
    }
    if on.contains(Kind::CnLicensePlate) {
        plates(text, raw);
    }
    if on.any(SEMANTIC_KINDS) {
        // Many short cells (CSV): their facts from the masks of the whole text, in one pass.
        let masks = cells.len() * 128 >= text.len();
        if masks {
            scratch.facts.load(text);
        }
        let whole = &mut scratch.whole;
        whole.clear();
        whole.extend(options.iter().map(crate::semantic::reads_whole_cells));
        // The first byte at or after the cells passed over that may anchor something.
        let mut anchorable = 0;
        for c in cells {
            let from = raw.len();
            let opts = &options[c.options as usize];
            if masks && !whole[c.options as usize] {
                // Outside name, address and date columns, most cells have no byte that can
                // anchor anything: passed over with one comparison.
                if anchorable < c.start as usize {
                    anchorable = scratch.facts.next_anchorable(c.start as usize);
                }
                if anchorable >= c.end as usize {
                    continue;
                }
            }
            let facts = masks.then(|| scratch.facts.of(c.start as usize, c.end as usize));
            crate::semantic::detect(&text[c.range()], facts, opts, raw);
            for h in &mut raw[from..] {
                h.start += c.start as usize;
                h.end += c.start as usize;
            }
        }
    }
    if on != KindSet::ALL {
        raw.retain(|h| on.contains(h.kind));
    }
    if raw.is_empty() {
        return;
    }
    // In text order (stable: of two readings of one span, the scanner that runs first
    // comes first, as when each cell is detected alone).
    raw.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
    // Each hit's context window, once; a sorted copy drives the keyword search.
    let windows = &mut scratch.spans;
    windows.clear();
    windows.extend(
        raw.iter()
            .map(|h| crate::context::window(text, h.start, h.end)),
    );
    // A window with nothing around its hit (a whole cell: a name or address column) can
    // hold no keyword that counts; it is not searched.
    let context = |h: &Hit, w: &(usize, usize)| *w != (h.start, h.end);
    let sorted = &mut scratch.sorted;
    sorted.clear();
    sorted.extend(
        raw.iter()
            .zip(windows.iter())
            .filter(|(h, w)| context(h, w))
            .map(|(_, &w)| w),
    );
    sorted.sort_unstable();
    let hits = &mut scratch.keywords;
    hits.find_near(text, sorted);
    // (hit, supported by context): context decides between two readings of one span.
    let scored = &mut scratch.scored;
    scored.clear();
    let mut cell = 0;
    scored.extend(raw.drain(..).zip(windows.iter()).map(|(mut h, &w)| {
        // Hits are in text order: the cursor only moves forward.
        while cell + 1 < cells.len() && cells[cell].end as usize <= h.start {
            cell += 1;
        }
        let opts = &options[cells[cell].options as usize];
        let (pos, neg) = if context(&h, &w) {
            hits.around(w, h.start, h.end, h.kind)
        } else {
            (false, false)
        };
        let supported = pos || opts.field_kinds.contains(&h.kind);
        if supported {
            h.likelihood = h.likelihood.up();
        }
        if (neg || opts.field_negative) && !pos {
            h.likelihood = h.likelihood.down2();
        }
        (h, supported)
    }));
    // Overlaps: keep the longer hit; for the same span, the likelier, then the supported.
    let kept = raw;
    let mut last_sup = false;
    for (h, sup) in scored.drain(..) {
        match kept.last_mut() {
            Some(last) if h.start < last.end => {
                let same = h.start == last.start && h.end == last.end;
                let better = (h.likelihood, sup) > (last.likelihood, last_sup);
                let longer =
                    h.likelihood > last.likelihood && h.end - h.start >= last.end - last.start;
                if (same && better) || (!same && longer) {
                    *last = h;
                    last_sup = sup;
                }
            }
            _ => {
                kept.push(h);
                last_sup = sup;
            }
        }
    }
    out.append(kept);
}
