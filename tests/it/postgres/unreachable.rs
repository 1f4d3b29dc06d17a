//! A database that cannot be reached: every command that opens it says so on one `error:`
//! line naming the URL once (without its password), and why, and exits 10 (unreachable).

use crate::util::TestDir;

#[test]
fn an_unreachable_database_is_named_once_in_each_commands_error() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://stmgr:secret@127.0.0.1:{port}/stmgr");
    let shown = format!("postgres://stmgr:***@127.0.0.1:{port}/stmgr");
    let t = TestDir::new();
    let data = t.path().join("data");
    let data = data.to_str().unwrap();
    for args in [
        vec![
            "server",
            "start",
            "--listen",
            "127.0.0.1:0",
            "--backend",
            &url,
        ],
        vec!["restore", "--backend", &url, "--to-seq", "1", "--yes"],
        vec!["snapshot", "--backend", &url],
        vec!["snapshot", "list", "--backend", &url],
        vec!["migrate", "--from", &url, "--to", data],
    ] {
        let out = t.stmgr().args(&args).assert().failure();
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        let line = err
            .lines()
            .find(|l| l.starts_with("error: "))
            .unwrap_or_else(|| panic!("{args:?}: no error line in {err}"));
        assert_eq!(line.matches(&shown).count(), 1, "{args:?}: {line}");
        assert!(!err.contains("secret"), "{args:?}: {err}");
        assert!(line.contains("connect"), "{args:?}: {line}");
        // Nothing answered: "try again later", as for a server or a backup location.
        assert_eq!(out.get_output().status.code(), Some(10), "{args:?}: {line}");
    }
}
