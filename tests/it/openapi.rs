//! `/openapi.json` is in step with the routes and the reference docs: every documented operation
//! is routed, every route of the API is documented (routes are only registered through
//! `utoipa_axum::routes!`, checked in the source), and the route tables of the HTTP reference
//! pages ([`API_TABLES`]) list exactly the documented operations, each once. The Swagger UI is
//! served locally.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::engine::options;
use crate::server::TestServer;

/// The reference pages whose route tables, together, list every operation of the document.
const API_TABLES: [&str; 3] = [
    "docs/reference/http-v1.md",
    "docs/reference/http-v0.md",
    "docs/reference/http-admin.md",
];

/// `(METHOD, /path)` pairs of the table rows of a Markdown page: rows that start with a
/// backquoted `METHOD /path` (a query string is cut off).
fn table_routes(page: &str) -> Vec<(String, String)> {
    let mut routes = Vec::new();
    for line in page.lines() {
        let Some(rest) = line.strip_prefix("| `") else {
            continue;
        };
        let Some((method, rest)) = rest.split_once(' ') else {
            continue;
        };
        if !["GET", "POST", "PUT", "DELETE", "PATCH"].contains(&method) {
            continue;
        }
        let path = rest.split(['`', '?']).next().unwrap();
        routes.push((method.to_string(), path.to_string()));
    }
    routes
}

/// `(METHOD, /path)` pairs of the document.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            ops.insert((method.to_uppercase(), path.clone()));
        }
    }
    ops
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_is_routed_and_the_reference_lists_them_all() {
    let tmp = tempfile::tempdir().unwrap();
    let srv = TestServer::start(tmp.path(), options()).await;
    stmgr::client::install_crypto_provider();
    let http = reqwest::Client::new();
    let doc: Value = http
        .get(format!("{}/openapi.json", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let ops = documented(&doc);
    assert!(ops.len() >= 20, "{ops:?}");

    // Each documented operation reaches a handler: not the fallback (404 "no such route") and
    // not 405 (the path exists with other methods only).
    for (method, path) in &ops {
        let url = format!(
            "{}{}",
            srv.url,
            path.replace("{ns}", "demo")
                .replace("{id}", "x")
                .replace("{name}", "c")
        );
        let mut req = http.request(method.parse().unwrap(), &url);
        if method == "POST" {
            req = req.header("content-type", "application/json").body("{}");
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        assert_ne!(status, 405, "{method} {path}");
        if status == 404 {
            let body: Value = resp.json().await.unwrap();
            assert_ne!(
                body["message"], "no such route",
                "{method} {path} is not routed"
            );
        }
    }

    // The reference pages' route tables name exactly the documented operations (plus the
    // document and its UI themselves), each on one page only.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut listed = BTreeSet::new();
    for page in API_TABLES {
        let text =
            std::fs::read_to_string(repo.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        let routes = table_routes(&text);
        assert!(!routes.is_empty(), "{page} has no route table");
        for route in routes {
            assert!(
                listed.insert(route.clone()),
                "{route:?} is listed twice ({page})"
            );
        }
    }
    let mut expected = ops.clone();
    expected.insert(("GET".into(), "/openapi.json".into()));
    expected.insert(("GET".into(), "/docs".into()));
    assert_eq!(
        listed, expected,
        "route tables of {API_TABLES:?} (left) vs /openapi.json (right)"
    );

    // The vendored Swagger UI.
    let ui = http.get(format!("{}/docs/", srv.url)).send().await.unwrap();
    assert_eq!(ui.status(), 200);
    assert!(ui.text().await.unwrap().contains("swagger-ui"));
    srv.stop().await;
}

/// The supervisor's control interface is its own small server (not in /openapi.json): every
/// route it registers has a row in docs/reference/control-api.md, and every row a route.
#[test]
fn every_control_route_is_in_the_control_api_reference() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let code = std::fs::read_to_string(root.join("src/api/control.rs")).unwrap();
    let mut routes = BTreeSet::new();
    for line in code.lines().map(str::trim) {
        let Some(rest) = line.strip_prefix(".route(\"") else {
            continue;
        };
        let (path, handlers) = rest.split_once('"').unwrap();
        for method in ["get", "post", "put", "delete"] {
            if handlers.contains(&format!("{method}(")) {
                routes.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    assert!(routes.len() > 5, "{routes:?}");
    let doc = std::fs::read_to_string(root.join("docs/reference/control-api.md")).unwrap();
    let mut listed = BTreeSet::new();
    for line in doc.lines().filter(|l| l.starts_with("| `")) {
        let first = line.split('|').nth(1).unwrap();
        for part in first.split('`').skip(1).step_by(2) {
            let mut words = part.split_whitespace();
            if let (Some(m @ ("GET" | "POST" | "PUT" | "DELETE")), Some(p)) =
                (words.next(), words.next())
            {
                let p = p.split('?').next().unwrap();
                listed.insert(format!("{m} {p}"));
            }
        }
    }
    assert_eq!(
        routes, listed,
        "src/api/control.rs (left) vs control-api.md (right)"
    );
}

/// Routes are registered only through `routes!` (which documents them), never with a bare
/// `.route(...)`, except the document's own route and the supervisor's control interface
/// (checked against its own reference above).
#[test]
fn no_route_is_registered_without_documentation() {
    fn visit(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("api/openapi.rs")
                && !path.ends_with("api/control.rs")
            {
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    if line.contains(".route(") || line.contains(".route_service(") {
                        found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    visit(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    assert!(
        found.is_empty(),
        "undocumented routes:\n{}",
        found.join("\n")
    );
}

/// utoipa keys the document's schemas by name and merges two types of one name silently (the
/// second wins): the admin `Manifest` and the flows' `Manifest` once answered each other's
/// routes in the document. Every `ToSchema` type of `src/` has a name of its own (its Rust name
/// or its `#[schema(as = …)]`).
#[test]
fn every_schema_name_is_unique() {
    let derive = regex::Regex::new(
        r"#\[derive\(([^)]*)\)\]((?:\s*#\[[^\]]*\]|\s*///[^\n]*)*)\s*pub(?:\([^)]*\))?\s+(?:struct|enum)\s+(\w+)",
    )
    .unwrap();
    let alias = regex::Regex::new(r"schema\(\s*as\s*=\s*([\w:]+)").unwrap();
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let mut dups = Vec::new();
    let mut count = 0;
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for m in derive.captures_iter(&text) {
                if !m[1].contains("ToSchema") {
                    continue;
                }
                let name = alias
                    .captures(&m[2])
                    .map(|a| a[1].rsplit("::").next().unwrap().to_owned())
                    .unwrap_or_else(|| m[3].to_owned());
                count += 1;
                let here = path.display().to_string();
                if let Some(first) = seen.insert(name.clone(), here.clone()) {
                    dups.push(format!("{name}: {first} and {here}"));
                }
            }
        }
    }
    assert!(count > 40, "the scan found only {count} schema types");
    assert!(dups.is_empty(), "schema names used twice: {dups:#?}");
}
