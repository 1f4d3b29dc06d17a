//! The engine handle: opens a data directory (lock, recovery), commits transactions through the
//! commit thread, serves consistent views, watch subscriptions and snapshots, and shuts down
//! cleanly. Its methods [`Engine::transact`], [`Engine::commit`], [`Engine::view`],
//! [`Engine::subscribe`] and [`Engine::now_ms`] are the seam the domains use (documented with
//! its guarantees in [`crate::store`]); the rest is this engine's own (files, snapshots,
//! statistics, shutdown).
//!
//! With [`EngineOptions::encryption`] every new segment and snapshot is sealed; a last segment
//! sealed otherwise (or plaintext) is never appended to: a new one is started.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::Instant;

use tracing::{info, warn};

use crate::store::command::Op;
use crate::store::crypto::record::RecordEncoder;
use crate::store::dir::{DataDir, DirLock};
use crate::store::error::{Rejection, Result, StoreError};
use crate::store::files::{self, Files, WalSegment};
use crate::store::log::Log;
use crate::store::maintenance::Maintenance;
use crate::store::offline::trim::TrimPlan;
use crate::store::options::{Durability, EngineOptions};
use crate::store::pg::{self, PgOptions, log::PgLog, source::PgSource};
use crate::store::recovery::{self, Base, Target};
use crate::store::snapshot::{self, SnapshotInfo, SnapshotMeta, SnapshotOrigin};
use crate::store::state::{HistoryPolicy, State};
use crate::store::stats::StatsSnapshot;
use crate::store::wal::active::ActiveSegment;
use crate::store::wal::log::WalLog;
use crate::store::wal::segment::HEADER_LEN;
use crate::store::watch::{Filter, LogSource, Subscription, WalSource, WatchHub};
use crate::store::writer::{self, CommitInfo, Request, Shared, Writer};

/// What recovery found when the engine opened.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecoveryReport {
    /// The snapshot recovery started from.
    pub snapshot_id: Option<String>,
    /// Records replayed from the WAL.
    pub replayed: u64,
    /// Frame bytes replayed.
    pub replayed_bytes: u64,
    /// The recovered commit_seq.
    pub commit_seq: u64,
    /// The seq the next commit gets.
    pub next_seq: u64,
    /// Time spent.
    pub took_ms: u64,
    /// A torn tail that was cut, if any: `(file, offset)`.
    pub truncated_tail: Option<(String, u64)>,
}

/// A handle to an open engine; clones share it. The last handle dropped closes it.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    dir: DataDir,
    shared: Arc<Shared>,
    tx: Mutex<Option<Sender<Request>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    maintenance: Mutex<Option<Maintenance>>,
    /// The log's next seq when it was opened: a snapshot taken before any new commit must not
    /// let seqs below it be reissued (after a restore it is above `state.seq + 1`).
    floor_seq: AtomicU64,
    recovery: RecoveryReport,
    options: EngineOptions,
    /// Held by whoever removes files (WAL trims, snapshot retention): one at a time.
    files: Mutex<()>,
    /// Trims keep every segment holding a seq at or above it (`u64::MAX`: no hold); see
    /// [`Engine::hold_wal_from`].
    wal_hold: AtomicU64,
    /// Set on close: stops the PostgreSQL listener thread (`None`: the embedded engine).
    listener_stop: Option<Arc<AtomicBool>>,
    /// This server on the PostgreSQL backend (`None`: the embedded engine).
    pg: Option<pg::auto::Node>,
    _lock: DirLock,
}

/// A handle that does not keep the engine open (for its own background threads).
#[derive(Clone)]
pub struct WeakEngine(std::sync::Weak<Inner>);

impl WeakEngine {
    /// The engine, unless every [`Engine`] handle is gone.
    pub fn upgrade(&self) -> Option<Engine> {
        self.0.upgrade().map(|inner| Engine { inner })
    }
}

/// What [`Engine::launch`] starts from.
struct Launch<L> {
    dir: DataDir,
    lock: DirLock,
    options: EngineOptions,
    state: State,
    next_seq: u64,
    active_first_seq: u64,
    encoder: RecordEncoder,
    source: Box<dyn LogSource>,
    make_log: L,
    /// A snapshot recovery started from: `(commit_seq, next_seq, created_ms)`.
    snapshot_jump: Option<(u64, u64, i64)>,
    report: RecoveryReport,
    listener_stop: Option<Arc<AtomicBool>>,
    pg: Option<pg::auto::Node>,
}

impl Engine {
    /// Opens (creating if needed) the data directory at `root`, takes its lock and recovers.
    /// `purpose` is recorded in the LOCK file for other processes' errors.
    ///
    /// # Errors
    /// The directory is locked, corrupt, or unreadable.
    pub fn open(root: &Path, options: EngineOptions, purpose: &str) -> Result<Engine> {
        let dir = DataDir::new(root).with_keys(options.keyring());
        dir.create()?;
        Engine::open_dir(dir, options, purpose)
    }

    /// Opens an existing data directory (offline commands never create one).
    ///
    /// # Errors
    /// As [`Engine::open`], and [`StoreError::NoDataDir`].
    pub fn open_existing(root: &Path, options: EngineOptions, purpose: &str) -> Result<Engine> {
        let dir = DataDir::new(root).with_keys(options.keyring());
        dir.require_initialized()?;
        dir.create()?;
        Engine::open_dir(dir, options, purpose)
    }

    fn open_dir(dir: DataDir, options: EngineOptions, purpose: &str) -> Result<Engine> {
        let started = Instant::now();
        let lock = dir.lock(purpose)?;
        crate::store::offline::restore::finish_pending(&dir)?;
        let leftovers = snapshot::remove_leftovers(&dir.snapshots())?;
        if leftovers > 0 {
            info!(
                files = leftovers,
                "removed the temporary files of snapshots that were interrupted"
            );
        }
        let policy = HistoryPolicy::new(options.history_versions, options.history_age);
        let rec = recovery::recover(&dir, Base::Newest, Target::Latest, &policy, &mut |_| {})?;
        let floor = rec.snapshot.as_ref().map_or(1, |m| m.next_seq);
        let next_seq = rec.next_seq.unwrap_or(floor).max(rec.state.seq + 1);
        let mut truncated_tail = None;
        if let Some(last) = rec.last_segment.as_ref().filter(|l| l.torn.is_some()) {
            recovery::truncate_torn_tail(last)?;
            truncated_tail = Some((last.path.display().to_string(), last.end));
        }
        let encoder = RecordEncoder::new(dir.key())?;
        let key_id = encoder.key_id();
        let (segment, active_first_seq) = match &rec.last_segment {
            // Append to the last segment only if the log continues there without a jump, and
            // its records are sealed with the key new ones get (or both are plaintext).
            Some(last) if rec.log_next == Some(next_seq) && last.header.key_id == key_id => {
                let segment = ActiveSegment::reopen(
                    &dir.wal(),
                    &last.path,
                    key_id,
                    last.end,
                    options.segment_size,
                    options.fault.clone(),
                )?;
                (segment, last.header.first_seq)
            }
            last => {
                // A last segment without records that would have the new one's name is
                // replaced (only its header's key id changes).
                let replace = last
                    .as_ref()
                    .is_some_and(|l| l.header.first_seq == next_seq && l.end == HEADER_LEN as u64);
                let segment = ActiveSegment::create(
                    &dir.wal(),
                    next_seq,
                    key_id,
                    options.clock.now_ms(),
                    options.segment_size,
                    options.fault.clone(),
                    replace,
                )?;
                (segment, next_seq)
            }
        };
        if key_id != 0 {
            info!(key_id = %format_args!("{key_id:08x}"), "encryption at rest: new WAL records and snapshots are sealed");
        }
        if options.durability == Durability::Never {
            warn!(
                "durability mode `never`: commits are not synced to disk (tests and benchmarks only)"
            );
        }
        let state = rec.state;
        let report = RecoveryReport {
            snapshot_id: rec.snapshot.as_ref().map(|m| m.id.clone()),
            replayed: rec.replayed,
            replayed_bytes: rec.replayed_bytes,
            commit_seq: state.seq,
            next_seq,
            took_ms: started.elapsed().as_millis() as u64,
            truncated_tail,
        };
        info!(
            commit_seq = state.seq,
            replayed = rec.replayed,
            took_ms = report.took_ms,
            "recovered"
        );
        let snapshot_jump = rec
            .snapshot
            .as_ref()
            .map(|m| (m.commit_seq, m.next_seq, m.created_ms));
        let source = Box::new(WalSource {
            wal_dir: dir.wal(),
            keys: dir.keys().clone(),
        });
        let durability = options.durability;
        let sync_interval = options.sync_interval;
        let clock = options.clock.clone();
        let make_log = move |shared: Arc<Shared>| -> Box<dyn Log> {
            Box::new(WalLog {
                shared,
                segment,
                durability,
                sync_interval,
                clock,
                dirty_since: None,
            })
        };
        let (engine, _) = Engine::launch(Launch {
            dir,
            lock,
            options,
            state,
            next_seq,
            active_first_seq,
            encoder,
            source,
            make_log,
            snapshot_jump,
            report,
            listener_stop: None,
            pg: None,
        })?;
        Ok(engine)
    }

    /// Opens an engine whose log is a PostgreSQL database shared with other servers: creates
    /// or checks its tables, replays the whole log into memory, then runs like the embedded
    /// engine with the database ordering commits (see [`crate::store::pg`]). `root` is this
    /// server's own directory (locked; it holds no log).
    ///
    /// # Errors
    /// The directory is locked; the database cannot be reached, has a newer schema, or its
    /// log does not decode.
    pub fn open_postgres(
        root: &Path,
        pg_options: PgOptions,
        options: EngineOptions,
        purpose: &str,
    ) -> Result<Engine> {
        let started = Instant::now();
        let dir = DataDir::new(root).with_keys(options.keyring());
        dir.create()?;
        let lock = dir.lock(purpose)?;
        let keys = dir.keys().clone();
        let mut client = pg::connect(&pg_options, "writer")?;
        let meta = pg::schema::ensure(&mut client)?;
        let policy = HistoryPolicy::new(options.history_versions, options.history_age);
        let booted = pg::boot::load(&mut client, &dir, &policy)?;
        let state = booted.state;
        let origin = ulid::Ulid::generate().to_string();
        let notifier = pg::listen::Notifier::start(pg_options.clone(), origin.clone())
            .map_err(|e| StoreError::io("spawn the notifier thread", dir.root(), e))?;
        let encoder = RecordEncoder::new(dir.key())?;
        let next_seq = booted.next_seq.max(state.seq + 1);
        let report = RecoveryReport {
            snapshot_id: booted.snapshot.as_ref().map(|m| m.id.clone()),
            replayed: booted.replayed,
            replayed_bytes: booted.replayed_bytes,
            commit_seq: state.seq,
            next_seq,
            took_ms: started.elapsed().as_millis() as u64,
            truncated_tail: None,
        };
        info!(
            commit_seq = state.seq,
            snapshot = booted.snapshot.as_ref().map_or("none", |m| m.id.as_str()),
            replayed = booted.replayed,
            cluster_id = %meta.cluster_id,
            server = %origin,
            took_ms = report.took_ms,
            "caught up with the PostgreSQL log"
        );
        let log = PgLog::new(
            pg_options.clone(),
            client,
            keys.clone(),
            origin.clone(),
            notifier,
        )
        .with_floor(next_seq - 1)
        .with_dir(dir.clone());
        let stop = Arc::new(AtomicBool::new(false));
        let (engine, tx) = Engine::launch(Launch {
            dir,
            lock,
            options,
            state,
            next_seq,
            active_first_seq: next_seq,
            encoder,
            source: Box::new(PgSource::new(pg_options.clone(), keys)),
            make_log: move |_| -> Box<dyn Log> { Box::new(log) },
            snapshot_jump: booted
                .snapshot
                .as_ref()
                .map(|m| (m.commit_seq, m.next_seq, m.created_ms)),
            report,
            listener_stop: Some(stop.clone()),
            pg: Some(pg::auto::Node {
                options: pg_options.clone(),
                origin: origin.clone(),
                snapshots: Default::default(),
            }),
        })?;
        let node = engine.inner.pg.clone().expect("set above");
        pg::listen::start_listener(
            pg_options,
            origin,
            tx,
            stop.clone(),
            engine.inner.shared.clone(),
        )
        .map_err(|e| StoreError::io("spawn the listener thread", engine.dir().root(), e))?;
        pg::auto::start(engine.downgrade(), node, stop)
            .map_err(|e| StoreError::io("spawn the snapshot thread", engine.dir().root(), e))?;
        Ok(engine)
    }

    /// Starts the commit and maintenance threads over a recovered state.
    fn launch<L>(l: Launch<L>) -> Result<(Engine, Sender<Request>)>
    where
        L: FnOnce(Arc<Shared>) -> Box<dyn Log>,
    {
        let Launch {
            dir,
            lock,
            options,
            state,
            next_seq,
            active_first_seq,
            encoder,
            source,
            make_log,
            snapshot_jump,
            report,
            listener_stop,
            pg,
        } = l;
        let policy = HistoryPolicy::new(options.history_versions, options.history_age);
        let hub = Arc::new(WatchHub::new(
            source,
            state.seq,
            next_seq,
            options.watch_ring_events,
            options.watch_buffer_events,
            options.watch_buffer_bytes,
        ));
        let last_ts = state.ts;
        if let Some((r, n, _)) = snapshot_jump {
            hub.add_jump(r, n);
        }
        let shared = Arc::new(Shared {
            state: RwLock::new(Arc::new(state)),
            poisoned: Mutex::new(None),
            hub,
            active_first_seq: AtomicU64::new(active_first_seq),
            stats: Default::default(),
            leader: AtomicBool::new(listener_stop.is_none()),
        });
        if let Some((_, _, created_ms)) = snapshot_jump {
            shared.stats.snapshot_found(created_ms);
        }
        let writer = Writer {
            shared: shared.clone(),
            log: make_log(shared.clone()),
            encoder,
            next_seq,
            last_ts,
            policy,
            clock: options.clock.clone(),
            reload_backoff: Default::default(),
        };
        let (tx, rx) = mpsc::channel();
        let handle = std::thread::Builder::new()
            .name("stmgr-commit".into())
            .spawn(move || writer.run(rx))
            .map_err(|e| StoreError::io("spawn commit thread", dir.root(), e))?;
        let maintenance = Maintenance::start(tx.clone(), shared.clone(), &options)
            .map_err(|e| StoreError::io("spawn maintenance thread", dir.root(), e))?;
        let engine = Engine {
            inner: Arc::new(Inner {
                dir,
                shared,
                tx: Mutex::new(Some(tx.clone())),
                writer: Mutex::new(Some(handle)),
                maintenance: Mutex::new(Some(maintenance)),
                floor_seq: AtomicU64::new(next_seq),
                recovery: report,
                options,
                files: Mutex::new(()),
                wal_hold: AtomicU64::new(u64::MAX),
                listener_stop,
                pg,
                _lock: lock,
            }),
        };
        Ok((engine, tx))
    }

    /// A handle that does not keep the engine open.
    pub fn downgrade(&self) -> WeakEngine {
        WeakEngine(Arc::downgrade(&self.inner))
    }

    fn send(&self, req: Request) -> Result<()> {
        let tx = self.inner.tx.lock().unwrap_or_else(|p| p.into_inner());
        match tx.as_ref() {
            Some(tx) => tx.send(req).map_err(|_| StoreError::Closed),
            None => Err(StoreError::Closed),
        }
    }

    /// Runs a transaction: `txn` runs on the commit thread against the latest state and returns
    /// the ops to log with its value (or a rejection). Answers once the commit is durable (per
    /// the durability mode), applied and published, with the commit and the value; a
    /// transaction that returns no ops writes nothing and answers `(None, value)` once
    /// everything it read is durable and visible.
    ///
    /// `txn` runs on the one commit thread, between other commits: keep it to checks and the
    /// ops; build answers from its value after it returns.
    ///
    /// # Errors
    /// The rejection, [`StoreError::Poisoned`], [`StoreError::Closed`].
    pub async fn transact<T: Send + 'static>(
        &self,
        txn: impl FnOnce(&State) -> Result<(Vec<Op>, T), Rejection> + Send + 'static,
    ) -> Result<(Option<CommitInfo>, T)> {
        let (txn, rx) = writer::transaction(txn);
        self.send(Request::Commit(txn))?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// [`Engine::transact`] for a transaction that must write: no ops is refused with
    /// [`Rejection::Unchanged`].
    ///
    /// # Errors
    /// As [`Engine::transact`], and [`Rejection::Unchanged`].
    pub async fn commit<T: Send + 'static>(
        &self,
        txn: impl FnOnce(&State) -> Result<(Vec<Op>, T), Rejection> + Send + 'static,
    ) -> Result<(CommitInfo, T)> {
        written(self.transact(txn).await)
    }

    /// [`Engine::commit`] for threads outside an async runtime.
    ///
    /// # Errors
    /// As [`Engine::commit`].
    pub fn commit_blocking<T: Send + 'static>(
        &self,
        txn: impl FnOnce(&State) -> Result<(Vec<Op>, T), Rejection> + Send + 'static,
    ) -> Result<(CommitInfo, T)> {
        let (txn, rx) = writer::transaction(txn);
        self.send(Request::Commit(txn))?;
        written(rx.blocking_recv().map_err(|_| StoreError::Closed)?)
    }

    /// Commits fixed ops.
    ///
    /// # Errors
    /// As [`Engine::commit`].
    pub async fn commit_ops(&self, ops: Vec<Op>) -> Result<CommitInfo> {
        Ok(self.commit(move |_| Ok((ops, ()))).await?.0)
    }

    /// The time transactions decide by (ms since the epoch): the engine's clock
    /// ([`EngineOptions::clock`]), the one commit timestamps come from.
    pub fn now_ms(&self) -> i64 {
        self.inner.options.clock.now_ms()
    }

    /// A consistent view of the latest published state (O(1)).
    pub fn view(&self) -> Arc<State> {
        writer::read(&self.inner.shared.state).clone()
    }

    /// Whether the log is shared with other servers (PostgreSQL): then [`Engine::view`] may
    /// lag commits acknowledged by others until [`Engine::sync`] (or the next tail) catches up.
    pub fn is_shared(&self) -> bool {
        self.inner.listener_stop.is_some()
    }

    /// Whether this server runs the time-driven work (TTL and lease expiry, workflow
    /// timeouts, retention): always on the embedded engine; on a shared log, the one server
    /// holding the database's leader lock.
    pub fn is_leader(&self) -> bool {
        self.inner.shared.leader.load(Ordering::Relaxed)
    }

    /// A read barrier: returns once this engine's published state includes every commit
    /// acknowledged anywhere before the call (the log's head as of now), with that state's
    /// seq. Immediate on the embedded engine, where every commit goes through this process.
    ///
    /// # Errors
    /// The shared log cannot be reached ([`StoreError::Backend`]), [`StoreError::Closed`].
    pub async fn sync(&self) -> Result<u64> {
        if !self.is_shared() {
            return Ok(self.view().seq);
        }
        let (reply, rx) = tokio::sync::oneshot::channel();
        self.send(Request::Sync(reply))?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// Follows every commit after `from` (exclusive) that passes `filter`.
    pub fn subscribe(&self, from: u64, filter: Option<Filter>) -> Subscription {
        self.inner.shared.hub.subscribe(from, filter)
    }

    /// Events queued for live watch subscribers.
    pub fn watch_backlog(&self) -> usize {
        self.inner.shared.hub.backlog()
    }

    /// Number of live watch subscribers.
    pub fn watchers(&self) -> usize {
        self.inner.shared.hub.live_subscribers()
    }

    /// Writes a snapshot of the current state (blocking; writers go on meanwhile), verified by
    /// reading it back before it is visible. On the PostgreSQL backend it is then stored in
    /// the database ([`pg::auto::publish`]: the stored ones pruned, the log trimmed below it
    /// when this server is the leader); see [`Engine::snapshot_home`].
    ///
    /// # Errors
    /// I/O errors naming the file; [`StoreError::SnapshotCheck`]; the database cannot store it.
    pub fn snapshot(&self, origin: SnapshotOrigin) -> Result<SnapshotMeta> {
        let _one_at_a_time = self.inner.pg.as_ref().map(|n| {
            n.snapshots
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        });
        let meta = self.snapshot_local(origin)?;
        if let Some(node) = &self.inner.pg {
            let published =
                pg::auto::publish(node, &self.inner.dir.snapshots(), &meta, self.is_leader())
                    .inspect_err(|_| self.inner.shared.stats.snapshot_failed())?;
            if let Some(t) = published.trimmed.filter(|t| t.rows > 0) {
                info!(from = t.from, to = t.to, rows = t.rows, "trimmed stmgr_log");
            }
            pg::auto::drop_stale_copies(self, &published.held);
        }
        Ok(meta)
    }

    /// Where [`Engine::snapshot`] keeps snapshots besides this server's directory: the
    /// database of the PostgreSQL backend (its URL without password, and the table).
    pub fn snapshot_home(&self) -> Option<String> {
        self.inner
            .pg
            .as_ref()
            .map(|n| format!("{} (stmgr_snapshot)", pg::redacted(&n.options.url)))
    }

    /// The PostgreSQL backend's options (`None`: the embedded engine).
    pub fn pg_options(&self) -> Option<&PgOptions> {
        self.inner.pg.as_ref().map(|n| &n.options)
    }

    fn snapshot_local(&self, origin: SnapshotOrigin) -> Result<SnapshotMeta> {
        let view = self.view();
        // Across a restore's jump (at open, or reloaded on a shared log) the log goes on above
        // `seq + 1`.
        let next_seq = (view.seq + 1)
            .max(self.inner.floor_seq.load(Ordering::Relaxed))
            .max(self.inner.shared.hub.next_after(view.seq));
        let dir = &self.inner.dir;
        let stats = &self.inner.shared.stats;
        // Keep room for the WAL's next segment: a snapshot must never be what fills the disk
        // under the log.
        let reserve = self.inner.options.segment_size;
        match snapshot::write_snapshot(
            &dir.snapshots(),
            &view,
            next_seq,
            dir.key(),
            origin,
            reserve,
        ) {
            Ok(meta) => {
                stats.snapshot_taken(meta.created_ms);
                Ok(meta)
            }
            Err(e) => {
                stats.snapshot_failed();
                Err(e)
            }
        }
    }

    /// The WAL segments, oldest first (see [`crate::store::files`]).
    ///
    /// # Errors
    /// The WAL directory cannot be read.
    pub fn wal_segments(&self) -> Result<Vec<WalSegment>> {
        files::wal_segments(&self.inner.dir)
    }

    /// The snapshots: readable ones in commit order, then unreadable ones with their error.
    ///
    /// # Errors
    /// The snapshot directory cannot be read.
    pub fn snapshots(&self) -> Result<Vec<SnapshotInfo>> {
        files::snapshots(&self.inner.dir)
    }

    /// Bytes of every file in the snapshot directory (0 when it cannot be read).
    pub fn snapshot_dir_bytes(&self) -> u64 {
        files::snapshot_dir_bytes(&self.inner.dir)
    }

    /// The engine's files, held for removals until the guard is dropped: blocks while another
    /// holder removes files (a trim, a retention round). Blocking: not on an async executor.
    pub fn files(&self) -> Files<'_> {
        Files {
            dir: &self.inner.dir,
            shared: &self.inner.shared,
            hold: &self.inner.wal_hold,
            _lock: self.inner.files.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Keeps every WAL segment holding a seq at or above `seq` from trims (`None`: releases
    /// the hold). A reader of the log files that is behind (a replicator shipping them) sets
    /// it to the first seq it still needs; every trim, the automatic retention's included,
    /// keeps those segments ("held") until the hold moves past them. Raising it never waits
    /// for a trim; lowering it waits for a trim in progress to finish, so a segment removed
    /// under an older hold is never counted on.
    pub fn hold_wal_from(&self, seq: Option<u64>) {
        let seq = seq.unwrap_or(u64::MAX);
        if seq < self.inner.wal_hold.load(Ordering::Acquire) {
            let _files = self.inner.files.lock().unwrap_or_else(|p| p.into_inner());
            self.inner.wal_hold.store(seq, Ordering::Release);
        } else {
            self.inner.wal_hold.store(seq, Ordering::Release);
        }
    }

    /// The seq [`Engine::hold_wal_from`] set (`None`: no hold).
    pub fn wal_hold(&self) -> Option<u64> {
        Some(self.inner.wal_hold.load(Ordering::Acquire)).filter(|s| *s != u64::MAX)
    }

    /// Verifies the snapshot `snapshot_id` in full and removes (unless `dry_run`) the WAL
    /// segments it covers entirely, never the active one, one trim at a time. Blocking.
    ///
    /// # Errors
    /// Unknown or damaged snapshot, I/O errors naming the file.
    pub fn trim_wal(&self, snapshot_id: &str, dry_run: bool) -> Result<TrimPlan> {
        self.files().trim_wal(snapshot_id, dry_run)
    }

    /// Why writes are refused, if they are.
    pub fn poisoned(&self) -> Option<String> {
        self.inner
            .shared
            .poisoned
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// What recovery found.
    pub fn recovery(&self) -> &RecoveryReport {
        &self.inner.recovery
    }

    /// The data directory.
    pub fn dir(&self) -> &DataDir {
        &self.inner.dir
    }

    /// The options the engine was opened with.
    pub fn options(&self) -> &EngineOptions {
        &self.inner.options
    }

    /// Engine counters.
    pub fn stats(&self) -> StatsSnapshot {
        self.inner.shared.stats.snapshot()
    }

    /// Syncs the log, stops the threads and ends every watch. Idempotent; later commits fail
    /// with [`StoreError::Closed`].
    ///
    /// # Errors
    /// The final sync failed.
    pub fn close(&self) -> Result<()> {
        self.inner.close()
    }
}

/// The commit of a transaction that had to write.
fn written<T>(answer: writer::Answer<T>) -> Result<(CommitInfo, T)> {
    match answer? {
        (Some(info), value) => Ok((info, value)),
        (None, _) => Err(Rejection::Unchanged.into()),
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("data_dir", &self.inner.dir.root())
            .field("commit_seq", &self.view().seq)
            .finish()
    }
}

impl Inner {
    fn close(&self) -> Result<()> {
        if let Some(stop) = &self.listener_stop {
            stop.store(true, Ordering::Relaxed);
        }
        if let Some(m) = self
            .maintenance
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            m.stop();
        }
        let tx = self.tx.lock().unwrap_or_else(|p| p.into_inner()).take();
        let mut result = Ok(());
        if let Some(tx) = tx {
            let (reply, rx) = mpsc::channel();
            if tx.send(Request::Shutdown(reply)).is_ok() {
                result = rx.recv().unwrap_or(Ok(()));
            }
        }
        if let Some(h) = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = h.join();
        }
        self.shared.hub.close();
        result
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        let _ = self.close();
    }
}
