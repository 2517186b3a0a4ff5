//! The named facts a profile gives to applicability conditions, with what each means and
//! which profile field it comes from (so "cannot tell" can say what to fill in).
//!
//! A fact is unknown when the profile is silent about it: an activity-derived fact is
//! unknown when no activities are listed; a head-count fact is unknown when the count is
//! absent. Unknown facts make a condition "cannot tell", never a silent "no".

use crate::condition::{Facts, Truth};
use crate::inventory::{Activity, LegalBasis, Profile, RecipientRole, Subject};
use crate::law::{Framework, Law};

/// Whether a fact is a flag or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Flag,
    Number,
}

/// One fact of the vocabulary.
#[derive(Debug, Clone, Copy)]
pub struct FactDef {
    pub name: &'static str,
    pub kind: Kind,
    pub meaning: &'static str,
    /// The profile field(s) it comes from.
    pub field: &'static str,
}

const fn flag(name: &'static str, meaning: &'static str, field: &'static str) -> FactDef {
    FactDef {
        name,
        kind: Kind::Flag,
        meaning,
        field,
    }
}

const fn number(name: &'static str, meaning: &'static str, field: &'static str) -> FactDef {
    FactDef {
        name,
        kind: Kind::Number,
        meaning,
        field,
    }
}

/// The processor-level facts.
pub const FACTS: &[FactDef] = &[
    flag("consent_basis", "an activity relies on consent (PIPL 13 (一))", "activities[].legal_basis"),
    flag("non_consent_basis", "an activity relies on PIPL 13 (二)–(七)", "activities[].legal_basis"),
    flag("offline_collection", "PI is collected offline or by phone", "activities[].channels"),
    flag("online_collection", "PI is collected online", "activities[].channels"),
    flag("notice_exemption", "an activity processes without notice (PIPL 18)", "activities[].notice_exempt"),
    flag("joint_processing", "PI is processed jointly with another processor", "activities[].recipients[].role"),
    flag("entrusted_processing", "processing is entrusted to a trustee", "activities[].recipients[].role"),
    flag("provision_to_others", "PI is provided to another processor", "activities[].recipients[].role"),
    flag("restructuring_transfer", "PI was transferred because of a merger, division, etc.", "restructuring_transfers"),
    flag("automated_decisions", "PI is used for automated decision-making", "activities[].automated_decisions"),
    flag("personalised_push", "personalised push or commercial marketing", "activities[].automated_decisions.personalised_push"),
    flag("public_disclosure", "PI is publicly disclosed", "activities[].public_disclosure"),
    flag("public_cameras", "image-capture or identification devices in public places", "activities[].public_cameras"),
    flag("published_pi", "already-published PI is processed", "activities[].published_pi"),
    flag("sensitive_pi", "sensitive PI is processed (PIPL 28; default framework GB/T 45574-2025)", "activities[].categories, headcounts.sensitive"),
    flag("minors_under_14", "PI of minors under 14 is processed", "headcounts.under_14, activities[].subjects"),
    flag("minors", "PI of minors (under 18) is processed", "headcounts.under_18, activities[].subjects"),
    flag("provision_on_consent", "one activity both provides PI to others and relies on consent", "activities[]"),
    flag("sensitive_on_consent", "one activity both processes sensitive PI and relies on consent", "activities[]"),
    flag("minors_on_consent", "one activity both processes PI of under-14s and relies on consent", "activities[]"),
    flag("cross_border", "PI is provided outside the territory", "activities[].cross_border"),
    flag("cii_operator", "critical information infrastructure operator", "organisation.ciio"),
    flag("important_data", "notified of holding important data", "organisation.important_data"),
    flag("state_organ", "state organ or body administering public affairs (Measures Art. 19)", "organisation.state_organ"),
    flag("foreign_authority_requests", "PI was requested by foreign judicial or enforcement bodies", "foreign_authority_requests"),
    flag("pipo_designated", "a PIPO is designated", "pipo"),
    flag("pipo_required", "1,000,000 or more people (Measures Art. 12)", "headcounts.people"),
    flag("large_platform", "large platform: ≥ 50M registered or ≥ 10M monthly active users, complex business, significant impact (NDSMR 62 (八))", "platform"),
    flag("incidents", "PI security incidents are recorded", "incidents"),
    number("people", "people whose PI is currently processed", "headcounts.people"),
    number("sensitive_people", "people whose sensitive PI is processed", "headcounts.sensitive"),
    number("under_14", "minors under 14 whose PI is processed", "headcounts.under_14"),
    number("under_18", "minors under 18 whose PI is processed", "headcounts.under_18"),
    number("registered_users", "registered platform users", "platform.registered_users"),
    number("monthly_active_users", "monthly active platform users", "platform.monthly_active_users"),
];

/// Looks a fact up by name.
pub fn def(name: &str) -> Option<&'static FactDef> {
    FACTS.iter().find(|f| f.name == name)
}

/// The facts of one profile.
pub struct ProfileFacts<'a> {
    pub profile: &'a Profile,
    pub framework: Framework,
}

impl<'a> ProfileFacts<'a> {
    pub fn new(profile: &'a Profile) -> Self {
        ProfileFacts {
            profile,
            framework: Law::get().taxonomy.default_framework,
        }
    }

    /// A flag derived from the activities: unknown when none are listed.
    fn any_activity(&self, f: impl Fn(&Activity) -> bool) -> Truth {
        let acts = &self.profile.activities;
        if acts.is_empty() {
            Truth::Unknown
        } else {
            Truth::from(acts.iter().any(f))
        }
    }

    /// True when an activity says yes, false when every activity says no, unknown otherwise
    /// (some say nothing, or none are listed).
    fn any_activity_says(&self, says: impl Fn(&Activity) -> Option<bool>) -> Truth {
        let acts = &self.profile.activities;
        if acts.iter().any(|a| says(a) == Some(true)) {
            Truth::True
        } else if acts.is_empty() || acts.iter().any(|a| says(a).is_none()) {
            Truth::Unknown
        } else {
            Truth::False
        }
    }

    /// True when an activity lists something in an optional list, false when every
    /// activity gives it empty, unknown otherwise (some leave it out, or none are listed).
    fn any_activity_listed<T>(&self, list: impl Fn(&Activity) -> &Option<Vec<T>>) -> Truth {
        let acts = &self.profile.activities;
        if acts
            .iter()
            .any(|a| list(a).as_ref().is_some_and(|l| !l.is_empty()))
        {
            Truth::True
        } else if acts.is_empty() || acts.iter().any(|a| list(a).is_none()) {
            Truth::Unknown
        } else {
            Truth::False
        }
    }

    fn has_role(&self, role: RecipientRole) -> Truth {
        self.any_activity(|a| a.recipients.iter().any(|r| r.role == role))
    }

    /// Whether a taxonomy reference may be sensitive under the framework or PIPL 28.
    pub fn category_sensitive(&self, id: &str) -> bool {
        Law::get()
            .taxonomy
            .resolve(id)
            .is_some_and(|items| items.iter().any(|i| i.may_be_sensitive(self.framework)))
    }

    /// An activity processes sensitive PI (including PI of under-14s).
    pub fn activity_sensitive(&self, a: &Activity) -> bool {
        a.categories.iter().any(|c| self.category_sensitive(c))
            || a.subjects.contains(&Subject::MinorsUnder14)
    }

    /// A count fact combined with what activities declare: true if either says so,
    /// false if the count is zero or absent while activities are listed and declare nothing.
    fn count_or_declared(
        &self,
        count: Option<u64>,
        declared: Truth,
        unknown_without_count: bool,
    ) -> Truth {
        match (count, declared) {
            (Some(n), _) if n > 0 => Truth::True,
            (_, Truth::True) => Truth::True,
            (Some(_), _) => Truth::False,
            (None, Truth::False) if !unknown_without_count => Truth::False,
            _ => Truth::Unknown,
        }
    }

    fn large_platform(&self) -> Truth {
        let t = &Law::get().thresholds;
        let Some(pl) = &self.profile.platform else {
            // No platform section: unknown, unless the head-count rules it out — every
            // registered or monthly active user is a person whose PI is processed, so
            // fewer people than either threshold cannot make a large platform.
            let least = t
                .value("large_platform_registered_users")
                .min(t.value("large_platform_monthly_active"));
            return match self.profile.headcounts.people {
                Some(n) if n < least => Truth::False,
                _ => Truth::Unknown,
            };
        };
        let reg = pl
            .registered_users
            .map(|n| n >= t.value("large_platform_registered_users"));
        let mau = pl
            .monthly_active_users
            .map(|n| n >= t.value("large_platform_monthly_active"));
        let users = match (reg, mau) {
            (Some(true), _) | (_, Some(true)) => Truth::True,
            (Some(false), Some(false)) => Truth::False,
            _ => Truth::Unknown,
        };
        and3(&[
            users,
            pl.complex_business_types.into(),
            pl.significant_impact.into(),
        ])
    }
}

/// The activity relies on consent.
fn on_consent(a: &Activity) -> bool {
    a.legal_basis.contains(&LegalBasis::Consent)
}

/// The activity declares PI of under-14s (as subjects or as a category).
fn declares_under_14(a: &Activity) -> bool {
    a.subjects.contains(&Subject::MinorsUnder14)
        || a.categories.iter().any(|c| c == "other.minor_under_14")
}

/// A list the profile may leave out: true when it lists something, false when it is
/// given empty, unknown when the key is missing.
fn listed<T>(list: &Option<Vec<T>>) -> Truth {
    list.as_ref().map(|l| !l.is_empty()).into()
}

/// Three-valued conjunction.
pub fn and3(ts: &[Truth]) -> Truth {
    if ts.contains(&Truth::False) {
        Truth::False
    } else if ts.contains(&Truth::Unknown) {
        Truth::Unknown
    } else {
        Truth::True
    }
}

impl Facts for ProfileFacts<'_> {
    fn flag(&self, name: &str) -> Truth {
        let p = self.profile;
        match name {
            "consent_basis" => self.any_activity(|a| a.legal_basis.contains(&LegalBasis::Consent)),
            "non_consent_basis" => {
                self.any_activity(|a| a.legal_basis.iter().any(|b| *b != LegalBasis::Consent))
            }
            "offline_collection" => {
                self.any_activity(|a| a.channels.iter().any(|c| !c.is_online()))
            }
            "online_collection" => self.any_activity(|a| a.channels.iter().any(|c| c.is_online())),
            "notice_exemption" => self.any_activity_says(|a| a.notice_exempt),
            "joint_processing" => self.has_role(RecipientRole::Joint),
            "entrusted_processing" => self.has_role(RecipientRole::Entrusted),
            "provision_to_others" => self.has_role(RecipientRole::ThirdParty),
            "restructuring_transfer" => listed(&p.restructuring_transfers),
            "automated_decisions" => self.any_activity(|a| a.automated_decisions.is_some()),
            "personalised_push" => self.any_activity(|a| {
                a.automated_decisions
                    .as_ref()
                    .is_some_and(|d| d.personalised_push == Some(true))
            }),
            "public_disclosure" => self.any_activity_says(|a| a.public_disclosure),
            "public_cameras" => self.any_activity(|a| a.public_cameras.is_some()),
            "published_pi" => self.any_activity_says(|a| a.published_pi),
            "sensitive_pi" => {
                let declared = self.any_activity(|a| self.activity_sensitive(a));
                self.count_or_declared(p.headcounts.sensitive, declared, false)
            }
            "minors_under_14" => {
                let declared = self.any_activity(declares_under_14);
                self.count_or_declared(p.headcounts.under_14, declared, false)
            }
            "minors" => {
                let declared = self.any_activity(|a| {
                    a.subjects.contains(&Subject::MinorsUnder14)
                        || a.subjects.contains(&Subject::Minors14To17)
                });
                // The minors' regulation applies whether or not minors are identified
                // (CAC Q&A 2026-04 Q3): without a count, hegui cannot say no.
                self.count_or_declared(p.headcounts.under_18, declared, true)
            }
            "provision_on_consent" => self.any_activity(|a| {
                on_consent(a)
                    && a.recipients
                        .iter()
                        .any(|r| r.role == RecipientRole::ThirdParty)
            }),
            "sensitive_on_consent" => {
                self.any_activity(|a| on_consent(a) && self.activity_sensitive(a))
            }
            "minors_on_consent" => {
                let declared = self.any_activity(|a| on_consent(a) && declares_under_14(a));
                // Under-14s counted but tied to no activity: hegui cannot say which basis applies.
                match (
                    declared,
                    self.flag("minors_under_14"),
                    self.flag("consent_basis"),
                ) {
                    (Truth::True, ..) => Truth::True,
                    (_, Truth::False, _) | (_, _, Truth::False) => Truth::False,
                    (Truth::False, Truth::True, _)
                        if !self.profile.activities.iter().any(declares_under_14) =>
                    {
                        Truth::Unknown
                    }
                    (d, ..) => d,
                }
            }
            "cross_border" => self.any_activity_listed(|a| &a.cross_border),
            "cii_operator" => p.organisation.ciio.into(),
            "important_data" => p.organisation.important_data.into(),
            "state_organ" => Truth::from(p.organisation.state_organ.unwrap_or(false)),
            "foreign_authority_requests" => p.foreign_authority_requests.map(|n| n > 0).into(),
            "pipo_designated" => Truth::from(p.pipo.is_some()),
            "pipo_required" => p
                .headcounts
                .people
                .map(|n| n >= Law::get().thresholds.value("pipo_people"))
                .into(),
            "large_platform" => self.large_platform(),
            "incidents" => listed(&p.incidents),
            _ => Truth::Unknown,
        }
    }

    fn number(&self, name: &str) -> Option<u64> {
        let h = &self.profile.headcounts;
        let pl = self.profile.platform.as_ref();
        match name {
            "people" => h.people,
            "sensitive_people" => h.sensitive,
            "under_14" => h.under_14,
            "under_18" => h.under_18,
            "registered_users" => pl.and_then(|p| p.registered_users),
            "monthly_active_users" => pl.and_then(|p| p.monthly_active_users),
            _ => None,
        }
    }

    fn threshold(&self, id: &str) -> Option<u64> {
        Law::get().thresholds.threshold(id).map(|t| t.value)
    }
}

/// `1234567` → `1,234,567`.
pub fn fmt_count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The facts a condition mentions, with their values, and the thresholds it compares with:
/// "people = 3,200,000; threshold 10,000,000 (处理超过1000万人个人信息)".
pub fn explain(facts: &ProfileFacts, condition: &str) -> String {
    let Ok(expr) = crate::condition::Expr::parse(condition) else {
        return String::new();
    };
    let mut parts: Vec<String> = Vec::new();
    for name in expr.facts() {
        let is_number = def(name).is_some_and(|d| d.kind == Kind::Number);
        let text = if is_number {
            match facts.number(name) {
                Some(n) => format!("{name} = {}", fmt_count(n)),
                None => format!("{name} = unknown"),
            }
        } else {
            match facts.flag(name) {
                Truth::True => format!("{name} = yes"),
                Truth::False => format!("{name} = no"),
                Truth::Unknown => format!("{name} = unknown"),
            }
        };
        if !parts.contains(&text) {
            parts.push(text);
        }
    }
    for t in expr.thresholds() {
        if let Some(th) = Law::get().thresholds.threshold(t) {
            let text = format!("threshold {} ({})", fmt_count(th.value), th.wording_zh);
            if !parts.contains(&text) {
                parts.push(text);
            }
        }
    }
    parts.join("; ")
}
