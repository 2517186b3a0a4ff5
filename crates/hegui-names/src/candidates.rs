//! The spans that could be a name: every way a surname, a familiar prefix, a minority name
//! element or a middle dot starts one. The model scores them; most are not names.

use crate::lexicon::{
    is_han, Lexicon, COMPOUND_FIRST, KNOWN, MINORITY_FIRST, PREFIX, STARTS, SURNAME,
};

/// How a candidate is built: the model's features depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Surname (1, 2 or 4 characters) and one or two given-name characters: 张伟, 欧阳娜娜.
    Full { sur: u8, given: u8 },
    /// Surname and 某 or 某某: 陈某, 刘某某.
    Masked { sur: u8, marks: u8 },
    /// A surname, or a full name, and a title: 陈先生, 孙总, 王建国院长.
    Titled { sur: u8, name: u8, title: u8 },
    /// 小, 老, 阿 or 大 and a surname: 小刘, 老周.
    Familiar,
    /// Minority name elements, joined (次仁央宗) or around middle dots (买买提·艾力),
    /// perhaps with a title (扎西老师).
    Minority { parts: u8, dotted: bool, title: u8 },
}

impl Shape {
    /// A small number per shape and its lengths, for features that differ by shape.
    pub(crate) fn code(self) -> u64 {
        match self {
            Shape::Full { sur, given } => u64::from(sur.min(2)) * 2 + u64::from(given) - 2,
            Shape::Masked { marks, .. } => 4 + u64::from(marks),
            Shape::Titled { sur, name, .. } => 7 + u64::from(name > sur),
            Shape::Familiar => 9,
            Shape::Minority { dotted, title, .. } => {
                10 + u64::from(dotted) + 2 * u64::from(title > 0)
            }
        }
    }

    /// The family of shapes, for context features shared across lengths.
    pub(crate) fn group(self) -> u64 {
        match self {
            Shape::Full { .. } => 1,
            Shape::Masked { .. } => 2,
            Shape::Titled { .. } => 3,
            Shape::Familiar => 4,
            Shape::Minority { .. } => 5,
        }
    }

    /// The shape in words, for explanations.
    pub(crate) fn describe(self) -> String {
        let sur = |n: u8| {
            if n == 1 {
                "surname"
            } else {
                "compound surname"
            }
        };
        match self {
            Shape::Full { sur: s, given } => format!("{} + {given} given", sur(s)),
            Shape::Masked { sur: s, marks } => {
                format!("{} + {}", sur(s), "某".repeat(marks.into()))
            }
            Shape::Titled { sur: s, name, .. } if name == s => format!("{} + title", sur(s)),
            Shape::Titled { sur: s, name, .. } => {
                format!("{} + {} given + title", sur(s), name - s)
            }
            Shape::Familiar => "prefix + surname".into(),
            Shape::Minority {
                parts,
                dotted,
                title,
            } => format!(
                "minority name, {parts} part{}{}{}",
                if parts > 1 { "s" } else { "" },
                if dotted { ", dotted" } else { "" },
                if title > 0 { " + title" } else { "" }
            ),
        }
    }

    pub(crate) fn masked(self) -> bool {
        matches!(self, Shape::Masked { .. })
    }
}

/// A candidate span, in characters of the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub start: usize,
    pub end: usize,
    pub shape: Shape,
}

/// Middle dots written between the parts of a transcribed name.
pub(crate) fn is_dot(c: char) -> bool {
    matches!(c, '·' | '•' | '・' | '‧' | '･' | '∙')
}

const MASK: char = '某';

/// A character a given name can hold: a known Han character (see [`KNOWN`]), not 某.
fn given_char(c: char) -> bool {
    c != MASK && Lexicon::get().flags(c) & KNOWN != 0
}

/// Every candidate in a line of characters.
pub(crate) fn candidates(cs: &[char], out: &mut Vec<Candidate>) {
    let lex = Lexicon::get();
    for i in 0..cs.len() {
        let c = cs[i];
        if is_dot(c) {
            dotted(cs, i, out);
            continue;
        }
        let flags = lex.flags(c);
        if flags & STARTS == 0 {
            continue;
        }
        if flags & (SURNAME | COMPOUND_FIRST) != 0 {
            let rest = &cs[i..];
            let compounds = (flags & COMPOUND_FIRST != 0)
                .then(|| lex.compounds_at(rest))
                .into_iter()
                .flatten();
            let single = (flags & SURNAME != 0).then_some(1);
            for sur in compounds.chain(single) {
                surnamed(cs, i, sur, out);
            }
        }
        if flags & PREFIX != 0 && cs.get(i + 1).is_some_and(|&s| lex.flags(s) & SURNAME != 0) {
            out.push(Candidate {
                start: i,
                end: i + 2,
                shape: Shape::Familiar,
            });
        }
        if flags & MINORITY_FIRST != 0 {
            elements(cs, i, out);
        }
    }
}

/// Candidates that start with the surname `cs[i..i + sur]`.
fn surnamed(cs: &[char], i: usize, sur: usize, out: &mut Vec<Candidate>) {
    let lex = Lexicon::get();
    let j = i + sur;
    let sur8 = sur as u8;
    if cs.get(j) == Some(&MASK) {
        let marks = if cs.get(j + 1) == Some(&MASK) { 2 } else { 1 };
        out.push(Candidate {
            start: i,
            end: j + marks,
            shape: Shape::Masked {
                sur: sur8,
                marks: marks as u8,
            },
        });
        return;
    }
    let titled = |name: usize, out: &mut Vec<Candidate>| {
        for title in lex.titles_at(&cs[i + name..]) {
            out.push(Candidate {
                start: i,
                end: i + name + title,
                shape: Shape::Titled {
                    sur: sur8,
                    name: name as u8,
                    title: title as u8,
                },
            });
        }
    };
    titled(sur, out);
    for given in 1..=2 {
        if !cs
            .get(j..j + given)
            .is_some_and(|g| g.iter().all(|&c| given_char(c)))
        {
            break;
        }
        out.push(Candidate {
            start: i,
            end: j + given,
            shape: Shape::Full {
                sur: sur8,
                given: given as u8,
            },
        });
        titled(sur + given, out);
    }
}

/// Chains of minority name elements starting at `i` (each a candidate): 次仁, 次仁央宗.
fn elements(cs: &[char], i: usize, out: &mut Vec<Candidate>) {
    let lex = Lexicon::get();
    let mut j = i;
    for parts in 1..=3u8 {
        let Some(len) = lex.minority_at(&cs[j..]).next() else {
            break;
        };
        j += len;
        minority(cs, i, j, parts, false, out);
    }
}

/// A minority name `cs[start..end]`, and the same with each title that follows it.
fn minority(
    cs: &[char],
    start: usize,
    end: usize,
    parts: u8,
    dotted: bool,
    out: &mut Vec<Candidate>,
) {
    let shape = |title| Shape::Minority {
        parts,
        dotted,
        title,
    };
    out.push(Candidate {
        start,
        end,
        shape: shape(0),
    });
    for title in Lexicon::get().titles_at(&cs[end..]) {
        out.push(Candidate {
            start,
            end: end + title,
            shape: shape(title as u8),
        });
    }
}

/// Candidates around the middle dot at `d`: one to five characters before it, one to six
/// after it, and a second dot and part after that (买买提·艾力·买合木提).
fn dotted(cs: &[char], d: usize, out: &mut Vec<Candidate>) {
    let han_run = |from: usize, max: usize| {
        cs[from.min(cs.len())..]
            .iter()
            .take(max)
            .take_while(|&&c| is_han(c))
            .count()
    };
    let before = cs[..d]
        .iter()
        .rev()
        .take(5)
        .take_while(|&&c| is_han(c))
        .count();
    let after = han_run(d + 1, 6);
    if before == 0 || after == 0 {
        return;
    }
    let mut ends: Vec<(usize, u8)> = (1..=after).map(|m| (d + 1 + m, 2)).collect();
    let second = d + 1 + after;
    if cs.get(second).is_some_and(|&c| is_dot(c)) {
        let third = han_run(second + 1, 6);
        ends.extend((1..=third).map(|m| (second + 1 + m, 3)));
    }
    for k in 1..=before {
        for &(end, parts) in &ends {
            minority(cs, d - k, end, parts, true, out);
        }
    }
}
