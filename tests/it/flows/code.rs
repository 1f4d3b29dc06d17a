//! A rollback restores the code too: each deploy snapshots the worker's `code` directory into
//! the flow's data directory and the replicas run from the snapshot, so when the operator
//! overwrote the directory with a broken version and deployed it, the rolled-back replica runs
//! the previous code from its snapshot.

use std::path::Path;

use serde_json::Value;

use super::{flow, status, wait_ready};
use crate::server_cli::ServerProc;
use crate::util::{TestDir, wait_until};

/// Version `v` of the worker's code: `run.sh` logs `VERSION STMGR_FLOW_CODE PWD` and, unless
/// `broken`, says `ready` and sleeps; broken, it exits 1 at once.
fn write_code(dir: &Path, v: &str, broken: bool) {
    std::fs::create_dir_all(dir).unwrap();
    let tail = if broken {
        "exit 1\n"
    } else {
        "echo ready\nexec /bin/sleep 1000\n"
    };
    std::fs::write(
        dir.join("run.sh"),
        format!(
            "cat version >> \"$OUT/log\"\necho \" $STMGR_FLOW_CODE $PWD\" >> \"$OUT/log\"\n{tail}"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("version"), v).unwrap();
}

fn log_lines(t: &TestDir) -> Vec<String> {
    std::fs::read_to_string(t.path().join("out/log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_rollback_runs_the_previous_code_although_the_directory_was_overwritten() {
    let t = TestDir::new();
    let data = t.path().join("data");
    let srv = ServerProc::start(&t, &data);
    let code = t.path().join("src");
    let out = t.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let manifest = t.write(
        "code.toml",
        &format!(
            "name = \"coded\"\n[workers.w]\ncommand = \"/bin/sh\"\nargs = [\"run.sh\"]\n\
             code = \"{}\"\nready_timeout = \"3s\"\nstop_timeout = \"2s\"\n\
             env = {{ OUT = \"{}\" }}\n[workers.w.readiness]\nlog_line = \"^ready\"\n",
            code.display(),
            out.display()
        ),
    );
    let deploy = || flow(&t, &srv, &["deploy", manifest.to_str().unwrap(), "--wait"]);

    write_code(&code, "v1", false);
    let (rc, v, err) = deploy();
    assert_eq!((rc, &v["deploy"]), (0, &Value::from("ready")), "{err}");
    let before = wait_ready(&t, &srv, "coded", 1);
    let lines = log_lines(&t);
    assert_eq!(lines.len(), 1, "{lines:?}");
    // The replica runs from the snapshot in the data directory, not from the source.
    let (version, rest) = lines[0].split_once(' ').unwrap();
    assert_eq!(version, "v1");
    let (env_code, pwd) = rest.split_once(' ').unwrap();
    assert_eq!(env_code, pwd, "the working directory is the snapshot");
    let snap_root = std::fs::canonicalize(data.join("flows/coded/code")).unwrap();
    let v1_dir = std::fs::canonicalize(env_code).unwrap();
    assert_eq!(v1_dir.parent().unwrap(), snap_root, "{env_code}");
    let st = status(&t, &srv, "coded");
    let id = st["manifest"]["workers"]["w"]["code_id"].as_str().unwrap();
    assert_eq!(v1_dir.file_name().unwrap().to_str().unwrap(), id);

    // The same directory again: same snapshot, nothing to deploy.
    let (rc, v, _) = deploy();
    assert_eq!((rc, &v["changed"]), (0, &Value::Bool(false)), "{v}");

    // The operator overwrites the code with a broken version and deploys it.
    write_code(&code, "v2", true);
    let (rc, v, err) = deploy();
    assert_eq!(rc, 1, "{v} {err}");
    assert_eq!(v["deploy"], "rolled_back", "{v}");
    let after = wait_ready(&t, &srv, "coded", 1);
    assert_ne!(after[0].1, before[0].1, "the rollout replaced the replica");
    // v2 ran (and failed) from its own snapshot; the replica back in place runs v1's.
    let lines = log_lines(&t);
    assert!(lines.iter().any(|l| l.starts_with("v2 ")), "{lines:?}");
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("v1 ") && last.contains(v1_dir.to_str().unwrap()),
        "{lines:?}"
    );
    assert_eq!(
        std::fs::read_to_string(v1_dir.join("version")).unwrap(),
        "v1"
    );
    let st = status(&t, &srv, "coded");
    assert_eq!(st["manifest"]["workers"]["w"]["code_id"], id);

    // A SIGKILLed replica comes back on v1 too (its spec points at the snapshot).
    let pid = after[0].1;
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(i32::try_from(pid).unwrap()).unwrap(),
        rustix::process::Signal::KILL,
    )
    .unwrap();
    wait_until(std::time::Duration::from_secs(20), "w-0 restarted", || {
        let v = status(&t, &srv, "coded");
        v["replicas"][0]["ready"] == true && v["replicas"][0]["pid"].as_i64() != Some(pid)
    });
    assert!(log_lines(&t).last().unwrap().starts_with("v1 "));

    // Successive good versions: old snapshots are removed; what stays is the deployed one, the
    // one in place at that deploy and its predecessor, and the KEEP most recent others.
    for i in 3..10 {
        write_code(&code, &format!("v{i}"), false);
        let (rc, _, err) = deploy();
        assert_eq!(rc, 0, "v{i}: {err}");
    }
    let snaps = std::fs::read_dir(&snap_root).unwrap().count();
    assert!(
        snaps <= 3 + stmgr::flow::code::KEEP,
        "{snaps} snapshots are left"
    );
    // Removing the flow removes its snapshots.
    let (rc, _, err) = flow(&t, &srv, &["rm", "coded"]);
    assert_eq!(rc, 0, "{err}");
    assert!(!data.join("flows/coded").exists());
}
