//! A flow's logs: what its replicas wrote, as their supervisor captured and rotated it
//! ([`crate::supervisor::logs`]), one replica's or every replica's merged by time, each line
//! then prefixed with its replica (`[w-0] `); and, to follow, the lines they write next.

use futures_util::StreamExt;
use futures_util::stream::BoxStream;

use super::{FlowManager, parse_stored};
use crate::flow::FlowError;
use crate::supervisor::logs;

/// What to read of a flow's logs.
#[derive(Debug, Clone, Default)]
pub struct LogRequest {
    /// One replica (its lines unprefixed); `None`: every replica, each line prefixed.
    pub replica: Option<String>,
    /// Only lines stamped at or after this time (ms since the epoch).
    pub since_ms: Option<i64>,
    /// Only the last N lines of each replica.
    pub tail: Option<usize>,
    /// Also the lines written from now on.
    pub follow: bool,
}

/// A flow's log lines (without newlines), oldest first, and with `follow` the lines to come.
pub struct FlowLogs {
    /// The lines already written.
    pub lines: Vec<String>,
    /// New lines as they are written, until dropped (`None` unless following).
    pub live: Option<BoxStream<'static, String>>,
}

impl FlowManager {
    /// The logs of flow `name` (of its replicas in the current manifest).
    ///
    /// # Errors
    /// [`FlowError::NotFound`], [`FlowError::NoReplica`], or a log that cannot be read.
    pub async fn logs(&self, name: &str, req: &LogRequest) -> Result<FlowLogs, FlowError> {
        let record = self.record(name)?;
        let manifest = parse_stored(&record.manifest)?;
        let rt = self.runtime(name, false).await?;
        let all: Vec<String> = manifest.replica_names().into_iter().map(|r| r.0).collect();
        let chosen = match &req.replica {
            Some(r) if all.contains(r) => vec![r.clone()],
            Some(r) => {
                return Err(FlowError::NoReplica {
                    flow: name.to_owned(),
                    replica: r.clone(),
                    known: all.join(", "),
                });
            }
            None => all,
        };
        let prefixed = req.replica.is_none();
        let dir = rt.sup.log_dir().to_owned();
        let io = |source| {
            FlowError::Supervisor(crate::supervisor::SupervisorError::Io {
                op: "read",
                path: dir.clone(),
                source,
            })
        };
        let mut lines = Vec::new();
        let mut live = Vec::new();
        for replica in &chosen {
            let prefix = if prefixed {
                format!("[{replica}] ")
            } else {
                String::new()
            };
            let got = if req.follow {
                // One read that goes on where it stopped: no line falls between the two.
                let (got, rx) = logs::read_and_follow(&dir, replica, req.since_ms).map_err(io)?;
                let prefix = prefix.clone();
                live.push(
                    tokio_stream::wrappers::ReceiverStream::new(rx)
                        .map(move |l| prefix.clone() + &l)
                        .boxed(),
                );
                got
            } else {
                match logs::read(&dir, replica, req.since_ms) {
                    Ok(l) => l,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                    Err(e) => return Err(io(e)),
                }
            };
            // Lines start with their timestamp, fixed width: sorting by it sorts by time.
            lines.extend(
                logs::last(got, req.tail)
                    .into_iter()
                    .map(|l| (l[..ts_len(&l)].to_owned(), prefix.clone() + &l)),
            );
        }
        lines.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(FlowLogs {
            lines: lines.into_iter().map(|(_, l)| l).collect(),
            live: req
                .follow
                .then(|| futures_util::stream::select_all(live).boxed()),
        })
    }
}

/// The length of a log line's timestamp (its first word).
fn ts_len(line: &str) -> usize {
    line.find(' ').unwrap_or(line.len())
}
