//! Backup benchmark (not a test): `cargo bench --bench backup`.
//!
//! Uploads and downloads a snapshot-like file (a valid snapshot header, then incompressible
//! bytes, like a zstd body) with `stmgr::backup`, to a local directory and to a moto S3 server,
//! and prints MB/s for each, beside two yardsticks measured in the same run: a plain file copy
//! on this disk and SHA-256 over the same bytes (every transfer hashes what it moves).
//!
//! Then restore from a location: a data directory of `STMGR_BENCH_RESTORE_OBJECTS` objects of
//! 256 B (default 1,000,000; 0 skips it) is snapshotted and shipped with `stmgr snapshot --to`,
//! and `stmgr restore --from URL --data-dir FRESH --yes` is timed end to end (plan, fetch and
//! check, load and verify the snapshot, write the restored snapshot, swap in), for each
//! location.
//!
//! Knobs: `STMGR_BENCH_BACKUP_MIB` (file size, default 256), `STMGR_BENCH_ROUNDS` (default 2),
//! `STMGR_MOTO_BIN` (the `bin/` of a venv with `moto[server]`; default: the tests' venv under
//! `target/tmp/venv-moto`; without it the S3 half is skipped).

#[path = "common/moto.rs"]
mod moto;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use moto::{env, start_moto};
use sha2::Digest;
use stmgr::backup::{
    Credentials, Location, S3Location, Secret, Target, TargetConfig, TargetOptions, UploadInfo,
};
use stmgr::store::{Body, Durability, Engine, EngineOptions, ObjectData, ObjectOp, Op};

/// A snapshot header (see `stmgr::store::snapshot`) with a valid checksum, then `len` bytes of
/// noise.
fn write_snapshot_like(path: &Path, len: usize) {
    let mut h = [0u8; 96];
    h[0..8].copy_from_slice(b"STMGRSNP");
    h[8..10].copy_from_slice(&1u16.to_le_bytes());
    h[16..24].copy_from_slice(&1_000_000u64.to_le_bytes());
    h[24..32].copy_from_slice(&1_000_001u64.to_le_bytes());
    let now = chrono::Utc::now().timestamp_millis();
    h[32..40].copy_from_slice(&now.to_le_bytes());
    let crc = crc32c::crc32c(&h[0..92]);
    h[92..96].copy_from_slice(&crc.to_le_bytes());
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    f.write_all(&h).expect("write");
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut block = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        for chunk in block.chunks_mut(8) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            chunk.copy_from_slice(&seed.to_le_bytes()[..chunk.len()]);
        }
        let n = left.min(block.len());
        f.write_all(&block[..n]).expect("write");
        left -= n;
    }
    f.into_inner().expect("flush").sync_all().expect("sync");
}

fn mbps(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn run(name: &str, target: &Target, file: &Path, out_dir: &Path, rounds: usize) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let size = std::fs::metadata(file).expect("stat").len();
    let id = file.file_stem().and_then(|s| s.to_str()).expect("id");
    for round in 1..=rounds {
        let t = Instant::now();
        rt.block_on(target.upload_snapshot(file, UploadInfo::default()))
            .expect("upload");
        let up = t.elapsed();
        let dest = out_dir.join(format!("{id}.snap"));
        let t = Instant::now();
        rt.block_on(target.download_snapshot(id, &dest))
            .expect("download");
        let down = t.elapsed();
        println!(
            "{name:6} round {round}: upload {:7.1} MB/s ({:5.2} s), download {:7.1} MB/s ({:5.2} s)",
            mbps(size, up),
            up.as_secs_f64(),
            mbps(size, down),
            down.as_secs_f64()
        );
        std::fs::remove_file(&dest).expect("remove download");
        rt.block_on(target.delete_snapshot(id)).expect("delete");
    }
}

/// A data directory at `dir` holding `objects` objects of 256 B (1,000 puts per commit).
fn fill(dir: &Path, objects: usize) {
    let opts = EngineOptions {
        durability: Durability::Never,
        ..EngineOptions::default()
    };
    let engine = Engine::open(dir, opts, "bench").expect("open");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let body = Body::from_json(format!("\"{}\"", "v".repeat(254))).expect("json");
    let data = std::sync::Arc::new(ObjectData::new("b".into(), body));
    rt.block_on(async {
        for start in (0..objects).step_by(1000) {
            let ops = (start..(start + 1000).min(objects))
                .map(|i| {
                    Op::Object(ObjectOp::Put {
                        ns: "bench".into(),
                        id: format!("obj-{i:08}").into(),
                        data: data.clone(),
                    })
                })
                .collect();
            engine.commit_ops(ops).await.expect("commit");
        }
    });
    engine.close().expect("close");
}

/// `stmgr` with moto's credentials.
fn stmgr() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_stmgr"));
    c.env("AWS_ACCESS_KEY_ID", "bench")
        .env("AWS_SECRET_ACCESS_KEY", "bench")
        .stdout(Stdio::null());
    c
}

/// Ships a snapshot of `data` to `url` and times restores from it into fresh directories.
fn restore_bench(name: &str, url: &str, data: &Path, scratch: &Path, rounds: usize) {
    let ok = stmgr()
        .args(["snapshot", "--quiet", "--to", url, "--data-dir"])
        .arg(data)
        .status()
        .expect("stmgr snapshot");
    assert!(ok.success(), "snapshot --to {url}");
    for round in 1..=rounds {
        let fresh = scratch.join(format!("restore-{name}-{round}"));
        let t = Instant::now();
        let ok = stmgr()
            .args(["restore", "--quiet", "--yes", "--from", url, "--data-dir"])
            .arg(&fresh)
            .status()
            .expect("stmgr restore");
        let took = t.elapsed();
        assert!(ok.success(), "restore --from {url}");
        println!(
            "{name:6} restore round {round}: {:5.2} s",
            took.as_secs_f64()
        );
        std::fs::remove_dir_all(&fresh).expect("remove restored");
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let restore_objects: usize = env("STMGR_BENCH_RESTORE_OBJECTS", 1_000_000);
    let mib: usize = env("STMGR_BENCH_BACKUP_MIB", 256);
    let rounds: usize = env("STMGR_BENCH_ROUNDS", 2);
    let scratch = tempfile::Builder::new()
        .prefix("stmgr-bench-backup-")
        .tempdir_in(Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
        .expect("tempdir");
    let file = scratch
        .path()
        .join(format!("snap-{}.snap", ulid::Ulid::generate()));
    write_snapshot_like(&file, mib << 20);
    let size = std::fs::metadata(&file).expect("stat").len();
    println!("file: {} MiB (+ 96-byte header), {rounds} rounds", mib);

    let bytes = std::fs::read(&file).expect("read");
    let t = Instant::now();
    let _ = sha2::Sha256::digest(&bytes);
    println!("yardstick: sha256 {:7.1} MB/s", mbps(size, t.elapsed()));
    drop(bytes);
    let copy = scratch.path().join("copy");
    let t = Instant::now();
    std::fs::copy(&file, &copy).expect("copy");
    std::fs::File::open(&copy)
        .and_then(|f| f.sync_all())
        .expect("sync");
    println!(
        "yardstick: file copy + fsync {:7.1} MB/s",
        mbps(size, t.elapsed())
    );
    std::fs::remove_file(&copy).expect("remove");

    let out = scratch.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    let local = Target::open(TargetConfig::new(Location::Local {
        root: scratch.path().join("bucket"),
    }))
    .expect("open local");
    run("local", &local, &file, &out, rounds);

    if let Some(moto) = start_moto() {
        let s3 = Target::open(TargetConfig {
            location: Location::S3(S3Location {
                bucket: "stmgr-bench".into(),
                prefix: "bench".into(),
                endpoint: Some(format!("http://127.0.0.1:{}", moto.1)),
                ..S3Location::default()
            }),
            credentials: Some(Credentials::new("bench", Secret::new("bench"))),
            options: TargetOptions::default(),
        })
        .expect("open moto");
        run("moto", &s3, &file, &out, rounds);
    }
    std::fs::remove_file(&file).expect("remove");

    if restore_objects == 0 {
        return;
    }
    let data = scratch.path().join("data");
    let t = Instant::now();
    fill(&data, restore_objects);
    println!(
        "restore: {restore_objects} objects of 256 B written in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let local = format!("file://{}", scratch.path().join("restore-bucket").display());
    restore_bench("local", &local, &data, scratch.path(), rounds);
    if let Some(moto) = start_moto() {
        let url = format!(
            "s3://stmgr-bench/restore?endpoint=http://127.0.0.1:{}",
            moto.1
        );
        restore_bench("moto", &url, &data, scratch.path(), rounds);
    }
    let snaps = data.join("snapshots");
    let size: u64 = std::fs::read_dir(&snaps)
        .expect("snapshots")
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .max()
        .unwrap_or(0);
    println!("restore: the snapshot is {:.1} MB", size as f64 / 1e6);
}
