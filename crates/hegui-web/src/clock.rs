//! What the server does by the clock: every few minutes, the day's request reminders and
//! overdue digests (each goes out once: `hegui_audit::requests::reminders` marks them), then
//! the e-mail of what is not mailed yet when `--mail-config` was given. A failure is said on
//! standard error and tried again at the next tick; it never stops the server.

use std::sync::Arc;
use std::time::Duration;

use hegui_audit::store::Store;
use hegui_core::calendar::Calendar;

/// How often the clock ticks.
pub const TICK: Duration = Duration::from_secs(300);

/// One tick: what was sent, or why not.
pub fn tick(
    store: &Store,
    mail: Option<&hegui_mail::MailConfig>,
) -> Result<(usize, usize, usize), String> {
    let run =
        hegui_audit::requests::reminders::run(store, crate::access::today(), Calendar::builtin())
            .map_err(|e| format!("reminders: {e}"))?;
    let mailed = match mail {
        Some(cfg) => {
            hegui_mail::deliver(store, cfg)
                .map_err(|e| format!("e-mail: {e}"))?
                .sent
        }
        None => 0,
    };
    Ok((run.reminders, run.digests, mailed))
}

/// Runs [`tick`] now and every [`TICK`] on the blocking pool, for as long as the server.
pub async fn run(store: Arc<Store>, mail: Option<hegui_mail::MailConfig>) {
    let mail = Arc::new(mail);
    let mut every = tokio::time::interval(TICK);
    loop {
        every.tick().await;
        let (s, m) = (store.clone(), mail.clone());
        match tokio::task::spawn_blocking(move || tick(&s, m.as_ref().as_ref())).await {
            Ok(Ok((0, 0, 0))) => {}
            Ok(Ok((r, d, m))) => {
                eprintln!("hegui: {r} reminder(s), {d} overdue digest(s), {m} e-mail(s) sent")
            }
            Ok(Err(e)) => eprintln!(
                "hegui: {e} (tried again in {} minutes)",
                TICK.as_secs() / 60
            ),
            Err(_) => {
                eprintln!("hegui: the notification clock failed; tried again at the next tick")
            }
        }
    }
}
