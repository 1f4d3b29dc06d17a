//! TLS and mutual TLS between the real server and the real client commands, with certificates
//! generated at run time (rcgen): a good chain, a client trusting another CA, a missing or
//! foreign client certificate under mTLS, an expired server certificate, unusable files; and
//! the connection timeouts over TLS (handshake, header, idle) and on the metrics listener.

use std::path::PathBuf;

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Duration;

use predicates::prelude::*;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use crate::rawhttp::{Started, connect, get, read_to_close};
use crate::server_cli::ServerProc;
use crate::util::TestDir;

/// A CA that signs leaf certificates.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pub pem: String,
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let pem = params.self_signed(&key).unwrap().pem();
        Ca {
            issuer: Issuer::new(params, key),
            pem,
        }
    }

    /// `(cert PEM, key PEM)` of a leaf for `names`, valid now unless `expired`.
    pub fn leaf(&self, names: &[&str], client: bool, expired: bool) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        params.extended_key_usages = vec![if client {
            ExtendedKeyUsagePurpose::ClientAuth
        } else {
            ExtendedKeyUsagePurpose::ServerAuth
        }];
        if expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }
}

/// Writes PEM files into the test dir and returns their paths as strings.
fn files(t: &TestDir, items: &[(&str, &str)]) -> Vec<String> {
    items
        .iter()
        .map(|(name, pem)| t.write(name, pem).display().to_string())
        .collect()
}

fn status(t: &TestDir, url: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    t.stmgr()
        .args(["--server", url, "--output", "json"])
        .args(extra)
        .arg("status")
        .assert()
}

#[test]
fn https_with_a_private_ca_and_a_client_that_trusts_another_ca() {
    let t = TestDir::new();
    let ca = Ca::new("stmgr test CA");
    let (cert, key) = ca.leaf(&["localhost", "127.0.0.1"], false, false);
    let other = Ca::new("some other CA");
    let paths = files(
        &t,
        &[
            ("server.pem", &cert),
            ("server.key", &key),
            ("ca.pem", &ca.pem),
            ("other-ca.pem", &other.pem),
        ],
    );
    let srv = ServerProc::start_with(
        &t,
        &t.path().join("state"),
        &["--tls-cert", &paths[0], "--tls-key", &paths[1]],
    );
    assert!(srv.url.starts_with("https://"), "{}", srv.url);
    status(&t, &srv.url, &["--ca-cert", &paths[2]])
        .success()
        .stdout(predicate::str::contains("commit_seq"));
    t.stmgr()
        .args(["--server", &srv.url, "--ca-cert", &paths[2]])
        .args(["put", "agent://tls", "k", "--type", "t", "--body", "{}"])
        .assert()
        .success();
    // The certificate is not from a CA the client trusts: refused, with the reason.
    status(&t, &srv.url, &["--ca-cert", &paths[3]])
        .code(1)
        .stderr(predicate::str::starts_with("error: "))
        .stderr(predicate::str::contains("certificate"));
    // Plain HTTP to a TLS port does not get through either.
    let plain = srv.url.replace("https://", "http://");
    status(&t, &plain, &[]).code(1);
}

#[test]
fn mutual_tls_requires_a_client_certificate_from_the_configured_ca() {
    let t = TestDir::new();
    let ca = Ca::new("stmgr test CA");
    let (cert, key) = ca.leaf(&["127.0.0.1"], false, false);
    let (client_cert, client_key) = ca.leaf(&["agent-1"], true, false);
    let other = Ca::new("rogue CA");
    let (rogue_cert, rogue_key) = other.leaf(&["intruder"], true, false);
    let p = files(
        &t,
        &[
            ("server.pem", &cert),
            ("server.key", &key),
            ("ca.pem", &ca.pem),
            ("client.pem", &client_cert),
            ("client.key", &client_key),
            ("rogue.pem", &rogue_cert),
            ("rogue.key", &rogue_key),
        ],
    );
    let srv = ServerProc::start_with(
        &t,
        &t.path().join("state"),
        &[
            "--tls-cert",
            &p[0],
            "--tls-key",
            &p[1],
            "--tls-client-ca",
            &p[2],
        ],
    );
    let ca_arg = ["--ca-cert", p[2].as_str()];
    // Without a client certificate: refused during the handshake.
    status(&t, &srv.url, &ca_arg).code(1);
    // With one from another CA: refused.
    status(
        &t,
        &srv.url,
        &[
            &ca_arg[..],
            &["--client-cert", &p[5], "--client-key", &p[6]],
        ]
        .concat(),
    )
    .code(1);
    // With the right one: in.
    status(
        &t,
        &srv.url,
        &[
            &ca_arg[..],
            &["--client-cert", &p[3], "--client-key", &p[4]],
        ]
        .concat(),
    )
    .success();
    // Half a client identity is a clear error.
    status(
        &t,
        &srv.url,
        &[&ca_arg[..], &["--client-cert", &p[3]]].concat(),
    )
    .code(1)
    .stderr(predicate::str::contains(
        "--client-cert and --client-key go together",
    ));
}

#[test]
fn an_expired_server_certificate_is_refused_by_the_client() {
    let t = TestDir::new();
    let ca = Ca::new("stmgr test CA");
    let (cert, key) = ca.leaf(&["127.0.0.1"], false, true);
    let p = files(
        &t,
        &[
            ("server.pem", &cert),
            ("server.key", &key),
            ("ca.pem", &ca.pem),
        ],
    );
    let srv = ServerProc::start_with(
        &t,
        &t.path().join("state"),
        &["--tls-cert", &p[0], "--tls-key", &p[1]],
    );
    status(&t, &srv.url, &["--ca-cert", &p[2]])
        .code(1)
        .stderr(predicate::str::contains("expired").or(predicate::str::contains("Expired")));
}

#[test]
fn unusable_tls_files_stop_the_server_with_a_usage_error_naming_the_file() {
    let t = TestDir::new();
    let ca = Ca::new("stmgr test CA");
    let (cert, _) = ca.leaf(&["127.0.0.1"], false, false);
    let (_, other_key) = ca.leaf(&["127.0.0.1"], false, false);
    let p = files(
        &t,
        &[
            ("server.pem", &cert),
            ("garbage.key", "not a key"),
            ("other.key", &other_key),
        ],
    );
    let missing: PathBuf = t.path().join("missing.pem");
    for (cert, key, mention) in [
        (p[0].as_str(), p[1].as_str(), "garbage.key"),
        (missing.to_str().unwrap(), p[1].as_str(), "missing.pem"),
        (p[0].as_str(), p[2].as_str(), "other.key"),
    ] {
        t.stmgr()
            .args(["--data-dir"])
            .arg(t.path().join("state"))
            .args(["server", "start", "--listen", "127.0.0.1:0"])
            .args(["--tls-cert", cert, "--tls-key", key])
            .assert()
            .code(2)
            .stderr(predicate::str::starts_with("error: ").and(predicate::str::contains(mention)));
    }
    // A key without a certificate is a usage error from the argument parser.
    t.stmgr()
        .args(["server", "start", "--tls-key", &p[2]])
        .assert()
        .code(2);
}

/// A blocking TLS client connection trusting `ca_pem` (HTTP/1.1, no ALPN).
fn tls_connect(
    addr: &str,
    ca_pem: &str,
) -> rustls::StreamOwned<rustls::ClientConnection, std::net::TcpStream> {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls_pki_types::CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap())
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls_pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    rustls::StreamOwned::new(conn, connect(addr))
}

/// Reads a TLS stream until the server closes it (close_notify or not).
fn tls_read_to_close(
    s: &mut rustls::StreamOwned<rustls::ClientConnection, std::net::TcpStream>,
) -> (String, Duration) {
    let start = std::time::Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "still open: {got:?}"
        );
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => panic!("{e}"),
        }
    }
    (String::from_utf8_lossy(&got).into_owned(), start.elapsed())
}

#[test]
fn connection_timeouts_cover_the_tls_handshake_tls_requests_and_the_metrics_listener() {
    let t = TestDir::new();
    let ca = Ca::new("stmgr test CA");
    let (cert, key) = ca.leaf(&["127.0.0.1"], false, false);
    let p = files(&t, &[("server.pem", &cert), ("server.key", &key)]);
    let s = Started::new(
        &t,
        &[
            "--tls-cert",
            &p[0],
            "--tls-key",
            &p[1],
            "--header-timeout",
            "1s",
            "--idle-timeout",
            "2s",
            "--metrics-listen",
            "127.0.0.1:0",
        ],
        |_| {},
    );
    let addr = s.addr();
    // A client that never starts its handshake is closed after the header timeout.
    let mut mute = connect(&addr);
    let (got, after) = read_to_close(&mut mute, Duration::from_secs(10));
    assert_eq!(got, "");
    assert!(
        after >= Duration::from_millis(900),
        "closed after {after:?}"
    );
    // A late header over TLS: the JSON 408.
    let mut slow = tls_connect(&addr, &ca.pem);
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\n")
        .unwrap();
    let (answer, after) = tls_read_to_close(&mut slow);
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer:?}");
    assert!(answer.contains("\"error\":\"request_timeout\""), "{answer}");
    assert!(
        after >= Duration::from_millis(900),
        "answered after {after:?}"
    );
    // An idle TLS connection, after a request: closed after the idle timeout.
    let mut idle = tls_connect(&addr, &ca.pem);
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let (text, after) = tls_read_to_close(&mut idle);
    assert!(
        text.starts_with("HTTP/1.1 200 ") && text.ends_with("ok"),
        "{text:?}"
    );
    assert!(
        after >= Duration::from_millis(1900),
        "closed after {after:?}"
    );
    // The metrics listener: idle keep-alive connections close too, and it counts the above.
    let mut ops = connect(&s.metrics_addr());
    ops.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let (text, after) = read_to_close(&mut ops, Duration::from_secs(10));
    assert!(text.ends_with("ok"), "{text:?}");
    assert!(
        after >= Duration::from_millis(1900),
        "closed after {after:?}"
    );
    let (_, _, metrics) = get(&s.metrics_addr(), "/metrics", "");
    for (reason, n) in [("tls_handshake", 1), ("header", 1), ("idle", 1)] {
        let line =
            format!("connection_timeouts_total{{listener=\"api\",reason=\"{reason}\"}} {n}\n");
        assert!(metrics.contains(&line), "{line} in {metrics}");
    }
    assert!(
        metrics.contains("connection_timeouts_total{listener=\"metrics\",reason=\"idle\"} 1\n"),
        "{metrics}"
    );
}
