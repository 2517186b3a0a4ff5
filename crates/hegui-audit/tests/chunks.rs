//! Large content in the vault: received into a spool and stored in chunks, never whole in
//! memory; read back chunk by chunk; a changed, moved or missing chunk is named; exports
//! carry the chunks and an import checks them.

mod common;

use common::{all_verify, new, postgres, sqlite};
use hegui_audit::store::{Arg, RowExt, Store};
use hegui_audit::vault::{self, chunks, Content, EvidenceKind, NewEvidence, Spool};
use hegui_audit::{engagement, transfer, verify};
use hegui_core::inventory::AuditKind;

/// 3.5 chunks of bytes that differ chunk to chunk.
fn big() -> Vec<u8> {
    (0..chunks::CHUNK * 7 / 2)
        .map(|i| (i * 31 % 251) as u8)
        .collect()
}

fn spooled(bytes: &[u8]) -> vault::Spooled {
    let mut s = Spool::new(u64::MAX).unwrap();
    // As an upload arrives: in pieces that do not line up with chunks.
    for piece in bytes.chunks(100_003) {
        s.write(piece).unwrap();
    }
    s.finish().unwrap()
}

fn add(store: &Store, code: &str, content: Content) -> String {
    let n = NewEvidence {
        name: "访问日志-2025.csv".into(),
        content,
        kind: EvidenceKind::File,
        collector: "auditor".into(),
        effective_date: None,
        source: "运维".into(),
        description: String::new(),
        checkpoints: vec!["G13.4".into()],
    };
    vault::add(store, code, n).unwrap().code
}

fn exec(store: &Store, sql: &str, args: &[Arg]) {
    let mut tx = store.begin().unwrap();
    tx.exec(sql, args).unwrap();
    tx.commit().unwrap();
}

fn chunked_round_trip(store: &Store, tag: &str) {
    let code = engagement::create(store, &new(AuditKind::Commissioned, "甲所", "王五"))
        .unwrap()
        .code;
    let id = engagement::resolve(store, &code).unwrap();
    let bytes = big();
    let s = spooled(&bytes);
    assert_eq!(s.size, bytes.len() as u64);
    let ev = add(store, &code, Content::Spooled(s));
    let n = store
        .rows(
            "SELECT COUNT(*) FROM evidence_chunks WHERE engagement_id = $1",
            &[id.clone().into()],
        )
        .unwrap()[0]
        .opt_int(0)
        .unwrap();
    assert_eq!(n, 4, "3.5 MiB is four chunks");
    let (item, back) = vault::get(store, &code, &ev).unwrap();
    assert_eq!(item.size, bytes.len() as i64);
    assert!(back == bytes, "the content comes back as it went in");
    // A small spooled file is one piece, as before.
    let small = add(store, &code, Content::Spooled(spooled(b"%PDF-1.7 small")));
    assert_eq!(
        vault::get(store, &code, &small).unwrap().1,
        b"%PDF-1.7 small"
    );
    all_verify(store);
    // An export carries the chunks; an import checks them and restores the content.
    let x = transfer::export(store, &code, "lead", "2026-12-06T08:00:00Z").unwrap();
    let other = sqlite(&format!("chunks-import-{tag}"));
    transfer::import(&other, &x, "lead", None).unwrap();
    assert!(vault::get(&other, &code, &ev).unwrap().1 == bytes);
    all_verify(&other);
}

#[test]
fn large_content_is_stored_in_chunks_on_sqlite() {
    chunked_round_trip(&sqlite("chunks"), "sqlite");
}

#[test]
fn large_content_is_stored_in_chunks_on_postgres() {
    if let Some((store, _db)) = postgres("chunks") {
        chunked_round_trip(&store, "postgres");
    }
}

/// A changed, moved or missing chunk is named by `verify`, and the content is not given out.
#[test]
fn a_changed_moved_or_missing_chunk_is_caught() {
    let store = sqlite("chunks-tamper");
    let code = engagement::create(&store, &new(AuditKind::Commissioned, "甲所", "王五"))
        .unwrap()
        .code;
    let id = engagement::resolve(&store, &code).unwrap();
    let ev = add(&store, &code, Content::Spooled(spooled(&big())));
    let sha = vault::list(&store, &code).unwrap()[0].sha256.clone();
    let problems = |store: &Store| {
        verify::engagement(store, &code)
            .unwrap()
            .problems
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
    };
    assert!(problems(&store).is_empty());
    let row = |seq: i64| -> (Vec<u8>, Vec<u8>) {
        let r = &store
            .rows("SELECT nonce, ciphertext FROM evidence_chunks WHERE engagement_id = $1 AND sha256 = $2 AND seq = $3", &[id.clone().into(), sha.clone().into(), seq.into()])
            .unwrap()[0];
        (r.opt_bytes(0).unwrap(), r.opt_bytes(1).unwrap())
    };
    let set = |seq: i64, ct: Vec<u8>| {
        exec(&store, "UPDATE evidence_chunks SET ciphertext = $1 WHERE engagement_id = $2 AND sha256 = $3 AND seq = $4", &[Arg::Bytes(ct), id.clone().into(), sha.clone().into(), seq.into()]);
    };
    // One byte of chunk 2 flipped.
    let (_, ct) = row(2);
    let mut bad = ct.clone();
    bad[100] ^= 1;
    set(2, bad);
    let p = problems(&store);
    assert!(
        p.iter()
            .any(|l| l.contains("evidence_chunks") && l.contains("ciphertext")),
        "{p:#?}"
    );
    assert!(
        p.iter()
            .any(|l| l.contains("chunk 2 of 4 fails authentication")),
        "{p:#?}"
    );
    assert!(vault::get(&store, &code, &ev).is_err());
    set(2, ct);
    assert!(problems(&store).is_empty());
    // Chunks 1 and 2 swapped (nonces and ciphertexts): each fails where it now stands.
    let (n1, c1) = row(1);
    let (n2, c2) = row(2);
    for (seq, n, c) in [(1, n2.clone(), c2.clone()), (2, n1.clone(), c1.clone())] {
        exec(&store, "UPDATE evidence_chunks SET nonce = $1, ciphertext = $2 WHERE engagement_id = $3 AND sha256 = $4 AND seq = $5", &[Arg::Bytes(n), Arg::Bytes(c), id.clone().into(), sha.clone().into(), seq.into()]);
    }
    assert!(vault::verify(&store, &code)
        .unwrap_err()
        .to_string()
        .contains("chunk 1 of 4"));
    for (seq, n, c) in [(1, n1, c1), (2, n2, c2)] {
        exec(&store, "UPDATE evidence_chunks SET nonce = $1, ciphertext = $2 WHERE engagement_id = $3 AND sha256 = $4 AND seq = $5", &[Arg::Bytes(n), Arg::Bytes(c), id.clone().into(), sha.clone().into(), seq.into()]);
    }
    assert!(problems(&store).is_empty());
    // The last chunk removed: the content is cut, and the chunk before it was not the last.
    exec(
        &store,
        "DELETE FROM evidence_chunks WHERE engagement_id = $1 AND sha256 = $2 AND seq = 3",
        &[id.clone().into(), sha.clone().into()],
    );
    let e = vault::verify(&store, &code).unwrap_err().to_string();
    assert!(e.contains("chunk 2 of 3 fails authentication"), "{e}");
    assert!(problems(&store)
        .iter()
        .any(|l| l.contains("evidence_chunks") && l.contains("missing")));
}

/// A spool refuses content past its limit, and keeps nothing readable on disk.
#[test]
fn a_spool_stops_at_its_limit() {
    let mut s = Spool::new(10).unwrap();
    s.write(b"0123456789").unwrap();
    let e = s.write(b"x").unwrap_err().to_string();
    assert!(e.contains("larger than"), "{e}");
}
