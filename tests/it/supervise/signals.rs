//! Signals the supervisor forwards (`forward_signals`), and `user` (uid, gid and supplementary
//! groups of the child).

use std::time::Duration;

use super::{Sup, pid_of, signal};
use crate::util::{TestDir, wait_until};

const TRAPPER: &str = "trap \"echo got-usr2\" USR2; trap \"echo got-winch\" WINCH; echo up; \
                       while :; do sleep 0.1; done";

#[test]
fn configured_signals_go_to_the_groups_of_the_processes_that_ask_for_them() {
    let sup = Sup::start(&format!(
        "[process.fwd]\ncommand = 'sh'\nargs = ['-c', '{TRAPPER}']\n\
         forward_signals = ['USR2', 'SIGWINCH']\nreadiness = {{ log_line = '^up$' }}\n\
         [process.other]\ncommand = 'sh'\nargs = ['-c', '{TRAPPER}']\n\
         forward_signals = ['WINCH']\nreadiness = {{ log_line = '^up$' }}\n"
    ));
    let fwd = sup.wait_for("fwd", "ready", |p| p["ready"] == true);
    sup.wait_for("other", "ready", |p| p["ready"] == true);
    signal(sup.pid(), nix::sys::signal::SIGUSR2);
    wait_until(Duration::from_secs(10), "fwd to trap USR2", || {
        sup.log_texts("fwd").contains(&"got-usr2".to_owned())
    });
    signal(sup.pid(), nix::sys::signal::SIGWINCH);
    for name in ["fwd", "other"] {
        wait_until(Duration::from_secs(10), "WINCH to reach both", || {
            sup.log_texts(name).contains(&"got-winch".to_owned())
        });
    }
    // `other` did not ask for USR2: by now (it got the later WINCH) it would have shown it.
    assert!(!sup.log_texts("other").contains(&"got-usr2".to_owned()));
    // The supervisor and the process live on: forwarding is not stopping.
    let now = sup.one("fwd");
    assert_eq!(
        (now["state"].as_str(), pid_of(&now)),
        (Some("RUNNING"), pid_of(&fwd))
    );
    assert_eq!(now["restarts"], 0);
}

#[test]
fn signals_the_supervisor_handles_itself_cannot_be_forwarded() {
    let t = TestDir::new();
    let file = t.write(
        "procs.toml",
        "[process.a]\ncommand = 'sleep'\nargs = ['1000']\nforward_signals = ['TERM']\n",
    );
    let out = t
        .stmgr()
        .args(["supervise", "run", "--state-dir"])
        .arg(t.path().join("st"))
        .arg("--config")
        .arg(&file)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: ") && err.contains("forward_signals") && err.contains("SIGTERM"),
        "{err}"
    );
}

/// `Uid`, `Gid` and `Groups` of /proc/self/status, as the child saw them.
const SHOW_IDS: &str =
    "grep -E \"^(Uid|Gid|Groups):\" /proc/self/status; echo \"user=$USER home=$HOME\"";

fn field(lines: &[String], name: &str) -> Vec<u32> {
    let line = lines
        .iter()
        .find(|l| l.starts_with(&format!("{name}:")))
        .unwrap_or_else(|| panic!("no {name} in {lines:?}"));
    let mut v: Vec<u32> = line[name.len() + 1..]
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// A user listed as a member of some group in /etc/group (so with a supplementary group).
fn user_with_supplementary_group() -> Option<(String, u32)> {
    let text = std::fs::read_to_string("/etc/group").ok()?;
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        let member = f.get(3)?.split(',').find(|m| !m.is_empty())?;
        nix::unistd::User::from_name(member).ok()??;
        Some((member.to_owned(), f.get(2)?.parse().ok()?))
    })
}

#[test]
fn user_switches_uid_gid_and_supplementary_groups_or_says_it_needs_root() {
    let extra = user_with_supplementary_group();
    let mut procs = format!(
        "[process.nobody]\ncommand = 'sh'\nargs = ['-c', '{SHOW_IDS}']\nuser = 'nobody'\n\
         restart = 'never'\n"
    );
    if let Some((name, _)) = &extra {
        procs += &format!(
            "[process.member]\ncommand = 'sh'\nargs = ['-c', '{SHOW_IDS}']\nuser = '{name}'\n\
             restart = 'never'\n"
        );
    }
    let sup = Sup::start(&procs);
    let nobody = nix::unistd::User::from_name("nobody").unwrap().unwrap();
    if !nix::unistd::geteuid().is_root() {
        let p = sup.wait_state("nobody", "FATAL");
        let reason = p["reason"].as_str().unwrap();
        assert!(reason.contains("switching users needs root"), "{p}");
        return;
    }
    for (name, user) in [("nobody", Some(nobody)), ("member", None)] {
        let Some(user) = user.or_else(|| {
            let (n, _) = extra.as_ref()?;
            nix::unistd::User::from_name(n).ok()?
        }) else {
            continue;
        };
        let p = sup.wait_state(name, "EXITED");
        assert_eq!(p["last_exit"]["code"], 0, "{p}");
        let lines = sup.log_texts(name);
        let (uid, gid) = (user.uid.as_raw(), user.gid.as_raw());
        assert_eq!(field(&lines, "Uid"), [uid], "{lines:?}");
        assert_eq!(field(&lines, "Gid"), [gid], "{lines:?}");
        let cname = std::ffi::CString::new(user.name.clone()).unwrap();
        let mut want: Vec<u32> = nix::unistd::getgrouplist(&cname, user.gid)
            .unwrap()
            .iter()
            .map(|g| g.as_raw())
            .collect();
        want.sort_unstable();
        want.dedup();
        assert_eq!(field(&lines, "Groups"), want, "{lines:?}");
        assert!(
            !want.contains(&0) || user.gid.as_raw() == 0,
            "no root group left over"
        );
        let env = format!("user={} home={}", user.name, user.dir.display());
        assert!(lines.contains(&env), "{lines:?}");
    }
    if let Some((name, gid)) = &extra {
        let lines = sup.log_texts("member");
        assert!(field(&lines, "Groups").contains(gid), "{name}: {lines:?}");
    }
}
