//! The `leaser` stack on a real moto server: two supervisors racing for one lease (exactly one
//! runs its processes, the other waits and says for whom), a release handing over, a forced
//! break stopping the holder's processes, and renewals failing (moto gone) stopping them too.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::protect::{moto, overview, storage};
use super::{Sup, pid_of};
use crate::util::{TestDir, wait_until};

fn leased(moto: &crate::backup::harness::Moto, prefix: &str) -> Sup {
    let procs = format!(
        "stacks = ['leaser']\n[process.w]\ncommand = 'sleep'\nargs = ['1000']\n{}\n\
         [leaser]\nttl = '3s'\nrenew_every = '500ms'\nretry_every = '200ms'\n",
        storage(moto, prefix)
    );
    let t = TestDir::new();
    let file = t.write("procs.toml", &procs);
    Sup::start_in(t, &["--config".into(), file.display().to_string()])
}

fn lease(sup: &Sup) -> Value {
    overview(sup)["lease"].clone()
}

fn running(sup: &Sup) -> bool {
    sup.one("w")["state"] == "RUNNING"
}

#[test]
fn two_supervisors_race_for_one_lease_and_hand_it_over() {
    let Some(moto) = moto() else { return };
    let a = leased(&moto, "race");
    let b = leased(&moto, "race");
    wait_until(Duration::from_secs(30), "one holder", || {
        lease(&a)["state"] == "held" || lease(&b)["state"] == "held"
    });
    let (holder, waiter) = if lease(&a)["state"] == "held" {
        (&a, &b)
    } else {
        (&b, &a)
    };
    holder.wait_state("w", "RUNNING");
    // The other waits, says for whom, and runs nothing, for several renewals.
    let until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < until {
        let l = lease(waiter);
        assert_eq!(l["state"], "waiting", "{l}");
        assert!(
            l["held_by"].as_str().is_some_and(|h| h.contains("epoch")),
            "{l}"
        );
        assert!(!running(waiter), "both run their processes");
        assert!(running(holder));
    }
    let o = overview(waiter);
    assert!(
        o["held"].as_str().is_some_and(|h| h.contains("lease")),
        "{o}"
    );
    // The waiter may not start them by hand either.
    let out = waiter.cli(&["start", "w"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    // Nor release a lease it does not hold.
    let out = waiter.cli(&["release-lease"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not held"),
        "{out:?}"
    );

    // A release hands over: the holder's processes stop, the waiter's start with a higher epoch.
    let first_epoch = lease(holder)["epoch"].as_u64().unwrap();
    let old_pid = pid_of(&holder.one("w"));
    let out = holder.cli(&["release-lease", "-o", "json"]);
    assert!(out.status.success(), "{out:?}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (r["action"].as_str(), r["epoch"].as_u64()),
        (Some("released"), Some(first_epoch))
    );
    assert!(!running(holder));
    assert!(stmgr::supervisor::leftovers::stat(old_pid).is_none_or(|s| s.state == 'Z'));
    waiter.wait_state("w", "RUNNING");
    let l = lease(waiter);
    assert_eq!(l["state"], "held");
    assert!(l["epoch"].as_u64().unwrap() > first_epoch, "{l}");
    assert!(!running(holder));

    // A forced break by the other supervisor: the new holder notices at its next renewal and
    // stops its processes; whoever takes the lease next runs them.
    let epoch = l["epoch"].as_u64().unwrap();
    let pid = pid_of(&waiter.one("w"));
    let out = holder.cli(&["release-lease", "--force", "-o", "json"]);
    assert!(out.status.success(), "{out:?}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (r["action"].as_str(), r["epoch"].as_u64()),
        (Some("broken"), Some(epoch))
    );
    wait_until(
        Duration::from_secs(20),
        "the broken holder's process to stop",
        || stmgr::supervisor::leftovers::stat(pid).is_none_or(|s| s.state == 'Z'),
    );
    wait_until(Duration::from_secs(30), "a new holder", || {
        [&a, &b]
            .iter()
            .any(|s| lease(s)["state"] == "held" && lease(s)["epoch"].as_u64() > Some(epoch))
    });
    let runners = [&a, &b].iter().filter(|s| running(s)).count();
    assert!(runners <= 1, "both run");
}

#[test]
fn renewals_that_fail_stop_the_processes() {
    let Some(mut moto) = moto() else { return };
    let sup = leased(&moto, "loss");
    sup.wait_state("w", "RUNNING");
    let pid = pid_of(&sup.one("w"));
    moto.stop();
    // ttl 3 s: renewals fail, and with less than a third left the processes stop.
    wait_until(Duration::from_secs(20), "the process to stop", || {
        stmgr::supervisor::leftovers::stat(pid).is_none_or(|s| s.state == 'Z')
    });
    let l = lease(&sup);
    assert!(l["state"] == "lost" || l["state"] == "waiting", "{l}");
    let w = sup.one("w");
    assert_ne!(w["state"], "RUNNING", "{w}");
    // The bucket is back (empty): the lease is taken again and the process starts.
    moto.restart();
    moto.create_bucket("protect");
    wait_until(Duration::from_secs(30), "the lease again", || {
        lease(&sup)["state"] == "held"
    });
    sup.wait_state("w", "RUNNING");
}
