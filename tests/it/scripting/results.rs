//! `rm` and `checkpoint prune` print their result on stdout in every format, with stable
//! field names; their summary goes to stderr, and `-q` silences it.

use serde_json::{Value, json};

use super::{run, texts};
use crate::server_cli::ServerProc;
use crate::util::TestDir;

fn put(t: &TestDir, srv: &ServerProc, ids: &[&str]) {
    for id in ids {
        let out = run(t, srv, &["put", "ns", id, "--type", "t", "--body", "1"]);
        assert!(out.status.success(), "{out:?}");
    }
}

#[test]
fn rm_prints_what_it_deleted_in_every_format() {
    let t = TestDir::new();
    let srv = ServerProc::start(&t, &t.path().join("state"));
    put(&t, &srv, &["a", "b", "c", "d", "e", "f", "g"]);

    let out = run(&t, &srv, &["rm", "ns", "a", "b"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        texts(&out),
        (
            "deleted ns/a\ndeleted ns/b\n".into(),
            "deleted 2 objects of ns\n".into()
        )
    );

    let out = run(&t, &srv, &["rm", "ns", "c", "d", "--output", "json"]);
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(v, json!([{"ns": "ns", "id": "c"}, {"ns": "ns", "id": "d"}]));
    assert_eq!(texts(&out).1, "deleted 2 objects of ns\n");

    let out = run(&t, &srv, &["rm", "ns", "e", "--output", "jsonl", "-q"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        texts(&out),
        ("{\"ns\":\"ns\",\"id\":\"e\"}\n".into(), String::new())
    );

    let out = run(&t, &srv, &["-q", "rm", "ns", "f"]);
    assert_eq!(
        texts(&out),
        ("deleted ns/f\n".into(), String::new()),
        "{out:?}"
    );

    // A failure stops the deletes; what was deleted before it is still on stdout.
    let out = run(&t, &srv, &["rm", "ns", "g", "missing", "--output", "json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let (stdout, stderr) = texts(&out);
    let v: Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert_eq!(v, json!([{"ns": "ns", "id": "g"}]));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: cannot delete ns/missing: "),
        "{stderr}"
    );
}

#[test]
fn checkpoint_prune_prints_what_it_deleted_in_every_format() {
    let t = TestDir::new();
    let srv = ServerProc::start(&t, &t.path().join("state"));
    put(&t, &srv, &["obj"]);
    let checkpoint = |name: &str| {
        let out = run(&t, &srv, &["checkpoint", "create", "ns", "obj", name]);
        assert!(out.status.success(), "{out:?}");
    };
    let prune = |keep: &str, extra: &[&str]| {
        let mut args = vec!["checkpoint", "prune", "ns", "obj", "--keep-last", keep];
        args.extend_from_slice(extra);
        let out = run(&t, &srv, &args);
        assert!(out.status.success(), "{out:?}");
        texts(&out)
    };
    for name in ["c1", "c2", "c3", "c4", "c5"] {
        checkpoint(name);
    }

    assert_eq!(
        prune("4", &[]),
        (
            "deleted c1\n".into(),
            "deleted 1 checkpoint(s) of ns/obj, kept the newest 4\n".into()
        )
    );
    let (stdout, stderr) = prune("2", &["--output", "json"]);
    let v: Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert_eq!(
        v,
        json!({"ns": "ns", "id": "obj", "deleted": ["c2", "c3"], "keep_last": 2})
    );
    assert!(stderr.starts_with("deleted 2 checkpoint(s)"), "{stderr}");
    assert_eq!(
        prune("1", &["--output", "jsonl", "-q"]),
        (
            "{\"ns\":\"ns\",\"id\":\"obj\",\"deleted\":[\"c4\"],\"keep_last\":1}\n".into(),
            String::new()
        )
    );
    assert_eq!(prune("0", &["-q"]), ("deleted c5\n".into(), String::new()));
    // Nothing left to delete: an empty list, still a document.
    let (stdout, _) = prune("0", &["--output", "json"]);
    let v: Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert_eq!(v["deleted"], json!([]), "{v}");
}
