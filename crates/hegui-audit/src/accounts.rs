//! The people who sign in to `hegui serve`: accounts with argon2id password hashes, TOTP
//! second factors, lockout after failed sign-ins, and server-side sessions of which only
//! the SHA-256 of the token is stored.
//!
//! Accounts belong to the instance, not to an engagement: what a person may do in an
//! engagement is their membership's role ([`crate::members`]).

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};

use crate::hex;
use crate::store::{now, RowExt, Store};
use crate::AuditError;

/// Sign-ins that fail in a row before the account is locked.
pub const LOCK_AFTER: i64 = 5;
/// How long a locked account stays locked.
pub const LOCK_FOR: SignedDuration = SignedDuration::from_mins(15);
/// A session ends after this long without a request…
pub const IDLE: SignedDuration = SignedDuration::from_mins(30);
/// …and in any case this long after sign-in.
pub const ABSOLUTE: SignedDuration = SignedDuration::from_hours(12);
/// Passwords shorter than this are refused (ASVS 5.0 asks for at least 8).
pub const MIN_PASSWORD: usize = 8;
/// Longer ones are refused too: argon2 of a megabyte is a denial of service.
pub const MAX_PASSWORD: usize = 128;

/// Passwords refused whatever else is true of them: the 3,000 most common of 8 characters
/// or more, and ones common in China (`data/common-passwords.txt`, with its source).
fn common(password: &str) -> bool {
    static LIST: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../data/common-passwords.txt")
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
    .contains(password.to_lowercase().as_str())
}

/// One account.
#[derive(Debug, Clone, serde::Serialize)]
pub struct User {
    pub name: String,
    pub display_name: String,
    pub admin: bool,
    pub disabled: bool,
    /// Whether a TOTP second factor is enrolled.
    pub mfa: bool,
    pub created_at: String,
}

/// Why a sign-in step was refused. The web layer shows one message for all of them, so
/// that a stranger learns nothing about which accounts exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No such account, or the wrong password.
    Credentials,
    /// Too many failures: locked until then.
    Locked(String),
    Disabled,
    /// The TOTP code is wrong, or was used already.
    Code,
}

fn cols() -> &'static str {
    "name, display_name, is_admin, disabled, totp_secret, created_at"
}

fn user_of(r: &crate::store::Row) -> User {
    User {
        name: r.text(0),
        display_name: r.text(1),
        admin: r.int(2) != 0,
        disabled: r.int(3) != 0,
        mfa: r.opt(4).is_some(),
        created_at: r.text(5),
    }
}

/// Checks a new password against the rules, saying which one it breaks.
pub fn check_password(password: &str) -> Result<(), AuditError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return Err(AuditError::Invalid(format!(
            "the password has {n} characters: it needs at least {MIN_PASSWORD}"
        )));
    }
    if password.len() > MAX_PASSWORD {
        return Err(AuditError::Invalid(format!(
            "the password is longer than {MAX_PASSWORD} bytes"
        )));
    }
    if common(password) {
        return Err(AuditError::Invalid(
            "the password is one of the most common ones: choose another".into(),
        ));
    }
    Ok(())
}

fn hash_password(password: &str) -> Result<String, AuditError> {
    // argon2id with the crate's defaults (m = 19 MiB, t = 2, p = 1: ASVS 5.0's minimum),
    // and a random salt.
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AuditError::Db(format!("password hashing: {e}")))
}

/// An account name: 1–64 characters, no spaces or control characters.
fn check_name(name: &str) -> Result<(), AuditError> {
    let n = name.chars().count();
    if n == 0 || n > 64 || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(AuditError::Invalid(format!(
            "account name {name:?}: 1 to 64 characters, without spaces"
        )));
    }
    Ok(())
}

/// Creates an account. The first administrator is made this way (there is no default one).
pub fn add(
    store: &Store,
    name: &str,
    display_name: &str,
    password: &str,
    admin: bool,
) -> Result<User, AuditError> {
    check_name(name)?;
    check_password(password)?;
    let hash = hash_password(password)?;
    store.write(None, |tx| {
        if !tx
            .rows("SELECT name FROM users WHERE name = $1", &[name.into()])?
            .is_empty()
        {
            return Err(AuditError::Invalid(format!("account {name} exists already")));
        }
        tx.exec(
            "INSERT INTO users (name, display_name, password_hash, totp_secret, totp_last_step, is_admin, disabled, failed_signins, locked_until, created_at)
             VALUES ($1, $2, $3, NULL, NULL, $4, 0, 0, NULL, $5)",
            &[name.into(), display_name.into(), hash.clone().into(), i64::from(admin).into(), now().into()],
        )?;
        Ok(())
    })?;
    get(store, name)?.ok_or_else(|| AuditError::NotFound(name.into()))
}

/// One account, if it exists.
pub fn get(store: &Store, name: &str) -> Result<Option<User>, AuditError> {
    let sql = format!("SELECT {} FROM users WHERE name = $1", cols());
    Ok(store.rows(&sql, &[name.into()])?.first().map(user_of))
}

/// Every account, by name.
pub fn list(store: &Store) -> Result<Vec<User>, AuditError> {
    let sql = format!("SELECT {} FROM users ORDER BY name", cols());
    Ok(store.rows(&sql, &[])?.iter().map(user_of).collect())
}

/// Disables an account (or enables it again) and ends its sessions.
pub fn set_disabled(store: &Store, name: &str, disabled: bool) -> Result<(), AuditError> {
    store.write(None, |tx| {
        let n = tx.exec(
            "UPDATE users SET disabled = $1 WHERE name = $2",
            &[i64::from(disabled).into(), name.into()],
        )?;
        if n == 0 {
            return Err(AuditError::NotFound(format!("account {name}")));
        }
        tx.exec("DELETE FROM sessions WHERE user_name = $1", &[name.into()])?;
        Ok(())
    })
}

/// Removes an account's second factor (it enrols a new one at its next sign-in) and ends
/// its sessions.
pub fn reset_mfa(store: &Store, name: &str) -> Result<(), AuditError> {
    store.write(None, |tx| {
        let n = tx.exec(
            "UPDATE users SET totp_secret = NULL, totp_last_step = NULL WHERE name = $1",
            &[name.into()],
        )?;
        if n == 0 {
            return Err(AuditError::NotFound(format!("account {name}")));
        }
        tx.exec("DELETE FROM sessions WHERE user_name = $1", &[name.into()])?;
        Ok(())
    })
}

/// Sets a new password (an administrator's reset, or the user's own change).
pub fn set_password(store: &Store, name: &str, password: &str) -> Result<(), AuditError> {
    check_password(password)?;
    let hash = hash_password(password)?;
    store.write(None, |tx| {
        let n = tx.exec(
            "UPDATE users SET password_hash = $1, failed_signins = 0, locked_until = NULL WHERE name = $2",
            &[hash.clone().into(), name.into()],
        )?;
        if n == 0 {
            return Err(AuditError::NotFound(format!("account {name}")));
        }
        tx.exec("DELETE FROM sessions WHERE user_name = $1", &[name.into()])?;
        Ok(())
    })
}

/// A dummy hash to verify against when the account does not exist, so that a wrong name
/// takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not a password of anyone").unwrap_or_default())
}

/// Checks a password. Failures count towards the lockout; a success resets the count.
pub fn check_credentials(store: &Store, name: &str, password: &str) -> Result<User, Refused> {
    let now_ts = Timestamp::now();
    let rows = store
        .rows(
            "SELECT password_hash, disabled, failed_signins, locked_until FROM users WHERE name = $1",
            &[name.into()],
        )
        .map_err(|_| Refused::Credentials)?;
    let Some(r) = rows.first() else {
        let _ = verify(dummy_hash(), password);
        return Err(Refused::Credentials);
    };
    if let Some(until) = r.opt(3).and_then(|t| t.parse::<Timestamp>().ok()) {
        if until > now_ts {
            return Err(Refused::Locked(until.to_string()));
        }
    }
    if password.len() > MAX_PASSWORD || !verify(&r.text(0), password) {
        let failed = r.int(2) + 1;
        let locked = (failed >= LOCK_AFTER).then(|| (now_ts + LOCK_FOR).to_string());
        let _ = store.write(None, |tx| {
            tx.exec(
                "UPDATE users SET failed_signins = $1, locked_until = $2 WHERE name = $3",
                &[
                    if locked.is_some() { 0 } else { failed }.into(),
                    locked.clone().into(),
                    name.into(),
                ],
            )
        });
        return Err(match locked {
            Some(until) => Refused::Locked(until),
            None => Refused::Credentials,
        });
    }
    if r.int(1) != 0 {
        return Err(Refused::Disabled);
    }
    let _ = store.write(None, |tx| {
        tx.exec(
            "UPDATE users SET failed_signins = 0, locked_until = NULL WHERE name = $1",
            &[name.into()],
        )
    });
    get(store, name).ok().flatten().ok_or(Refused::Credentials)
}

fn verify(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A random password of 16 characters from an alphabet without look-alikes (about 92
/// bits), for accounts made by a script (`hegui user add --generate-password`, the demo).
pub fn random_password() -> Result<String, AuditError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| AuditError::Db(format!("no randomness: {e}")))?;
    // 256 is not a multiple of 56: the slight bias costs well under a bit.
    Ok(b.iter()
        .map(|x| ALPHABET[usize::from(*x) % ALPHABET.len()] as char)
        .collect())
}

/// Whether the store says the second factor is not required (a demo store).
pub fn mfa_relaxed(store: &Store) -> Result<bool, AuditError> {
    Ok(store
        .rows("SELECT value FROM settings WHERE key = 'mfa'", &[])?
        .first()
        .is_some_and(|r| r.text(0) == "relaxed"))
}

/// Marks a store as a demo store whose accounts sign in without a second factor; every
/// page of `hegui serve` then says so.
pub fn relax_mfa(store: &Store) -> Result<(), AuditError> {
    store.write(None, |tx| {
        tx.exec("DELETE FROM settings WHERE key = 'mfa'", &[])?;
        tx.exec(
            "INSERT INTO settings (key, value) VALUES ('mfa', 'relaxed')",
            &[],
        )?;
        Ok(())
    })
}

/// A new TOTP secret (160 bits, RFC 4226's recommendation), hex-encoded.
pub fn new_totp_secret() -> Result<String, AuditError> {
    let mut b = [0u8; 20];
    getrandom::fill(&mut b).map_err(|e| AuditError::Db(format!("no randomness: {e}")))?;
    Ok(hex::encode(&b))
}

fn totp(secret_hex: &str, account: &str) -> Option<totp_rs::Totp> {
    let secret = hex::decode(secret_hex, "TOTP secret").ok()?;
    totp_rs::Builder::new()
        .with_secret(secret)
        .with_account_name(account)
        .with_issuer(Some("hegui"))
        .build()
        .ok()
}

/// The `otpauth://` address an authenticator app reads from the enrolment QR code.
pub fn totp_url(secret_hex: &str, account: &str) -> Option<String> {
    totp(secret_hex, account)?.to_url().ok()
}

/// The secret in base 32, for typing into an authenticator app by hand.
pub fn totp_secret_base32(secret_hex: &str) -> Option<String> {
    let b = hex::decode(secret_hex, "TOTP secret").ok()?;
    Some(totp_rs::Secret::from(b).to_base32())
}

/// The code for a secret at a time (for tests and the demo's printed instructions).
pub fn totp_code(secret_hex: &str, unix_seconds: u64) -> Option<String> {
    Some(totp(secret_hex, "x")?.generate(unix_seconds).to_string())
}

fn unix_now() -> u64 {
    Timestamp::now().as_second().max(0) as u64
}

/// Completes enrolment: the code must match the new secret, which is then the account's.
pub fn enrol_totp(store: &Store, name: &str, secret_hex: &str, code: &str) -> Result<(), Refused> {
    let t = totp(secret_hex, name).ok_or(Refused::Code)?;
    let step = t.check(code.trim(), unix_now()).ok_or(Refused::Code)?;
    store
        .write(None, |tx| {
            tx.exec(
                "UPDATE users SET totp_secret = $1, totp_last_step = $2 WHERE name = $3 AND totp_secret IS NULL",
                &[secret_hex.into(), (step as i64).into(), name.into()],
            )
        })
        .map_err(|_| Refused::Code)
        .and_then(|n| if n == 1 { Ok(()) } else { Err(Refused::Code) })
}

/// Checks a TOTP code. A code is accepted once (RFC 6238 §5.2): a step at or before the
/// last one accepted is refused.
pub fn check_totp(store: &Store, name: &str, code: &str) -> Result<(), Refused> {
    let rows = store
        .rows(
            "SELECT totp_secret, totp_last_step FROM users WHERE name = $1",
            &[name.into()],
        )
        .map_err(|_| Refused::Code)?;
    let r = rows.first().ok_or(Refused::Code)?;
    let secret = r.opt(0).ok_or(Refused::Code)?;
    let t = totp(&secret, name).ok_or(Refused::Code)?;
    let step = t.check(code.trim(), unix_now()).ok_or(Refused::Code)? as i64;
    let last = r.opt_int(1);
    if last.is_some_and(|l| step <= l) {
        return Err(Refused::Code);
    }
    // Only one request can move the step forward: the update is conditional on it.
    let n = store
        .write(None, |tx| {
            tx.exec(
                "UPDATE users SET totp_last_step = $1 WHERE name = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
                &[step.into(), name.into()],
            )
        })
        .map_err(|_| Refused::Code)?;
    if n == 1 {
        Ok(())
    } else {
        Err(Refused::Code)
    }
}

/// Where a session is in signing in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The password was right; the second factor is still to come.
    Password,
    /// Signed in.
    Full,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::Password => "password",
            Stage::Full => "full",
        }
    }
}

/// A live session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub stage: Stage,
    /// A TOTP secret being enrolled (shown as a QR code until confirmed).
    pub pending_totp: Option<String>,
    pub created_at: String,
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(&Sha256::digest(token.as_bytes()))
}

/// Starts a session; returns its token (256 random bits, hex). Only its hash is stored.
pub fn start_session(
    store: &Store,
    name: &str,
    stage: Stage,
    pending_totp: Option<&str>,
) -> Result<String, AuditError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| AuditError::Db(format!("no randomness: {e}")))?;
    let token = hex::encode(&b);
    let at = now();
    store.write(None, |tx| {
        tx.exec(
            "INSERT INTO sessions (token_sha256, user_name, stage, pending_totp, created_at, last_seen) VALUES ($1, $2, $3, $4, $5, $5)",
            &[token_hash(&token).into(), name.into(), stage.as_str().into(), pending_totp.map(String::from).into(), at.clone().into()],
        )
    })?;
    Ok(token)
}

/// The session of a token, if it is live: not idle past [`IDLE`], not older than
/// [`ABSOLUTE`], its account not disabled. A request refreshes it (at most once a minute,
/// so that page views do not each write).
pub fn session(store: &Store, token: &str) -> Result<Option<Session>, AuditError> {
    if token.len() != 64 {
        return Ok(None);
    }
    let h = token_hash(token);
    // One query for the session and its account: every request makes it.
    let rows = store.rows(
        "SELECT s.stage, s.pending_totp, s.created_at, s.last_seen, u.name, u.display_name, u.is_admin, u.disabled, u.totp_secret, u.created_at FROM sessions s JOIN users u ON u.name = s.user_name WHERE s.token_sha256 = $1 AND u.disabled = 0",
        &[h.clone().into()],
    )?;
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    let now_ts = Timestamp::now();
    let (created, seen) = (r.text(2), r.text(3));
    let parse = |s: &str| s.parse::<Timestamp>().ok();
    let (Some(c), Some(s)) = (parse(&created), parse(&seen)) else {
        return Ok(None);
    };
    if now_ts.duration_since(s) > IDLE || now_ts.duration_since(c) > ABSOLUTE {
        end_session(store, token)?;
        return Ok(None);
    }
    if now_ts.duration_since(s) > SignedDuration::from_mins(1) {
        store.write(None, |tx| {
            tx.exec(
                "UPDATE sessions SET last_seen = $1 WHERE token_sha256 = $2",
                &[now_ts.to_string().into(), h.clone().into()],
            )
        })?;
    }
    let user = User {
        name: r.text(4),
        display_name: r.text(5),
        admin: r.int(6) != 0,
        disabled: r.int(7) != 0,
        mfa: r.opt(8).is_some(),
        created_at: r.text(9),
    };
    Ok(Some(Session {
        user,
        stage: if r.text(0) == "full" {
            Stage::Full
        } else {
            Stage::Password
        },
        pending_totp: r.opt(1),
        created_at: created,
    }))
}

/// Ends a session (sign-out, or a session replaced by another).
pub fn end_session(store: &Store, token: &str) -> Result<(), AuditError> {
    let h = token_hash(token);
    store.write(None, |tx| {
        tx.exec(
            "DELETE FROM sessions WHERE token_sha256 = $1",
            &[h.clone().into()],
        )
    })?;
    Ok(())
}

/// Replaces a session with a new token at a new stage (the token changes at every step of
/// signing in, so a token seen before sign-in is worth nothing after).
pub fn rotate_session(
    store: &Store,
    token: &str,
    name: &str,
    stage: Stage,
) -> Result<String, AuditError> {
    end_session(store, token)?;
    start_session(store, name, stage, None)
}

/// Sets the secret being enrolled in a password-stage session.
pub fn set_pending_totp(store: &Store, token: &str, secret: &str) -> Result<(), AuditError> {
    let h = token_hash(token);
    store.write(None, |tx| {
        tx.exec(
            "UPDATE sessions SET pending_totp = $1 WHERE token_sha256 = $2",
            &[secret.into(), h.clone().into()],
        )
    })?;
    Ok(())
}

/// Sets (or with `None` removes) the address a person's notifications are e-mailed to.
pub fn set_email(store: &Store, name: &str, email: Option<&str>) -> Result<(), AuditError> {
    let email = email.map(str::trim).filter(|e| !e.is_empty());
    if let Some(e) = email {
        let ok = e.len() <= 254
            && e.split_once('@').is_some_and(|(local, host)| {
                !local.is_empty() && host.contains('.') && !e.contains(char::is_whitespace)
            });
        if !ok {
            return Err(AuditError::Invalid(format!(
                "{e:?} is not an e-mail address"
            )));
        }
    }
    store.write(None, |tx| {
        let n = tx.exec(
            "UPDATE users SET email = $2 WHERE name = $1",
            &[name.into(), email.map(String::from).into()],
        )?;
        if n == 0 {
            return Err(AuditError::NotFound(format!("account {name}")));
        }
        Ok(())
    })
}

/// The address a person's notifications are e-mailed to, if they gave one.
pub fn email(store: &Store, name: &str) -> Result<Option<String>, AuditError> {
    Ok(store
        .rows("SELECT email FROM users WHERE name = $1", &[name.into()])?
        .first()
        .and_then(|r| r.opt(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(p: &str) -> String {
        check_password(p).unwrap_err().to_string()
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for p in [
            "sunshine",
            "SunShine",
            "corvette",
            "woaini1314",
            "qq123456",
            "1q2w3e4r",
        ] {
            assert!(refused(p).contains("most common"), "{p}");
        }
        // Past the 3,000th of the list, and a long Chinese passphrase: allowed.
        assert!(check_password("审计工作底稿2026!").is_ok());
        assert!(check_password("correct horse battery staple").is_ok());
        assert!(refused("dragon1").contains("at least 8"));
        let listed = include_str!("../data/common-passwords.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .count();
        assert!(listed >= 3000, "{listed}");
    }
}
