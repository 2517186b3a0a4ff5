//! The checkpoint page: the Guideline's text (zh, en), basis, typical evidence and
//! suggested procedures from the law data, and the engagement's working paper with its
//! editor and sign-offs (the reviewer is never the preparer; an edit after sign-off drops
//! the review — `hegui_audit::workpaper` enforces both).

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use hegui_audit::members::Role;
use hegui_audit::workpaper::{self, Conclusion, Edit, Paper, Population};
use hegui_audit::AuditError;
use hegui_core::law::Law;
use hegui_core::sampling::Sample;
use serde::Deserialize;

use crate::access::{authorize, today, AUDIT_SIDE, EDITORS, REVIEWERS};
use crate::locale::{texts, Texts};
use crate::pages::error_page;
use crate::session::{self, blocking};
use crate::signin::see_other;
use crate::team::LEADS;
use crate::{render, AppState};

/// The page's view model.
struct Cp {
    code: String,
    id: String,
    area: String,
    text_zh: String,
    text_en: String,
    cites: String,
    applies: String,
    evidence_zh: Vec<String>,
    evidence_en: Vec<String>,
    procedures_zh: Vec<String>,
    procedures_en: Vec<String>,
    status_key: &'static str,
    revision: i64,
    result: String,
    procedures: Vec<String>,
    observations: String,
    prepared_by: String,
    reviewed_by: String,
    /// The population in words, or empty.
    population: String,
    /// The sample's plan in words and its items, when one was drawn.
    sample: Option<(String, String)>,
    /// Evidence items linked to the paper.
    evidence: Vec<String>,
    /// Who prepares the paper ("" when nobody was given it).
    assignee: String,
    /// Whom the lead may give it to (the engagement's leads and auditors).
    team: Vec<String>,
    can_assign: bool,
    can_edit: bool,
    can_review: bool,
    /// Review notes (the audit team's; never loaded for a viewer or a client).
    notes: Vec<crate::discuss::NoteView>,
    /// Notes not cleared: the reviewer's sign-off waits for them.
    notes_open: usize,
    can_raise_note: bool,
    comments: Vec<crate::requests::CommentView>,
    can_comment: bool,
    /// Requests for this checkpoint's evidence: code, title, state's locale key.
    requests: Vec<(String, String, &'static str)>,
    /// Observations proposed by analysed privacy policies (never a conclusion).
    proposals: Vec<hegui_audit::vault::policy::Proposal>,
}

#[derive(Template)]
#[template(path = "checkpoint.html")]
struct CheckpointPage {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    error: Option<String>,
    results: Vec<(&'static str, &'static str)>,
    c: Cp,
}

pub(crate) const RESULTS: [(Conclusion, &str); 4] = [
    (Conclusion::Compliant, "compliant"),
    (Conclusion::PartiallyCompliant, "partially_compliant"),
    (Conclusion::NonCompliant, "non_compliant"),
    (Conclusion::NotApplicable, "not_applicable"),
];

fn status_key(status: &str) -> &'static str {
    match status {
        "draft" => "status.draft",
        "prepared" => "status.prepared",
        "reviewed" => "status.reviewed",
        _ => "status.none",
    }
}

fn model(code: &str, id: &str, user: &str, v: Loaded, zh: bool) -> Option<Cp> {
    let (area, c) = Law::get().guideline.checkpoint(id)?;
    let applies = hegui_core::facts::describe(&c.condition(area));
    let role = v.role;
    let editor = may_prepare(role, v.assignee.as_deref(), user);
    let p = v.paper?;
    Some(Cp {
        code: code.to_string(),
        id: c.id.clone(),
        area: format!("{}、{}", area.numeral, area.title_zh),
        text_zh: format!("{}{}", c.number.as_deref().unwrap_or(""), c.text_zh),
        text_en: c.text_en.clone(),
        cites: c
            .cites
            .iter()
            .map(|x| x.display_en())
            .collect::<Vec<_>>()
            .join(", "),
        applies: if zh { applies.zh } else { applies.en },
        evidence_zh: c.evidence_zh.clone(),
        evidence_en: c.evidence_en.clone(),
        procedures_zh: c.procedures_zh.clone(),
        procedures_en: c.procedures_en.clone(),
        status_key: status_key(&p.status),
        revision: p.revision,
        result: if zh { p.result.zh() } else { p.result.en() }.to_string(),
        procedures: p.procedures.clone(),
        observations: p.observations.clone(),
        prepared_by: p.prepared_by.clone().unwrap_or_default(),
        reviewed_by: p.reviewed_by.clone().unwrap_or_default(),
        population: p
            .population
            .as_ref()
            .map(|x| format!("{} ({})", x.description, x.size))
            .unwrap_or_default(),
        sample: p.sample.as_ref().map(|s| {
            let plan = format!(
                "n = {} / {} · {}% · {}% · {}% · seed {}",
                s.size, s.population, s.confidence, s.tolerable, s.expected, s.seed
            );
            let items: Vec<String> = s.items.iter().map(u64::to_string).collect();
            (plan, items.join(" "))
        }),
        evidence: p.evidence.clone(),
        assignee: v.assignee.clone().unwrap_or_default(),
        team: v.team,
        can_assign: LEADS.contains(&role),
        can_edit: editor,
        can_review: REVIEWERS.contains(&role)
            && p.status == "prepared"
            && p.prepared_by.as_deref() != Some(user),
        notes_open: v
            .notes
            .iter()
            .filter(|n| n.state != hegui_audit::review_notes::NoteState::Cleared)
            .count(),
        notes: crate::discuss::note_views(&v.notes, role),
        can_raise_note: crate::discuss::NOTE_RAISERS.contains(&role),
        comments: crate::requests::comment_views(&v.comments, user),
        can_comment: role != Role::Viewer,
        requests: v.requests,
        proposals: v.proposals,
    })
}

/// What the page shows of a paper, and for whom.
pub(crate) struct Loaded {
    role: Role,
    paper: Option<Paper>,
    /// Who the paper is assigned to.
    assignee: Option<String>,
    /// The leads and auditors (for the lead's assignment form).
    team: Vec<String>,
    notes: Vec<hegui_audit::review_notes::ReviewNote>,
    comments: Vec<hegui_audit::comments::Comment>,
    requests: Vec<(String, String, &'static str)>,
    proposals: Vec<hegui_audit::vault::policy::Proposal>,
}

/// Whether a member edits and prepares a paper (WEB.md: the lead any; an auditor the ones
/// assigned to them, or to nobody).
pub(crate) fn may_prepare(role: Role, assignee: Option<&str>, user: &str) -> bool {
    match role {
        Role::Lead => true,
        Role::Auditor => assignee.is_none_or(|a| a == user),
        _ => false,
    }
}

/// Loads what the page shows, for a member with an allowed role; `None` is a 404.
fn load(
    state: &AppState,
    code: &str,
    id: &str,
    user: &str,
    allowed: &[Role],
) -> Result<Option<(Loaded, String)>, AuditError> {
    if Law::get().guideline.checkpoint(id).is_none() {
        return Ok(None);
    }
    let Some((e, role)) = authorize(&state.store, code, user, allowed, today())? else {
        return Ok(None);
    };
    // A written paper from the engagement's cached list; an unwritten one is a blank.
    let (_, cp) = Law::get().guideline.checkpoint(id).expect("checked above");
    let written = crate::cache::papers(&state.store, &e)?
        .iter()
        .find(|p| p.checkpoint == cp.id)
        .cloned();
    let paper = match written {
        Some(p) => p,
        None => workpaper::get(&state.store, &e.id, id)?,
    };
    let assignee = crate::cache::assignments(&state.store, &e)?
        .get(&cp.id)
        .cloned();
    let team = if LEADS.contains(&role) {
        hegui_audit::members::list(&state.store, &e.id)?
            .into_iter()
            .filter(|m| matches!(m.role, Role::Lead | Role::Auditor))
            .map(|m| m.user)
            .collect()
    } else {
        Vec::new()
    };
    // Review notes are the audit team's working notes: a viewer reads the paper only.
    let notes = if role == Role::Viewer {
        Vec::new()
    } else {
        crate::cache::review_notes(&state.store, &e)?
            .iter()
            .filter(|n| n.checkpoint == cp.id)
            .cloned()
            .collect()
    };
    let on = hegui_audit::comments::On::Paper(cp.id.clone());
    let comments =
        hegui_audit::comments::visible_on(&crate::cache::comments(&state.store, &e)?, &on, role);
    let requests = crate::cache::requests(&state.store, &e)?
        .iter()
        .filter(|r| r.visible_to(user, role) && r.checkpoints.contains(&cp.id))
        .map(|r| {
            (
                r.code.clone(),
                r.title.clone(),
                crate::requests::state_key(r.state),
            )
        })
        .collect();
    let reviews = crate::cache::policy_reviews(&state.store, &e)?;
    let proposals = hegui_audit::vault::policy::proposals_for(&reviews, &paper);
    let loaded = Loaded {
        role,
        paper: Some(paper),
        assignee,
        team,
        notes,
        comments,
        requests,
        proposals,
    };
    Ok(Some((loaded, e.id)))
}

fn page(
    state: &AppState,
    headers: &HeaderMap,
    user: &hegui_audit::accounts::User,
    (code, id): (&str, &str),
    loaded: Loaded,
    error: Option<String>,
) -> Response {
    let lang = session::lang(headers);
    let zh = lang == crate::locale::Lang::Zh;
    let Some(c) = model(code, id, &user.name, loaded, zh) else {
        return error_page(state, headers, StatusCode::NOT_FOUND);
    };
    let results = RESULTS
        .iter()
        .map(|(r, v)| (*v, if zh { r.zh() } else { r.en() }))
        .collect();
    let failed = error.is_some();
    let mut r = render(&CheckpointPage {
        t: texts(lang),
        user: Some(user.display_name.clone()),
        mfa_relaxed: !state.mfa_required,
        error,
        results,
        c,
    });
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

/// GET /e/{code}/c/{id}
pub async fn view(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(s) = session::signed_in(&state, &headers).await else {
        return see_other("/signin", None);
    };
    let (st, c, i, name) = (state.clone(), code.clone(), id.clone(), s.user.name.clone());
    match blocking(move || load(&st, &c, &i, &name, AUDIT_SIDE)).await {
        Ok(Some((loaded, _))) => page(&state, &headers, &s.user, (&code, &id), loaded, None),
        Ok(None) => error_page(&state, &headers, StatusCode::NOT_FOUND),
        Err(_) => error_page(&state, &headers, StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// The editor's fields; anything else is refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaperForm {
    #[serde(default)]
    pub(crate) procedure: String,
    #[serde(default)]
    pub(crate) result: String,
    #[serde(default)]
    pub(crate) observations: Option<String>,
}

/// What a form changes of a paper: fields left as they are change nothing (so saving the
/// form unchanged does not reopen a reviewed paper).
pub(crate) fn edit_of(f: &PaperForm, current: Option<&Paper>) -> Edit {
    let mut e = Edit::default();
    let procedure = f.procedure.trim();
    if !procedure.is_empty() {
        e.add_procedures.push(procedure.to_string());
    }
    e.result = RESULTS
        .iter()
        .find(|(_, v)| *v == f.result)
        .map(|(r, _)| *r)
        .filter(|r| current.is_none_or(|p| p.result != *r));
    let old = current.map(|p| p.observations.as_str()).unwrap_or("");
    e.observations = f
        .observations
        .as_ref()
        .map(|o| o.replace("\r\n", "\n"))
        .filter(|o| o.trim() != old.trim());
    e
}

/// What a write on a paper needs beyond the route's roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    /// Editing and preparing: the paper is the member's (or nobody's) — see [`may_prepare`].
    Preparer,
    /// Reviewing and assigning: the route's roles suffice.
    Role,
}

/// A write on the paper: authorize, run, and show the page again (303 on success, 422 with
/// the reason otherwise).
async fn act(
    state: AppState,
    headers: HeaderMap,
    (code, id): (String, String),
    (allowed, needs): (&'static [Role], Needs),
    run: impl FnOnce(&AppState, &str, Option<&Paper>, &str) -> Result<(), AuditError> + Send + 'static,
) -> Response {
    let Some(s) = session::signed_in(&state, &headers).await else {
        return see_other("/signin", None);
    };
    let (st, c, i, name) = (state.clone(), code.clone(), id.clone(), s.user.name.clone());
    let outcome = blocking(move || {
        let Some((loaded, e)) = load(&st, &c, &i, &name, allowed)? else {
            return Ok(None);
        };
        let assignee = loaded.assignee.as_deref();
        let done = if needs == Needs::Preparer && !may_prepare(loaded.role, assignee, &name) {
            Err(format!(
                "{i} is assigned to {}: only they or the lead edit and prepare it",
                assignee.unwrap_or("-")
            ))
        } else {
            run(&st, &e, loaded.paper.as_ref(), &name).map_err(|err| err.to_string())
        };
        match done {
            Ok(()) => Ok(Some(Ok(()))),
            // The page again, as it is now, with the reason.
            Err(msg) => {
                Ok(load(&st, &c, &i, &name, allowed)?.map(|(l, _)| Err(Box::new((l, msg)))))
            }
        }
    })
    .await;
    match outcome {
        Ok(Some(Ok(()))) => see_other(&format!("/e/{code}/c/{id}"), None),
        Ok(Some(Err(refused))) => {
            let (loaded, msg) = *refused;
            page(&state, &headers, &s.user, (&code, &id), loaded, Some(msg))
        }
        Ok(None) => error_page(&state, &headers, StatusCode::NOT_FOUND),
        Err::<_, AuditError>(_) => error_page(&state, &headers, StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// POST /e/{code}/c/{id}: edit the working paper.
pub async fn edit(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(f): Form<PaperForm>,
) -> Response {
    let cp = id.clone();
    act(
        state,
        headers,
        (code, id),
        (EDITORS, Needs::Preparer),
        move |st, e, paper, actor| {
            workpaper::edit(&st.store, e, &cp, edit_of(&f, paper), actor).map(|_| ())
        },
    )
    .await
}

/// The accept form: which analysis's proposal.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptForm {
    // Defaulted: a missing field is refused after authorization, as any form is (a
    // non-member learns nothing from the answer).
    #[serde(default)]
    analysis: String,
}

/// POST /e/{code}/c/{id}/accept: a proposed observation appended to the observations.
pub async fn accept(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(f): Form<AcceptForm>,
) -> Response {
    let cp = id.clone();
    act(
        state,
        headers,
        (code, id),
        (EDITORS, Needs::Preparer),
        move |st, e, _, actor| {
            hegui_audit::vault::policy::accept(&st.store, e, &cp, &f.analysis, actor).map(|_| ())
        },
    )
    .await
}

/// The two sign-offs of a paper.
#[derive(Debug, Clone, Copy)]
enum SignOff {
    Prepare,
    Review,
}

async fn sign_off(
    state: AppState,
    headers: HeaderMap,
    code: String,
    id: String,
    which: SignOff,
) -> Response {
    let cp = id.clone();
    let allowed = match which {
        SignOff::Prepare => EDITORS,
        SignOff::Review => REVIEWERS,
    };
    let needs = match which {
        SignOff::Prepare => Needs::Preparer,
        SignOff::Review => Needs::Role,
    };
    act(
        state,
        headers,
        (code, id),
        (allowed, needs),
        move |st, e, _, actor| {
            match which {
                SignOff::Prepare => workpaper::prepare(&st.store, e, &cp, actor),
                SignOff::Review => workpaper::review(&st.store, e, &cp, actor),
            }
            .map(|_| ())
        },
    )
    .await
}

/// POST /e/{code}/c/{id}/prepare
pub async fn prepare(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    sign_off(state, headers, code, id, SignOff::Prepare).await
}

/// POST /e/{code}/c/{id}/review
pub async fn review(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    sign_off(state, headers, code, id, SignOff::Review).await
}

/// The sample calculator's form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleForm {
    #[serde(default)]
    population: String,
    #[serde(default)]
    size: String,
    #[serde(default)]
    confidence: String,
    #[serde(default)]
    tolerable: String,
    #[serde(default)]
    expected: String,
    /// Empty: one is chosen and recorded (anyone can redraw the same items with it).
    #[serde(default)]
    seed: String,
}

/// The population and the sample the form asks for.
fn sample_of(f: &SampleForm) -> Result<(Population, Sample), String> {
    let num = |v: &str, what: &str, default: f64| -> Result<f64, String> {
        let v = v.trim();
        if v.is_empty() {
            return Ok(default);
        }
        v.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("{what} {v:?}: a number (percent)"))
    };
    let size: u64 = f
        .size
        .trim()
        .parse()
        .map_err(|_| format!("population size {:?}: a whole number of items", f.size))?;
    let description = f.population.trim();
    if description.is_empty() {
        return Err("say what the population is (e.g. 授信合同 2025)".into());
    }
    let seed = match f.seed.trim() {
        "" => jiff::Timestamp::now().as_nanosecond().unsigned_abs() as u64 % 1_000_000,
        v => v
            .parse()
            .map_err(|_| format!("seed {v:?}: a whole number"))?,
    };
    let s = hegui_core::sampling::plan(
        num(&f.confidence, "confidence", 95.0)?,
        num(&f.tolerable, "tolerable rate", 5.0)?,
        num(&f.expected, "expected rate", 0.0)?,
        size,
        seed,
    )
    .map_err(|e| e.to_string())?;
    let p = Population {
        description: description.to_string(),
        size,
    };
    Ok((p, s))
}

/// POST /e/{code}/c/{id}/sample: size the sample, draw it with its seed, record both.
pub async fn sample(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(f): Form<SampleForm>,
) -> Response {
    let cp = id.clone();
    act(
        state,
        headers,
        (code, id),
        (EDITORS, Needs::Preparer),
        move |st, e, _, actor| {
            let (population, sample) = sample_of(&f).map_err(AuditError::Invalid)?;
            let edit = Edit {
                population: Some(population),
                sample: Some(sample),
                ..Edit::default()
            };
            workpaper::edit(&st.store, e, &cp, edit, actor).map(|_| ())
        },
    )
    .await
}

/// GET /e/{code}/c/{id}/sample.csv: the selected items, with the plan that reproduces them.
pub async fn sample_csv(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let cp = id.clone();
    let got =
        crate::access::with_member(&state, &headers, &code, AUDIT_SIDE, move |store, t, _| {
            if Law::get().guideline.checkpoint(&cp).is_none() {
                return Ok(None);
            }
            Ok(workpaper::get(store, &t.id, &cp)?
                .sample
                .map(|s| (t.code.clone(), s)))
        })
        .await;
    let (_, (code, s)) = match got {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut csv = format!(
        "# {code} {id}: {} of {} items, {}% confidence, {}% tolerable, {}% expected, seed {} (hegui sample --population {} --confidence {} --tolerable {} --expected {} --seed {})\nitem\n",
        s.size, s.population, s.confidence, s.tolerable, s.expected, s.seed,
        s.population, s.confidence, s.tolerable, s.expected, s.seed
    );
    for i in &s.items {
        csv.push_str(&i.to_string());
        csv.push('\n');
    }
    let name = format!("{code}-{id}-sample.csv");
    crate::upload::attachment(&name, "text/csv; charset=utf-8", csv.into_bytes())
}

/// The assignment form: an account name, or empty to take the paper back.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignForm {
    #[serde(default)]
    user: String,
}

/// POST /e/{code}/c/{id}/assign: the lead gives the paper to a lead or auditor.
pub async fn assign(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(f): Form<AssignForm>,
) -> Response {
    let cp = id.clone();
    act(
        state,
        headers,
        (code, id),
        (LEADS, Needs::Role),
        move |st, e, _, actor| {
            let user = Some(f.user.trim()).filter(|u| !u.is_empty());
            hegui_audit::assignments::assign(&st.store, e, &cp, user, actor)
        },
    )
    .await
}
