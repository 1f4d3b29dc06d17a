//! `-o` is `--output`, and `--no-headers` prints a table's rows only (no header, no borders,
//! one line per row) wherever it is given; json and jsonl are unchanged by it.

use serde_json::Value;

use super::{run, texts};
use crate::server_cli::ServerProc;
use crate::util::TestDir;

#[test]
fn short_o_is_output_and_no_headers_prints_rows_only() {
    let t = TestDir::new();
    let srv = ServerProc::start(&t, &t.path().join("state"));
    for (id, body) in [("a", "1"), ("b", r#"{"x":2}"#)] {
        let out = run(
            &t,
            &srv,
            &["put", "ns", id, "--type", "note", "--body", body],
        );
        assert!(out.status.success(), "{out:?}");
    }

    let long = run(&t, &srv, &["ls", "ns", "--output", "json"]);
    let short = run(&t, &srv, &["ls", "ns", "-o", "json"]);
    let before = run(&t, &srv, &["-o", "jsonl", "ls", "ns"]);
    assert!(long.status.success() && short.status.success(), "{short:?}");
    assert_eq!(short.stdout, long.stdout);
    let v: Value = serde_json::from_slice(&short.stdout).expect("-o json is JSON");
    assert!(v.is_array() || v.is_object(), "{v}");
    assert_eq!(texts(&before).0.lines().count(), 2, "{before:?}");
    let bad = run(&t, &srv, &["ls", "ns", "-o", "yaml"]);
    assert_eq!(bad.status.code(), Some(2), "{bad:?}");

    let table = texts(&run(&t, &srv, &["ls", "ns"])).0;
    assert!(table.lines().any(|l| l.contains("commit_seq")), "{table}");
    assert!(table.contains('│'), "{table}");

    for args in [
        &["ls", "ns", "--no-headers"][..],
        &["--no-headers", "ls", "ns"],
    ] {
        let out = run(&t, &srv, args);
        assert!(out.status.success(), "{out:?}");
        let rows = texts(&out).0;
        let lines: Vec<&str> = rows.lines().collect();
        assert_eq!(lines.len(), 2, "{rows}");
        assert!(lines[0].starts_with("a  note  "), "{rows}");
        assert!(lines[1].starts_with("b  note  "), "{rows}");
        assert!(lines[1].ends_with(r#"{"x":2}"#), "{rows}");
        assert!(
            !rows.contains('│') && !rows.contains("commit_seq"),
            "{rows}"
        );
        let cols: Vec<&str> = lines[0].split_whitespace().collect();
        assert_eq!(cols[0], "a");
        assert!(cols[2].parse::<u64>().is_ok(), "commit_seq column: {rows}");
    }

    // Nothing at all for no rows; json is not changed by it.
    let empty = run(&t, &srv, &["ls", "other", "--no-headers"]);
    assert!(empty.status.success(), "{empty:?}");
    assert_eq!(texts(&empty).0, "");
    let json = run(&t, &srv, &["ls", "ns", "-o", "json", "--no-headers"]);
    assert_eq!(json.stdout, long.stdout);
}
