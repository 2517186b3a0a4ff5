//! Who I am and what I reach; an engagement's overview (the dashboard's data). The
//! dashboard page is rendered from the same [`Overview`], so page and API agree.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use hegui_audit::members::{self, Role};
use hegui_audit::store::Store;
use hegui_audit::workpaper::Conclusion;
use hegui_audit::{findings, AuditError};
use hegui_core::obligations::Status;
use jiff::civil::Date;
use serde::Serialize;
use utoipa::ToSchema;

use super::{grant, with_member, ApiError, ApiResult, Does};
use crate::access::{today, Target};
use crate::ledger::working_days_left;
use crate::session::blocking;
use crate::AppState;

/// An engagement as a member sees it in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EngagementRef {
    pub code: String,
    pub processor: String,
    /// internal, commissioned or ordered.
    pub kind: String,
    /// The member's role: lead, auditor, reviewer, client or viewer.
    pub role: String,
    pub period_start: String,
    pub period_end: String,
    /// The deadline after approved extensions (ordered audits, Measures Art. 9).
    pub deadline: Option<String>,
    pub status: String,
}

/// The token's owner and the engagements the token reaches.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub name: String,
    pub display_name: String,
    /// Whether the token may only read.
    pub read_only: bool,
    /// "My work" in the engagements the token reaches.
    #[serde(flatten)]
    pub work: MyWorkDoc,
}

/// A working paper of an engagement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
pub struct PaperRef {
    pub engagement: String,
    pub checkpoint: String,
}

/// A rectification item falling due, with its engagement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DueItem {
    pub engagement: String,
    pub item: ItemState,
}

/// What is waiting for a person: my engagements and roles, the papers the lead gave me
/// that are not prepared yet, papers waiting for my review, items due within
/// [`DUE_SOON`] working days.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct MyWorkDoc {
    pub engagements: Vec<EngagementRef>,
    pub to_prepare: Vec<PaperRef>,
    pub to_review: Vec<PaperRef>,
    pub items_due: Vec<DueItem>,
    /// Requests waiting for me: sent to me and not yet submitted (a client), or submitted
    /// to the team on a request I made (the lead: any).
    pub requests: Vec<RequestRef>,
}

/// A request waiting for someone, with its engagement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestRef {
    pub engagement: String,
    pub code: String,
    pub title: String,
    /// open, in_progress, returned (the client's turn) or submitted (the team's).
    pub state: String,
    pub due: Option<String>,
    pub overdue: bool,
}

/// Rectification items this close to their due date (in working days) are listed.
pub const DUE_SOON: i64 = 10;

/// My work as of `today`, in the engagements `reach` names (all of them: `None`).
pub(crate) fn my_work(
    store: &Store,
    user: &str,
    today: Date,
    reach: Option<&[String]>,
) -> Result<MyWorkDoc, AuditError> {
    let mut w = MyWorkDoc::default();
    for (code, mem) in members::entries_of(store, user, &today.to_string())? {
        if reach.is_some_and(|r| !r.contains(&code)) {
            continue;
        }
        let t = Target {
            id: mem.id.clone(),
            code: code.clone(),
            user: user.to_string(),
            head: mem.head.clone(),
            len: mem.len,
        };
        let e = crate::cache::engagement(store, &t)?;
        if matches!(mem.role, Role::Lead | Role::Auditor | Role::Reviewer) {
            let papers = crate::cache::papers(store, &t)?;
            for (cp, who) in crate::cache::assignments(store, &t)?.iter() {
                let done = papers
                    .iter()
                    .any(|p| &p.checkpoint == cp && p.status != "draft");
                if who == user && !done {
                    let checkpoint = cp.clone();
                    w.to_prepare.push(PaperRef {
                        engagement: code.clone(),
                        checkpoint,
                    });
                }
            }
            for p in papers.iter() {
                let preparer = p.prepared_by.as_deref() == Some(user);
                if p.status == "prepared" && !preparer && mem.role != Role::Auditor {
                    let checkpoint = p.checkpoint.clone();
                    w.to_review.push(PaperRef {
                        engagement: code.clone(),
                        checkpoint,
                    });
                }
            }
        }
        waiting_requests(store, &t, mem.role, today, &mut w.requests)?;
        for f in &crate::cache::ledger(store, &t)?.findings {
            for i in f.items.iter().filter(|i| i.status != "closed") {
                let item = ItemState::of(&f.code, i, today);
                if item.working_days_left.is_some_and(|n| n <= DUE_SOON) {
                    w.items_due.push(DueItem {
                        engagement: code.clone(),
                        item,
                    });
                }
            }
        }
        w.engagements.push(EngagementRef {
            code,
            processor: e.processor.clone(),
            kind: e.kind.clone(),
            role: mem.role.as_str().to_string(),
            period_start: e.period_start.clone(),
            period_end: e.period_end.clone(),
            deadline: e.effective_deadline.clone(),
            status: e.status.clone(),
        });
    }
    w.to_prepare.sort();
    Ok(w)
}

/// The requests of engagement `t` waiting for its member in `role` (see [`MyWorkDoc`]).
fn waiting_requests(
    store: &Store,
    t: &Target,
    role: Role,
    today: Date,
    out: &mut Vec<RequestRef>,
) -> Result<(), AuditError> {
    use hegui_audit::requests::{timing, State};
    let cal = hegui_core::calendar::Calendar::builtin();
    let all = crate::cache::requests(store, t)?;
    for r in all.iter().filter(|r| r.visible_to(&t.user, role)) {
        let mine = match role {
            Role::Client => r.state.awaiting_client(),
            Role::Lead => r.state == State::Submitted,
            Role::Auditor => r.state == State::Submitted && r.requested_by == t.user,
            _ => false,
        };
        if mine {
            out.push(RequestRef {
                engagement: t.code.clone(),
                overdue: timing::of(r, today, cal).overdue,
                code: r.code.clone(),
                title: r.title.clone(),
                state: r.state.as_str().to_string(),
                due: r.due.clone(),
            });
        }
    }
    Ok(())
}

/// GET /api/v1/me
#[utoipa::path(get, path = "/api/v1/me", tag = "engagements",
    responses((status = 200, body = Me), (status = 401, body = ApiError)),
    security(("token" = [])))]
pub async fn me(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Me> {
    let g = grant(&state, &headers).await?;
    let (store, name, reach) = (
        state.store.clone(),
        g.user.name.clone(),
        g.engagements.clone(),
    );
    let work = blocking(move || my_work(&store, &name, today(), Some(&reach)))
        .await
        .map_err(ApiError::of)?;
    Ok(Json(Me {
        name: g.user.name,
        display_name: g.user.display_name,
        read_only: g.read_only,
        work,
    }))
}

/// In-scope checkpoints by what the scope decision says.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ScopeCounts {
    pub in_scope: usize,
    pub out_of_scope: usize,
    pub cannot_tell: usize,
}

/// Working papers by status.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct PaperCounts {
    pub draft: usize,
    pub prepared: usize,
    pub reviewed: usize,
}

/// An in-scope checkpoint and where its paper stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckpointState {
    pub id: String,
    /// none (nothing written), draft, prepared or reviewed.
    pub paper: String,
    /// compliant, partially_compliant, non_compliant, not_applicable or not_tested.
    #[schema(value_type = String)]
    pub result: Conclusion,
    /// Who prepares it, when the lead assigned it.
    pub assignee: Option<String>,
}

/// A rectification item with the Art. 11 clock.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemState {
    pub finding: String,
    pub seq: i64,
    pub owner: String,
    pub measure: String,
    pub due: String,
    /// open or closed.
    pub status: String,
    /// Working days from today to the due date on the official calendar (negative once
    /// past); absent when closed or outside the calendar.
    pub working_days_left: Option<i64>,
    pub overdue: bool,
    pub closed_on: Option<String>,
    pub verification: Option<String>,
}

impl ItemState {
    pub(crate) fn of(finding: &str, i: &findings::Item, today: Date) -> ItemState {
        let open = i.status != "closed";
        let left = working_days_left(&i.due, today).filter(|_| open);
        ItemState {
            finding: finding.to_string(),
            seq: i.seq,
            owner: i.owner.clone(),
            measure: i.measure.clone(),
            due: i.due.clone(),
            status: if open { "open" } else { "closed" }.into(),
            working_days_left: left,
            overdue: left.is_some_and(|n| n < 0),
            closed_on: i.closed_on.clone(),
            verification: i.verification.clone(),
        }
    }
}

/// One of the processor's obligations that applies (or may: the profile cannot tell).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ObligationState {
    pub id: String,
    /// What it is about when it is per item (a transfer, an incident, an activity).
    pub subject: Option<String>,
    pub title_zh: String,
    pub title_en: String,
    /// applies or cannot_tell.
    #[schema(value_type = String)]
    pub status: Status,
    /// The due date (or time, China Standard Time) on the official calendar.
    pub due: Option<String>,
}

/// A finding in the overview.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FindingRef {
    pub code: String,
    /// high, medium or low.
    pub severity: String,
    pub title: String,
}

/// An engagement's overview: the dashboard's data. An auditee (client) gets the findings
/// put to it and their items only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Overview {
    pub engagement: EngagementRef,
    /// Approved extensions of the deadline (their new dates).
    pub extensions: Vec<String>,
    /// Absent for a client.
    pub scope: Option<ScopeCounts>,
    /// Absent for a client.
    pub papers: Option<PaperCounts>,
    /// The processor's obligations from its current profile, with their due dates
    /// (empty for a client).
    pub obligations: Vec<ObligationState>,
    pub checkpoints: Vec<CheckpointState>,
    pub findings: Vec<FindingRef>,
    pub items: Vec<ItemState>,
    /// Evidence requests outstanding, overdue, at risk, to review (a client: its own).
    pub requests: crate::requests::RequestCounts,
}

/// The overview of engagement `t` for a member in `role`.
pub(crate) fn overview(
    store: &Store,
    t: &Target,
    role: Role,
    today: Date,
) -> Result<Overview, AuditError> {
    let e = crate::cache::engagement(store, t)?;
    let client = role == Role::Client;
    let mut o = Overview {
        engagement: EngagementRef {
            code: e.code.clone(),
            processor: e.processor.clone(),
            kind: e.kind.clone(),
            role: role.as_str().to_string(),
            period_start: e.period_start.clone(),
            period_end: e.period_end.clone(),
            deadline: (e.kind == "ordered")
                .then(|| e.effective_deadline.clone())
                .flatten(),
            status: e.status.clone(),
        },
        extensions: e.extensions.iter().map(|x| x.until.clone()).collect(),
        scope: None,
        papers: None,
        obligations: Vec::new(),
        checkpoints: Vec::new(),
        findings: Vec::new(),
        items: Vec::new(),
        requests: crate::requests::counts(store, t, role)?,
    };
    if !client {
        let scope = crate::cache::scope(store, t)?;
        let mut counts = ScopeCounts::default();
        for s in scope.iter() {
            match s.decision.as_str() {
                "yes" => counts.in_scope += 1,
                "no" => counts.out_of_scope += 1,
                _ => counts.cannot_tell += 1,
            }
        }
        let papers = crate::cache::papers(store, t)?;
        let assigned = crate::cache::assignments(store, t)?;
        for s in scope.iter().filter(|s| s.decision != "no") {
            let p = papers.iter().find(|p| p.checkpoint == s.checkpoint);
            o.checkpoints.push(CheckpointState {
                id: s.checkpoint.clone(),
                paper: p.map_or("none", |p| p.status.as_str()).to_string(),
                result: p.map_or(Conclusion::NotTested, |p| p.result),
                assignee: assigned.get(&s.checkpoint).cloned(),
            });
        }
        let count = |status: &str| papers.iter().filter(|p| p.status == status).count();
        o.scope = Some(counts);
        o.obligations = obligations(store, t, today)?;
        o.papers = Some(PaperCounts {
            draft: count("draft"),
            prepared: count("prepared"),
            reviewed: count("reviewed"),
        });
    }
    for f in &crate::cache::ledger(store, t)?.findings {
        // What has not been put to the auditee (no rectification item yet) stays internal.
        if client && f.items.is_empty() {
            continue;
        }
        o.findings.push(FindingRef {
            code: f.code.clone(),
            severity: f.severity.clone(),
            title: f.title.clone(),
        });
        o.items
            .extend(f.items.iter().map(|i| ItemState::of(&f.code, i, today)));
    }
    Ok(o)
}

/// The obligations that apply or may, as of `today`.
fn obligations(store: &Store, t: &Target, today: Date) -> Result<Vec<ObligationState>, AuditError> {
    let profile = crate::cache::profile(store, t)?;
    let Some(p) = profile.as_ref() else {
        return Ok(Vec::new());
    };
    let cal = hegui_core::calendar::Calendar::builtin();
    Ok(hegui_core::obligations::compute(p, today, cal)
        .obligations
        .into_iter()
        .filter(|o| o.status != Status::DoesNotApply)
        .map(|o| ObligationState {
            id: o.id,
            subject: o.subject,
            title_zh: o.title_zh,
            title_en: o.title_en,
            status: o.status,
            due: o.due,
        })
        .collect())
}

/// GET /api/v1/engagements/{code}
#[utoipa::path(get, path = "/api/v1/engagements/{code}", tag = "engagements",
    params(("code" = String, Path, description = "engagement code, e.g. ENG-2026-001")),
    responses((status = 200, body = Overview), (status = 401, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Overview> {
    with_member(
        &state,
        &headers,
        &code,
        &Role::ALL,
        Does::Read,
        |store, t, role| overview(store, t, role, today()).map(Some),
    )
    .await
    .map(Json)
}
