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
