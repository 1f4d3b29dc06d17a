//! One case on a real [`Engine`] in a temporary directory: each step's commits, with the live
//! view kept at every seq; each snapshot verified, loaded and compared with the view it was
//! taken of; each restart (after a WAL trim or not) compared with the view before it.
//!
//! The clock is injected and moves only when a step says so, and the maintenance thread never
//! wakes (its period is an hour): nothing commits behind the test's back. TTL expiries are
//! ordinary `Delete { reason: Expired }` ops, which the generator commits itself.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use super::cases::Step;
use super::coverage::Seen;
use crate::store::crypto::EncryptionKey;
use crate::store::dir::DataDir;
use crate::store::offline::trim;
use crate::store::options::{Clock, Durability};
use crate::store::snapshot::{
    SnapshotMeta, SnapshotOrigin, load_snapshot, read_snapshot, snapshot_path, verify_snapshot,
};
use crate::store::state::State;
use crate::store::state::diff::Histories;
use crate::store::{Engine, EngineOptions};

/// Commit times start here.
const EPOCH_MS: i64 = 1_700_000_000_000;

/// The key snapshots and WAL records are sealed with in sealed cases.
pub(super) fn key() -> EncryptionKey {
    EncryptionKey::from_bytes(&[7; 32])
}

/// An engine going through a case, and what it showed.
pub(super) struct Live {
    dir: tempfile::TempDir,
    pub(super) options: EngineOptions,
    clock: Arc<AtomicI64>,
    engine: Option<Engine>,
    /// The live view at every seq (`views[seq]`; `views[0]` is the empty state).
    pub(super) views: Vec<Arc<State>>,
    /// Every snapshot taken, in order.
    pub(super) snapshots: Vec<SnapshotMeta>,
    /// The lowest seq the files can still rebuild (raised by WAL trims).
    pub(super) floor: u64,
    pub(super) seen: Seen,
}

impl Live {
    /// An engine on a fresh directory; `sealed` turns encryption at rest on.
    pub(super) fn open(sealed: bool) -> Live {
        let clock = Arc::new(AtomicI64::new(EPOCH_MS));
        let now = clock.clone();
        let options = EngineOptions {
            durability: Durability::Never,
            // Several segments per case, so that trims remove some.
            segment_size: 1024,
            history_versions: 2,
            // Steps advance the clock by up to 3 s: versions also age out of the window.
            history_age: Duration::from_secs(10),
            maintenance_interval: Duration::from_secs(3600),
            clock: Clock::from_fn(move || now.load(Ordering::SeqCst)),
            encryption: sealed.then(key),
            ..EngineOptions::default()
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let engine = Engine::open(dir.path(), options.clone(), "round-trip test").expect("open");
        let mut seen = Seen::default();
        if sealed {
            seen.sealed_case = true;
        } else {
            seen.plaintext_case = true;
        }
        Live {
            views: vec![engine.view()],
            dir,
            options,
            clock,
            engine: Some(engine),
            snapshots: Vec::new(),
            floor: 0,
            seen,
        }
    }

    /// The data directory.
    pub(super) fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The data directory with the case's keys.
    pub(super) fn data_dir(&self, root: &Path) -> DataDir {
        DataDir::new(root).with_keys(self.options.keyring())
    }

    /// The newest view.
    pub(super) fn last(&self) -> &Arc<State> {
        self.views.last().expect("views start with the empty state")
    }

    pub(super) fn snapshot_file(&self, meta: &SnapshotMeta) -> PathBuf {
        snapshot_path(&self.data_dir(self.root()).snapshots(), &meta.id)
    }

    fn engine(&self) -> &Engine {
        self.engine.as_ref().expect("the engine is open")
    }

    pub(super) fn step(&mut self, step: &Step) {
        match step {
            Step::Commit { advance_ms, ops } => self.commit(*advance_ms, ops),
            Step::Snapshot => self.snapshot(),
            Step::Reopen => self.reopen(false),
            Step::TrimAndReopen => self.reopen(true),
        }
    }

    fn commit(&mut self, advance_ms: i64, ops: &[crate::store::Op]) {
        self.clock.fetch_add(advance_ms, Ordering::SeqCst);
        for op in ops {
            self.seen.op(op);
        }
        let ops = ops.to_vec();
        let (info, ()) = self
            .engine()
            .commit_blocking(move |_| Ok((ops, ())))
            .expect("commit");
        let view = self.engine().view();
        assert_eq!(info.seq, self.views.len() as u64, "seqs are gap-free");
        assert_eq!(
            view.seq, info.seq,
            "nothing committed behind the test's back"
        );
        self.views.push(view);
    }

    fn snapshot(&mut self) {
        let meta = self
            .engine()
            .snapshot(SnapshotOrigin::Manual)
            .expect("snapshot");
        let live = self.last().clone();
        let path = self.snapshot_file(&meta);
        let keys = self.options.keyring();
        let header = (meta.commit_seq, meta.next_seq, meta.state_ts, meta.objects);
        assert_eq!(
            header,
            (live.seq, live.seq + 1, live.ts, live.objects.live_count()),
            "header of {} (commit_seq, next_seq, state_ts, objects)",
            meta.id
        );
        assert_eq!(
            meta.key_id,
            self.options.encryption.as_ref().map_or(0, |k| k.id())
        );
        assert_eq!(meta.origin, SnapshotOrigin::Manual);
        assert_eq!(verify_snapshot(&path, &keys).expect("verify"), meta);
        let mut items = 0u64;
        read_snapshot(&path, &keys, |item| {
            self.seen.item(&item);
            items += 1;
        })
        .expect("read");
        assert_eq!(items, meta.entries, "items of {}", meta.id);
        let (loaded, loaded_meta) = load_snapshot(&path, &keys).expect("load");
        assert_eq!(loaded_meta, meta);
        if let Err(e) = live.diff(&loaded, Histories::Exact) {
            panic!(
                "snapshot {} of seq {} loads another state:\n{e}",
                meta.id, live.seq
            );
        }
        self.snapshots.push(meta);
    }

    /// Closes the engine, trims the WAL if asked, opens it again and checks what it recovered.
    fn reopen(&mut self, trim_first: bool) {
        let engine = self.engine.take().expect("the engine is open");
        engine.close().expect("close");
        drop(engine);
        let newest_seq = self.snapshots.iter().map(|m| m.commit_seq).max();
        let mut trimmed = false;
        if trim_first && let Some(newest) = self.snapshots.last().cloned() {
            let dir = self.data_dir(self.root());
            let _lock = dir.lock("round-trip test trim").expect("lock");
            let plan = trim::plan(&dir, &newest.id).expect("trim plan");
            if trim::apply(&dir, &plan).expect("trim") > 0 {
                self.floor = self.floor.max(newest.commit_seq);
                trimmed = true;
            }
        }
        let engine =
            Engine::open(self.root(), self.options.clone(), "round-trip test").expect("reopen");
        let live = self.last().clone();
        let report = engine.recovery();
        let base = report
            .snapshot_id
            .as_ref()
            .and_then(|id| self.snapshots.iter().find(|m| &m.id == id));
        assert_eq!(
            base.map(|m| m.commit_seq),
            newest_seq,
            "recovery starts from the newest snapshot"
        );
        let replayed = live.seq - newest_seq.unwrap_or(0);
        assert_eq!(
            report.replayed, replayed,
            "records replayed after the snapshot"
        );
        if let Err(e) = live.diff(&engine.view(), Histories::Exact) {
            panic!(
                "reopened at seq {} (trimmed: {trimmed}) with another state:\n{e}",
                live.seq
            );
        }
        self.seen.reopened_from_snapshot |= base.is_some() && replayed > 0;
        self.seen.reopened_after_trim |= trimmed;
        self.engine = Some(engine);
    }

    /// Closes the engine for good.
    pub(super) fn close(&mut self) {
        if let Some(engine) = self.engine.take() {
            engine.close().expect("close");
        }
    }
}
