//! Scripts and pipes: results on stdout in every format (`rm`, `checkpoint prune`), a closed
//! stdout as success for every command that prints, Ctrl-C, and `--timeout`.

mod results;

use std::process::Output;

use crate::server_cli::ServerProc;
use crate::util::TestDir;

/// Runs `stmgr --server URL ARGS...` to completion.
fn run(t: &TestDir, srv: &ServerProc, args: &[&str]) -> Output {
    t.stmgr()
        .args(["--server", &srv.url])
        .args(args)
        .output()
        .expect("run stmgr")
}

/// Stdout and stderr as text.
fn texts(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
