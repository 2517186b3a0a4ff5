//! The request list drawn from the scope: for every in-scope checkpoint, each item of the
//! Guideline's typical evidence (in the law data) becomes a draft request, and an item
//! that several checkpoints name becomes one request serving all of them. Running it again
//! adds only what is missing (a request with the same title that is not cancelled counts),
//! so a scope that grows can be followed.

use hegui_core::law::Law;

use super::flow::{create_in, NewRequest};
use super::{Request, State};
use crate::engagement::{resolve, scope};
use crate::members::{require, Role};
use crate::store::{RowExt, Store};
use crate::AuditError;

/// Drafts the requests the in-scope checkpoints call for; the new drafts.
pub fn from_scope(
    store: &Store,
    engagement: &str,
    actor: &str,
) -> Result<Vec<Request>, AuditError> {
    let id = resolve(store, engagement)?;
    let law = Law::get();
    // Evidence item (zh) → the checkpoints that name it, in Guideline order.
    let mut wanted: Vec<(String, Vec<String>)> = Vec::new();
    for row in scope(store, engagement)?
        .iter()
        .filter(|s| s.decision == "yes")
    {
        let Some((_, cp)) = law.guideline.checkpoint(&row.checkpoint) else {
            continue;
        };
        for item in &cp.evidence_zh {
            match wanted.iter_mut().find(|(t, _)| t == item) {
                Some((_, cps)) => cps.push(cp.id.clone()),
                None => wanted.push((item.clone(), vec![cp.id.clone()])),
            }
        }
    }
    store.write(Some(&id), |tx| {
        require(
            tx,
            &id,
            actor,
            &[Role::Lead, Role::Auditor],
            "drafting requests",
        )?;
        let have: Vec<String> = tx
            .rows(
                "SELECT title, state FROM requests WHERE engagement_id = $1",
                &[id.clone().into()],
            )?
            .iter()
            .filter(|r| r.text(1) != State::Cancelled.as_str())
            .map(|r| r.text(0))
            .collect();
        let mut made = Vec::new();
        for (title, cps) in wanted.iter().filter(|(t, _)| !have.contains(t)) {
            let n = NewRequest {
                title: title.clone(),
                description: String::new(),
                checkpoints: cps.clone(),
                ..NewRequest::default()
            };
            made.push(create_in(tx, &id, &n, actor)?);
        }
        Ok(made)
    })
}
