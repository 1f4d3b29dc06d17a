//! Ctrl-C: a client command (`watch`) is killed by SIGINT, which shells show as exit status
//! 130; `server start` stops gracefully on SIGINT and exits 0. Both as `--help` says.

use std::os::unix::process::ExitStatusExt as _;
use std::process::Stdio;
use std::time::Duration;

use rustix::process::Signal;

use super::{Reaped, watch_clients};
use crate::server_cli::ServerProc;
use crate::util::{TestDir, wait_until};

fn sigint(child: &std::process::Child) {
    rustix::process::kill_process(rustix::process::Pid::from_child(child), Signal::INT)
        .expect("send SIGINT");
}

#[test]
fn ctrl_c_kills_watch_by_sigint_and_stops_the_server_gracefully() {
    let help = crate::util::stmgr()
        .arg("--help")
        .output()
        .expect("stmgr --help");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("130  interrupted") && help.contains("`server start` instead"),
        "{help}"
    );

    let t = TestDir::new();
    let mut srv = ServerProc::start(&t, &t.path().join("state"));
    let mut watch = Reaped::spawn(
        t.std_command()
            .args(["--server", &srv.url, "watch", "ns"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    wait_until(Duration::from_secs(20), "the watch stream to open", || {
        watch_clients(&srv) == 1
    });
    sigint(watch.child());
    // A child inherits an ignored SIGINT: run the tests in the foreground, not as a
    // background job of a shell without job control.
    let out = watch.wait_within(Duration::from_secs(10), "watch to die of SIGINT");
    assert_eq!(
        (out.status.code(), out.status.signal()),
        (None, Some(Signal::INT.as_raw())),
        "killed by SIGINT (a shell shows 128 + 2 = 130): {out:?}"
    );
    assert!(out.stderr.is_empty(), "{out:?}");

    sigint(&srv.child);
    let status = srv.child.wait().expect("wait for the server");
    assert_eq!(status.code(), Some(0), "graceful stop: {status:?}");
}
