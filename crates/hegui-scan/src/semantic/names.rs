//! Chinese personal names: a surname (single or compound) and one or two given-name
//! characters.

use super::lexicon::COMPOUND;
use super::sets::{cjk, COMMON_SURNAME_SET, COMPOUND_FIRST_SET, GIVEN_SET, STOP_SET, SURNAME_SET};

/// Whether a 3-byte character is one of a list of 3-byte characters (the reference the
/// character sets are tested against).
#[cfg(test)]
pub(crate) fn one_of(list: &str, c: &[u8]) -> bool {
    list.as_bytes().chunks_exact(3).any(|x| x == c)
}

/// The length in bytes of the name starting at `i`, if one does.
pub(crate) fn name_at(t: &[u8], i: usize, exact: bool) -> Option<usize> {
    let first = cjk(t, i)?;
    let two = cjk(t, i + 3).map(|_| &t[i..i + 6]);
    // In free text only the 100 most common surnames start a name: rarer ones are also
    // everyday words (来电, 信息).
    let surnames = if exact {
        &SURNAME_SET
    } else {
        &COMMON_SURNAME_SET
    };
    // Most names start with no compound surname's first character: one bit test.
    let compound =
        |s: &[u8]| COMPOUND_FIRST_SET.has(first) && COMPOUND.iter().any(|c| c.as_bytes() == s);
    let sur_len = if two.is_some_and(compound) {
        6
    } else if surnames.has(first) {
        3
    } else {
        return None;
    };
    // Up to three following CJK characters.
    let mut given: [&[u8]; 3] = [&[]; 3];
    let mut count = 0;
    let mut j = i + sur_len;
    while count < 3 {
        match cjk(t, j) {
            Some(c) => {
                given[count] = c;
                count += 1;
                j += 3;
            }
            None => break,
        }
    }
    let given = &given[..count];
    if exact {
        // The whole cell: surname plus one or two characters, nothing else.
        let rest_ok = j == t.len() && (1..=2).contains(&given.len());
        return rest_ok.then_some(j - i);
    }
    let given_ok = |c: &[u8]| !STOP_SET.has(c);
    match given {
        [] => None,
        [a, ..] if !given_ok(a) => None,
        [_] => Some(sur_len + 3),
        [_, b, ..] if given_ok(b) && GIVEN_SET.has(b) => Some(sur_len + 6),
        [_, b] if given_ok(b) => Some(sur_len + 6),
        _ => Some(sur_len + 3),
    }
}
