//! Decoder entry points for fuzzers (`fuzz/`) and property tests: every input either decodes
//! or yields a typed error, never a panic. Also a helper that recomputes a snapshot's header
//! and trailer checksums after a mutation, so mutated bodies reach the decoder instead of
//! stopping at the CRC check, and the key sealed inputs are opened with ([`fuzz_key`]), so
//! that sealed seeds of the corpus reach the decryption code instead of a missing-key error.

use std::path::Path;

use crate::store::command::Record;
use crate::store::crypto::{EncryptionKey, Keyring};
use crate::store::error::StoreError;
use crate::store::snapshot::read_snapshot;
use crate::store::wal::frame::{ScanEnd, scan};

const SNAP_HEADER_LEN: usize = 96;
const SNAP_TRAILER_LEN: usize = 32;

/// Scans `bytes` as WAL frames from offset 0 and decodes every verifying payload as a record.
/// Returns the number of records and where the scan ended.
///
/// # Errors
/// The first payload that does not decode, with its offset.
pub fn decode_wal_bytes(bytes: &[u8]) -> Result<(usize, ScanEnd), String> {
    let mut n = 0usize;
    let end = scan(bytes, 0, 1, |offset, payload| {
        Record::decode(payload).map_err(|e| format!("record at offset {offset}: {e}"))?;
        n += 1;
        Ok::<(), String>(())
    })?;
    Ok((n, end))
}

/// The key [`decode_snapshot_bytes`] opens sealed snapshots with; the sealed seeds in
/// `fuzz/corpus/snapshot/` are sealed with it. Not a secret: it seals only test inputs.
pub fn fuzz_key() -> EncryptionKey {
    EncryptionKey::from_bytes(&[0x5a; 32])
}

/// Writes `bytes` as a snapshot file in `dir` and reads it fully, opening a sealed body with
/// [`fuzz_key`]. Returns the number of items decoded.
///
/// # Errors
/// Whatever the snapshot reader reports: I/O, corruption with file and offset, a missing key.
pub fn decode_snapshot_bytes(bytes: &[u8], dir: &Path) -> Result<u64, StoreError> {
    let path = dir.join("snap-00000000000000000000000000.snap");
    std::fs::write(&path, bytes).map_err(|e| StoreError::io("write", &path, e))?;
    let mut n = 0u64;
    read_snapshot(&path, &Keyring::new(Some(fuzz_key()), None), |_| n += 1)?;
    Ok(n)
}

/// Recomputes the header checksum and the whole-file checksum in the trailer of snapshot
/// bytes (no-op when too short).
pub fn reseal_snapshot_checksums(bytes: &mut [u8]) {
    if bytes.len() < SNAP_HEADER_LEN + SNAP_TRAILER_LEN {
        return;
    }
    let crc = crc32c::crc32c(&bytes[..92]);
    bytes[92..96].copy_from_slice(&crc.to_le_bytes());
    let t = bytes.len() - SNAP_TRAILER_LEN;
    let crc = crc32c::crc32c(&bytes[..t + 28]);
    bytes[t + 28..t + 32].copy_from_slice(&crc.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::*;
    use crate::store::command::{Body, ObjectData, ObjectOp, Op};
    use crate::store::snapshot::write_snapshot;
    use crate::store::state::{HistoryPolicy, State};
    use crate::store::wal::frame::encode_frame;

    fn record(seq: u64, id: &str) -> Vec<u8> {
        let op = Op::Object(ObjectOp::Put {
            ns: "ns".into(),
            id: id.into(),
            data: Arc::new(ObjectData::new(
                "t".into(),
                Body::from_json(format!("{{\"v\":{seq}}}")).unwrap(),
            )),
        });
        let mut payload = Vec::new();
        Record::encode_into(seq, 1, &[op], &mut payload).unwrap();
        let mut out = Vec::new();
        encode_frame(&payload, &mut out);
        out
    }

    fn valid_wal() -> Vec<u8> {
        (1..=5).flat_map(|i| record(i, &format!("k{i}"))).collect()
    }

    fn valid_snapshot() -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let mut state = State::default();
        let policy = HistoryPolicy::new(4, std::time::Duration::from_secs(3600));
        for i in 1..=5u64 {
            let bytes = record(i, &format!("k{i}"));
            let rec = Record::decode(&bytes[8..]).unwrap();
            state.apply(&rec, &policy);
        }
        let meta = write_snapshot(dir.path(), &state, 6, None, Default::default(), 0).unwrap();
        std::fs::read(dir.path().join(format!("{}.snap", meta.id))).unwrap()
    }

    #[test]
    fn the_valid_inputs_decode() {
        let (n, end) = decode_wal_bytes(&valid_wal()).unwrap();
        assert_eq!(n, 5);
        assert!(matches!(end, ScanEnd::Clean { .. }));
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            decode_snapshot_bytes(&valid_snapshot(), dir.path()).unwrap(),
            5
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn wal_garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let _ = decode_wal_bytes(&bytes);
        }

        #[test]
        fn wal_mutations_decode_or_stop_cleanly(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = valid_wal();
            for (i, b) in flips {
                let at = i.index(bytes.len());
                bytes[at] ^= b | 1;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            // Mutated frames fail their CRC: the scan stops there (torn or corrupt), it never
            // hands a damaged payload to the decoder.
            // A damaged record is never decoded as another one: at most the five written.
            if let Ok((n, _)) = decode_wal_bytes(&bytes) {
                prop_assert!(n <= 5);
            }
        }

        #[test]
        fn snapshot_mutations_with_valid_checksums_are_errors_not_panics(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut bytes = valid_snapshot();
            for (i, b) in flips {
                let at = i.index(bytes.len());
                bytes[at] ^= b | 1;
            }
            reseal_snapshot_checksums(&mut bytes);
            match decode_snapshot_bytes(&bytes, dir.path()) {
                Ok(n) => prop_assert!(n <= 5),
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }

        #[test]
        fn snapshot_garbage_is_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let dir = tempfile::tempdir().unwrap();
            prop_assert!(decode_snapshot_bytes(&bytes, dir.path()).is_err());
        }
    }
}
