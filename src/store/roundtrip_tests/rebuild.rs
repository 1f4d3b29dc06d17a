//! After a case, with the engine closed: the states its files rebuild at earlier points must
//! be the live views of those points. Read-only recovery to a seq (from the newest snapshot
//! before it, and from the oldest one still usable, which replays the most) and to a time;
//! then an offline point-in-time restore on a copy of the directory, loaded and reopened.

use std::fs;
use std::path::Path;

use super::cases::Case;
use super::live::Live;
use crate::store::Engine;
use crate::store::command::{Body, ObjectData, ObjectOp, Op};
use crate::store::offline::restore;
use crate::store::recovery::{self, Base, Recovered, Target};
use crate::store::snapshot::{SnapshotOrigin, load_snapshot, snapshot_path};
use crate::store::state::HistoryPolicy;
use crate::store::state::diff::Histories;

/// Runs every check of `case` on the closed engine `live`.
pub(super) fn check(live: &mut Live, case: &Case) {
    for at in &case.recover_at {
        let last = live.last().seq;
        let n = live.floor + at.index((last - live.floor + 1) as usize) as u64;
        recover_to_seq(live, n);
        recover_to_time(live, n);
    }
    restore_on_a_copy(live, case);
}

fn recover(live: &Live, base: Base, target: Target) -> Recovered {
    let o = &live.options;
    let policy = HistoryPolicy::new(o.history_versions, o.history_age);
    let dir = live.data_dir(live.root());
    recovery::recover(&dir, base.clone(), target, &policy, &mut |_| {})
        .unwrap_or_else(|e| panic!("recover from {base:?} to {target:?}: {e}"))
}

fn recover_to_seq(live: &mut Live, n: u64) {
    let want = live.views[n as usize].clone();
    let rec = recover(live, Base::Newest, Target::Seq(n));
    if let Err(e) = want.diff(&rec.state, Histories::Exact) {
        panic!("recovered to seq {n} from the newest snapshot before it:\n{e}");
    }
    let oldest = live
        .snapshots
        .iter()
        .filter(|m| (live.floor..=n).contains(&m.commit_seq))
        .min_by_key(|m| m.commit_seq);
    if let Some(base) = oldest {
        let path = live.snapshot_file(base);
        let rec = recover(live, Base::Snapshot(path), Target::Seq(n));
        if let Err(e) = want.diff(&rec.state, Histories::Exact) {
            panic!("recovered to seq {n} from snapshot {}:\n{e}", base.id);
        }
        live.seen.recovered_to_seq |= rec.replayed > 0;
    }
}

/// Recovery to the time of seq `n` reaches the last seq committed at that time.
fn recover_to_time(live: &mut Live, n: u64) {
    let t = live.views[n as usize].ts;
    let m = live
        .views
        .iter()
        .rposition(|v| v.ts <= t)
        .expect("seq n qualifies");
    let rec = recover(live, Base::Newest, Target::Time(t));
    if let Err(e) = live.views[m].diff(&rec.state, Histories::Exact) {
        panic!("recovered to the time of seq {n} ({t}), that is to seq {m}:\n{e}");
    }
    live.seen.recovered_to_time = true;
}

/// `restore` to a seq on a copy of the directory, from the oldest snapshot still usable; the
/// restored snapshot, and the engine opened on it, hold the live view of that seq (without
/// history: a restore keeps none), and the next commit gets a seq above every one issued.
fn restore_on_a_copy(live: &mut Live, case: &Case) {
    let Some(base) = live
        .snapshots
        .iter()
        .filter(|m| m.commit_seq >= live.floor)
        .min_by_key(|m| m.commit_seq)
        .cloned()
    else {
        return;
    };
    let last = live.last().seq;
    let n = base.commit_seq + case.restore_at.index((last - base.commit_seq + 1) as usize) as u64;
    let copy = tempfile::tempdir().expect("temp dir");
    copy_tree(live.root(), copy.path());
    let dir = live.data_dir(copy.path());
    let lock = dir.lock("round-trip test restore").expect("lock");
    let out = restore::restore(&dir, &base.id, Target::Seq(n), &mut |_| {})
        .unwrap_or_else(|e| panic!("restore from {} to seq {n}: {e}", base.id));
    assert_eq!((out.restored_seq, out.next_seq), (n, last + 1));
    let path = snapshot_path(&dir.snapshots(), &out.snapshot.id);
    let (state, meta) = load_snapshot(&path, dir.keys()).expect("load the restored snapshot");
    assert_eq!(meta.origin, SnapshotOrigin::Restore);
    let want = live.views[n as usize].clone();
    if let Err(e) = want.diff(&state, Histories::CurrentOnly) {
        panic!("restored to seq {n} from {}:\n{e}", base.id);
    }
    drop(lock);

    let engine = Engine::open(copy.path(), live.options.clone(), "round-trip test").expect("open");
    assert_eq!(
        engine.recovery().snapshot_id.as_ref(),
        Some(&out.snapshot.id)
    );
    if let Err(e) = want.diff(&engine.view(), Histories::CurrentOnly) {
        panic!("opened after a restore to seq {n}:\n{e}");
    }
    let put = Op::Object(ObjectOp::Put {
        ns: "agent://a".into(),
        id: "after-restore".into(),
        data: ObjectData::new("note".into(), Body::from_json("{}").expect("json")).into(),
    });
    let (info, ()) = engine
        .commit_blocking(move |_| Ok((vec![put], ())))
        .expect("commit");
    assert_eq!(info.seq, last + 1, "no seq is issued twice");
    engine.close().expect("close");
    if live.options.encryption.is_some() {
        live.seen.restored_sealed = true;
    } else {
        live.seen.restored_plaintext = true;
    }
}

/// Copies the directory tree `from` into `to`.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create directory");
    for entry in fs::read_dir(from).expect("read directory") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}
