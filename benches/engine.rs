//! Engine benchmark (not a test): `cargo bench --bench engine`.
//!
//! Measures, in one run on this machine:
//! - the disk's fdatasync latency (append 256 B + fdatasync), the yardstick for the rest;
//! - durable commits/s and p50/p99 commit latency (durability `always`) at 1, 16, 64 and 256
//!   concurrent writers, with 256 B and 4 KiB values;
//! - snapshot write speed and recovery replay speed (MB/s) with 1M objects (replay twice: in a
//!   fresh process, and again in it once the first state is freed);
//! - resident memory per live object against the live data (ids, types, bodies, tags);
//! - the CPU cost of encryption at rest: sealing and opening a WAL record, and snapshot chunks.
//!
//! Knobs: `STMGR_BENCH_SECS` (per commit configuration, default 3), `STMGR_BENCH_OBJECTS`
//! (default 1000000), `STMGR_BENCH_WRITERS` (comma list, default 1,16,64,256),
//! `STMGR_BENCH_ENCRYPTION=1` (everything sealed with a fixed test key: WAL and snapshots),
//! `STMGR_BENCH_DATA_DIR` (keep the 1M-object directory; `STMGR_BENCH_REPLAY_DIR=DIR` reruns
//! only the replay, memory and snapshot measurements on it).

use std::fs::OpenOptions;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use stmgr::store::recovery::{self, Base, Target};
use stmgr::store::state::HistoryPolicy;
use stmgr::store::{Body, Durability, Engine, EngineOptions, ObjectData, ObjectOp, Op};

/// The allocator of the `stmgr` binary, so that memory and speed are measured as the server has them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The key of `STMGR_BENCH_ENCRYPTION=1` runs (a fixed test key; never use it for real data).
fn bench_key() -> Option<stmgr::store::EncryptionKey> {
    (std::env::var("STMGR_BENCH_ENCRYPTION").as_deref() == Ok("1"))
        .then(|| stmgr::store::EncryptionKey::from_bytes(&[0x42; 32]))
}

fn options() -> EngineOptions {
    EngineOptions {
        encryption: bench_key(),
        ..EngineOptions::default()
    }
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn put(id: String, body: &Body) -> Op {
    Op::Object(ObjectOp::Put {
        ns: "bench".into(),
        id: id.into(),
        data: Arc::new(ObjectData::new("b".into(), body.clone())),
    })
}

fn body_of(size: usize) -> Body {
    // A JSON string of `size` bytes in total.
    Body::from_json(format!("\"{}\"", "v".repeat(size.saturating_sub(2)))).expect("json")
}

/// A JSON string of `size` bytes of pseudo-random hex (compresses about 2:1, like real data).
fn varied_body(size: usize, rng: &mut u64) -> Body {
    let mut s = String::with_capacity(size);
    s.push('"');
    while s.len() < size - 1 {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        s.push_str(&format!("{:016x}", *rng));
    }
    s.truncate(size - 1);
    s.push('"');
    Body::from_json(s).expect("json")
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn fdatasync_latency(dir: &std::path::Path) -> (Duration, Duration) {
    let path = dir.join("fsync-probe");
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .expect("probe file");
    let buf = [7u8; 256];
    let mut lat = Vec::new();
    for _ in 0..2000 {
        let t = Instant::now();
        f.write_all(&buf).expect("write");
        f.sync_data().expect("fdatasync");
        lat.push(t.elapsed());
    }
    lat.sort();
    let _ = std::fs::remove_file(path);
    (pct(&lat, 0.5), pct(&lat, 0.99))
}

fn commit_bench(
    rt: &tokio::runtime::Runtime,
    writers: usize,
    size: usize,
    secs: u64,
) -> (f64, Duration, Duration) {
    let dir = tempfile::tempdir_in(std::env::temp_dir()).expect("tempdir");
    let engine = Engine::open(dir.path(), options(), "bench").expect("open");
    let body = body_of(size);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let lats: Vec<Vec<Duration>> = rt.block_on(async {
        let tasks: Vec<_> = (0..writers)
            .map(|w| {
                let e = engine.clone();
                let body = body.clone();
                tokio::spawn(async move {
                    let mut lat = Vec::new();
                    let mut i = 0u64;
                    while Instant::now() < deadline {
                        let op = put(format!("w{w}-{}", i % 1000), &body);
                        let t = Instant::now();
                        e.commit_ops(vec![op]).await.expect("commit");
                        lat.push(t.elapsed());
                        i += 1;
                    }
                    lat
                })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.expect("task"));
        }
        out
    });
    let mut all: Vec<Duration> = lats.into_iter().flatten().collect();
    all.sort();
    let rate = all.len() as f64 / secs as f64;
    engine.close().expect("close");
    (rate, pct(&all, 0.5), pct(&all, 0.99))
}

fn main() {
    if let Some(dir) = std::env::var_os(REPLAY_DIR_ENV) {
        replay_phase(std::path::Path::new(&dir));
        return;
    }
    let secs: u64 = env("STMGR_BENCH_SECS", 3);
    let objects: usize = env("STMGR_BENCH_OBJECTS", 1_000_000);
    let writers: Vec<usize> = std::env::var("STMGR_BENCH_WRITERS")
        .unwrap_or_else(|_| "1,16,64,256".into())
        .split(',')
        .filter_map(|w| w.trim().parse().ok())
        .collect();
    println!(
        "encryption at rest: {}",
        if bench_key().is_some() {
            "on (AES-256-GCM)"
        } else {
            "off"
        }
    );
    crypto_costs();
    let probe_dir = tempfile::tempdir_in(std::env::temp_dir()).expect("tempdir");
    let (f50, f99) = fdatasync_latency(probe_dir.path());
    println!(
        "fdatasync (append 256 B): p50 {} ms, p99 {} ms",
        ms(f50),
        ms(f99)
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    println!("\ncommits (durability always, {secs} s each)");
    println!(
        "{:>8} {:>7} {:>12} {:>10} {:>10}",
        "writers", "value", "commits/s", "p50 ms", "p99 ms"
    );
    for size in [256usize, 4096] {
        for &w in &writers {
            let (rate, p50, p99) = commit_bench(&rt, w, size, secs);
            println!(
                "{w:>8} {size:>7} {rate:>12.0} {:>10} {:>10}",
                ms(p50),
                ms(p99)
            );
        }
    }

    // 1M objects: fill the WAL (one put per commit, like clients do), then measure replay,
    // memory, and the snapshot.
    println!("\n{objects} objects of 256 B");
    // `STMGR_BENCH_DATA_DIR` keeps the filled directory (and reuses it if it exists), so the
    // replay phase can be rerun on the same data: `STMGR_BENCH_REPLAY_DIR=DIR` (remove its
    // snapshots first, or recovery starts from the one the last run wrote).
    let tmp = tempfile::tempdir_in(std::env::temp_dir()).expect("tempdir");
    let dir = std::env::var_os("STMGR_BENCH_DATA_DIR")
        .map_or_else(|| tmp.path().to_path_buf(), std::path::PathBuf::from);
    if !dir.join("wal").exists() {
        let opts = EngineOptions {
            durability: Durability::Never,
            ..options()
        };
        let engine = Engine::open(&dir, opts, "bench").expect("open");
        rt.block_on(async {
            let per = objects / 64;
            let tasks: Vec<_> = (0..64)
                .map(|w| {
                    let e = engine.clone();
                    tokio::spawn(async move {
                        let mut rng = (w as u64 + 1) * 0x9E37_79B9_7F4A_7C15;
                        for i in 0..per {
                            let body = varied_body(256, &mut rng);
                            e.commit_ops(vec![put(format!("obj-{w:02}-{i:08}"), &body)])
                                .await
                                .expect("commit");
                        }
                    })
                })
                .collect();
            for t in tasks {
                t.await.expect("task");
            }
        });
        engine.close().expect("close");
    }
    // The commit benchmarks leave hundreds of MB of dirty pages (their directories are gone,
    // their writeback is not): flush them first, so the disk is idle when replay is timed.
    if let Ok(root) = std::fs::File::open(&dir) {
        let _ = rustix::fs::syncfs(&root);
    }
    // Replay, memory, snapshot and load run in a fresh process: its heap holds nothing but the
    // recovered state, so resident memory is measured cleanly.
    let status = std::process::Command::new(std::env::current_exe().expect("exe"))
        .env(REPLAY_DIR_ENV, &dir)
        .status()
        .expect("replay child");
    assert!(status.success(), "replay child failed");
}

const REPLAY_DIR_ENV: &str = "STMGR_BENCH_REPLAY_DIR";

/// CPU time of the calling thread (from `/proc/thread-self/schedstat`): unlike wall time, it
/// does not count the time other processes on a busy machine take.
fn thread_cpu() -> Duration {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let ns = text
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Duration::from_nanos(ns)
}

/// CPU time of the whole process, threads that ended included (from `/proc/self/stat`, in
/// clock ticks of 10 ms).
fn process_cpu() -> Duration {
    let text = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and
    // 13th.
    let rest = text.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

/// Per-record cost of encoding and decoding a WAL record of a 256 B object, plaintext and
/// sealed, and the throughput of sealing and opening a snapshot body (thread CPU time).
fn crypto_costs() {
    use std::io::{Read, Write};
    use stmgr::store::crypto::chunks::{OpenReader, SealWriter};
    use stmgr::store::crypto::record::{RecordEncoder, decode_record};
    use stmgr::store::crypto::{EncryptionKey, FileKey};
    let key = EncryptionKey::from_bytes(&[0x42; 32]);
    let mut rng = 7u64;
    let ops = vec![put("obj-00-00000001".into(), &varied_body(256, &mut rng))];
    let n = 200_000u32;
    println!("CPU per WAL record of a 256 B object ({n} records, thread CPU time)");
    for (label, k) in [("plaintext", None), ("sealed", Some(&key))] {
        let mut enc = RecordEncoder::new(k).expect("encoder");
        let mut buf = Vec::with_capacity(1024);
        let t = thread_cpu();
        for i in 0..n {
            buf.clear();
            enc.encode_into(u64::from(i), 0, &ops, &mut buf)
                .expect("encode");
        }
        let encode = (thread_cpu() - t) / n;
        let fk = k.map_or(FileKey::Plain, FileKey::Sealed);
        let t = thread_cpu();
        for _ in 0..n {
            std::hint::black_box(decode_record(fk, &buf).expect("decode"));
        }
        let decode = (thread_cpu() - t) / n;
        println!(
            "  {label:>9}: {} B payload, encode {} ns, decode {} ns",
            buf.len(),
            encode.as_nanos(),
            decode.as_nanos()
        );
    }
    let data: Vec<u8> = (0..128u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mb = data.len() as f64 / 1e6;
    let t = thread_cpu();
    let mut w =
        SealWriter::new(Vec::with_capacity(data.len() + (1 << 20)), &key, b"h").expect("sealer");
    for part in data.chunks(64 * 1024) {
        w.write_all(part).expect("seal");
    }
    let sealed = w.finish().expect("seal");
    let seal = thread_cpu() - t;
    let t = thread_cpu();
    let mut r = OpenReader::new(sealed.as_slice(), &key, b"h", 0);
    let mut out = vec![0u8; 64 * 1024];
    while r.read(&mut out).expect("open") > 0 {}
    let open = thread_cpu() - t;
    println!(
        "snapshot body chunks: seal {:.0} MB/s, open {:.0} MB/s (CPU time)\n",
        mb / seal.as_secs_f64(),
        mb / open.as_secs_f64()
    );
}

fn replay_phase(dir: &std::path::Path) {
    // Decoding alone (read, checksum, decode every record), for comparison with full replay.
    let t = Instant::now();
    let cpu = thread_cpu();
    let mut n = 0u64;
    let keys = stmgr::store::crypto::Keyring::single(bench_key());
    stmgr::store::wal::reader::read_log(&dir.join("wal"), &keys, 1, |_, _| {
        n += 1;
        Ok(true)
    })
    .expect("read log");
    let took = t.elapsed();
    let cpu = thread_cpu() - cpu;
    println!(
        "decode only: {n} records in {:.2} s ({:.0} records/s); CPU {:.2} s ({:.0} records/s)",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64(),
        cpu.as_secs_f64(),
        n as f64 / cpu.as_secs_f64()
    );
    let d = stmgr::store::dir::DataDir::new(dir).with_keys(keys.clone());
    let policy = HistoryPolicy::new(16, Duration::from_secs(3600));
    let rss_before = rss_bytes();
    let t = Instant::now();
    let (cpu, all_cpu) = (thread_cpu(), process_cpu());
    let rec =
        recovery::recover(&d, Base::Newest, Target::Latest, &policy, &mut |_| {}).expect("recover");
    let took = t.elapsed();
    let (cpu, all_cpu) = (thread_cpu() - cpu, process_cpu() - all_cpu);
    let rss_after = rss_bytes();
    let mb = rec.replayed_bytes as f64 / 1e6;
    println!(
        "replay: {} commits, {mb:.1} MB of WAL in {:.2} s = {:.0} MB/s ({:.0} commits/s)",
        rec.replayed,
        took.as_secs_f64(),
        mb / took.as_secs_f64(),
        rec.replayed as f64 / took.as_secs_f64()
    );
    // The reader thread and the applying one run in parallel: on an idle machine the slower
    // of the two bounds the wall time.
    let other = all_cpu.saturating_sub(cpu);
    println!(
        "replay CPU: applying thread {:.2} s, other threads {:.2} s = {:.0} MB/s if bound by the slower",
        cpu.as_secs_f64(),
        other.as_secs_f64(),
        mb / cpu.max(other).as_secs_f64()
    );
    let live = rec.state.objects.live_count();
    let live_bytes: u64 = rec.state.objects.namespaces().iter().map(|n| n.bytes).sum();
    let grown = rss_after.saturating_sub(rss_before);
    println!(
        "memory: {live} live objects, live data {:.1} MB, resident growth {:.1} MB = {:.0} B/object ({:.2}x live data)",
        live_bytes as f64 / 1e6,
        grown as f64 / 1e6,
        grown as f64 / live as f64,
        grown as f64 / live_bytes as f64
    );
    // The same replay again in this process, once the first state is gone: its memory is
    // pages the process already touched. On a virtual machine whose host takes back free guest
    // memory (free page reporting), the first touch of fresh memory is several times slower than
    // reusing it, and the first replay pays that for every byte of its state.
    drop(rec);
    let t = Instant::now();
    let rec =
        recovery::recover(&d, Base::Newest, Target::Latest, &policy, &mut |_| {}).expect("recover");
    let took = t.elapsed();
    println!(
        "replay again in the same process (memory already touched): {mb:.1} MB of WAL in {:.2} s = {:.0} MB/s",
        took.as_secs_f64(),
        mb / took.as_secs_f64(),
    );
    let t = Instant::now();
    let all_cpu = process_cpu();
    let meta = stmgr::store::snapshot::write_snapshot(
        &d.snapshots(),
        &rec.state,
        rec.state.seq + 1,
        d.key(),
        stmgr::store::snapshot::SnapshotOrigin::Manual,
        0,
    )
    .expect("snapshot");
    let took = t.elapsed();
    let all_cpu = process_cpu() - all_cpu;
    println!(
        "snapshot: {} objects, {:.1} MB live data -> {:.1} MB file in {:.2} s = {:.0} MB/s of live data (CPU {:.2} s, all threads)",
        meta.objects,
        live_bytes as f64 / 1e6,
        meta.size as f64 / 1e6,
        took.as_secs_f64(),
        live_bytes as f64 / 1e6 / took.as_secs_f64(),
        all_cpu.as_secs_f64()
    );
    drop(rec);
    let t = Instant::now();
    let (state, _) = stmgr::store::snapshot::load_snapshot(
        &d.snapshots().join(format!("{}.snap", meta.id)),
        d.keys(),
    )
    .expect("load");
    let took = t.elapsed();
    println!(
        "snapshot load: {} objects in {:.2} s = {:.0} MB/s of live data",
        state.objects.live_count(),
        took.as_secs_f64(),
        live_bytes as f64 / 1e6 / took.as_secs_f64()
    );
}
