//! Values a domain derives from a stored document (a graph template parsed from its JSON text),
//! kept beside the document so they are computed once per stored version, not on every
//! transaction that reads it.
//!
//! A [`Derived`] slot is not part of the record's value: it is never written to the WAL or a
//! snapshot (`#[serde(skip)]`), never compared, and copied with the record, so every view and
//! the commit thread's working state share what was computed. The engine does not know what is
//! in it: the domain that owns the document fills and reads it with its own type.

use std::any::Any;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// A slot for one value derived from the document it sits in (see the module docs).
#[derive(Clone, Default)]
pub struct Derived(OnceLock<Arc<dyn Any + Send + Sync>>);

impl Derived {
    /// A slot already holding `value` (computed before the document reaches the commit
    /// thread).
    pub fn new<T: Any + Send + Sync>(value: T) -> Self {
        Derived(OnceLock::from(Arc::new(value) as Arc<dyn Any + Send + Sync>))
    }

    /// The value in the slot, computing it with `make` the first time. Two threads that
    /// compute it at once both get an equal value and one of them is kept.
    pub fn get_or_init<T: Any + Send + Sync>(&self, make: impl FnOnce() -> T) -> Arc<T> {
        if let Some(v) = self.0.get() {
            // A slot holds one type, its domain's; any other is computed, not cached.
            return v
                .clone()
                .downcast::<T>()
                .unwrap_or_else(|_| Arc::new(make()));
        }
        let value = Arc::new(make());
        let _ = self.0.set(value.clone());
        value
    }

    /// Whether the slot holds a value.
    pub fn is_filled(&self) -> bool {
        self.0.get().is_some()
    }
}

impl PartialEq for Derived {
    /// Derived values are not part of a record's value.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl fmt::Debug for Derived {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_filled() {
            "Derived(filled)"
        } else {
            "Derived(empty)"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_once_and_is_shared_by_copies() {
        let slot = Derived::default();
        assert_eq!(*slot.get_or_init(|| 7_u32), 7);
        assert_eq!(*slot.get_or_init(|| -> u32 { panic!("computed twice") }), 7);
        let copy = slot.clone();
        assert!(Arc::ptr_eq(
            &slot.get_or_init(|| 0_u32),
            &copy.get_or_init(|| 0_u32)
        ));
        assert_eq!(*slot.get_or_init(|| "other type"), "other type");
        assert_eq!(*Derived::new(5_u8).get_or_init(|| 0_u8), 5);
        assert_eq!(Derived::new(1_u8), Derived::default(), "never compared");
    }
}
