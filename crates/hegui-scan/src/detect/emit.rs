//! How the byte scanners record what they find: a [`Hit`] with its likelihood and the key
//! of its normalised value, or a masked value with no key.

use crate::hit::Hit;
use crate::key::key_of;
use crate::kind::{Kind, Likelihood};

pub(crate) fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

pub(crate) fn push(
    out: &mut Vec<Hit>,
    kind: Kind,
    start: usize,
    end: usize,
    lk: Likelihood,
    norm: &[u8],
) {
    push_keyed(out, kind, start, end, lk, key_of(kind, norm));
}

pub(crate) fn push_keyed(
    out: &mut Vec<Hit>,
    kind: Kind,
    start: usize,
    end: usize,
    lk: Likelihood,
    key: u64,
) {
    out.push(Hit {
        kind,
        start,
        end,
        likelihood: lk,
        masked: false,
        key,
    });
}

pub(crate) fn push_masked(out: &mut Vec<Hit>, kind: Kind, start: usize, end: usize) {
    out.push(Hit {
        kind,
        start,
        end,
        likelihood: Likelihood::Likely,
        masked: true,
        key: 0,
    });
}
