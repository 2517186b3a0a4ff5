//! Citations ("PIPL 55", "CBDF 7", "QA_2026_04 Q1") and the instruments they name.

use serde::{Deserialize, Serialize};

/// A law, regulation, rule, notice or standard that hegui cites.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub effective: String,
    /// `law`, `notice` or `guidance`.
    pub binding: String,
}

/// A reference to an article (or a question, or a clause) of an instrument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Citation {
    pub instrument: String,
    pub article: String,
}

impl Citation {
    /// Parses `"INSTRUMENT ARTICLE"`.
    pub fn parse(s: &str) -> Result<Citation, String> {
        let (inst, art) = s
            .split_once(' ')
            .ok_or_else(|| format!("citation {s:?}: expected \"INSTRUMENT ARTICLE\""))?;
        if inst.is_empty() || art.trim().is_empty() {
            return Err(format!("citation {s:?}: expected \"INSTRUMENT ARTICLE\""));
        }
        Ok(Citation {
            instrument: inst.to_string(),
            article: art.trim().to_string(),
        })
    }

    /// English display: "PIPL Art. 55", "QA_2026_04 Q1".
    pub fn display_en(&self) -> String {
        if self.article.chars().all(|c| c.is_ascii_digit()) {
            format!("{} Art. {}", self.instrument, self.article)
        } else {
            format!("{} {}", self.instrument, self.article)
        }
    }
}

impl TryFrom<String> for Citation {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Citation::parse(&s)
    }
}

impl From<Citation> for String {
    fn from(c: Citation) -> String {
        format!("{} {}", c.instrument, c.article)
    }
}

impl std::fmt::Display for Citation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display_en())
    }
}
