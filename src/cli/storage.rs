//! What the backup commands share: opening a backup location (`--to`/`--from URL`, or the
//! `[storage]` table of the config file), a byte progress bar wired to its transfers, and the
//! `--keep-…` flags of a retention policy.

use std::sync::Arc;

use clap::Args;
use indicatif::ProgressBar;

use crate::admin::KeepPolicy;
use crate::backup::{Location, Progress, Target, TargetConfig, TargetOptions};
use crate::cli::context::Context;
use crate::cli::exit::UsageError;

/// The `--keep-…` flags (restic's `forget` rules).
#[derive(Debug, Clone, Default, Args)]
pub struct KeepArgs {
    /// Keep the N newest snapshots
    #[arg(long, value_name = "N", default_value_t = 0, hide_default_value = true)]
    pub keep_last: usize,
    /// Keep the newest snapshot of each of the last N hours that have one
    #[arg(long, value_name = "N", default_value_t = 0, hide_default_value = true)]
    pub keep_hourly: usize,
    /// Keep the newest snapshot of each of the last N days that have one
    #[arg(long, value_name = "N", default_value_t = 0, hide_default_value = true)]
    pub keep_daily: usize,
    /// Keep the newest snapshot of each of the last N ISO weeks that have one
    #[arg(long, value_name = "N", default_value_t = 0, hide_default_value = true)]
    pub keep_weekly: usize,
    /// Keep the newest snapshot of each of the last N months that have one
    #[arg(long, value_name = "N", default_value_t = 0, hide_default_value = true)]
    pub keep_monthly: usize,
    /// Keep the newest snapshot of each of the last N years that have one
    #[arg(long, value_name = "N", default_value_t = 0, hide_default_value = true)]
    pub keep_yearly: usize,
    /// Keep every snapshot taken within this of the newest (e.g. 7d, 36h)
    #[arg(long, value_name = "DURATION")]
    pub keep_within: Option<String>,
    /// Keep every snapshot with this tag (repeatable)
    #[arg(long = "keep-tag", value_name = "TAG")]
    pub keep_tags: Vec<String>,
}

impl KeepArgs {
    /// The policy on the wire.
    pub fn policy(&self, dry_run: bool) -> KeepPolicy {
        KeepPolicy {
            keep_last: self.keep_last,
            keep_hourly: self.keep_hourly,
            keep_daily: self.keep_daily,
            keep_weekly: self.keep_weekly,
            keep_monthly: self.keep_monthly,
            keep_yearly: self.keep_yearly,
            keep_within: self.keep_within.clone(),
            keep_tags: self.keep_tags.clone(),
            dry_run,
        }
    }

    /// Whether any rule is given.
    pub fn any(&self) -> bool {
        let p = self.policy(false);
        p != KeepPolicy::default()
    }

    /// The policy as the rules, checked.
    ///
    /// # Errors
    /// A [`UsageError`] for a bad duration or tag.
    pub fn rules(&self) -> anyhow::Result<crate::store::forget::Policy> {
        crate::admin::lifecycle::policy_of(&self.policy(false))
            .map_err(|e| UsageError::new(e.replace("keep_within", "--keep-within")).into())
    }
}

/// A bar counting bytes moved to or from a location, and the target wired to it.
pub struct Opened {
    /// The target.
    pub target: Target,
    /// Its transfers' bar (hidden without a terminal or with `-q`); set its length before a
    /// transfer.
    pub bar: ProgressBar,
}

/// Opens the backup location `url`, or the `[storage]` one of the config file when `url` is
/// `None`; credentials from the config file or the `AWS_*` variables.
///
/// # Errors
/// A [`UsageError`] when there is no location; an invalid one (exit 2 as well); a `--from`
/// directory that does not exist (exit 1).
pub fn open(ctx: &Context, url: Option<&str>, flag: &str) -> anyhow::Result<Opened> {
    let (location, credentials) = match (url, &ctx.settings.storage) {
        (Some(u), Some(st)) if st.url() == Some(u) => st.resolve()?,
        (Some(u), _) => (Location::parse(u)?, None),
        (None, Some(st)) => st.resolve()?,
        (None, None) => {
            return Err(UsageError::new(format!(
                "no backup location: give {flag} URL (file:///dir or s3://bucket/prefix) or \
                 set url in the [storage] table of the config file"
            ))
            .into());
        }
    };
    // Reading from a local directory that does not exist is a typo, not an empty backup
    // location (an S3 prefix never written to is one: it lists nothing).
    if flag == "--from"
        && let Location::Local { root } = &location
        && !root.exists()
    {
        anyhow::bail!(
            "no backup location at {location}: the directory {} does not exist",
            root.display()
        );
    }
    let bar = ctx.printer.bytes_progress(0, "transferring");
    let b2 = bar.clone();
    let target = Target::open(TargetConfig {
        location,
        credentials,
        options: TargetOptions {
            progress: Some(Progress(Arc::new(move |n| b2.inc(n)))),
            ..TargetOptions::default()
        },
    })?;
    Ok(Opened { target, bar })
}
