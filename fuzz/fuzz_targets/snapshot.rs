//! Snapshot files: with their checksums recomputed (so mutations reach the decoder), any bytes
//! load or are a typed error naming file and offset. Sealed ones are opened with
//! `stmgr::store::fuzzing::fuzz_key`. Seeds: `fuzz/corpus/snapshot/seed-*.snap`, snapshots of
//! every domain, plaintext and sealed, written by `cargo test --lib corpus`
//! (`STMGR_REGENERATE=1` rewrites them).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    thread_local! {
        static DIR: tempfile::TempDir = tempfile::tempdir().expect("temp dir");
    }
    let mut bytes = data.to_vec();
    stmgr::store::fuzzing::reseal_snapshot_checksums(&mut bytes);
    DIR.with(|dir| {
        let _ = stmgr::store::fuzzing::decode_snapshot_bytes(&bytes, dir.path());
    });
});
