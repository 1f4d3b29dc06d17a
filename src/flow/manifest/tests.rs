//! The manifest's parsing, defaults, validation errors and replica naming.

use super::*;

const GOOD: &str = r#"
name = "etl"
[server]
url = "http://127.0.0.1:8080"
api_key = "k"
[workers.fetch]
command = "sh"
args = ["-c", "sleep 100"]
replicas = 2
env = { MODE = "fast" }
[workers.fetch.readiness]
log_line = "ready"
"#;

fn err(text: &str, format: Format) -> String {
    Manifest::parse(text, format).unwrap_err().to_string()
}

#[test]
fn a_manifest_parses_with_defaults_and_becomes_one_process_per_replica() {
    let m = Manifest::parse(GOOD, Format::Toml).unwrap();
    let w = &m.workers["fetch"];
    assert_eq!((w.replicas, w.restart), (2, Restart::Always));
    assert_eq!(w.ready_timeout, Duration::from_secs(30));
    let c = m.supervisor_config(None, Some(std::path::Path::new("/run/s")), None);
    let names: Vec<&String> = c.process.keys().collect();
    assert_eq!(names, ["fetch-0", "fetch-1"]);
    let p = &c.process["fetch-1"];
    assert_eq!(p.env["STMGR_URL"], "http://127.0.0.1:8080");
    assert_eq!(p.env["STMGR_API_KEY"], "k");
    assert_eq!(p.env["EXOSPHERE_API_KEY"], "k");
    assert_eq!(p.env["STMGR_FLOW_REPLICA"], "1");
    assert_eq!(p.env["MODE"], "fast");
    assert_eq!(p.env["STMGR_FLOW_SOCKET"], "/run/s/etl.fetch-1.sock");
    assert_eq!(p.env["SOCKET_PATH"], "/run/s/etl.fetch-1.sock");
    assert_eq!(p.restart, RestartPolicy::Always);
    c.validate().unwrap();
    // JSON form round trip.
    let again = Manifest::parse(&m.to_json(), Format::Json).unwrap();
    assert_eq!(again, m);
    assert_eq!(m.redacted().server.api_key.as_deref(), Some("<redacted>"));
}

#[test]
fn errors_name_the_field() {
    let e = err(
        r#"{"name":"f","workers":{"w":{"command":"x","replicas":"two"}}}"#,
        Format::Json,
    );
    assert!(
        e.starts_with("manifest: workers.w.replicas: invalid type"),
        "{e}"
    );
    let e = err(
        "name = \"f\"\n[workers.w]\ncommand = \"x\"\nreplica = 2\n",
        Format::Toml,
    );
    assert!(
        e.contains("workers.w.replica: unknown field `replica`"),
        "{e}"
    );
    let e = err("name = \"f\"\n[workers.w]\nargs = []\n", Format::Toml);
    assert!(e.contains("workers.w: missing field `command`"), "{e}");
    let e = err(
        "name = \"bad name\"\n[workers.w]\ncommand = \"x\"\n",
        Format::Toml,
    );
    assert!(e.contains("manifest: name: use 1 to 63"), "{e}");
    let e = err(
        "name = \"f\"\n[workers.w]\ncommand = \"x\"\nreplicas = 9999\n",
        Format::Toml,
    );
    assert!(e.contains("workers.w.replicas: at most 256"), "{e}");
    let e = err(
        "name = \"f\"\n[workers.w]\ncommand = \"x\"\nready_timeout = \"soon\"\n",
        Format::Toml,
    );
    assert!(e.contains("workers.w.ready_timeout:"), "{e}");
    let e = err(
        "name = \"f\"\n[workers.w]\ncommand = \"x\"\n[workers.w.readiness]\ninterval = \"1s\"\n",
        Format::Toml,
    );
    assert!(e.contains("workers.w.readiness:"), "{e}");
    let e = err("name = \"f\"\nworkers = {}\n", Format::Toml);
    assert!(
        e.contains("workers: a flow needs at least one worker"),
        "{e}"
    );
    let e = err(
        "name = \"f\"\n[server]\nurl = \"ftp://x\"\n[workers.w]\ncommand = \"x\"\n",
        Format::Toml,
    );
    assert!(e.contains("server.url: must start with"), "{e}");
    let e = err("name = [", Format::Toml);
    assert!(e.contains("line 1"), "{e}");
}

#[test]
fn zero_replicas_is_a_stopped_worker_and_names_are_injective() {
    let m = Manifest::parse(
        "name = \"f\"\n[workers.a]\ncommand = \"x\"\nreplicas = 0\n[workers.a-1]\ncommand = \"x\"\n",
        Format::Toml,
    )
    .unwrap();
    let names: Vec<String> = m.replica_names().into_iter().map(|r| r.0).collect();
    assert_eq!(names, ["a-1-0"]);
    assert_ne!(replica_name("a", 10), replica_name("a-1", 0));
}
