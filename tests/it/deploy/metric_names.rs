//! Every metric a dashboard query or an alert under `deploy/` uses is one the real server
//! exports: the metric names of each PromQL expression, against the series names of a scrape
//! taken after the traffic that makes the labelled families appear.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

use super::{deploy, files, read, yaml_documents};
use crate::rawhttp::{connect, get, read_to_close, status_of};
use crate::server_cli::ServerProc;
use crate::util::{TestDir, wait_until};

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
            "--replicate",
            &format!("file://{}", t.path().join("backups").display()),
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
