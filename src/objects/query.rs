//! Object queries: tag filters (all must match) and JSON-path equality on the body, with a
//! stable id order and cursor pagination.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::{Invalid, ObjectOut};
use crate::store::state::State;

/// Default and largest page.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest page.
pub const MAX_LIMIT: usize = 10_000;

/// The body of `POST /v1/{ns}/query`. Both `tag_filter` (the server's name) and `tags` (what
/// the SDK sends) are accepted; given both, both must match.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryInput {
    /// Tags that must all match exactly.
    #[serde(default)]
    pub tag_filter: Option<BTreeMap<String, String>>,
    /// Same as `tag_filter`.
    #[serde(default)]
    pub tags: Option<BTreeMap<String, String>>,
    /// `{"equals": {"$.path.to.field": value}}`.
    #[serde(default)]
    pub jsonpath: Option<JsonPathFilter>,
    /// Page size.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 10_000)]
    pub limit: Option<usize>,
    /// Return objects with ids after this one (the `next_cursor` of the previous page).
    #[serde(default)]
    pub cursor: Option<String>,
    /// Accepted for compatibility; every field is returned.
    #[serde(default)]
    pub fields: Option<Vec<String>>,
}

/// JSON-path conditions.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonPathFilter {
    /// Path -> value that must be equal.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, serde_json::Value>)]
    pub equals: BTreeMap<String, Value>,
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct Page {
    /// Matching objects in id order.
    pub items: Vec<ObjectOut>,
    /// The cursor for the next page, if there may be more.
    pub next_cursor: Option<String>,
}

/// Splits `$.a.b[0].c` (or `a.b.0.c`) into keys.
fn parse_path(path: &str) -> Result<Vec<String>, Invalid> {
    let p = path.strip_prefix('$').unwrap_or(path);
    let p = p.strip_prefix('.').unwrap_or(p);
    if p.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for part in p.split('.') {
        let (name, rest) = part.split_once('[').unwrap_or((part, ""));
        if !name.is_empty() {
            out.push(name.to_string());
        }
        for idx in rest.split('[').filter(|s| !s.is_empty()) {
            let idx = idx
                .strip_suffix(']')
                .ok_or_else(|| Invalid(format!("bad JSON path {path:?}")))?;
            out.push(idx.to_string());
        }
        if name.is_empty() && rest.is_empty() {
            return Err(Invalid(format!("bad JSON path {path:?}")));
        }
    }
    Ok(out)
}

fn lookup<'a>(mut v: &'a Value, path: &[String]) -> Option<&'a Value> {
    for key in path {
        v = match v {
            Value::Object(m) => m.get(key)?,
            Value::Array(a) => a.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(v)
}

/// Runs a query over the live objects of `ns`.
///
/// # Errors
/// A bad JSON path or limit.
pub fn run(state: &State, ns: &str, q: &QueryInput) -> Result<Page, Invalid> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(Invalid(format!("limit must be between 1 and {MAX_LIMIT}")));
    }
    let mut paths = Vec::new();
    for (path, value) in q.jsonpath.iter().flat_map(|j| &j.equals) {
        paths.push((parse_path(path)?, value));
    }
    let tag_sets = [q.tag_filter.as_ref(), q.tags.as_ref()];
    let mut items = Vec::new();
    let mut next_cursor = None;
    for o in state.objects.list(ns, q.cursor.as_deref()) {
        let tags_ok = tag_sets
            .iter()
            .flatten()
            .all(|want| want.iter().all(|(k, v)| o.data.tags().get(k) == Some(v)));
        if !tags_ok {
            continue;
        }
        if !paths.is_empty() {
            let body = o.data.body.to_value();
            if !paths.iter().all(|(p, v)| lookup(&body, p) == Some(*v)) {
                continue;
            }
        }
        if items.len() == limit {
            next_cursor = items.last().map(|i: &ObjectOut| i.id.clone());
            break;
        }
        items.push(ObjectOut::from(o));
    }
    Ok(Page { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths() {
        assert_eq!(parse_path("$.a.b[2].c").unwrap(), ["a", "b", "2", "c"]);
        assert_eq!(parse_path("a.b").unwrap(), ["a", "b"]);
        assert!(parse_path("$.a..b").is_err());
        let v = json!({"a": {"b": [0, 1, {"c": "x"}]}});
        assert_eq!(
            lookup(&v, &parse_path("$.a.b[2].c").unwrap()),
            Some(&json!("x"))
        );
        assert_eq!(lookup(&v, &parse_path("$.a.z").unwrap()), None);
    }
}
