//! The layers of ARCHITECTURE.md §2, checked in the source: arrows point down only.
//!
//! - `store/` (the engine) imports no domain, no HTTP or command-line code, and none of axum,
//!   clap or reqwest: it is what a second engine must be able to replace.
//! - The domains (`objects/`, `leases/`, `checkpoints/`, `workflow/`, `admin/`) import neither
//!   the API, the command line, the client nor the server, nor axum, clap or reqwest.
//! - `client/` and `cli/` never import `api/`: wire types live with their domain.
//!
//! Every `.rs` file under `src/` is read with its comments and string literals blanked out,
//! and every path it names is resolved to the module it starts from (`crate::x`, `super::x`
//! from where the file sits, grouped `crate::{a, b}` imports, and external crates by name).
//! [`checker_catches_each_kind_of_violation`] feeds the checker violations of each kind, so a
//! checker that went blind fails too.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Domain modules (top-level modules of the crate).
const DOMAINS: &[&str] = &[
    "objects",
    "leases",
    "checkpoints",
    "workflow",
    "admin",
    "supervisor",
];
/// Crates only the edges (API, command line, client) may use.
const EDGE_CRATES: &[&str] = &["axum", "clap", "reqwest"];

/// A layer: the files under `dir` must not start a path at any of `modules` (crate modules)
/// or `crates` (external crates).
struct Rule {
    dir: &'static str,
    modules: Vec<&'static str>,
    crates: &'static [&'static str],
}

fn rules() -> Vec<Rule> {
    let mut rules = vec![Rule {
        dir: "store",
        modules: [
            DOMAINS,
            &["api", "cli", "client", "server", "auth", "bench", "config"],
        ]
        .concat(),
        crates: EDGE_CRATES,
    }];
    for d in DOMAINS {
        rules.push(Rule {
            dir: d,
            modules: vec!["api", "cli", "client", "server"],
            crates: EDGE_CRATES,
        });
    }
    for d in ["client", "cli"] {
        rules.push(Rule {
            dir: d,
            modules: vec!["api"],
            crates: &[],
        });
    }
    rules
}

/// `text` with comments blanked and the contents of string and char literals emptied, line
/// breaks kept.
fn code_only(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == '\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
        } else if c == 'r' && matches!(next, Some('"') | Some('#')) && !ident_char(prev(&b, i)) {
            // A raw string: r"...", r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            'raw: while j < b.len() {
                if b[j] == '"' && (0..hashes).all(|h| b.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break 'raw;
                }
                if b[j] == '\n' {
                    out.push('\n');
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                if b.get(i) == Some(&'\n') {
                    out.push('\n');
                }
                i += 1;
            }
            out.push_str("\"\"");
            i += 1;
        } else if c == '\''
            && (b.get(i + 2) == Some(&'\'') || (next == Some('\\') && b[i..].len() > 3))
        {
            // A char literal ('x', '\n', '\u{..}'); a lifetime has no closing quote.
            let mut j = i + 1;
            if b[j] == '\\' {
                j += 2;
            } else {
                j += 1;
            }
            while j < b.len() && b[j] != '\'' {
                j += 1;
            }
            out.push_str("' '");
            i = j + 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev(b: &[char], i: usize) -> char {
    if i == 0 { ' ' } else { b[i - 1] }
}

fn ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The identifier at `s[i..]`.
fn ident_at(s: &[char], mut i: usize) -> (String, usize) {
    while i < s.len() && s[i].is_whitespace() {
        i += 1;
    }
    let start = i;
    while i < s.len() && ident_char(s[i]) {
        i += 1;
    }
    (s[start..i].iter().collect(), i)
}

/// The first segment of every item of the group that opens at `s[i] == '{'`.
fn group_heads(s: &[char], i: usize) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut at_item_start = true;
    let mut j = i;
    while j < s.len() {
        match s[j] {
            '{' => {
                depth += 1;
                at_item_start = depth == 1;
                j += 1;
                continue;
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => {
                at_item_start = true;
                j += 1;
                continue;
            }
            c if at_item_start && depth == 1 && !c.is_whitespace() => {
                let (head, end) = ident_at(s, j);
                if !head.is_empty() {
                    heads.push(head);
                }
                at_item_start = false;
                j = end.max(j + 1);
                continue;
            }
            _ => {}
        }
        j += 1;
    }
    heads
}

/// The module path of a file under `src/` (`src/store/wal/mod.rs` -> `[store, wal]`).
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// Every path `code` starts: `(crate module or external crate, is_external)`.
fn paths(code: &str, module: &[String]) -> BTreeSet<(String, bool)> {
    let s: Vec<char> = code.chars().collect();
    let mut found = BTreeSet::new();
    let mut i = 0;
    while i < s.len() {
        if !ident_char(s[i]) || (i > 0 && (ident_char(s[i - 1]) || s[i - 1] == '$')) {
            i += 1;
            continue;
        }
        let (word, end) = ident_at(&s, i);
        // Whether this word starts a path (not `a::word`).
        let qualified = i >= 2 && s[i - 1] == ':' && s[i - 2] == ':';
        let after_sep = s.get(end) == Some(&':') && s.get(end + 1) == Some(&':');
        if qualified || !after_sep {
            i = end;
            continue;
        }
        match word.as_str() {
            "crate" | "super" | "self" => {
                // Resolve `super::super::x` from where the file sits.
                let mut base: Vec<String> = if word == "crate" {
                    Vec::new()
                } else {
                    module.to_vec()
                };
                let mut j = end + 2;
                if word == "super" {
                    base.pop();
                    loop {
                        let (next, e) = ident_at(&s, j);
                        if next == "super" && s.get(e) == Some(&':') {
                            base.pop();
                            j = e + 2;
                        } else {
                            break;
                        }
                    }
                }
                let heads = match s.get(j) {
                    Some('{') => group_heads(&s, j),
                    _ => vec![ident_at(&s, j).0],
                };
                for head in heads {
                    let first = base.first().cloned().unwrap_or(head);
                    found.insert((first, false));
                }
            }
            _ => {
                found.insert((word, true));
            }
        }
        i = end;
    }
    found
}

/// The violations of `rules` in one file (`rel` under `src/`).
fn violations(rel: &Path, text: &str, rules: &[Rule]) -> Vec<String> {
    let module = module_of(rel);
    let Some(top) = module.first() else {
        return Vec::new();
    };
    let used = paths(&code_only(text), &module);
    let mut out = Vec::new();
    for rule in rules.iter().filter(|r| r.dir == top) {
        for (name, external) in &used {
            let banned = if *external {
                rule.crates.contains(&name.as_str())
            } else {
                rule.modules.contains(&name.as_str())
            };
            if banned {
                let what = if *external { "the crate " } else { "crate::" };
                out.push(format!("src/{} uses {what}{name}", rel.display()));
            }
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn arrows_point_down_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let rules = rules();
    let mut found = Vec::new();
    let mut checked = BTreeSet::new();
    for f in &files {
        let rel = f.strip_prefix(&src).expect("under src");
        let text = std::fs::read_to_string(f).expect("read");
        found.extend(violations(rel, &text, &rules));
        checked.extend(module_of(rel).first().cloned());
    }
    for rule in &rules {
        assert!(
            checked.contains(rule.dir),
            "no file under src/{} was checked",
            rule.dir
        );
    }
    assert!(
        found.is_empty(),
        "imports against the layers of ARCHITECTURE.md §2:\n{}",
        found.join("\n")
    );
}

#[test]
fn checker_catches_each_kind_of_violation() {
    let rules = rules();
    let bad = |path: &str, text: &str| violations(Path::new(path), text, &rules);
    // Each kind is caught...
    assert_eq!(
        bad(
            "store/engine.rs",
            "use crate::workflow::status::StateStatus;"
        ),
        ["src/store/engine.rs uses crate::workflow"]
    );
    assert_eq!(
        bad("store/mod.rs", "pub use super::api::AppState;"),
        ["src/store/mod.rs uses crate::api"],
        "super:: from store/mod.rs is the crate root"
    );
    assert_eq!(
        bad(
            "store/state/leases.rs",
            "fn f() { let _ = super::super::super::objects::Fence::new(\"k\", 1); }"
        ),
        ["src/store/state/leases.rs uses crate::objects"]
    );
    assert_eq!(
        bad("store/wal/mod.rs", "use crate::{store::Op, admin::wire};"),
        ["src/store/wal/mod.rs uses crate::admin"]
    );
    assert_eq!(
        bad(
            "store/x.rs",
            "use axum::Json;\nfn f() -> clap::Command { todo!() }"
        ),
        [
            "src/store/x.rs uses the crate axum",
            "src/store/x.rs uses the crate clap"
        ]
    );
    assert_eq!(
        bad(
            "client/objects.rs",
            "use crate::api::v1::checkpoints::CheckpointOut;"
        ),
        ["src/client/objects.rs uses crate::api"]
    );
    assert_eq!(
        bad(
            "cli/server/start.rs",
            "use crate::{api::guard::Guard, cli};"
        ),
        ["src/cli/server/start.rs uses crate::api"]
    );
    assert_eq!(
        bad("objects/service.rs", "fn f(_: axum::http::HeaderMap) {}"),
        ["src/objects/service.rs uses the crate axum"]
    );
    assert_eq!(
        bad("workflow/views.rs", "use crate::api::error::ApiError;"),
        ["src/workflow/views.rs uses crate::api"]
    );
    // ... and what is allowed, or only mentioned, is not.
    for (path, text) in [
        (
            "store/engine.rs",
            "use crate::store::Op; use crate::time::format_ts;",
        ),
        (
            "store/engine.rs",
            "// see crate::workflow::status\n/* crate::api */",
        ),
        (
            "store/engine.rs",
            "/// [`crate::objects::Objects`] commits here.",
        ),
        (
            "store/engine.rs",
            r#"const S: &str = "crate::api::x"; const R: &str = r"use axum::Json";"#,
        ),
        ("store/state/x.rs", "use super::super::data::Body;"),
        (
            "api/v1/objects.rs",
            "use crate::objects::Objects; use axum::Json;",
        ),
        (
            "cli/put.rs",
            "use crate::client::Client; use crate::objects::ObjectOut;",
        ),
        (
            "store/x.rs",
            "fn axum_like<'a>(x: &'a str) -> char { my_reqwest::get(x); '\\'' }",
        ),
    ] {
        assert_eq!(bad(path, text), Vec::<String>::new(), "{path}: {text}");
    }
}
