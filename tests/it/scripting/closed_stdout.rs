//! A closed stdout (`stmgr ls | head -1`) is success: every command that prints exits 0 and
//! says nothing when its stdout is a pipe whose read end is already closed, in every format
//! it prints. The read end is dropped before the command starts, so the first write fails,
//! always (with `| head` the race decides).
//!
//! [`CASES`] must name every command of `stmgr::cli::command()` that can run, unless it is in
//! [`NEVER_WRITES_STDOUT`]: a new command fails this test until it is covered.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::Reaped;
use crate::server_cli::ServerProc;
use crate::util::TestDir;
use crate::workflow_cli::{CHAIN, chain_run};
use crate::workflows::{API_KEY, V0, env};

/// Commands that never write to stdout, and why.
const NEVER_WRITES_STDOUT: &[&str] = &[
    // Serves until stopped; its status lines and logs go to stderr.
    "server start",
    // Writes completion and man page files; says which on stderr.
    "generate",
    // Supervises until stopped; status lines go to stderr (stdout only with `log.echo`).
    "supervise run",
    // Says "sent SIGNAL to NAME" on stderr.
    "supervise signal",
    // Says "flow NAME removed" on stderr.
    "flow rm",
];

const ALL: &[&str] = &["table", "json", "jsonl"];

/// One command line to check, in the `formats` in which it prints on stdout.
struct Case {
    /// The command, as its names in the clap tree (`checkpoint prune`).
    path: &'static str,
    formats: &'static [&'static str],
    /// Whether it runs against the server (else offline, once the server has stopped).
    online: bool,
    /// The arguments after `--output FORMAT`, made for each run: commands that delete or
    /// cancel get something new to delete or cancel every time.
    args: fn(&Fixture) -> Vec<String>,
}

const fn online(
    path: &'static str,
    formats: &'static [&'static str],
    args: fn(&Fixture) -> Vec<String>,
) -> Case {
    Case {
        path,
        formats,
        online: true,
        args,
    }
}

const fn offline(path: &'static str, args: fn(&Fixture) -> Vec<String>) -> Case {
    Case {
        path,
        formats: ALL,
        online: false,
        args,
    }
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

const CASES: &[Case] = &[
    online("put", ALL, |f| {
        words(&format!("put ns {} --type t --body 1", f.fresh("p")))
    }),
    online("get", ALL, |_| words("get ns obj")),
    online("rm", ALL, |f| {
        let id = f.fresh("r");
        f.ok(&words(&format!("put ns {id} --type t --body 1")));
        words(&format!("rm ns {id}"))
    }),
    online("ls", ALL, |_| words("ls ns")),
    online("query", ALL, |_| words("query ns --tag team=a")),
    online("watch", ALL, |_| words("watch ns --from 0 --count 1")),
    online("status", ALL, |_| words("status")),
    online("checkpoint create", ALL, |f| {
        words(&format!("checkpoint create ns obj {}", f.fresh("c")))
    }),
    online("checkpoint list", ALL, |_| words("checkpoint list ns obj")),
    online("checkpoint restore", ALL, |_| {
        words("checkpoint restore ns obj base")
    }),
    online("checkpoint prune", ALL, |f| {
        f.ok(&words(&format!(
            "checkpoint create ns obj {}",
            f.fresh("c")
        )));
        words("checkpoint prune ns obj --keep-last 1")
    }),
    online("graph upload", ALL, |f| {
        let mut args = words("graph upload --name up");
        args.push(f.chain_file.display().to_string());
        args
    }),
    online("graph validate", ALL, |f| {
        vec![
            "graph".into(),
            "validate".into(),
            f.chain_file.display().to_string(),
        ]
    }),
    online("graph delete", ALL, |f| {
        let name = f.fresh("gone");
        let mut upload = words(&format!("graph upload --name {name}"));
        upload.push(f.chain_file.display().to_string());
        f.ok(&upload);
        words(&format!("graph delete {name} --ns wf"))
    }),
    online("graph list", ALL, |_| words("graph list --ns wf")),
    online("graph show", ALL, |_| words("graph show chain --ns wf")),
    online("graph trigger", ALL, |_| {
        words("graph trigger chain --ns wf --store k=v")
    }),
    online("node list", ALL, |_| words("node list --ns wf")),
    online("run list", ALL, |_| words("run list --ns wf")),
    online("run show", ALL, |f| {
        words(&format!("run show {} --ns wf", f.run))
    }),
    online("run show", &["table"], |f| {
        words(&format!("run show {} --ns wf --tree", f.run))
    }),
    online("run show", ALL, |f| {
        words(&format!("run show {} --ns wf --state {}", f.run, f.errored))
    }),
    online("run cancel", ALL, |f| {
        let run = f.ok(&words(
            "graph trigger chain --ns wf --store k=v --output json",
        ));
        let run: Value = serde_json::from_str(&run).expect("trigger answers JSON");
        let run = run["run_id"].as_str().expect("a run_id").to_owned();
        words(&format!("run cancel {run} --ns wf"))
    }),
    online("state retry", ALL, |f| {
        words(&format!("state retry {} --ns wf", f.errored))
    }),
    online("bench", ALL, |f| {
        words(&format!(
            "bench --op put -c 1 --count 5 --token {}",
            f.token
        ))
    }),
    online("snapshot", ALL, |_| words("snapshot")),
    online("snapshot list", ALL, |_| words("snapshot list")),
    online("snapshot prune", ALL, |_| {
        words("snapshot prune --keep-last 1000 --dry-run")
    }),
    online("snapshot rm", ALL, |f| {
        words(&format!("snapshot rm {}", f.new_snapshot()))
    }),
    online("trim-wal", ALL, |f| {
        words(&format!("trim-wal --snapshot-id {} --dry-run", f.snapshot))
    }),
    // Online, admin dump prints JSON only.
    online("admin dump", &["json", "jsonl"], |_| words("admin dump")),
    online("token issue", ALL, |_| {
        words("token issue --ns ns --verbs get --ttl 1h")
    }),
    online("token inspect", ALL, |f| {
        words(&format!("token inspect {}", f.token))
    }),
    online("keys generate", ALL, |_| words("keys generate")),
    // Scripts, not results: the output format does not apply, so one run each.
    Case {
        path: "completions",
        formats: &["table"],
        online: false,
        args: |_| words("completions bash"),
    },
    Case {
        path: "man",
        formats: &["table"],
        online: false,
        args: |_| words("man"),
    },
    online("supervise status", ALL, |_| words("supervise status")),
    online("supervise start", ALL, |_| words("supervise start idle")),
    online("supervise restart", ALL, |_| {
        words("supervise restart idle")
    }),
    online("supervise stop", ALL, |_| words("supervise stop idle")),
    online("supervise reload", ALL, |_| words("supervise reload")),
    online("supervise logs", ALL, |_| words("supervise logs idle")),
    online("supervise events", ALL, |_| {
        words("supervise events --count 1")
    }),
    online("supervise checkpoint", ALL, |_| {
        words("supervise checkpoint")
    }),
    online("supervise checkpoints", ALL, |_| {
        words("supervise checkpoints")
    }),
    online("supervise restore", ALL, |f| {
        let made: Value =
            serde_json::from_str(&f.ok(&words("supervise checkpoint -o json"))).expect("JSON");
        let id = made[0]["checkpoint_id"].as_str().expect("an id");
        words(&format!("supervise restore {id}"))
    }),
    // Last of the supervise cases: it stops `idle` until the lease is taken again. `--force`
    // answers also once the lease is released (the second and third formats).
    online("supervise release-lease", ALL, |_| {
        words("supervise release-lease --force")
    }),
    online("flow deploy", ALL, |f| {
        let file = f.flow_file(&f.fresh("fl"));
        words(&format!("flow deploy {}", file.display()))
    }),
    online("flow ls", ALL, |_| words("flow ls")),
    online("flow status", ALL, |f| {
        f.flow("cs");
        words("flow status cs")
    }),
    online("flow start", ALL, |f| {
        f.flow("cs");
        words("flow start cs")
    }),
    online("flow stop", ALL, |f| {
        f.flow("cs");
        words("flow stop cs")
    }),
    online("flow restart", ALL, |f| {
        f.flow("cs");
        words("flow restart cs")
    }),
    online("flow scale", ALL, |f| {
        f.flow("cs");
        words("flow scale cs 1")
    }),
    online("flow send", ALL, |f| {
        f.socket_flow();
        words("flow send sock echo --data 1")
    }),
    online("flow dump", ALL, |f| {
        f.socket_flow();
        words("flow dump sock")
    }),
    online("flow events", ALL, |f| {
        f.flow("cs");
        words("flow events cs")
    }),
    // `sock`'s worker prints `ready` (`cs`'s prints nothing).
    online("flow logs", ALL, |f| {
        f.socket_flow();
        words("flow logs sock")
    }),
    offline("snapshot", |_| words("snapshot")),
    offline("snapshot list", |_| words("snapshot list")),
    offline("snapshot prune", |_| {
        words("snapshot prune --keep-last 1000 --dry-run")
    }),
    offline("snapshot rm", |f| {
        words(&format!("snapshot rm {}", f.new_snapshot()))
    }),
    offline("trim-wal", |f| {
        words(&format!(
            "trim-wal --snapshot-id {} --dry-run",
            f.new_snapshot()
        ))
    }),
    offline("restore", |f| {
        words(&format!("restore --snapshot-id {} --yes", f.new_snapshot()))
    }),
    offline("migrate", |f| f.migrate_args()),
    offline("admin dump", |_| words("admin dump")),
    offline("admin verify", |_| words("admin verify")),
];

/// The token key of the server and of `token issue` (bench sends a token, not the API key).
const TOKEN_KEY: [(&str, &str); 2] = [
    ("CAP_KEY_ACTIVE_ID", "k1"),
    ("CAP_KEY_ACTIVE", "closed-stdout-test-key"),
];

/// A server with objects, checkpoints, a workflow graph, a run and an errored state, and then
/// its stopped data directory.
struct Fixture {
    t: TestDir,
    data: PathBuf,
    /// The server, until the offline cases.
    srv: Option<ServerProc>,
    /// A supervisor running `idle`, for the `supervise` cases.
    _sup: StopOnDrop,
    sup_socket: PathBuf,
    chain_file: PathBuf,
    run: String,
    /// A state of `run` that its runtime reported as errored.
    errored: String,
    snapshot: String,
    /// A token for `bench`.
    token: String,
    counter: Cell<u32>,
    /// A PostgreSQL for `migrate`, started on first use (`None`: not installed, outside CI).
    pg: std::cell::OnceCell<Option<crate::postgres::harness::Pg>>,
}

impl Fixture {
    fn new() -> Fixture {
        let t = TestDir::new();
        let data = t.path().join("state");
        let mut server_env = env();
        server_env.extend(TOKEN_KEY.map(|(k, v)| (k, v.to_owned())));
        let (child, lines) =
            ServerProc::spawn_env(&t, &data, &["--api-key-grants-v1"], &server_env);
        let srv = ServerProc::from_spawned(child, lines);
        let run = chain_run(&t, &srv);
        let v0 = V0::new(&srv.url, "wf");
        let claimed = v0.claim("A");
        let errored = claimed["state_id"].as_str().expect("a state id").to_owned();
        v0.ok(
            "POST",
            &format!("/state/{errored}/errored"),
            Some(serde_json::json!({"error": "boom"})),
        );
        let chain_file = t.write("chain.toml", CHAIN);
        let sup_socket = t.path().join("sup.sock");
        let procs = t.write(
            "procs.toml",
            &format!(
                "stacks = ['leaser']\n\
                 [process.idle]\ncommand = 'sh'\nargs = ['-c', 'echo up; exec sleep 1000']\n\
                 [storage]\nurl = 'file://{}'\n[state]\ndir = '{}'\n\
                 [leaser]\nttl = '2s'\nrenew_every = '500ms'\n",
                t.path().join("bucket").display(),
                t.path().join("appstate").display()
            ),
        );
        t.write("appstate/data.txt", "state");
        let sup = StopOnDrop(
            t.std_command()
                .args(["supervise", "run", "--state-dir"])
                .arg(t.path().join("sup"))
                .arg("--socket")
                .arg(&sup_socket)
                .arg("--config")
                .arg(&procs)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn the supervisor"),
        );
        crate::util::wait_until(Duration::from_secs(20), "the supervisor's socket", || {
            sup_socket.exists()
        });
        let mut f = Fixture {
            t,
            data,
            srv: Some(srv),
            _sup: sup,
            sup_socket,
            chain_file,
            run,
            errored,
            snapshot: String::new(),
            token: String::new(),
            counter: Cell::new(0),
            pg: std::cell::OnceCell::new(),
        };
        f.ok(&words("put ns obj --type t --body 1 --tag team=a"));
        f.ok(&words("checkpoint create ns obj base"));
        f.snapshot = f.new_snapshot();
        f.token = f
            .ok(&words("token issue --ns bench --verbs put,get --ttl 1h"))
            .trim()
            .to_owned();
        f
    }

    /// `stmgr` with the API key and a token key, against the server or, once it has
    /// stopped, the data directory.
    fn stmgr(&self) -> Command {
        let mut cmd = self.t.std_command();
        cmd.env("STATE_MANAGER_SECRET", API_KEY)
            .env("STMGR_SUPERVISE_SOCKET", &self.sup_socket)
            .envs(TOKEN_KEY);
        match &self.srv {
            Some(srv) => cmd.args(["--server", &srv.url]),
            None => cmd.arg("--data-dir").arg(&self.data),
        };
        cmd
    }

    /// Runs `args`, which must succeed; returns stdout.
    fn ok(&self, args: &[String]) -> String {
        let out = self.stmgr().args(args).output().expect("run stmgr");
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).expect("UTF-8 stdout")
    }

    /// A manifest of flow `name`: one worker sleeping.
    fn flow_file(&self, name: &str) -> PathBuf {
        self.t.write(
            format!("{name}.toml"),
            &format!(
                "name = \"{name}\"\n[workers.w]\ncommand = \"/bin/sleep\"\nargs = [\"1000\"]\n"
            ),
        )
    }

    /// Flow `name` exists and its deploy is over.
    fn flow(&self, name: &str) {
        let file = self.flow_file(name);
        self.ok(&[
            "flow".into(),
            "deploy".into(),
            file.display().to_string(),
            "--wait".into(),
        ]);
    }

    /// Flow `sock`: one worker answering on its control socket (the Python example helper).
    fn socket_flow(&self) {
        let python = crate::flows::python();
        let helper = crate::flows::helper();
        let file = self.t.write(
            "sock.toml",
            &format!(
                "name = \"sock\"\n[workers.py]\ncommand = \"{python}\"\nargs = [\"{}\"]\n\
                 [workers.py.readiness]\nlog_line = \"^ready\"\n",
                helper.display()
            ),
        );
        self.ok(&[
            "flow".into(),
            "deploy".into(),
            file.display().to_string(),
            "--wait".into(),
        ]);
    }

    /// `prefix` and a number not used before.
    fn fresh(&self, prefix: &str) -> String {
        let n = self.counter.get() + 1;
        self.counter.set(n);
        format!("{prefix}{n}")
    }

    /// `migrate` from a PostgreSQL database into a new directory each time (without
    /// PostgreSQL outside CI: its `--help`, which prints on stdout too).
    fn migrate_args(&self) -> Vec<String> {
        let pg = self.pg.get_or_init(crate::postgres::harness::Pg::start);
        match pg {
            Some(pg) => {
                let to = self.t.path().join(self.fresh("migrated-"));
                vec![
                    "migrate".into(),
                    "--from".into(),
                    pg.url(),
                    "--to".into(),
                    to.display().to_string(),
                ]
            }
            None => words("migrate --help"),
        }
    }

    /// The id of a new snapshot.
    fn new_snapshot(&self) -> String {
        let out = self.ok(&words("snapshot --output json"));
        let v: Value = serde_json::from_str(&out).expect("snapshot answers JSON");
        // Online the field is `snapshot_id`, offline `id`.
        v["snapshot_id"]
            .as_str()
            .or_else(|| v["id"].as_str())
            .expect("a snapshot id")
            .to_owned()
    }

    /// Stops the server: the offline cases come next.
    fn stop_server(&mut self) {
        let mut srv = self.srv.take().expect("a running server");
        srv.signal(rustix::process::Signal::TERM);
        assert!(srv.child.wait().expect("wait").success());
    }

    fn check(&self, case: &Case) {
        for format in case.formats {
            let what = format!("{} --output {format}", case.path);
            // With an open stdout the command prints something, so the closed one is written.
            let out = self
                .stmgr()
                .args(["--output", format])
                .args((case.args)(self))
                .output()
                .expect("run stmgr");
            assert!(out.status.success(), "{what}: {out:?}");
            assert!(!out.stdout.is_empty(), "{what} printed nothing: {out:?}");
            let out = closed_stdout(
                self.stmgr()
                    .args(["-q", "--output", format])
                    .args((case.args)(self)),
            );
            assert_eq!(out.status.code(), Some(0), "{what}: {out:?}");
            assert!(out.stderr.is_empty(), "{what}: {out:?}");
        }
    }
}

/// A supervisor stopped by SIGTERM (so it stops its processes) when dropped.
struct StopOnDrop(std::process::Child);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let pid = rustix::process::Pid::from_child(&self.0);
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        let _ = self.0.wait();
    }
}

/// Runs `cmd` with stdout a pipe nobody reads.
fn closed_stdout(cmd: &mut Command) -> Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    cmd.stdout(writer).output().expect("run stmgr")
}

/// Every command that can run, as its names in the clap tree (`checkpoint prune`): leaves,
/// and groups whose subcommand is optional (`snapshot`).
fn runnable_commands() -> BTreeSet<String> {
    fn walk(cmd: &clap::Command, prefix: &str, out: &mut BTreeSet<String>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let path = format!("{prefix}{}", sub.get_name());
            if sub.get_subcommands().next().is_none() || !sub.is_subcommand_required_set() {
                out.insert(path.clone());
            }
            walk(sub, &format!("{path} "), out);
        }
    }
    let mut out = BTreeSet::new();
    walk(&stmgr::cli::command(), "", &mut out);
    out
}

#[test]
fn every_command_is_covered_or_never_writes_stdout() {
    let commands = runnable_commands();
    assert!(commands.contains("checkpoint prune") && commands.contains("snapshot"));
    let covered: BTreeSet<String> = CASES.iter().map(|c| c.path.to_owned()).collect();
    let never: BTreeSet<String> = NEVER_WRITES_STDOUT.iter().map(|&c| c.to_owned()).collect();
    let missing: Vec<_> = commands
        .iter()
        .filter(|c| !covered.contains(*c) && !never.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "commands missing from CASES (or NEVER_WRITES_STDOUT, saying why): {missing:?}"
    );
    let unknown: Vec<_> = covered
        .union(&never)
        .filter(|c| !commands.contains(*c))
        .collect();
    assert!(unknown.is_empty(), "not commands: {unknown:?}");
    let both: Vec<_> = covered.intersection(&never).collect();
    assert!(both.is_empty(), "covered yet said to never print: {both:?}");
}

#[test]
fn every_command_exits_0_quietly_when_stdout_is_closed() {
    let mut f = Fixture::new();
    for case in CASES.iter().filter(|c| c.online) {
        f.check(case);
    }
    // A stream with no end of its own ends at the first change it cannot print.
    let watch = Reaped::spawn(
        f.stmgr()
            .args(["-q", "watch", "ns", "--from", "0"])
            .stdout(closed_writer())
            .stderr(Stdio::piped()),
    );
    let out = watch.wait_within(Duration::from_secs(20), "watch to stop at a closed stdout");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");

    f.stop_server();
    for case in CASES.iter().filter(|c| !c.online) {
        f.check(case);
    }
}

fn closed_writer() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    writer
}
