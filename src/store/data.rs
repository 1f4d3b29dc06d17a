//! The content of one object version ([`ObjectData`]) and its JSON body ([`Body`]), laid out for
//! memory: a million live objects hold a million of these.
//!
//! The rarely used fields (tags, TTL, parents) live behind one optional box, so an object
//! without them costs 40 bytes plus its body. The serialized form does not depend on that
//! layout: every encoding (postcard in the WAL and in snapshots, JSON) sees the five fields
//! `type, body, tags, ttl_seconds, parents` in that order, as it always has.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::store::canonical;
use crate::store::intern::deserialize_type;
pub use crate::store::intern::intern_type;

/// Tags of an object: string keys to string values, ordered.
pub type Tags = BTreeMap<String, String>;

/// Content of one object version (its namespace, id, seq and time live beside it).
#[derive(Clone, PartialEq)]
pub struct ObjectData {
    /// Free-form type name chosen by the client (interned: see [`intern_type`]).
    pub type_: Arc<str>,
    /// The JSON document.
    pub body: Body,
    /// Tags, TTL and parents; `None` when all three are empty (never `Some` of an empty one, so
    /// that equality compares contents).
    extra: Option<Box<Extra>>,
}

/// The rarely set fields of an [`ObjectData`].
#[derive(Debug, Clone, Default, PartialEq)]
struct Extra {
    tags: Tags,
    ttl_seconds: Option<u64>,
    parents: Vec<String>,
}

impl Extra {
    fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.ttl_seconds.is_none() && self.parents.is_empty()
    }
}

static NO_TAGS: Tags = BTreeMap::new();

impl ObjectData {
    /// Content with a type and a body, and no tags, TTL or parents.
    pub fn new(type_: Arc<str>, body: Body) -> ObjectData {
        ObjectData {
            type_,
            body,
            extra: None,
        }
    }

    /// Tags for filtering.
    pub fn tags(&self) -> &Tags {
        self.extra.as_ref().map_or(&NO_TAGS, |e| &e.tags)
    }

    /// Time to live, counted from the commit that wrote this version.
    pub fn ttl_seconds(&self) -> Option<u64> {
        self.extra.as_ref().and_then(|e| e.ttl_seconds)
    }

    /// Ids of the objects this one derives from.
    pub fn parents(&self) -> &[String] {
        self.extra.as_ref().map_or(&[], |e| &e.parents)
    }

    /// With these tags instead.
    #[must_use]
    pub fn with_tags(self, tags: Tags) -> ObjectData {
        self.with_extra(|e| e.tags = tags)
    }

    /// With this TTL instead.
    #[must_use]
    pub fn with_ttl_seconds(self, ttl_seconds: Option<u64>) -> ObjectData {
        self.with_extra(|e| e.ttl_seconds = ttl_seconds)
    }

    /// With these parents instead.
    #[must_use]
    pub fn with_parents(self, parents: Vec<String>) -> ObjectData {
        self.with_extra(|e| e.parents = parents)
    }

    fn with_extra(mut self, change: impl FnOnce(&mut Extra)) -> ObjectData {
        let mut extra = self.extra.take().unwrap_or_default();
        change(&mut extra);
        self.extra = (!extra.is_empty()).then_some(extra);
        self
    }
}

impl fmt::Debug for ObjectData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectData")
            .field("type_", &self.type_)
            .field("body", &self.body)
            .field("tags", self.tags())
            .field("ttl_seconds", &self.ttl_seconds())
            .field("parents", &self.parents())
            .finish()
    }
}

/// The serialized form of [`ObjectData`] (borrowed for writing).
#[derive(Serialize)]
#[serde(rename = "ObjectData")]
struct WireRef<'a> {
    #[serde(rename = "type")]
    type_: &'a str,
    body: &'a Body,
    tags: &'a Tags,
    ttl_seconds: Option<u64>,
    parents: &'a [String],
}

/// The serialized form of [`ObjectData`] (owned for reading).
#[derive(Deserialize)]
#[serde(rename = "ObjectData")]
struct Wire {
    #[serde(rename = "type", deserialize_with = "deserialize_type")]
    type_: Arc<str>,
    body: Body,
    tags: Tags,
    ttl_seconds: Option<u64>,
    parents: Vec<String>,
}

impl Serialize for ObjectData {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        WireRef {
            type_: &self.type_,
            body: &self.body,
            tags: self.tags(),
            ttl_seconds: self.ttl_seconds(),
            parents: self.parents(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for ObjectData {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = Wire::deserialize(d)?;
        let extra = Extra {
            tags: w.tags,
            ttl_seconds: w.ttl_seconds,
            parents: w.parents,
        };
        Ok(ObjectData {
            type_: w.type_,
            body: w.body,
            extra: (!extra.is_empty()).then(|| Box::new(extra)),
        })
    }
}

/// A JSON document kept as its text, copied verbatim to clients.
///
/// Every body that comes in as JSON (a client's `body`, checkpoint `metadata`: anything read
/// through `Deserialize` from a human-readable format) is put in the canonical form of
/// [`canonical`](crate::store::canonical): compact, keys sorted, the last of duplicate keys.
/// Bodies read back from the WAL or a snapshot are taken as they were stored.
#[derive(Clone)]
pub struct Body(Box<RawValue>);

impl Body {
    /// Validates JSON text and keeps it as it is (for text this server stored, and tests).
    ///
    /// # Errors
    /// When `text` is not one JSON value.
    pub fn from_json(text: impl Into<String>) -> Result<Body, serde_json::Error> {
        RawValue::from_string(text.into()).map(Body)
    }

    /// Serializes a value into a body (in canonical form).
    ///
    /// # Errors
    /// When the value cannot be represented as JSON.
    pub fn from_value<T: Serialize>(value: &T) -> Result<Body, serde_json::Error> {
        canonical::from_deserializer(serde_json::to_value(value)?).map(Body)
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// Parses the body into a `serde_json::Value`.
    pub fn to_value(&self) -> serde_json::Value {
        // The text was validated on construction.
        serde_json::from_str(self.0.get()).unwrap_or(serde_json::Value::Null)
    }
}

impl PartialEq for Body {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

impl Serialize for Body {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            self.0.serialize(s)
        } else {
            s.serialize_str(self.get())
        }
    }
}

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            canonical::from_deserializer(d).map(Body)
        } else {
            let text = String::deserialize(d)?;
            Body::from_json(text).map_err(D::Error::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> Body {
        Body::from_json("1").unwrap()
    }

    #[test]
    fn empty_extras_take_no_box_and_compare_equal() {
        let a = ObjectData::new("t".into(), body());
        let b = ObjectData::new("t".into(), body())
            .with_tags(Tags::new())
            .with_ttl_seconds(None)
            .with_parents(vec![]);
        assert!(b.extra.is_none());
        assert_eq!(a, b);
        let c = b.with_ttl_seconds(Some(3)).with_ttl_seconds(None);
        assert!(c.extra.is_none());
        assert_eq!(a, c);
    }

    #[test]
    fn accessors_return_what_was_set() {
        let tags: Tags = [("k".to_string(), "v".to_string())].into();
        let d = ObjectData::new("t".into(), body())
            .with_tags(tags.clone())
            .with_ttl_seconds(Some(9))
            .with_parents(vec!["p".into()]);
        assert_eq!(d.tags(), &tags);
        assert_eq!(d.ttl_seconds(), Some(9));
        assert_eq!(d.parents(), ["p".to_string()]);
        let back: ObjectData = postcard::from_bytes(&postcard::to_stdvec(&d).unwrap()).unwrap();
        assert_eq!(back, d);
    }

    #[test]
    fn object_data_is_small() {
        assert_eq!(std::mem::size_of::<ObjectData>(), 40);
    }
}
