//! The deployment files under `deploy/`: every YAML and JSON file parses; the systemd units
//! pass `systemd-analyze verify` (with the built binary in their `ExecStart`); the Prometheus
//! rules pass `promtool check rules` and their unit tests (`promtool test rules`); every command
//! line they give stmgr (systemd, Dockerfile, compose, Kubernetes) parses with the real clap
//! definition; and every metric a dashboard query or an alert uses is one the real server
//! exports. `systemd-analyze` and `promtool` missing skip their test, except under `CI=true`,
//! where they fail (`.ci/run` installs them).

use std::collections::BTreeSet;
use std::io::Write as _;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use clap::Parser as _;
use serde_json::Value;
use stmgr::cli::Cli;

use crate::rawhttp::{connect, get, read_to_close, status_of};
use crate::server_cli::ServerProc;
use crate::util::{TestDir, wait_until};

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

/// Aggregation operators: `sum by (x) (...)` has no `(` right after `sum`.
const PROMQL_AGGREGATIONS: [&str; 12] = [
    "sum",
    "min",
    "max",
    "avg",
    "group",
    "stddev",
    "stdvar",
    "count",
    "count_values",
    "bottomk",
    "topk",
    "quantile",
];

const PROMQL_KEYWORDS: [&str; 13] = [
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "and",
    "or",
    "unless",
    "offset",
    "inf",
    "nan",
];

/// The metric names a PromQL expression reads: identifiers that are not functions, keywords,
/// label names (in `{...}` or a `by (...)` list), strings or durations.
fn metric_names(expr: &str) -> BTreeSet<String> {
    // Strings, label matchers and ranges go first.
    let mut plain = String::new();
    let (mut quote, mut braces, mut brackets) = (None, 0, 0);
    for c in expr.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'' | '`') => quote = Some(c),
            (None, '{') => braces += 1,
            (None, '}') => braces -= 1,
            (None, '[') => brackets += 1,
            (None, ']') => brackets -= 1,
            (None, c) if braces == 0 && brackets == 0 => plain.push(c),
            _ => {}
        }
    }
    let chars: Vec<char> = plain.chars().collect();
    let mut names = BTreeSet::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() || c == '.' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
        } else if c.is_ascii_alphabetic() || c == '_' || c == ':' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == ':')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            let call = chars.get(j) == Some(&'(');
            let keyword = PROMQL_KEYWORDS.contains(&word.to_ascii_lowercase().as_str());
            if keyword && call {
                // A label list: skip it.
                let mut depth = 0;
                while j < chars.len() {
                    match chars[j] {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                i = j + 1;
            } else if !call && !keyword && !PROMQL_AGGREGATIONS.contains(&word.as_str()) {
                names.insert(word);
            }
        } else {
            i += 1;
        }
    }
    names
}

#[test]
fn promql_metric_names_are_found() {
    let names = |e: &str| metric_names(e).into_iter().collect::<Vec<_>>();
    assert_eq!(
        names(
            r#"histogram_quantile(0.99, sum by (le, op) (rate(op_duration_seconds_bucket{instance=~"$instance"}[$__rate_interval])))"#
        ),
        ["op_duration_seconds_bucket"]
    );
    assert_eq!(
        names("time() - last_snapshot_success_timestamp_seconds > 2 * 3600"),
        ["last_snapshot_success_timestamp_seconds"]
    );
    assert_eq!(
        names("sum without (x) (count_values)"),
        Vec::<String>::new()
    );
    assert_eq!(
        names(r#"a_total{x="b c"} / on (instance) group_left (v) build_info unless up == 0"#),
        ["a_total", "build_info", "up"]
    );
}

/// Every expression of the dashboard (`targets[].expr`, templating queries) and the alerts.
fn expressions() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for path in files(&deploy().join("grafana")) {
        let dash: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for panel in dash["panels"].as_array().unwrap() {
            for target in panel["targets"].as_array().into_iter().flatten() {
                let expr = target["expr"].as_str().unwrap().to_owned();
                out.push((format!("{}: {}", path.display(), panel["title"]), expr));
            }
        }
        for var in dash["templating"]["list"].as_array().unwrap() {
            if let Some(q) = var["query"]["query"].as_str() {
                // label_values(METRIC, label)
                let inner = q.trim_start_matches("label_values(").trim_end_matches(')');
                let metric = inner.split(',').next().unwrap().trim();
                out.push((
                    format!("{}: ${}", path.display(), var["name"]),
                    metric.into(),
                ));
            }
        }
    }
    for doc in yaml_documents(&read("prometheus/alerts.yaml")) {
        for group in doc["groups"].as_array().unwrap() {
            for rule in group["rules"].as_array().unwrap() {
                let name = rule["alert"].as_str().unwrap();
                out.push((
                    format!("alert {name}"),
                    rule["expr"].as_str().unwrap().into(),
                ));
            }
        }
    }
    out
}

/// The series names of a scrape, as Prometheus stores them: a gauge's own name, a counter's
/// `_total`, a histogram's `_bucket`, `_sum` and `_count` (not the bare family names of the
/// `# TYPE` lines, which no query can read).
fn exported_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in text.lines() {
        if !line.starts_with('#') && !line.is_empty() {
            let end = line.find(['{', ' ']).unwrap_or(line.len());
            names.insert(line[..end].to_owned());
        }
    }
    names
}

/// Sends a request (with `Connection: close` in `head`) on a new connection to `addr`, and
/// reads its answer's status.
fn request(addr: &str, head: &str) -> u16 {
    let mut s = connect(addr);
    s.write_all(head.as_bytes()).unwrap();
    status_of(&read_to_close(&mut s, Duration::from_secs(20)).0)
}

#[test]
fn every_metric_the_dashboard_and_alerts_use_is_one_the_server_exports() {
    let t = TestDir::new();
    let key = "k3y".to_string();
    let (child, lines) = ServerProc::spawn_env(
        &t,
        &t.path().join("state"),
        &[
            "--metrics-listen",
            "127.0.0.1:0",
            "--api-key-grants-v1",
            "--ns-max-qps",
            "1",
            "--max-connections",
            "2",
            "--snapshot-every",
            "1s",
        ],
        &[("STATE_MANAGER_SECRET", key.clone())],
    );
    let srv = ServerProc::from_spawned(child, lines);
    let api = srv.url.trim_start_matches("http://").to_string();
    let line = loop {
        let l = srv
            .lines
            .recv_timeout(Duration::from_secs(20))
            .expect("the metrics line");
        if l.contains("metrics and health on ") {
            break l;
        }
    };
    let metrics = line.rsplit("http://").next().unwrap().trim().to_string();

    // What makes the families with labels appear: writes, a refused token, a rate limit, a
    // connection over the cap.
    let body = r#"{"type":"t","body":1}"#;
    let put = format!(
        "POST /v1/ns/objects HTTP/1.1\r\nHost: t\r\nConnection: close\r\nx-api-key: {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let statuses: Vec<u16> = (0..4).map(|_| request(&api, &put)).collect();
    assert_eq!(statuses[0], 200, "{statuses:?}");
    assert!(statuses.contains(&429), "the rate limit: {statuses:?}");
    let bad = "GET /v1/ns/objects HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\
               Authorization: Bearer nope\r\n\r\n";
    assert_eq!(request(&api, bad), 401);
    let open = |listener: &str| {
        let body = get(&metrics, "/metrics", "").2;
        let series = format!("connections_open{{listener=\"{listener}\"}} ");
        body.lines()
            .find_map(|l| l.strip_prefix(&series))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    wait_until(
        Duration::from_secs(10),
        "the first connection closed",
        || open("api") == 0,
    );
    let held: Vec<TcpStream> = (0..2).map(|_| connect(&api)).collect();
    wait_until(Duration::from_secs(10), "two connections open", || {
        open("api") == 2
    });
    let (status, _, _) = get(&api, "/health", "");
    assert_eq!(status, 503, "a third connection is over the cap");
    drop(held);
    // An automatic snapshot: its duration and size.
    wait_until(Duration::from_secs(20), "an automatic snapshot", || {
        get(&metrics, "/metrics", "")
            .2
            .lines()
            .any(|l| l.starts_with("snapshots_taken_total ") && !l.ends_with(" 0"))
    });

    let scrape = get(&metrics, "/metrics", "").2;
    let exported = exported_names(&scrape);
    let mut missing = Vec::new();
    let exprs = expressions();
    assert!(exprs.len() > 30, "{exprs:#?}");
    for (where_, expr) in &exprs {
        let names = metric_names(expr);
        assert!(!names.is_empty(), "{where_}: no metric in {expr}");
        for name in names {
            // `up` is Prometheus' own, per scrape target.
            if name != "up" && !exported.contains(&name) {
                missing.push(format!("{where_}: {name}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not exported:\n  {}\nexported: {exported:?}",
        missing.join("\n  ")
    );
}
