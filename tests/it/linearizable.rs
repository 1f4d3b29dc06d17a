//! Linearizability across servers on one PostgreSQL (issue 21 §2): concurrent clients send
//! reads, writes, conditional writes (`If-Match`) and deletes on a few keys, each to a random
//! one of three servers, while servers are SIGKILLed and replaced at random. The recorded history is then
//! checked key by key against a register with a version (Wing & Gong's search with Lowe's
//! memoization, as Knossos and Porcupine do). A write whose answer was lost with its server
//! may or may not have happened: it is linearized anywhere after its call, or never.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use stmgr::client::{Client, ClientError};

use crate::postgres::harness::{Pg, Server};

/// What an operation did, as its client saw it.
#[derive(Clone, Debug)]
enum Call {
    /// A read: `None` for 404, else the value and its commit_seq.
    Read(Option<(u64, u64)>),
    /// An unconditional write of a value; `Some(seq)` when acknowledged.
    Write(u64, Option<u64>),
    /// A write of `value` if the key's commit_seq is `if_match` (0: absent); the outcome is
    /// `Some(Ok(seq))`, `Some(Err(()))` for 412, `None` when unknown.
    CondWrite {
        value: u64,
        if_match: u64,
        outcome: Option<Result<u64, ()>>,
    },
    /// A delete: `Some(true)` done, `Some(false)` 404, `None` unknown.
    Delete(Option<bool>),
}

#[derive(Clone, Debug)]
struct Op {
    call: Call,
    invoke: Instant,
    /// `None`: no answer (the server died); the op may have happened at any time after `invoke`.
    ret: Option<Instant>,
}

/// The register's state: absent, or the value (unique per write) present.
type State = Option<u64>;

/// The model: the state after `op` from `state`, or `None` when `op` cannot happen there.
/// `seq_of` maps a value to the commit_seq that wrote it (from acknowledgements and reads).
fn step(op: &Op, state: State, seq_of: &HashMap<u64, u64>) -> Option<State> {
    let matches = |if_match: u64| match state {
        None => if_match == 0,
        Some(v) => if_match != 0 && seq_of.get(&v) == Some(&if_match),
    };
    match &op.call {
        Call::Read(seen) => (seen.map(|(v, _)| v) == state).then_some(state),
        Call::Write(v, _) => Some(Some(*v)),
        Call::CondWrite {
            value,
            if_match,
            outcome,
        } => match outcome {
            Some(Err(())) => (!matches(*if_match)).then_some(state),
            _ => matches(*if_match).then_some(Some(*value)),
        },
        Call::Delete(Some(true)) | Call::Delete(None) => state.map(|_| None),
        Call::Delete(Some(false)) => state.is_none().then_some(None),
    }
}

/// Whether `ops` (one key's history) is linearizable.
fn linearizable(ops: &[Op]) -> bool {
    let mut seq_of = HashMap::new();
    for op in ops {
        match &op.call {
            Call::Read(Some((v, s)))
            | Call::Write(v, Some(s))
            | Call::CondWrite {
                value: v,
                outcome: Some(Ok(s)),
                ..
            } => {
                seq_of.insert(*v, *s);
            }
            _ => {}
        }
    }
    let words = ops.len().div_ceil(64);
    let mut seen: HashSet<(Vec<u64>, State)> = HashSet::new();
    // Depth-first over (done set, state); an explicit stack of (done, state, next candidate).
    let definite = ops.iter().filter(|o| o.ret.is_some()).count();
    let mut stack: Vec<(Vec<u64>, State, usize, usize)> = vec![(vec![0; words], None, 0, 0)];
    while let Some((done, state, from, n_done)) = stack.pop() {
        if n_done == definite {
            return true;
        }
        let is_done = |i: usize| done[i / 64] >> (i % 64) & 1 == 1;
        // Only an op called before every pending op's answer may go next.
        let horizon = (0..ops.len())
            .filter(|&i| !is_done(i))
            .filter_map(|i| ops[i].ret)
            .min();
        let Some(horizon) = horizon else { return true };
        for i in from..ops.len() {
            if is_done(i) || ops[i].invoke >= horizon {
                continue;
            }
            let Some(next) = step(&ops[i], state, &seq_of) else {
                continue;
            };
            let mut d = done.clone();
            d[i / 64] |= 1 << (i % 64);
            if !seen.insert((d.clone(), next)) {
                continue;
            }
            // Come back to the next candidate after this branch fails.
            stack.push((done, state, i + 1, n_done));
            let counted = usize::from(ops[i].ret.is_some());
            stack.push((d, next, 0, n_done + counted));
            break;
        }
    }
    false
}

/// A small, seedable generator (splitmix64): the seed is printed so a failure replays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

const KEYS: u64 = 3;
const NS: &str = "lin";

/// Runs one client's random operations until `stop`, returning `(key, op)` records.
async fn client_loop(
    id: u64,
    seed: u64,
    urls: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
) -> Vec<(u64, Op)> {
    let mut rng = Rng(seed ^ (id << 32));
    let mut clients: HashMap<String, Client> = HashMap::new();
    let mut last_seq: HashMap<u64, u64> = HashMap::new();
    let mut out = Vec::new();
    let mut counter = 0;
    while !stop.load(Ordering::SeqCst) {
        let url = {
            let u = urls.lock().unwrap();
            u[rng.below(u.len() as u64) as usize].clone()
        };
        let c = clients
            .entry(url.clone())
            .or_insert_with(|| Client::new(&url).unwrap())
            .clone();
        let key = rng.below(KEYS);
        let kid = format!("k{key}");
        counter += 1;
        let value = id * 1_000_000 + counter;
        let input = json!({"type": "t", "id": kid, "body": {"v": value}});
        let invoke = Instant::now();
        let dice = rng.below(100);
        let (call, answered) = if dice < 40 {
            match c.get(NS, &kid, None, None).await {
                Ok(o) => {
                    let v = serde_json::to_value(&o.body).unwrap()["v"]
                        .as_u64()
                        .unwrap();
                    last_seq.insert(key, o.commit_seq);
                    (Call::Read(Some((v, o.commit_seq))), true)
                }
                Err(ClientError::Api { status: 404, .. }) => {
                    last_seq.insert(key, 0);
                    (Call::Read(None), true)
                }
                // A read that failed did nothing: it is not part of the history.
                Err(_) => continue,
            }
        } else if dice < 65 {
            match c.put(NS, &input, None).await {
                Ok(o) => (Call::Write(value, Some(o.commit_seq)), true),
                Err(ClientError::Api { status, .. }) => panic!("write refused with {status}"),
                Err(_) => (Call::Write(value, None), false),
            }
        } else if dice < 90 {
            let if_match = last_seq.get(&key).copied().unwrap_or(0);
            let outcome = match c.put(NS, &input, Some(if_match)).await {
                Ok(o) => Some(Ok(o.commit_seq)),
                Err(ClientError::Api { status: 412, .. }) => Some(Err(())),
                Err(ClientError::Api { status, .. }) => panic!("cond write: {status}"),
                Err(_) => None,
            };
            let answered = outcome.is_some();
            let call = Call::CondWrite {
                value,
                if_match,
                outcome,
            };
            (call, answered)
        } else {
            match c.delete(NS, &kid).await {
                Ok(()) => (Call::Delete(Some(true)), true),
                Err(ClientError::Api { status: 404, .. }) => (Call::Delete(Some(false)), true),
                Err(ClientError::Api { status, .. }) => panic!("delete: {status}"),
                Err(_) => (Call::Delete(None), false),
            }
        };
        let ret = answered.then(Instant::now);
        out.push((key, Op { call, invoke, ret }));
    }
    out
}

#[test]
fn histories_across_servers_killed_at_random_are_linearizable() {
    let Some(pg) = Pg::start() else { return };
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("linearizability seed {seed}");
    let mut servers = [Server::start(&pg), Server::start(&pg), Server::start(&pg)];
    let urls = Arc::new(Mutex::new(
        servers.iter().map(|s| s.url.clone()).collect::<Vec<_>>(),
    ));
    let stop = Arc::new(AtomicBool::new(false));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let tasks: Vec<_> = (1..=6)
        .map(|id| rt.spawn(client_loop(id, seed, urls.clone(), stop.clone())))
        .collect();
    // Chaos: kill a random server and put a new one in its place, several times.
    let mut rng = Rng(seed);
    let mut kills = 0;
    let end = Instant::now() + Duration::from_secs(12);
    while Instant::now() < end {
        std::thread::sleep(Duration::from_millis(700 + rng.below(900)));
        let i = rng.below(servers.len() as u64) as usize;
        let fresh = Server::start(&pg);
        let old = std::mem::replace(&mut servers[i], fresh);
        urls.lock().unwrap()[i] = servers[i].url.clone();
        old.kill();
        kills += 1;
    }
    stop.store(true, Ordering::SeqCst);
    let mut by_key: BTreeMap<u64, Vec<Op>> = BTreeMap::new();
    for t in tasks {
        for (key, op) in rt.block_on(t).unwrap() {
            by_key.entry(key).or_default().push(op);
        }
    }
    let total: usize = by_key.values().map(Vec::len).sum();
    let unknown = by_key
        .values()
        .flatten()
        .filter(|o| o.ret.is_none())
        .count();
    eprintln!("{total} ops, {unknown} without an answer, {kills} servers killed");
    assert!(
        kills >= 3 && total >= 200,
        "too little history: {total} ops"
    );
    for (key, mut ops) in by_key {
        ops.sort_by_key(|o| o.invoke);
        assert!(
            linearizable(&ops),
            "key k{key} (seed {seed}): not linearizable: {ops:#?}"
        );
    }
}

fn at(base: Instant, invoke: u64, ret: Option<u64>, call: Call) -> Op {
    Op {
        call,
        invoke: base + Duration::from_millis(invoke),
        ret: ret.map(|r| base + Duration::from_millis(r)),
    }
}

/// The checker itself: it accepts overlapping operations in either order and refuses a
/// stale read, a lost acknowledged write and a conditional write on an old version.
#[test]
fn the_checker_refuses_what_is_not_linearizable() {
    let b = Instant::now();
    // Two overlapping writes; reads after both see the one that went last.
    let ok = vec![
        at(b, 0, Some(10), Call::Write(1, Some(5))),
        at(b, 1, Some(9), Call::Write(2, Some(6))),
        at(b, 11, Some(12), Call::Read(Some((1, 5)))),
    ];
    assert!(linearizable(&ok));
    // A stale read: after the write of 2 returned, a read sees 1.
    let stale = vec![
        at(b, 0, Some(1), Call::Write(1, Some(5))),
        at(b, 2, Some(3), Call::Write(2, Some(6))),
        at(b, 4, Some(5), Call::Read(Some((1, 5)))),
    ];
    assert!(!linearizable(&stale));
    // An acknowledged write then a read of nothing.
    let lost = vec![
        at(b, 0, Some(1), Call::Write(1, Some(5))),
        at(b, 2, Some(3), Call::Read(None)),
    ];
    assert!(!linearizable(&lost));
    // Two conditional writes on the same version both succeed: one of them is wrong.
    let cas = |v, s| Call::CondWrite {
        value: v,
        if_match: 5,
        outcome: Some(Ok(s)),
    };
    let double = vec![
        at(b, 0, Some(1), Call::Write(1, Some(5))),
        at(b, 2, Some(4), cas(2, 6)),
        at(b, 3, Some(5), cas(3, 7)),
    ];
    assert!(!linearizable(&double));
    // A write without an answer may have happened...
    let maybe = vec![
        at(b, 0, None, Call::Write(1, None)),
        at(b, 5, Some(6), Call::Read(Some((1, 9)))),
        at(b, 7, Some(8), Call::Delete(Some(true))),
        at(b, 9, Some(10), Call::Read(None)),
    ];
    assert!(linearizable(&maybe));
    // ...or not, but not after a read that came later saw nothing and then its value.
    let neither = vec![
        at(b, 0, Some(1), Call::Write(1, Some(4))),
        at(b, 2, None, Call::Delete(None)),
        at(b, 5, Some(6), Call::Read(None)),
        at(b, 7, Some(8), Call::Read(Some((1, 4)))),
    ];
    assert!(!linearizable(&neither));
}
