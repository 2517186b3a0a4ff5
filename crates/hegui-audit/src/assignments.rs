//! Who prepares which working paper: the lead assigns a checkpoint's paper to a member of
//! the audit team. `hegui serve` lets an auditor edit and prepare the papers assigned to
//! them and those nobody was given (WEB.md: "if assigned"); the lead edits any. Every
//! assignment is in the activity log.

use std::collections::HashMap;

use hegui_core::law::Law;

use crate::engagement::resolve;
use crate::log;
use crate::members::{self, Role};
use crate::store::{now, RowExt, Store};
use crate::AuditError;

/// Gives the paper of `checkpoint` to `user` (a lead or auditor of the engagement), or
/// takes it back from whoever had it (`None`).
pub fn assign(
    store: &Store,
    engagement: &str,
    checkpoint: &str,
    user: Option<&str>,
    actor: &str,
) -> Result<(), AuditError> {
    let id = resolve(store, engagement)?;
    let cp = Law::get()
        .guideline
        .checkpoint(checkpoint)
        .map(|(_, c)| c.id.clone())
        .ok_or_else(|| AuditError::Invalid(format!("no checkpoint {checkpoint:?}")))?;
    if let Some(u) = user {
        let role = members::get(store, &id, u)?.map(|m| m.role);
        if !matches!(role, Some(Role::Lead | Role::Auditor)) {
            return Err(AuditError::Invalid(format!(
                "{u} is not a lead or auditor of this engagement: only they prepare papers"
            )));
        }
    }
    store.write(Some(&id), |tx| {
        tx.exec(
            "DELETE FROM assignments WHERE engagement_id = $1 AND checkpoint = $2",
            &[id.clone().into(), cp.clone().into()],
        )?;
        if let Some(u) = user {
            tx.exec(
                "INSERT INTO assignments (engagement_id, checkpoint, user_name, assigned_by, assigned_at) VALUES ($1, $2, $3, $4, $5)",
                &[id.clone().into(), cp.clone().into(), u.into(), actor.into(), now().into()],
            )?;
        }
        tx.touch("assignments", &[&cp]);
        log::append(
            tx,
            &id,
            actor,
            "workpaper.assigned",
            &log::detail(&[
                ("checkpoint", cp.clone().into()),
                ("user", user.map(String::from).into()),
            ]),
        )
    })
}

/// Checkpoint → the member its paper is assigned to.
pub fn of(store: &Store, engagement: &str) -> Result<HashMap<String, String>, AuditError> {
    let id = resolve(store, engagement)?;
    Ok(store
        .rows(
            "SELECT checkpoint, user_name FROM assignments WHERE engagement_id = $1",
            &[id.into()],
        )?
        .iter()
        .map(|r| (r.text(0), r.text(1)))
        .collect())
}
