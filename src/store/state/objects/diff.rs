//! [`ObjectState::diff`]: the objects domain compared field by field (see
//! `crate::store::state::diff`), exactly or by current versions only.

use std::sync::Arc;

use imbl::OrdMap;

use super::{Namespace, ObjectState, Version};
use crate::store::state::diff::{Diff, Histories};

impl ObjectState {
    /// Compares with `got`: every namespace's entries (histories and tombstones included) and
    /// counters, and the TTL index; with [`Histories::CurrentOnly`], the current version of
    /// each live object instead of its entry, and only namespaces holding live objects.
    pub(crate) fn diff(&self, got: &Self, histories: Histories, d: &mut Diff) {
        let ObjectState {
            namespaces,
            expiries,
        } = self;
        let ObjectState {
            namespaces: got_namespaces,
            expiries: got_expiries,
        } = got;
        let kept = |spaces: &OrdMap<Arc<str>, Namespace>| -> Vec<Arc<str>> {
            spaces
                .iter()
                .filter(|(_, s)| histories == Histories::Exact || s.live > 0)
                .map(|(ns, _)| ns.clone())
                .collect()
        };
        let (names, got_names) = (kept(namespaces), kept(got_namespaces));
        d.value("objects.namespaces (names)", &names, &got_names);
        let empty = Namespace::default();
        for ns in &names {
            let want = namespaces.get(ns).unwrap_or(&empty);
            let got = got_namespaces.get(ns).unwrap_or(&empty);
            let Namespace {
                entries,
                live,
                bytes,
            } = want;
            let Namespace {
                entries: got_entries,
                live: got_live,
                bytes: got_bytes,
            } = got;
            let what = |field: &str| format!("objects.namespaces[{ns:?}].{field}");
            match histories {
                Histories::Exact => d.map(&what("entries"), entries, got_entries),
                Histories::CurrentOnly => d.map(
                    &what("entries (current versions)"),
                    &current(entries),
                    &current(got_entries),
                ),
            }
            d.value(&what("live"), live, got_live);
            d.value(&what("bytes"), bytes, got_bytes);
        }
        d.set("objects.expiries", expiries, got_expiries);
    }
}

/// The current version of every live object.
fn current(entries: &OrdMap<Arc<str>, super::Entry>) -> OrdMap<Arc<str>, Version> {
    entries
        .iter()
        .filter(|(_, e)| e.current.data.is_some())
        .map(|(id, e)| (id.clone(), e.current.clone()))
        .collect()
}
