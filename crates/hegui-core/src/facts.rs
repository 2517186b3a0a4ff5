//! The named facts a profile gives to applicability conditions. What each means, how a
//! report says it and which profile field it comes from (so "cannot tell" can say what to
//! fill in) are law data: `law/facts.toml`.
//!
//! A fact is unknown when the profile is silent about it: an activity-derived fact is
//! unknown when no activities are listed; a head-count fact is unknown when the count is
//! absent. Unknown facts make a condition "cannot tell", never a silent "no".

use crate::condition::{Expr, Facts, Truth, Value};
use crate::inventory::{
    declared, Activity, LegalBasis, Organisation, Profile, RecipientRole, Subject,
};
use crate::law::{FactKind, FactLabel, Framework, Law};
use crate::text::Text;

/// A fact's labels and profile field (from `law/facts.toml`).
pub fn def(name: &str) -> Option<&'static FactLabel> {
    Law::get().fact(name)
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

/// A state organ (Measures Art. 19): as the profile says; when it says nothing, an
/// enterprise's credit code (registration authority 9, 工商: GB 32100-2015) rules it out.
pub fn state_organ(o: &Organisation) -> Truth {
    match o.state_organ {
        Some(b) => b.into(),
        None if o.uscc.as_deref().is_some_and(|c| c.starts_with('9')) => Truth::False,
        None => Truth::Unknown,
    }
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
            "automated_decisions" => self.any_activity_says(|a| declared(&a.automated_decisions)),
            "personalised_push" => self.any_activity_says(|a| match &a.automated_decisions {
                None => None,
                Some(d) => d.get().map_or(Some(false), |d| d.personalised_push),
            }),
            "public_disclosure" => self.any_activity_says(|a| a.public_disclosure),
            "public_cameras" => self.any_activity_says(|a| declared(&a.public_cameras)),
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
            "state_organ" => state_organ(&p.organisation),
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

/// Why a condition came out as it did: each fact it mentions as the profile gives it,
/// then the thresholds it compares with, in Chinese and English —
/// "处理个人信息的自然人数量：3,200,000；标准：处理超过1000万人个人信息（10,000,000）".
pub fn explain(facts: &dyn Facts, condition: &str) -> Text {
    let Ok(expr) = Expr::parse(condition) else {
        return Text::default();
    };
    let mut parts: Vec<Text> = Vec::new();
    let mut push = |t: Text| {
        if !parts.contains(&t) {
            parts.push(t);
        }
    };
    for name in expr.facts() {
        let Some(d) = def(name) else { continue };
        push(match d.kind {
            FactKind::Number => number_text(d, facts.number(name)),
            FactKind::Flag => flag_text(d, facts.flag(name)),
        });
    }
    for t in expr.thresholds() {
        if let Some(th) = Law::get().thresholds.threshold(t) {
            let n = fmt_count(th.value);
            push(Text::new(
                format!("标准：{}（{n}）", th.wording_zh),
                format!("threshold {n} ({})", th.cite.display_en()),
            ));
        }
    }
    if parts.is_empty() && expr == Expr::Const(true) {
        return Text::new("适用于所有个人信息处理者", "applies to every processor");
    }
    Text::join(&parts)
}

/// A flag as the profile gives it.
fn flag_text(d: &FactLabel, t: Truth) -> Text {
    let not = |zh: &Option<String>| zh.clone().unwrap_or_default();
    match t {
        Truth::True => Text::new(&d.zh, &d.en),
        Truth::False => Text::new(not(&d.not_zh), not(&d.not_en)),
        Truth::Unknown => Text::new(
            format!("是否{}：画像未载明", d.zh),
            format!("not known whether {}", subject_en(&d.en)),
        ),
    }
}

/// A number as the profile gives it.
fn number_text(d: &FactLabel, n: Option<u64>) -> Text {
    match n {
        Some(n) => Text::new(
            format!("{}：{}", d.zh, fmt_count(n)),
            format!("{}: {}", d.en, fmt_count(n)),
        ),
        None => Text::new(
            format!("{}：画像未载明", d.zh),
            format!("{}: unknown", d.en),
        ),
    }
}

/// An English flag label as a clause: "processes PI…" → "it processes PI…"; labels that
/// name their own subject ("the activity …", "the transfer …") stay as they are.
fn subject_en(en: &str) -> String {
    if en.starts_with("the ") {
        en.to_string()
    } else {
        format!("it {en}")
    }
}

/// A condition in words, for the catalog's "applies when" column:
/// `cross_border and not cii_operator` → "向境外提供个人信息，且不属于关键信息基础设施运营者".
pub fn describe(condition: &str) -> Text {
    match Expr::parse(condition) {
        Ok(Expr::Const(true)) => Text::new("适用于所有个人信息处理者", "every processor"),
        Ok(e) => describe_expr(&e),
        Err(_) => Text::new(condition, condition),
    }
}

fn describe_expr(e: &Expr) -> Text {
    let label = |n: &str| def(n).map(|d| Text::new(&d.zh, &d.en));
    let unknown = |n: &str| Text::new(n, n);
    match e {
        Expr::Const(b) => Text::new(if *b { "是" } else { "否" }, b.to_string()),
        Expr::Flag(n) => label(n).unwrap_or_else(|| unknown(n)),
        Expr::Not(inner) => match inner.as_ref() {
            Expr::Flag(n) => def(n)
                .map(|d| {
                    Text::new(
                        d.not_zh.clone().unwrap_or_default(),
                        d.not_en.clone().unwrap_or_default(),
                    )
                })
                .unwrap_or_else(|| unknown(n)),
            other => {
                let t = describe_expr(other);
                Text::new(format!("并非（{}）", t.zh), format!("not ({})", t.en))
            }
        },
        Expr::And(a, b) => {
            let (a, b) = (describe_expr(a), describe_expr(b));
            Text::new(
                format!("{}，且{}", a.zh, b.zh),
                format!("{} and {}", a.en, b.en),
            )
        }
        Expr::Or(a, b) => {
            let (a, b) = (describe_expr(a), describe_expr(b));
            Text::new(
                format!("{}，或者{}", a.zh, b.zh),
                format!("{} or {}", a.en, b.en),
            )
        }
        Expr::Compare(n, cmp, v) => {
            let l = label(n).unwrap_or_else(|| unknown(n));
            let v = match v {
                Value::Number(x) => fmt_count(*x),
                Value::Threshold(t) => Law::get()
                    .thresholds
                    .threshold(t)
                    .map(|t| fmt_count(t.value))
                    .unwrap_or_else(|| t.clone()),
            };
            let op = cmp.symbol_math();
            Text::new(format!("{} {op} {v}", l.zh), format!("{} {op} {v}", l.en))
        }
    }
}
