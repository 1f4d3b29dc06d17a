//! The canonical form of a client's JSON document: what AgentState stores and returns, because
//! it parses every body into a `serde_json::Value` (a `BTreeMap` per object: it is built without
//! `preserve_order`) and writes it back compactly.
//!
//! - no whitespace outside strings;
//! - object keys in byte order of their UTF-8 (`String`'s order), whatever order they came in;
//! - a key given twice keeps its **last** value (`{"d":1,"d":2}` is `{"d":2}`), the value
//!   `serde_json` keeps, so the stored body, what reads return and what queries compare agree;
//! - strings with `serde_json`'s escapes (only `"`, `\` and control characters; `\u0041` is `A`);
//! - numbers as `serde_json` reads and writes them: integers that fit in 64 bits unchanged,
//!   anything else an `f64` in its shortest form (`1.50` is `1.5`, `1E2` is `100.0`, `-0` is
//!   `-0.0`). Floats are read with `float_roundtrip`, so a canonical body read back and sent
//!   again is stored unchanged.
//!
//! The order does not depend on which `serde_json` features some dependency enables: keys are
//! sorted here, not by `Value`. One parse builds a tree that borrows every string without
//! escapes from the input, then `serde_json` writes it straight into the `RawValue` the body is
//! kept in (a text built by hand would have to be parsed again to become a `RawValue`).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::value::RawValue;

/// The canonical form of the JSON value `d` yields.
///
/// # Errors
/// Whatever `d` reports: malformed JSON, nesting deeper than `serde_json`'s limit of 128, a lone
/// surrogate in a string, a number out of `f64`'s range.
pub fn from_deserializer<'de, D: Deserializer<'de>>(d: D) -> Result<Box<RawValue>, D::Error> {
    let node = NodeSeed.deserialize(d)?;
    serde_json::value::to_raw_value(&node).map_err(de::Error::custom)
}

/// The canonical form of the JSON text `text`.
///
/// # Errors
/// `text` is not exactly one JSON value (see [`from_deserializer`]).
pub fn canonicalize(text: &str) -> Result<Box<RawValue>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let raw = from_deserializer(&mut de)?;
    de.end()?;
    Ok(raw)
}

/// A JSON value as read, borrowing its strings from the input where it can.
enum Node<'de> {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(Cow<'de, str>),
    Array(Vec<Node<'de>>),
    /// Sorted by key, one entry per key.
    Object(Vec<(Cow<'de, str>, Node<'de>)>),
}

struct NodeSeed;

impl<'de> DeserializeSeed<'de> for NodeSeed {
    type Value = Node<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Node<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node<'de>, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node<'de>, E> {
        Ok(Node::U64(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node<'de>, E> {
        // `serde_json` hands negative integers here and the rest to `visit_u64`; a non-negative
        // one from another deserializer is written the same either way.
        Ok(Node::I64(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node<'de>, E> {
        Ok(Node::F64(v))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Owned(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(n) = seq.next_element_seed(NodeSeed)? {
            items.push(n);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let mut entries: Vec<(Cow<'de, str>, Node<'de>)> = Vec::new();
        let mut in_order = true;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if let Some((prev, _)) = entries.last() {
                in_order &= *prev < key;
            }
            let value = map.next_value_seed(NodeSeed)?;
            entries.push((key, value));
        }
        if !in_order {
            entries = sorted_last_wins(entries);
        }
        Ok(Node::Object(entries))
    }
}

/// Entries sorted by key, keeping the last of equal keys.
fn sorted_last_wins<'de>(
    mut entries: Vec<(Cow<'de, str>, Node<'de>)>,
) -> Vec<(Cow<'de, str>, Node<'de>)> {
    // Stable: equal keys stay in the order they came in.
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<(Cow<'de, str>, Node<'de>)> = Vec::with_capacity(entries.len());
    for e in entries {
        match out.last_mut() {
            Some(last) if last.0 == e.0 => *last = e,
            _ => out.push(e),
        }
    }
    out
}

/// An object key, borrowed from the input unless it holds escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Null => s.serialize_unit(),
            Node::Bool(v) => s.serialize_bool(*v),
            Node::U64(v) => s.serialize_u64(*v),
            Node::I64(v) => s.serialize_i64(*v),
            Node::F64(v) => s.serialize_f64(*v),
            Node::Str(v) => s.serialize_str(v),
            Node::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for n in items {
                    seq.serialize_element(n)?;
                }
                seq.end()
            }
            Node::Object(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k.as_ref(), v)?;
                }
                map.end()
            }
        }
    }
}
