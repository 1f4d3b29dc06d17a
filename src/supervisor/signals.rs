//! Signal names as the configuration and the control interface write them (`SIGTERM`, `TERM`,
//! `term`, `15`), and sending a signal to a whole process group.

use std::str::FromStr;

use nix::sys::signal::Signal;

/// Parses a signal name or number.
///
/// # Errors
/// A message naming what was not understood.
pub fn parse(text: &str) -> Result<Signal, String> {
    let t = text.trim();
    if let Ok(n) = t.parse::<i32>() {
        return Signal::try_from(n).map_err(|_| format!("no signal number {n}"));
    }
    let upper = t.to_ascii_uppercase();
    let name = if upper.starts_with("SIG") {
        upper
    } else {
        format!("SIG{upper}")
    };
    Signal::from_str(&name).map_err(|_| format!("unknown signal {text:?}"))
}

/// Checks that the supervisor can pass `sig` on (`forward_signals`): not one it handles itself
/// (SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGCHLD), not one that cannot be caught (SIGKILL,
/// SIGSTOP), not one raised by a fault (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT,
/// SIGSYS), not SIGPIPE.
///
/// # Errors
/// A message saying why not.
pub fn forwardable(sig: Signal) -> Result<Signal, String> {
    use Signal::*;
    let why = match sig {
        SIGTERM | SIGINT | SIGHUP | SIGUSR1 | SIGCHLD => "the supervisor handles it itself",
        SIGKILL | SIGSTOP => "it cannot be caught",
        SIGSEGV | SIGBUS | SIGFPE | SIGILL | SIGTRAP | SIGABRT | SIGSYS => "it reports a fault",
        SIGPIPE => "it reports a closed pipe",
        _ => return Ok(sig),
    };
    Err(format!("{} cannot be forwarded: {why}", sig.as_str()))
}

/// Sends `sig` to every process of group `pgid`. A group that no longer exists is not an error.
///
/// # Errors
/// Anything but "no such process" (for example a permission error).
pub fn kill_group(pgid: i32, sig: Signal) -> std::io::Result<()> {
    match nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pgid), sig) {
        Ok(()) | Err(nix::errno::Errno::ESRCH) => Ok(()),
        Err(e) => Err(std::io::Error::from(e)),
    }
}

/// True while some process (a zombie counts until it is reaped) is in group `pgid`.
pub fn group_alive(pgid: i32) -> bool {
    !matches!(
        nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pgid), None),
        Err(nix::errno::Errno::ESRCH)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_numbers_and_case_are_accepted() {
        assert_eq!(parse("SIGTERM"), Ok(Signal::SIGTERM));
        assert_eq!(parse("term"), Ok(Signal::SIGTERM));
        assert_eq!(parse("9"), Ok(Signal::SIGKILL));
        assert_eq!(parse("HUP"), Ok(Signal::SIGHUP));
        assert!(parse("NOPE").is_err());
        assert!(parse("999").is_err());
    }
}
