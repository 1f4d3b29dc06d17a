//! The open-files limit (`RLIMIT_NOFILE`): raising the soft limit to the hard one at start (a
//! server under systemd inherits a soft limit of 1024, about a thousand sockets), and the
//! default connection cap derived from it, which keeps a reserve of descriptors for WAL
//! segments, snapshots, the listeners, the metrics listener and refusals.

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// Soft limit used when the hard limit is unlimited (Linux refuses a soft limit above
/// `fs.nr_open`, 1,048,576 by default).
const UNLIMITED_SOFT: u64 = 1 << 20;

/// The open-files limit before and after [`raise_nofile_limit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FdLimit {
    /// The soft limit the process was started with.
    pub before: u64,
    /// The soft limit now in force.
    pub soft: u64,
    /// The hard limit (`None`: unlimited).
    pub hard: Option<u64>,
}

impl FdLimit {
    /// Whether the soft limit was raised.
    pub fn raised(&self) -> bool {
        self.soft > self.before
    }
}

/// The soft open-files limit in force now (`u64::MAX`: unlimited).
pub fn current_nofile_limit() -> u64 {
    getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX)
}

/// Raises the soft open-files limit to the hard limit (or to 2^20 when the hard limit is
/// unlimited), never lowering it.
///
/// # Errors
/// The kernel refuses the new limit; the limit is then unchanged.
pub fn raise_nofile_limit() -> std::io::Result<FdLimit> {
    let Rlimit { current, maximum } = getrlimit(Resource::Nofile);
    let before = current.unwrap_or(u64::MAX);
    let target = maximum.unwrap_or(UNLIMITED_SOFT);
    if target <= before {
        return Ok(FdLimit {
            before,
            soft: before,
            hard: maximum,
        });
    }
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(target),
            maximum,
        },
    )?;
    Ok(FdLimit {
        before,
        soft: target,
        hard: maximum,
    })
}

/// Descriptors kept out of the connection cap: a quarter of the limit, between 32 and 512.
pub fn fd_reserve(limit: u64) -> u64 {
    (limit / 4).clamp(32, 512)
}

/// The default `--max-connections` for an open-files limit: the limit minus [`fd_reserve`],
/// at least 1.
pub fn default_max_connections(limit: u64) -> usize {
    let n = limit.saturating_sub(fd_reserve(limit)).max(1);
    usize::try_from(n).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_cap_keeps_a_reserve_for_files() {
        assert_eq!(default_max_connections(1024), 768);
        assert_eq!(default_max_connections(65_536), 65_024);
        assert_eq!(default_max_connections(64), 32);
        assert_eq!(default_max_connections(10), 1);
    }

    #[test]
    fn raising_never_lowers_the_limit() {
        let l = raise_nofile_limit().unwrap();
        assert!(l.soft >= l.before);
        assert_eq!(current_nofile_limit(), l.soft);
    }
}
