//! The lease rules over the engine seam: a lease is taken when free, lapsed or already the
//! owner's; renewed and released only by its holder with its token (renewed only while live).
//! The answer is the commit's: the token is its seq, the expiry its time plus the ttl.

use std::sync::Arc;

use super::{LeaseInput, LeaseOut};
use crate::objects::Result;
use crate::store::state::State;
use crate::store::state::leases::expires_at;
use crate::store::{Engine, LeaseOp, Op, Rejection};
use crate::time::format_ts;

/// The leases domain over an engine.
#[derive(Debug, Clone)]
pub struct Leases {
    engine: Engine,
}

impl Leases {
    /// The leases domain over `engine`.
    pub fn new(engine: Engine) -> Self {
        Leases { engine }
    }

    /// Takes the lease, or extends it when `input.owner` already holds it (with a new token).
    ///
    /// # Errors
    /// Invalid input; a conflict while another owner holds it; an engine failure.
    pub async fn acquire(&self, ns: &str, input: LeaseInput) -> Result<LeaseOut> {
        input.check(ns, true, false)?;
        let ttl_ms = input.ttl_ms();
        let now = self.engine.now_ms();
        let (ns, key, owner): (Arc<str>, Arc<str>, Arc<str>) = (
            ns.into(),
            input.key.as_str().into(),
            input.owner.as_str().into(),
        );
        let (info, ()) = self
            .engine
            .commit(move |s| {
                if let Some(l) = s.leases.get(&ns, &key)
                    && l.owner != owner
                    && l.expires_at > now
                {
                    return Err(Rejection::Conflict(format!(
                        "lease {key:?} is held by {:?} until {}",
                        l.owner,
                        format_ts(l.expires_at)
                    )));
                }
                let op = Op::Lease(LeaseOp::Acquire {
                    ns,
                    key,
                    owner,
                    ttl_ms,
                });
                Ok((vec![op], ()))
            })
            .await?;
        Ok(answer(input, info.seq, expires_at(info.ts, ttl_ms)))
    }

    /// Extends a live lease held by `input.owner` with `input.token`.
    ///
    /// # Errors
    /// Invalid input; a conflict when not the holder or lapsed; an engine failure.
    pub async fn renew(&self, ns: &str, input: LeaseInput) -> Result<LeaseOut> {
        input.check(ns, true, true)?;
        let ttl_ms = input.ttl_ms();
        let now = self.engine.now_ms();
        let (ns, key, owner, token) = (
            ns.to_string(),
            input.key.clone(),
            input.owner.clone(),
            input.token.unwrap_or(0),
        );
        let (info, token) = self
            .engine
            .commit(move |s| {
                holder_check(s, &ns, &key, &owner, token, true, now)?;
                let op = Op::Lease(LeaseOp::Renew {
                    ns: ns.into(),
                    key: key.into(),
                    ttl_ms,
                });
                Ok((vec![op], token))
            })
            .await?;
        Ok(answer(input, token, expires_at(info.ts, ttl_ms)))
    }

    /// Gives up a lease held by `input.owner` with `input.token` (lapsed or not).
    ///
    /// # Errors
    /// Invalid input; a conflict when not the holder; an engine failure.
    pub async fn release(&self, ns: &str, input: LeaseInput) -> Result<()> {
        input.check(ns, false, true)?;
        let now = self.engine.now_ms();
        let (ns, key, owner, token) = (
            ns.to_string(),
            input.key,
            input.owner,
            input.token.unwrap_or(0),
        );
        self.engine
            .commit(move |s| {
                holder_check(s, &ns, &key, &owner, token, false, now)?;
                let op = Op::Lease(LeaseOp::Release {
                    ns: ns.into(),
                    key: key.into(),
                });
                Ok((vec![op], ()))
            })
            .await?;
        Ok(())
    }
}

fn answer(input: LeaseInput, token: u64, expires_at: i64) -> LeaseOut {
    LeaseOut {
        token,
        expires_at: format_ts(expires_at),
        owner: input.owner,
        key: input.key,
    }
}

/// Refuses unless `owner` holds `key` with `token` (and, when `live`, the lease has not lapsed).
fn holder_check(
    s: &State,
    ns: &str,
    key: &str,
    owner: &str,
    token: u64,
    live: bool,
    now: i64,
) -> Result<(), Rejection> {
    match s.leases.get(ns, key) {
        None => Err(Rejection::Conflict(format!("lease {key:?} is not held"))),
        Some(l) if *l.owner != *owner || l.token != token => Err(Rejection::Conflict(format!(
            "lease {key:?} is held by another owner or token"
        ))),
        Some(l) if live && l.expires_at <= now => {
            Err(Rejection::Conflict(format!("lease {key:?} has lapsed")))
        }
        Some(_) => Ok(()),
    }
}
