//! One run of an instance: the command built from its spec (environment, env files, working
//! directory, user, a session and process group of its own, `NOTIFY_SOCKET`), started through
//! the [`Reaper`], with its stdout and stderr pumped line by line into its [`LogSink`] (and
//! matched against a `log_line` readiness pattern).

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::fd::AsFd;
use std::os::fd::OwnedFd;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::SupervisorError;
use super::config::ProcessSpec;
use super::logs::{LogSink, Stream};
use super::notify::NotifySocket;
use super::probe::ProbeEvent;
use super::reaper::{ExitStatus, Reaper};
use super::spawn::{self, Spawn};

/// What a launch needs besides the spec.
pub struct Launch<'a> {
    /// The instance name (`web`, `web.1`).
    pub instance: &'a str,
    /// The process name (`web`).
    pub process: &'a str,
    /// Replica number.
    pub replica: u32,
    /// Run number of the instance, carried by probe events so stale ones are ignored.
    pub run: u64,
    /// Its log.
    pub log: Arc<LogSink>,
    /// Where readiness events go.
    pub events: mpsc::Sender<ProbeEvent>,
    /// A readiness pattern for output lines.
    pub log_line: Option<regex::Regex>,
    /// Where to bind the notify socket, when readiness is `notify`.
    pub notify: Option<&'a Path>,
}

/// A started child.
pub struct Running {
    /// Its pid, also its process group and session id.
    pub pid: i32,
    /// Its exit status, when it comes.
    pub exit: oneshot::Receiver<ExitStatus>,
    /// Kept for as long as the run lasts.
    _notify: Option<NotifySocket>,
}

/// Starts one run.
///
/// # Errors
/// [`SupervisorError::Spawn`] when an env file cannot be read, the user does not exist or the
/// program cannot be started.
pub fn launch(
    reaper: &Reaper,
    spec: &ProcessSpec,
    l: Launch<'_>,
) -> Result<Running, SupervisorError> {
    let fail = |message: String| SupervisorError::Spawn {
        instance: l.instance.to_owned(),
        message,
    };
    let switch = match &spec.user {
        Some(user) => switch_to(user).map_err(fail)?,
        None => None,
    };
    let mut env = BTreeMap::new();
    if let Some(ids) = &switch {
        env.insert("USER".to_owned(), ids.name.clone());
        env.insert("LOGNAME".to_owned(), ids.name.clone());
        env.insert("HOME".to_owned(), ids.home.clone());
    }
    for file in &spec.env_files {
        let text = std::fs::read_to_string(file)
            .map_err(|e| fail(format!("env file {}: {e}", file.display())))?;
        env.extend(parse_env_file(&text));
    }
    env.extend(spec.env.clone());
    // The whole environment: the supervisor's, then the files and `env`, then ours.
    let mut full: BTreeMap<OsString, OsString> = std::env::vars_os().collect();
    full.remove(OsStr::new("NOTIFY_SOCKET"));
    full.extend(env.into_iter().map(|(k, v)| (k.into(), v.into())));
    for (k, v) in [
        ("STMGR_PROCESS", l.process.to_owned()),
        ("STMGR_INSTANCE", l.instance.to_owned()),
        ("STMGR_REPLICA", l.replica.to_string()),
    ] {
        full.insert(k.into(), v.into());
    }
    let notify = match l.notify {
        Some(path) => {
            let socket = NotifySocket::bind(path, l.run, l.events.clone())
                .map_err(|e| fail(format!("notify socket {}: {e}", path.display())))?;
            full.insert("NOTIFY_SOCKET".into(), socket.path().into());
            Some(socket)
        }
        None => None,
    };
    let (out_r, out_w) = std::io::pipe().map_err(|e| fail(format!("pipe: {e}")))?;
    let (err_r, err_w) = std::io::pipe().map_err(|e| fail(format!("pipe: {e}")))?;
    let started = if switch.is_none() && spawn::usable(&spec.command, &full) {
        reaper.spawn_with(|| {
            spawn::spawn(&Spawn {
                program: &spec.command,
                args: &spec.args,
                env: &full,
                cwd: spec.cwd.as_deref(),
                stdout: out_w.as_fd(),
                stderr: err_w.as_fd(),
            })
        })
    } else {
        fork_exec(
            reaper,
            spec,
            &full,
            out_w.try_clone(),
            err_w.try_clone(),
            switch,
        )
    };
    // Close the write ends here, or the pumps never see the end.
    drop((out_w, err_w));
    let (pid, exit) = started.map_err(|e| fail(format!("cannot start {}: {e}", spec.command)))?;
    let matcher = l.log_line.map(|re| (re, l.events.clone(), l.run));
    pump(out_r.into(), Stream::Stdout, l.log.clone(), matcher.clone());
    pump(err_r.into(), Stream::Stderr, l.log, matcher);
    Ok(Running {
        pid,
        exit,
        _notify: notify,
    })
}

/// The `fork` path (`std::process::Command` with a `pre_exec` hook), for a child that switches
/// users or has a `PATH` of its own.
fn fork_exec(
    reaper: &Reaper,
    spec: &ProcessSpec,
    env: &BTreeMap<OsString, OsString>,
    stdout: std::io::Result<std::io::PipeWriter>,
    stderr: std::io::Result<std::io::PipeWriter>,
    switch: Option<UserIds>,
) -> std::io::Result<(i32, oneshot::Receiver<ExitStatus>)> {
    let mut cmd = Command::new(&spec.command);
    cmd.args(&spec.args)
        .env_clear()
        .envs(env)
        .stdin(Stdio::null())
        .stdout(stdout?)
        .stderr(stderr?);
    if let Some(cwd) = &spec.cwd {
        cmd.current_dir(cwd);
    }
    // SAFETY: setsid, setgroups, setgid and setuid are async-signal-safe system calls; the
    // closure only reads ids computed before the fork.
    unsafe {
        cmd.pre_exec(move || {
            rustix::process::setsid()?;
            if let Some(ids) = &switch {
                // Supplementary groups first, while still root (std's `uid()` would drop them
                // all), then the group, then the user.
                nix::unistd::setgroups(&ids.groups)?;
                nix::unistd::setgid(ids.gid)?;
                nix::unistd::setuid(ids.uid)?;
            }
            Ok(())
        });
    }
    reaper.spawn(&mut cmd)
}

type Matcher = (regex::Regex, mpsc::Sender<ProbeEvent>, u64);

/// Copies lines from a pipe into the log until the pipe's last writer closes it.
fn pump(
    fd: OwnedFd,
    stream: Stream,
    log: Arc<LogSink>,
    mut matcher: Option<Matcher>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let Ok(rx) = tokio::net::unix::pipe::Receiver::from_owned_fd(fd) else {
            return;
        };
        let mut reader = BufReader::new(rx);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            log.write_line(stream, &line);
            if let Some((re, events, run)) = &matcher
                && re.is_match(&String::from_utf8_lossy(&line))
            {
                let _ = events.send(ProbeEvent::Ready(*run)).await;
                matcher = None;
            }
        }
    })
}

/// `NAME=value` lines; blank lines, `#` comments and a leading `export ` are skipped, and one
/// pair of matching quotes around the value is removed.
pub fn parse_env_file(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        if let Some((k, v)) = line.split_once('=') {
            let v = v.trim();
            let unquoted = [('"', '"'), ('\'', '\'')]
                .iter()
                .find_map(|(a, b)| v.strip_prefix(*a).and_then(|v| v.strip_suffix(*b)))
                .unwrap_or(v);
            out.insert(k.trim().to_owned(), unquoted.to_owned());
        }
    }
    out
}

/// Who a child runs as: the user, its primary group and every group it is a member of (as
/// `initgroups` would set them).
#[derive(Debug)]
struct UserIds {
    name: String,
    home: String,
    uid: nix::unistd::Uid,
    gid: nix::unistd::Gid,
    groups: Vec<nix::unistd::Gid>,
}

/// Looks up a user name or number.
fn lookup_user(user: &str) -> Result<UserIds, String> {
    let found = match user.parse::<u32>() {
        Ok(uid) => nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid)),
        Err(_) => nix::unistd::User::from_name(user),
    };
    let u = match found {
        Ok(Some(u)) => u,
        Ok(None) => return Err(format!("no user {user:?}")),
        Err(e) => return Err(format!("looking up user {user:?}: {e}")),
    };
    let cname = std::ffi::CString::new(u.name.clone())
        .map_err(|_| format!("user name {:?} holds a NUL byte", u.name))?;
    let groups = nix::unistd::getgrouplist(&cname, u.gid)
        .map_err(|e| format!("groups of user {user:?}: {e}"))?;
    Ok(UserIds {
        home: u.dir.display().to_string(),
        name: u.name,
        uid: u.uid,
        gid: u.gid,
        groups,
    })
}

/// The ids to switch to for `user`, or `None` when the supervisor already runs as that uid.
///
/// # Errors
/// The user does not exist, or switching needs root and the supervisor is not root.
fn switch_to(user: &str) -> Result<Option<UserIds>, String> {
    let ids = lookup_user(user)?;
    let me = nix::unistd::geteuid();
    if ids.uid == me {
        return Ok(None);
    }
    if !me.is_root() {
        return Err(format!(
            "user {user:?} (uid {}): switching users needs root, and the supervisor runs as uid {me}",
            ids.uid
        ));
    }
    Ok(Some(ids))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_files_take_comments_export_and_quotes() {
        let env = parse_env_file("# c\n\nexport A=1\nB=\"two words\"\nC='x=y'\nnot a pair\n");
        assert_eq!(env["A"], "1");
        assert_eq!(env["B"], "two words");
        assert_eq!(env["C"], "x=y");
        assert_eq!(env.len(), 3);
    }

    #[test]
    fn users_resolve_by_name_and_number() {
        let root = lookup_user("root").unwrap();
        assert_eq!((root.uid.as_raw(), root.gid.as_raw()), (0, 0));
        assert!(root.groups.contains(&root.gid), "{root:?}");
        assert_eq!(lookup_user("0").unwrap().name, "root");
        assert!(lookup_user("no-such-user-here").is_err());
        // Our own user needs no switch, even without root.
        let me = nix::unistd::geteuid().to_string();
        assert!(switch_to(&me).unwrap().is_none());
    }
}
