//! Encryption at rest through the library API: tampering that keeps the CRC valid, a cut
//! snapshot, missing and wrong keys (never skipped or repaired away), and enabling a key on a
//! plaintext data directory.

use std::path::{Path, PathBuf};

use stmgr::store::crypto::Keyring;
use stmgr::store::dir::DataDir;
use stmgr::store::offline::verify::{self, Status};
use stmgr::store::snapshot;
use stmgr::store::{Durability, EncryptionKey, Engine, EngineOptions, StoreError};

use crate::engine::{dump_lines, options, put};

pub fn key(b: u8) -> EncryptionKey {
    EncryptionKey::from_bytes(&[b; 32])
}

fn sealed(k: Option<EncryptionKey>) -> EngineOptions {
    EngineOptions {
        encryption: k,
        ..options()
    }
}

fn commit(e: &Engine, ns: &str, id: &str, body: &str) -> u64 {
    let op = put(ns, id, body);
    e.commit_blocking(move |_| Ok((vec![op], ())))
        .unwrap()
        .0
        .seq
}

fn segments(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir.join("wal"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "wal"))
        .collect();
    v.sort();
    v
}

/// The key id in a segment or snapshot header (bytes 12..16 in both).
pub fn header_key_id(path: &Path) -> u32 {
    let b = std::fs::read(path).unwrap();
    u32::from_le_bytes(b[12..16].try_into().unwrap())
}

fn open_err(dir: &Path, opts: EngineOptions) -> StoreError {
    Engine::open(dir, opts, "test").expect_err("open must fail")
}

/// Rewrites a snapshot's trailer CRC after its bytes were changed (as an attacker could).
fn fix_snapshot_crc(bytes: &mut [u8]) {
    let n = bytes.len();
    let body_len = (n - 32 - 96) as u64;
    bytes[n - 24..n - 16].copy_from_slice(&body_len.to_le_bytes());
    let crc = crc32c::crc32c(&bytes[..n - 4]);
    bytes[n - 4..].copy_from_slice(&crc.to_le_bytes());
}

#[test]
fn altered_wal_ciphertext_with_a_valid_crc_is_corruption_at_its_offset() {
    let tmp = tempfile::tempdir().unwrap();
    let e = Engine::open(tmp.path(), sealed(Some(key(1))), "test").unwrap();
    for i in 0..5 {
        commit(&e, "ns", &format!("k{i}"), "{\"v\":1}");
    }
    drop(e);
    let seg = segments(tmp.path()).remove(0);
    assert_eq!(header_key_id(&seg), key(1).id());
    let mut b = std::fs::read(&seg).unwrap();
    // Second frame: after the 64-byte header and the first frame.
    let first_len = u32::from_le_bytes(b[64..68].try_into().unwrap()) as usize;
    let at = 64 + 8 + first_len;
    let len = u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize;
    b[at + 8 + 17 + 12 + 3] ^= 0x20; // a ciphertext byte
    let crc = crc32c::crc32c(&b[at + 8..at + 8 + len]);
    b[at + 4..at + 8].copy_from_slice(&crc.to_le_bytes());
    std::fs::write(&seg, &b).unwrap();

    let err = open_err(tmp.path(), sealed(Some(key(1))));
    match &err {
        StoreError::Corrupt {
            path,
            offset,
            reason,
        } => {
            assert_eq!(path, &seg);
            assert_eq!(*offset, at as u64);
            assert!(reason.contains("does not decrypt"), "{reason}");
        }
        other => panic!("expected corruption, got {other:?}"),
    }
    let d = DataDir::new(tmp.path()).with_key(Some(key(1)));
    let report = verify::verify(&d).unwrap();
    let bad = report.first_corruption().expect("verify reports it");
    assert!(matches!(&bad.status, Status::Corrupt { offset, .. } if *offset == at as u64));
}

#[test]
fn missing_or_wrong_key_names_the_file_and_is_never_skipped_or_repaired() {
    let tmp = tempfile::tempdir().unwrap();
    let e = Engine::open(tmp.path(), sealed(Some(key(1))), "test").unwrap();
    commit(&e, "ns", "a", "{\"v\":1}");
    let snap = e
        .snapshot(stmgr::store::snapshot::SnapshotOrigin::Manual)
        .unwrap();
    assert_eq!(snap.key_id, key(1).id());
    commit(&e, "ns", "b", "{\"v\":2}");
    drop(e);
    let snap_path = tmp.path().join(format!("snapshots/{}.snap", snap.id));
    assert_eq!(header_key_id(&snap_path), key(1).id());

    // The newest snapshot is sealed: recovery must stop there, not fall back to an older state.
    let msg = open_err(tmp.path(), sealed(None)).to_string();
    assert!(msg.contains(&snap.id), "{msg}");
    assert!(
        msg.contains(&format!("key id {:08x}", key(1).id())),
        "{msg}"
    );
    assert!(msg.contains("no encryption key is configured"), "{msg}");
    let msg = open_err(tmp.path(), sealed(Some(key(2)))).to_string();
    assert!(
        msg.contains(&format!(
            "configured encryption key has id {:08x}",
            key(2).id()
        )),
        "{msg}"
    );

    // verify (and so --repair) stops with the key error instead of calling the files damaged.
    for k in [None, Some(key(2))] {
        let d = DataDir::new(tmp.path()).with_key(k);
        assert!(verify::verify(&d).unwrap_err().is_key_error());
    }
    // Only the WAL left (snapshot gone): the segment is named.
    std::fs::remove_file(&snap_path).unwrap();
    let err = open_err(tmp.path(), sealed(None));
    assert!(
        matches!(&err, StoreError::KeyMissing { path, key_id } if path.ends_with("00000000000000000001.wal") && *key_id == key(1).id()),
        "{err:?}"
    );
    let e = Engine::open(tmp.path(), sealed(Some(key(1))), "test").unwrap();
    assert_eq!(e.view().seq, 2);
}

#[test]
fn altered_or_cut_snapshot_body_with_a_valid_crc_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = EngineOptions {
        durability: Durability::Never,
        ..sealed(Some(key(3)))
    };
    let e = Engine::open(tmp.path(), opts, "test").unwrap();
    // Enough incompressible data for a body of several 1 MiB chunks.
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for i in 0..5000 {
        let mut s = String::new();
        for _ in 0..64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s.push_str(&format!("{x:016x}"));
        }
        commit(&e, "ns", &format!("k{i}"), &format!("\"{s}\""));
    }
    let snap = e
        .snapshot(stmgr::store::snapshot::SnapshotOrigin::Manual)
        .unwrap();
    drop(e);
    let path = tmp.path().join(format!("snapshots/{}.snap", snap.id));
    let good = std::fs::read(&path).unwrap();
    // Chunk offsets: each `len u32 (bit 31 final) | nonce 12 | ciphertext | tag 16`.
    let mut chunks = Vec::new();
    let mut at = 96;
    loop {
        let flags = u32::from_le_bytes(good[at..at + 4].try_into().unwrap());
        chunks.push(at);
        at += 16 + (flags & 0x7fff_ffff) as usize + 16;
        if flags & (1 << 31) != 0 {
            break;
        }
    }
    assert!(chunks.len() >= 3, "{} chunks", chunks.len());
    assert_eq!(at, good.len() - 32);
    let k = Keyring::single(Some(key(3)));
    assert!(snapshot::verify_snapshot(&path, &k).is_ok());

    let check = |bytes: Vec<u8>, offset: usize, what: &str| {
        std::fs::write(&path, bytes).unwrap();
        match snapshot::verify_snapshot(&path, &k) {
            Err(StoreError::Corrupt {
                offset: o, reason, ..
            }) => {
                assert_eq!(o, offset as u64, "{reason}");
                assert!(reason.contains(what), "{reason}");
            }
            other => panic!("expected corruption, got {other:?}"),
        }
    };
    // A ciphertext byte of the second chunk.
    let mut b = good.clone();
    b[chunks[1] + 16 + 100] ^= 1;
    fix_snapshot_crc(&mut b);
    check(b, chunks[1], "does not decrypt");
    // Two chunks swapped.
    let mut b = good[..chunks[0]].to_vec();
    b.extend_from_slice(&good[chunks[1]..chunks[2]]);
    b.extend_from_slice(&good[chunks[0]..chunks[1]]);
    b.extend_from_slice(&good[chunks[2]..]);
    fix_snapshot_crc(&mut b);
    check(b, chunks[0], "does not decrypt");
    // The final chunk cut off, trailer and CRC redone.
    let last = *chunks.last().unwrap();
    let mut b = good[..last].to_vec();
    b.extend_from_slice(&good[good.len() - 32..]);
    fix_snapshot_crc(&mut b);
    check(b, last, "without its final chunk");
    // Plain damage (CRC not redone) is reported as a checksum mismatch.
    let mut b = good.clone();
    b[chunks[1] + 16 + 100] ^= 1;
    std::fs::write(&path, &b).unwrap();
    let err = snapshot::verify_snapshot(&path, &k).unwrap_err();
    assert!(err.to_string().contains("checksum mismatch"), "{err}");
}

#[test]
fn a_plaintext_data_dir_stays_readable_after_a_key_is_configured() {
    let tmp = tempfile::tempdir().unwrap();
    let e = Engine::open(tmp.path(), sealed(None), "test").unwrap();
    for i in 0..20 {
        commit(&e, "ns", &format!("old{i}"), "{\"v\":\"old\"}");
    }
    let old_snap = e
        .snapshot(stmgr::store::snapshot::SnapshotOrigin::Manual)
        .unwrap();
    assert_eq!(old_snap.key_id, 0);
    commit(&e, "ns", "old-after-snap", "1");
    drop(e);
    let before = dump_lines(tmp.path(), None);

    let k = key(9);
    let e = Engine::open(tmp.path(), sealed(Some(k.clone())), "test").unwrap();
    assert_eq!(e.view().seq, 21);
    for i in 0..20 {
        commit(&e, "ns", &format!("new{i}"), "{\"v\":\"new\"}");
    }
    let new_snap = e
        .snapshot(stmgr::store::snapshot::SnapshotOrigin::Manual)
        .unwrap();
    assert_eq!(new_snap.key_id, k.id());
    drop(e);
    let segs = segments(tmp.path());
    assert!(segs.len() >= 2);
    assert_eq!(header_key_id(&segs[0]), 0, "old segment left as it was");
    assert_eq!(header_key_id(segs.last().unwrap()), k.id());

    // Everything back with the key, through recovery and through the old plaintext snapshot.
    let e = Engine::open(tmp.path(), sealed(Some(k.clone())), "test").unwrap();
    assert_eq!(e.view().seq, 41);
    assert!(e.view().objects.get("ns", "old3").is_some());
    assert!(e.view().objects.get("ns", "new3").is_some());
    drop(e);
    std::fs::remove_file(tmp.path().join(format!("snapshots/{}.snap", new_snap.id))).unwrap();
    let d = DataDir::new(tmp.path()).with_key(Some(k.clone()));
    let state = stmgr::store::offline::dump::state_at(&d, None).unwrap();
    assert_eq!(state.seq, 41);
    let at_21 = stmgr::store::offline::dump::state_at(&d, Some(21)).unwrap();
    let lines: Vec<String> = stmgr::store::offline::dump::objects(&at_21, None)
        .map(|o| serde_json::to_string(&stmgr::objects::ObjectOut::from(o)).unwrap())
        .collect();
    assert_eq!(lines, before);
    assert!(verify::verify(&d).unwrap().first_corruption().is_none());
    // Without the key, the new records are out of reach: an error, not a partial state.
    let err = open_err(tmp.path(), sealed(None));
    assert!(err.is_key_error(), "{err:?}");
}

#[test]
fn an_empty_plaintext_segment_is_replaced_by_a_sealed_one() {
    let tmp = tempfile::tempdir().unwrap();
    drop(Engine::open(tmp.path(), sealed(None), "test").unwrap());
    let seg = tmp.path().join("wal/00000000000000000001.wal");
    assert_eq!(header_key_id(&seg), 0);
    let k = key(4);
    let e = Engine::open(tmp.path(), sealed(Some(k.clone())), "test").unwrap();
    commit(&e, "ns", "a", "1");
    drop(e);
    assert_eq!(segments(tmp.path()), vec![seg.clone()]);
    assert_eq!(header_key_id(&seg), k.id());
    // Without the key the sealed record is out of reach: an error, never an append in plaintext.
    assert!(open_err(tmp.path(), sealed(None)).is_key_error());
}

/// Opens with `current` sealing and `previous` only opening.
fn rotated(current: Option<EncryptionKey>, previous: Option<EncryptionKey>) -> EngineOptions {
    EngineOptions {
        encryption: current,
        previous_encryption: previous,
        ..options()
    }
}

/// Trims the WAL up to `snap` and removes every other snapshot: what an operator does before
/// dropping a previous key.
fn retire_old_files(dir: &Path, keys: Keyring, snap: &str) {
    let d = DataDir::new(dir).with_keys(keys);
    let plan = stmgr::store::offline::trim::plan(&d, snap).unwrap();
    stmgr::store::offline::trim::apply(&d, &plan).unwrap();
    for info in snapshot::list_snapshots(&d.snapshots()).unwrap() {
        if info.id != snap {
            std::fs::remove_file(info.path).unwrap();
        }
    }
}

#[test]
fn a_previous_key_lets_the_key_change_and_encryption_be_turned_off() {
    let tmp = tempfile::tempdir().unwrap();
    let (k1, k2) = (key(1), key(2));
    let e = Engine::open(tmp.path(), rotated(Some(k1.clone()), None), "test").unwrap();
    for i in 0..30 {
        commit(&e, "ns", &format!("a{i}"), "1");
    }
    e.snapshot(stmgr::store::snapshot::SnapshotOrigin::Manual)
        .unwrap();
    commit(&e, "ns", "a-last", "1");
    drop(e);

    // Key change: K2 seals, K1 still opens the old files.
    let e = Engine::open(
        tmp.path(),
        rotated(Some(k2.clone()), Some(k1.clone())),
        "test",
    )
    .unwrap();
    assert_eq!(e.view().seq, 31);
    commit(&e, "ns", "b", "1");
    let s2 = e
        .snapshot(stmgr::store::snapshot::SnapshotOrigin::Manual)
        .unwrap();
    assert_eq!(s2.key_id, k2.id());
    drop(e);
    assert_eq!(header_key_id(segments(tmp.path()).last().unwrap()), k2.id());
    // Without K1 the old files cannot be checked yet.
    let only_k2 = DataDir::new(tmp.path()).with_key(Some(k2.clone()));
    assert!(verify::verify(&only_k2).unwrap_err().is_key_error());
    retire_old_files(tmp.path(), Keyring::new(Some(k2.clone()), Some(k1)), &s2.id);
    assert!(
        verify::verify(&only_k2)
            .unwrap()
            .first_corruption()
            .is_none()
    );
    let e = Engine::open(tmp.path(), rotated(Some(k2.clone()), None), "test").unwrap();
    assert_eq!(e.view().seq, 32);

    // Turning it off: nothing seals, K2 opens what it sealed.
    drop(e);
    let e = Engine::open(tmp.path(), rotated(None, Some(k2.clone())), "test").unwrap();
    commit(&e, "ns", "c", "1");
    let s3 = e
        .snapshot(stmgr::store::snapshot::SnapshotOrigin::Manual)
        .unwrap();
    assert_eq!(s3.key_id, 0);
    drop(e);
    assert_eq!(header_key_id(segments(tmp.path()).last().unwrap()), 0);
    retire_old_files(tmp.path(), Keyring::new(None, Some(k2)), &s3.id);
    let plain = DataDir::new(tmp.path());
    assert!(verify::verify(&plain).unwrap().first_corruption().is_none());
    let e = Engine::open(tmp.path(), rotated(None, None), "test").unwrap();
    assert_eq!(e.view().seq, 33);
    assert!(e.view().objects.get("ns", "a3").is_some());
}
