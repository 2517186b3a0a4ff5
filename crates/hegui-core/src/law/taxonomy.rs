//! The PI taxonomy: GB/T 35273-2020 Appendix A categories and items with stable ids, and
//! each item's sensitivity under PIPL Art. 28, GB/T 45574-2025 (the default) and
//! GB/T 35273-2020 Appendix B.

use serde::{Deserialize, Serialize};

/// `law/taxonomy.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Taxonomy {
    pub id: String,
    pub default_framework: Framework,
    pub pipl28: Vec<Pipl28Category>,
    pub categories: Vec<Category>,
}

/// A sensitivity framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Framework {
    /// GB/T 45574-2025 Annex A (default).
    Gb45574,
    /// GB/T 35273-2020 Appendix B.
    Gb35273,
}

impl Framework {
    pub fn name(self) -> &'static str {
        match self {
            Framework::Gb45574 => "GB/T 45574-2025",
            Framework::Gb35273 => "GB/T 35273-2020 Appendix B",
        }
    }
}

/// Sensitivity of an item under one framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    Sensitive,
    /// Sensitive in some contexts only (the item's note says which).
    Conditional,
    NotListed,
}

/// A category named in PIPL Art. 28 ¶1.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pipl28Category {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A category of GB/T 35273-2020 Table A.1 (or the CAC Q&A's additions).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub source: String,
    pub items: Vec<Item>,
}

/// An item (`category.item`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub pipl28: Option<String>,
    pub gb45574: Sensitivity,
    pub gb35273: Sensitivity,
    #[serde(default)]
    pub note: Option<String>,
}

impl Item {
    pub fn sensitivity(&self, f: Framework) -> Sensitivity {
        match f {
            Framework::Gb45574 => self.gb45574,
            Framework::Gb35273 => self.gb35273,
        }
    }

    /// Sensitive (or possibly so) under the framework or under PIPL Art. 28 itself.
    pub fn may_be_sensitive(&self, f: Framework) -> bool {
        self.pipl28.is_some() || self.sensitivity(f) != Sensitivity::NotListed
    }
}

impl Taxonomy {
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.categories.iter().flat_map(|c| c.items.iter())
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items().find(|i| i.id == id)
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// The items an inventory reference names: an item id names itself, a category id all
    /// of its items. `None` when the id is unknown.
    pub fn resolve(&self, id: &str) -> Option<Vec<&Item>> {
        if let Some(i) = self.item(id) {
            return Some(vec![i]);
        }
        self.category(id).map(|c| c.items.iter().collect())
    }

    /// Every valid reference (category and item ids), for suggestions in errors.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.categories.iter().flat_map(|c| {
            std::iter::once(c.id.as_str()).chain(c.items.iter().map(|i| i.id.as_str()))
        })
    }
}
