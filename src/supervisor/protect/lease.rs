//! The `leaser` stack: one task ([`keeper`]) takes the lease (`leases/NAME.json`, see
//! [`crate::backup::lease`]) before the processes start, renews it every `renew_every`, and
//! when a renewal is refused (the lease was broken or taken) or has failed until less than a
//! third of the `ttl` is left, stops every process and waits for the lease again. A release
//! (`POST /release-lease`) stops the processes, releases this supervisor's epoch and stays
//! away for one `ttl` so another supervisor can take over; a clean shutdown releases it after
//! the processes stopped.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};

use super::{ProtectError, Protection};
use crate::backup::{BackupError, Lease, LeaseGrant};
use crate::supervisor::manager::Supervisor;

/// Where this supervisor stands with the lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LeaseState {
    /// Trying to take it (another holder has it, or the bucket does not answer).
    Waiting,
    /// Held: the processes may run.
    Held,
    /// Lost (broken, taken, or not renewed in time): the processes were stopped.
    Lost,
    /// Released on request; taken again after one `ttl`.
    Released,
}

/// The lease as status shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaseStatus {
    /// The lease object's URL.
    pub url: String,
    /// Where this supervisor stands.
    pub state: LeaseState,
    /// This supervisor's holder name.
    pub holder: String,
    /// The epoch held (or last held).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<u64>,
    /// When the held grant expires unless renewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Who holds it while this supervisor waits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_by: Option<String>,
    /// Why it is waiting, lost or released (the last error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When it entered this state.
    pub since: DateTime<Utc>,
}

impl LeaseStatus {
    /// True while the held grant has not expired.
    pub fn is_unexpired(&self) -> bool {
        self.expires_at.is_some_and(|e| e > Utc::now())
    }

    /// One line for messages.
    pub fn describe(&self) -> String {
        let state = serde_json::to_value(self.state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        match (&self.held_by, &self.reason) {
            (Some(h), _) => format!("{state}: held by {h}"),
            (None, Some(r)) => format!("{state}: {r}"),
            (None, None) => state,
        }
    }
}

/// What `POST /release-lease` did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReleaseReport {
    /// `released` (this supervisor's own epoch) or `broken` (another holder's, with `force`).
    pub action: String,
    /// The holder whose grant ended.
    pub holder: String,
    /// Its epoch.
    pub epoch: u64,
}

/// A request to the keeper.
pub(crate) enum LeaseCmd {
    Release {
        force: bool,
        reply: oneshot::Sender<Result<ReleaseReport, ProtectError>>,
    },
}

enum Outcome {
    Lost(String),
    Release(oneshot::Sender<Result<ReleaseReport, ProtectError>>),
    Shutdown,
}

/// The keeper task; see the module doc.
pub(crate) async fn keeper(
    p: Arc<Protection>,
    sup: Supervisor,
    mut cmds: mpsc::Receiver<LeaseCmd>,
) {
    let Some(spec) = p.leaser.clone() else { return };
    let lease = match p.target.lease(&spec.name) {
        Ok(l) => l,
        Err(e) => {
            set(&p, "", LeaseState::Waiting, None, None, Some(e.to_string()));
            return;
        }
    };
    let url = lease.url();
    let mut stop = p.stop.subscribe();
    loop {
        // Take it.
        let mut grant = loop {
            if *stop.borrow() {
                return;
            }
            match lease.acquire(&p.holder, spec.ttl).await {
                Ok(g) => break g,
                Err(BackupError::LeaseHeld {
                    holder,
                    epoch,
                    expires_at,
                    ..
                }) => {
                    let by = format!("{holder} (epoch {epoch}, until {expires_at})");
                    update_waiting(&p, &url, Some(by), None);
                }
                Err(e) => update_waiting(&p, &url, None, Some(e.to_string())),
            }
            tokio::select! {
                () = tokio::time::sleep(spec.retry_every) => {}
                _ = stop.changed() => return,
                Some(cmd) = cmds.recv() => answer_unheld(&p, &lease, cmd).await,
            }
        };
        let epoch = grant.epoch();
        set(
            &p,
            &url,
            LeaseState::Held,
            Some(epoch),
            Some(grant.state.expires_at),
            None,
        );
        tracing::info!(epoch, "lease taken; starting the processes");
        if p.prepare_db().await {
            sup.unhold().await;
        }
        // Keep it.
        let outcome = renew_until_done(&p, &lease, &mut grant, &spec, &mut cmds, &mut stop).await;
        match outcome {
            Outcome::Lost(reason) => {
                tracing::error!(epoch, %reason, "lease lost; stopping every process");
                set(
                    &p,
                    &url,
                    LeaseState::Lost,
                    Some(epoch),
                    None,
                    Some(reason.clone()),
                );
                sup.hold(&format!("lease lost: {reason}")).await;
            }
            Outcome::Release(reply) => {
                sup.hold("lease released on request").await;
                let result = lease.release(grant).await;
                let reason = match &result {
                    Ok(()) => "released on request".to_owned(),
                    Err(e) => format!("release failed: {e}"),
                };
                set(
                    &p,
                    &url,
                    LeaseState::Released,
                    Some(epoch),
                    None,
                    Some(reason),
                );
                let _ = reply.send(result.map_err(ProtectError::from).map(|()| ReleaseReport {
                    action: "released".into(),
                    holder: p.holder.clone(),
                    epoch,
                }));
                let away = tokio::time::sleep(spec.ttl);
                tokio::pin!(away);
                loop {
                    tokio::select! {
                        () = &mut away => break,
                        _ = stop.changed() => return,
                        Some(cmd) = cmds.recv() => answer_unheld(&p, &lease, cmd).await,
                    }
                }
            }
            Outcome::Shutdown => {
                // The processes were stopped by the shutdown before this.
                match lease.release(grant).await {
                    Ok(()) => tracing::info!(epoch, "lease released"),
                    Err(e) => tracing::warn!(error = %e, "lease release at shutdown failed"),
                }
                set(
                    &p,
                    &url,
                    LeaseState::Released,
                    Some(epoch),
                    None,
                    Some("shutdown".into()),
                );
                return;
            }
        }
    }
}

async fn renew_until_done(
    p: &Protection,
    lease: &Lease,
    grant: &mut LeaseGrant,
    spec: &super::LeaserSpec,
    cmds: &mut mpsc::Receiver<LeaseCmd>,
    stop: &mut tokio::sync::watch::Receiver<bool>,
) -> Outcome {
    let mut wait = spec.renew_every;
    loop {
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return Outcome::Shutdown,
            Some(LeaseCmd::Release { reply, .. }) = cmds.recv() => return Outcome::Release(reply),
        }
        let left = (grant.state.expires_at - Utc::now())
            .to_std()
            .unwrap_or_default();
        let attempt = tokio::time::timeout(
            left.max(Duration::from_millis(100)),
            lease.renew(grant, spec.ttl),
        )
        .await;
        let failure = match attempt {
            Ok(Ok(())) => {
                let url = lease.url();
                set(
                    p,
                    &url,
                    LeaseState::Held,
                    Some(grant.epoch()),
                    Some(grant.state.expires_at),
                    None,
                );
                wait = spec.renew_every;
                continue;
            }
            Ok(Err(e @ BackupError::LeaseLost { .. })) => return Outcome::Lost(e.to_string()),
            Ok(Err(e)) => e.to_string(),
            Err(_) => "renewal timed out".to_owned(),
        };
        let left = (grant.state.expires_at - Utc::now())
            .to_std()
            .unwrap_or_default();
        if left < spec.ttl / 3 {
            return Outcome::Lost(format!("not renewed in time: {failure}"));
        }
        tracing::warn!(%failure, ?left, "lease renewal failed; retrying");
        p.update(|s| {
            if let Some(l) = &mut s.lease {
                l.reason = Some(format!("renewal failed, retrying: {failure}"));
            }
        });
        wait = spec.retry_every.min(left / 4);
    }
}

/// A release asked for while this supervisor does not hold the lease: only `force` breaks
/// whoever holds it.
async fn answer_unheld(p: &Protection, lease: &Lease, cmd: LeaseCmd) {
    let LeaseCmd::Release { force, reply } = cmd;
    if !force {
        let why = p
            .status()
            .lease
            .map_or_else(|| "not taken".into(), |l| l.describe());
        let _ = reply.send(Err(ProtectError::LeaseNotHeld(why)));
        return;
    }
    let by = format!("{} (release-lease --force)", p.holder);
    let result = match lease.force_break(&by).await {
        Ok(Some(s)) => Ok(ReleaseReport {
            action: if s.released {
                "none: already free"
            } else {
                "broken"
            }
            .into(),
            holder: s.holder,
            epoch: s.epoch,
        }),
        Ok(None) => Err(ProtectError::Invalid("the lease was never taken".into())),
        Err(e) => Err(e.into()),
    };
    let _ = reply.send(result);
}

fn update_waiting(p: &Protection, url: &str, held_by: Option<String>, reason: Option<String>) {
    p.update(|s| {
        let keep_since = s
            .lease
            .as_ref()
            .filter(|l| l.state == LeaseState::Waiting)
            .map(|l| l.since);
        let last_epoch = s.lease.as_ref().and_then(|l| l.epoch);
        s.lease = Some(LeaseStatus {
            url: url.to_owned(),
            state: LeaseState::Waiting,
            holder: p.holder.clone(),
            epoch: last_epoch,
            expires_at: None,
            held_by,
            reason,
            since: keep_since.unwrap_or_else(Utc::now),
        });
    });
}

fn set(
    p: &Protection,
    url: &str,
    state: LeaseState,
    epoch: Option<u64>,
    expires_at: Option<DateTime<Utc>>,
    reason: Option<String>,
) {
    p.update(|s| {
        let since = s
            .lease
            .as_ref()
            .filter(|l| l.state == state)
            .map_or_else(Utc::now, |l| l.since);
        s.lease = Some(LeaseStatus {
            url: url.to_owned(),
            state,
            holder: p.holder.clone(),
            epoch,
            expires_at,
            held_by: None,
            reason,
            since,
        });
    });
}

/// Sends a release request to the keeper.
///
/// # Errors
/// [`ProtectError::NotEnabled`] without the leaser stack, and the keeper's answer.
pub(crate) async fn release(p: &Protection, force: bool) -> Result<ReleaseReport, ProtectError> {
    let tx = p
        .lease_cmds
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
        .ok_or(ProtectError::NotEnabled("the leaser stack"))?;
    let (reply, rx) = oneshot::channel();
    tx.send(LeaseCmd::Release { force, reply })
        .await
        .map_err(|_| ProtectError::LeaseNotHeld("the lease keeper has stopped".into()))?;
    rx.await
        .map_err(|_| ProtectError::LeaseNotHeld("the lease keeper has stopped".into()))?
}
