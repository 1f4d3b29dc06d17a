//! Restart policy, backoff, start limit, stop escalation, single `never` process, logs.

use std::time::Duration;

use super::{Sup, live_in_group, pid_of, signal};
use crate::util::{TestDir, wait_until};

/// Timestamps (ms) of the log lines of `name` containing `needle`.
fn stamps(sup: &Sup, name: &str, needle: &str) -> Vec<i64> {
    let out = sup.cli(&["logs", name]);
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(needle))
        .map(|l| stmgr::time::parse_ts(l.split(' ').next().unwrap()).unwrap())
        .collect()
}

#[test]
fn a_crashing_process_backs_off_exponentially_then_is_fatal_until_started() {
    let sup = Sup::start(
        "[process.crash]\ncommand = 'sh'\nargs = ['-c', 'echo boom >&2; exit 3']\n\
         restart_delay = '100ms'\nmax_restart_delay = '10s'\nstart_limit = 4\n",
    );
    let p = sup.wait_state("crash", "FATAL");
    assert!(
        p["reason"]
            .as_str()
            .unwrap()
            .contains("start limit hit: 4 starts"),
        "{p}"
    );
    assert_eq!(p["last_exit"]["code"], 3);
    assert_eq!(p["restarts"], 3);
    let t = stamps(&sup, "crash", "stderr boom");
    assert_eq!(t.len(), 4, "{t:?}");
    // Delays of 100, 200, 400 ms (+ up to 10% jitter and the start itself).
    let gaps: Vec<i64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        gaps[0] >= 100 && gaps[1] >= 200 && gaps[2] >= 400,
        "{gaps:?}"
    );
    assert!(gaps[2] > gaps[0] * 2, "{gaps:?}");
    // `start` resets the limit: it runs (and fails) again.
    let out = sup.cli(&["start", "crash"]);
    assert!(out.status.success(), "{out:?}");
    wait_until(Duration::from_secs(20), "a fifth run", || {
        stamps(&sup, "crash", "stderr boom").len() >= 5
    });
}

#[test]
fn exit_0_under_on_failure_is_exited_and_always_restarts_it() {
    let sup = Sup::start(
        "[process.once]\ncommand = 'sh'\nargs = ['-c', 'echo done']\n\
         [process.loop]\ncommand = 'sh'\nargs = ['-c', 'echo again']\nrestart = 'always'\n\
         restart_delay = '10ms'\nstart_limit = 0\n",
    );
    let p = sup.wait_state("once", "EXITED");
    assert_eq!(p["last_exit"]["code"], 0);
    sup.wait_for("loop", "3 restarts", |p| p["restarts"].as_u64() >= Some(3));
    assert_eq!(sup.one("once")["restarts"], 0);
}

#[test]
fn stop_kills_the_whole_group_after_timeout_stop_and_never_restarts() {
    // The child ignores SIGTERM, and so does a grandchild it leaves behind.
    let sup = Sup::start(
        "[process.stubborn]\ncommand = 'sh'\n\
         args = ['-c', 'trap \"\" TERM; sh -c \"trap \\\"\\\" TERM; sleep 1000\" & echo up; while :; do sleep 1; done']\n\
         timeout_stop = '500ms'\nrestart = 'always'\nrestart_delay = '10ms'\n\
         readiness = { log_line = 'up' }\n",
    );
    let p = sup.wait_for("stubborn", "ready", |p| p["ready"] == true);
    let pgid = pid_of(&p);
    wait_until(Duration::from_secs(10), "the grandchild", || {
        live_in_group(pgid).len() >= 2
    });
    let began = std::time::Instant::now();
    let out = sup.cli(&["stop", "stubborn"]);
    assert!(out.status.success(), "{out:?}");
    let took = began.elapsed();
    assert!(
        took >= Duration::from_millis(500),
        "SIGKILL came before timeout_stop: {took:?}"
    );
    assert!(
        live_in_group(pgid).is_empty(),
        "left: {:?}",
        live_in_group(pgid)
    );
    let p = sup.one("stubborn");
    assert_eq!(p["state"], "STOPPED");
    assert_eq!(p["last_exit"]["signal"], 9);
    // An intentional stop never restarts, not even with `always` (its delay is 10 ms).
    std::thread::sleep(Duration::from_millis(300));
    let p = sup.one("stubborn");
    assert_eq!(p["state"], "STOPPED", "{p}");
    assert!(p["pid"].is_null());
}

#[test]
fn a_single_never_process_gives_the_supervisor_its_exit_status() {
    let t = TestDir::new();
    let mut sup = Sup::start_in(
        t,
        &words("--restart never -- sh -c 'echo started; exec sleep 1000'"),
    );
    sup.wait_state("sh", "RUNNING");
    // SIGTERM: the child is stopped by SIGTERM (143 in a shell).
    assert_eq!(sup.stop().code(), Some(143));
    // Without a signal: the supervisor ends with the process (`read` from /dev/null ends at
    // once, and the process exits 7).
    let t = TestDir::new();
    let out = t
        .stmgr()
        .args(["supervise", "run", "--state-dir"])
        .arg(t.path().join("st"))
        .args(words("--restart never -- sh -c 'read x; exit 7'"))
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7), "{out:?}");
}

fn words(s: &str) -> Vec<String> {
    // Split on spaces, keeping 'quoted words' together.
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn logs_rotate_by_size_and_keep_n_files() {
    let sup = Sup::start(
        "[process.chatty]\ncommand = 'sh'\n\
         args = ['-c', 'i=0; while [ $i -lt 300 ]; do echo line $i; i=$((i+1)); done; echo end']\n\
         log = { max_bytes = 2048, keep = 2 }\n",
    );
    sup.wait_state("chatty", "EXITED");
    let logs = sup.state.join("logs");
    assert!(logs.join("chatty.log.1").exists() && logs.join("chatty.log.2").exists());
    assert!(!logs.join("chatty.log.3").exists());
    for f in ["chatty.log", "chatty.log.1", "chatty.log.2"] {
        assert!(std::fs::metadata(logs.join(f)).unwrap().len() <= 2048);
    }
    let out = sup.cli(&["logs", "chatty"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.trim_end().ends_with("stdout end"), "{text}");
    assert!(
        !text.contains("line 0\n"),
        "the oldest lines were rotated away"
    );
    // --since in the future: nothing.
    let out = sup.cli(&["logs", "chatty", "--since", "2999-01-01T00:00:00Z"]);
    assert!(out.status.success() && out.stdout.is_empty(), "{out:?}");
}

/// logrotate's way (`create`, no `copytruncate`): the file is moved away, then SIGUSR1 to the
/// supervisor makes the next line go to a new file of the same name, not to the moved one.
#[test]
fn sigusr1_reopens_log_files_moved_away_by_an_outside_rotation() {
    let sup = Sup::start(
        "[process.ticker]\ncommand = 'sh'\n\
         args = ['-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.02; done']\n",
    );
    sup.wait_state("ticker", "RUNNING");
    let logs = sup.state.join("logs");
    let live = logs.join("ticker.log");
    let moved = logs.join("ticker.log.rotated");
    wait_until(Duration::from_secs(10), "a first line", || {
        std::fs::read_to_string(&live).is_ok_and(|t| t.contains("tick"))
    });
    std::fs::rename(&live, &moved).unwrap();
    signal(sup.pid(), nix::sys::signal::SIGUSR1);
    wait_until(Duration::from_secs(10), "lines in a new file", || {
        std::fs::read_to_string(&live).is_ok_and(|t| t.contains("tick"))
    });
    // The moved file stops growing once the new one exists.
    let settled = std::fs::metadata(&moved).unwrap().len();
    let grown = std::fs::metadata(&live).unwrap().len();
    wait_until(Duration::from_secs(10), "the new file to grow", || {
        std::fs::metadata(&live).unwrap().len() > grown
    });
    assert_eq!(std::fs::metadata(&moved).unwrap().len(), settled);
    assert_eq!(
        sup.one("ticker")["restarts"],
        0,
        "reopening restarts nothing"
    );
}
