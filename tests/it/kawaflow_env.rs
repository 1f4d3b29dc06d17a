//! The Kawaflow names of the server's settings, under the `STMGR_*` ones: `PORT` (and `HOST`)
//! when neither `--listen` nor `STMGR_LISTEN` is given, and `SOCKET_DIR` under
//! `STMGR_FLOW_SOCKET_DIR`.

use std::path::Path;
use std::process::Command;

use crate::server_cli::ServerProc;
use crate::util::{TestDir, stmgr_path};

/// A port free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `stmgr server start --data-dir DATA` without `--listen`, with `env` only.
fn start(t: &TestDir, data: &Path, env: &[(&str, String)]) -> ServerProc {
    let mut cmd = Command::new(stmgr_path());
    cmd.args(["server", "start", "--data-dir"])
        .arg(data)
        .env_clear()
        .env("HOME", t.path().join("home"))
        .env("XDG_CONFIG_HOME", t.path().join("config"))
        .envs(env.iter().map(|(k, v)| (k, v)));
    let (child, lines) = ServerProc::spawn_command(cmd);
    ServerProc::from_spawned(child, lines)
}

#[test]
fn port_alone_is_the_listen_port_and_stmgr_listen_wins_over_it() {
    let t = TestDir::new();
    let port = free_port();
    let srv = start(
        &t,
        &t.path().join("a"),
        &[("PORT", port.to_string()), ("HOST", "127.0.0.1".into())],
    );
    assert_eq!(srv.url, format!("http://127.0.0.1:{port}"));
    drop(srv);

    let (port, other) = (free_port(), free_port());
    let srv = start(
        &t,
        &t.path().join("b"),
        &[
            ("PORT", other.to_string()),
            ("HOST", "0.0.0.0".into()),
            ("STMGR_LISTEN", format!("127.0.0.1:{port}")),
        ],
    );
    assert_eq!(srv.url, format!("http://127.0.0.1:{port}"));
}

#[test]
fn stmgr_flow_socket_dir_wins_over_socket_dir() {
    let t = TestDir::new();
    let short = tempfile::Builder::new()
        .prefix("kw")
        .tempdir_in("/tmp")
        .unwrap();
    let (ours, theirs) = (short.path().join("ours"), short.path().join("theirs"));
    let deploy = |srv: &ServerProc, name: &str| {
        let file = t.write(
            format!("{name}.toml"),
            &format!(
                "name = \"{name}\"\n[workers.w]\ncommand = \"/bin/sleep\"\nargs = [\"100\"]\n"
            ),
        );
        let out = t
            .stmgr()
            .args(["--server", &srv.url, "flow", "deploy"])
            .arg(file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    };
    let (child, lines) = ServerProc::spawn_env(
        &t,
        &t.path().join("a"),
        &[],
        &[("SOCKET_DIR", theirs.display().to_string())],
    );
    let srv = ServerProc::from_spawned(child, lines);
    // The directory is made with the first flow.
    deploy(&srv, "one");
    assert!(theirs.is_dir(), "SOCKET_DIR alone is used");
    drop(srv);
    std::fs::remove_dir_all(&theirs).unwrap();

    let (child, lines) = ServerProc::spawn_env(
        &t,
        &t.path().join("b"),
        &[],
        &[
            ("SOCKET_DIR", theirs.display().to_string()),
            ("STMGR_FLOW_SOCKET_DIR", ours.display().to_string()),
        ],
    );
    let srv = ServerProc::from_spawned(child, lines);
    deploy(&srv, "two");
    assert!(
        ours.is_dir() && !theirs.exists(),
        "STMGR_FLOW_SOCKET_DIR wins"
    );
}
