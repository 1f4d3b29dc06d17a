//! Starting a child with `posix_spawnp`: glibc starts it with `clone(CLONE_VM | CLONE_VFORK)`,
//! so the supervisor's page tables are not copied and the child runs at once on the parent's
//! CPU up to its `exec`, where a `fork` (what `std::process::Command` does as soon as a
//! `pre_exec` hook such as `setsid` is set) copies them and then waits for the child to be
//! scheduled. It sets the same things the `fork` path does: a new session (and so process
//! group), stdin from `/dev/null`, stdout and stderr to the given pipes, the working directory,
//! the environment, an empty signal mask and SIGPIPE back to its default.
//!
//! Not for a child that switches users (`posix_spawn` cannot set supplementary groups), nor
//! when the child's `PATH` differs from the supervisor's (`posix_spawnp` searches the
//! supervisor's): [`usable`] says when it applies.

use std::collections::BTreeMap;
use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// What to start.
pub struct Spawn<'a> {
    /// The program (searched in `PATH` when it has no `/`).
    pub program: &'a str,
    /// Its arguments.
    pub args: &'a [String],
    /// Its whole environment.
    pub env: &'a BTreeMap<OsString, OsString>,
    /// Its working directory.
    pub cwd: Option<&'a Path>,
    /// Where its stdout goes.
    pub stdout: BorrowedFd<'a>,
    /// Where its stderr goes.
    pub stderr: BorrowedFd<'a>,
}

/// True when a child with environment `env` finds `program` where `posix_spawnp` looks for it.
pub fn usable(program: &str, env: &BTreeMap<OsString, OsString>) -> bool {
    program.contains('/') || env.get(OsStr::new("PATH")) == std::env::var_os("PATH").as_ref()
}

fn cstring(bytes: &[u8]) -> io::Result<CString> {
    CString::new(bytes).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a NUL byte"))
}

fn check(ret: libc::c_int) -> io::Result<()> {
    if ret == 0 {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(ret))
    }
}

/// The file actions and attributes, destroyed on drop.
struct Setup {
    actions: libc::posix_spawn_file_actions_t,
    attr: libc::posix_spawnattr_t,
}

impl Drop for Setup {
    fn drop(&mut self) {
        // SAFETY: both were initialised by `spawn` before a `Setup` existed.
        unsafe {
            libc::posix_spawn_file_actions_destroy(&mut self.actions);
            libc::posix_spawnattr_destroy(&mut self.attr);
        }
    }
}

/// Starts the child and returns its pid.
///
/// # Errors
/// The error of `posix_spawnp` (the program is not found or not executable, the directory
/// does not exist, …), or a NUL byte in an argument or variable.
pub fn spawn(s: &Spawn<'_>) -> io::Result<i32> {
    let program = cstring(s.program.as_bytes())?;
    let mut argv = vec![program.clone()];
    for a in s.args {
        argv.push(cstring(a.as_bytes())?);
    }
    let mut envp = Vec::with_capacity(s.env.len());
    for (k, v) in s.env {
        let mut kv = k.as_bytes().to_vec();
        kv.push(b'=');
        kv.extend_from_slice(v.as_bytes());
        envp.push(cstring(&kv)?);
    }
    let cwd = s
        .cwd
        .map(|p| cstring(p.as_os_str().as_bytes()))
        .transpose()?;
    let mut argv_ptrs: Vec<*mut libc::c_char> =
        argv.iter().map(|a| a.as_ptr().cast_mut()).collect();
    argv_ptrs.push(std::ptr::null_mut());
    let mut envp_ptrs: Vec<*mut libc::c_char> =
        envp.iter().map(|e| e.as_ptr().cast_mut()).collect();
    envp_ptrs.push(std::ptr::null_mut());
    // SAFETY: every pointer handed to libc points into a CString or Vec that outlives the
    // call; the file actions and attributes are initialised before use and destroyed once
    // (by `Setup`'s drop) after `posix_spawnp` returned.
    unsafe {
        let mut setup = Setup {
            actions: std::mem::zeroed(),
            attr: std::mem::zeroed(),
        };
        // (Destroying a zeroed, never initialised one is harmless in glibc.)
        check(libc::posix_spawn_file_actions_init(&mut setup.actions))?;
        check(libc::posix_spawnattr_init(&mut setup.attr))?;
        let fa = &mut setup.actions;
        check(libc::posix_spawn_file_actions_addopen(
            fa,
            0,
            c"/dev/null".as_ptr(),
            libc::O_RDONLY,
            0,
        ))?;
        check(libc::posix_spawn_file_actions_adddup2(
            fa,
            s.stdout.as_raw_fd(),
            1,
        ))?;
        check(libc::posix_spawn_file_actions_adddup2(
            fa,
            s.stderr.as_raw_fd(),
            2,
        ))?;
        if let Some(dir) = &cwd {
            check(libc::posix_spawn_file_actions_addchdir_np(fa, dir.as_ptr()))?;
        }
        let attr = &mut setup.attr;
        let mut empty: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut empty);
        check(libc::posix_spawnattr_setsigmask(attr, &empty))?;
        let mut default: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut default);
        libc::sigaddset(&mut default, libc::SIGPIPE);
        check(libc::posix_spawnattr_setsigdefault(attr, &default))?;
        let flags = libc::POSIX_SPAWN_SETSID
            | (libc::POSIX_SPAWN_SETSIGMASK | libc::POSIX_SPAWN_SETSIGDEF) as libc::c_short;
        check(libc::posix_spawnattr_setflags(attr, flags))?;
        let mut pid: libc::pid_t = 0;
        check(libc::posix_spawnp(
            &mut pid,
            program.as_ptr(),
            &setup.actions,
            &setup.attr,
            argv_ptrs.as_ptr(),
            envp_ptrs.as_ptr(),
        ))?;
        Ok(pid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;
    use std::os::fd::AsFd as _;

    #[test]
    fn the_child_gets_a_session_stdio_cwd_env_and_default_sigpipe() {
        let dir = tempfile::tempdir().unwrap();
        let (mut out_r, out_w) = std::io::pipe().unwrap();
        let (_err_r, err_w) = std::io::pipe().unwrap();
        let mut env = BTreeMap::new();
        env.insert(OsString::from("ONLY"), OsString::from("this"));
        env.insert(
            OsString::from("PATH"),
            std::env::var_os("PATH").unwrap_or_default(),
        );
        assert!(usable("sh", &env));
        let script = "echo \"$ONLY $(pwd) $$\"; cut -d' ' -f6 /proc/self/stat; \
                      grep SigIgn /proc/self/status; read x || echo eof";
        let args = ["-c".to_owned(), script.to_owned()];
        let pid = spawn(&Spawn {
            program: "sh",
            args: &args,
            env: &env,
            cwd: Some(dir.path()),
            stdout: out_w.as_fd(),
            stderr: err_w.as_fd(),
        })
        .unwrap();
        drop((out_w, err_w));
        let mut text = String::new();
        out_r.read_to_string(&mut text).unwrap();
        let _ = nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(pid), None);
        let lines: Vec<&str> = text.lines().collect();
        let cwd = dir.path().canonicalize().unwrap();
        assert_eq!(lines[0], format!("this {} {pid}", cwd.display()));
        // `cut` runs in the shell's session: the shell leads it.
        assert_eq!(lines[1], pid.to_string(), "{text}");
        // This test process ignores SIGPIPE (Rust does); the child must not.
        let ign = u64::from_str_radix(lines[2].split_whitespace().nth(1).unwrap(), 16).unwrap();
        assert_eq!(ign & (1 << (libc::SIGPIPE - 1)), 0, "{text}");
        assert_eq!(lines[3], "eof", "stdin is /dev/null: {text}");
        // A program that does not exist is an error, not a pid.
        let missing = spawn(&Spawn {
            program: "no-such-program-here",
            args: &[],
            env: &env,
            cwd: None,
            stdout: std::io::stdout().as_fd(),
            stderr: std::io::stderr().as_fd(),
        });
        assert_eq!(missing.unwrap_err().kind(), std::io::ErrorKind::NotFound);
        assert!(!usable("sh", &BTreeMap::new()) || std::env::var_os("PATH").is_none());
    }
}
