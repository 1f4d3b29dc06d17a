//! WAL frames and records: any bytes scan to a clean end, a torn tail or a corruption report,
//! and every verifying payload decodes or is a typed error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = stmgr::store::fuzzing::decode_wal_bytes(data);
});
