//! Large content in the vault, streamed: never held whole in memory.
//!
//! An upload is first written to a [`Spool`] — a temporary file, unlinked at once, its
//! chunks encrypted under a key of its own that lives only in memory, so plaintext never
//! touches the disk — while its SHA-256, size and first bytes are taken. Once the content
//! is known by its hash, [`store`] copies it chunk by chunk into `evidence_chunks`, each
//! chunk encrypted under the engagement's key with the engagement, the content's hash, the
//! chunk's number and whether it is the last bound in as associated data (the STREAM
//! construction: chunks cannot be reordered, moved to other content, dropped from the end
//! or added after it). Such content's row in `evidence_blobs` has an empty nonce and
//! ciphertext: the chunks hold it. Content of at most one chunk is stored in one piece, as
//! before. [`read`] gives the plaintext back chunk by chunk.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

use crate::hex::encode as hex;
use crate::store::{Arg, RowExt, Store, Tx};
use crate::AuditError;

/// The size of a chunk of plaintext.
pub const CHUNK: usize = 1 << 20;

/// How many first bytes a spool keeps for type checks (magic numbers, text or not).
pub const HEAD: usize = 64 * 1024;

fn random<const N: usize>() -> Result<[u8; N], AuditError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| AuditError::Db(format!("no randomness: {e}")))?;
    Ok(b)
}

fn io(what: &str) -> impl Fn(std::io::Error) -> AuditError + '_ {
    move |e| AuditError::Db(format!("{what}: {e}"))
}

/// An upload being received: write to it as the bytes arrive, then [`Spool::finish`].
pub struct Spool {
    out: BufWriter<File>,
    cipher: XChaCha20Poly1305,
    pending: Vec<u8>,
    hash: Sha256,
    size: u64,
    head: Vec<u8>,
    chunks: u64,
    limit: u64,
}

impl Spool {
    /// A new spool in the system's temporary directory, refusing content past `limit`
    /// bytes.
    pub fn new(limit: u64) -> Result<Spool, AuditError> {
        let dir = std::env::temp_dir();
        let name = dir.join(format!("hegui-spool-{}", hex(&random::<16>()?)));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&name)
            .map_err(io("a temporary file for the upload"))?;
        // Unlinked at once: the file lives only as long as this handle, even on a crash.
        let _ = std::fs::remove_file(&name);
        let key: [u8; 32] = random()?;
        Ok(Spool {
            out: BufWriter::new(file),
            cipher: XChaCha20Poly1305::new_from_slice(&key).expect("32-byte key"),
            pending: Vec::with_capacity(CHUNK),
            hash: Sha256::new(),
            size: 0,
            head: Vec::new(),
            chunks: 0,
            limit,
        })
    }

    /// The first bytes taken so far (up to [`HEAD`]).
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// Takes the next bytes of the content.
    pub fn write(&mut self, mut bytes: &[u8]) -> Result<(), AuditError> {
        self.size += bytes.len() as u64;
        if self.size > self.limit {
            return Err(AuditError::Invalid(format!(
                "the file is larger than {} MiB",
                self.limit >> 20
            )));
        }
        self.hash.update(bytes);
        if self.head.len() < HEAD {
            let take = bytes.len().min(HEAD - self.head.len());
            self.head.extend_from_slice(&bytes[..take]);
        }
        while !bytes.is_empty() {
            let take = bytes.len().min(CHUNK - self.pending.len());
            self.pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.pending.len() == CHUNK {
                self.flush_chunk()?;
            }
        }
        Ok(())
    }

    fn flush_chunk(&mut self) -> Result<(), AuditError> {
        let nonce: [u8; 24] = random()?;
        let ct = self
            .cipher
            .encrypt(&XNonce::from(nonce), self.pending.as_slice())
            .map_err(|_| AuditError::Db("encryption failed".into()))?;
        let w = io("writing the upload's temporary file");
        self.out
            .write_all(&(ct.len() as u32).to_le_bytes())
            .map_err(&w)?;
        self.out.write_all(&nonce).map_err(&w)?;
        self.out.write_all(&ct).map_err(&w)?;
        self.pending.clear();
        self.chunks += 1;
        Ok(())
    }

    /// The content is complete.
    pub fn finish(mut self) -> Result<Spooled, AuditError> {
        if !self.pending.is_empty() || self.chunks == 0 {
            self.flush_chunk()?;
        }
        let file = self
            .out
            .into_inner()
            .map_err(|e| AuditError::Db(format!("writing the upload's temporary file: {e}")))?;
        Ok(Spooled {
            file,
            cipher: self.cipher,
            sha256: hex(&self.hash.finalize()),
            size: self.size,
            head: self.head,
        })
    }
}

/// Content received whole into a spool: known by its hash, read back chunk by chunk.
pub struct Spooled {
    file: File,
    cipher: XChaCha20Poly1305,
    pub sha256: String,
    pub size: u64,
    /// The first [`HEAD`] bytes.
    pub head: Vec<u8>,
}

impl std::fmt::Debug for Spooled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spooled")
            .field("sha256", &self.sha256)
            .field("size", &self.size)
            .finish()
    }
}

impl Spooled {
    /// The plaintext, chunk by chunk from the start.
    pub fn chunks(
        &self,
    ) -> Result<impl Iterator<Item = Result<Vec<u8>, AuditError>> + '_, AuditError> {
        let mut file = self
            .file
            .try_clone()
            .map_err(io("the upload's temporary file"))?;
        file.seek(SeekFrom::Start(0))
            .map_err(io("the upload's temporary file"))?;
        let mut r = BufReader::new(file);
        Ok(std::iter::from_fn(move || {
            let mut len = [0u8; 4];
            match r.read_exact(&mut len) {
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return None,
                Err(e) => return Some(Err(io("reading the upload back")(e))),
                Ok(()) => {}
            }
            let mut nonce = [0u8; 24];
            let mut ct = vec![0u8; u32::from_le_bytes(len) as usize];
            let read = r.read_exact(&mut nonce).and_then(|_| r.read_exact(&mut ct));
            Some(read.map_err(io("reading the upload back")).and_then(|_| {
                self.cipher
                    .decrypt(&XNonce::from(nonce), ct.as_slice())
                    .map_err(|_| AuditError::Db("the upload's temporary file was changed".into()))
            }))
        }))
    }

    /// The whole plaintext (for content small enough to hold).
    pub fn bytes(&self) -> Result<Vec<u8>, AuditError> {
        let mut out = Vec::with_capacity(self.size as usize);
        for c in self.chunks()? {
            out.extend_from_slice(&c?);
        }
        Ok(out)
    }
}

fn aad(engagement: &str, sha: &str, seq: i64, last: bool) -> Vec<u8> {
    format!(
        "hegui-evidence-chunk\0{engagement}\0{sha}\0{seq}\0{}",
        u8::from(last)
    )
    .into_bytes()
}

/// Copies spooled content into the vault's chunks for engagement `id`, encrypted under
/// `cipher` (the engagement's key).
pub(crate) fn store(
    tx: &mut Tx,
    id: &str,
    cipher: &XChaCha20Poly1305,
    content: &Spooled,
) -> Result<(), AuditError> {
    let sha = &content.sha256;
    let n = content.size.div_ceil(CHUNK as u64).max(1) as i64;
    for (seq, chunk) in (0..).zip(content.chunks()?) {
        let nonce: [u8; 24] = random()?;
        let ct = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &chunk?,
                    aad: &aad(id, sha, seq, seq == n - 1),
                },
            )
            .map_err(|_| AuditError::Db("encryption failed".into()))?;
        tx.exec(
            "INSERT INTO evidence_chunks (engagement_id, sha256, seq, nonce, ciphertext) VALUES ($1, $2, $3, $4, $5)",
            &[id.into(), sha.clone().into(), seq.into(), Arg::Bytes(nonce.to_vec()), Arg::Bytes(ct)],
        )?;
        tx.touch("evidence_chunks", &[sha, &seq.to_string()]);
    }
    Ok(())
}

/// Decrypts chunk `seq` of content `sha`, which has `count` chunks.
pub(crate) fn open(
    cipher: &XChaCha20Poly1305,
    (id, sha): (&str, &str),
    (seq, count): (i64, i64),
    nonce: &[u8],
    ct: &[u8],
) -> Result<Vec<u8>, AuditError> {
    let nonce: [u8; 24] = nonce
        .try_into()
        .map_err(|_| AuditError::Tampered(format!("content {sha}, chunk {seq}: damaged nonce")))?;
    cipher
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: ct,
                aad: &aad(id, sha, seq, seq == count - 1),
            },
        )
        .map_err(|_| {
            AuditError::Tampered(format!(
                "content {sha}, chunk {seq} of {count} fails authentication: it was changed, moved or cut"
            ))
        })
}

/// The chunks of content `sha` in engagement `id`, decrypted one at a time (one chunk in
/// memory at once); the last item checks the whole against its hash.
pub(crate) fn read<'a>(
    store: &'a Store,
    id: &'a str,
    sha: &'a str,
    cipher: XChaCha20Poly1305,
) -> Result<impl Iterator<Item = Result<Vec<u8>, AuditError>> + 'a, AuditError> {
    let count = store
        .rows(
            "SELECT COUNT(*) FROM evidence_chunks WHERE engagement_id = $1 AND sha256 = $2",
            &[id.into(), sha.into()],
        )?
        .first()
        .map(|r| r.int(0))
        .unwrap_or(0);
    if count == 0 {
        return Err(AuditError::Tampered(format!(
            "content {sha}: its chunks are missing from the vault"
        )));
    }
    let mut hash = Some(Sha256::new());
    let mut seq = 0i64;
    Ok(std::iter::from_fn(move || {
        if seq == count {
            let h = hash.take()?;
            return (hex(&h.finalize()) != sha).then(|| {
                Err(AuditError::Tampered(format!(
                    "content {sha} does not match its hash"
                )))
            });
        }
        let rows = store.rows(
            "SELECT nonce, ciphertext FROM evidence_chunks WHERE engagement_id = $1 AND sha256 = $2 AND seq = $3",
            &[id.into(), sha.into(), seq.into()],
        );
        let got = rows.and_then(|rows| {
            let r = rows.first().ok_or_else(|| {
                AuditError::Tampered(format!("content {sha}: chunk {seq} of {count} is missing"))
            })?;
            open(&cipher, (id, sha), (seq, count), &r.bytes(0), &r.bytes(1))
        });
        seq += 1;
        if let (Ok(c), Some(h)) = (&got, hash.as_mut()) {
            h.update(c);
        }
        if got.is_err() {
            seq = count;
            hash = None;
        }
        Some(got)
    }))
}
