//! Snapshots in a backup location: round trip (plain and sealed), a damaged object, an
//! interrupted upload, delete, and a layout from the future.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use stmgr::backup::{BackupError, ErrorKind, UploadInfo};
use stmgr::store::snapshot::{SnapshotOrigin, snapshot_path};
use stmgr::store::{EncryptionKey, Engine, EngineOptions};

use super::harness::{Backend, backends, runtime};
use crate::engine::{options, put};

/// A data directory with some objects and one snapshot; its path. `key`: sealed with it.
pub fn make_snapshot(dir: &Path, key: Option<EncryptionKey>, objects: usize) -> PathBuf {
    let e = Engine::open(
        dir,
        EngineOptions {
            encryption: key,
            ..options()
        },
        "backup test",
    )
    .expect("open engine");
    for i in 0..objects {
        let op = put(
            "backup",
            &format!("obj-{i}"),
            &format!("{{\"i\":{i},\"pad\":\"{}\"}}", "x".repeat(i % 97)),
        );
        e.commit_blocking(move |_| Ok((vec![op], ())))
            .expect("commit");
    }
    let meta = e.snapshot(SnapshotOrigin::Manual).expect("snapshot");
    snapshot_path(&e.dir().snapshots(), &meta.id)
}

fn id_of(path: &Path) -> String {
    path.file_stem().unwrap().to_str().unwrap().to_owned()
}

/// No file left in `dir` (no temporary file either).
fn assert_empty(dir: &Path, what: &str) {
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "{what}: left behind {left:?}");
}

#[test]
fn snapshots_round_trip_plain_and_sealed() {
    let src = tempfile::tempdir().unwrap();
    let plain = make_snapshot(&src.path().join("plain"), None, 50);
    let sealed = make_snapshot(
        &src.path().join("sealed"),
        Some(EncryptionKey::from_bytes(&[7; 32])),
        50,
    );
    for b in backends() {
        eprintln!("backend {}", b.name);
        runtime().block_on(round_trip(&b, &plain, &sealed));
    }
}

async fn round_trip(b: &Backend, plain: &Path, sealed: &Path) {
    let t = &b.target;
    assert!(
        t.layout().await.unwrap().is_none(),
        "a new location has no layout file"
    );
    assert!(t.list_snapshots().await.unwrap().snapshots.is_empty());
    let tags = BTreeSet::from(["test".to_string()]);
    let up_plain = t
        .upload_snapshot(
            plain,
            UploadInfo {
                tags: tags.clone(),
                source_host: Some("h1".into()),
                ..UploadInfo::default()
            },
        )
        .await
        .unwrap();
    let up_sealed = t
        .upload_snapshot(sealed, UploadInfo::default())
        .await
        .unwrap();
    assert_eq!(t.layout().await.unwrap().unwrap().layout, 1);
    assert_eq!(up_plain.key_id, None);
    assert!(
        up_sealed.key_id.is_some_and(|k| k != 0),
        "a sealed snapshot's manifest names its key"
    );
    assert_eq!(up_plain.commit_seq, 50);
    assert_eq!(up_plain.size, std::fs::metadata(plain).unwrap().len());
    assert_eq!(
        (up_plain.origin.as_str(), up_plain.source_host.as_str()),
        ("manual", "h1")
    );
    assert_eq!(up_plain.tags, tags);

    let listed = t.list_snapshots().await.unwrap();
    assert!(listed.orphans.is_empty(), "{:?}", listed.orphans);
    let mut ids: Vec<_> = listed
        .snapshots
        .iter()
        .map(|m| m.snapshot_id.clone())
        .collect();
    ids.sort();
    let mut want = vec![id_of(plain), id_of(sealed)];
    want.sort();
    assert_eq!(ids, want);
    assert!(listed.snapshots.contains(&up_plain) && listed.snapshots.contains(&up_sealed));

    // Uploading the same snapshot again is refused.
    let again = t
        .upload_snapshot(plain, UploadInfo::default())
        .await
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Conflict, "{again}");

    let out = tempfile::tempdir().unwrap();
    for src in [plain, sealed] {
        let dest = out.path().join(src.file_name().unwrap());
        let m = t.download_snapshot(&id_of(src), &dest).await.unwrap();
        assert_eq!(m.snapshot_id, id_of(src));
        assert_eq!(
            std::fs::read(&dest).unwrap(),
            std::fs::read(src).unwrap(),
            "byte-equal"
        );
        // Never over an existing file.
        let e = t.download_snapshot(&id_of(src), &dest).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Local, "{e}");
    }

    // Delete: gone from the list, then not found.
    t.delete_snapshot(&id_of(plain)).await.unwrap();
    let listed = t.list_snapshots().await.unwrap();
    assert_eq!(listed.snapshots.len(), 1);
    assert!(listed.orphans.is_empty());
    let e = t.delete_snapshot(&id_of(plain)).await.unwrap_err();
    assert!(matches!(e, BackupError::NotFound { .. }), "{e}");
    let e = t
        .download_snapshot(&id_of(plain), &out.path().join("x.snap"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert!(
        e.to_string()
            .contains(&format!("snapshots/{}.json", id_of(plain))),
        "{e}"
    );
}

#[test]
fn a_damaged_object_fails_its_download_and_leaves_nothing() {
    let src = tempfile::tempdir().unwrap();
    let snap = make_snapshot(src.path(), None, 30);
    let id = id_of(&snap);
    for b in backends() {
        eprintln!("backend {}", b.name);
        runtime().block_on(async {
            let t = &b.target;
            t.upload_snapshot(&snap, UploadInfo::default())
                .await
                .unwrap();
            let key = format!("snapshots/{id}.snap");
            let mut bytes = b.raw_get(&key).await;
            let mid = bytes.len() / 2;
            bytes[mid] ^= 0x01;
            b.raw_put(&key, bytes.clone()).await;
            let out = tempfile::tempdir().unwrap();
            let dest = out.path().join(format!("{id}.snap"));
            let e = t.download_snapshot(&id, &dest).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Corrupt, "{e}");
            assert!(e.to_string().contains(&key), "names the key: {e}");
            assert!(e.to_string().contains("sha256"), "{e}");
            assert_empty(out.path(), "after a damaged download");

            // A shorter object: the size differs.
            bytes.truncate(bytes.len() - 10);
            b.raw_put(&key, bytes).await;
            let e = t.download_snapshot(&id, &dest).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Corrupt, "{e}");
            assert!(e.to_string().contains("bytes"), "{e}");
            assert_empty(out.path(), "after a short download");

            // A manifest that does not parse is listed as an orphan, not a snapshot.
            b.raw_put(&format!("snapshots/{id}.json"), b"{not json".to_vec())
                .await;
            let listed = t.list_snapshots().await.unwrap();
            assert!(listed.snapshots.is_empty());
            assert!(
                listed.orphans.iter().any(|o| o.reason.contains("corrupt")),
                "{:?}",
                listed.orphans
            );
            let e = t.download_snapshot(&id, &dest).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Corrupt, "{e}");
        });
    }
}

#[test]
fn an_interrupted_upload_is_never_a_snapshot() {
    let src = tempfile::tempdir().unwrap();
    let snap = make_snapshot(src.path(), None, 10);
    let id = id_of(&snap);
    for b in backends() {
        eprintln!("backend {}", b.name);
        runtime().block_on(async {
            let t = &b.target;
            // The data went up, the manifest never did.
            b.raw_put(
                &format!("snapshots/{id}.snap"),
                std::fs::read(&snap).unwrap(),
            )
            .await;
            let listed = t.list_snapshots().await.unwrap();
            assert!(listed.snapshots.is_empty(), "{:?}", listed.snapshots);
            assert_eq!(listed.orphans.len(), 1, "{:?}", listed.orphans);
            let o = &listed.orphans[0];
            assert!(
                o.key.ends_with(&format!("{id}.snap")) && o.reason.contains("interrupted"),
                "{o:?}"
            );
            let out = tempfile::tempdir().unwrap();
            let e = t
                .download_snapshot(&id, &out.path().join("s.snap"))
                .await
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
            // A later upload of the same snapshot completes it.
            t.upload_snapshot(&snap, UploadInfo::default())
                .await
                .unwrap();
            let listed = t.list_snapshots().await.unwrap();
            assert_eq!((listed.snapshots.len(), listed.orphans.len()), (1, 0));
            // An orphan is cleaned up on its own.
            b.raw_put("snapshots/snap-01ORPHAN.snap", b"partial".to_vec())
                .await;
            let listed = t.list_snapshots().await.unwrap();
            assert_eq!(listed.orphans.len(), 1);
            t.delete_orphan(&listed.orphans[0]).await.unwrap();
            let listed = t.list_snapshots().await.unwrap();
            assert_eq!((listed.snapshots.len(), listed.orphans.len()), (1, 0));
        });
    }
}

#[test]
fn a_layout_from_a_newer_stmgr_is_refused() {
    let src = tempfile::tempdir().unwrap();
    let snap = make_snapshot(src.path(), None, 3);
    for b in backends() {
        eprintln!("backend {}", b.name);
        runtime().block_on(async {
            b.raw_put("stmgr.json", br#"{"layout": 2, "created_by": "stmgr 9.0.0", "created_at": "2030-01-01T00:00:00Z", "docs": ""}"#.to_vec()).await;
            let e = b.target.list_snapshots().await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
            assert!(e.to_string().contains("stmgr.json") && e.to_string().contains("9.0.0"), "{e}");
            let e = b.target.upload_snapshot(&snap, UploadInfo::default()).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
        });
    }
}
