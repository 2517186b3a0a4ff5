//! Tokens around `@` and `:`/`-`: e-mail addresses, MAC addresses and IPv6.

use super::emit::{push, push_masked};
use crate::hit::Hit;
use crate::kind::{Kind, Likelihood};

/// E-mail addresses, anchored on `@`.
pub(crate) fn emails(t: &[u8], out: &mut Vec<Hit>) {
    let local =
        |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-' | b'*');
    let domain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-');
    for at in memchr::memchr_iter(b'@', t) {
        let mut s = at;
        while s > 0 && local(t[s - 1]) {
            s -= 1;
        }
        while s < at && t[s] == b'.' {
            s += 1;
        }
        let mut e = at + 1;
        while e < t.len() && domain(t[e]) {
            e += 1;
        }
        while e > at + 1 && matches!(t[e - 1], b'.' | b'-') {
            e -= 1;
        }
        if s == at || e == at + 1 {
            continue;
        }
        let dom = &t[at + 1..e];
        let Some(dot) = dom.iter().rposition(|&b| b == b'.') else {
            continue;
        };
        let tld = &dom[dot + 1..];
        if tld.len() < 2 || !tld.iter().all(u8::is_ascii_alphabetic) || dot == 0 {
            continue;
        }
        if t[s..at].contains(&b'*') {
            push_masked(out, Kind::Email, s, e);
        } else {
            let norm = t[s..e].to_ascii_lowercase();
            push(out, Kind::Email, s, e, Likelihood::VeryLikely, &norm);
        }
    }
}

/// The bytes of a [`colon_tokens`] token: hex digits, `:`, `-` and `.`. One table load per
/// byte (the four tests cost more: every date and time is walked).
pub(crate) static HEXISH: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_hexdigit() || c == b':' || c == b'-' || c == b'.';
        b += 1;
    }
    t
};

/// Tokens with colons or dashes between hex digits: MAC addresses and IPv6.
pub(crate) fn colon_tokens(t: &[u8], out: &mut Vec<Hit>) {
    tokens::<true>(t, out)
}

/// [`colon_tokens`]; `SKIP`: pass dates and clock times over (off only in tests, which hold
/// the two readings equal).
pub(crate) fn tokens<const SKIP: bool>(t: &[u8], out: &mut Vec<Hit>) {
    let hexish = |b: u8| HEXISH[b as usize];
    let mut i = 0;
    while let Some(off) = memchr::memchr2(b':', b'-', &t[i..]) {
        let p = i + off;
        // `p` is the first separator of its token (what lies between `i` and it holds
        // none). Dates and clock times, in every log line and many cells, are passed over
        // without walking them.
        if let Some(end) = SKIP.then(|| date_or_time(t, p)).flatten() {
            i = end;
            continue;
        }
        let mut s = p;
        while s > 0 && hexish(t[s - 1]) {
            s -= 1;
        }
        let mut e = p;
        while e < t.len() && hexish(t[e]) {
            e += 1;
        }
        i = e.max(p + 1);
        while s < p && matches!(t[s], b'-' | b'.') {
            s += 1;
        }
        while e > p
            && matches!(t[e - 1], b'-' | b'.' | b':')
            && !(t[e - 1] == b':' && e >= 2 && t[e - 2] == b':')
        {
            e -= 1;
        }
        if s > 0 && t[s - 1].is_ascii_alphanumeric()
            || t.get(e).is_some_and(|b| b.is_ascii_alphanumeric())
        {
            continue;
        }
        let tok = &t[s..e];
        if tok.len() == 17 && is_mac(tok) {
            let norm: Vec<u8> = tok
                .iter()
                .filter(|b| b.is_ascii_hexdigit())
                .map(u8::to_ascii_lowercase)
                .collect();
            push(out, Kind::MacAddress, s, e, Likelihood::Likely, &norm);
            continue;
        }
        // Require hex letters or a `::` before parsing, so clock times and ratios cost nothing.
        let colons = tok.iter().filter(|&&b| b == b':').count();
        let plausible = || {
            tok.windows(2).any(|w| w[0] == b':' && w[1] == b':')
                || tok.iter().any(u8::is_ascii_alphabetic)
        };
        if colons >= 2 && !tok.contains(&b'-') && plausible() {
            if let Some(addr) = std::str::from_utf8(tok)
                .ok()
                .and_then(|x| x.parse::<std::net::Ipv6Addr>().ok())
            {
                push(out, Kind::Ipv6, s, e, Likelihood::Likely, &addr.octets());
            }
        }
    }
}

/// The end of the token whose first separator is at `p` when the token is exactly an ISO
/// date (`2026-03-14`) or a clock time (`03:34`, `03:34:50`): digits only, so neither a MAC
/// address (17 bytes, a separator third) nor IPv6 (which [`colon_tokens`] parses only with
/// a hex letter or a `::`). A token ends at the first byte outside [`HEXISH`].
#[inline]
pub(crate) fn date_or_time(t: &[u8], p: usize) -> Option<usize> {
    let digits = |a: usize, n: usize| {
        t.get(a..a + n)
            .is_some_and(|w| w.iter().all(u8::is_ascii_digit))
    };
    let edge = |at: usize| t.get(at).is_none_or(|&b| !HEXISH[b as usize]);
    let starts = |n: usize| p >= n && digits(p - n, n) && (p == n || edge(p - n - 1));
    match t[p] {
        b'-' if starts(4)
            && digits(p + 1, 2)
            && t.get(p + 3) == Some(&b'-')
            && digits(p + 4, 2)
            && edge(p + 6) =>
        {
            Some(p + 6)
        }
        b':' if starts(2) && digits(p + 1, 2) => {
            if edge(p + 3) {
                Some(p + 3)
            } else if t[p + 3] == b':' && digits(p + 4, 2) && edge(p + 6) {
                Some(p + 6)
            } else {
                None
            }
        }
        _ => None,
    }
}

pub(crate) fn is_mac(tok: &[u8]) -> bool {
    let sep = tok[2];
    (sep == b':' || sep == b'-')
        && tok.chunks(3).all(|c| {
            c[0].is_ascii_hexdigit() && c[1].is_ascii_hexdigit() && (c.len() == 2 || c[2] == sep)
        })
}
