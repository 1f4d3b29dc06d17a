//! TLS and mutual TLS between the real server and the real client commands, with certificates
//! generated at run time (rcgen): a good chain, a client trusting another CA, a missing or
//! foreign client certificate under mTLS, an expired server certificate, unusable files.

use std::path::PathBuf;

use predicates::prelude::*;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use crate::server_cli::ServerProc;
use crate::util::TestDir;

/// A CA that signs leaf certificates.
struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

impl Ca {
    fn new(name: &str) -> Ca {
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
    fn leaf(&self, names: &[&str], client: bool, expired: bool) -> (String, String) {
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
