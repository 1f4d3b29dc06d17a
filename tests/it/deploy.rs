//! The deployment files under `deploy/`: every YAML and JSON file parses; the systemd units
//! pass `systemd-analyze verify` (with the built binary in their `ExecStart`); the Prometheus
//! rules pass `promtool check rules` and their unit tests (`promtool test rules`); every command
//! line they give stmgr (systemd, Dockerfile, compose, Kubernetes) parses with the real clap
//! definition; and (in `metric_names`) every metric a dashboard query or an alert uses is one
//! the real server exports. `systemd-analyze` and `promtool` missing skip their test, except
//! under `CI=true`, where they fail (`.ci/run` installs them).

mod metric_names;

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Parser as _;
use serde_json::Value;
use stmgr::cli::Cli;

use crate::util::TestDir;

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy")
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(deploy().join(relative))
        .unwrap_or_else(|e| panic!("deploy/{relative}: {e}"))
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The documents of a YAML file, as JSON values.
fn yaml_documents(text: &str) -> Vec<Value> {
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|doc| serde::Deserialize::deserialize(doc).expect("a YAML document"))
        .collect()
}

/// Whether `tool` runs here; under `CI=true` a missing tool fails the test.
fn have(tool: &str, version_arg: &str) -> bool {
    let found = Command::new(tool)
        .arg(version_arg)
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{tool} is missing and CI=true: .ci/run installs it"
        );
        eprintln!("skipped: {tool} is not installed");
    }
    found
}

/// `stmgr ARGS...` must parse as the real binary would parse it.
fn parses(what: &str, args: &[String]) {
    let words: Vec<&str> = std::iter::once("stmgr")
        .chain(args.iter().map(String::as_str))
        .collect();
    if let Err(e) = Cli::try_parse_from(&words) {
        panic!("{what}: `{}` does not parse:\n{e}", words.join(" "));
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("a list: {v}"))
        .iter()
        .map(|s| s.as_str().expect("a string").to_owned())
        .collect()
}

#[test]
fn every_yaml_and_json_file_parses() {
    let mut seen = 0;
    for path in files(&deploy()) {
        let text = std::fs::read_to_string(&path).unwrap();
        match path.extension().and_then(|e| e.to_str()) {
            Some("yaml" | "yml") => {
                let docs = yaml_documents(&text);
                assert!(!docs.is_empty(), "{}", path.display());
                seen += 1;
            }
            Some("json") => {
                serde_json::from_str::<Value>(&text)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                seen += 1;
            }
            _ => {}
        }
    }
    assert!(seen >= 6, "only {seen} YAML and JSON files");
}

#[test]
fn kubernetes_runs_one_replica_on_a_volume_probed_on_health() {
    let docs = yaml_documents(&read("kubernetes/stmgr.yaml"));
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Service", "Service", "StatefulSet"]);
    let set = &docs[2];
    assert_eq!(set["spec"]["replicas"], 1, "no replication: one writer");
    assert_eq!(set["spec"]["serviceName"], docs[1]["metadata"]["name"]);
    let claim = set["spec"]["volumeClaimTemplates"][0]["metadata"]["name"]
        .as_str()
        .unwrap();
    let pod = &set["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    let c = &pod["containers"][0];
    let args = strings(&c["args"]);
    parses("the StatefulSet's args", &args);
    let mount = c["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == claim)
        .expect("the claim is mounted");
    let data_dir = args.iter().position(|a| a == "--data-dir").unwrap() + 1;
    assert_eq!(mount["mountPath"].as_str(), Some(args[data_dir].as_str()));
    // Ports: the names the probes and the Services use exist, with the numbers stmgr listens on.
    let ports: Vec<(String, u64)> = c["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["containerPort"].as_u64().unwrap(),
            )
        })
        .collect();
    let port_of = |flag: &str| -> u64 {
        let i = args.iter().position(|a| a == flag).unwrap() + 1;
        args[i].rsplit(':').next().unwrap().parse().unwrap()
    };
    assert!(
        ports.contains(&("http".into(), port_of("--listen"))),
        "{ports:?}"
    );
    assert!(
        ports.contains(&("metrics".into(), port_of("--metrics-listen"))),
        "{ports:?}"
    );
    for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
        let get = &c[probe]["httpGet"];
        assert_eq!(get["path"], "/health", "{probe}");
        let port = get["port"].as_str().unwrap();
        assert!(ports.iter().any(|(n, _)| n == port), "{probe}: {port}");
    }
    for svc in &docs[..2] {
        for p in svc["spec"]["ports"].as_array().unwrap() {
            let target = p["targetPort"].as_str().unwrap();
            assert!(ports.iter().any(|(n, _)| n == target), "{target}");
        }
    }
}

/// The instructions of a Dockerfile, continuation lines joined, comments dropped.
fn dockerfile_instructions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        if let Some(head) = trimmed.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
            continue;
        }
        current.push_str(trimmed);
        let (op, rest) = current.split_once(' ').unwrap_or((&current, ""));
        out.push((op.to_ascii_uppercase(), rest.trim().to_owned()));
        current.clear();
    }
    out
}

#[test]
fn dockerfile_builds_in_two_stages_and_runs_as_non_root_with_a_health_check() {
    let steps = dockerfile_instructions(&read("docker/Dockerfile"));
    let stages = steps.iter().filter(|(op, _)| op == "FROM").count();
    assert!(stages >= 2, "multi-stage: {steps:?}");
    let last_from = steps.iter().rposition(|(op, _)| op == "FROM").unwrap();
    let runtime = &steps[last_from..];
    let arg = |op: &str| {
        runtime
            .iter()
            .find(|(o, _)| o == op)
            .map(|(_, a)| a.clone())
            .unwrap_or_else(|| panic!("no {op} in the runtime stage"))
    };
    let user = arg("USER");
    assert!(
        !matches!(user.split(':').next(), Some("root" | "0")),
        "USER {user}"
    );
    assert!(
        steps
            .iter()
            .any(|(op, a)| op == "RUN" && a.contains("cargo build --release --locked")),
        "{steps:?}"
    );
    let entrypoint: Vec<String> = serde_json::from_str(&arg("ENTRYPOINT")).unwrap();
    assert_eq!(entrypoint, ["/usr/local/bin/stmgr"]);
    let cmd: Vec<String> = serde_json::from_str(&arg("CMD")).unwrap();
    parses("the Dockerfile's CMD", &cmd);
    let health = arg("HEALTHCHECK");
    let exec = health
        .split(" CMD ")
        .nth(1)
        .expect("HEALTHCHECK ... CMD [...]");
    let exec: Vec<String> = serde_json::from_str(exec).expect("exec form");
    assert_eq!(exec[0], "/usr/local/bin/stmgr");
    parses("the Dockerfile's HEALTHCHECK", &exec[1..]);
    assert!(exec.contains(&"--check".to_owned()), "{exec:?}");
    // It checks the port the image listens on and exposes.
    let listen = arg("ENV");
    assert!(listen.contains("STMGR_LISTEN=0.0.0.0:8080"), "{listen}");
    assert_eq!(arg("EXPOSE"), "8080");
    assert!(
        exec.contains(&"http://127.0.0.1:8080".to_owned()),
        "{exec:?}"
    );

    let ignore = read("docker/Dockerfile.dockerignore");
    assert!(ignore.lines().any(|l| l == "target"), "{ignore}");
}

#[test]
fn compose_runs_the_image_with_a_volume_and_the_same_health_check() {
    let docs = yaml_documents(&read("docker/compose.yaml"));
    let stmgr = &docs[0]["services"]["stmgr"];
    assert_eq!(stmgr["build"]["dockerfile"], "deploy/docker/Dockerfile");
    parses("compose's command", &strings(&stmgr["command"]));
    let test = strings(&stmgr["healthcheck"]["test"]);
    assert_eq!(test[..2], ["CMD", "/usr/local/bin/stmgr"]);
    parses("compose's healthcheck", &test[2..]);
    let volume = stmgr["volumes"][0].as_str().unwrap();
    assert!(volume.ends_with(":/var/lib/stmgr"), "{volume}");
    let name = volume.split(':').next().unwrap();
    assert!(docs[0]["volumes"].get(name).is_some(), "{name}");
}

/// A copy of the units in a temporary directory, with the built binary in their `ExecStart`.
fn units_with_binary(t: &TestDir) -> Vec<PathBuf> {
    let dir = t.path().join("units");
    std::fs::create_dir(&dir).unwrap();
    let mut out = Vec::new();
    for path in files(&deploy().join("systemd")) {
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("/usr/local/bin/stmgr", env!("CARGO_BIN_EXE_stmgr"));
        let copy = dir.join(path.file_name().unwrap());
        std::fs::write(&copy, text).unwrap();
        out.push(copy);
    }
    out
}

#[test]
fn systemd_units_verify_and_their_command_lines_parse() {
    for path in files(&deploy().join("systemd")) {
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            if let Some(exec) = line.strip_prefix("ExecStart=") {
                let words: Vec<String> = exec.split_whitespace().map(str::to_owned).collect();
                assert_eq!(words[0], "/usr/local/bin/stmgr");
                parses(&path.display().to_string(), &words[1..]);
            }
        }
    }
    let service = read("systemd/stmgr.service");
    for line in [
        "Type=notify",
        "StateDirectory=stmgr",
        "LimitNOFILE=65536",
        "NoNewPrivileges=yes",
    ] {
        assert!(service.lines().any(|l| l == line), "{line}");
    }
    assert!(service.contains("--data-dir /var/lib/stmgr"), "{service}");
    if !have("systemd-analyze", "--version") {
        return;
    }
    let t = TestDir::new();
    let units = units_with_binary(&t);
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .args(&units)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success() && said.trim().is_empty(), "{said}");
}

#[test]
fn prometheus_rules_check_and_pass_their_unit_tests() {
    if !have("promtool", "--version") {
        return;
    }
    let dir = deploy().join("prometheus");
    for args in [
        &["check", "rules", "alerts.yaml"][..],
        &["test", "rules", "alerts.test.yaml"],
    ] {
        let out = Command::new("promtool")
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "promtool {args:?}: {out:?}");
    }
    // compose's Prometheus configuration, with the rule file where this checkout has it.
    let t = TestDir::new();
    let config = read("docker/prometheus.yml").replace(
        "/etc/prometheus/alerts.yaml",
        &dir.join("alerts.yaml").display().to_string(),
    );
    let path = t.write("prometheus.yml", &config);
    let out = Command::new("promtool")
        .args(["check", "config"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "promtool check config: {out:?}");
}
