//! Capability tokens: any string parses or is a typed error; verification never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = stmgr::auth::parse(text);
        if let Ok(key) = stmgr::auth::Key::from_config("k1", "fuzz-key")
            && let Ok(ring) = stmgr::auth::KeyRing::new(key, None)
        {
            let _ = stmgr::auth::verify(&ring, text, 1_800_000_000, std::time::Duration::from_secs(30));
        }
    }
});
