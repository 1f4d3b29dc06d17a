//! Snapshots written by stmgr 0.1.0 with workflow state: whole, with both checksums right, but a
//! header count that leaves the workflow items out. They load; any other wrong count does not.

use std::sync::Arc;

use super::meta::{HEADER_LEN, TRAILER_LEN};
use super::{SnapshotOrigin, load_snapshot, write_snapshot};
use crate::store::command::{Op, Record};
use crate::store::crypto::Keyring;
use crate::store::state::workflows::{NodeRecord, WorkflowOp};
use crate::store::state::{HistoryPolicy, State};

/// A state with two registered nodes (two workflow items) and nothing else.
fn workflow_state() -> State {
    let node = |name: &str| {
        (
            Arc::<str>::from(name),
            NodeRecord {
                runtime_name: "rt".into(),
                spec: "{}".into(),
                created_at: 1,
                updated_at: 1,
            },
        )
    };
    let mut state = State::default();
    let rec = Record {
        seq: 1,
        ts: 1_700_000_000_000,
        ops: vec![Op::Workflow(WorkflowOp::RegisterNodes {
            ns: "ns".into(),
            nodes: vec![node("a"), node("b")],
        })],
    };
    state.apply(&rec, &HistoryPolicy::new(0, std::time::Duration::ZERO));
    state
}

/// Rewrites the header's entry count of a plaintext snapshot and fixes both checksums, as a
/// writer that counted `entries` would have written it.
fn with_header_count(bytes: &mut [u8], entries: u64) {
    bytes[56..64].copy_from_slice(&entries.to_le_bytes());
    let crc = crc32c::crc32c(&bytes[0..92]);
    bytes[92..96].copy_from_slice(&crc.to_le_bytes());
    let t = bytes.len() - TRAILER_LEN;
    let crc = crc32c::crc32c(&bytes[..t + 28]);
    bytes[t + 28..t + 32].copy_from_slice(&crc.to_le_bytes());
    assert!(bytes.len() > HEADER_LEN + TRAILER_LEN);
}

#[test]
fn a_snapshot_whose_header_left_out_its_workflow_items_loads_and_others_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let state = workflow_state();
    let meta = write_snapshot(dir.path(), &state, 2, None, SnapshotOrigin::Manual, 0).unwrap();
    assert_eq!(meta.entries, 2);
    let path = dir.path().join(format!("{}.snap", meta.id));
    let good = std::fs::read(&path).unwrap();

    let mut legacy = good.clone();
    with_header_count(&mut legacy, 0);
    std::fs::write(&path, &legacy).unwrap();
    let (loaded, read) = load_snapshot(&path, &Keyring::default()).unwrap();
    assert_eq!(read.entries, 2, "the count of what it holds");
    assert_eq!(loaded.workflows.item_count(), 2);

    for wrong in [1, 3] {
        let mut bad = good.clone();
        with_header_count(&mut bad, wrong);
        std::fs::write(&path, &bad).unwrap();
        let err = load_snapshot(&path, &Keyring::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("holds 2 items"), "{err}");
    }
}
