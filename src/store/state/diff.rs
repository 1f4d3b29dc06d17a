//! Field-by-field comparison of two [`State`]s, for tests that check that a state rebuilt from
//! disk (a snapshot, a recovery, a restore) is the state the engine held.
//!
//! Every domain compares itself in its own module (its fields are private there) by
//! destructuring both sides without `..`, and [`State::diff`] destructures [`State`] the same
//! way: a new domain, or a new field of a domain (an index included), does not compile until
//! the comparison covers it. A difference is reported by field, with the first keys that
//! differ, rather than as two whole states.

use std::fmt::Debug;

use imbl::{OrdMap, OrdSet};

use super::State;

/// How object histories are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Histories {
    /// Every entry with its history and tombstones (snapshots, recovery).
    Exact,
    /// Live objects' current versions only: a point-in-time restore keeps no history (it
    /// replays with an empty window), so it drops earlier versions and tombstones.
    CurrentOnly,
}

/// Differences found so far.
#[derive(Debug, Default)]
pub(crate) struct Diff {
    problems: Vec<String>,
}

/// Keys reported per differing map or set.
const KEYS_SHOWN: usize = 3;

impl Diff {
    /// Compares two values.
    pub(crate) fn value<T: PartialEq + Debug>(&mut self, what: &str, want: &T, got: &T) {
        if want != got {
            self.problems
                .push(format!("{what}: expected {want:?}, got {got:?}"));
        }
    }

    /// Compares two maps, naming the first keys that differ.
    pub(crate) fn map<K, V>(&mut self, what: &str, want: &OrdMap<K, V>, got: &OrdMap<K, V>)
    where
        K: Ord + Clone + Debug,
        V: PartialEq + Clone + Debug,
    {
        if want == got {
            return;
        }
        let mut shown = Vec::new();
        for (k, v) in want {
            match got.get(k) {
                None => shown.push(format!("{k:?} missing (expected {v:?})")),
                Some(g) if g != v => shown.push(format!("{k:?}: expected {v:?}, got {g:?}")),
                Some(_) => {}
            }
        }
        for (k, g) in got {
            if !want.contains_key(k) {
                shown.push(format!("{k:?} unexpected ({g:?})"));
            }
        }
        self.keys(what, want.len(), got.len(), shown);
    }

    /// Compares two sets, naming the first members that differ.
    pub(crate) fn set<K: Ord + Clone + Debug>(
        &mut self,
        what: &str,
        want: &OrdSet<K>,
        got: &OrdSet<K>,
    ) {
        if want == got {
            return;
        }
        let missing = want.iter().filter(|k| !got.contains(k));
        let extra = got.iter().filter(|k| !want.contains(k));
        let shown = missing
            .map(|k| format!("{k:?} missing"))
            .chain(extra.map(|k| format!("{k:?} unexpected")))
            .collect();
        self.keys(what, want.len(), got.len(), shown);
    }

    fn keys(&mut self, what: &str, want: usize, got: usize, shown: Vec<String>) {
        let more = shown.len().saturating_sub(KEYS_SHOWN);
        let mut line = format!("{what} ({want} expected, {got} found): ");
        line.push_str(
            &shown
                .into_iter()
                .take(KEYS_SHOWN)
                .collect::<Vec<_>>()
                .join("; "),
        );
        if more > 0 {
            line.push_str(&format!("; and {more} more"));
        }
        self.problems.push(line);
    }

    /// `Ok` when nothing differed, else every difference, one per line.
    ///
    /// # Errors
    /// The differences.
    pub(crate) fn finish(self) -> Result<(), String> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(self.problems.join("\n"))
        }
    }
}

impl State {
    /// Compares `self` (what was expected) with `got`, domain by domain.
    pub(crate) fn diff(&self, got: &State, histories: Histories) -> Result<(), String> {
        let State {
            seq,
            ts,
            objects,
            idempotency,
            leases,
            checkpoints,
            workflows,
            flows,
        } = self;
        let State {
            seq: got_seq,
            ts: got_ts,
            objects: got_objects,
            idempotency: got_idempotency,
            leases: got_leases,
            checkpoints: got_checkpoints,
            workflows: got_workflows,
            flows: got_flows,
        } = got;
        let mut d = Diff::default();
        d.value("seq", seq, got_seq);
        d.value("ts", ts, got_ts);
        objects.diff(got_objects, histories, &mut d);
        idempotency.diff(got_idempotency, &mut d);
        leases.diff(got_leases, &mut d);
        checkpoints.diff(got_checkpoints, &mut d);
        workflows.diff(got_workflows, &mut d);
        flows.diff(got_flows, &mut d);
        d.finish()
    }
}
