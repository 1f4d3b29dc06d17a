//! Shared copies of the short names that nearly every record repeats (object types,
//! namespaces): a million objects of a few types in a few namespaces hold a few strings, not a
//! million copies, and decoding a record allocates none of them.
//!
//! Each kind of name has a bounded table, so clients inventing names cannot grow it forever;
//! past the bound, new names get their own copy. In front of the tables, each thread keeps the
//! few names it used last, so the common case takes no lock and computes no hash.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Deserializer};

/// A bounded table of shared names.
#[derive(Debug)]
pub struct Interner {
    table: Mutex<Option<HashSet<Arc<str>>>>,
    limit: usize,
}

/// Names kept per thread in front of the tables.
const RECENT: usize = 4;

thread_local! {
    /// The names this thread interned last, and the slot to replace next.
    static RECENTLY: RefCell<([Option<Arc<str>>; RECENT], usize)> =
        const { RefCell::new(([const { None }; RECENT], 0)) };
}

impl Interner {
    /// A table that shares at most `limit` distinct names.
    pub const fn new(limit: usize) -> Interner {
        Interner {
            table: Mutex::new(None),
            limit,
        }
    }

    /// The shared copy of `name`.
    pub fn get(&self, name: &str) -> Arc<str> {
        let recent = RECENTLY
            .with_borrow(|(names, _)| names.iter().flatten().find(|n| ***n == *name).cloned());
        if let Some(n) = recent {
            return n;
        }
        let shared = self.shared_copy(name);
        RECENTLY.with_borrow_mut(|(names, next)| {
            names[*next] = Some(shared.clone());
            *next = (*next + 1) % RECENT;
        });
        shared
    }

    fn shared_copy(&self, name: &str) -> Arc<str> {
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        let table = table.get_or_insert_with(Default::default);
        if let Some(t) = table.get(name) {
            return t.clone();
        }
        let t: Arc<str> = name.into();
        if table.len() < self.limit {
            table.insert(t.clone());
        }
        t
    }
}

/// Object type names.
static TYPES: Interner = Interner::new(4096);
/// Namespaces.
static NAMESPACES: Interner = Interner::new(4096);

/// The shared copy of a type name.
pub fn intern_type(name: &str) -> Arc<str> {
    TYPES.get(name)
}

/// The shared copy of a namespace.
pub fn intern_ns(name: &str) -> Arc<str> {
    NAMESPACES.get(name)
}

/// Deserializes a type name into its shared copy.
///
/// # Errors
/// When the input is not a string.
pub fn deserialize_type<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
    Ok(intern_type(&Cow::<'de, str>::deserialize(d)?))
}

/// Deserializes a namespace into its shared copy.
///
/// # Errors
/// When the input is not a string.
pub fn deserialize_ns<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
    Ok(intern_ns(&Cow::<'de, str>::deserialize(d)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_names_share_one_copy_until_the_table_is_full() {
        let table = Interner::new(2);
        let a = table.get("alpha");
        assert!(Arc::ptr_eq(&a, &table.get("alpha")));
        let b = table.get("beta");
        assert!(Arc::ptr_eq(&b, &table.shared_copy("beta")));
        let c = table.shared_copy("gamma");
        assert!(
            !Arc::ptr_eq(&c, &table.shared_copy("gamma")),
            "past the bound"
        );
        assert_eq!(&*c, "gamma");
    }

    #[test]
    fn recent_names_are_found_without_the_table() {
        let table = Interner::new(0); // shares nothing itself
        let a = table.get("delta");
        assert!(Arc::ptr_eq(&a, &table.get("delta")));
        for other in ["e", "f", "g", "h"] {
            table.get(other);
        }
        assert!(!Arc::ptr_eq(&a, &table.get("delta")), "pushed out");
    }
}
