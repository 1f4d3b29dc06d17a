//! Generations and WAL pieces: a multipart-sized piece from a file and a small one from bytes
//! round trip verified; a piece without its manifest is an orphan; an unknown generation is
//! refused.

use std::io::Write;

use stmgr::backup::{ErrorKind, GenerationParent, NewGeneration, PieceData};

use super::harness::{backends, runtime};

/// `len` bytes that do not compress.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect()
}

#[test]
fn wal_pieces_round_trip_in_generations() {
    let src = tempfile::tempdir().unwrap();
    // Larger than two parts of the test's 5 MiB: a multipart upload.
    let big = src.path().join("piece.wal");
    std::fs::File::create(&big)
        .unwrap()
        .write_all(&noise(11 * 1024 * 1024 + 17, 99))
        .unwrap();
    let small = noise(4096, 7);
    for b in backends() {
        eprintln!("backend {}", b.name);
        runtime().block_on(async {
            let t = &b.target;
            assert!(t.list_generations().await.unwrap().is_empty());
            let e = t
                .upload_wal_piece(
                    "gen-01NOSUCH",
                    1,
                    2,
                    None,
                    PieceData::Bytes(small.clone().into()),
                )
                .await
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");

            let g1 = t
                .create_generation(NewGeneration {
                    first_seq: 1,
                    reason: "first replication".into(),
                    ..Default::default()
                })
                .await
                .unwrap();
            let g2 = t
                .create_generation(NewGeneration {
                    first_seq: 101,
                    base_snapshot: Some("snap-01BASE".into()),
                    parent: Some(GenerationParent {
                        generation: g1.generation.clone(),
                        seq: 100,
                    }),
                    reason: "restore to seq 100".into(),
                    lineage: Some("lin-01TEST".into()),
                    source_host: None,
                })
                .await
                .unwrap();
            let gens = t.list_generations().await.unwrap();
            assert_eq!(gens, vec![g1.clone(), g2.clone()], "oldest first");

            let p2 = t
                .upload_wal_piece(
                    &g1.generation,
                    1001,
                    1010,
                    Some(3),
                    PieceData::Bytes(small.clone().into()),
                )
                .await
                .unwrap();
            let p1 = t
                .upload_wal_piece(&g1.generation, 1, 1000, None, PieceData::File(&big))
                .await
                .unwrap();
            assert_eq!(p1.size, std::fs::metadata(&big).unwrap().len());
            let e = t
                .upload_wal_piece(&g1.generation, 1, 1000, None, PieceData::File(&big))
                .await
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");

            // Data without a manifest: an orphan, not a piece.
            let stem = format!("wal/{}/{:020}-{:020}", g1.generation, 1011, 1020);
            b.raw_put(&format!("{stem}.wal"), b"cut short".to_vec())
                .await;
            let listed = t.list_wal(&g1.generation).await.unwrap();
            assert_eq!(
                listed.pieces,
                vec![p1.clone(), p2.clone()],
                "ordered by seq"
            );
            assert_eq!(listed.orphans.len(), 1, "{:?}", listed.orphans);
            assert!(listed.orphans[0].key.ends_with(".wal"));
            assert!(t.list_wal(&g2.generation).await.unwrap().pieces.is_empty());

            let out = tempfile::tempdir().unwrap();
            for (p, want) in [(&p1, std::fs::read(&big).unwrap()), (&p2, small.clone())] {
                let dest = out.path().join(format!("{}.wal", p.first_seq));
                t.download_wal_piece(p, &dest).await.unwrap();
                assert!(std::fs::read(&dest).unwrap() == want, "byte-equal");
            }
            // A damaged piece fails naming its key and leaves nothing.
            let key = format!("wal/{}/{:020}-{:020}.wal", g1.generation, 1001, 1010);
            let mut bytes = b.raw_get(&key).await;
            bytes[0] ^= 0xff;
            b.raw_put(&key, bytes).await;
            let dest = out.path().join("damaged.wal");
            let e = t.download_wal_piece(&p2, &dest).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Corrupt, "{e}");
            assert!(e.to_string().contains(&key), "{e}");
            assert!(!dest.exists());
            t.delete_wal_piece(&p2).await.unwrap();
            assert_eq!(t.list_wal(&g1.generation).await.unwrap().pieces, vec![p1]);
        });
    }
}
