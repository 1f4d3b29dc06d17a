//! Crash safety with a real child process: it writes from several threads and prints every
//! acknowledged commit; we SIGKILL it at a random point, reopen, and check that every
//! acknowledged commit is present and that `commit_seq` runs without gap or duplicate.
//!
//! The child is this test binary itself, re-executed to run the ignored `crash_child` test.
//! Rounds: 20 by default, `STMGR_CRASH_ROUNDS` for more.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use stmgr::store::{Engine, EngineOptions, ObjectOp, Op};

use crate::engine::put;

const CHILD_DIR: &str = "STMGR_CRASH_CHILD_DIR";

fn opts() -> EngineOptions {
    EngineOptions {
        segment_size: 256 * 1024,
        ..EngineOptions::default()
    }
}

/// The child: writes until killed. Each commit puts a unique id; the line is printed only after
/// the commit was acknowledged.
#[test]
#[ignore = "run by crash_rounds as a child process"]
fn crash_child() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let e = Engine::open(Path::new(&dir), opts(), "crash child").expect("open");
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let e = e.clone();
            std::thread::spawn(move || {
                let mut out = std::io::stdout();
                for i in 0.. {
                    let id = format!("{}-t{t}-{i}", std::process::id());
                    let body = format!("{{\"i\":{i},\"pad\":\"{}\"}}", "p".repeat(i % 300));
                    let op = put("crash", &id, &body);
                    let info = e
                        .commit_blocking(move |_| Ok((vec![op], ())))
                        .expect("commit")
                        .0;
                    writeln!(out, "ack {} {id}", info.seq)
                        .and_then(|_| out.flush())
                        .expect("stdout");
                }
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
}

/// A small xorshift so the kill points differ per round without a dependency.
fn next_rand(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn crash_rounds() {
    let rounds: usize = std::env::var("STMGR_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let tmp = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut acked: BTreeMap<String, u64> = BTreeMap::new();
    for round in 0..rounds {
        let kill_after = 20 + (next_rand(&mut rng) % 1500) as usize;
        let mut child = Command::new(&exe)
            .args([
                "crash::crash_child",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DIR, tmp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut seen = 0;
        while seen < kill_after {
            let Some(Ok(line)) = lines.next() else {
                panic!("round {round}: child ended early after {seen} acks")
            };
            if let Some(rest) = line.strip_prefix("ack ") {
                let (seq, id) = rest.split_once(' ').unwrap();
                acked.insert(id.to_string(), seq.parse().unwrap());
                seen += 1;
            }
        }
        rustix::process::kill_process(
            rustix::process::Pid::from_child(&child),
            rustix::process::Signal::KILL,
        )
        .unwrap();
        // Acks printed before the kill landed still count.
        for line in lines.map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("ack ") {
                let (seq, id) = rest.split_once(' ').unwrap();
                acked.insert(id.to_string(), seq.parse().unwrap());
            }
        }
        child.wait().unwrap();
        check(tmp.path(), &acked, round);
    }
}

/// Reopens the directory and checks every acknowledged commit and the seq sequence.
fn check(dir: &Path, acked: &BTreeMap<String, u64>, round: usize) {
    let mut seqs = Vec::new();
    stmgr::store::wal::reader::read_log(&dir.join("wal"), &Default::default(), 1, |rec, _| {
        seqs.push(rec.seq);
        Ok(true)
    })
    .unwrap_or_else(|e| panic!("round {round}: log does not read: {e}"));
    for (i, s) in seqs.iter().enumerate() {
        assert_eq!(
            *s,
            i as u64 + 1,
            "round {round}: commit_seq gap or duplicate at position {i}"
        );
    }
    let e = Engine::open(dir, opts(), "crash check")
        .unwrap_or_else(|err| panic!("round {round}: reopen failed: {err}"));
    let view = e.view();
    assert_eq!(
        view.seq,
        seqs.len() as u64,
        "round {round}: recovered seq is the end of the log"
    );
    for (id, seq) in acked {
        let obj = view
            .objects
            .get("crash", id)
            .unwrap_or_else(|| panic!("round {round}: acknowledged {id} (seq {seq}) lost"));
        assert_eq!(
            obj.seq, *seq,
            "round {round}: {id} has the wrong commit_seq"
        );
    }
    // A commit after recovery continues the sequence.
    let (info, ()) = e
        .commit_blocking(|_| {
            Ok((
                vec![Op::Object(ObjectOp::Delete {
                    ns: "crash".into(),
                    id: "none".into(),
                    reason: stmgr::store::DeleteReason::Deleted,
                })],
                (),
            ))
        })
        .unwrap();
    assert_eq!(info.seq, seqs.len() as u64 + 1);
}
