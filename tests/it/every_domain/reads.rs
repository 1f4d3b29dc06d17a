//! What the public APIs show of every domain, as one map from request to answer, and the
//! comparison of two such maps. Every read leaves the state alone (an idempotent replay and a
//! refused lease are answers without a commit); [`Api::reads`] checks that `commit_seq` did not
//! move while it read.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::workflows::API_KEY;

/// The v1 namespace of the test.
pub const NS: &str = "demo";
/// The v0 (workflow) namespace of the test.
pub const WF: &str = "wf";

/// A blocking JSON client of one server, with the API key on every request.
pub struct Api {
    url: String,
    http: reqwest::blocking::Client,
}

/// An answer: status, the `idempotent-replayed` header when present, and the body (JSON, or
/// text when it is not JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub replayed: Option<String>,
    pub body: Value,
}

impl Api {
    pub fn new(url: &str) -> Api {
        stmgr::client::install_crypto_provider();
        Api {
            url: url.to_string(),
            http: reqwest::blocking::Client::new(),
        }
    }

    /// `method path` with an optional JSON body and headers.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut req = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.url))
            .header("x-api-key", API_KEY);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().unwrap();
        let status = resp.status().as_u16();
        let replayed = resp
            .headers()
            .get("idempotent-replayed")
            .map(|v| v.to_str().unwrap().to_string());
        let text = resp.text().unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer {
            status,
            replayed,
            body,
        }
    }

    /// A request that must succeed; its body.
    pub fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let a = self.send(method, path, body.as_ref(), &[]);
        assert!(
            (200..300).contains(&a.status),
            "{method} {path}: {} {}",
            a.status,
            a.body
        );
        a.body
    }

    /// [`Api::ok`] on a path of the v1 namespace (`/v1/demo{path}`).
    pub fn v1(&self, method: &str, path: &str, body: Value) -> Value {
        let body = (!body.is_null()).then_some(body);
        self.ok(method, &format!("/v1/{NS}{path}"), body)
    }

    /// The server's `commit_seq`.
    pub fn commit_seq(&self) -> u64 {
        self.ok("GET", "/v1/stats", None)["commit_seq"]
            .as_u64()
            .unwrap()
    }

    /// Everything the APIs show of `known`, keyed by request. Reads whose answer depends on
    /// object history are keyed with a `history:` prefix (a restore keeps no history).
    pub fn reads(&self, known: &Known) -> BTreeMap<String, Answer> {
        let seq = self.commit_seq();
        let mut out = BTreeMap::new();
        let mut get = |key: &str, path: &str| {
            out.insert(key.to_string(), self.send("GET", path, None, &[]));
        };
        get("objects", &format!("/v1/{NS}/objects"));
        for id in &known.objects {
            get(&format!("object {id}"), &format!("/v1/{NS}/objects/{id}"));
            let history = format!("/v1/{NS}/objects/{id}/history");
            get(&format!("history: {id}"), &history);
            let checkpoints = format!("/v1/{NS}/objects/{id}/checkpoints");
            get(&format!("checkpoints of {id}"), &checkpoints);
        }
        get(
            "history: doc at seq 2",
            &format!("/v1/{NS}/objects/doc?at_seq=2"),
        );
        get("namespaces", "/v1/namespaces");
        get("dump", "/admin/dump");
        get("v0 namespaces", "/v0/namespaces");
        get("nodes", &format!("/v0/namespace/{WF}/nodes/"));
        get("graphs", &format!("/v0/namespace/{WF}/graphs/"));
        for g in &known.graphs {
            get(
                &format!("graph {g}"),
                &format!("/v0/namespace/{WF}/graph/{g}"),
            );
        }
        get("runs", &format!("/v0/namespace/{WF}/runs/1/100"));
        for r in &known.runs {
            let path = format!("/v0/namespace/{WF}/states/run/{r}/graph");
            get(&format!("states of run {r}"), &path);
        }
        for s in &known.states {
            let path = format!("/v0/namespace/{WF}/state/{s}/secrets");
            get(&format!("secrets of state {s}"), &path);
        }
        get("flows", "/v1/flows");
        get("flow fl", "/v1/flows/fl");
        get("flow events", "/v1/flows/events?since=0&follow=false");
        let mut stats = self.send("GET", "/v1/stats", None, &[]);
        // Files change with snapshots and trims; what they hold does not.
        if let Some(o) = stats.body.as_object_mut() {
            o.remove("wal");
            o.remove("snapshots");
        }
        out.insert("stats".into(), stats);
        // An idempotent retry is answered from the remembered answer, without a commit.
        let retry = self.send(
            "POST",
            &format!("/v1/{NS}/objects"),
            Some(&idempotent_body()),
            &[("idempotency-key", "idem-1")],
        );
        out.insert("idempotent retry".into(), retry);
        let query = json!({"tag_filter": {"team": "b"}});
        let answer = self.send("POST", &format!("/v1/{NS}/query"), Some(&query), &[]);
        out.insert("query team=b".into(), answer);
        // A lease held by someone else is refused, naming its holder and expiry.
        let intruder = json!({"key": "leader", "owner": "intruder", "ttl": 1});
        let answer = self.send(
            "POST",
            &format!("/v1/{NS}/lease/acquire"),
            Some(&intruder),
            &[],
        );
        out.insert("lease leader (refused acquire)".into(), answer);
        assert_eq!(self.commit_seq(), seq, "reading committed something");
        out
    }
}

/// The body of the idempotent put (key `idem-1`).
pub fn idempotent_body() -> Value {
    json!({"type": "note", "id": "idem-obj", "body": {"once": true}, "tags": {"team": "b"}})
}

/// The names the reads look up.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub objects: Vec<String>,
    pub graphs: Vec<String>,
    pub runs: Vec<String>,
    pub states: Vec<String>,
}

/// An answer on one line: status, the replay header, compact JSON.
fn shown(a: Option<&Answer>) -> String {
    match a {
        None => "(not read)".into(),
        Some(a) => match &a.replayed {
            Some(r) => format!("{} (idempotent-replayed: {r}) {}", a.status, a.body),
            None => format!("{} {}", a.status, a.body),
        },
    }
}

/// Panics listing every request whose answer differs (`want` first), except those `skip`
/// says to leave out.
pub fn assert_same(
    what: &str,
    want: &BTreeMap<String, Answer>,
    got: &BTreeMap<String, Answer>,
    skip: impl Fn(&str) -> bool,
) {
    let keys: Vec<&String> = want.keys().chain(got.keys()).collect();
    let mut diffs = Vec::new();
    let mut compared = 0;
    for key in keys.into_iter().collect::<std::collections::BTreeSet<_>>() {
        if skip(key) {
            continue;
        }
        compared += 1;
        let (w, g) = (want.get(key), got.get(key));
        if w != g {
            let (w, g) = (shown(w), shown(g));
            diffs.push(format!("{key}:\n  expected {w}\n  got      {g}"));
        }
    }
    assert!(compared > 0, "{what}: nothing compared");
    assert!(diffs.is_empty(), "{what}:\n{}", diffs.join("\n"));
}
