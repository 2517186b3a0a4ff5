//! How elements and facts are recognised, from `data/cues.toml`: patterns a reviewer can
//! read (the file says what each field means). Compiled once.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;

/// The cues file, as shipped.
pub const CUES: &str = include_str!("../data/cues.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    negation: String,
    exception: String,
    policy_words: String,
    policy_min: usize,
    policy_title: String,
    policy_min_titled: usize,
    facts: BTreeMap<String, RawFact>,
    elements: BTreeMap<String, RawElement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFact {
    #[serde(default, rename = "except")]
    except_: Vec<String>,
    yes: Vec<String>,
    no: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawElement {
    about: Vec<String>,
    #[serde(default)]
    heading: Vec<String>,
    #[serde(default)]
    not_under: Vec<String>,
    #[serde(default)]
    about_near: Vec<String>,
    #[serde(default)]
    near: Vec<String>,
    #[serde(default)]
    headers: Vec<String>,
    #[serde(default)]
    table: Vec<String>,
    #[serde(default)]
    present: Vec<String>,
    #[serde(default)]
    deficient: Vec<RawDeficient>,
    fallback_zh: Option<String>,
    fallback_en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeficient {
    when: String,
    #[serde(default)]
    overrides: bool,
    zh: String,
    en: String,
}

/// Every cue, compiled.
#[derive(Debug)]
pub struct Cues {
    pub negation: Regex,
    /// After a negated cue, exceptions that make the rest of the clause affirmative.
    pub exception: Regex,
    pub policy_words: Regex,
    pub policy_min: usize,
    /// A title naming a policy (隐私政策, 个人信息保护规则 …), and the words needed with one.
    pub policy_title: Regex,
    pub policy_min_titled: usize,
    pub facts: BTreeMap<String, FactCues>,
    pub elements: BTreeMap<String, ElementCues>,
}

#[derive(Debug)]
pub struct FactCues {
    /// A clause matching one of these says nothing of the fact (another fact's matter).
    pub except: Vec<Regex>,
    pub yes: Vec<Regex>,
    pub no: Vec<Regex>,
}

#[derive(Debug)]
pub struct ElementCues {
    pub about: Vec<Regex>,
    pub heading: Vec<Regex>,
    /// A clause under a heading matching one of these is never about the element (separate
    /// consent in the section on transfers abroad is not consent to provision at home).
    pub not_under: Vec<Regex>,
    /// Cues that count only where the clause's paragraph matches one of `near`: "单独征得您的
    /// 同意" is about sensitive PI in a paragraph on sensitive PI, about provision in one on
    /// provision.
    pub about_near: Vec<Regex>,
    pub near: Vec<Regex>,
    pub headers: Vec<Regex>,
    /// When given, `headers` count only in a table whose headers match one of these.
    pub table: Vec<Regex>,
    pub present: Vec<Regex>,
    pub deficient: Vec<Deficient>,
    /// The reason when clauses are about the element and none meets it: (zh, en).
    pub fallback: Option<(String, String)>,
}

#[derive(Debug)]
pub struct Deficient {
    pub when: Regex,
    pub overrides: bool,
    pub zh: String,
    pub en: String,
}

fn compile(where_: &str, patterns: &[String]) -> Result<Vec<Regex>, String> {
    patterns
        .iter()
        .map(|p| Regex::new(p).map_err(|e| format!("{where_}: {p:?}: {e}")))
        .collect()
}

impl Cues {
    /// The shipped cues (checked by the tests; a failure here is a build defect).
    pub fn get() -> &'static Cues {
        static C: OnceLock<Cues> = OnceLock::new();
        C.get_or_init(|| Cues::parse(CUES).unwrap_or_else(|e| panic!("data/cues.toml: {e}")))
    }

    pub fn parse(text: &str) -> Result<Cues, String> {
        let f: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let one = |w: &str, p: &str| compile(w, &[p.to_string()]).map(|mut v| v.remove(0));
        let mut facts = BTreeMap::new();
        for (id, f) in f.facts {
            let yes = compile(&format!("facts.{id}.yes"), &f.yes)?;
            let no = compile(&format!("facts.{id}.no"), &f.no)?;
            let except = compile(&format!("facts.{id}.except"), &f.except_)?;
            facts.insert(id, FactCues { except, yes, no });
        }
        let mut elements = BTreeMap::new();
        for (id, e) in f.elements {
            let w = |field: &str| format!("elements.{id}.{field}");
            let deficient = e
                .deficient
                .iter()
                .map(|d| {
                    Ok(Deficient {
                        when: one(&w("deficient"), &d.when)?,
                        overrides: d.overrides,
                        zh: d.zh.clone(),
                        en: d.en.clone(),
                    })
                })
                .collect::<Result<_, String>>()?;
            elements.insert(
                id.clone(),
                ElementCues {
                    about: compile(&w("about"), &e.about)?,
                    heading: compile(&w("heading"), &e.heading)?,
                    not_under: compile(&w("not_under"), &e.not_under)?,
                    about_near: compile(&w("about_near"), &e.about_near)?,
                    near: compile(&w("near"), &e.near)?,
                    headers: compile(&w("headers"), &e.headers)?,
                    table: compile(&w("table"), &e.table)?,
                    present: compile(&w("present"), &e.present)?,
                    deficient,
                    fallback: e.fallback_zh.zip(e.fallback_en),
                },
            );
        }
        Ok(Cues {
            negation: one("negation", &f.negation)?,
            exception: one("exception", &f.exception)?,
            policy_words: one("policy_words", &f.policy_words)?,
            policy_min: f.policy_min,
            policy_title: one("policy_title", &f.policy_title)?,
            policy_min_titled: f.policy_min_titled,
            facts,
            elements,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_element_and_fact_of_the_rubric_has_cues() {
        let cues = Cues::get();
        let rubric = &hegui_core::law::Law::get().policy_rubric;
        for e in &rubric.elements {
            let c = cues
                .elements
                .get(&e.id)
                .unwrap_or_else(|| panic!("{}", e.id));
            assert!(!c.about.is_empty(), "{}", e.id);
        }
        for f in &rubric.facts {
            assert!(cues.facts.contains_key(&f.id), "{}", f.id);
        }
        assert_eq!(cues.elements.len(), rubric.elements.len());
        assert_eq!(cues.facts.len(), rubric.facts.len());
    }
}
