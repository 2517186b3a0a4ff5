//! Sign-in attempts per address: at most [`PER_MINUTE`] password or code submissions a
//! minute from one address (ASVS 5.0 asks for rate limits on authentication), on top of
//! the per-account lockout of `hegui_audit::accounts`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Attempts allowed per address and minute.
pub const PER_MINUTE: u32 = 20;
const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at most (the oldest windows are dropped first).
const MAX_ADDRESSES: usize = 100_000;

/// Counts attempts per address in fixed one-minute windows.
#[derive(Debug, Default)]
pub struct Throttle {
    seen: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl Throttle {
    /// Records an attempt from `addr`; false when it is over the limit.
    pub fn allow(&self, addr: IpAddr) -> bool {
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() >= MAX_ADDRESSES {
            seen.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = seen.entry(addr).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= PER_MINUTE
    }
}

/// Refusals recorded in the instance's log: one entry per account and target a minute,
/// so that someone probing many times cannot flood the log (or the store with writes).
#[derive(Debug, Default)]
pub struct Denials {
    seen: Mutex<HashMap<(String, String), Instant>>,
}

impl Denials {
    /// Whether a refusal of `who` on `target` is to be logged now.
    pub fn fresh(&self, who: &str, target: &str) -> bool {
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() >= MAX_ADDRESSES {
            seen.retain(|_, at| now.duration_since(*at) < WINDOW);
        }
        let key = (who.to_string(), target.to_string());
        match seen.get(&key) {
            Some(at) if now.duration_since(*at) < WINDOW => false,
            _ => {
                seen.insert(key, now);
                true
            }
        }
    }
}

/// Logs a refusal (an engagement out of reach, an administrator's page, an API token
/// refused) in the instance's hash-chained log: who, which action, what — never a secret.
pub async fn record_denial(state: &crate::AppState, who: &str, action: &str, target: &str) {
    if !state.denials.fresh(who, target) {
        return;
    }
    let (store, who, action) = (state.store.clone(), who.to_string(), action.to_string());
    let detail = serde_json::json!({ "target": target });
    // A refusal is answered whether or not its record could be written.
    let _ = crate::session::blocking(move || {
        hegui_audit::instance_log::append(&store, &who, &action, &detail)
    })
    .await;
}

/// The client's address: the connection's peer, or — when the peer is a proxy named by
/// `--trusted-proxy` — the last address in `X-Forwarded-For` that is not such a proxy
/// (each proxy appends the address it saw; what a client wrote itself comes first and is
/// not believed).
pub fn client_ip(
    peer: IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[ipnet::IpNet],
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .unwrap_or(peer)
}
