//! Ed25519 keys for signatories: a key file holds the secret and public keys (hex) and the
//! signatory's name; the public part can be shared on its own. Used for deletion records
//! here, and for reports.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::AuditError;

/// A key file (keep it private: it holds the secret key).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyFile {
    pub algorithm: String,
    pub name: String,
    pub public: String,
    pub secret: String,
}

/// The public part.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublicKey {
    pub algorithm: String,
    pub name: String,
    pub public: String,
}

use crate::hex::encode as hex;

fn unhex<const N: usize>(s: &str, what: &str) -> Result<[u8; N], AuditError> {
    crate::hex::decode(s, what)?
        .try_into()
        .map_err(|_| AuditError::Invalid(format!("{what}: expected {} hex digits", N * 2)))
}

impl KeyFile {
    /// A new key pair for `name`.
    pub fn generate(name: &str) -> Result<KeyFile, AuditError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| AuditError::Db(format!("no randomness: {e}")))?;
        let sk = SigningKey::from_bytes(&seed);
        Ok(KeyFile {
            algorithm: "ed25519".into(),
            name: name.into(),
            public: hex(sk.verifying_key().as_bytes()),
            secret: hex(&seed),
        })
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            algorithm: self.algorithm.clone(),
            name: self.name.clone(),
            public: self.public.clone(),
        }
    }

    fn signing_key(&self) -> Result<SigningKey, AuditError> {
        if self.algorithm != "ed25519" {
            return Err(AuditError::Invalid(format!(
                "key algorithm {:?}: only ed25519",
                self.algorithm
            )));
        }
        let sk = SigningKey::from_bytes(&unhex::<32>(&self.secret, "secret key")?);
        if hex(sk.verifying_key().as_bytes()) != self.public {
            return Err(AuditError::Invalid(
                "the key file's public key does not match its secret key".into(),
            ));
        }
        Ok(sk)
    }

    /// Signs a message; returns the signature as hex.
    pub fn sign(&self, message: &[u8]) -> Result<String, AuditError> {
        Ok(hex(&self.signing_key()?.sign(message).to_bytes()))
    }
}

/// Checks a hex signature by a hex public key.
pub fn verify(public: &str, message: &[u8], signature: &str) -> Result<(), AuditError> {
    let pk = VerifyingKey::from_bytes(&unhex::<32>(public, "public key")?)
        .map_err(|_| AuditError::Invalid("not an ed25519 public key".into()))?;
    let sig = Signature::from_bytes(&unhex::<64>(signature, "signature")?);
    pk.verify(message, &sig)
        .map_err(|_| AuditError::Tampered("the signature does not match the signed content".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify_and_detect_changes() {
        let k = KeyFile::generate("王五").unwrap();
        let sig = k.sign(b"record").unwrap();
        assert!(verify(&k.public, b"record", &sig).is_ok());
        assert!(verify(&k.public, b"recorD", &sig).is_err());
        let other = KeyFile::generate("x").unwrap();
        assert!(verify(&other.public, b"record", &sig).is_err());
        let mut broken = k.clone();
        broken.public = other.public.clone();
        assert!(
            broken.sign(b"x").is_err(),
            "a mismatched key file is refused"
        );
    }
}
