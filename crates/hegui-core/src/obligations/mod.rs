//! The obligations engine: from a profile and a date, every obligation with its status
//! (applies / does not apply / cannot tell, naming what is missing), its due date where it
//! has one, what the profile shows about meeting it, and its citations.
//!
//! The rules are data (`law/obligations.toml`, `law/thresholds.toml`); this module holds
//! only the arithmetic: [`schedule`] for processor-level due dates, [`cross_border`] for
//! the per-transfer mechanism, [`incidents`] for reporting clocks and ordered-audit
//! triggers, [`pipia`] for impact-assessment triggers and retention.

mod cross_border;
mod incidents;
pub mod pipia;
mod schedule;

use jiff::civil::Date;
use serde::Serialize;

use crate::calendar::Calendar;
use crate::condition::{Expr, Outcome, Truth};
use crate::facts::{self, ProfileFacts};
use crate::inventory::Profile;
use crate::law::{Citation, Law};
use crate::messages::msg;
use crate::text::Text;

/// Whether an obligation applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Applies,
    DoesNotApply,
    CannotTell,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Applies => "applies",
            Status::DoesNotApply => "does not apply",
            Status::CannotTell => "cannot tell",
        }
    }
}

impl From<Truth> for Status {
    fn from(t: Truth) -> Status {
        match t {
            Truth::True => Status::Applies,
            Truth::False => Status::DoesNotApply,
            Truth::Unknown => Status::CannotTell,
        }
    }
}

/// What the profile shows about meeting an obligation that applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// Met, as far as the profile shows.
    Met,
    /// Not yet due.
    Upcoming,
    /// Past its due date without evidence it was met.
    Overdue,
    /// Something the law requires is missing (no mechanism, no PIPIA, no body).
    Gap,
    /// A duty without a date to check (e.g. "on merger, report").
    Standing,
}

impl Finding {
    pub fn label(self) -> &'static str {
        match self {
            Finding::Met => "met",
            Finding::Upcoming => "upcoming",
            Finding::Overdue => "OVERDUE",
            Finding::Gap => "GAP",
            Finding::Standing => "standing duty",
        }
    }
}

/// One computed obligation.
#[derive(Debug, Clone, Serialize)]
pub struct Obligation {
    pub id: String,
    /// What the obligation is about when it is per item (a transfer, an incident, an activity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub title_en: String,
    pub title_zh: String,
    pub status: Status,
    pub advisory: bool,
    /// The due date (YYYY-MM-DD) or due time (YYYY-MM-DDTHH:MM, China Standard Time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finding: Option<Finding>,
    /// Why: the facts that decided, and how the date was computed (Chinese and English).
    pub detail: Text,
    /// Profile fields to fill in for a definite answer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    pub cites: Vec<Citation>,
}

/// The whole computation.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub processor: String,
    pub as_of: Date,
    pub people: Option<u64>,
    pub obligations: Vec<Obligation>,
}

/// Everything a rule evaluation needs.
pub(crate) struct Ctx<'a> {
    pub profile: &'a Profile,
    pub facts: ProfileFacts<'a>,
    pub calendar: &'a Calendar,
    pub as_of: Date,
    pub law: &'static Law,
}

impl Ctx<'_> {
    /// Evaluates a condition from the law data (validated by tests, so it parses).
    pub fn eval(&self, condition: &str) -> Outcome {
        Expr::parse(condition)
            .unwrap_or_else(|e| panic!("law data: {e}"))
            .eval(&self.facts)
    }
}

/// A dated duty: met if done by `due`, overdue if done late or not done once `due` has
/// passed, upcoming otherwise.
pub(crate) fn by_deadline<T: PartialOrd>(done: Option<T>, due: T, past_due: bool) -> Finding {
    match done {
        Some(d) if d <= due => Finding::Met,
        Some(_) => Finding::Overdue,
        None if past_due => Finding::Overdue,
        None => Finding::Upcoming,
    }
}

/// The profile fields behind missing facts.
pub fn missing_fields(o: &Outcome) -> Vec<String> {
    o.missing
        .iter()
        .map(|m| match facts::def(m) {
            Some(d) => d.field.clone(),
            None => m.clone(),
        })
        .collect()
}

/// Computes every obligation of a processor as of a date.
pub fn compute(profile: &Profile, as_of: Date, calendar: &Calendar) -> Report {
    let ctx = Ctx {
        profile,
        facts: ProfileFacts::new(profile),
        calendar,
        as_of,
        law: Law::get(),
    };
    let mut out = Vec::new();
    match facts::state_organ(&profile.organisation) {
        Truth::True => out.push(state_organ_note()),
        Truth::Unknown => {
            let mut note = state_organ_note();
            note.status = Status::CannotTell;
            note.detail = msg("state_organ.unknown", &[]);
            note.missing = vec!["organisation.state_organ".into()];
            out.push(note);
        }
        Truth::False => {}
    }
    for def in &ctx.law.obligations.obligations {
        out.push(schedule::evaluate(&ctx, def));
    }
    out.extend(cross_border::evaluate(&ctx));
    out.extend(incidents::evaluate(&ctx));
    out.extend(pipia::evaluate(&ctx));
    Report {
        processor: profile.organisation.name.clone(),
        as_of,
        people: profile.headcounts.people,
        obligations: out,
    }
}

fn state_organ_note() -> Obligation {
    Obligation {
        id: "measures.excluded".into(),
        subject: None,
        title_en: "The Audit Measures do not apply to state organs".into(),
        title_zh: "对国家机关和法律、法规授权的具有管理公共事务职能的组织的个人信息保护合规审计，不适用本办法".into(),
        status: Status::Applies,
        advisory: false,
        due: None,
        finding: None,
        detail: msg("state_organ.excluded", &[]),
        missing: vec![],
        cites: vec![Citation::parse("MEASURES 19").expect("static citation")],
    }
}
