//! AgentState's metric families on `/metrics`, read from the parsed Prometheus text after real
//! writes, queries and watches, and checked against what happened and (on the embedded engine)
//! what is on disk.

use std::collections::BTreeMap;
use std::path::Path;

use futures_util::StreamExt;
use serde_json::json;

use crate::engine::options;
use crate::server::{Backend, Deployment};

/// One scrape: the type of each family and the value of each sample (`name{labels}`, labels as
/// the server wrote them).
struct Scrape {
    types: BTreeMap<String, String>,
    samples: BTreeMap<String, f64>,
    text: String,
}

impl Scrape {
    fn parse(text: String) -> Scrape {
        let (mut types, mut samples) = (BTreeMap::new(), BTreeMap::new());
        for line in text.lines() {
            if let Some(t) = line.strip_prefix("# TYPE ") {
                let (name, kind) = t.split_once(' ').expect("# TYPE name kind");
                types.insert(name.to_string(), kind.to_string());
            } else if !line.starts_with('#') && !line.is_empty() {
                let (series, value) = line.rsplit_once(' ').expect("series value");
                let value = value
                    .parse()
                    .unwrap_or_else(|_| panic!("bad value: {line}"));
                assert!(
                    samples.insert(series.to_string(), value).is_none(),
                    "twice: {line}"
                );
            }
        }
        Scrape {
            types,
            samples,
            text,
        }
    }

    fn kind(&self, family: &str) -> &str {
        self.types
            .get(family)
            .unwrap_or_else(|| panic!("no family {family} in\n{}", self.text))
    }

    fn value(&self, series: &str) -> f64 {
        *self
            .samples
            .get(series)
            .unwrap_or_else(|| panic!("no series {series} in\n{}", self.text))
    }

    /// The `(le, cumulative count)` buckets of a histogram, checked for shape: increasing
    /// bounds, counts that never fall, `+Inf` last and equal to `_count`.
    fn buckets(&self, family: &str) -> Vec<(f64, f64)> {
        assert_eq!(self.kind(family), "histogram");
        let prefix = format!("{family}_bucket{{le=\"");
        let mut buckets: Vec<(f64, f64)> = self
            .samples
            .iter()
            .filter_map(|(series, v)| {
                let le = series.strip_prefix(&prefix)?.strip_suffix("\"}")?;
                let le = if le == "+Inf" {
                    f64::INFINITY
                } else {
                    le.parse().unwrap()
                };
                Some((le, *v))
            })
            .collect();
        buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert!(buckets.len() >= 2, "{family}: {buckets:?}");
        assert!(buckets.windows(2).all(|w| w[0].1 <= w[1].1), "{buckets:?}");
        let (last_le, last_count) = *buckets.last().unwrap();
        assert_eq!(last_le, f64::INFINITY);
        assert_eq!(last_count, self.value(&format!("{family}_count")));
        buckets
    }
}

/// `(files, bytes)` directly in `dir`.
fn files_and_bytes(dir: &Path) -> (f64, f64) {
    let sizes: Vec<u64> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap())
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len())
        .collect();
    (sizes.len() as f64, sizes.iter().sum::<u64>() as f64)
}

crate::server::both_backends!(agentstates_metric_families_carry_real_values);

async fn agentstates_metric_families_carry_real_values(backend: Backend) {
    let Some(d) = Deployment::new(backend) else {
        return;
    };
    let srv = d.start(options()).await;
    let c = srv.client();
    let before = Scrape::parse(srv.metrics().await);
    assert_eq!(before.value("query_planner_micros_count"), 0.0);
    assert_eq!(before.value(r#"watch_resumes_total{proto="sse"}"#), 0.0);

    // 40 objects of ~4 KiB fill several of the test's 64 KiB segments.
    let filler = "x".repeat(4096);
    for i in 0..40 {
        let body = json!({"type": "t", "id": format!("k{i:02}"), "body": {"n": i, "f": filler}});
        c.put("m", &body, None).await.unwrap();
    }
    let queries = [
        json!({}),
        json!({"jsonpath": {"equals": {"$.n": 7}}}),
        json!({"tag_filter": {"team": "none"}}),
    ];
    for q in &queries {
        c.query("m", q).await.unwrap();
    }
    // A watch resumed from a commit replays from there.
    let resumed: Vec<_> = c
        .watch("m", Some(38), None)
        .await
        .unwrap()
        .take(2)
        .collect()
        .await;
    assert_eq!(resumed.len(), 2);
    let snap = c.snapshot().await.unwrap();
    assert!(snap.snapshot_id.starts_with("snap-"), "{snap:?}");

    let m = Scrape::parse(srv.metrics().await);
    // Query evaluation: one observation per query, each at least a microsecond's worth of
    // work over 40 objects, and all of them within the buckets.
    let q = m.buckets("query_planner_micros");
    assert_eq!(m.value("query_planner_micros_count"), queries.len() as f64);
    assert!(m.value("query_planner_micros_sum") > 0.0);
    assert!(
        q.iter()
            .any(|(le, n)| le.is_finite() && *n == queries.len() as f64)
    );

    assert_eq!(m.kind("watch_resumes"), "counter");
    assert_eq!(m.value(r#"watch_resumes_total{proto="sse"}"#), 1.0);

    assert_eq!(m.value("commit_seq"), 40.0);
    if backend == Backend::Embedded {
        embedded_wal_and_files(&m, d.dir());
    }
    srv.stop().await;
}

/// The WAL and snapshot figures against the data directory (the embedded engine's: on
/// PostgreSQL the log and the snapshots are tables).
fn embedded_wal_and_files(m: &Scrape, dir: &Path) {
    // WAL records: one per commit, and nothing but these 40 commits was written.
    assert_eq!(m.kind("wal_records"), "counter");
    assert_eq!(m.value("wal_records_total"), 40.0);
    let appended = m.value("wal_appended_bytes_total");
    assert!(appended > 40.0 * 4096.0, "{appended}");
    assert_eq!(m.value("wal_bytes_total"), appended);
    // Batches: at least one and at most one per record, their sizes adding up to the bytes.
    let batches = m.buckets("wal_batch_bytes");
    let count = m.value("wal_batch_bytes_count");
    assert!((1.0..=40.0).contains(&count), "{count}");
    assert_eq!(m.value("wal_batch_bytes_sum"), appended);
    let first_4k = batches.iter().find(|(le, _)| *le == 4096.0).unwrap().1;
    assert_eq!(first_4k, 0.0, "every batch holds a 4 KiB body: {batches:?}");

    // Segments and bytes on disk, as the directory shows them now.
    let (segments, wal_bytes) = files_and_bytes(&dir.join("wal"));
    assert!(segments >= 3.0, "{segments} segments");
    assert_eq!(m.kind("wal_active_segments"), "gauge");
    assert_eq!(m.value("wal_active_segments"), segments);
    assert_eq!(m.value("wal_active_segments"), m.value("wal_segments"));
    assert_eq!(m.kind("storage_bytes_total"), "gauge");
    assert_eq!(m.value(r#"storage_bytes_total{kind="wal"}"#), wal_bytes);
    let (snapshots, snapshot_bytes) = files_and_bytes(&dir.join("snapshots"));
    assert_eq!(snapshots, 1.0);
    assert!(snapshot_bytes > 0.0);
    assert_eq!(
        m.value(r#"storage_bytes_total{kind="snapshots"}"#),
        snapshot_bytes
    );
}
