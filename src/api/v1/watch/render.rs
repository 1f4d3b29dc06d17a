//! Watch events rendered once for all watchers: each op of a commit as its SSE `data:` lines,
//! kept for the most recent commits, so a commit seen by a thousand watchers is serialized once
//! and each watcher only copies bytes.

use std::collections::VecDeque;
use std::sync::{Arc, RwLock};

use bytes::{BufMut, Bytes, BytesMut};
use serde::Serialize;

use crate::objects::ObjectOut;
use crate::store::{DeleteReason, ObjectOp, Op, Record};

/// The `data:` lines (each ending in `\n`) of each op of one record; `None` for ops watchers
/// never see.
pub(super) type Rendered = Vec<Option<Bytes>>;

#[derive(Serialize)]
struct PutEvent {
    #[serde(rename = "type")]
    kind: &'static str,
    obj: ObjectOut,
    commit_seq: u64,
}

#[derive(Serialize)]
struct DeleteEvent<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    ns: &'a str,
    id: &'a str,
    commit_seq: u64,
    reason: &'static str,
}

/// `data: <line>\n` for each line of `json` (a body kept verbatim may hold line breaks).
fn data_lines(json: &str) -> Bytes {
    let mut b = BytesMut::with_capacity(json.len() + 8);
    for line in json.split(['\n', '\r']) {
        b.put_slice(b"data: ");
        b.put_slice(line.as_bytes());
        b.put_u8(b'\n');
    }
    b.freeze()
}

pub(super) fn render(rec: &Record) -> Rendered {
    rec.ops
        .iter()
        .map(|op| {
            let json = match op {
                Op::Object(ObjectOp::Put { ns, id, data }) => serde_json::to_string(&PutEvent {
                    kind: "put",
                    obj: ObjectOut::new(ns, id, rec.seq, rec.ts, data),
                    commit_seq: rec.seq,
                }),
                Op::Object(ObjectOp::Delete { ns, id, reason }) => {
                    serde_json::to_string(&DeleteEvent {
                        kind: "delete",
                        ns,
                        id,
                        commit_seq: rec.seq,
                        reason: match reason {
                            DeleteReason::Deleted => "deleted",
                            DeleteReason::Expired => "expired",
                        },
                    })
                }
                Op::Object(ObjectOp::Remember { .. })
                | Op::Lease(_)
                | Op::Checkpoint(_)
                | Op::Workflow(_)
                | Op::Flow(_) => {
                    return None;
                }
            };
            // Serializing these shapes cannot fail (string keys, valid raw JSON bodies).
            json.ok().map(|j| data_lines(&j))
        })
        .collect()
}

/// Rendered records shared by every watcher, newest last.
#[derive(Debug, Default)]
pub struct RenderCache {
    recent: RwLock<VecDeque<(u64, Arc<Rendered>)>>,
}

/// Records kept rendered.
const RENDER_CACHE: usize = 4096;

/// Where `seq` is (or would go) among `recent`, which is in seq order.
fn find(recent: &VecDeque<(u64, Arc<Rendered>)>, seq: u64) -> Result<usize, usize> {
    let i = recent.partition_point(|(s, _)| *s < seq);
    match recent.get(i) {
        Some((s, _)) if *s == seq => Ok(i),
        _ => Err(i),
    }
}

impl RenderCache {
    /// Calls `each` with every record of `batch` (in seq order) and its rendering, made now
    /// for those no watcher rendered yet. The cache is read-locked once for the whole batch.
    pub(super) fn with_rendered(
        &self,
        batch: &[Arc<Record>],
        mut each: impl FnMut(&Record, &Rendered),
    ) {
        let mut first_missing = batch.len();
        {
            let recent = self.recent.read().unwrap_or_else(|p| p.into_inner());
            let mut at: Option<usize> = None;
            for (i, rec) in batch.iter().enumerate() {
                // Commits of a batch usually sit next to each other in the cache.
                let next = at
                    .map(|a| a + 1)
                    .filter(|&n| recent.get(n).is_some_and(|(s, _)| *s == rec.seq));
                match next.map_or_else(|| find(&recent, rec.seq), Ok) {
                    Ok(found) => {
                        at = Some(found);
                        each(rec, &recent[found].1);
                    }
                    Err(_) => {
                        first_missing = i;
                        break;
                    }
                }
            }
        }
        for rec in &batch[first_missing..] {
            let rendered = self.get(rec);
            each(rec, &rendered);
        }
    }

    /// The rendering of `rec`, made now if no watcher made it yet.
    fn get(&self, rec: &Record) -> Arc<Rendered> {
        {
            let recent = self.recent.read().unwrap_or_else(|p| p.into_inner());
            if let Ok(i) = find(&recent, rec.seq) {
                return recent[i].1.clone();
            }
        }
        let rendered = Arc::new(render(rec));
        let mut recent = self.recent.write().unwrap_or_else(|p| p.into_inner());
        match find(&recent, rec.seq) {
            Ok(i) => return recent[i].1.clone(),
            // Older than everything kept while the cache is full: a catching-up watcher's.
            Err(0) if recent.len() >= RENDER_CACHE => return rendered,
            Err(i) => recent.insert(i, (rec.seq, rendered.clone())),
        }
        while recent.len() > RENDER_CACHE {
            recent.pop_front();
        }
        rendered
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_in_a_body_become_data_lines() {
        assert_eq!(&data_lines("{\"a\":\n1}")[..], b"data: {\"a\":\ndata: 1}\n");
        assert_eq!(&data_lines("{}")[..], b"data: {}\n");
    }

    fn cached_seqs(cache: &RenderCache) -> Vec<u64> {
        cache
            .recent
            .read()
            .unwrap()
            .iter()
            .map(|(s, _)| *s)
            .collect()
    }

    #[test]
    fn cache_keeps_seq_order_and_reuses_renderings() {
        let cache = RenderCache::default();
        let rec = |seq| Record {
            seq,
            ts: 0,
            ops: vec![Op::Object(ObjectOp::Delete {
                ns: "n".into(),
                id: "i".into(),
                reason: DeleteReason::Deleted,
            })],
        };
        let a = cache.get(&rec(5));
        cache.get(&rec(3));
        cache.get(&rec(9));
        assert!(Arc::ptr_eq(&a, &cache.get(&rec(5))));
        assert_eq!(cached_seqs(&cache), vec![3, 5, 9]);
        let text = String::from_utf8(a[0].as_ref().unwrap().to_vec()).unwrap();
        assert!(text.starts_with("data: {\"type\":\"delete\""), "{text}");

        // A batch: cached and new records, each given once, in order, new ones cached.
        let batch: Vec<Arc<Record>> = [3, 4, 5, 7, 9, 10]
            .into_iter()
            .map(|s| Arc::new(rec(s)))
            .collect();
        let mut seen = Vec::new();
        cache.with_rendered(&batch, |r, rendered| {
            assert_eq!(rendered.len(), 1);
            seen.push(r.seq);
        });
        assert_eq!(seen, vec![3, 4, 5, 7, 9, 10]);
        assert_eq!(cached_seqs(&cache), vec![3, 4, 5, 7, 9, 10]);
        let mut again = None;
        cache.with_rendered(&batch[2..3], |_, r| again = Some(r as *const Rendered));
        assert_eq!(
            again,
            Some(Arc::as_ptr(&a)),
            "the cached rendering is reused"
        );
    }
}
