//! State protection benchmark (`cargo bench --bench protect`): the supervisor library in this
//! process against moto on 127.0.0.1.
//!
//! A state directory of `STMGR_BENCH_PROTECT_MB` (default 100) MB: half incompressible
//! pseudo-random bytes, half text-like (repeated lines), in 1 MiB files. For each of
//! `STMGR_BENCH_ROUNDS` (default 3) rounds: the time of `checkpoint` (pack with tar+zstd,
//! upload, manifest) and of `restore` (download, check, unpack beside, swap, restart of one
//! `sleep` process), and the archive's size.
//!
//! 2026-12-06, shared 2-core machine, moto on 127.0.0.1, **test (debug) profile**
//! (`cargo test --bench protect`, unoptimized Rust and C; the release build was not
//! measured): 100 MB (archive 52.6 MB): checkpoint 3.6-4.2 s, restore (verify, unpack, swap,
//! restart) 3.0-4.6 s, two rounds. Release build (0.1.0's profile), quiet machine: checkpoint
//! 0.74-0.93 s, restore 0.44-0.52 s, three rounds (docs/benchmarks.md).

#[path = "common/moto.rs"]
mod moto;

use std::time::{Duration, Instant};

use moto::{env, start_moto};
use stmgr::supervisor::config::StorageConfig;
use stmgr::supervisor::protect::{Quiesce, StateSpec};
use stmgr::supervisor::{Config, Options, ProcessSpec, Supervisor};

fn fill(dir: &std::path::Path, mb: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..mb {
        let mut buf = vec![0u8; 1 << 20];
        if i % 2 == 0 {
            for chunk in buf.chunks_mut(8) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
            }
        } else {
            let line = format!("{i:08} the quick brown fox jumps over the lazy dog\n");
            for (j, b) in buf.iter_mut().enumerate() {
                *b = line.as_bytes()[j % line.len()];
            }
        }
        let sub = dir.join(format!("f{:04}", i / 10));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join(format!("data-{i:04}.bin")), &buf).unwrap();
    }
}

fn main() {
    let Some(moto) = start_moto() else { return };
    let mb: usize = env("STMGR_BENCH_PROTECT_MB", 100);
    let rounds: usize = env("STMGR_BENCH_ROUNDS", 3);
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    fill(&state, mb);
    let mut config = Config::default();
    config.process.insert(
        "app".into(),
        ProcessSpec::command("sleep", vec!["1000".into()]),
    );
    config.storage = Some(StorageConfig {
        bucket: "stmgr-bench".into(),
        endpoint: format!("http://127.0.0.1:{}", moto.1),
        access_key: "AKIDBENCH".into(),
        secret_key: "benchsecret".into(),
        key_prefix: Some("protect".into()),
        ..StorageConfig::default()
    });
    config.state = Some(StateSpec {
        dir: state.clone(),
        quiesce: Quiesce::Pause,
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let options = Options {
            state_dir: tmp.path().join("sup"),
            log_dir: None,
            subreaper: false,
            config_file: None,
        };
        let sup = Supervisor::start(options, Some(config))
            .await
            .expect("start");
        println!("state directory: {mb} MB in {mb} files (half incompressible)");
        let (mut cps, mut rss) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            let t0 = Instant::now();
            let m = sup.checkpoint().await.expect("checkpoint");
            let cp = t0.elapsed();
            let t1 = Instant::now();
            let r = sup.restore(&m.checkpoint_id).await.expect("restore");
            let rs = t1.elapsed();
            if let Some(aside) = r.kept_aside {
                std::fs::remove_dir_all(aside).unwrap();
            }
            println!(
                "round {round}: checkpoint {:.2} s, restore {:.2} s, archive {:.1} MB",
                cp.as_secs_f64(),
                rs.as_secs_f64(),
                m.size as f64 / 1e6
            );
            cps.push(cp);
            rss.push(rs);
        }
        let med = |v: &mut Vec<Duration>| {
            v.sort();
            v[v.len() / 2].as_secs_f64()
        };
        println!(
            "median: checkpoint {:.2} s ({:.0} MB/s), restore {:.2} s ({:.0} MB/s)",
            med(&mut cps),
            mb as f64 / med(&mut cps),
            med(&mut rss),
            mb as f64 / med(&mut rss)
        );
        sup.shutdown().await;
    });
}
