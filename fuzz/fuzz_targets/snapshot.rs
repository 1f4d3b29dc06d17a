//! Snapshot files: with their checksums recomputed (so mutations reach the decoder), any bytes
//! load or are a typed error naming file and offset.
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
