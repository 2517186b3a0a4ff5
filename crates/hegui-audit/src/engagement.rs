//! Engagements: who audits which processor, for which period, under which kind of audit;
//! the processor's profile as versioned snapshots; the scope; extensions of an ordered
//! audit's deadline (Measures Art. 9).

use hegui_core::inventory::{self, AuditKind, Profile, Syntax};
use hegui_core::law::Law;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::independence::{self, Auditor, Independence, RotationReading};
use crate::log;
use crate::store::{new_id, now, RowExt, Store};
use crate::AuditError;

/// Why a protection department ordered the audit (Measures Art. 5 ¶1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// (一) major risks: serious impact on rights, or seriously lacking security measures.
    MajorRisk,
    /// (二) may infringe the rights of many individuals.
    ManyIndividuals,
    /// (三) an incident affecting ≥ 1,000,000 people or ≥ 100,000 people's sensitive PI.
    Incident,
}

/// What a user asks for when creating an engagement.
#[derive(Debug, Clone)]
pub struct NewEngagement {
    /// The profile's text and its file name (for errors).
    pub profile_text: String,
    pub profile_name: String,
    pub kind: AuditKind,
    pub trigger: Option<Trigger>,
    pub body: Option<String>,
    pub affiliates: Vec<String>,
    pub lead: Option<String>,
    pub team: Vec<String>,
    pub period_start: Date,
    pub period_end: Date,
    pub start: Date,
    pub deadline: Option<Date>,
    pub attests_no_subdelegation: bool,
    pub reading: RotationReading,
    /// Proceed despite independence violations, for this recorded reason.
    pub override_reason: Option<String>,
    pub actor: String,
}

/// An engagement as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Engagement {
    pub id: String,
    pub code: String,
    pub processor: String,
    pub kind: String,
    pub trigger: Option<String>,
    pub body: Option<String>,
    pub affiliates: Vec<String>,
    pub lead: Option<String>,
    pub team: Vec<String>,
    pub period_start: String,
    pub period_end: String,
    pub start: String,
    pub deadline: Option<String>,
    /// The deadline after approved extensions (Art. 9).
    pub effective_deadline: Option<String>,
    pub catalog: String,
    pub status: String,
    pub independence: Independence,
    pub override_reason: Option<String>,
    pub created_at: String,
    pub created_by: String,
    pub profile_versions: i64,
    pub extensions: Vec<Extension>,
}

/// An approved extension of an ordered audit's deadline.
#[derive(Debug, Clone, Serialize)]
pub struct Extension {
    pub until: String,
    pub approval: String,
    pub recorded_at: String,
}

fn kind_id(k: AuditKind) -> &'static str {
    match k {
        AuditKind::Internal => "internal",
        AuditKind::Commissioned => "commissioned",
        AuditKind::Ordered => "ordered",
    }
}

fn sha256(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialisable")
}

/// Checks what the user gave before anything is written.
fn validate(n: &NewEngagement) -> Result<Profile, AuditError> {
    let profile = inventory::load(
        &n.profile_text,
        &n.profile_name,
        Syntax::from_path(&n.profile_name),
    )
    .map_err(|e| AuditError::Invalid(e.to_string()))?;
    if n.period_end < n.period_start {
        return Err(AuditError::Invalid(format!(
            "the period ends ({}) before it starts ({})",
            n.period_end, n.period_start
        )));
    }
    match n.kind {
        AuditKind::Ordered => {
            if n.trigger.is_none() {
                return Err(AuditError::Invalid("an ordered audit needs its trigger (Measures Art. 5): --trigger major-risk|many-individuals|incident".into()));
            }
            if n.deadline.is_none() {
                return Err(AuditError::Invalid("an ordered audit has the deadline the protection department set (Art. 9): --deadline DATE".into()));
            }
        }
        _ if n.trigger.is_some() => {
            return Err(AuditError::Invalid(
                "--trigger is for audits ordered by a protection department".into(),
            ))
        }
        _ => {}
    }
    if n.kind != AuditKind::Internal && n.body.as_deref().is_none_or(|b| b.trim().is_empty()) {
        return Err(AuditError::Invalid(
            "a commissioned or ordered audit names the professional body: --body NAME".into(),
        ));
    }
    if matches!(n.deadline, Some(d) if d < n.start) {
        return Err(AuditError::Invalid(
            "the deadline is before the start".into(),
        ));
    }
    if profile.organisation.state_organ == Some(true) {
        return Err(AuditError::Invalid(
            "the Measures do not apply to state organs (Art. 19)".into(),
        ));
    }
    Ok(profile)
}

/// Creates an engagement: validates, checks independence (refusing unless overridden with
/// a reason), stores the profile snapshot and the computed scope, and logs each step, all
/// in one transaction.
pub fn create(store: &Store, n: &NewEngagement) -> Result<Engagement, AuditError> {
    let profile = validate(n)?;
    let who = Auditor {
        kind: n.kind,
        body: n.body.as_deref(),
        affiliates: &n.affiliates,
        lead: n.lead.as_deref(),
        attests_no_subdelegation: n.attests_no_subdelegation,
    };
    let ind = independence::check(&profile, &who, n.reading);
    if !ind.violations.is_empty() && n.override_reason.is_none() {
        let lines: Vec<String> = ind
            .violations
            .iter()
            .map(|v| format!("  {}: {}", v.article, v.message))
            .collect();
        return Err(AuditError::Independence(lines.join("\n")));
    }
    let id = new_id()?;
    // Serial with every other creation: the code (ENG-2026-007) is the next free one.
    let code = store.write(None, |tx| {
        let year = n.start.year();
        let prefix = format!("ENG-{year}-");
        let taken = tx.rows(
            "SELECT code FROM engagements WHERE code LIKE $1",
            &[format!("{prefix}%").into()],
        )?;
        let next = taken
            .iter()
            .filter_map(|r| {
                r.text(0)
                    .strip_prefix(&prefix)
                    .and_then(|s| s.parse::<u32>().ok())
            })
            .max()
            .unwrap_or(0)
            + 1;
        let code = format!("{prefix}{next:03}");
        let law = Law::get();
        let created = now();
        tx.exec(
            "INSERT INTO engagements (id, code, processor, kind, ordered_trigger, body, affiliates, lead_auditor, team, period_start, period_end, start_date, deadline, catalog, status, independence, override_reason, created_at, created_by, log_len, log_head)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, 0, $20)",
            &[
                id.clone().into(),
                code.clone().into(),
                profile.organisation.name.clone().into(),
                kind_id(n.kind).into(),
                n.trigger.map(|t| serde_json::to_value(t).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()).into(),
                n.body.clone().into(),
                to_json(&n.affiliates).into(),
                n.lead.clone().into(),
                to_json(&n.team).into(),
                n.period_start.to_string().into(),
                n.period_end.to_string().into(),
                n.start.to_string().into(),
                n.deadline.map(|d| d.to_string()).into(),
                law.guideline.id.clone().into(),
                "open".into(),
                to_json(&ind).into(),
                n.override_reason.clone().into(),
                created.clone().into(),
                n.actor.clone().into(),
                log::GENESIS.into(),
            ],
        )?;
        log::append(
            tx,
            &id,
            &n.actor,
            "engagement.created",
            &log::detail(&[
                ("code", code.clone().into()),
                ("processor", profile.organisation.name.clone().into()),
                ("kind", kind_id(n.kind).into()),
                ("body", n.body.clone().into()),
                ("lead", n.lead.clone().into()),
                (
                    "period",
                    format!("{} – {}", n.period_start, n.period_end).into(),
                ),
                ("catalog", law.guideline.id.clone().into()),
            ]),
        )?;
        log::append(
            tx,
            &id,
            &n.actor,
            "independence.checked",
            &serde_json::to_value(&ind).expect("serialisable"),
        )?;
        if let Some(reason) = &n.override_reason {
            if !ind.violations.is_empty() {
                log::append(
                    tx,
                    &id,
                    &n.actor,
                    "independence.overridden",
                    &log::detail(&[("reason", reason.clone().into())]),
                )?;
            }
        }
        snapshot(tx, &id, &n.profile_text, &n.actor, 1)?;
        store_scope(tx, &id, &profile, &n.actor)?;
        Ok(code)
    })?;
    show(store, &code)
}

fn snapshot(
    tx: &mut crate::store::Tx,
    id: &str,
    text: &str,
    actor: &str,
    version: i64,
) -> Result<(), AuditError> {
    let digest = sha256(text);
    tx.exec(
        "INSERT INTO profile_snapshots (engagement_id, version, taken_at, sha256, profile) VALUES ($1, $2, $3, $4, $5)",
        &[id.into(), version.into(), now().into(), digest.clone().into(), text.into()],
    )?;
    tx.touch("profile_snapshots", &[&version.to_string()]);
    log::append(
        tx,
        id,
        actor,
        "profile.snapshot",
        &log::detail(&[("version", version.into()), ("sha256", digest.into())]),
    )
}

fn store_scope(
    tx: &mut crate::store::Tx,
    id: &str,
    profile: &Profile,
    actor: &str,
) -> Result<(), AuditError> {
    let scope = hegui_core::scope::compute(profile);
    tx.exec(
        "DELETE FROM scope WHERE engagement_id = $1 AND decided_by IS NULL",
        &[id.into()],
    )?;
    let decided: Vec<String> = tx
        .rows(
            "SELECT checkpoint FROM scope WHERE engagement_id = $1",
            &[id.into()],
        )?
        .iter()
        .map(|r| r.text(0))
        .collect();
    for item in &scope.items {
        let computed = serde_json::to_value(item.in_scope)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        // Chinese first, English on the second line, what to fill in on the third.
        let mut reason = format!("{}\n{}", item.reason.zh, item.reason.en);
        if !item.missing.is_empty() {
            reason = format!("{reason}\n待补充 / to fill in: {}", item.missing.join(", "));
        }
        if decided.contains(&item.id) {
            // The auditor's decision stands; refresh what the profile says.
            tx.exec("UPDATE scope SET computed = $1, reason = $2 WHERE engagement_id = $3 AND checkpoint = $4", &[computed.into(), reason.into(), id.into(), item.id.clone().into()])?;
        } else {
            tx.exec(
                "INSERT INTO scope (engagement_id, checkpoint, computed, reason, decision) VALUES ($1, $2, $3, $4, $3)",
                &[id.into(), item.id.clone().into(), computed.into(), reason.into()],
            )?;
        }
    }
    tx.touch_table("scope");
    let summary = log::detail(&[
        (
            "in_scope",
            (scope.count(hegui_core::scope::InScope::Yes) as i64).into(),
        ),
        (
            "out_of_scope",
            (scope.count(hegui_core::scope::InScope::No) as i64).into(),
        ),
        (
            "cannot_tell",
            (scope.count(hegui_core::scope::InScope::CannotTell) as i64).into(),
        ),
    ]);
    log::append(tx, id, actor, "scope.computed", &summary)
}

/// Finds an engagement by code (ENG-2026-001) or id.
pub fn resolve(store: &Store, key: &str) -> Result<String, AuditError> {
    let rows = store.rows(
        "SELECT id FROM engagements WHERE code = $1 OR id = $1",
        &[key.into()],
    )?;
    rows.first()
        .map(|r| r.text(0))
        .ok_or_else(|| AuditError::NotFound(key.to_string()))
}

/// One engagement with its extensions.
pub fn show(store: &Store, key: &str) -> Result<Engagement, AuditError> {
    let id = resolve(store, key)?;
    let rows = store.rows(
        "SELECT id, code, processor, kind, ordered_trigger, body, affiliates, lead_auditor, team, period_start, period_end, start_date, deadline, catalog, status, independence, override_reason, created_at, created_by FROM engagements WHERE id = $1",
        &[id.clone().into()],
    )?;
    let r = rows
        .first()
        .ok_or_else(|| AuditError::NotFound(key.to_string()))?;
    let extensions: Vec<Extension> = store
        .rows("SELECT until_date, approval, recorded_at FROM extensions WHERE engagement_id = $1 ORDER BY seq", &[id.clone().into()])?
        .iter()
        .map(|e| Extension { until: e.text(0), approval: e.text(1), recorded_at: e.text(2) })
        .collect();
    let versions = store.rows(
        "SELECT MAX(version) FROM profile_snapshots WHERE engagement_id = $1",
        &[id.clone().into()],
    )?;
    let deadline = r.opt(12);
    Ok(Engagement {
        id: r.text(0),
        code: r.text(1),
        processor: r.text(2),
        kind: r.text(3),
        trigger: r.opt(4),
        body: r.opt(5),
        affiliates: serde_json::from_str(&r.text(6)).unwrap_or_default(),
        lead: r.opt(7),
        team: serde_json::from_str(&r.text(8)).unwrap_or_default(),
        period_start: r.text(9),
        period_end: r.text(10),
        start: r.text(11),
        effective_deadline: extensions
            .last()
            .map(|e| e.until.clone())
            .or_else(|| deadline.clone()),
        deadline,
        catalog: r.text(13),
        status: r.text(14),
        independence: serde_json::from_str(&r.text(15))
            .map_err(|e| AuditError::Db(format!("stored independence record: {e}")))?,
        override_reason: r.opt(16),
        created_at: r.text(17),
        created_by: r.text(18),
        profile_versions: versions.first().map(|v| v.int(0)).unwrap_or(0),
        extensions,
    })
}

/// All engagements, newest first: (code, processor, kind, status, start).
pub fn list(store: &Store) -> Result<Vec<[String; 5]>, AuditError> {
    Ok(store
        .rows("SELECT code, processor, kind, status, start_date FROM engagements ORDER BY created_at DESC, code DESC", &[])?
        .iter()
        .map(|r| [r.text(0), r.text(1), r.text(2), r.text(3), r.text(4)])
        .collect())
}

/// Records an approved extension of an ordered audit's deadline (Art. 9).
pub fn extend(
    store: &Store,
    key: &str,
    until: Date,
    approval: &str,
    actor: &str,
) -> Result<Engagement, AuditError> {
    let e = show(store, key)?;
    if e.kind != "ordered" {
        return Err(AuditError::Invalid(
            "only an ordered audit has a deadline set by a protection department (Art. 9)".into(),
        ));
    }
    if e.effective_deadline
        .as_deref()
        .is_some_and(|d| d >= until.to_string().as_str())
    {
        return Err(AuditError::Invalid(format!(
            "{until} does not extend the deadline {}",
            e.effective_deadline.unwrap_or_default()
        )));
    }
    if approval.trim().is_empty() {
        return Err(AuditError::Invalid(
            "an extension needs the department's approval reference (Art. 9)".into(),
        ));
    }
    store.write(Some(&e.id), |tx| {
        // The next number under the lock: two extensions recorded at once both keep theirs.
        let seq = tx
            .rows(
                "SELECT COUNT(*) FROM extensions WHERE engagement_id = $1",
                &[e.id.clone().into()],
            )?
            .first()
            .map(|r| r.int(0))
            .unwrap_or(0)
            + 1;
        tx.exec(
            "INSERT INTO extensions (engagement_id, seq, until_date, approval, recorded_at) VALUES ($1, $2, $3, $4, $5)",
            &[e.id.clone().into(), seq.into(), until.to_string().into(), approval.into(), now().into()],
        )?;
        tx.touch("extensions", &[&seq.to_string()]);
        log::append(
            tx,
            &e.id,
            actor,
            "deadline.extended",
            &log::detail(&[
                ("until", until.to_string().into()),
                ("approval", approval.into()),
            ]),
        )
    })?;
    show(store, key)
}

/// Stores a new version of the processor's profile and recomputes the scope (the auditor's
/// decisions stand).
pub fn update_profile(
    store: &Store,
    key: &str,
    text: &str,
    name: &str,
    actor: &str,
) -> Result<i64, AuditError> {
    let e = show(store, key)?;
    let profile = inventory::load(text, name, Syntax::from_path(name))
        .map_err(|err| AuditError::Invalid(err.to_string()))?;
    store.write(Some(&e.id), |tx| {
        let version = tx
            .rows(
                "SELECT MAX(version) FROM profile_snapshots WHERE engagement_id = $1",
                &[e.id.clone().into()],
            )?
            .first()
            .and_then(|r| r.opt_int(0))
            .unwrap_or(0)
            + 1;
        snapshot(tx, &e.id, text, actor, version)?;
        store_scope(tx, &e.id, &profile, actor)?;
        Ok(version)
    })
}

/// The latest profile snapshot: (version, sha256, text).
pub fn profile(store: &Store, key: &str) -> Result<(i64, String, String), AuditError> {
    let id = resolve(store, key)?;
    let rows = store.rows(
        "SELECT version, sha256, profile FROM profile_snapshots WHERE engagement_id = $1 ORDER BY version DESC",
        &[id.into()],
    )?;
    let r = rows
        .first()
        .ok_or_else(|| AuditError::Db("no profile snapshot".into()))?;
    Ok((r.int(0), r.text(1), r.text(2)))
}

/// One checkpoint's scope in an engagement.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeRow {
    pub checkpoint: String,
    /// What the profile says: yes, no, cannot_tell.
    pub computed: String,
    pub reason: String,
    /// What applies: the computed value, or the auditor's decision.
    pub decision: String,
    pub decision_reason: Option<String>,
    pub decided_by: Option<String>,
}

/// The engagement's scope, in Guideline order.
pub fn scope(store: &Store, key: &str) -> Result<Vec<ScopeRow>, AuditError> {
    let id = resolve(store, key)?;
    let rows = store.rows(
        "SELECT checkpoint, computed, reason, decision, decision_reason, decided_by FROM scope WHERE engagement_id = $1",
        &[id.into()],
    )?;
    let order: Vec<String> = Law::get()
        .guideline
        .checkpoints()
        .map(|(_, c)| c.id.clone())
        .collect();
    let mut out: Vec<ScopeRow> = rows
        .iter()
        .map(|r| ScopeRow {
            checkpoint: r.text(0),
            computed: r.text(1),
            reason: r.text(2),
            decision: r.text(3),
            decision_reason: r.opt(4),
            decided_by: r.opt(5),
        })
        .collect();
    out.sort_by_key(|s| {
        order
            .iter()
            .position(|o| *o == s.checkpoint)
            .unwrap_or(usize::MAX)
    });
    Ok(out)
}

/// The auditor adds a checkpoint to the scope or excludes it, with a reason.
pub fn decide_scope(
    store: &Store,
    key: &str,
    checkpoint: &str,
    include: bool,
    reason: &str,
    actor: &str,
) -> Result<ScopeRow, AuditError> {
    let id = resolve(store, key)?;
    let (_, cp) = Law::get().guideline.checkpoint(checkpoint).ok_or_else(|| {
        AuditError::Invalid(format!(
            "no checkpoint {checkpoint:?}: ids run G2.1 … G27.8 (and G7)"
        ))
    })?;
    if reason.trim().is_empty() {
        return Err(AuditError::Invalid(
            "a scope decision needs a reason".into(),
        ));
    }
    let decision = if include { "yes" } else { "no" };
    store.write(Some(&id), |tx| {
        let n = tx.exec(
            "UPDATE scope SET decision = $1, decision_reason = $2, decided_by = $3 WHERE engagement_id = $4 AND checkpoint = $5",
            &[decision.into(), reason.into(), actor.into(), id.clone().into(), cp.id.clone().into()],
        )?;
        if n != 1 {
            return Err(AuditError::Db(format!("scope row for {} missing", cp.id)));
        }
        tx.touch("scope", &[&cp.id]);
        log::append(
            tx,
            &id,
            actor,
            if include {
                "scope.included"
            } else {
                "scope.excluded"
            },
            &log::detail(&[
                ("checkpoint", cp.id.clone().into()),
                ("reason", reason.into()),
            ]),
        )
    })?;
    scope(store, key)?
        .into_iter()
        .find(|s| s.checkpoint == cp.id)
        .ok_or_else(|| AuditError::Db("scope row vanished".into()))
}
