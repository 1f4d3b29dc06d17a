//! Model-based round trip across every domain: random transactions over objects (tags, TTLs,
//! parents, several versions, deletes, expiries), idempotent answers, leases, checkpoints and
//! workflows (nodes, graph templates with secrets and cron triggers, validations, deletions,
//! runs, states in every status, run deletions, fired cron occurrences) are committed through a
//! real [`crate::store::Engine`] on a temporary directory, with snapshots, restarts and WAL
//! trims in between. The live view at every seq is the model: every way of rebuilding state
//! from the files must give exactly the view of its seq, every domain compared
//! ([`crate::store::state::State::diff`]):
//! - a snapshot, verified and loaded ([`live`]);
//! - a restart, from the newest snapshot and the WAL after it, after a trim or not ([`live`]);
//! - read-only recovery to a seq or a time, and an offline restore to a seq on a copy of the
//!   directory, loaded and reopened ([`rebuild`]);
//!
//! half of the cases with encryption at rest.
//!
//! **The rule that keeps this test whole.** A snapshot once left out the workflow domain while
//! every domain's own tests passed. So nothing here may silently ignore a domain, an op or a
//! status:
//! - the comparison destructures [`crate::store::state::State`] and each domain's state (the
//!   workflow indexes included) without `..`: a new field does not compile until it is
//!   compared;
//! - [`coverage::Seen`] matches [`crate::store::Op`], every inner op enum, every
//!   [`crate::store::state::workflows::StateStatus`] and every snapshot item without a
//!   wildcard: a new variant does not compile until it has a flag, and
//!   [`fixed_seeds_cover_every_op_status_item_and_rebuild`] fails until the generator
//!   ([`cases`]) produces it and the engine round-trips it.
//!
//! A new domain or op therefore takes: its field in `State::diff` and its own `diff`, an arm
//! and a flag in [`coverage`], and a generator in [`cases`].
//!
//! The snapshot fuzzer's seed corpus is written from a fixed log that covers the same flags
//! ([`fixtures`], [`corpus`]).
//!
//! `PROPTEST_CASES=N` runs more random cases than the default.

mod cases;
mod corpus;
mod coverage;
mod fixtures;
mod live;
mod rebuild;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

use cases::Case;
use coverage::Seen;
use live::Live;

/// Random cases per run unless `PROPTEST_CASES` says otherwise.
const DEFAULT_CASES: u32 = 24;
/// Cases of the fixed-seed coverage test.
const FIXED_CASES: usize = 6;

/// Runs one case and returns what it exercised.
fn run(case: &Case) -> Seen {
    let mut live = Live::open(case.sealed);
    for step in &case.steps {
        live.step(step);
    }
    live.close();
    rebuild::check(&mut live, case);
    live.seen
}

fn config() -> ProptestConfig {
    // `ProptestConfig::default()` reads `PROPTEST_CASES`; only its absence sets the count.
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = DEFAULT_CASES;
    }
    // Each shrink step runs an engine; a few hundred are enough to get a short case.
    config.max_shrink_iters = 512;
    config
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_domain_survives_snapshots_restarts_recovery_and_restore(case in cases::case()) {
        run(&case);
    }
}

#[test]
fn fixed_seeds_cover_every_op_status_item_and_rebuild() {
    let mut runner = TestRunner::deterministic();
    let mut seen = Seen::default();
    for _ in 0..FIXED_CASES {
        let case = cases::case()
            .new_tree(&mut runner)
            .expect("a case")
            .current();
        seen.merge(&run(&case));
    }
    let missing = seen.missing();
    assert!(
        missing.is_empty(),
        "the round-trip cases never exercised: {missing:?}\n\
         A new op, status or item needs a generator in roundtrip_tests/cases.rs (see the \
         module doc)."
    );
}
