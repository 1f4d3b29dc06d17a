//! `supervise events` (GET /events, SSE): a snapshot, then every state change in order.

use serde_json::Value;

use super::Sup;

#[test]
fn events_show_every_state_change_in_order() {
    let sup = Sup::start(
        "[process.job]\ncommand = 'sh'\nargs = ['-c', 'echo hi; exit 3']\nautostart = false\n\
         restart_delay = '50ms'\nstart_limit = 2\n\
         [process.pair]\ncommand = 'sh'\nargs = ['-c', 'exit 0']\nreplicas = 2\nautostart = false\n",
    );
    let mut events = sup.cli_spawn(&["events", "-o", "jsonl"]);
    // One snapshot per instance (job, pair.0, pair.1), before any change.
    for _ in 0..3 {
        let line = events.wait_line(|_| true);
        assert!(line.contains("\"snapshot\""), "{line}");
    }
    assert!(sup.cli(&["start", "job"]).status.success());
    sup.wait_state("job", "FATAL");
    assert!(sup.cli(&["stop", "job"]).status.success());
    assert!(sup.cli(&["start", "pair"]).status.success());
    events.wait_line(|l| l.contains("\"name\":\"job\"") && l.contains("\"STOPPED\""));
    for name in ["pair.0", "pair.1"] {
        sup.wait_state(name, "EXITED");
    }
    // Either replica may end first.
    let exited = |seen: &[String], name: &str| {
        seen.iter()
            .any(|l| l.contains(&format!("\"name\":\"{name}\"")) && l.contains("\"EXITED\""))
    };
    while !(exited(&events.seen, "pair.0") && exited(&events.seen, "pair.1")) {
        events.wait_line(|_| true);
    }
    let states: Vec<Value> = events
        .seen
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["event"] == "state")
        .map(|v| v["data"].clone())
        .collect();
    let of = |name: &str| -> Vec<String> {
        states
            .iter()
            .filter(|d| d["name"] == name)
            .map(|d| d["state"].as_str().unwrap().to_owned())
            .collect()
    };
    // Two runs (start limit 2), each STARTING then RUNNING then BACKOFF; the third start is
    // refused: FATAL; `stop` makes it STOPPED.
    assert_eq!(
        of("job"),
        [
            "STARTING", "RUNNING", "BACKOFF", "STARTING", "RUNNING", "BACKOFF", "FATAL", "STOPPED"
        ]
    );
    for name in ["pair.0", "pair.1"] {
        assert_eq!(of(name), ["STARTING", "RUNNING", "EXITED"], "{name}");
    }
    // Sequence numbers increase by one across instances, in the order they are sent.
    let seqs: Vec<u64> = states.iter().map(|d| d["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    let job_exits: Vec<&Value> = states
        .iter()
        .filter(|d| d["name"] == "job" && d["state"] == "BACKOFF")
        .collect();
    assert!(
        job_exits.iter().all(|d| d["last_exit"]["code"] == 3),
        "{job_exits:?}"
    );
    // The last event of each instance is its status now.
    let now = sup.one("job");
    let last = states.iter().rev().find(|d| d["name"] == "job").unwrap();
    assert_eq!(
        (&last["state"], &last["restarts"]),
        (&now["state"], &now["restarts"])
    );
}
