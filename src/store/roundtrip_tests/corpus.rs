//! The snapshot fuzzer's seeds, `fuzz/corpus/snapshot/seed-*.snap`: real snapshots of the
//! fixed log of [`super::fixtures`], which holds every domain, one plaintext and one sealed
//! with the fuzz target's key ([`crate::store::fuzzing::fuzz_key`]). The test checks that the
//! committed files are what the code writes today and that the fuzz entry point reads them in
//! full; `STMGR_REGENERATE=1 cargo test --lib corpus` rewrites the stale ones instead.
//!
//! - Plaintext: compared byte for byte. Its writing is made deterministic: the one field that
//!   varies, the header's creation time, is set to the state's time and the checksums are
//!   recomputed (the file name, which holds the snapshot id, is ours).
//! - Sealed: every chunk has a random nonce and is bound to the header, creation time
//!   included, so no two writes are alike. The check opens the committed file with the key and
//!   compares everything it holds (header fields but the creation time, every item) with the
//!   plaintext seed; a fresh file is left as it is, so regenerating does not churn it.
//!
//! The fuzzer needs a nightly toolchain and is not part of the test suite; a property test
//! gives the committed seeds a few hundred of its mutations on every run.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;

use super::coverage::REBUILDS;
use super::fixtures;
use crate::store::crypto::{EncryptionKey, Keyring};
use crate::store::fuzzing::{decode_snapshot_bytes, fuzz_key, reseal_snapshot_checksums};
use crate::store::snapshot::{
    Item, SnapshotOrigin, load_snapshot, read_snapshot, snapshot_path, write_snapshot,
};
use crate::store::state::State;
use crate::store::state::diff::Histories;

const CORPUS: &str = "fuzz/corpus/snapshot";
const PLAINTEXT: &str = "seed-every-domain.snap";
const SEALED: &str = "seed-every-domain-sealed.snap";
/// Header bytes of the creation time and of the state's time (see `crate::store::snapshot`).
const CREATED_MS: std::ops::Range<usize> = 32..40;
const STATE_TS: std::ops::Range<usize> = 40..48;

/// What a snapshot file holds, but its creation time, size and key.
#[derive(Debug, PartialEq)]
struct Contents {
    /// commit_seq, next_seq, state_ts, objects, entries.
    header: (u64, u64, i64, u64, u64),
    origin: SnapshotOrigin,
    items: Vec<Item>,
}

/// Reads snapshot bytes with the fuzz key.
fn contents(bytes: &[u8]) -> Result<Contents, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = snapshot_path(dir.path(), "snap-seed");
    fs::write(&path, bytes).map_err(|e| e.to_string())?;
    let mut items = Vec::new();
    let meta = read_snapshot(&path, &Keyring::single(Some(fuzz_key())), |i| items.push(i))
        .map_err(|e| e.to_string())?;
    Ok(Contents {
        header: (
            meta.commit_seq,
            meta.next_seq,
            meta.state_ts,
            meta.objects,
            meta.entries,
        ),
        origin: meta.origin,
        items,
    })
}

/// A snapshot of `state`, as the engine writes it.
fn write(state: &State, key: Option<&EncryptionKey>) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let meta = write_snapshot(
        dir.path(),
        state,
        state.seq + 1,
        key,
        SnapshotOrigin::Manual,
        0,
    )
    .expect("write snapshot");
    fs::read(snapshot_path(dir.path(), &meta.id)).expect("read snapshot")
}

/// The plaintext seed: the creation time set to the state's time, checksums recomputed.
fn plaintext(state: &State) -> Vec<u8> {
    let mut bytes = write(state, None);
    bytes.copy_within(STATE_TS, CREATED_MS.start);
    reseal_snapshot_checksums(&mut bytes);
    bytes
}

#[test]
fn the_snapshot_fuzz_corpus_holds_every_domain_and_is_up_to_date() {
    let (state, mut seen) = fixtures::state();
    let plain = plaintext(&state);
    let sealed = write(&state, Some(&fuzz_key()));
    let want = contents(&plain).expect("the plaintext seed reads");
    for item in &want.items {
        seen.item(item);
    }
    let missing: Vec<_> = seen
        .missing()
        .into_iter()
        .filter(|flag| !REBUILDS.contains(flag))
        .collect();
    assert!(
        missing.is_empty(),
        "the fixed log of roundtrip_tests/fixtures.rs never exercises {missing:?}"
    );
    let tmp = tempfile::tempdir().expect("temp dir");
    let loaded = load_snapshot(&write_file(tmp.path(), &plain), &Keyring::single(None))
        .expect("load the plaintext seed")
        .0;
    if let Err(e) = state.diff(&loaded, Histories::Exact) {
        panic!("the plaintext seed loads another state:\n{e}");
    }
    for bytes in [&plain, &sealed] {
        let n = decode_snapshot_bytes(bytes, tmp.path()).expect("the fuzz target reads a seed");
        assert_eq!(n, want.items.len() as u64);
    }

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(CORPUS);
    let plain_fresh = fs::read(dir.join(PLAINTEXT)).is_ok_and(|b| b == plain);
    let sealed_fresh = fs::read(dir.join(SEALED))
        .ok()
        .and_then(|b| contents(&b).ok())
        .is_some_and(|c| c == want);
    let stale: Vec<(&str, &Vec<u8>)> = [
        (PLAINTEXT, &plain, plain_fresh),
        (SEALED, &sealed, sealed_fresh),
    ]
    .into_iter()
    .filter(|(_, _, fresh)| !fresh)
    .map(|(name, bytes, _)| (name, bytes))
    .collect();
    if std::env::var_os("STMGR_REGENERATE").is_some_and(|v| v == "1") {
        fs::create_dir_all(&dir).expect("create the corpus directory");
        for (name, bytes) in stale {
            fs::write(dir.join(name), bytes).expect("write a seed");
        }
        return;
    }
    let names: Vec<&str> = stale.iter().map(|(name, _)| *name).collect();
    assert!(
        names.is_empty(),
        "{CORPUS}: {names:?} are not what the snapshot writer writes today.\n\
         Run `STMGR_REGENERATE=1 cargo test --lib corpus` and commit the result."
    );
}

fn write_file(dir: &Path, bytes: &[u8]) -> PathBuf {
    let path = snapshot_path(dir, "snap-plaintext-seed");
    fs::write(&path, bytes).expect("write");
    path
}

/// A committed seed and how many items it holds.
struct Seed {
    bytes: Vec<u8>,
    items: u64,
}

/// The committed seed `name`, read once.
fn seed(name: &'static str) -> &'static Seed {
    static PLAIN: OnceLock<Seed> = OnceLock::new();
    static SEALED_SEED: OnceLock<Seed> = OnceLock::new();
    let cell = if name == SEALED { &SEALED_SEED } else { &PLAIN };
    cell.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(CORPUS)
            .join(name);
        let bytes = fs::read(&path).expect("the committed seed");
        let items = contents(&bytes)
            .expect("the committed seed reads")
            .items
            .len() as u64;
        Seed { bytes, items }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The fuzz target's input path (checksums recomputed after the mutation) on the committed
    /// seeds: flipped bytes, plaintext or sealed, give an error or at most the items written.
    #[test]
    fn mutated_seeds_are_errors_not_panics(
        sealed in any::<bool>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        thread_local! {
            static DIR: tempfile::TempDir = tempfile::tempdir().expect("temp dir");
        }
        let seed = seed(if sealed { SEALED } else { PLAINTEXT });
        let mut bytes = seed.bytes.clone();
        for (at, bits) in flips {
            let at = at.index(bytes.len());
            bytes[at] ^= bits | 1;
        }
        reseal_snapshot_checksums(&mut bytes);
        if let Ok(n) = DIR.with(|dir| decode_snapshot_bytes(&bytes, dir.path())) {
            prop_assert!(n <= seed.items);
        }
    }
}
