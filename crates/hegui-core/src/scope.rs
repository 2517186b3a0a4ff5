//! The scope of an audit of a processor: each of the Guideline's 111 checkpoints is in
//! scope, out of scope (with the facts that exclude it), or cannot be decided (naming the
//! profile fields that are missing). Engagements start from this and record the auditor's
//! own additions and exclusions.

use serde::Serialize;

use crate::condition::{Expr, Truth};
use crate::facts::{self, ProfileFacts};
use crate::inventory::Profile;
use crate::law::Law;
use crate::text::Text;

/// Whether a checkpoint is in scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InScope {
    Yes,
    No,
    CannotTell,
}

impl InScope {
    pub fn label(self) -> &'static str {
        match self {
            InScope::Yes => "in scope",
            InScope::No => "out of scope",
            InScope::CannotTell => "cannot tell",
        }
    }
}

/// One checkpoint's scoping.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeItem {
    pub id: String,
    pub area: u8,
    pub area_title_zh: String,
    pub area_title_en: String,
    pub text_zh: String,
    pub text_en: String,
    pub in_scope: InScope,
    /// The applicability condition.
    pub condition: String,
    /// The facts that decided, as the profile gives them, in words.
    pub reason: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// The scope of an audit.
#[derive(Debug, Clone, Serialize)]
pub struct Scope {
    pub processor: String,
    pub catalog: String,
    /// False for state organs (Measures Art. 19): the Measures do not apply.
    pub measures_apply: bool,
    pub items: Vec<ScopeItem>,
}

impl Scope {
    pub fn count(&self, s: InScope) -> usize {
        self.items.iter().filter(|i| i.in_scope == s).count()
    }
}

/// Computes the scope from a profile.
pub fn compute(profile: &Profile) -> Scope {
    let law = Law::get();
    let facts = ProfileFacts::new(profile);
    let items = law
        .guideline
        .checkpoints()
        .map(|(area, cp)| {
            let condition = cp.condition(area);
            let outcome = Expr::parse(&condition)
                .unwrap_or_else(|e| panic!("law data: {e}"))
                .eval(&facts);
            let in_scope = match outcome.truth {
                Truth::True => InScope::Yes,
                Truth::False => InScope::No,
                Truth::Unknown => InScope::CannotTell,
            };
            let reason = facts::explain(&facts, &condition);
            ScopeItem {
                id: cp.id.clone(),
                area: area.item,
                area_title_zh: area.title_zh.clone(),
                area_title_en: area.title_en.clone(),
                text_zh: cp.text_zh.clone(),
                text_en: cp.text_en.clone(),
                in_scope,
                condition,
                reason,
                missing: crate::obligations::missing_fields(&outcome),
            }
        })
        .collect();
    Scope {
        processor: profile.organisation.name.clone(),
        catalog: law.guideline.id.clone(),
        measures_apply: facts::state_organ(&profile.organisation) != Truth::True,
        items,
    }
}
