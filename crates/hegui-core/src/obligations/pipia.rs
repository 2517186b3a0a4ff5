//! PIPIA (PIPL Arts. 55–56): which activities need an impact assessment beforehand (the
//! triggers of `law/obligations.toml`), whether a PIPIA record covers each, and how long
//! each report must be kept (3 years).

use jiff::Span;

use super::{Ctx, Finding, Obligation, Status};
use crate::condition::{Expr, Facts, Truth};
use crate::inventory::{declared, Activity, RecipientRole};
use crate::messages::{msg, msg_t};
use crate::text::Text;

struct ActivityFacts<'a> {
    ctx: &'a Ctx<'a>,
    activity: &'a Activity,
}

impl Facts for ActivityFacts<'_> {
    fn flag(&self, name: &str) -> Truth {
        let a = self.activity;
        let role = |r: RecipientRole| a.recipients.iter().any(|x| x.role == r);
        match name {
            "activity_cross_border" => {
                return a.cross_border.as_ref().map(|l| !l.is_empty()).into()
            }
            "activity_discloses" => return a.public_disclosure.into(),
            "activity_automated" => return declared(&a.automated_decisions).into(),
            _ => {}
        }
        Truth::from(match name {
            "activity_sensitive" => self.ctx.facts.activity_sensitive(a),
            "activity_entrusts" => role(RecipientRole::Entrusted),
            "activity_provides" => role(RecipientRole::ThirdParty) || role(RecipientRole::Joint),
            other => return self.ctx.facts.flag(other),
        })
    }
    fn number(&self, name: &str) -> Option<u64> {
        self.ctx.facts.number(name)
    }
    fn threshold(&self, id: &str) -> Option<u64> {
        self.ctx.facts.threshold(id)
    }
}

/// The activity-level fact names (for the law-data tests).
pub const ACTIVITY_FACTS: &[&str] = &[
    "activity_sensitive",
    "activity_automated",
    "activity_entrusts",
    "activity_provides",
    "activity_discloses",
    "activity_cross_border",
];

pub(super) fn evaluate(ctx: &Ctx) -> Vec<Obligation> {
    let mut out = Vec::new();
    for a in &ctx.profile.activities {
        let facts = ActivityFacts { ctx, activity: a };
        let outcomes: Vec<_> = ctx
            .law
            .obligations
            .pipia_triggers
            .iter()
            .map(|t| {
                let o = Expr::parse(&t.when)
                    .unwrap_or_else(|e| panic!("law data: {e}"))
                    .eval(&facts);
                (t, o)
            })
            .collect();
        let triggers: Vec<_> = outcomes
            .iter()
            .filter(|(_, o)| o.truth == Truth::True)
            .map(|(t, _)| *t)
            .collect();
        if triggers.is_empty() {
            // A trigger the profile cannot decide: the obligation is "cannot tell".
            if let Some((t, o)) = outcomes.iter().find(|(_, o)| o.truth == Truth::Unknown) {
                let mut ob = before_processing(
                    a,
                    t,
                    msg_t(
                        "impact.cannot_tell",
                        &[],
                        &[("trigger", &Text::new(&t.title_zh, &t.title_en))],
                    ),
                    None,
                    super::missing_fields(o),
                );
                ob.status = Status::CannotTell;
                out.push(ob);
            }
            continue;
        }
        let reasons: Vec<Text> = triggers
            .iter()
            .map(|t| Text::new(&t.title_zh, &t.title_en))
            .collect();
        let mut detail = msg_t(
            "impact.triggered",
            &[],
            &[("triggers", &Text::join(&reasons))],
        );
        let Some(all) = &ctx.profile.pipia_records else {
            // The profile does not list its assessments: whether one covers it is unknown.
            detail.then(msg("impact.records_unknown", &[]));
            out.push(before_processing(
                a,
                triggers[0],
                detail,
                None,
                vec!["pipia_records".into()],
            ));
            continue;
        };
        let records: Vec<_> = all
            .iter()
            .filter(|r| r.scope.iter().any(|s| s == &a.id))
            .collect();
        let finding = if records.is_empty() {
            detail.then(msg("impact.not_covered", &[]));
            Finding::Gap
        } else {
            let ids: Vec<String> = records
                .iter()
                .map(|r| format!("{} ({})", r.id, r.date))
                .collect();
            detail.then(msg("impact.covered", &[("records", &ids.join(", "))]));
            Finding::Met
        };
        out.push(before_processing(
            a,
            triggers[0],
            detail,
            Some(finding),
            vec![],
        ));
    }
    let keep = ctx.law.thresholds.get("pipia_retention");
    for r in ctx.profile.pipia_records.iter().flatten() {
        let until = r
            .date
            .checked_add(Span::new().years(keep.amount()))
            .unwrap_or(r.date);
        let ended = until < ctx.as_of;
        out.push(Obligation {
            id: "pipia.retention".into(),
            subject: Some(format!("PIPIA {} ({})", r.id, r.date)),
            title_en: "Keep the PIPIA report and processing records".into(),
            title_zh: "个人信息保护影响评估报告和处理情况记录至少保存三年".into(),
            status: Status::Applies,
            advisory: false,
            due: Some(until.to_string()),
            finding: Some(if ended {
                Finding::Met
            } else {
                Finding::Standing
            }),
            detail: msg(
                if ended {
                    "impact.retention_ended"
                } else {
                    "impact.retention_until"
                },
                &[("years", &keep.amount()), ("until", &until)],
            ),
            missing: vec![],
            cites: vec![keep.cite.clone()],
        });
    }
    out
}

/// The PIPIA obligation of one activity, with what the profile shows of it.
fn before_processing(
    a: &Activity,
    trigger: &crate::law::PipiaTrigger,
    detail: Text,
    finding: Option<Finding>,
    missing: Vec<String>,
) -> Obligation {
    Obligation {
        id: "pipia.before_processing".into(),
        subject: Some(format!("activity {}", a.id)),
        title_en: "Personal information protection impact assessment beforehand".into(),
        title_zh: "事前进行个人信息保护影响评估".into(),
        status: Status::Applies,
        advisory: false,
        due: None,
        finding,
        detail,
        missing,
        cites: trigger.cites.clone(),
    }
}
