//! Per-process settings end to end: `fatal_reset_after`, `replicas`, `env_files` and `env`
//! precedence, `cwd`, and echoed output.

use std::collections::BTreeSet;
use std::time::Duration;

use super::{Sup, pid_of};
use crate::util::{TestDir, wait_until};

#[test]
fn fatal_resets_by_itself_after_the_quiet_period() {
    let sup = Sup::start(
        "[process.crash]\ncommand = 'sh'\nargs = ['-c', 'echo boom; exit 1']\n\
         restart_delay = '50ms'\nstart_limit = 2\nstart_limit_window = '1m'\n\
         fatal_reset_after = '1500ms'\n\
         [process.stays]\ncommand = 'sh'\nargs = ['-c', 'echo boom; exit 1']\n\
         restart_delay = '50ms'\nstart_limit = 2\n",
    );
    sup.wait_state("crash", "FATAL");
    // Two runs, then FATAL; 1.5 s later two more runs, then FATAL again.
    let mut stamps = Vec::new();
    wait_until(Duration::from_secs(30), "four runs of crash", || {
        stamps = sup
            .logs("crash")
            .iter()
            .filter(|l| l.ends_with("stdout boom"))
            .map(|l| stmgr::time::parse_ts(l.split(' ').next().unwrap()).unwrap())
            .collect::<Vec<i64>>();
        stamps.len() >= 4
    });
    let gaps: Vec<i64> = stamps.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        gaps[0] < 1000,
        "the first restart waits only its delay: {gaps:?}"
    );
    assert!(
        gaps[1] >= 1500,
        "the reset waits for fatal_reset_after: {gaps:?}"
    );
    // Without fatal_reset_after it stays FATAL (it got as long as `crash` did, and more).
    let p = sup.one("stays");
    assert_eq!(p["state"], "FATAL", "{p}");
    let runs = sup
        .log_texts("stays")
        .iter()
        .filter(|l| l.ends_with("boom"))
        .count();
    assert_eq!(runs, 2);
}

#[test]
fn replicas_run_as_distinct_instances_with_their_own_numbers_and_logs() {
    let sup = Sup::start(
        "[process.web]\ncommand = 'sh'\n\
         args = ['-c', 'echo \"$STMGR_PROCESS $STMGR_INSTANCE $STMGR_REPLICA $$\"; exec sleep 1000']\n\
         replicas = 3\n",
    );
    let mut pids = BTreeSet::new();
    for i in 0..3 {
        let name = format!("web.{i}");
        let p = sup.wait_state(&name, "RUNNING");
        let pid = pid_of(&p);
        pids.insert(pid);
        wait_until(Duration::from_secs(10), "its line", || {
            !sup.log_texts(&name).is_empty()
        });
        assert_eq!(sup.log_texts(&name), [format!("web {name} {i} {pid}")]);
    }
    assert_eq!(pids.len(), 3, "distinct pids: {pids:?}");
    let names: Vec<String> = sup
        .status()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["web.0", "web.1", "web.2"]);
    // One instance can be stopped alone; the process name reaches all of them.
    assert!(sup.cli(&["stop", "web.1"]).status.success());
    assert_eq!(sup.one("web.1")["state"], "STOPPED");
    for name in ["web.0", "web.2"] {
        let p = sup.one(name);
        assert!(p["state"] == "RUNNING" && pids.contains(&pid_of(&p)), "{p}");
    }
    assert!(sup.cli(&["stop", "web"]).status.success());
    assert!(sup.status().iter().all(|p| p["state"] == "STOPPED"));
}

#[test]
fn env_files_env_and_cwd_are_applied_at_each_start_in_the_documented_order() {
    let t = TestDir::new();
    let a = t.write(
        "a.env",
        "# first\nA=from-a\nB=from-a\nexport C='quoted c'\n",
    );
    let b = t.write("b.env", "B=from-b\nD=from-b\n");
    std::fs::create_dir(t.path().join("work")).unwrap();
    let procs = format!(
        "[process.show]\ncommand = 'sh'\n\
         args = ['-c', 'echo \"A=$A B=$B C=$C D=$D E=$E S=$S dir=$(pwd)\"']\n\
         env_files = ['{}', '{}']\nenv = {{ D = 'from-table', S = 'from-table' }}\ncwd = '{}'\n\
         [process.nowhere]\ncommand = 'sh'\nargs = ['-c', 'true']\ncwd = '{}'\nrestart = 'never'\n",
        a.display(),
        b.display(),
        t.path().join("work").display(),
        t.path().join("no-such-dir").display(),
    );
    let file = t.write("procs.toml", &procs);
    let work = t.path().join("work").canonicalize().unwrap();
    // The supervisor's own environment is the base; env files then `env` override it.
    let sup = Sup::start_env(
        t,
        &["--config".into(), file.display().to_string()],
        &[
            ("E", "from-supervisor"),
            ("A", "from-supervisor"),
            ("S", "from-supervisor"),
        ],
    );
    sup.wait_state("show", "EXITED");
    let expect = format!(
        "A=from-a B=from-b C=quoted c D=from-table E=from-supervisor S=from-table dir={}",
        work.display()
    );
    assert_eq!(sup.log_texts("show"), [expect]);
    // Env files are read again at each start.
    std::fs::write(sup.t.path().join("b.env"), "B=changed\n").unwrap();
    assert!(sup.cli(&["start", "show"]).status.success());
    wait_until(Duration::from_secs(20), "the second run's line", || {
        sup.log_texts("show").len() == 2
    });
    let second = &sup.log_texts("show")[1];
    assert!(
        second.starts_with("A=from-a B=changed C=quoted c D=from-table"),
        "{second}"
    );
    // A working directory that does not exist: the start fails and says why.
    let p = sup.wait_state("nowhere", "FATAL");
    let reason = p["reason"].as_str().unwrap();
    assert!(reason.contains("cannot start sh"), "{p}");
    // A missing env file, likewise.
    std::fs::remove_file(sup.t.path().join("a.env")).unwrap();
    assert!(sup.cli(&["start", "show"]).status.success());
    let p = sup.wait_for("show", "a failed start", |p| {
        p["reason"].as_str().is_some_and(|r| r.contains("a.env"))
    });
    assert_ne!(p["state"], "RUNNING");
}

#[test]
fn echo_copies_output_lines_to_the_supervisor_with_instance_prefixes() {
    let sup = Sup::start(
        "[process.loud]\ncommand = 'sh'\nargs = ['-c', 'echo out line; echo err line >&2']\n\
         replicas = 2\nlog = { echo = true }\n\
         [process.quiet]\ncommand = 'sh'\nargs = ['-c', 'echo hush']\n",
    );
    for name in ["loud.0", "loud.1", "quiet"] {
        sup.wait_state(name, "EXITED");
    }
    wait_until(Duration::from_secs(10), "echoed lines", || {
        sup.stdout().lines().count() >= 4
    });
    let out = sup.stdout();
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        [
            "[loud.0] err line",
            "[loud.0] out line",
            "[loud.1] err line",
            "[loud.1] out line"
        ],
        "{out}"
    );
    // Echoed lines are still logged; quiet's are only logged.
    assert_eq!(sup.log_texts("loud.0").len(), 2);
    assert_eq!(sup.log_texts("quiet"), ["hush"]);
}
