//! `stmgr migrate` with the every-domain fixture: an embedded server's data directory into
//! PostgreSQL and back to a new directory. Every API answers as before on both (the
//! cross-domain invariant), commit_seq is preserved (the next commit gets the next seq),
//! the lease keeps its token; a data directory a server holds is refused (exit 11), and so
//! is a target that holds data (unless --force).

use std::path::Path;

use serde_json::json;

use super::{
    Api, ServerProc, TestDir, after_seq_n, holds_every_domain, put, renewal, start, stop,
    until_seq_n, until_the_first_snapshot,
};
use crate::workflows::{self, API_KEY, V0};

fn migrate(t: &TestDir, from: &str, to: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    t.stmgr()
        .env("STATE_MANAGER_SECRET", API_KEY)
        .args(["migrate", "--from", from, "--to", to, "--output", "json"])
        .args(extra)
        .assert()
}

#[test]
fn every_domain_migrates_to_postgres_and_back_intact() {
    let Some(pg) = crate::postgres::harness::Pg::start() else {
        return;
    };
    let url = pg.url();
    let start_pg = |t: &TestDir, data: &Path| {
        let env = workflows::env();
        let args = ["--api-key-grants-v1", "--backend", url.as_str()];
        let (child, lines) = ServerProc::spawn_env(t, data, &args, &env);
        ServerProc::from_spawned(child, lines)
    };
    let t = TestDir::new();
    let data = t.path().join("state");
    let srv = start(&t, &data);
    let (api, v0) = (Api::new(&srv.url), V0::new(&srv.url, super::WF));
    let token = until_the_first_snapshot(&api, &v0);
    let (_, known_at_n) = until_seq_n(&api, &v0);
    let at_n = api.reads(&known_at_n);
    let known = after_seq_n(&api, &v0, &known_at_n, &token);
    let before = api.reads(&known);
    holds_every_domain(&before, &at_n, &known_at_n.states[0]);
    let last_seq = api.commit_seq();
    let data_s = data.to_str().unwrap();

    // The server holds the directory: refused with the "locked" code, nothing written.
    let out = migrate(&t, data_s, &url, &[]).code(11);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.starts_with("error: "), "{err}");
    stop(srv);

    let moved = migrate(&t, data_s, &url, &[]).success();
    let moved: serde_json::Value = serde_json::from_slice(&moved.get_output().stdout).unwrap();
    assert_eq!(moved["commit_seq"], last_seq, "{moved}");
    assert_eq!(moved["next_seq"], last_seq + 1, "{moved}");
    // The database holds data now: a second migration is refused without --force.
    let out = migrate(&t, data_s, &url, &[]).code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("--force"), "{err}");

    let on_pg = start_pg(&t, &t.path().join("pg-a"));
    let api_pg = Api::new(&on_pg.url);
    let reads_pg = api_pg.reads(&known);
    // Servers on PostgreSQL run no flows (503); the flow comes back with the data directory.
    super::assert_same("on PostgreSQL after migrate", &before, &reads_pg, |k| {
        k == "stats" || k.starts_with("flow")
    });
    // A server connected to the database: migrating into it is refused even with --force.
    let out = migrate(&t, data_s, &url, &["--force"]).code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("stop them first"), "{err}");
    stop(on_pg);

    // And back, into a new directory.
    let back = t.path().join("back");
    let moved = migrate(&t, &url, back.to_str().unwrap(), &[]).success();
    let moved: serde_json::Value = serde_json::from_slice(&moved.get_output().stdout).unwrap();
    assert_eq!(moved["commit_seq"], last_seq, "{moved}");
    // The directory holds data now.
    migrate(&t, &url, back.to_str().unwrap(), &[]).code(1);
    let srv = start(&t, &back);
    let api = Api::new(&srv.url);
    let after = api.reads(&known);
    super::assert_same("back in a data directory", &before, &after, |k| {
        k == "stats"
    });
    api.v1("POST", "/lease/renew", renewal(&token));
    assert_eq!(put(&api, "late", json!({}), json!({})), last_seq + 2);
    stop(srv);

    // The database continues the seqs too (its state is the migrated one).
    let on_pg = start_pg(&t, &t.path().join("pg-b"));
    let api_pg = Api::new(&on_pg.url);
    assert_eq!(put(&api_pg, "late", json!({}), json!({})), last_seq + 1);
    stop(on_pg);
}
