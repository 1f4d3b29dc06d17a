//! Many crash-restarts leak no file descriptor, zombie or orphan; a SIGKILLed supervisor's
//! children are killed by the next one.

use std::time::Duration;

use super::{Sup, children_of, live_in_group, pid_of};
use crate::util::wait_until;

fn fds(pid: i32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count()
}

#[test]
fn a_thousand_crash_restarts_leak_no_fd_zombie_or_orphan() {
    let rounds: u64 = std::env::var("STMGR_SUPERVISE_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    // Each run leaves a grandchild behind in its group, then crashes.
    let sup = Sup::start(
        "[process.crash]\ncommand = 'sh'\nargs = ['-c', 'sleep 1000 & echo x; exit 1']\n\
         restart_delay = '0s'\nstart_limit = 0\n",
    );
    sup.wait_for("crash", "a few restarts", |p| {
        p["restarts"].as_u64() >= Some(5)
    });
    let before = fds(sup.pid());
    sup.wait_for("crash", "many restarts", |p| {
        p["restarts"].as_u64() >= Some(rounds)
    });
    let out = sup.cli(&["stop", "crash"]);
    assert!(out.status.success(), "{out:?}");
    let pid = sup.pid();
    wait_until(Duration::from_secs(10), "no child left", || {
        children_of(pid).is_empty()
    });
    let after = fds(pid);
    assert!(
        after <= before + 2,
        "fds: {before} before, {after} after {rounds} restarts"
    );
    // No grandchild survived anywhere: none of the sleeps is left (all reparented to us and
    // killed with their group).
    let sleeps = stmgr::supervisor::leftovers::all_pids()
        .into_iter()
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/environ"))
                .is_ok_and(|e| e.contains("STMGR_INSTANCE=crash"))
        })
        .count();
    assert_eq!(sleeps, 0);
}

#[test]
fn the_next_supervisor_kills_what_a_sigkilled_one_left_running() {
    let mut sup = Sup::start(
        "[process.keep]\ncommand = 'sh'\nargs = ['-c', 'sleep 1000 & exec sleep 1001']\n",
    );
    let pgid = pid_of(&sup.wait_state("keep", "RUNNING"));
    wait_until(Duration::from_secs(10), "both sleeps", || {
        live_in_group(pgid).len() == 2
    });
    let mut child = sup.child.take().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        live_in_group(pgid).len(),
        2,
        "the orphans run until the next start"
    );
    // The next start, with nothing to run, cleans up first.
    std::fs::write(sup.t.path().join("procs.toml"), "").unwrap();
    let file = sup.t.path().join("procs.toml").display().to_string();
    sup.spawn(&["--config".into(), file]);
    wait_until(Duration::from_secs(10), "the orphans to be killed", || {
        live_in_group(pgid).is_empty()
    });
}
