//! TLS to a real PostgreSQL 15 with a certificate of a private CA (rcgen), for every `sslmode`
//! as libpq means it: `verify-full` checks the chain and the host name, `verify-ca` only the
//! chain, `require` and `prefer` encrypt without checking, `disable` does not encrypt; a
//! foreign CA and a wrong host name are refused with a clear error, and a server started on a
//! `verify-full` URL runs every session over TLS.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use stmgr::store::pg::{PgOptions, connect};

use crate::postgres::harness::{Pg, Server};
use crate::tls::Ca;
use crate::util::wait_until;

/// Turns TLS on in `pg` with a certificate for `localhost` signed by `ca`; returns the
/// directory of the files (the CA's as `ca.pem`).
fn enable_ssl(pg: &Pg, ca: &Ca) -> tempfile::TempDir {
    let tmp = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tmp");
    let dir = tempfile::Builder::new()
        .prefix("pg-tls-")
        .tempdir_in(&tmp)
        .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let (cert, key) = ca.leaf(&["localhost"], false, false);
    let write = |name: &str, text: &str, mode: u32| -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        if rustix::process::geteuid().is_root() {
            // The cluster runs as `postgres`, which must own its key.
            let user = nix::unistd::User::from_name("postgres").unwrap().unwrap();
            std::os::unix::fs::chown(&p, Some(user.uid.as_raw()), Some(user.gid.as_raw())).unwrap();
        }
        p
    };
    let cert = write("server.crt", &cert, 0o644);
    let key = write("server.key", &key, 0o600);
    write("ca.pem", &ca.pem, 0o644);
    let mut c = pg.client();
    for sql in [
        format!("ALTER SYSTEM SET ssl_cert_file = '{}'", cert.display()),
        format!("ALTER SYSTEM SET ssl_key_file = '{}'", key.display()),
        "ALTER SYSTEM SET ssl = on".to_owned(),
        "SELECT pg_reload_conf()".to_owned(),
    ] {
        c.batch_execute(&sql).unwrap();
    }
    dir
}

/// Whether a session opened by stmgr with `url` is encrypted; `Err` with the message when it
/// cannot be opened.
fn session_ssl(url: &str) -> Result<bool, String> {
    let mut c = connect(&PgOptions::new(url), "tls-test").map_err(|e| e.to_string())?;
    let row = c
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .map_err(|e| e.to_string())?;
    Ok(row.get(0))
}

#[test]
fn every_sslmode_means_what_libpq_says() {
    let Some(pg) = Pg::start() else { return };
    let ca = Ca::new("db CA");
    let dir = enable_ssl(&pg, &ca);
    let ca_file = dir.path().join("ca.pem").display().to_string();
    let at = |host: &str, query: &str| {
        format!("postgres://postgres@{host}:{}/postgres?{query}", pg.port)
    };
    let full = at(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={ca_file}"),
    );
    wait_until(Duration::from_secs(20), "TLS after the reload", || {
        session_ssl(&full) == Ok(true)
    });

    // The chain without the name: 127.0.0.1 is not in the certificate.
    let by_ip = at(
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={ca_file}"),
    );
    let e = session_ssl(&by_ip).unwrap_err();
    assert!(e.contains("certificate"), "{e}");
    let ca_only = at(
        "127.0.0.1",
        &format!("sslmode=verify-ca&sslrootcert={ca_file}"),
    );
    assert_eq!(session_ssl(&ca_only), Ok(true));

    // Another CA is refused, whatever the name.
    let other = Ca::new("someone else");
    let other_file = dir.path().join("other.pem");
    std::fs::write(&other_file, &other.pem).unwrap();
    let foreign = at(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", other_file.display()),
    );
    let e = session_ssl(&foreign).unwrap_err();
    assert!(e.contains("certificate"), "{e}");

    // Encrypted without a check; not encrypted on request; verification needs roots.
    assert_eq!(session_ssl(&at("127.0.0.1", "sslmode=require")), Ok(true));
    assert_eq!(session_ssl(&at("127.0.0.1", "sslmode=prefer")), Ok(true));
    assert_eq!(session_ssl(&at("127.0.0.1", "sslmode=disable")), Ok(false));
    let e = session_ssl(&at("localhost", "sslmode=verify-full")).unwrap_err();
    assert!(e.contains("needs root certificates"), "{e}");

    // A server on the verify-full URL: every one of its sessions is encrypted.
    let srv = Server::start_url(&full, &[]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let put = rt.block_on(srv.client().put(
        "tls",
        &serde_json::json!({"type": "t", "id": "a", "body": {}}),
        None,
    ));
    assert!(put.is_ok(), "{put:?}");
    let rows = pg
        .client()
        .query(
            "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
             WHERE a.application_name LIKE 'stmgr %' AND a.application_name <> 'stmgr tls-test'",
            &[],
        )
        .unwrap();
    let ssl: Vec<bool> = rows.iter().map(|r| r.get(0)).collect();
    assert!(!ssl.is_empty() && ssl.iter().all(|s| *s), "{ssl:?}");
}

/// A server whose database certificate does not verify exits with one line saying why.
#[test]
fn a_server_refused_by_verification_exits_with_the_reason() {
    let Some(pg) = Pg::start() else { return };
    let ca = Ca::new("db CA");
    let dir = enable_ssl(&pg, &ca);
    let ca_file = dir.path().join("ca.pem").display().to_string();
    let good = format!(
        "postgres://postgres@localhost:{}/postgres?sslmode=verify-full&sslrootcert={ca_file}",
        pg.port
    );
    wait_until(Duration::from_secs(20), "TLS after the reload", || {
        session_ssl(&good) == Ok(true)
    });
    let bad = good.replace("localhost", "127.0.0.1");
    let t = crate::util::TestDir::new();
    let out = t
        .stmgr()
        .args([
            "server",
            "start",
            "--listen",
            "127.0.0.1:0",
            "--backend",
            &bad,
        ])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: ") && last.contains("certificate"),
        "{err}"
    );
}
