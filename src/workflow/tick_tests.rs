//! Cron triggers fire once per occurrence (also after the engine is reopened), never for
//! occurrences before the graph was upserted; retention removes finished runs only.

use std::time::Duration;

use serde_json::json;

use super::service::{WorkflowOptions, Workflows};
use crate::store::state::workflows::{StateStatus, Validation};
use crate::store::{Engine, EngineOptions};
use crate::time::now_ms;
use crate::workflow::machine::graph::Template;
use crate::workflow::model::GraphInput;

fn open(dir: &std::path::Path, retention: Option<Duration>) -> Workflows {
    let engine = Engine::open(dir, EngineOptions::default(), "tick test").expect("engine");
    Workflows::new(
        engine,
        WorkflowOptions {
            run_retention: retention,
            ..WorkflowOptions::default()
        },
    )
}

async fn valid_graph(wf: &Workflows, cron: &str) {
    let input: GraphInput = serde_json::from_value(json!({
        "nodes": [{"node_name": "A", "namespace": "ns", "identifier": "a", "inputs": {}}],
        "triggers": [{"type": "CRON", "value": {"expression": cron, "timezone": "Europe/Berlin"}}],
    }))
    .unwrap();
    wf.upsert_graph("ns", "g", input).await.unwrap();
    let reg = serde_json::from_value(json!({"runtime_name": "rt", "nodes": [
        {"name": "A", "inputs_schema": {}, "outputs_schema": {}, "secrets": []}]}))
    .unwrap();
    wf.register("ns", reg).await.unwrap();
    let view = wf.engine().view();
    assert_eq!(
        view.workflows.graph("ns", "g").unwrap().validation,
        Validation::Valid
    );
}

fn runs(wf: &Workflows) -> usize {
    wf.engine().view().workflows.runs().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cron_fires_once_per_occurrence_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let wf = open(dir.path(), None);
    valid_graph(&wf, "*/5 * * * *").await;
    let now = now_ms();
    // Nothing is due before the first occurrence after the upsert.
    assert_eq!(wf.fire_cron_at(now).await.unwrap(), 0);
    // Ten minutes later: two occurrences passed, only the latest fires.
    let later = now + 10 * 60_000;
    assert_eq!(wf.fire_cron_at(later).await.unwrap(), 1);
    assert_eq!(runs(&wf), 1);
    assert_eq!(wf.fire_cron_at(later).await.unwrap(), 0);
    assert_eq!(runs(&wf), 1);
    // After a restart the fired occurrence is remembered.
    wf.engine().close().unwrap();
    drop(wf);
    let wf = open(dir.path(), None);
    assert_eq!(wf.fire_cron_at(later).await.unwrap(), 0);
    assert_eq!(runs(&wf), 1);
    // The next occurrence fires again.
    assert_eq!(wf.fire_cron_at(later + 5 * 60_000).await.unwrap(), 1);
    assert_eq!(runs(&wf), 2);
    wf.engine().close().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_removes_finished_runs_only() {
    let dir = tempfile::tempdir().unwrap();
    let wf = open(dir.path(), Some(Duration::from_secs(3600)));
    valid_graph(&wf, "0 0 1 1 *").await;
    let finished = wf.trigger("ns", "g", Default::default()).await.unwrap();
    let pending = wf.trigger("ns", "g", Default::default()).await.unwrap();
    let claimed = wf.enqueue("ns", vec!["A".into()], 1).await.unwrap();
    let id = claimed[0].id.to_string();
    let done_run = claimed[0].run_id.clone();
    wf.executed("ns", &id, vec![]).await.unwrap();
    let view = wf.engine().view();
    assert_eq!(
        view.workflows.state(&id).unwrap().status,
        StateStatus::Success
    );
    let other = if done_run == finished {
        &pending
    } else {
        &finished
    };
    // Not yet old enough.
    assert_eq!(wf.expire_runs_at(now_ms()).await.unwrap(), 0);
    // Two hours later the finished run goes, the pending one stays.
    assert_eq!(wf.expire_runs_at(now_ms() + 7_200_000).await.unwrap(), 1);
    let view = wf.engine().view();
    assert!(view.workflows.run(&done_run).is_none());
    assert!(view.workflows.state(&id).is_none());
    assert!(view.workflows.run(other).is_some());
    wf.engine().close().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn templates_are_parsed_off_the_commit_thread_and_kept_with_the_graph() {
    let dir = tempfile::tempdir().unwrap();
    let wf = open(dir.path(), None);
    valid_graph(&wf, "*/5 * * * *").await;
    let parsed = |wf: &Workflows| {
        let view = wf.engine().view();
        let g = view.workflows.graph("ns", "g").unwrap().clone();
        (g.parsed.is_filled(), Template::of(&g).unwrap())
    };
    // Parsed at the upsert, before the commit; validation (SetValidation) kept it.
    let (filled, first) = parsed(&wf);
    assert!(filled);
    let (_, again) = parsed(&wf);
    assert!(
        std::sync::Arc::ptr_eq(&first, &again),
        "one parse per version"
    );
    assert_eq!(first.nodes.len(), 1);
    // Recovered from the WAL: parsed when the workflow engine starts, not by a transaction.
    wf.engine().close().unwrap();
    drop(wf);
    let wf = open(dir.path(), None);
    assert!(parsed(&wf).0);
    // The stored text is what it always was: the parse is not part of the record.
    let view = wf.engine().view();
    let g = view.workflows.graph("ns", "g").unwrap();
    let mut empty = g.as_ref().clone();
    empty.parsed = Default::default();
    assert_eq!(
        postcard::to_stdvec(g.as_ref()).unwrap(),
        postcard::to_stdvec(&empty).unwrap()
    );
}
