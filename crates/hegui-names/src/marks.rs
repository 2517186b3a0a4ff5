//! The marked-text format of the training corpus and the held-out set: every name
//! enclosed in `⟦…⟧` (U+27E6, U+27E7).

const OPEN: char = '⟦';
const CLOSE: char = '⟧';

/// A line without its marks, and the byte ranges the marks enclosed.
pub fn unmark(line: &str) -> (String, Vec<(usize, usize)>) {
    let mut text = String::with_capacity(line.len());
    let mut spans = Vec::new();
    let mut start = None;
    for c in line.chars() {
        match c {
            OPEN => start = Some(text.len()),
            CLOSE => {
                if let Some(s) = start.take() {
                    spans.push((s, text.len()));
                }
            }
            c => text.push(c),
        }
    }
    (text, spans)
}
