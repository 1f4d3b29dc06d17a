//! The `[snapshots]` table (the server's automatic snapshots and what it keeps of them) and the
//! `[storage]` table (the backup location `snapshot --to`, `snapshot list --from`, `restore
//! --from` use when no URL is given).
//!
//! ```toml
//! [snapshots]
//! interval = "1h"          # an automatic snapshot this long after the last, if anything changed
//! every = "256MiB"         # and after this much WAL
//! keep_last = 3            # restic's forget rules over the automatic snapshots
//! keep_hourly = 24
//! keep_daily = 7
//! keep_weekly = 4
//! keep_monthly = 12
//! keep_yearly = 0
//! keep_within = "2d"
//! keep_tags = ["release"]
//!
//! [storage]
//! url = "s3://bucket/stmgr"
//! endpoint = "https://s3.example.com"
//! region = "eu-1"
//! access_key_id = "…"      # or the AWS_* variables; never printed or logged
//! secret_access_key = "…"
//! ```

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::{ConfigError, Origin};
use crate::store::forget::Policy;

/// The `[snapshots]` table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileSnapshots {
    interval: Option<String>,
    every: Option<toml::Value>,
    #[serde(default)]
    keep_last: usize,
    #[serde(default)]
    keep_hourly: usize,
    #[serde(default)]
    keep_daily: usize,
    #[serde(default)]
    keep_weekly: usize,
    #[serde(default)]
    keep_monthly: usize,
    #[serde(default)]
    keep_yearly: usize,
    keep_within: Option<String>,
    #[serde(default)]
    keep_tags: Vec<String>,
}

/// The server's automatic snapshot policy from the config file (flags of `server start`
/// override it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotSettings {
    /// `interval`.
    pub interval: Option<Duration>,
    /// `every`, in bytes.
    pub every_bytes: Option<u64>,
    /// The `keep_*` rules (empty: the server's default of keeping the newest few).
    pub keep: Policy,
}

fn invalid(path: &Path, key: &str, value: &str, reason: String) -> ConfigError {
    ConfigError::InvalidValue {
        origin: Origin::File {
            path: path.to_path_buf(),
            key: format!("snapshots.{key}"),
        },
        value: value.to_owned(),
        reason,
    }
}

/// Resolves the `[snapshots]` table.
pub(super) fn resolve(
    file: Option<&FileSnapshots>,
    path: Option<&Path>,
) -> Result<SnapshotSettings, ConfigError> {
    let (Some(f), Some(path)) = (file, path) else {
        return Ok(SnapshotSettings::default());
    };
    let duration = |key: &str, v: &str| {
        humantime::parse_duration(v)
            .map_err(|e| invalid(path, key, v, format!("not a duration (1h, 30m): {e}")))
    };
    let interval = f
        .interval
        .as_deref()
        .map(|v| duration("interval", v))
        .transpose()?;
    let every_bytes =
        match &f.every {
            None => None,
            Some(toml::Value::Integer(n)) => Some(u64::try_from(*n).map_err(|_| {
                invalid(path, "every", &n.to_string(), "must not be negative".into())
            })?),
            Some(toml::Value::String(s)) => Some(
                s.parse::<bytesize::ByteSize>()
                    .map_err(|e| invalid(path, "every", s, format!("not a size (256MiB): {e}")))?
                    .as_u64(),
            ),
            Some(other) => {
                return Err(invalid(
                    path,
                    "every",
                    &other.to_string(),
                    "a size: 256MiB or a number of bytes".into(),
                ));
            }
        };
    let within = f
        .keep_within
        .as_deref()
        .map(|v| duration("keep_within", v))
        .transpose()?;
    if let Some(bad) = f
        .keep_tags
        .iter()
        .find(|t| !crate::store::snapshot::valid_tag(t))
    {
        return Err(invalid(
            path,
            "keep_tags",
            bad,
            "1 to 64 letters, digits, '-', '_', '.', ':' or '='".into(),
        ));
    }
    Ok(SnapshotSettings {
        interval,
        every_bytes,
        keep: Policy {
            last: f.keep_last,
            hourly: f.keep_hourly,
            daily: f.keep_daily,
            weekly: f.keep_weekly,
            monthly: f.keep_monthly,
            yearly: f.keep_yearly,
            within,
            tags: f.keep_tags.iter().cloned().collect(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SnapshotSettings, ConfigError> {
        let f: FileSnapshots = toml::from_str(text).unwrap();
        resolve(Some(&f), Some(Path::new("/etc/stmgr/config.toml")))
    }

    #[test]
    fn reads_the_table() {
        let s = parse(
            "interval = \"1h\"\nevery = \"64MiB\"\nkeep_last = 2\nkeep_daily = 7\nkeep_within = \"2d\"\nkeep_tags = [\"release\"]",
        )
        .unwrap();
        assert_eq!(s.interval, Some(Duration::from_secs(3600)));
        assert_eq!(s.every_bytes, Some(64 * 1024 * 1024));
        assert_eq!((s.keep.last, s.keep.daily), (2, 7));
        assert_eq!(s.keep.within, Some(Duration::from_secs(2 * 86400)));
        let e = parse("interval = \"soon\"").unwrap_err().to_string();
        assert!(e.contains("snapshots.interval"), "{e}");
        assert!(parse("keep_tags = [\"a b\"]").is_err());
    }
}
