//! What the replication and PostgreSQL benches commit: one ~200-byte object per op, over
//! 10,000 ids (so objects are overwritten, as a live workload does).

use std::sync::Arc;

use stmgr::store::{Body, ObjectData, ObjectOp, Op};

/// The `i`th put: object `obj-(i mod 10,000)` in the namespace `bench`.
pub fn op(i: u64) -> Op {
    let body = format!(r#"{{"i":{i},"pad":"{}"}}"#, "p".repeat(160));
    Op::Object(ObjectOp::Put {
        ns: "bench".into(),
        id: format!("obj-{}", i % 10_000).into(),
        data: Arc::new(ObjectData::new(
            "note".into(),
            Body::from_json(&body).expect("json"),
        )),
    })
}
