//! The Compliance Audit Measures (CAC Order No. 18): 20 articles.

use serde::{Deserialize, Serialize};

/// The Measures as shipped in `law/measures-2025.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measures {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub order: String,
    pub adopted: String,
    pub published: String,
    pub effective: String,
    pub articles: Vec<Article>,
}

/// Whom an article obliges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Binds {
    Processor,
    ProfessionalBody,
    ProtectionDepartment,
    General,
}

/// One article.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Article {
    pub number: u8,
    pub numeral: String,
    pub title_en: String,
    pub binds: Vec<Binds>,
    /// The article's paragraphs and enumerated items, verbatim.
    pub text_zh: Vec<String>,
    pub text_en: String,
}

impl Measures {
    pub fn article(&self, number: u8) -> Option<&Article> {
        self.articles.iter().find(|a| a.number == number)
    }
}
