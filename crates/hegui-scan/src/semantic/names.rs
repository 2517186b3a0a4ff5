//! Chinese personal names: a surname (single or compound) and one or two given-name
//! characters.

use super::lexicon::COMPOUND;
use super::sets::{cjk, COMPOUND_FIRST_SET, SURNAME_SET};

/// Whether a 3-byte character is one of a list of 3-byte characters (the reference the
/// character sets are tested against).
#[cfg(test)]
pub(crate) fn one_of(list: &str, c: &[u8]) -> bool {
    list.as_bytes().chunks_exact(3).any(|x| x == c)
}

/// Whether a whole cell of a name column is a name: a surname from the list (single or
/// compound) and one or two more characters, nothing else. (Names in running text are
/// the `hegui-names` model's.)
pub(crate) fn whole_name(t: &[u8]) -> bool {
    let Some(first) = cjk(t, 0) else {
        return false;
    };
    let two = cjk(t, 3).map(|_| &t[..6]);
    // Most names start with no compound surname's first character: one bit test.
    let compound =
        |s: &[u8]| COMPOUND_FIRST_SET.has(first) && COMPOUND.iter().any(|c| c.as_bytes() == s);
    let sur_len = if two.is_some_and(compound) {
        6
    } else if SURNAME_SET.has(first) {
        3
    } else {
        return false;
    };
    let mut j = sur_len;
    let mut given = 0;
    while cjk(t, j).is_some() {
        given += 1;
        j += 3;
    }
    j == t.len() && (1..=2).contains(&given)
}
