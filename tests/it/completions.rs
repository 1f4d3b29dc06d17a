//! `stmgr completions SHELL` and `stmgr man`: what they print is what `completions/` and `man/`
//! hold; the bash and zsh scripts, run by real shells against the real binary, complete
//! commands, namespaces (with `:` in them), graph names and snapshot ids from a real server
//! and data directory; a server that never answers costs the shell at most the lookup
//! timeout; `install.sh --binary` installs them and says how to turn completion on. Shells
//! missing here skip their test, except under `CI=true` where they fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::server_cli::ServerProc;
use crate::util::{TestDir, stmgr};

const SHELLS: [(&str, &str); 5] = [
    ("bash", "stmgr.bash"),
    ("zsh", "_stmgr"),
    ("fish", "stmgr.fish"),
    ("elvish", "stmgr.elvish"),
    ("powershell", "stmgr.ps1"),
];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn completions_prints_the_committed_script_of_each_shell() {
    for (shell, file) in SHELLS {
        let out = stmgr().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}: {out:?}");
        let committed = std::fs::read(repo().join("completions").join(file)).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&committed),
            "{shell}"
        );
    }
    let out = stmgr().args(["completions", "pwsh"]).output().unwrap();
    assert!(out.status.success(), "pwsh is powershell: {out:?}");
    let out = stmgr().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn man_prints_one_page_or_writes_them_all() {
    let man = repo().join("man");
    for (args, page) in [
        (&[][..], "stmgr.1"),
        (&["graph", "upload"][..], "stmgr-graph-upload.1"),
        (&["completions"][..], "stmgr-completions.1"),
    ] {
        let out = stmgr().arg("man").args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        let committed = std::fs::read_to_string(man.join(page)).unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), committed, "{page}");
    }
    let out = stmgr().args(["man", "graph", "nosuch"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no command `graph nosuch`"),
        "{out:?}"
    );

    let t = TestDir::new();
    let dir = t.path().join("man1");
    let out = t
        .stmgr()
        .args(["man", "--out-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let names = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&dir), names(&man));
    // The pages' date is the version's date in CHANGELOG.md.
    let version = env!("CARGO_PKG_VERSION");
    let changelog = std::fs::read_to_string(repo().join("CHANGELOG.md")).unwrap();
    let date = changelog
        .lines()
        .find_map(|l| l.strip_prefix(&format!("## [{version}] - ")))
        .unwrap_or_else(|| panic!("CHANGELOG.md has no entry for {version}"));
    let header = format!("1 {date} \"stmgr {version}\" \"stmgr Manual\"");
    for name in names(&man) {
        let text = std::fs::read_to_string(dir.join(&name)).unwrap();
        assert_eq!(
            text,
            std::fs::read_to_string(man.join(&name)).unwrap(),
            "{name}"
        );
        // Every page's header names its own page and the package, not the leaf's bare name.
        let th = text.lines().find(|l| l.starts_with(".TH ")).unwrap();
        let page = name.trim_end_matches(".1");
        assert_eq!(th, format!(".TH {page} {header}"), "{name}");
    }
}

/// Whether `tool` runs here; under `CI=true` a missing tool fails the test.
fn have(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{tool} is missing and CI=true: .ci/run installs it"
        );
        eprintln!("skipped: {tool} is not installed");
    }
    found
}

/// `PATH` with the binary under test first (the scripts run `stmgr` from `PATH`).
fn path_with_stmgr() -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_stmgr")).parent().unwrap();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Runs `shell -c SCRIPT` in the test's isolated environment.
fn run_shell(t: &TestDir, shell: &str, script: &str) -> Output {
    let isolated = t.std_command();
    let mut sh = Command::new(shell);
    sh.env_clear();
    for (k, v) in isolated.get_envs() {
        if let Some(v) = v {
            sh.env(k, v);
        }
    }
    sh.env("PATH", path_with_stmgr())
        .current_dir(t.path())
        .arg(if shell == "zsh" { "-fc" } else { "-c" })
        .arg(script);
    let out = sh.output().unwrap();
    assert!(
        out.status.success(),
        "{shell}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Completes each line with the bash script as bash would (words split at spaces, `:` and
/// `=`, the last word being completed); one line of `[candidate] ...` per line.
fn bash_complete(t: &TestDir, lines: &[&str]) -> Vec<Vec<String>> {
    let mut script = String::from(
        r#"source <(stmgr completions bash) || exit 1
comp() {
    COMP_LINE=$1
    COMP_POINT=${#1}
    COMP_TYPE=9
    read -ra COMP_WORDS <<< "$(printf '%s' "$1" | sed -E 's/([:=])/ \1 /g')"
    [[ $1 == *' ' ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _stmgr stmgr "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf '[%s]' "${COMPREPLY[@]}"
    echo
}
"#,
    );
    for line in lines {
        script.push_str(&format!("comp '{line}'\n"));
    }
    let out = run_shell(t, "bash", &script);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            l.trim_start_matches('[')
                .trim_end_matches(']')
                .split("][")
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

/// A server with objects in three namespaces, a graph `files` and a node in `wf`, and one
/// snapshot.
fn server_with_names(t: &TestDir) -> (ServerProc, String) {
    let srv = ServerProc::start(t, &t.path().join("state"));
    for ns in ["agent://demo", "agent://other", "plain"] {
        let out = t
            .stmgr()
            .args([
                "--server", &srv.url, "put", ns, "k", "--type", "t", "--body", "1",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    let graph: PathBuf = repo().join("examples/graph.toml");
    let out = t
        .stmgr()
        .args(["--server", &srv.url, "graph", "upload"])
        .arg(&graph)
        .args(["--ns", "wf"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    stmgr::client::install_crypto_provider();
    let node = serde_json::json!({"runtime_name": "rt", "nodes": [{"name": "N", "secrets": [],
        "inputs_schema": {"type": "object"}, "outputs_schema": {"type": "object"}}]});
    let resp = reqwest::blocking::Client::new()
        .put(format!("{}/v0/namespace/wf/nodes/", srv.url))
        .json(&node)
        .send()
        .unwrap();
    assert!(resp.status().is_success(), "{resp:?}");
    let out = t
        .stmgr()
        .args(["--server", &srv.url, "snapshot", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let snap: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = snap["snapshot_id"].as_str().unwrap().to_string();
    (srv, id)
}

#[test]
fn bash_completes_commands_namespaces_graphs_and_snapshot_ids() {
    if !have("bash") {
        return;
    }
    let t = TestDir::new();
    let (srv, snap) = server_with_names(&t);
    let url = srv.url.clone();
    let (host_port, data) = (
        url.trim_start_matches("http://").to_string(),
        t.path().join("state"),
    );
    let lines = [
        "stmgr snaps".to_string(),
        "stmgr completions z".to_string(),
        format!("stmgr --server {url} ls "),
        format!("stmgr --server {url} get agent:"),
        format!("stmgr --server={url} watch agent://d"),
        format!("stmgr --server http://{host_port} checkpoint list pl"),
        format!("stmgr --server {url} graph show --ns wf "),
        format!("stmgr --server {url} graph trigger --ns wf fi"),
        format!("stmgr --server {url} node list --ns "),
        format!("stmgr --data-dir {} restore --snapshot-id ", data.display()),
        format!("stmgr --server {url} trim-wal --snapshot-id=snap-"),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let got = bash_complete(&t, &refs);
    let has = |i: usize, want: &[&str]| {
        for w in want {
            assert!(
                got[i].iter().any(|c| c == w),
                "{:?}: no {w:?} in {:?}",
                lines[i],
                got[i]
            );
        }
    };
    assert_eq!(got[0], ["snapshot"]);
    assert_eq!(got[1], ["zsh"]);
    has(2, &["agent://demo", "agent://other", "plain", "--prefix"]);
    // Bash replaces only what follows the `:`, and gets only that back.
    assert_eq!(got[3], ["://demo", "://other"]);
    assert_eq!(got[4], ["//demo"]);
    assert_eq!(got[5], ["plain"]);
    has(6, &["files"]);
    assert_eq!(got[7], ["files"]);
    has(8, &["wf"]);
    assert_eq!(got[9], std::slice::from_ref(&snap));
    // Bash split `--snapshot-id=snap-` after the `=`: the candidate replaces `snap-`.
    assert_eq!(got[10], [snap]);
}

#[test]
fn zsh_completes_sourced_and_autoloaded() {
    if !have("zsh") {
        return;
    }
    let t = TestDir::new();
    let (srv, _) = server_with_names(&t);
    let fpath = t.path().join("zfunc");
    std::fs::create_dir(&fpath).unwrap();
    std::fs::copy(repo().join("completions/_stmgr"), fpath.join("_stmgr")).unwrap();
    // compsys stand-ins: compdef and _describe print what they are given.
    let stubs = r#"compdef() { print -r -- "compdef $*" }
_describe() { print -rl -- "${(@P)3}" }
"#;
    let url = &srv.url;
    let sourced = format!(
        "{stubs}source <(stmgr completions zsh)\n\
         words=(stmgr --server {url} ls ''); CURRENT=5; _stmgr\n\
         words=(stmgr --server {url} graph show --ns wf ''); CURRENT=8; _stmgr\n"
    );
    let out = String::from_utf8(run_shell(&t, "zsh", &sourced).stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.first(), Some(&"compdef _stmgr stmgr"), "{out}");
    assert!(lines.contains(&r"agent\://demo:1 objects"), "{out}");
    assert!(lines.contains(&"plain:1 objects"), "{out}");
    assert!(lines.iter().any(|l| l.starts_with("files:")), "{out}");

    // Autoloaded from $fpath: the first call completes already.
    let autoloaded = format!(
        "{stubs}fpath=({} $fpath); autoload -Uz _stmgr\n\
         words=(stmgr --server {url} ls ag); CURRENT=5; _stmgr\n",
        fpath.display()
    );
    let out = String::from_utf8(run_shell(&t, "zsh", &autoloaded).stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [r"agent\://demo:1 objects", r"agent\://other:1 objects"],
        "{out}"
    );
}

#[test]
fn a_server_that_never_answers_costs_at_most_the_lookup_timeout() {
    let t = TestDir::new();
    // Accepted by the kernel, never read: every request waits for an answer.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let started = Instant::now();
    let out = t
        .stmgr()
        .env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", "4")
        .args(["--", "stmgr", "--server", &url, "ls", ""])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(out.status.success(), "{out:?}");
    let candidates = String::from_utf8(out.stdout).unwrap();
    assert!(candidates.contains("--prefix"), "{candidates:?}");
    assert!(!candidates.contains("agent"), "{candidates:?}");
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_secs(10),
        "{took:?}"
    );
    drop(silent);
}

#[test]
fn install_sh_installs_a_given_binary_with_completions_and_man_pages_and_says_how_to_enable_them() {
    let t = TestDir::new();
    let prefix = t.path().join("prefix");
    let out = Command::new("sh")
        .arg(repo().join("install.sh"))
        .arg("--prefix")
        .arg(&prefix)
        .arg("--binary")
        .arg(env!("CARGO_BIN_EXE_stmgr"))
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    for hint in [
        "source <(stmgr completions bash)".to_string(),
        "source <(stmgr completions zsh)".to_string(),
        format!(
            "fpath=({}/share/zsh/site-functions $fpath)",
            prefix.display()
        ),
    ] {
        assert!(stdout.contains(&hint), "no {hint:?} in\n{stdout}");
    }
    for (installed, committed) in [
        (
            "share/bash-completion/completions/stmgr",
            "completions/stmgr.bash",
        ),
        ("share/zsh/site-functions/_stmgr", "completions/_stmgr"),
        (
            "share/fish/vendor_completions.d/stmgr.fish",
            "completions/stmgr.fish",
        ),
        (
            "share/man/man1/stmgr-graph-upload.1",
            "man/stmgr-graph-upload.1",
        ),
    ] {
        assert_eq!(
            std::fs::read(prefix.join(installed)).unwrap(),
            std::fs::read(repo().join(committed)).unwrap(),
            "{installed}"
        );
    }
    let version = Command::new(prefix.join("bin/stmgr"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(version.status.success(), "{version:?}");
    if have("bash") {
        let script = format!(
            "source {}/share/bash-completion/completions/stmgr && complete -p stmgr",
            prefix.display()
        );
        let out = run_shell(&t, "bash", &script);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("-F _stmgr stmgr"),
            "{out:?}"
        );
    }

    let out = Command::new("sh")
        .arg(repo().join("install.sh"))
        .args(["--prefix", "x", "--binary", "/no/such/stmgr"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
