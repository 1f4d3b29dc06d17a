//! The replication options of `stmgr server start` (`--replicate URL`): parsed into the backup
//! location the server ships its WAL and snapshots to (see `crate::backup::replicate`).

use std::time::Duration;

use clap::Args;

use crate::backup::replicate::ReplicateOptions;
use crate::backup::{Location, Target, TargetConfig, TargetOptions};
use crate::cli::exit::UsageError;

/// Continuous replication.
#[derive(Debug, Args)]
pub struct ReplicateArgs {
    /// Ship every commit (WAL pieces) and each automatic snapshot to this backup location:
    /// file:///dir or s3://bucket/prefix[?endpoint=URL&region=R&path-style=true]; S3
    /// credentials from the AWS_* variables [default: off]
    #[arg(long, env = "STMGR_REPLICATE", value_name = "URL")]
    pub replicate: Option<String>,
    /// How often what was committed is shipped with --replicate (the replication lag is about
    /// this plus one upload; 10ms to 10s)
    #[arg(long, env = "STMGR_REPLICATE_INTERVAL", default_value = "200ms", value_parser = parse_interval, value_name = "DURATION")]
    pub replicate_interval: Duration,
}

impl ReplicateArgs {
    /// The location and options, when replicating.
    ///
    /// # Errors
    /// A [`UsageError`] for a bad URL.
    pub fn target(&self) -> anyhow::Result<Option<(Target, ReplicateOptions)>> {
        let Some(url) = &self.replicate else {
            return Ok(None);
        };
        let location =
            Location::parse(url).map_err(|e| UsageError::new(format!("--replicate: {e}")))?;
        let mut config = TargetConfig::new(location);
        // The replicator retries with its own backoff: fail fast, report, retry.
        config.options = TargetOptions {
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(30),
            max_retries: 1,
            retry_timeout: Duration::from_secs(5),
            ..TargetOptions::default()
        };
        let target =
            Target::open(config).map_err(|e| UsageError::new(format!("--replicate: {e}")))?;
        let options = ReplicateOptions {
            interval: self.replicate_interval,
            ..ReplicateOptions::default()
        };
        Ok(Some((target, options)))
    }
}

fn parse_interval(text: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if (Duration::from_millis(10)..=Duration::from_secs(10)).contains(&d) {
        Ok(d)
    } else {
        Err(format!("{text} is outside 10ms..10s"))
    }
}
