//! Workflows and leases on servers sharing one PostgreSQL (issue 21 §2): states of one run
//! claimed by runtimes on different servers run once each, a cron trigger fires once per
//! occurrence when its leader dies between two occurrences, and an expired lease whose
//! holder's server died goes to exactly one of many racing owners on the other servers.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::postgres::harness::{Pg, Server};
use crate::util::wait_until;
use crate::workflows::{V0, env, node};

/// A runtime on one server: claims `A` and `B` states until `done`, records every claimed
/// state id in `claimed`. An `A` fans out into `fan` `B` states.
fn runtime(url: String, fan: usize, claimed: Arc<Mutex<Vec<String>>>, done: Arc<Mutex<bool>>) {
    let v0 = V0::new(&url, "wf");
    while !*done.lock().unwrap() {
        let got = v0.ok(
            "POST",
            "/states/enqueue",
            Some(json!({"nodes": ["A", "B"], "batch_size": 3})),
        );
        let states = got["states"].as_array().cloned().unwrap_or_default();
        if states.is_empty() {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        for s in states {
            let id = s["state_id"].as_str().unwrap().to_owned();
            claimed.lock().unwrap().push(id.clone());
            let outputs: Vec<Value> = if s["node_name"] == "A" {
                (0..fan)
                    .map(|i| json!({"x": format!("part-{i}")}))
                    .collect()
            } else {
                vec![json!({"x": "done"})]
            };
            v0.ok(
                "POST",
                &format!("/state/{id}/executed"),
                Some(json!({ "outputs": outputs })),
            );
        }
    }
}

#[test]
fn states_claimed_through_two_servers_run_once_each() {
    let Some(pg) = Pg::start() else { return };
    let a = Server::start_env(&pg, &env());
    let b = Server::start_env(&pg, &env());
    let v0 = V0::new(&a.url, "wf");
    v0.register(&["A", "B"]);
    v0.upsert_valid(
        "fan",
        json!({"secrets": {}, "nodes": [
            node("A", "a", "go", &["b"]),
            node("B", "b", "${{ a.outputs.x }}", &[]),
        ]}),
    );
    const FAN: usize = 40;
    const RUNS: usize = 3;
    let runs: Vec<String> = (0..RUNS)
        .map(|_| {
            v0.ok("POST", "/graph/fan/trigger", Some(json!({})))["run_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let claimed = Arc::new(Mutex::new(Vec::new()));
    let done = Arc::new(Mutex::new(false));
    // Two runtimes on each server, all claiming at once.
    let workers: Vec<_> = [&a.url, &a.url, &b.url, &b.url]
        .into_iter()
        .map(|url| {
            let (url, claimed, done) = (url.clone(), claimed.clone(), done.clone());
            std::thread::spawn(move || runtime(url, FAN, claimed, done))
        })
        .collect();
    let vb = V0::new(&b.url, "wf");
    wait_until(Duration::from_secs(60), "every run succeeds", || {
        runs.iter().all(|r| vb.run(r)["status"] == "SUCCESS")
    });
    *done.lock().unwrap() = true;
    for w in workers {
        w.join().unwrap();
    }
    let claimed = claimed.lock().unwrap();
    let unique: BTreeSet<&String> = claimed.iter().collect();
    assert_eq!(unique.len(), claimed.len(), "a state was claimed twice");
    assert_eq!(claimed.len(), RUNS * (1 + FAN));
    for r in &runs {
        let run = v0.run(r);
        // An A executed with FAN outputs counts as FAN A states (one per output), each
        // followed by its B.
        assert_eq!(run["success_count"].as_u64(), Some(2 * FAN as u64), "{run}");
    }
}

/// The runs of graph `name`, as seen through `v0`.
fn runs_of(v0: &V0, name: &str) -> usize {
    let page = v0.ok("GET", "/runs/1/100", None);
    page["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["graph_name"] == name)
        .count()
}

#[test]
fn a_cron_occurrence_fires_once_when_the_leader_dies_between_occurrences() {
    let Some(pg) = Pg::start() else { return };
    // A starts first and leads: it runs the workflow loop, and so fires cron triggers.
    let a = Server::start_env(&pg, &env());
    let b = Server::start_env(&pg, &env());
    let vb = V0::new(&b.url, "wf");
    vb.register(&["A"]);
    let cron = json!({"expression": "* * * * *"});
    vb.upsert_valid(
        "tick",
        json!({"secrets": {}, "triggers": [{"type": "CRON", "value": cron}],
               "nodes": [node("A", "a", "x", &[])]}),
    );
    // The first occurrence (the next minute) fires on A.
    wait_until(Duration::from_secs(70), "the first occurrence", || {
        runs_of(&vb, "tick") >= 1
    });
    let first = Instant::now();
    a.kill();
    // B takes the lead; it must not fire the first occurrence again, and fires the second.
    wait_until(Duration::from_secs(70), "the second occurrence", || {
        runs_of(&vb, "tick") >= 2
    });
    assert!(
        first.elapsed() > Duration::from_secs(30),
        "fired again early"
    );
    // A late duplicate of either would show by the next tick of the loop (once a second).
    let settle = Instant::now() + Duration::from_secs(3);
    while Instant::now() < settle {
        assert_eq!(runs_of(&vb, "tick"), 2, "an occurrence fired twice");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `POST /v1/ns/lease/acquire` on `url`: the token, or `None` for 409.
fn acquire(url: &str, owner: &str, ttl: u64) -> Option<u64> {
    let resp = reqwest::blocking::Client::new()
        .post(format!("{url}/v1/ns/lease/acquire"))
        .json(&json!({"key": "job", "owner": owner, "ttl": ttl}))
        .send()
        .unwrap();
    match resp.status().as_u16() {
        200 => Some(resp.json::<Value>().unwrap()["token"].as_u64().unwrap()),
        409 => None,
        other => panic!("acquire: {other} {}", resp.text().unwrap_or_default()),
    }
}

#[test]
fn an_expired_lease_goes_to_one_owner_when_its_holders_server_died() {
    let Some(pg) = Pg::start() else { return };
    let a = Server::start(&pg);
    let b = Server::start(&pg);
    let c = Server::start(&pg);
    let first = acquire(&a.url, "w0", 1).expect("the first acquire");
    a.kill();
    // Held until it expires: refused on the other servers.
    assert_eq!(acquire(&b.url, "early", 30), None);
    // Its ttl passes (time, not readiness: nothing to poll).
    std::thread::sleep(Duration::from_millis(1_200));
    // Eight owners race on two servers: one wins, with a newer token.
    let winners: Vec<(String, u64)> = std::thread::scope(|s| {
        let tries: Vec<_> = (0..8)
            .map(|i| {
                let url = if i % 2 == 0 { &b.url } else { &c.url };
                s.spawn(move || {
                    acquire(url, &format!("w{}", i + 1), 30).map(|t| (format!("w{}", i + 1), t))
                })
            })
            .collect();
        tries
            .into_iter()
            .filter_map(|t| t.join().unwrap())
            .collect()
    });
    assert_eq!(winners.len(), 1, "{winners:?}");
    assert!(winners[0].1 > first, "{winners:?} after {first}");
}
