//! Detached signatures of a report. `REPORT.sig.json` holds the report's SHA-256, the
//! manifest of every evidence hash the report relies on (from the engagement's vault), and
//! one signature per signatory — Measures Art. 10 asks for the professional body's
//! principal and the audit lead. Each signature covers the report hash, the manifest, the
//! signatory, the role and the time; verification fails on any changed byte of the report
//! or of the manifest.

use std::path::{Path, PathBuf};

use hegui_audit::signing::{self, KeyFile};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One evidence item a report relies on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub code: String,
    pub name: String,
    pub sha256: String,
}

/// The evidence manifest of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub engagement: String,
    pub evidence: Vec<ManifestEntry>,
}

/// Who signs, in which capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 专业机构主要负责人
    Principal,
    /// 合规审计负责人
    AuditLead,
    Other,
}

/// One signature.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Signed {
    pub signer: String,
    pub role: Role,
    pub signed_at: String,
    pub public_key: String,
    pub signature: String,
}

/// The signature file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignatureFile {
    pub version: u32,
    pub report: String,
    pub report_sha256: String,
    pub manifest: Manifest,
    pub signatures: Vec<Signed>,
}

/// What each signature covers, serialised in a fixed order.
#[derive(Serialize)]
struct Payload<'a> {
    report_sha256: &'a str,
    manifest: &'a Manifest,
    signer: &'a str,
    role: Role,
    signed_at: &'a str,
}

/// Errors of signing and verifying.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0}: not a hegui signature file: {1}")]
    Format(String, serde_json::Error),
    #[error("{0}")]
    Invalid(String),
}

/// The signature file next to a report.
pub fn sig_path(report: &Path) -> PathBuf {
    let mut s = report.as_os_str().to_owned();
    s.push(".sig.json");
    PathBuf::from(s)
}

fn sha256_file(path: &Path) -> Result<String, SignatureError> {
    let bytes =
        std::fs::read(path).map_err(|e| SignatureError::Io(path.display().to_string(), e))?;
    Ok(sha256_hex(&bytes))
}

/// The SHA-256 of `bytes` in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn payload(f: &SignatureFile, s: &Signed) -> Vec<u8> {
    serde_json::to_vec(&Payload {
        report_sha256: &f.report_sha256,
        manifest: &f.manifest,
        signer: &s.signer,
        role: s.role,
        signed_at: &s.signed_at,
    })
    .expect("serialisable")
}

/// Signs `report` with `key` in `role`, adding to its signature file (created with the
/// manifest on the first signature; later signatures must be over the same report and
/// manifest).
pub fn sign(
    report: &Path,
    manifest: Manifest,
    key: &KeyFile,
    role: Role,
    now: &str,
) -> Result<SignatureFile, SignatureError> {
    let content =
        std::fs::read(report).map_err(|e| SignatureError::Io(report.display().to_string(), e))?;
    let path = sig_path(report);
    let existing = if path.exists() {
        Some(read_limited(&path)?)
    } else {
        None
    };
    let name = report
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file = sign_bytes(
        &name,
        &content,
        existing.as_deref().map(|t| (t, path.display().to_string())),
        manifest,
        key,
        role,
        now,
    )?;
    std::fs::write(
        &path,
        serde_json::to_vec_pretty(&file).expect("serialisable"),
    )
    .map_err(|e| SignatureError::Io(path.display().to_string(), e))?;
    Ok(file)
}

/// Signs a report held in memory (`name`, `content`), adding to `existing` — the text of
/// its signature file so far and where it came from — or starting one with `manifest`.
pub fn sign_bytes(
    name: &str,
    content: &[u8],
    existing: Option<(&str, String)>,
    manifest: Manifest,
    key: &KeyFile,
    role: Role,
    now: &str,
) -> Result<SignatureFile, SignatureError> {
    let digest = sha256_hex(content);
    let mut file = match existing {
        Some((text, origin)) => {
            let f: SignatureFile =
                serde_json::from_str(text).map_err(|e| SignatureError::Format(origin, e))?;
            if f.report_sha256 != digest {
                return Err(SignatureError::Invalid(format!(
                    "{name} was signed in another version: the report changed since"
                )));
            }
            if f.manifest != manifest {
                return Err(SignatureError::Invalid(
                    "the evidence manifest changed since the first signature".into(),
                ));
            }
            f
        }
        None => SignatureFile {
            version: 1,
            report: name.to_string(),
            report_sha256: digest,
            manifest,
            signatures: Vec::new(),
        },
    };
    let mut s = Signed {
        signer: key.name.clone(),
        role,
        signed_at: now.to_string(),
        public_key: key.public.clone(),
        signature: String::new(),
    };
    s.signature = key
        .sign(&payload(&file, &s))
        .map_err(|e| SignatureError::Invalid(e.to_string()))?;
    file.signatures.push(s);
    Ok(file)
}

/// Verifies a report against its signature file: the report's bytes, and every
/// signature over the report hash and the manifest. Returns the file when all hold.
pub fn verify(report: &Path) -> Result<SignatureFile, SignatureError> {
    let path = sig_path(report);
    let text = read_limited(&path)?;
    let digest = sha256_file(report)?;
    verify_text(&text, &path.display().to_string(), report, &digest)
}

/// The largest signature file read: a manifest of tens of thousands of evidence hashes.
pub const SIG_FILE_MAX: u64 = 16 << 20;

fn read_limited(path: &Path) -> Result<String, SignatureError> {
    use std::io::Read;
    let io = |e| SignatureError::Io(path.display().to_string(), e);
    let f = std::fs::File::open(path).map_err(io)?;
    let mut text = String::new();
    f.take(SIG_FILE_MAX + 1)
        .read_to_string(&mut text)
        .map_err(io)?;
    if text.len() as u64 > SIG_FILE_MAX {
        return Err(SignatureError::Invalid(format!(
            "{}: larger than {} MiB, not a signature file",
            path.display(),
            SIG_FILE_MAX >> 20
        )));
    }
    Ok(text)
}

/// Verifies the text of a signature file (`origin` names it) against the report's SHA-256.
pub fn verify_text(
    text: &str,
    origin: &str,
    report: &Path,
    digest: &str,
) -> Result<SignatureFile, SignatureError> {
    let f: SignatureFile =
        serde_json::from_str(text).map_err(|e| SignatureError::Format(origin.to_string(), e))?;
    if digest != f.report_sha256 {
        return Err(SignatureError::Invalid(format!(
            "{} does not match the signed report (sha256 {} ≠ signed {})",
            report.display(),
            digest,
            f.report_sha256
        )));
    }
    if f.signatures.is_empty() {
        return Err(SignatureError::Invalid("no signatures".into()));
    }
    for s in &f.signatures {
        signing::verify(&s.public_key, &payload(&f, s), &s.signature).map_err(|_| {
            SignatureError::Invalid(format!(
                "the signature of {} ({:?}) does not match the report hash and manifest",
                s.signer, s.role
            ))
        })?;
    }
    Ok(f)
}

/// The manifest of an engagement's evidence.
pub fn manifest(
    store: &hegui_audit::store::Store,
    engagement: &str,
) -> Result<Manifest, hegui_audit::AuditError> {
    let e = hegui_audit::engagement::show(store, engagement)?;
    let evidence = hegui_audit::vault::list(store, engagement)?
        .into_iter()
        .map(|v| ManifestEntry {
            code: v.code,
            name: v.name,
            sha256: v.sha256,
        })
        .collect();
    Ok(Manifest {
        engagement: e.code,
        evidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            engagement: "ENG-2026-001".into(),
            evidence: vec![ManifestEntry {
                code: "EV-001".into(),
                name: "p.pdf".into(),
                sha256: "ab".repeat(32),
            }],
        }
    }

    #[test]
    fn two_signatories_and_a_flipped_byte() {
        let dir = std::env::temp_dir().join(format!("hegui-sig-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let report = dir.join("report.pdf");
        std::fs::write(&report, b"%PDF report bytes").unwrap();
        let principal = KeyFile::generate("所长").unwrap();
        let lead = KeyFile::generate("王五").unwrap();
        sign(
            &report,
            manifest(),
            &principal,
            Role::Principal,
            "2026-11-23T10:00:00Z",
        )
        .unwrap();
        sign(
            &report,
            manifest(),
            &lead,
            Role::AuditLead,
            "2026-11-23T10:05:00Z",
        )
        .unwrap();
        let f = verify(&report).unwrap();
        assert_eq!(f.signatures.len(), 2);
        // A different manifest cannot be added to the same file.
        let mut other = manifest();
        other.evidence.clear();
        assert!(sign(&report, other, &lead, Role::Other, "t").is_err());
        // One flipped byte of the report fails verification.
        let mut bytes = std::fs::read(&report).unwrap();
        bytes[3] ^= 1;
        std::fs::write(&report, &bytes).unwrap();
        assert!(verify(&report)
            .unwrap_err()
            .to_string()
            .contains("does not match the signed report"));
        bytes[3] ^= 1;
        std::fs::write(&report, &bytes).unwrap();
        assert!(verify(&report).is_ok());
        // One flipped byte of the manifest fails it too.
        let sig = sig_path(&report);
        let text = std::fs::read_to_string(&sig)
            .unwrap()
            .replace("EV-001", "EV-002");
        std::fs::write(&sig, text).unwrap();
        assert!(verify(&report)
            .unwrap_err()
            .to_string()
            .contains("does not match the report hash and manifest"));
    }
}
