//! Supervisor benchmark (`cargo bench --bench supervise`): the library in this process, with
//! real children.
//!
//! 1. Exit to replacement: a `sleep` child is SIGKILLed; the time until its replacement is
//!    RUNNING (event seen), with `restart_delay = 0` (p50, p99 over 300 rounds).
//! 2. Idle cost: 100 `sleep` processes running; the supervisor's CPU time over 10 s and its
//!    RSS.
//! 3. Restart throughput: a `true` process with `restart = always`, no delay, no start limit:
//!    restarts per second over 5 s.

use std::time::{Duration, Instant};

use stmgr::supervisor::{Config, Options, ProcessSpec, RestartPolicy, State, Supervisor};

fn spec(cmd: &str, args: &[&str]) -> ProcessSpec {
    let mut s = ProcessSpec::command(cmd, args.iter().map(|a| a.to_string()).collect());
    s.restart = RestartPolicy::Always;
    s.restart_delay = Duration::ZERO;
    s.start_limit = 0;
    s.timeout_stop = Duration::from_secs(5);
    s
}

async fn start(dir: &std::path::Path, procs: Vec<(String, ProcessSpec)>) -> Supervisor {
    let mut config = Config::default();
    config.process.extend(procs);
    let options = Options {
        state_dir: dir.to_owned(),
        log_dir: None,
        subreaper: true,
        config_file: None,
    };
    Supervisor::start(options, Some(config))
        .await
        .expect("start")
}

fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let rest = &stat[stat.rfind(')').unwrap() + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn exit_to_running(rounds: usize) {
    let dir = tempfile::tempdir().unwrap();
    let sup = start(dir.path(), vec![("s".into(), spec("sleep", &["1000"]))]).await;
    let mut events = sup.subscribe();
    let running = |sup: &Supervisor| {
        sup.status()
            .into_iter()
            .find(|s| s.state == State::Running)
            .and_then(|s| s.pid)
    };
    while running(&sup).is_none() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut lat = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let pid = running(&sup).expect("the replacement is still running");
        while events.try_recv().is_ok() {}
        let t0 = Instant::now();
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::SIGKILL).unwrap();
        loop {
            let ev = events.recv().await.unwrap();
            if ev.status.state == State::Running && ev.status.pid != Some(pid) {
                lat.push(t0.elapsed());
                break;
            }
        }
    }
    lat.sort();
    let p = |q: f64| lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)];
    println!(
        "exit -> replacement RUNNING (delay 0, {rounds} rounds): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        p(0.50).as_secs_f64() * 1e3,
        p(0.99).as_secs_f64() * 1e3,
        lat[lat.len() - 1].as_secs_f64() * 1e3
    );
    sup.shutdown().await;
}

async fn idle(n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let before = rss_kib();
    let procs = (0..n)
        .map(|i| (format!("p{i}"), spec("sleep", &["1000"])))
        .collect();
    let sup = start(dir.path(), procs).await;
    while sup
        .status()
        .iter()
        .filter(|s| s.state == State::Running)
        .count()
        < n
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let ticks = cpu_ticks();
    let t0 = Instant::now();
    tokio::time::sleep(Duration::from_secs(10)).await;
    let cpu = (cpu_ticks() - ticks) as f64 / 100.0;
    println!(
        "{n} idle processes: supervisor CPU {:.3}% of a core over {:.0} s, RSS {} KiB ({} KiB before)",
        cpu / t0.elapsed().as_secs_f64() * 100.0,
        t0.elapsed().as_secs_f64(),
        rss_kib(),
        before
    );
    let t = Instant::now();
    sup.shutdown().await;
    println!(
        "stopping {n} processes: {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
}

async fn throughput(secs: u64) {
    let dir = tempfile::tempdir().unwrap();
    let sup = start(dir.path(), vec![("t".into(), spec("true", &[]))]).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r0 = sup.status()[0].restarts;
    let t0 = Instant::now();
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let r1 = sup.status()[0].restarts;
    println!(
        "restart throughput (`true`, always, delay 0): {:.0} restarts/s",
        (r1 - r0) as f64 / t0.elapsed().as_secs_f64()
    );
    sup.shutdown().await;
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        exit_to_running(300).await;
        throughput(5).await;
        idle(100).await;
    });
}
