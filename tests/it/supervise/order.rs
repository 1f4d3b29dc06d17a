//! Readiness (log line, NOTIFY_SOCKET), dependency order, stop in reverse, reload.

use std::time::Duration;

use super::{Sup, pid_of};
use crate::util::wait_until;

/// db is ready by `READY=1` on NOTIFY_SOCKET, migrate must complete, web waits for both and
/// is ready by a log line. Each writes to `order` when it starts and when it is stopped.
const STACK: &str = r#"
[process.db]
command = "sh"
args = ["-c", "trap 'echo stop-db >> order; exit 0' TERM; echo db >> order; sleep 0.3; echo db-ready >> order; python3 -c \"import os,socket; s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b'STATUS=x\\nREADY=1', os.environ['NOTIFY_SOCKET'])\"; while :; do sleep 0.1; done"]
readiness = { notify = true }

[process.migrate]
command = "sh"
args = ["-c", "echo migrate >> order"]
depends_on = { db = "ready" }

[process.web]
command = "sh"
args = ["-c", "trap 'echo stop-web >> order; exit 0' TERM; echo web >> order; echo listening; while :; do sleep 0.1; done"]
depends_on = { db = "ready", migrate = "completed_successfully" }
readiness = { log_line = "^listen" }
"#;

#[test]
fn dependencies_start_in_order_by_readiness_and_stop_in_reverse() {
    let mut sup = Sup::start(STACK);
    let web = sup.wait_for("web", "ready", |p| p["ready"] == true);
    assert_eq!(web["state"], "RUNNING");
    let db = sup.one("db");
    assert_eq!(db["ready"], true, "{db}");
    assert_eq!(sup.one("migrate")["state"], "EXITED");
    let order = sup.t.path().join("order");
    let read = || std::fs::read_to_string(&order).unwrap_or_default();
    assert_eq!(read(), "db\ndb-ready\nmigrate\nweb\n");
    assert!(sup.stop().success());
    let lines: Vec<String> = read().lines().map(str::to_owned).collect();
    assert_eq!(&lines[4..], ["stop-web", "stop-db"], "{lines:?}");
}

#[test]
fn a_failed_dependency_leaves_its_dependent_stopped_with_the_reason() {
    let sup = Sup::start(
        "[process.migrate]\ncommand = 'sh'\nargs = ['-c', 'exit 4']\nrestart = 'never'\n\
         [process.web]\ncommand = 'sleep'\nargs = ['1000']\n\
         depends_on = { migrate = 'completed_successfully' }\n",
    );
    let web = sup.wait_for("web", "the reason", |p| {
        p["reason"]
            .as_str()
            .is_some_and(|r| r.contains("dependency migrate failed"))
    });
    assert_eq!(web["state"], "STOPPED");
    assert!(web["pid"].is_null());
}

#[test]
fn reload_restarts_only_the_changed_process() {
    let procs = |b_arg: &str, with_c: bool| {
        let mut s = format!(
            "[process.a]\ncommand = 'sleep'\nargs = ['1000']\n\
             [process.b]\ncommand = 'sleep'\nargs = ['{b_arg}']\n"
        );
        if with_c {
            s.push_str("[process.c]\ncommand = 'sleep'\nargs = ['1002']\n");
        }
        s
    };
    let sup = Sup::start(&procs("1001", false));
    let a = pid_of(&sup.wait_state("a", "RUNNING"));
    let b = pid_of(&sup.wait_state("b", "RUNNING"));
    sup.t.write("procs.toml", &procs("1003", true));
    let out = sup.cli(&["reload", "-o", "json"]);
    assert!(out.status.success(), "{out:?}");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["added"], serde_json::json!(["c"]));
    assert_eq!(r["changed"], serde_json::json!(["b"]));
    assert_eq!(r["unchanged"], serde_json::json!(["a"]));
    let b2 = pid_of(&sup.wait_state("b", "RUNNING"));
    assert_ne!(b, b2);
    sup.wait_state("c", "RUNNING");
    assert_eq!(pid_of(&sup.one("a")), a, "a was restarted");
    // SIGHUP does the same: c goes away, a and b stay.
    sup.t.write("procs.toml", &procs("1003", false));
    super::signal(sup.pid(), nix::sys::signal::SIGHUP);
    wait_until(Duration::from_secs(20), "c to be removed", || {
        sup.status().iter().all(|p| p["name"] != "c")
    });
    assert_eq!(pid_of(&sup.one("a")), a);
    assert_eq!(pid_of(&sup.one("b")), b2);
}
