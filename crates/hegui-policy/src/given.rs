//! The facts known before a policy is read — from the processor's profile — and the whole
//! analysis of one file in one call (what the CLI and the engagement vault both run).

use std::collections::BTreeMap;
use std::path::Path;

use hegui_core::condition::{Facts, Truth};
use hegui_core::inventory::Profile;

use crate::{crosscheck, extract, judge, Analysis, Error};

/// Facts given before the text is read: id → (value, where from).
pub type Given = BTreeMap<String, (bool, String)>;

/// The rubric's facts the profile decides (`profile` flags and `profile_count` numbers of
/// `law/policy-rubric.toml`); facts it leaves unknown are read from the text.
pub fn from_profile(p: &Profile) -> Given {
    let rubric = &hegui_core::law::Law::get().policy_rubric;
    let facts = hegui_core::facts::ProfileFacts::new(p);
    let mut out = Given::new();
    for f in &rubric.facts {
        let v = match (&f.profile, &f.profile_count) {
            (Some(flag), _) => match facts.flag(flag) {
                Truth::True => Some(true),
                Truth::False => Some(false),
                Truth::Unknown => None,
            },
            (None, Some(count)) => facts.number(count).map(|n| n > 0),
            (None, None) => None,
        };
        if let Some(v) = v {
            out.insert(f.id.clone(), (v, "profile".to_string()));
        }
    }
    out
}

/// Reads and judges one policy held in memory; with a profile, also cross-checks it against
/// the inventory. `name` is what the analysis calls the source (and gives the extension).
pub fn analyse(
    name: &str,
    bytes: &[u8],
    profile: Option<&Profile>,
    given: &Given,
) -> Result<Analysis, Error> {
    let (format, doc) = extract::read_bytes(Path::new(name), bytes)?;
    judged(name, format, &doc, profile, given)
}

/// [`analyse`] of a file, read with the extractors' size limits.
pub fn analyse_file(
    path: &Path,
    profile: Option<&Profile>,
    given: &Given,
) -> Result<Analysis, Error> {
    let (format, doc) = extract::read(path)?;
    judged(&path.display().to_string(), format, &doc, profile, given)
}

fn judged(
    name: &str,
    format: extract::Format,
    doc: &crate::document::Document,
    profile: Option<&Profile>,
    given: &Given,
) -> Result<Analysis, Error> {
    let mut an = judge::check(name, format.name(), doc, given)?;
    if let Some(p) = profile {
        an.inventory_mismatches = crosscheck::mismatches(p, doc, &an);
    }
    Ok(an)
}
